#!/usr/bin/env bash
# vipd vs haproxy, side by side, on loopback only. Run by hand (as root, for apt), not in CI.
#
#   bench/run.sh [--rounds N] [--only haproxy|vipd] [--no-record]
#
# Root is needed to install missing packages and to measure keepalived (in a network namespace of
# its own). Environment: VIPD (default .build/release/vipd, built if missing), IDLE_CONNECTIONS
# (default 10000), KEEP_WORK=1 keeps the scratch directory with every log and config.
# See bench/README.md for what is measured and how to read the ratios.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH="$ROOT/bench"
# shellcheck source=bench/lib.sh
source "$BENCH/lib.sh"
cd "$ROOT"

ROUNDS=3
ONLY=""
RECORD=1
while [[ $# -gt 0 ]]; do
    case "$1" in
        --rounds) ROUNDS="$2"; shift 2 ;;
        --only) ONLY="$2"; shift 2 ;;
        --no-record) RECORD=0; shift ;;
        -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1 (see --help)" >&2; exit 1 ;;
    esac
done
case "$ONLY" in ""|haproxy|vipd) ;; *) echo "--only takes haproxy or vipd" >&2; exit 1 ;; esac
PROXIES=(haproxy vipd)
[[ -n "$ONLY" ]] && PROXIES=("$ONLY")

VIPD=${VIPD:-.build/release/vipd}
IDLE_CONNECTIONS=${IDLE_CONNECTIONS:-10000}
PACKAGES=(haproxy keepalived iperf3 wrk nginx-light procps python3 binutils iproute2)

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# --- scratch space and cleanup: every process we start is killed by PID -----------------
WORK=$(mktemp -d /tmp/vipd-bench.XXXXXX)
PIDS=()
CREATED_POLICY=0
KEEPALIVED_NETNS="vipd-bench-ka-$$"
CREATED_NETNS=0
cleanup() {
    local status=$?
    for pid in "${PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    done
    [[ $CREATED_POLICY == 1 ]] && rm -f /usr/sbin/policy-rc.d
    if [[ $CREATED_NETNS == 1 ]]; then ip netns delete "$KEEPALIVED_NETNS" 2>/dev/null || true; fi
    if [[ ${KEEP_WORK:-0} == 1 || $status != 0 ]]; then
        log "scratch directory kept: $WORK"
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Stops one process we started: SIGTERM, up to 10 s, then SIGKILL.
stop_pid() {
    local pid=$1
    kill -TERM "$pid" 2>/dev/null || return 0
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

# --- packages ------------------------------------------------------------------------------
install_packages() {
    local missing=()
    for package in "${PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    [[ ${#missing[@]} -eq 0 ]] && return 0
    [[ $(id -u) == 0 ]] || { echo "missing packages ${missing[*]}; run as root or install them" >&2; exit 1; }
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
        # Keep apt from starting nginx/haproxy services on this machine.
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
        chmod +x /usr/sbin/policy-rc.d
        CREATED_POLICY=1
    fi
    log "installing ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >"$WORK/apt.log" 2>&1 ||
        { DEBIAN_FRONTEND=noninteractive apt-get update -q >>"$WORK/apt.log" 2>&1 &&
          DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >>"$WORK/apt.log" 2>&1; } ||
        { tail -20 "$WORK/apt.log" >&2; exit 1; }
    if [[ $CREATED_POLICY == 1 ]]; then rm -f /usr/sbin/policy-rc.d; CREATED_POLICY=0; fi
}

# --- helpers -------------------------------------------------------------------------------
# True once something listens on 127.0.0.1:PORT (read from /proc, so nothing connects:
# a probe connection would count as a test for iperf3 or an idle connection).
is_listening() {
    local hex
    hex=$(printf '%04X' "$1")
    awk -v port=":$hex" '$4 == "0A" && $2 ~ port"$" { found = 1 } END { exit !found }' /proc/net/tcp
}

wait_listening() {  # PORT PID WHAT
    local deadline=$((SECONDS + 15))
    until is_listening "$1"; do
        kill -0 "$2" 2>/dev/null || { echo "$3 exited before listening on port $1" >&2; return 1; }
        (( SECONDS < deadline )) || { echo "$3 not listening on port $1 after 15 s" >&2; return 1; }
        sleep 0.1
    done
}

RESULTS="$WORK/samples.tsv"
: > "$RESULTS"
record() {  # PROXY ROUND METRIC VALUE
    [[ -n "$4" ]] || { log "no value for $3 ($1 round $2)"; return 0; }
    printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >> "$RESULTS"
}

# --- backends (shared by both proxies, started once) ---------------------------------------
start_backends() {
    NGINX_PORT=$(free_port)
    IPERF_PORT=$(free_port)
    IDLE_PORT=$(free_port)
    write_nginx_site "$WORK" "$NGINX_PORT" 2 20000
    nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -g 'daemon off;' >"$WORK/nginx/stdout.log" 2>&1 &
    NGINX_PID=$!; PIDS+=("$NGINX_PID")
    wait_listening "$NGINX_PORT" "$NGINX_PID" nginx

    python3 "$BENCH/idle.py" serve --port "$IDLE_PORT" --count-file "$WORK/idle.count" >"$WORK/idle.log" 2>&1 &
    IDLE_PID=$!; PIDS+=("$IDLE_PID")
    wait_listening "$IDLE_PORT" "$IDLE_PID" "idle backend"
    log "backends: nginx :$NGINX_PORT, iperf3 :$IPERF_PORT (one server per test), idle :$IDLE_PORT"
}

# --- proxies: one process per round, three listeners (http, iperf3, idle) ------------------
write_haproxy_config() {  # FILE
    cat > "$1" <<EOF
global
    nbthread 2
    maxconn $MAXCONN

defaults
    mode tcp
    maxconn $MAXCONN
    timeout connect 5s
    timeout client 1h
    timeout server 1h

listen http
    bind 127.0.0.1:$PROXY_HTTP_PORT
    server b1 127.0.0.1:$NGINX_PORT

listen iperf
    bind 127.0.0.1:$PROXY_IPERF_PORT
    server b1 127.0.0.1:$IPERF_PORT

listen idle
    bind 127.0.0.1:$PROXY_IDLE_PORT
    server b1 127.0.0.1:$IDLE_PORT
EOF
}

write_vipd_config() {  # FILE
    cat > "$1" <<EOF
global: { log_level: warning }
listeners:
  http: { bind: 127.0.0.1:$PROXY_HTTP_PORT, mode: tcp, pool: http, maxconn: $MAXCONN, idle_timeout: 1h }
  iperf: { bind: 127.0.0.1:$PROXY_IPERF_PORT, mode: tcp, pool: iperf, maxconn: $MAXCONN, idle_timeout: 1h }
  idle: { bind: 127.0.0.1:$PROXY_IDLE_PORT, mode: tcp, pool: idle, maxconn: $MAXCONN, idle_timeout: 1h }
pools:
  http:
    servers:
      - { name: b1, address: 127.0.0.1:$NGINX_PORT }
    check: { kind: none }
  iperf:
    servers:
      - { name: b1, address: 127.0.0.1:$IPERF_PORT }
    check: { kind: none }
  idle:
    servers:
      - { name: b1, address: 127.0.0.1:$IDLE_PORT }
    check: { kind: none }
EOF
}

start_proxy() {  # haproxy|vipd TAG -> sets PROXY_PID and PROXY_*_PORT
    local proxy=$1 tag=$2
    PROXY_HTTP_PORT=$(free_port)
    PROXY_IPERF_PORT=$(free_port)
    PROXY_IDLE_PORT=$(free_port)
    case "$proxy" in
        haproxy)
            write_haproxy_config "$WORK/$tag.cfg"
            drop_page_cache "$(command -v haproxy)"
            haproxy -db -f "$WORK/$tag.cfg" >"$WORK/$tag.log" 2>&1 &
            ;;
        vipd)
            write_vipd_config "$WORK/$tag.yaml"
            drop_page_cache "$VIPD"
            "$VIPD" run --config "$WORK/$tag.yaml" >"$WORK/$tag.log" 2>&1 &
            ;;
    esac
    PROXY_PID=$!; PIDS+=("$PROXY_PID")
    local port
    for port in "$PROXY_HTTP_PORT" "$PROXY_IPERF_PORT" "$PROXY_IDLE_PORT"; do
        wait_listening "$port" "$PROXY_PID" "$proxy" || { cat "$WORK/$tag.log" >&2; return 1; }
    done
}

# --- measurements --------------------------------------------------------------------------
measure_idle() {  # PROXY ROUND TAG -> also sets FRESH_RSS_KB
    local json
    FRESH_RSS_KB=""
    json=$(timeout 300 python3 "$BENCH/idle.py" hold --port "$PROXY_IDLE_PORT" --count "$IDLE_CONNECTIONS" \
        --pid "$PROXY_PID" --count-file "$WORK/idle.count" --timeout 180) || { log "idle test failed ($1)"; return 0; }
    echo "$json" > "$WORK/$3.idle.json"
    read -r opened backend before after per < <(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d["opened"], d["backend_open"], d["rss_before_kb"], d["rss_after_kb"], d["bytes_per_connection"])' "$json")
    (( backend >= opened )) || log "$1: only $backend of $opened idle connections reached the backend"
    record "$1" "$2" idle_connections "$opened"
    record "$1" "$2" rss_base_kb "$before"
    FRESH_RSS_KB=$before
    record "$1" "$2" rss_idle_kb "$after"
    record "$1" "$2" idle_bytes_per_conn "$per"
    log "$1 idle: $opened connections, RSS ${before} KiB -> ${after} KiB, $per bytes/connection"
}

measure_iperf() {  # PROXY ROUND TAG STREAMS
    local streams=$4 server_pid out="$WORK/$3.iperf$4.json"
    iperf3 -s -1 -B 127.0.0.1 -p "$IPERF_PORT" >"$WORK/$3.iperf$4.server.log" 2>&1 &
    server_pid=$!; PIDS+=("$server_pid")
    wait_listening "$IPERF_PORT" "$server_pid" "iperf3 server"
    if timeout 40 iperf3 -c 127.0.0.1 -p "$PROXY_IPERF_PORT" -t 5 -P "$streams" -J > "$out" 2>&1; then
        local gbps
        gbps=$(python3 -c 'import json,sys; print("%.3f" % (json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"] / 1e9))' "$out")
        record "$1" "$2" "iperf_${streams}_gbps" "$gbps"
        log "$1 iperf3 -P $streams: $gbps Gbit/s"
    else
        log "$1 iperf3 -P $streams failed: $(tail -c 300 "$out")"
    fi
    stop_pid "$server_pid"
}

run_wrk() {  # OUTFILE [extra wrk args...]
    local out=$1; shift
    timeout 60 wrk -t2 -c64 -d10s --latency "$@" "http://127.0.0.1:$PROXY_HTTP_PORT/index.html" > "$out" 2>&1 ||
        { log "wrk failed: $(tail -c 300 "$out")"; return 1; }
}

measure_keepalive() {  # PROXY ROUND TAG
    local out="$WORK/$3.wrk-keepalive.txt"
    timeout 30 wrk -t2 -c64 -d2s "http://127.0.0.1:$PROXY_HTTP_PORT/index.html" >/dev/null 2>&1 || true  # warm-up
    run_wrk "$out" || return 0
    record "$1" "$2" keepalive_rps "$(wrk_rps "$out")"
    record "$1" "$2" keepalive_p50_ms "$(wrk_percentile "$out" 50)"
    record "$1" "$2" keepalive_p99_ms "$(wrk_percentile "$out" 99)"
    record "$1" "$2" keepalive_errors "$(wrk_errors "$out")"
    log "$1 keep-alive: $(wrk_rps "$out") req/s, p50 $(wrk_percentile "$out" 50) ms, p99 $(wrk_percentile "$out" 99) ms, errors $(wrk_errors "$out")"
}

measure_close() {  # PROXY ROUND TAG
    local out="$WORK/$3.wrk-close.txt"
    run_wrk "$out" -H 'Connection: close' || return 0
    record "$1" "$2" close_cps "$(wrk_rps "$out")"
    record "$1" "$2" close_p99_ms "$(wrk_percentile "$out" 99)"
    record "$1" "$2" close_errors "$(wrk_errors "$out")"
    log "$1 Connection: close: $(wrk_rps "$out") conn/s, p99 $(wrk_percentile "$out" 99) ms, errors $(wrk_errors "$out")"
}

# --- the pair's other half, and the binaries' sizes ----------------------------------------
# KiB of a `strip --strip-unneeded` copy of BINARY in the scratch directory (Debian's binaries
# are stripped already; vipd's release build is not).
stripped_kib() {  # BINARY
    local copy
    copy="$WORK/stripped-$(basename "$1")"
    strip --strip-unneeded -o "$copy" "$1" && echo $(( $(stat -c %s "$copy") / 1024 ))
}

# The sum of VmRSS (KiB) of PID and its children.
tree_rss_kb() {  # PID
    local pid total=0 rss
    for pid in "$1" $(pgrep -P "$1"); do
        rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null) || continue
        total=$((total + ${rss:-0}))
    done
    echo "$total"
}

# A fresh keepalived's RSS, run as the incumbent pair runs it (`keepalived --dont-fork`, one VRRP
# instance, no virtual servers) in a network namespace of its own on a veth pair, so that its
# adverts and its VIP never reach the host: started, left until it is MASTER and its RSS (parent
# and VRRP child together) stops changing, then stopped by PID. Sets KEEPALIVED_RSS_KB (empty
# when it could not be measured).
measure_keepalived_rss() {  # TAG
    local dir="$WORK/$1.keepalived" pid children child previous="" current deadline
    KEEPALIVED_RSS_KB=""
    if [[ $(id -u) != 0 ]]; then log "not root: no keepalived RSS"; return 0; fi
    if [[ $CREATED_NETNS == 0 ]]; then
        ip netns add "$KEEPALIVED_NETNS" || { log "cannot create network namespace $KEEPALIVED_NETNS"; return 0; }
        CREATED_NETNS=1
        ip -n "$KEEPALIVED_NETNS" link set lo up
        ip -n "$KEEPALIVED_NETNS" link add ka0 type veth peer name ka1
        ip -n "$KEEPALIVED_NETNS" link set ka1 up
        ip -n "$KEEPALIVED_NETNS" link set ka0 up
        ip -n "$KEEPALIVED_NETNS" address add 10.251.9.1/24 dev ka0
    fi
    mkdir -p "$dir"
    cat > "$dir/keepalived.conf" <<CONF
vrrp_instance VI_1 {
    state BACKUP
    interface ka0
    virtual_router_id 51
    priority 100
    advert_int 1
    virtual_ipaddress {
        10.251.9.100/24
    }
}
CONF
    drop_page_cache "$(command -v keepalived)"
    ip netns exec "$KEEPALIVED_NETNS" keepalived --dont-fork --log-console --no-syslog \
        --use-file "$dir/keepalived.conf" --pid "$dir/keepalived.pid" --vrrp_pid "$dir/vrrp.pid" \
        --checkers_pid "$dir/checkers.pid" >"$dir/keepalived.log" 2>&1 &
    pid=$!; PIDS+=("$pid")
    deadline=$((SECONDS + 20))
    until grep -qs 'Entering MASTER STATE' "$dir/keepalived.log"; do
        kill -0 "$pid" 2>/dev/null || { log "keepalived exited: $(tail -c 300 "$dir/keepalived.log")"; return 0; }
        (( SECONDS < deadline )) || break
        sleep 0.2
    done
    children=$(pgrep -P "$pid" || true)
    for child in $children; do PIDS+=("$child"); done
    deadline=$((SECONDS + 10))
    while (( SECONDS < deadline )); do
        sleep 1
        current=$(tree_rss_kb "$pid")
        [[ $current == "$previous" ]] && break
        previous=$current
    done
    if ! grep -q 'Entering MASTER STATE' "$dir/keepalived.log"; then
        log "keepalived not MASTER after 20 s: no keepalived RSS"
    elif kill -0 "$pid" 2>/dev/null; then
        KEEPALIVED_RSS_KB=$previous
        log "keepalived fresh (MASTER, $(( $(wc -w <<< "$children") + 1 )) processes): RSS $previous KiB"
    fi
    stop_pid "$pid"
    for child in $children; do stop_pid "$child"; done
}

# --- main ----------------------------------------------------------------------------------
install_packages

# Each proxied connection costs the proxy two descriptors (haproxy refuses to start when
# 2 x maxconn does not fit the open-file limit). Respect a hard limit we cannot raise, the
# same way for both proxies.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
FD_LIMIT=$(ulimit -n)
MAXCONN=20000
if [[ $FD_LIMIT != unlimited ]] && (( MAXCONN * 2 + 100 > FD_LIMIT )); then
    MAXCONN=$(( (FD_LIMIT - 100) / 2 ))
    log "open-file limit is $FD_LIMIT (raise the hard limit for the full figures): maxconn $MAXCONN for both proxies"
fi
if (( IDLE_CONNECTIONS > MAXCONN - 50 )); then
    IDLE_CONNECTIONS=$(( MAXCONN - 50 ))
    log "holding $IDLE_CONNECTIONS idle connections (per-connection bytes stay comparable)"
fi

if [[ " ${PROXIES[*]} " == *" vipd "* && ! -x "$VIPD" ]]; then
    log "building vipd (release)"
    scripts/build-release >"$WORK/swift-build.log" 2>&1 ||
        { tail -30 "$WORK/swift-build.log" >&2; exit 1; }
fi

start_backends

BINARY_KIB_haproxy=$(stripped_kib /usr/sbin/haproxy)
KEEPALIVED_KIB=$(stripped_kib /usr/sbin/keepalived)
BINARY_KIB_vipd=""
[[ " ${PROXIES[*]} " == *" vipd "* ]] && BINARY_KIB_vipd=$(stripped_kib "$VIPD")
log "stripped binaries: haproxy $BINARY_KIB_haproxy KiB, keepalived $KEEPALIVED_KIB KiB${BINARY_KIB_vipd:+, vipd $BINARY_KIB_vipd KiB}"

for round in $(seq "$ROUNDS"); do
    for proxy in "${PROXIES[@]}"; do
        tag="$proxy-r$round"
        log "round $round/$ROUNDS: $proxy"
        if [[ $proxy == haproxy ]]; then
            record haproxy "$round" binary_kib "$BINARY_KIB_haproxy"
            record haproxy "$round" binary_pair_kib "$((BINARY_KIB_haproxy + KEEPALIVED_KIB))"
            measure_keepalived_rss "$tag"   # alone, before haproxy starts
        else
            record vipd "$round" binary_kib "$BINARY_KIB_vipd"
            record vipd "$round" binary_pair_kib "$BINARY_KIB_vipd"
        fi
        start_proxy "$proxy" "$tag"
        measure_idle "$proxy" "$round" "$tag"     # first, on a fresh process
        if [[ $proxy == haproxy ]]; then
            [[ -z $FRESH_RSS_KB || -z $KEEPALIVED_RSS_KB ]] ||
                record haproxy "$round" rss_base_pair_kb "$((FRESH_RSS_KB + KEEPALIVED_RSS_KB))"
        else
            record vipd "$round" rss_base_pair_kb "$FRESH_RSS_KB"
        fi
        measure_iperf "$proxy" "$round" "$tag" 1
        measure_iperf "$proxy" "$round" "$tag" 8
        measure_keepalive "$proxy" "$round" "$tag"
        measure_close "$proxy" "$round" "$tag"
        kill -0 "$PROXY_PID" 2>/dev/null || log "$proxy died during round $round: $(tail -c 500 "$WORK/$tag.log")"
        stop_pid "$PROXY_PID"
        sleep 2  # let TIME_WAIT and CPU settle between proxies
    done
done

TABLE=$(python3 "$BENCH/summarize.py" "$RESULTS")
echo
echo "$TABLE"

if [[ $RECORD == 1 ]]; then
    if COMMIT=$(git -C "$ROOT" rev-parse --verify --quiet --short HEAD 2>/dev/null); then
        [[ -z $(git -C "$ROOT" --no-optional-locks status --porcelain 2>/dev/null) ]] || COMMIT="$COMMIT+dirty"
        COMMIT="commit $COMMIT"
    else
        COMMIT="uncommitted"
    fi
    VIPD_VERSION="-"
    [[ " ${PROXIES[*]} " == *" vipd "* ]] && VIPD_VERSION=$("$VIPD" --version 2>/dev/null || echo unknown)
    {
        echo
        echo "## $(date -u '+%Y-%m-%d %H:%M UTC') — $COMMIT${ONLY:+ — $ONLY only}"
        echo
        if [[ -n $ONLY ]]; then
            echo "Single-proxy run (\`--only $ONLY\`), e.g. to validate the script: not a comparison."
            echo
        fi
        echo "$ROUNDS alternating rounds (${PROXIES[*]}), $(nproc) CPUs, kernel $(uname -r)," \
             "$(haproxy -v | head -1 | awk '{ print "haproxy " $3 }')," \
             "$(keepalived --version 2>&1 | head -1 | awk '{ print "keepalived " $2 }'), vipd $VIPD_VERSION," \
             "maxconn $MAXCONN, $IDLE_CONNECTIONS idle connections."
        echo
        echo "$TABLE"
    } >> "$BENCH/RESULTS.md"
    log "appended to bench/RESULTS.md"
fi
