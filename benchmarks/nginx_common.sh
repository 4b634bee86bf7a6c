# Shared by collector.sh and collector_ceiling.sh (sourced, not run, after WORK is set): the
# tools both need, the clean-up of the servers they start, the GET pixel's query string (a
# typical JS-tracker page view), and nginx's configuration (serving the GIF at /i and "ok" at
# the tp2 path, access log on).

# The servers a script starts (it adds their pids to PIDS) are stopped on exit, with nginx,
# and WORK is removed.
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || true; done
  [ -f "$WORK/nginx.pid" ] && nginx -c "$WORK/nginx.conf" -s stop 2>/dev/null || true
  sleep 1
  rm -rf "$WORK"
}
trap cleanup EXIT

# wait_port PORT PATH: until the server on PORT answers GET PATH (10 s at most)
wait_port() {
  for _ in $(seq 100); do
    curl -s -o /dev/null "http://127.0.0.1:$1$2" && return 0 || sleep 0.1
  done
  echo "server on port $1 did not start"; exit 1
}

require_wrk_and_nginx() {
  local tool
  for tool in wrk nginx; do
    command -v "$tool" >/dev/null \
      || { echo "$tool is not installed (apt-get install wrk nginx-light)"; exit 1; }
  done
}

QUERY='stm=1795818818561&e=pv&url=https%3A%2F%2Fshop.acme.test%2Fproducts%2F42%3Futm_source%3Dnewsletter%26utm_medium%3Demail&page=Blue%20widget%20%E2%80%93%20Acme&refr=https%3A%2F%2Fwww.google.com%2F&eid=7cad8054-c5b7-400a-bdca-3cce63c0f6b7&tv=js-4.6.8&tna=sp&aid=shop&p=web&cookie=1&cs=UTF-8&lang=en-GB&res=1920x1080&cd=24&tz=Europe%2FLondon&dtm=1795818818554&vp=1280x720&ds=1280x2429&vid=3&sid=4f8ecdb7-b9a4-4a2c-97ef-ee46967e701e&duid=24a3aea9-c8dd-4d81-accb-d01d7673bdeb&cx=eyJzY2hlbWEiOiJpZ2x1OmNvbS5zbm93cGxvd2FuYWx5dGljcy5zbm93cGxvdy9jb250ZXh0cy9qc29uc2NoZW1hLzEtMC0wIiwiZGF0YSI6W3sic2NoZW1hIjoiaWdsdTpjb20uc25vd3Bsb3dhbmFseXRpY3Muc25vd3Bsb3cvd2ViX3BhZ2UvanNvbnNjaGVtYS8xLTAtMCIsImRhdGEiOnsiaWQiOiJjMWVmNDMzYy1iZTNiLTQ4OGEtOWJiMy1mMGUwNjNlMzdjZGQifX1dfQ'

# write_nginx_conf DIR PORT: DIR/nginx.conf, everything nginx writes kept in DIR
write_nginx_conf() {
  local dir=$1 port=$2
  cat > "$dir/nginx.conf" <<NGINX
worker_processes 2;
pid $dir/nginx.pid;
error_log $dir/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log $dir/access.log;
  client_body_temp_path $dir/body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
  server {
    listen 127.0.0.1:$port;
    location = /i { empty_gif; add_header Cache-Control "no-cache, no-store, must-revalidate"; }
    location = /com.snowplowanalytics.snowplow/tp2 { return 200 "ok"; }
  }
}
NGINX
}
