#!/usr/bin/env bash
# Failover as a client sees it: vipd pair vs keepalived + haproxy pair, same lab, same run.
# Needs root (network namespaces). Prints a table and appends it, with the commit, to RESULTS.md.
#   sudo bench/failover.sh                 # advert interval 1s (VRRPv3 for vipd, v2 for keepalived)
#   sudo bench/failover.sh --interval 100ms  # VRRPv3 on both
set -euo pipefail
cd "$(dirname "$0")/.."
interval=1s
[[ ${1:-} == --interval ]] && interval=$2
scripts/install-deps openssh-server openssh-client iproute2 nftables keepalived haproxy procps
. scripts/swift-env
swift build --build-tests
out=$(mktemp)
trap 'rm -f "$out"' EXIT
VIPD_BENCH=1 VIPD_BENCH_INTERVAL=$interval VIPD_BENCH_OUT=$out \
    swift test --skip-build --filter FailoverBenchmark
{
    echo
    echo "## Failover, $(date -u +%Y-%m-%d), commit $(git rev-parse --short HEAD), advert $interval"
    echo
    echo "$(nproc) CPUs, kernel $(uname -r)," \
         "$(keepalived --version 2>&1 | head -1 | awk '{ print "keepalived " $2 }')," \
         "$(haproxy -v | head -1 | awk '{ print "haproxy " $3 }')."
    echo
    cat "$out"
} >> bench/RESULTS.md
cat "$out"
