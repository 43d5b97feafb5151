#!/usr/bin/env bash
# User-space instructions per HTTP keep-alive request through vipd `mode: http` to nginx, for two
# vipd binaries side by side, counted by valgrind's callgrind. It exists because perf cannot read
# the hardware counters on some VMs (`perf stat -e instructions:u` answers `<not supported>`), so
# bench/http-floor.sh and bench/http.sh cannot count there; callgrind counts in software, the same
# on any machine, but only user space (not the kernel) and about 50 times slower. Run by hand, not
# in CI. Needs valgrind, nginx-light, curl and python3 (missing Debian packages are installed).
#
#   BASE=/path/to/old/vipd bench/http-instructions.sh
#   BASE=/path/to/old/vipd VIPD=/path/to/new/vipd RECORD=0 bench/http-instructions.sh
#
# Environment: BASE (required: the binary to compare against), VIPD (default .build/release/vipd,
# brought up to date by scripts/build-release), BASE_COMMIT and VIPD_COMMIT (what RESULTS.md names
# them; default: the commit of the git checkout each binary lies in, else "unknown"), REQUESTS
# (measured requests per run, default 4000: on 1 connection, then on 4 connections of a quarter
# each), RUNS (default 2; the binaries take turns), RECORD=0 to leave bench/RESULTS.md alone,
# KEEP_WORK=1 keeps the scratch directory (callgrind's dumps, open them with callgrind_annotate).
#
# Each run starts each binary afresh under callgrind with one `mode: http` listener (no health
# check) and a control socket of its own (a client of the default one would be counted too) to
# one nginx worker serving bench/lib.sh's 1 KiB file. bench/keepalive-client.py sends
# 200 requests per connection to warm up; then the counters are zeroed, the measured requests are
# sent (each response read whole before the next request), and the counters dumped.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
cd "$ROOT"
REQUESTS=${REQUESTS:-4000}
RUNS=${RUNS:-2}
RECORD=${RECORD:-1}
WARM_UP=200

log() { printf '[bench-instructions %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

for tool in valgrind nginx curl python3; do
    command -v "$tool" >/dev/null || scripts/install-deps valgrind nginx-light curl python3
done

compared_vipd_binaries

WORK=$(mktemp -d /tmp/vipd-bench-instructions.XXXXXX)
PIDS=()
trap 'stop_bench_processes "$WORK" "${PIDS[@]}"' EXIT
trap 'exit 130' INT TERM

# Copies without debug information: valgrind 3.19 cannot read the DWARF 5 Swift writes (the
# symbol table stays, so callgrind's dumps still name the functions).
cp "$BASE" "$WORK/base"
cp "$VIPD" "$WORK/vipd"
strip -g "$WORK/base" "$WORK/vipd"

start_http_bench_nginx "$WORK"

SAMPLES="$WORK/samples.tsv"
: > "$SAMPLES"

# Sends REQUESTS requests spread over CONNECTIONS concurrent keep-alive connections to PORT.
send_requests() {  # PORT CONNECTIONS REQUESTS
    local clients=() client status=0
    for _ in $(seq "$2"); do
        timeout 600 python3 bench/keepalive-client.py "$1" $(($3 / $2)) &
        clients+=($!)
    done
    for client in "${clients[@]}"; do wait "$client" || status=1; done
    [[ $status == 0 ]] || { echo "a client failed; see $WORK" >&2; exit 1; }
}


measure() {  # NAME RUN
    local name=$1 run=$2 port pid out connections total
    port=$(free_port)
    out="$WORK/$name-$run.callgrind"
    cat > "$WORK/$name-$run.yaml" <<CONF
global: { log_level: warning, control_socket: $WORK/$name-$run.sock }
listeners:
  web: { bind: 127.0.0.1:$port, mode: http, pool: web, maxconn: 4096 }
pools:
  web:
    servers: [{ name: web0, address: 127.0.0.1:$NGINX_PORT }]
    check: { kind: none }
CONF
    valgrind --tool=callgrind --callgrind-out-file="$out" "$WORK/$name" run --config "$WORK/$name-$run.yaml" \
        >"$WORK/$name-$run.log" 2>&1 &
    pid=$!
    PIDS+=("$pid")
    wait_http "$port" "$pid" "$name" "$WORK" 60  # under callgrind vipd takes seconds to start
    for connections in 1 4; do
        send_requests "$port" "$connections" $((WARM_UP * connections))
        timeout 60 callgrind_control -z "$pid" >/dev/null 2>&1
        send_requests "$port" "$connections" "$REQUESTS"
        total=$(dump_total "$pid" "$out")
        [[ -n $total ]] || { echo "$name: no callgrind total; see $WORK" >&2; exit 1; }
        printf '%s\t%s\t%s\n' "$name" "$connections" $((total / REQUESTS)) >> "$SAMPLES"
        log "run $run $name, $connections connection(s): $((total / REQUESTS)) instructions per request"
    done
    kill -TERM "$pid"
    for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
}

for run in $(seq "$RUNS"); do
    measure base "$run"
    measure vipd "$run"
done

TABLE=$(python3 - "$SAMPLES" "$REQUESTS" "$BASE_COMMIT" "$VIPD_COMMIT" <<'PY'
import statistics, sys
samples = {}
for line in open(sys.argv[1]):
    name, connections, value = line.split()
    samples.setdefault((name, int(connections)), []).append(int(value))
requests, base, vipd = int(sys.argv[2]), sys.argv[3], sys.argv[4]
print(f"| instructions per request (user space) | BASE {base} | VIPD {vipd} | ratio of the means |")
print("|---|---:|---:|---:|")
for connections, label in ((1, f"1 connection, {requests:,} requests"),
                           (4, f"4 connections × {requests // 4:,} requests")):
    b, v = samples[("base", connections)], samples[("vipd", connections)]
    print(f"| {label} | {' / '.join(f'{x:,}' for x in b)} | {' / '.join(f'{x:,}' for x in v)} "
          f"| {statistics.mean(v) / statistics.mean(b):.3f} |")
PY
)
echo
echo "$TABLE"

if [[ $RECORD == 1 ]]; then
    {
        echo
        echo "## $(date -u '+%Y-%m-%d %H:%M UTC') — commits $BASE_COMMIT and $VIPD_COMMIT — HTTP keep-alive instructions per request under callgrind (bench/http-instructions.sh)"
        echo
        echo "$RUNS runs (the binaries take turns), $(nproc) CPUs, kernel $(uname -r), $(valgrind --version)," \
             "$(nginx -v 2>&1 | sed 's/^nginx version: //'), one nginx worker serving a 1 KiB file, one \`mode: http\` listener without health check;" \
             "after $WARM_UP requests per connection to warm up, $REQUESTS keep-alive requests one after the other on 1 connection, then on 4;" \
             "user-space instructions only (callgrind counts no kernel work)."
        echo
        echo "$TABLE"
    } >> bench/RESULTS.md
    log "appended to bench/RESULTS.md"
fi
