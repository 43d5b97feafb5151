#!/usr/bin/env bash
# What one TCP-mode connection costs, counted rather than timed: user-space instructions per
# `Connection: close` connection (the client connects, sends one small HTTP request to nginx through
# the proxy, reads the answer until nginx closes, closes) and per keep-alive request passed through
# TCP mode, counted by valgrind's callgrind; and system calls per `Connection: close` connection,
# counted by `strace -f -c`. For haproxy (Debian's, `mode tcp`, nbthread 1), bench/nio-glue (the
# least a SwiftNIO proxy does: NIO's floor), bench/epoll-glue (the least a proxy on its own epoll
# loops does in Swift, no NIO: the floor without NIO's channels), and two vipd binaries (`mode: tcp`),
# with ratios to haproxy. Counts, unlike timings, stay the same on a busy machine; callgrind counts only user space,
# so the system calls stand for the kernel's side. Run by hand, not in CI. Needs haproxy, valgrind,
# strace, nginx-light, curl and python3 (missing Debian packages are installed).
#
#   BASE=/path/to/old/vipd bench/tcp-instructions.sh
#   BASE=/path/to/old/vipd VIPD=/path/to/new/vipd RECORD=0 bench/tcp-instructions.sh
#
# Environment: BASE (required: the binary to compare against), VIPD (default .build/release/vipd,
# brought up to date by scripts/build-release), BASE_COMMIT and VIPD_COMMIT (what RESULTS.md names
# them; default: the commit of the git checkout each binary lies in, else "unknown"), CONNECTIONS
# (measured `Connection: close` connections per program, default 1000), REQUESTS (measured keep-alive
# requests on one connection, default 2000), RUNS (default 1; the programs take turns), RECORD=0 to
# leave bench/RESULTS.md alone, KEEP_WORK=1 keeps the scratch directory (callgrind's dumps, open them
# with callgrind_annotate; strace's summaries).
#
# bench/nio-glue and bench/epoll-glue are built with scripts/build-release's flags (into
# .build/nio-glue-static and .build/epoll-glue-static), so that they differ from vipd only in what the code does. Each program serves one nginx worker's 1 KiB file
# (bench/lib.sh) on a listener of its own, without health checks; vipd gets a control socket of its
# own. Under callgrind each program first serves 100 connections and 200 keep-alive requests to warm
# up; then the counters are zeroed, the measured load is sent (bench/close-client.py, one connection
# after the other; bench/keepalive-client.py) and the counters dumped after each. The system calls
# are counted on the program running at full speed, over CONNECTIONS connections after the same
# warm-up, strace attached to every thread.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
cd "$ROOT"
CONNECTIONS=${CONNECTIONS:-1000}
REQUESTS=${REQUESTS:-2000}
RUNS=${RUNS:-1}
RECORD=${RECORD:-1}
NAMES=(haproxy nio-glue epoll-glue base vipd)

log() { printf '[bench-tcp-instructions %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

for tool in haproxy valgrind strace nginx curl python3; do
    command -v "$tool" >/dev/null || scripts/install-deps haproxy valgrind strace nginx-light curl python3
done
# Builds the package bench/NAME with scripts/build-release's flags into .build/NAME-static.
build_glue() {  # NAME
    log "building bench/$1"
    swift build "${RELEASE_FLAGS[@]}" --package-path "bench/$1" --scratch-path "$ROOT/.build/$1-static" >/dev/null
}
. scripts/swift-env
. scripts/release-flags
build_glue nio-glue
build_glue epoll-glue

compared_vipd_binaries

WORK=$(mktemp -d /tmp/vipd-bench-tcp-instructions.XXXXXX)
PIDS=()
trap 'stop_bench_processes "$WORK" "${PIDS[@]}"' EXIT
trap 'exit 130' INT TERM

# Copies without debug information: valgrind 3.19 cannot read the DWARF 5 Swift writes (the
# symbol table stays, so callgrind's dumps still name the functions).
cp "$BASE" "$WORK/base"
cp "$VIPD" "$WORK/vipd"
cp "$ROOT/.build/nio-glue-static/release/nio-glue" "$ROOT/.build/epoll-glue-static/release/epoll-glue" "$WORK/"
strip -g "$WORK/base" "$WORK/vipd" "$WORK/nio-glue" "$WORK/epoll-glue"

start_http_bench_nginx "$WORK"

SAMPLES="$WORK/samples.tsv"
: > "$SAMPLES"

# The command line that runs program NAME as a TCP proxy from 127.0.0.1:PORT to nginx (its files are
# named after TAG).
proxy_command() {  # NAME PORT TAG
    local name=$1 port=$2 tag=$3
    case $name in
        haproxy)
            cat > "$WORK/$tag.cfg" <<CONF
global
    nbthread 1
    maxconn 4096
defaults
    mode tcp
    timeout connect 5s
    timeout client 60s
    timeout server 60s
frontend raw
    bind 127.0.0.1:$port
    default_backend raw
backend raw
    server web0 127.0.0.1:$NGINX_PORT
CONF
            echo "haproxy -db -f $WORK/$tag.cfg" ;;
        nio-glue|epoll-glue)
            echo "$WORK/$name $port $NGINX_PORT" ;;
        base|vipd)
            cat > "$WORK/$tag.yaml" <<CONF
global: { log_level: warning, control_socket: $WORK/$tag.sock }
listeners:
  raw: { bind: 127.0.0.1:$port, mode: tcp, pool: web, maxconn: 4096 }
pools:
  web:
    servers: [{ name: web0, address: 127.0.0.1:$NGINX_PORT }]
    check: { kind: none }
CONF
            echo "$WORK/$name run --config $WORK/$tag.yaml" ;;
    esac
}

# Runs CLIENT (close-client.py or keepalive-client.py) against PORT with COUNT; exits the script when it fails.
send() {  # CLIENT PORT COUNT
    timeout 900 python3 "bench/$1" "$2" "$3" || { echo "bench/$1 failed; see $WORK" >&2; exit 1; }
}

# Stops PID (TERM, then KILL after 30 s).
stop() {  # PID
    kill -TERM "$1" 2>/dev/null || true
    for _ in $(seq 300); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
    kill -KILL "$1" 2>/dev/null || true
}


# Zeroes the counters of callgrind's PID, sends COUNT units of load with CLIENT to PORT, and records
# the instructions per unit as KIND in the samples (LABEL names the unit in the log); for the caller's
# `name` and `run`.
count_load() {  # PID OUT CLIENT PORT COUNT KIND LABEL
    local pid=$1 out=$2 client=$3 port=$4 count=$5 kind=$6 label=$7 total
    timeout 60 callgrind_control -z "$pid" >/dev/null 2>&1
    send "$client" "$port" "$count"
    total=$(dump_total "$pid" "$out")
    [[ -n $total ]] || { echo "$name: no callgrind total; see $WORK" >&2; exit 1; }
    printf '%s\t%s\t%s\n' "$name" "$kind" $((total / count)) >> "$SAMPLES"
    log "run $run $name: $((total / count)) instructions per $label"
}

warm_up() {  # PORT
    send close-client.py "$1" 100
    send keepalive-client.py "$1" 200
}

measure_instructions() {  # NAME RUN
    local name=$1 run=$2 port pid out
    port=$(free_port)
    out="$WORK/$name-$run.callgrind"
    # shellcheck disable=SC2046  # the command line is split on purpose
    valgrind --tool=callgrind --callgrind-out-file="$out" $(proxy_command "$name" "$port" "$name-$run") \
        >"$WORK/$name-$run.log" 2>&1 &
    pid=$!
    PIDS+=("$pid")
    wait_http "$port" "$pid" "$name" "$WORK" 300  # under callgrind vipd takes a minute to start on a busy machine
    warm_up "$port"
    count_load "$pid" "$out" close-client.py "$port" "$CONNECTIONS" close "Connection: close connection"
    count_load "$pid" "$out" keepalive-client.py "$port" "$REQUESTS" keepalive "keep-alive request"
    stop "$pid"
}

# Waits until strace (PID STRACE) traces every thread of PID.
wait_traced() {  # PID STRACE
    local task untraced
    for _ in $(seq 100); do
        kill -0 "$2" 2>/dev/null || { echo "strace exited; see $WORK" >&2; exit 1; }
        untraced=0
        for task in /proc/"$1"/task/*; do
            [[ $(awk '/^TracerPid:/ { print $2 }' "$task/status" 2>/dev/null) == 0 ]] && untraced=1
        done
        [[ $untraced == 0 ]] && return 0
        sleep 0.1
    done
    echo "strace does not trace every thread of $1; see $WORK" >&2
    exit 1
}

measure_syscalls() {  # NAME RUN
    local name=$1 run=$2 port pid tracer out
    port=$(free_port)
    out="$WORK/$name-$run.strace"
    # shellcheck disable=SC2046  # the command line is split on purpose
    $(proxy_command "$name" "$port" "$name-$run-strace") >"$WORK/$name-$run-strace.log" 2>&1 &
    pid=$!
    PIDS+=("$pid")
    wait_http "$port" "$pid" "$name" "$WORK" 60
    warm_up "$port"
    strace -f -c -p "$pid" -o "$out" 2>"$out.log" &
    tracer=$!
    wait_traced "$pid" "$tracer"
    send close-client.py "$port" "$CONNECTIONS"
    kill -INT "$tracer"
    wait "$tracer" || true
    python3 - "$out" "$name" "$CONNECTIONS" >> "$SAMPLES" <<'PY'
import sys
path, name, connections = sys.argv[1], sys.argv[2], int(sys.argv[3])
for line in open(path):
    fields = line.split()
    # "% time  seconds  usecs/call  calls  [errors]  syscall", then a "total" line.
    if len(fields) >= 5 and fields[3].isdigit():
        call = "all" if fields[-1] == "total" else fields[-1]
        print(f"{name}\tsyscalls:{call}\t{int(fields[3]) / connections:.2f}")
PY
    log "run $run $name: $(awk -F'\t' -v n="$name" '$1 == n && $2 == "syscalls:all" { v = $3 } END { print v }' "$SAMPLES") system calls per connection"
    stop "$pid"
}

for run in $(seq "$RUNS"); do
    for name in "${NAMES[@]}"; do
        measure_instructions "$name" "$run"
        measure_syscalls "$name" "$run"
    done
done

TABLE=$(python3 - "$SAMPLES" "$CONNECTIONS" "$REQUESTS" "$BASE_COMMIT" "$VIPD_COMMIT" <<'PY'
import statistics, sys
samples = {}
for line in open(sys.argv[1]):
    name, metric, value = line.split("\t")
    samples.setdefault((name, metric), []).append(float(value))
connections, requests, base, vipd = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
names = ("haproxy", "nio-glue", "epoll-glue", "base", "vipd")

def mean(name, metric):
    return statistics.mean(samples.get((name, metric), [0]))

def row(label, metric, digits):
    values = [mean(name, metric) for name in names]
    cells = [f"{v:,.{digits}f}" for v in values]
    ratios = [f"{v / values[0]:.2f}" if values[0] else "–" for v in values[1:]]
    print(f"| {label} | {' | '.join(cells)} | {' | '.join(ratios)} |")

print(f"| per TCP-mode connection or request | haproxy | nio-glue | epoll-glue | BASE {base} | NEW {vipd} "
      f"| nio-glue / haproxy | epoll-glue / haproxy | BASE / haproxy | NEW / haproxy |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
row(f"user-space instructions per `Connection: close` connection ({connections:,})", "close", 0)
row(f"user-space instructions per keep-alive request ({requests:,} on 1 connection)", "keepalive", 0)
row("system calls per `Connection: close` connection", "syscalls:all", 2)
calls = {metric for _, metric in samples if metric.startswith("syscalls:") and metric != "syscalls:all"}
for metric in sorted(calls, key=lambda m: -max(mean(name, m) for name in names)):
    if max(mean(name, metric) for name in names) >= 0.1:
        row(f"… {metric.removeprefix('syscalls:')}", metric, 2)
PY
)
echo
echo "$TABLE"

if [[ $RECORD == 1 ]]; then
    {
        echo
        echo "## $(date -u '+%Y-%m-%d %H:%M UTC') — commits $BASE_COMMIT and $VIPD_COMMIT — TCP-mode instructions and system calls per connection (bench/tcp-instructions.sh)"
        echo
        echo "$RUNS run(s) (the programs take turns), $(nproc) CPUs, kernel $(uname -r), $(valgrind --version), $(strace -V | head -1 | sed "s/ -- version / /")," \
             "$(haproxy -v | head -1 | awk '{ print "haproxy " $3 }') (\`mode tcp\`, nbthread 1), bench/nio-glue (NIO's floor), bench/epoll-glue (an own epoll loop's floor), vipd \`mode: tcp\`;" \
             "$(nginx -v 2>&1 | sed 's/^nginx version: //'), one worker serving a 1 KiB file; no health checks." \
             "After 100 connections and 200 keep-alive requests to warm up, $CONNECTIONS \`Connection: close\` connections one after the other," \
             "then $REQUESTS keep-alive requests on one connection. Instructions: user space only, under callgrind (the kernel's work is not counted);" \
             "system calls: \`strace -f -c\` over the $CONNECTIONS connections, the program at full speed (the rows under the total: calls of ≥ 0.1 per connection)."
        echo
        echo "$TABLE"
    } >> bench/RESULTS.md
    log "appended to bench/RESULTS.md"
fi
