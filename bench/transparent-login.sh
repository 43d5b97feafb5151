#!/usr/bin/env bash
# What `transparent: true` costs an ssh login: logins through vipd with and without it, next to
# direct logins and logins through haproxy (`mode tcp`), interleaved login by login in the same
# run. Two copies of the integration tests' two-node lab in network namespaces (a real sshd on
# each node, vipd on both nodes holding a VRRP VIP): in lab 1 vipd has a transparent pool, in lab 2
# none (no vipd_transparent table, no policy routing), and haproxy runs beside vipd there. One
# client is on both labs' LANs. Run by hand as root, not in CI.
#
#   sudo bench/transparent-login.sh [--rounds N] [--passes N] [--no-record]
#
# --rounds (default 80) of --passes (default 20): a pass logs in once to each of the seven
# targets, in a random order, all to the same node's sshd (ha0 and ha1 by turns). Environment:
# VIPD (default .build/release/vipd, brought up to date by scripts/build-release), COMMIT (for
# RESULTS.md; default HEAD's, "+dirty" when files other than RESULTS.md differ), KEEP_WORK=1 keeps
# the scratch directory (configs, logs, raw samples). See bench/README.md, "Transparent proxying:
# the cost of a login".
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
cd "$ROOT"

ROUNDS=80
PASSES=20
RECORD=1
COMMAND="bench/transparent-login.sh${*:+ $*}"
while [[ $# -gt 0 ]]; do
    case "$1" in
        --rounds) ROUNDS="$2"; shift 2 ;;
        --passes) PASSES="$2"; shift 2 ;;
        --no-record) RECORD=0; shift ;;
        -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1 (see --help)" >&2; exit 1 ;;
    esac
done
BUILD_VIPD=$([[ -z ${VIPD:-} ]] && echo 1 || echo 0)
VIPD=$(realpath -m "${VIPD:-.build/release/vipd}")
export LC_ALL=C

log() { printf '[bench-transparent %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

[[ $(id -u) == 0 ]] || { echo "needs root: network namespaces" >&2; exit 1; }
scripts/install-deps openssh-server openssh-client iproute2 nftables haproxy procps python3 coreutils
if [[ $BUILD_VIPD == 1 ]]; then
    log "building vipd (scripts/build-release)"
    scripts/build-release >/dev/null
fi

# --- two labs: lab L has ha0 10.251.L.11, ha1 10.251.L.12, VIP 10.251.L.100 on a bridge of its own;
# the client has 10.251.L.2 on each ---------------------------------------------------------------
NS_PREFIX="vipd-bench-tl-$$"
NS_SWITCH="$NS_PREFIX-sw"
NS_CLIENT="$NS_PREFIX-client"
node_ns() { echo "$NS_PREFIX-l$1-ha$2"; }       # LAB NODE
node_address() { echo "10.251.$1.$((11 + $2))"; }  # LAB NODE
vip() { echo "10.251.$1.100"; }                  # LAB
client_address() { echo "10.251.$1.2"; }         # LAB
WORK=$(mktemp -d /tmp/vipd-bench-transparent.XXXXXX)
PIDS=()
NAMESPACES=()
cleanup() {
    stop_bench_processes "$WORK" "${PIDS[@]}"
    local namespace pid
    for namespace in "${NAMESPACES[@]}"; do
        # Whatever the processes above left in our namespaces (e.g. an sshd session process).
        for pid in $(ip netns pids "$namespace" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
        ip netns delete "$namespace" 2>/dev/null || true
    done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

add_namespace() { ip netns add "$1"; NAMESPACES+=("$1"); ip -n "$1" link set lo up; }
attach() {  # NAMESPACE INTERFACE LAB SWITCH_PORT ADDRESS
    ip -n "$NS_SWITCH" link add "$4" type veth peer name "$2" netns "$1"
    ip -n "$NS_SWITCH" link set "$4" master "br$3" up
    ip -n "$1" addr add "$5/24" dev "$2"
    ip -n "$1" link set "$2" up
}
add_namespace "$NS_SWITCH"
add_namespace "$NS_CLIENT"
for lab in 1 2; do
    ip -n "$NS_SWITCH" link add "br$lab" type bridge stp_state 0 forward_delay 0 mcast_snooping 0
    ip -n "$NS_SWITCH" link set "br$lab" up
    for node in 0 1; do
        add_namespace "$(node_ns $lab $node)"
        attach "$(node_ns $lab $node)" eth0 $lab "p$lab-ha$node" "$(node_address $lab $node)"
    done
    attach "$NS_CLIENT" "eth$lab" $lab "p$lab-client" "$(client_address $lab)"
done

# --- sshd on each node, the client's ssh settings ---------------------------------------------
ssh-keygen -q -t ed25519 -N "" -C vipd-bench-host -f "$WORK/host_ed25519"
ssh-keygen -q -t ed25519 -N "" -C vipd-bench-client -f "$WORK/client_ed25519"
install -m 600 "$WORK/client_ed25519.pub" "$WORK/authorized_keys"
mkdir -p /run/sshd
for lab in 1 2; do
    for node in 0 1; do
        name="l$lab-ha$node"
        cat > "$WORK/sshd-$name.conf" <<CONF
ListenAddress $(node_address $lab $node):22
HostKey $WORK/host_ed25519
PidFile $WORK/sshd-$name.pid
AuthorizedKeysFile $WORK/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PermitRootLogin prohibit-password
LogLevel INFO
UseDNS no
PrintMotd no
PrintLastLog no
X11Forwarding no
MaxStartups 100:30:200
CONF
        /usr/sbin/sshd -t -f "$WORK/sshd-$name.conf"
        ip netns exec "$(node_ns $lab $node)" /usr/sbin/sshd -D -e -f "$WORK/sshd-$name.conf" -E "$WORK/sshd-$name.log" &
        PIDS+=($!)
    done
done
# Key login, no agent, no known hosts, no connection sharing; a hung login ends within 30 s.
cat > "$WORK/ssh_config" <<CONF
Host *
    User $(id -un)
    IdentityFile $WORK/client_ed25519
    IdentitiesOnly yes
    IdentityAgent none
    BatchMode yes
    StrictHostKeyChecking no
    UserKnownHostsFile /dev/null
    GlobalKnownHostsFile /dev/null
    UpdateHostKeys no
    ControlMaster no
    ControlPath none
    LogLevel ERROR
    ConnectTimeout 10
    ServerAliveInterval 10
    ServerAliveCountMax 2
CONF
# The address sshd saw the client at (first field of $SSH_CONNECTION) for a login to HOST:PORT.
seen_from() {  # HOST PORT
    ip netns exec "$NS_CLIENT" ssh -F "$WORK/ssh_config" -p "$2" "$1" 'echo $SSH_CONNECTION' 2>/dev/null | awk '{ print $1 }'
}
# True when a login to HOST:PORT is seen from ADDRESS (seen_at), from another address (seen_elsewhere), at all (logs_in).
seen_at() { [[ $(seen_from "$1" "$2") == "$3" ]]; }
seen_elsewhere() { local from; from=$(seen_from "$1" "$2"); [[ -n $from && $from != "$3" ]]; }
logs_in() { [[ -n $(seen_from "$1" "$2") ]]; }
# Polls COMMAND every 0.2 s until it succeeds; exits the script after SECONDS.
wait_until() {  # WHAT SECONDS COMMAND...
    local what=$1 limit=$2 deadline=$((SECONDS + $2))
    shift 2
    until "$@"; do
        (( SECONDS < deadline )) || { log "not within $limit s: $what; see $WORK"; exit 1; }
        sleep 0.2
    done
}
for lab in 1 2; do
    for node in 0 1; do wait_until "sshd on lab $lab's ha$node" 10 logs_in "$(node_address $lab $node)" 22; done
done

# --- vipd on both nodes of each lab, haproxy on lab 2's VIP owner -----------------------------
# Listeners on the VIP, one server each (the same node for every variant): 2201/2202 to ha0/ha1,
# 2203/2204 to ha0/ha1 through pools that are transparent in lab 1 and plain in lab 2.
for lab in 1 2; do
    transparent=$([[ $lab == 1 ]] && echo true || echo false)
    for node in 0 1; do
        cat > "$WORK/vipd-l$lab-ha$node.yaml" <<CONF
cluster:
  nodes:
    ha0: { address: $(node_address $lab 0), priority: 100 }
    ha1: { address: $(node_address $lab 1), priority: 50 }
vrrp:
  VI_1: { interface: eth0, router_id: 51, version: 3, advert_interval: 1s, handover_timeout: 1s, virtual_addresses: [$(vip $lab)/24] }
listeners:
  plain_ha0: { bind: "$(vip $lab):2201", pool: plain_ha0 }
  plain_ha1: { bind: "$(vip $lab):2202", pool: plain_ha1 }
  second_ha0: { bind: "$(vip $lab):2203", pool: second_ha0 }
  second_ha1: { bind: "$(vip $lab):2204", pool: second_ha1 }
pools:
  plain_ha0: { servers: [{ name: ha0, address: "$(node_address $lab 0):22" }], check: { kind: none } }
  plain_ha1: { servers: [{ name: ha1, address: "$(node_address $lab 1):22" }], check: { kind: none } }
  second_ha0: { transparent: $transparent, servers: [{ name: ha0, address: "$(node_address $lab 0):22" }], check: { kind: none } }
  second_ha1: { transparent: $transparent, servers: [{ name: ha1, address: "$(node_address $lab 1):22" }], check: { kind: none } }
global: { drain_timeout: 2s, control_socket: $WORK/ctl-l$lab-ha$node.sock }
CONF
    done
done
"$VIPD" check --config "$WORK/vipd-l1-ha0.yaml" >/dev/null
has_vip() { ip -n "$(node_ns "$1" 0)" -4 addr show dev eth0 | grep -q " $(vip "$1")/"; }  # LAB
vipd_ready() { grep -qs "vipd ready" "$WORK/vipd-$1.log"; }  # lLAB-haNODE
for lab in 1 2; do
    for node in 0 1; do
        ip netns exec "$(node_ns $lab $node)" "$VIPD" run --config "$WORK/vipd-l$lab-ha$node.yaml" --node "ha$node" \
            >"$WORK/vipd-l$lab-ha$node.log" 2>&1 &
        PIDS+=($!)
        wait_until "vipd on lab $lab's ha$node ready" 30 vipd_ready "l$lab-ha$node"
        [[ $node == 1 ]] || wait_until "lab $lab's ha0 holds the VIP" 15 has_vip $lab
    done
done
cat > "$WORK/haproxy.cfg" <<CONF
global
    maxconn 2000
defaults
    mode tcp
    timeout connect 5s
    timeout client 1h
    timeout server 1h
listen ssh_ha0
    bind $(vip 2):2205
    server ha0 $(node_address 2 0):22
listen ssh_ha1
    bind $(vip 2):2206
    server ha1 $(node_address 2 1):22
CONF
ip netns exec "$(node_ns 2 0)" haproxy -db -f "$WORK/haproxy.cfg" >"$WORK/haproxy.log" 2>&1 &
PIDS+=($!)

# The seven targets as variant:host:port for a login to node N's sshd (N is 0 or 1).
targets() {  # NODE
    local n=$1
    echo "transparent:$(vip 1):$((2203 + n))" "plain_on:$(vip 1):$((2201 + n))" "direct_on:$(node_address 1 "$n"):22" \
        "plain:$(vip 2):$((2201 + n))" "second:$(vip 2):$((2203 + n))" "direct:$(node_address 2 "$n"):22" \
        "haproxy:$(vip 2):$((2205 + n))"
}
# Every target logs in, and sshd sees the client's address only on direct logins and through lab
# 1's transparent listeners (each node's vipd learns the other's link-layer address within a second or two).
check_targets() {
    local node target variant host port client
    for node in 0 1; do
        for target in $(targets $node); do
            IFS=: read -r variant host port <<< "$target"
            client="${host%.*}.2"
            case $variant in
                transparent|direct*) wait_until "logins to $host:$port seen from $client" 20 seen_at "$host" "$port" "$client" ;;
                *) wait_until "logins to $host:$port seen from the proxy" 10 seen_elsewhere "$host" "$port" "$client" ;;
            esac
        done
    done
}
check_targets

# Inside the client's namespace: PASSES passes, each logging in once to every target of one node
# (ha0 and ha1 by turns) in a fresh random order, `ssh HOST true` timed from fork to exit; prints
# "round pass variant node microseconds" lines.
timed_logins() {  # ROUND PASSES SSH_CONFIG TARGETS_HA0 TARGETS_HA1
    local round=$1 passes=$2 ssh_config=$3 pass node target variant host port start end order
    local -a targets=("$4" "$5")
    for ((pass = 0; pass < passes; pass++)); do
        node=$((pass % 2))
        mapfile -t order < <(shuf -e ${targets[$node]})
        for target in "${order[@]}"; do
            IFS=: read -r variant host port <<< "$target"
            start=$EPOCHREALTIME
            ssh -F "$ssh_config" -p "$port" "$host" true || { echo "login failed: $target" >&2; return 1; }
            end=$EPOCHREALTIME
            printf '%s\t%s\t%s\tha%s\t%s\n' "$round" "$pass" "$variant" "$node" $(( ${end/./} - ${start/./} ))
        done
    done
}

: > "$WORK/logins.tsv"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
for round in $(seq "$ROUNDS"); do
    log "round $round/$ROUNDS: $((PASSES * 7)) logins"
    ip netns exec "$NS_CLIENT" bash -c "$(declare -f timed_logins); timed_logins \"\$@\"" _ \
        "$round" "$PASSES" "$WORK/ssh_config" "$(targets 0)" "$(targets 1)" >> "$WORK/logins.tsv"
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
check_targets  # still as set up: nothing changed under the measurement

# --- the table --------------------------------------------------------------------------------
COMMIT=${COMMIT:-$(recorded_commit)}
HEADER="$ROUNDS rounds of $PASSES passes (7 logins each, one per target, to ha0 and ha1 by turns), $(nproc) CPUs
(load average $LOAD_BEFORE before, $LOAD_AFTER after), kernel $(uname -r), $(ssh -V 2>&1 | cut -d, -f1),
ed25519 keys, haproxy $(dpkg-query -W -f='${Version}' haproxy) \`mode tcp\`; \`ssh HOST true\` timed from fork to exit in the client's namespace."
TABLE=$(python3 "$ROOT/bench/summarize-logins.py" "$WORK/logins.tsv")
printf '\n%s\n\n%s\n' "$HEADER" "$TABLE"
if [[ $RECORD == 1 ]]; then
    {
        echo
        echo "## $(date -u '+%Y-%m-%d %H:%M UTC') — commit $COMMIT — transparent login cost (bench/transparent-login.sh)"
        echo
        echo "\`sudo $COMMAND\`: $HEADER"
        echo
        echo "$TABLE"
    } >> bench/RESULTS.md
    log "appended to bench/RESULTS.md"
fi
