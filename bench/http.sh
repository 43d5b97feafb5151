#!/usr/bin/env bash
# HTTP mode: vipd `mode: http` vs haproxy `mode http`, in the same run, to the same nginx, on
# loopback only. Run by hand (needs haproxy, wrk, nginx-light installed), not in CI.
#
#   bench/http.sh
#
# Environment: VIPD (default .build/release/vipd, built if missing), DURATION (wrk seconds per
# measurement, default 10), KEEP_WORK=1 keeps the scratch directory with every config and output.
# Prints, for wrk keep-alive and wrk `Connection: close` (2 threads, 64 connections, a 1 KiB
# file): requests/s and p99 of each proxy, and vipd/haproxy requests/s ratio.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
VIPD=${VIPD:-.build/release/vipd}
DURATION=${DURATION:-10}

log() { printf '[bench-http %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

for tool in haproxy wrk nginx; do
    command -v "$tool" >/dev/null || { echo "$tool is not installed (apt-get install haproxy wrk nginx-light)" >&2; exit 1; }
done
if [[ ! -x "$VIPD" ]]; then
    log "building vipd (release)"
    swift build -c release --product vipd >/dev/null
fi

WORK=$(mktemp -d /tmp/vipd-bench-http.XXXXXX)
PIDS=()
cleanup() {
    local status=$?
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    done
    if [[ ${KEEP_WORK:-0} == 1 || $status != 0 ]]; then log "scratch directory kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

wait_http() {  # PORT PID NAME
    for _ in $(seq 100); do
        kill -0 "$2" 2>/dev/null || { echo "$3 exited; see $WORK" >&2; exit 1; }
        curl -fs -o /dev/null "http://127.0.0.1:$1/index.html" && return 0
        sleep 0.1
    done
    echo "$3 does not answer on :$1; see $WORK" >&2
    exit 1
}

# --- the backend: one nginx, one worker, a 1 KiB file ----------------------------------------
NGINX_PORT=$(free_port)
mkdir -p "$WORK/www" "$WORK/nginx"
head -c 1024 /dev/zero | tr '\0' 'x' > "$WORK/www/index.html"
chmod 755 "$WORK" "$WORK/www"
cat > "$WORK/nginx/nginx.conf" <<CONF
worker_processes 1;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $WORK/nginx/body;
    proxy_temp_path $WORK/nginx/proxy;
    fastcgi_temp_path $WORK/nginx/fastcgi;
    uwsgi_temp_path $WORK/nginx/uwsgi;
    scgi_temp_path $WORK/nginx/scgi;
    keepalive_requests 1000000;
    server { listen 127.0.0.1:$NGINX_PORT backlog=4096; root $WORK/www; }
}
CONF
nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -g 'daemon off;' >"$WORK/nginx/stdout.log" 2>&1 &
PIDS+=($!)
wait_http "$NGINX_PORT" "$!" nginx

# --- the proxies: same limits, one thread for haproxy and as many loops as vipd has cores ----
HAPROXY_PORT=$(free_port)
cat > "$WORK/haproxy.cfg" <<CONF
global
    maxconn 4096
defaults
    mode http
    timeout connect 5s
    timeout client 60s
    timeout server 30s
    timeout http-request 10s
    option forwardfor
frontend web
    bind 127.0.0.1:$HAPROXY_PORT
    default_backend web
backend web
    balance roundrobin
    server web0 127.0.0.1:$NGINX_PORT check inter 2s
CONF
haproxy -db -f "$WORK/haproxy.cfg" >"$WORK/haproxy.log" 2>&1 &
PIDS+=($!)
wait_http "$HAPROXY_PORT" "$!" haproxy

VIPD_PORT=$(free_port)
cat > "$WORK/vipd.yaml" <<CONF
global: { log_level: warning }
listeners:
  web: { bind: 127.0.0.1:$VIPD_PORT, mode: http, pool: web, maxconn: 4096 }
pools:
  web:
    servers: [{ name: web0, address: 127.0.0.1:$NGINX_PORT }]
    check: { kind: http, path: /index.html, interval: 2s }
CONF
"$VIPD" run --config "$WORK/vipd.yaml" >"$WORK/vipd.log" 2>&1 &
PIDS+=($!)
wait_http "$VIPD_PORT" "$!" vipd

# --- measurements ------------------------------------------------------------------------------
to_ms() {
    awk -v v="$1" 'BEGIN { n = v + 0
        if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n = n; else if (v ~ /s$/) n *= 1000
        printf "%.2f", n }'
}
measure() {  # PORT TAG [wrk args...]
    local port=$1 tag=$2; shift 2
    timeout 30 wrk -t2 -c64 -d2s "$@" "http://127.0.0.1:$port/index.html" >/dev/null 2>&1 || true  # warm-up
    timeout $((DURATION + 30)) wrk -t2 -c64 -d"${DURATION}s" --latency "$@" "http://127.0.0.1:$port/index.html" \
        >"$WORK/$tag.txt" 2>&1
    local rps p99 errors
    rps=$(awk '/^Requests\/sec:/ { print $2 }' "$WORK/$tag.txt")
    p99=$(to_ms "$(awk '$1 == "99%" { print $2; exit }' "$WORK/$tag.txt")")
    errors=$(awk '/Socket errors:/ { gsub(",", ""); n += $4 + $6 + $8 + $10 } /Non-2xx or 3xx/ { n += $5 } END { print n + 0 }' \
        "$WORK/$tag.txt")
    printf '%s %s %s\n' "$rps" "$p99" "$errors"
}

printf '%-12s %-8s %12s %10s %8s\n' mode proxy "requests/s" "p99 ms" errors
for mode in keepalive close; do
    args=()
    [[ $mode == close ]] && args=(-H 'Connection: close')
    read -r h_rps h_p99 h_err < <(measure "$HAPROXY_PORT" "haproxy-$mode" "${args[@]}")
    read -r v_rps v_p99 v_err < <(measure "$VIPD_PORT" "vipd-$mode" "${args[@]}")
    printf '%-12s %-8s %12s %10s %8s\n' "$mode" haproxy "$h_rps" "$h_p99" "$h_err" "$mode" vipd "$v_rps" "$v_p99" "$v_err"
    awk -v v="$v_rps" -v h="$h_rps" -v vp="$v_p99" -v hp="$h_p99" -v m="$mode" \
        'BEGIN { printf "%-12s ratio vipd/haproxy requests/s %.2f, p99 %s ms vs %s ms\n", m, v / h, vp, hp }'
done
