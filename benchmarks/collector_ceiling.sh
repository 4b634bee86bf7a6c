#!/usr/bin/env bash
# What a Python collector can reach at best under granian, next to nginx, in one run.
#
#   benchmarks/collector_ceiling.sh [seconds] [connections]
#
# The GET pixel scenario of benchmarks/collector.sh (same query string, wrk settings, 2
# workers) against: nginx serving the GIF with its access log on; an RSGI app under granian
# that answers the GIF and does nothing else; one that also builds and Thrift-encodes the
# request's CollectorPayload (benchmarks/collector_ceiling_app.py). Prints req/s, p99 and the
# ratio to nginx: an upper bound for any collector written in Python on this machine.
set -euo pipefail
DURATION=${1:-10}
CONNECTIONS=${2:-32}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
GRANIAN=${GRANIAN:-$ROOT/.venv/bin/granian}
WORK=$(mktemp -d)
# shellcheck source=benchmarks/nginx_common.sh
source "$ROOT/benchmarks/nginx_common.sh"
require_wrk_and_nginx

write_nginx_conf "$WORK" 18300

run() {  # NAME PORT
  local out
  out=$(wrk -t1 "-c$CONNECTIONS" "-d${DURATION}s" --latency "http://127.0.0.1:$2/i?$QUERY")
  echo "$1 $(awk '/Requests\/sec/ {print $2}' <<<"$out") $(awk '$1 == "99%" {print $2}' <<<"$out")" \
    >>"$WORK/results"
}

nginx -c "$WORK/nginx.conf"; sleep 0.5
run nginx 18300
nginx -c "$WORK/nginx.conf" -s stop; rm -f "$WORK/nginx.pid"; sleep 0.5

port=18301
for app in nothing record; do
  PYTHONPATH="$ROOT/benchmarks" "$GRANIAN" --interface rsgi --workers 2 --http 1 --no-ws \
    --port $port --log-level error "collector_ceiling_app:$app" >"$WORK/$app.log" 2>&1 &
  PIDS+=($!)
  wait_port $port /i
  run "rsgi-$app" $port
  kill -TERM "${PIDS[-1]}"; wait "${PIDS[-1]}" 2>/dev/null || true
  port=$((port + 1))
done

echo "wrk: 1 thread, $CONNECTIONS connections, ${DURATION}s per run, GET pixel; $(nproc) cores shared by wrk and the server"
printf '%-14s %10s %9s %8s\n' server "req/s" p99 "vs nginx"
base=$(awk '$1 == "nginx" {print $2}' "$WORK/results")
while read -r name rps p99; do
  printf '%-14s %10s %9s %8s\n' "$name" "$rps" "$p99" "$(awk -v a="$rps" -v b="$base" 'BEGIN {printf "%.2f", a / b}')"
done <"$WORK/results"
