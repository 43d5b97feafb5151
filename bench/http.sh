#!/usr/bin/env bash
# HTTP mode: vipd `mode: http` vs haproxy `mode http`, in the same run, to the same nginx, on
# loopback only. Run by hand (needs haproxy, wrk, nginx-light installed), not in CI.
#
#   bench/http.sh
#
# Environment: VIPD (default .build/release/vipd, brought up to date by scripts/build-release), DURATION (wrk seconds per
# measurement, default 10), ROUNDS (rounds, default 5; each measures both proxies, haproxy first
# in odd rounds and vipd first in even ones), RECORD=0 to leave bench/RESULTS.md alone,
# KEEP_WORK=1 keeps the scratch directory with every config and output, AA=1 puts a second
# haproxy in vipd's place (an A/A run: how far apart two identical proxies measure here).
# Prints, for wrk keep-alive and wrk `Connection: close` (2 threads, 64 connections, a 1 KiB
# file): per-proxy medians of requests/s, p50, p99, errors and the proxy's own CPU time per
# request (user + system, from /proc: what the proxy costs, apart from the machine's scheduling
# noise), with perf installed also the proxy's instructions per request (user and kernel, from
# its hardware counters: the same work counts the same whatever else the machine runs; the
# steadiest measure of what each proxy does per request), the ratio of the medians and the
# per-round ratios; the table is appended to bench/RESULTS.md with the commit.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
cd "$ROOT"
BUILD_VIPD=$([[ -z ${VIPD:-} ]] && echo 1 || echo 0)
VIPD=${VIPD:-.build/release/vipd}
DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-5}
AA=${AA:-0}
RECORD=${RECORD:-1}

log() { printf '[bench-http %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

for tool in haproxy wrk nginx; do
    command -v "$tool" >/dev/null || { echo "$tool is not installed (apt-get install haproxy wrk nginx-light)" >&2; exit 1; }
done
if [[ $BUILD_VIPD == 1 && $AA == 0 ]]; then
    log "building vipd (scripts/build-release)"
    scripts/build-release >/dev/null
fi

WORK=$(mktemp -d /tmp/vipd-bench-http.XXXXXX)
PIDS=()
trap 'stop_bench_processes "$WORK" "${PIDS[@]}"' EXIT
trap 'exit 130' INT TERM

# --- the backend: one nginx, one worker, a 1 KiB file ----------------------------------------
start_http_bench_nginx "$WORK"

# --- the proxies: same limits, as many threads (haproxy) and event loops (vipd) as there are cores ----
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
HAPROXY_PID=$!
wait_http "$HAPROXY_PORT" "$!" haproxy "$WORK"

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
if [[ $AA == 1 ]]; then
    sed "s/bind 127.0.0.1:$HAPROXY_PORT\$/bind 127.0.0.1:$VIPD_PORT/" "$WORK/haproxy.cfg" > "$WORK/haproxy-b.cfg"
    haproxy -db -f "$WORK/haproxy-b.cfg" >"$WORK/vipd.log" 2>&1 &
else
    "$VIPD" run --config "$WORK/vipd.yaml" >"$WORK/vipd.log" 2>&1 &
fi
PIDS+=($!)
VIPD_PID=$!
wait_http "$VIPD_PORT" "$!" vipd "$WORK"

# --- measurements: rounds in alternating order (ABBA), medians, ratios --------------------------
RESULTS="$WORK/samples.tsv"
: > "$RESULTS"
CLOCK_TICKS=$(getconf CLK_TCK)
# Instructions are counted when perf can read this machine's counters (not in every VM).
COUNTS_INSTRUCTIONS=0
if command -v perf >/dev/null && perf stat -x, -e instructions:u -- true 2>&1 | grep -q '^[0-9]'; then
    COUNTS_INSTRUCTIONS=1
else
    log "no instruction counts: perf is not installed (apt-get install linux-perf) or cannot read the counters"
fi
measure() {  # PROXY PORT PID ROUND MODE
    local proxy=$1 port=$2 pid=$3 round=$4 mode=$5 args=() out ticks_before ticks_after
    [[ $mode == close ]] && args=(-H 'Connection: close')
    out="$WORK/$proxy-$mode-$round.txt"
    timeout 30 wrk -t2 -c64 -d2s "${args[@]}" "http://127.0.0.1:$port/index.html" >/dev/null 2>&1 || true  # warm-up
    ticks_before=$(cpu_ticks "$pid")
    local counting=""
    if [[ $COUNTS_INSTRUCTIONS == 1 ]]; then
        perf stat -x, -e instructions:u,instructions:k -p "$pid" -o "$out.perf" &
        counting=$!
    fi
    timeout $((DURATION + 30)) wrk -t2 -c64 -d"${DURATION}s" --latency "${args[@]}" "http://127.0.0.1:$port/index.html" >"$out" 2>&1
    ticks_after=$(cpu_ticks "$pid")
    if [[ -n $counting ]]; then
        kill -INT "$counting" 2>/dev/null || true
        wait "$counting" 2>/dev/null || true
    fi
    local rate p50 p99 errors key cpu_us
    rate=$(wrk_rps "$out")
    p50=$(wrk_percentile "$out" 50)
    p99=$(wrk_percentile "$out" 99)
    errors=$(wrk_errors "$out")
    cpu_us=$(awk -v t=$((ticks_after - ticks_before)) -v hz="$CLOCK_TICKS" -v n="$(wrk_requests "$out")" \
        'BEGIN { if (n > 0) printf "%.2f", t * 1e6 / hz / n; else print 0 }')
    key=$([[ $mode == close ]] && echo close_cps || echo keepalive_rps)
    printf '%s\t%s\t%s\t%s\n' "$proxy" "$round" "$key" "$rate" "$proxy" "$round" "${mode}_p50_ms" "$p50" \
        "$proxy" "$round" "${mode}_p99_ms" "$p99" "$proxy" "$round" "${mode}_errors" "$errors" \
        "$proxy" "$round" "${mode}_cpu_us" "$cpu_us" >> "$RESULTS"
    local instructions=""
    if [[ -n $counting ]]; then
        instructions=$(instructions_per_request "$out.perf" "$(wrk_requests "$out")")
        [[ -n $instructions ]] && printf '%s\t%s\t%s\t%s\n' "$proxy" "$round" "${mode}_instructions" "$instructions" >> "$RESULTS"
    fi
    log "round $round $proxy $mode: $rate req/s, p99 $p99 ms, $errors errors, $cpu_us µs CPU${instructions:+ and $instructions instructions} per request"
}

for round in $(seq "$ROUNDS"); do
    for mode in keepalive close; do
        if (( round % 2 )); then
            measure haproxy "$HAPROXY_PORT" "$HAPROXY_PID" "$round" "$mode"
            measure vipd "$VIPD_PORT" "$VIPD_PID" "$round" "$mode"
        else
            measure vipd "$VIPD_PORT" "$VIPD_PID" "$round" "$mode"
            measure haproxy "$HAPROXY_PORT" "$HAPROXY_PID" "$round" "$mode"
        fi
    done
done

TABLE=$(python3 bench/summarize.py "$RESULTS")
echo
echo "$TABLE"

if [[ $RECORD == 1 ]]; then
    COMMIT=$(recorded_commit)
    {
        echo
        echo "## $(date -u '+%Y-%m-%d %H:%M UTC') — commit $COMMIT — HTTP mode (bench/http.sh)"
        echo
        if [[ $AA == 1 ]]; then
            echo "**A/A run: a second haproxy stands in for vipd** (the ratios show this machine's noise)."
            echo
        fi
        echo "$ROUNDS rounds (haproxy first in odd rounds, vipd first in even ones), $(nproc) CPUs, kernel $(uname -r)," \
             "$(haproxy -v | head -1 | awk '{ print "haproxy " $3 }') \`mode http\` (its default \`http-reuse safe\`)" \
             "vs $([[ $AA == 1 ]] && echo "the same haproxy again" || echo "vipd \`mode: http\` (\`server_reuse: safe\`)")," \
             "one nginx-light worker serving a 1 KiB file," \
             "wrk -t2 -c64 for ${DURATION} s per measurement; \`Connection: close\` rows count requests/s."
        echo
        echo "$TABLE"
    } >> bench/RESULTS.md
    log "appended to bench/RESULTS.md"
fi
