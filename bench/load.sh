#!/usr/bin/env bash
# Load comparison on loopback: the same fixed JSON upstream (nginx `return 200`) reached
#   direct            wrk -> upstream
#   nginx proxy_pass  wrk -> nginx (keepalive upstream) -> upstream
#   credpool          wrk -> credpool serve -> upstream
# Runs alternate (direct, nginx, credpool) for ROUNDS rounds; prints the median of each.
# Throughput: wrk -t2 -c64; added latency: median of wrk -t1 -c1 minus the direct median.
# Usage: bench/load.sh path/to/credpool   (env: ROUNDS=3 DURATION=5s)
set -euo pipefail
bin=${1:?usage: bench/load.sh path/to/credpool}
bin=$(readlink -f "$bin")
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-5s}
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
up_port=$(free_port); proxy_port=$(free_port)

body='{"id":"chatcmpl-bench","object":"chat.completion","created":1700000000,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":1,"total_tokens":6}}'

mkdir -p "$work/nginx"
cat > "$work/nginx/nginx.conf" <<NGINX
worker_processes 2;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
daemon off;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body; proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fcgi; uwsgi_temp_path $work/nginx/uwsgi; scgi_temp_path $work/nginx/scgi;
  upstream fake { server 127.0.0.1:$up_port; keepalive 64; }
  server {
    listen 127.0.0.1:$up_port;
    location / { default_type application/json; return 200 '$body'; }
  }
  server {
    listen 127.0.0.1:$proxy_port;
    location / { proxy_pass http://fake; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
NGINX
nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" &
pids+=($!)

export CREDPOOL_HOME="$work/home"
mkdir -p "$CREDPOOL_HOME"
cat > "$CREDPOOL_HOME/config.yaml" <<YAML
providers:
  openai: {base_url: "http://127.0.0.1:$up_port/v1"}
YAML
"$bin" auth add openai --api-key sk-bench-0000000000001 --label bench >/dev/null
"$bin" serve --listen 127.0.0.1:0 > "$work/serve.out" 2> "$work/serve.err" &
pids+=($!)
cp_port=""
for _ in $(seq 200); do
  cp_port=$(sed -n 's#.*listening on http://127.0.0.1:\([0-9]*\).*#\1#p' "$work/serve.out" | head -1)
  [ -n "$cp_port" ] && break
  sleep 0.1
done
[ -n "$cp_port" ] || { echo "credpool did not start:"; cat "$work/serve.err"; exit 1; }
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$proxy_port/" -o /dev/null -X POST && break; sleep 0.1; done

cat > "$work/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}'
wrk.headers["Content-Type"] = "application/json"
LUA

# Prints "<requests/s> <p50 latency in µs>" for one run.
run() {
  local url=$1 threads=$2 conns=$3
  wrk -t"$threads" -c"$conns" -d"$DURATION" --latency -s "$work/post.lua" "$url" > "$work/wrk.out"
  awk '/Requests\/sec/ {rps=$2}
       /^ +50%/ {v=$2; if (v ~ /us$/) {sub(/us/,"",v); lat=v} else if (v ~ /ms$/) {sub(/ms/,"",v); lat=v*1000} else {sub(/s/,"",v); lat=v*1e6}}
       END {printf "%s %s\n", rps, lat}' "$work/wrk.out"
}
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

declare -A rps lat
for name in direct nginx credpool; do rps[$name]=""; lat[$name]=""; done
for r in $(seq "$ROUNDS"); do
  for name in direct nginx credpool; do
    case $name in
      direct) url="http://127.0.0.1:$up_port/v1/chat/completions" ;;
      nginx) url="http://127.0.0.1:$proxy_port/v1/chat/completions" ;;
      credpool) url="http://127.0.0.1:$cp_port/v1/chat/completions" ;;
    esac
    read -r t _ < <(run "$url" 2 64)
    read -r _ l < <(run "$url" 1 1)
    rps[$name]+="$t"$'\n'; lat[$name]+="$l"$'\n'
    echo "round $r $name: ${t} req/s (c64), p50 ${l} µs (c1)" >&2
  done
done
d_rps=$(printf '%s' "${rps[direct]}" | median); d_lat=$(printf '%s' "${lat[direct]}" | median)
n_rps=$(printf '%s' "${rps[nginx]}" | median); n_lat=$(printf '%s' "${lat[nginx]}" | median)
c_rps=$(printf '%s' "${rps[credpool]}" | median); c_lat=$(printf '%s' "${lat[credpool]}" | median)
printf '\n| path | req/s (wrk -t2 -c64, median of %s) | p50 latency c1 (µs) | added p50 vs direct (µs) |\n|---|---|---|---|\n' "$ROUNDS"
printf '| direct upstream | %.0f | %.0f | 0 |\n' "$d_rps" "$d_lat"
printf '| nginx proxy_pass | %.0f | %.0f | %.0f |\n' "$n_rps" "$n_lat" "$(echo "$n_lat - $d_lat" | bc -l)"
printf '| credpool | %.0f | %.0f | %.0f |\n' "$c_rps" "$c_lat" "$(echo "$c_lat - $d_lat" | bc -l)"
printf '\ncredpool / nginx throughput: %.2fx; credpool added p50 latency: %.0f µs\n' \
  "$(echo "$c_rps / $n_rps" | bc -l)" "$(echo "$c_lat - $d_lat" | bc -l)"
