#!/usr/bin/env bash
# Collector throughput next to nginx, in one run, same wrk settings for every server.
#
#   benchmarks/collector.sh [seconds] [connections]
#
# Scenarios: a GET pixel with a typical JS-tracker page-view query string, and a POST tp2 of
# 10 events. Servers: nginx serving the same GIF / "ok" with its access log on (the baseline),
# then pyplow's collector (file sinks, 2 workers) under granian and under uvicorn. Prints
# requests/s, p99 latency and the ratio pyplow/nginx. Needs wrk and nginx (Debian packages:
# `apt-get install wrk nginx-light`); traffic stays on 127.0.0.1.
set -euo pipefail
DURATION=${1:-10}
CONNECTIONS=${2:-32}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PYPLOW=${PYPLOW:-$ROOT/.venv/bin/pyplow}
WORK=$(mktemp -d)
# shellcheck source=benchmarks/nginx_common.sh
source "$ROOT/benchmarks/nginx_common.sh"
require_wrk_and_nginx

"$ROOT/.venv/bin/python" - "$WORK/post.lua" <<'PY'
import json, sys
events = [{"e": "pv", "url": f"https://shop.acme.test/products/{i}", "page": "Product",
           "eid": f"7cad8054-c5b7-400a-bdca-3cce63c0f6{i:02d}", "tv": "js-4.6.8", "tna": "sp",
           "aid": "shop", "p": "web", "cookie": "1", "cs": "UTF-8", "lang": "en-GB",
           "res": "1920x1080", "cd": "24", "tz": "Europe/London", "dtm": "1795818818554",
           "vp": "1280x720", "ds": "1280x2429", "vid": "3",
           "sid": "4f8ecdb7-b9a4-4a2c-97ef-ee46967e701e",
           "duid": "24a3aea9-c8dd-4d81-accb-d01d7673bdeb", "stm": "1795818818561"}
          for i in range(10)]
body = json.dumps({"schema": "iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4",
                   "data": events}, separators=(",", ":"))
with open(sys.argv[1], "w") as f:
    f.write('wrk.method = "POST"\n')
    f.write('wrk.headers["Content-Type"] = "application/json; charset=UTF-8"\n')
    f.write("wrk.body = " + json.dumps(body) + "\n")
PY

write_nginx_conf "$WORK" 18100

cat > "$WORK/collector.toml" <<TOML
[collector]
host = "127.0.0.1"
workers = 2

[collector.good]
type = "file"
path = "$WORK/raw"

[collector.bad]
type = "file"
path = "$WORK/bad"
TOML

# run_wrk NAME PORT -> prints "NAME SCENARIO rps p99ms" lines into $WORK/results
run_wrk() {
  local name=$1 port=$2
  for scenario in get post; do
    local args=(-t1 "-c$CONNECTIONS" "-d${DURATION}s" --latency)
    local url="http://127.0.0.1:$port/i?$QUERY"
    if [ "$scenario" = post ]; then
      args+=(-s "$WORK/post.lua"); url="http://127.0.0.1:$port/com.snowplowanalytics.snowplow/tp2"
    fi
    local out; out=$(wrk "${args[@]}" "$url")
    local rps p99 errors
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    errors=$(awk '/Non-2xx/ {print $5}' <<<"$out")
    echo "$name $scenario $rps $p99 ${errors:-0}" >>"$WORK/results"
  done
}

nginx -c "$WORK/nginx.conf"
sleep 0.5
run_wrk nginx 18100
nginx -c "$WORK/nginx.conf" -s stop 2>/dev/null; rm -f "$WORK/nginx.pid"

port=18101
for server in granian uvicorn; do
  PYPLOW_COLLECTOR__PORT=$port PYPLOW_COLLECTOR__SERVER=$server \
    "$PYPLOW" collector --config "$WORK/collector.toml" >"$WORK/$server.log" 2>&1 &
  PIDS+=($!)
  wait_port $port /health
  run_wrk "pyplow-$server" $port
  kill -TERM "${PIDS[-1]}"; wait "${PIDS[-1]}" 2>/dev/null || true
  port=$((port + 1))
done

sleep 1
records=$(cat "$WORK"/raw/* 2>/dev/null | wc -l)
echo "wrk: 1 thread, $CONNECTIONS connections, ${DURATION}s per run; $(nproc) cores shared by wrk and the server"
printf '%-16s %-5s %10s %9s %8s %8s\n' server scenario "req/s" p99 non-2xx "vs nginx"
while read -r name scenario rps p99 errors; do
  base=$(awk -v s="$scenario" '$1 == "nginx" && $2 == s {print $3}' "$WORK/results")
  ratio=$(awk -v a="$rps" -v b="$base" 'BEGIN {printf "%.2f", a / b}')
  printf '%-16s %-5s %10s %9s %8s %8s\n' "$name" "$scenario" "$rps" "$p99" "$errors" "$ratio"
done <"$WORK/results"
echo "raw records written by pyplow: $records"
