#!/usr/bin/env bash
# Where an HTTP keep-alive request's cost lies, vipd against haproxy, in the same run: each proxy's
# instructions per request in HTTP mode and in TCP mode (bytes passed unread, the same wrk load),
# their difference (what the HTTP layer costs), and the floor of NIO's transport (bench/nio-glue:
# the least a SwiftNIO proxy does). Run by hand (needs haproxy, wrk, nginx-light and perf), not in CI.
#
#   bench/http-floor.sh
#
# Environment: VIPD (default .build/release/vipd, brought up to date by scripts/build-release),
# DURATION (wrk seconds per measurement, default 8), ROUNDS (default 3; the order of the five
# proxies rotates from round to round), RECORD=0 to leave bench/RESULTS.md alone, KEEP_WORK=1 keeps
# the scratch directory. Instructions (user + kernel, from each proxy's hardware counters) are the
# measure: unlike requests/s they do not move with what else the machine runs.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
cd "$ROOT"
BUILD_VIPD=$([[ -z ${VIPD:-} ]] && echo 1 || echo 0)
VIPD=${VIPD:-.build/release/vipd}
DURATION=${DURATION:-8}
ROUNDS=${ROUNDS:-3}
RECORD=${RECORD:-1}

log() { printf '[bench-floor %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

for tool in haproxy wrk nginx perf; do
    command -v "$tool" >/dev/null || { echo "$tool is not installed (apt-get install haproxy wrk nginx-light linux-perf)" >&2; exit 1; }
done
perf stat -x, -e instructions:u -- true 2>&1 | grep -q '^[0-9]' || { echo "perf cannot read this machine's instruction counters" >&2; exit 1; }
# shellcheck source=scripts/swift-env
. scripts/swift-env
if [[ $BUILD_VIPD == 1 ]]; then
    log "building vipd (scripts/build-release)"
    scripts/build-release >/dev/null
fi
log "building bench/nio-glue"
swift build -c release --package-path bench/nio-glue --scratch-path "$ROOT/.build/nio-glue" >/dev/null
GLUE="$ROOT/.build/nio-glue/release/nio-glue"

WORK=$(mktemp -d /tmp/vipd-bench-floor.XXXXXX)
PIDS=()
trap 'stop_bench_processes "$WORK" "${PIDS[@]}"' EXIT
trap 'exit 130' INT TERM

start_http_bench_nginx "$WORK"

# haproxy and vipd each serve the same nginx twice: HTTP mode and TCP mode.
H_HTTP=$(free_port); H_TCP=$(free_port); V_HTTP=$(free_port); V_TCP=$(free_port); GLUE_PORT=$(free_port)
cat > "$WORK/haproxy.cfg" <<CONF
global
    maxconn 4096
defaults
    timeout connect 5s
    timeout client 60s
    timeout server 30s
frontend web
    mode http
    timeout http-request 10s
    option forwardfor
    bind 127.0.0.1:$H_HTTP
    default_backend web
backend web
    mode http
    balance roundrobin
    server web0 127.0.0.1:$NGINX_PORT check inter 2s
frontend raw
    mode tcp
    bind 127.0.0.1:$H_TCP
    default_backend raw
backend raw
    mode tcp
    server web0 127.0.0.1:$NGINX_PORT check inter 2s
CONF
haproxy -db -f "$WORK/haproxy.cfg" >"$WORK/haproxy.log" 2>&1 &
PIDS+=($!)
HAPROXY_PID=$!
cat > "$WORK/vipd.yaml" <<CONF
global: { log_level: warning }
listeners:
  web: { bind: 127.0.0.1:$V_HTTP, mode: http, pool: web, maxconn: 4096 }
  raw: { bind: 127.0.0.1:$V_TCP, mode: tcp, pool: web, maxconn: 4096 }
pools:
  web:
    servers: [{ name: web0, address: 127.0.0.1:$NGINX_PORT }]
    check: { kind: http, path: /index.html, interval: 2s }
CONF
"$VIPD" run --config "$WORK/vipd.yaml" >"$WORK/vipd.log" 2>&1 &
PIDS+=($!)
VIPD_PID=$!
"$GLUE" "$GLUE_PORT" "$NGINX_PORT" >"$WORK/nio-glue.log" 2>&1 &
PIDS+=($!)
GLUE_PID=$!
wait_http "$H_HTTP" "$HAPROXY_PID" haproxy "$WORK"
wait_http "$H_TCP" "$HAPROXY_PID" haproxy "$WORK"
wait_http "$V_HTTP" "$VIPD_PID" vipd "$WORK"
wait_http "$V_TCP" "$VIPD_PID" vipd "$WORK"
wait_http "$GLUE_PORT" "$GLUE_PID" nio-glue "$WORK"

SAMPLES="$WORK/samples.tsv"
: > "$SAMPLES"
measure() {  # NAME PORT PID ROUND
    local name=$1 port=$2 pid=$3 round=$4 out="$WORK/$1-$4.txt" counting instructions
    timeout 30 wrk -t2 -c64 -d2s "http://127.0.0.1:$port/index.html" >/dev/null 2>&1 || true  # warm-up
    perf stat -x, -e instructions:u,instructions:k -p "$pid" -o "$out.perf" &
    counting=$!
    timeout $((DURATION + 30)) wrk -t2 -c64 -d"${DURATION}s" "http://127.0.0.1:$port/index.html" >"$out" 2>&1
    kill -INT "$counting" 2>/dev/null || true
    wait "$counting" 2>/dev/null || true
    instructions=$(instructions_per_request "$out.perf" "$(wrk_requests "$out")")
    [[ -n $instructions && $(wrk_errors "$out") == 0 ]] || { echo "$name: no clean measurement; see $WORK" >&2; exit 1; }
    printf '%s\t%s\n' "$name" "$instructions" >> "$SAMPLES"
    log "round $round $name: $instructions instructions per request ($(wrk_rps "$out") req/s)"
}

NAMES=(haproxy-http vipd-http haproxy-tcp vipd-tcp nio-glue)
PORTS=("$H_HTTP" "$V_HTTP" "$H_TCP" "$V_TCP" "$GLUE_PORT")
OWNERS=("$HAPROXY_PID" "$VIPD_PID" "$HAPROXY_PID" "$VIPD_PID" "$GLUE_PID")
for round in $(seq "$ROUNDS"); do
    for step in "${!NAMES[@]}"; do
        i=$(((step + round - 1) % ${#NAMES[@]}))
        measure "${NAMES[$i]}" "${PORTS[$i]}" "${OWNERS[$i]}" "$round"
    done
done

TABLE=$(python3 - "$SAMPLES" <<'PY'
import statistics, sys
samples = {}
for line in open(sys.argv[1]):
    name, value = line.split()
    samples.setdefault(name, []).append(float(value))
m = {name: statistics.median(values) for name, values in samples.items()}
rows = [
    ("HTTP keep-alive request (`mode http` / `mode: http`)", m["haproxy-http"], m["vipd-http"]),
    ("the same bytes passed unread (`mode tcp` / `mode: tcp`)", m["haproxy-tcp"], m["vipd-tcp"]),
    ("the HTTP layer (the difference)", m["haproxy-http"] - m["haproxy-tcp"], m["vipd-http"] - m["vipd-tcp"]),
    ("the least a SwiftNIO proxy does (bench/nio-glue) against haproxy `mode tcp`", m["haproxy-tcp"], m["nio-glue"]),
]
print("| instructions per request, medians | haproxy | vipd or NIO | ratio |")
print("|---|---:|---:|---:|")
for label, h, v in rows:
    print(f"| {label} | {h:,.0f} | {v:,.0f} | {v / h:.2f} |")
PY
)
echo
echo "$TABLE"

if [[ $RECORD == 1 ]]; then
    COMMIT=$(recorded_commit)
    {
        echo
        echo "## $(date -u '+%Y-%m-%d %H:%M UTC') — commit $COMMIT — where a keep-alive request's cost lies (bench/http-floor.sh)"
        echo
        echo "$ROUNDS rounds (the order of the five proxies rotates), $(nproc) CPUs, kernel $(uname -r)," \
             "$(haproxy -v | head -1 | awk '{ print "haproxy " $3 }'), one nginx-light worker serving a 1 KiB file," \
             "wrk -t2 -c64 keep-alive for ${DURATION} s per measurement; instructions are user + kernel, counted by perf on each proxy's process."
        echo
        echo "$TABLE"
    } >> bench/RESULTS.md
    log "appended to bench/RESULTS.md"
fi
