# Helpers shared by bench/run.sh and bench/http.sh (sourced, not run).

# A free TCP port on 127.0.0.1.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wrk latency "535.00us" / "2.30ms" / "1.02s" / "1.50m" -> milliseconds
to_ms() {
    awk -v v="$1" 'BEGIN {
        n = v + 0
        if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n = n; else if (v ~ /m$/) n *= 60000; else if (v ~ /s$/) n *= 1000
        printf "%.4f", n }'
}

# What one wrk --latency output file says: requests/s, a percentile in ms, socket errors plus non-2xx/3xx.
wrk_rps() { awk '/^Requests\/sec:/ { print $2 }' "$1"; }
wrk_percentile() { to_ms "$(awk -v p="$2%" '$1 == p { print $2; exit }' "$1")"; }
wrk_requests() { awk '/ requests in / { print $1; exit }' "$1"; }
# Instructions (user + kernel) per request from a `perf stat -x,` output file and a request
# count; empty when a counter was not counted.
instructions_per_request() {
    awk -F, -v n="$2" '$3 ~ /^instructions/ { if ($1 !~ /^[0-9]+$/) bad = 1; sum += $1; seen++ }
        END { if (!bad && seen == 2 && n > 0) printf "%.0f", sum / n }' "$1"
}
# CPU time (user + system, all threads) a process has used so far, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
wrk_errors() {
    awk '/Socket errors:/ { gsub(",", ""); n += $4 + $6 + $8 + $10 }
         /Non-2xx or 3xx responses:/ { n += $5 }
         END { print n + 0 }' "$1"
}

# The benchmark's nginx: WORK/www/index.html (1 KiB) served on 127.0.0.1:PORT, no access log,
# unlimited keep-alive; config and logs under WORK/nginx. Start it with
# `nginx -p WORK/nginx -c WORK/nginx/nginx.conf -g 'daemon off;'`.
write_nginx_site() {  # WORK PORT WORKERS CONNECTIONS [LISTEN_OPTIONS]
    local work=$1 port=$2 workers=$3 connections=$4 options=${5:-}
    mkdir -p "$work/www" "$work/nginx"
    head -c 1024 /dev/zero | tr '\0' 'x' > "$work/www/index.html"
    # nginx workers run unprivileged: let them reach the static file in the 0700 scratch dir.
    chmod 711 "$work"
    chmod 755 "$work/www"
    chmod 644 "$work/www/index.html"
    cat > "$work/nginx/nginx.conf" <<CONF
worker_processes $workers;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections $connections; }
http {
    access_log off;
    client_body_temp_path $work/nginx/body;
    proxy_temp_path $work/nginx/proxy;
    fastcgi_temp_path $work/nginx/fastcgi;
    uwsgi_temp_path $work/nginx/uwsgi;
    scgi_temp_path $work/nginx/scgi;
    keepalive_requests 1000000;
    server { listen 127.0.0.1:$port${options:+ $options}; root $work/www; }
}
CONF
}

# Drops FILE's pages from the page cache (posix_fadvise DONTNEED, through dd), so that a binary
# measured for resident memory starts as one read from disk does. A file just written (a binary
# just linked or copied) is cached in large folios, which a process maps whole: the same vipd binary
# measured 1.5 MB more resident right after a copy than after its pages were dropped, and up to
# 10 MB more right after its link. Pages mapped by a running process stay.
drop_page_cache() {  # FILE...
    local file
    for file in "$@"; do dd if="$file" iflag=nocache count=0 status=none || true; done
}

# Waits up to SECONDS (default 10) for http://127.0.0.1:PORT/index.html to answer; exits the script
# when process PID ends first or the wait runs out (WORK, the scratch directory, is named for the logs).
wait_http() {  # PORT PID NAME WORK [SECONDS]
    for _ in $(seq $((${5:-10} * 10))); do
        kill -0 "$2" 2>/dev/null || { echo "$3 exited; see $4" >&2; exit 1; }
        curl -fs -o /dev/null "http://127.0.0.1:$1/index.html" && return 0
        sleep 0.1
    done
    echo "$3 does not answer on :$1; see $4" >&2
    exit 1
}

# An EXIT trap: stops every PID (TERM, then KILL after 5 s), and removes WORK unless the script
# failed or KEEP_WORK=1 (then it is named). Call it first thing in the trap, so it sees the exit status.
stop_bench_processes() {  # WORK PID...
    local status=$? work=$1 pid
    shift
    for pid in "$@"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "$@"; do
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    done
    if [[ ${KEEP_WORK:-0} == 1 || $status != 0 ]]; then log "scratch directory kept: $work"; else rm -rf "$work"; fi
}

# Starts the HTTP benches' nginx (one worker, the 1 KiB site) in WORK on a free port, sets
# NGINX_PORT, adds its PID to PIDS and waits until it answers.
start_http_bench_nginx() {  # WORK
    NGINX_PORT=$(free_port)
    write_nginx_site "$1" "$NGINX_PORT" 1 4096 backlog=4096
    nginx -p "$1/nginx" -c "$1/nginx/nginx.conf" -g 'daemon off;' >"$1/nginx/stdout.log" 2>&1 &
    PIDS+=($!)
    wait_http "$NGINX_PORT" "$!" nginx "$1"
}

# The commit a recorded run measured: HEAD's short hash, "+dirty" when files other than
# bench/RESULTS.md differ from it (an earlier run of the same session may have appended there).
recorded_commit() {
    local commit
    commit=$(git rev-parse --verify --quiet --short HEAD 2>/dev/null || echo uncommitted)
    [[ -z $(git --no-optional-locks status --porcelain -- . ':!bench/RESULTS.md' 2>/dev/null) ]] || commit="$commit+dirty"
    echo "$commit"
}

# The commit of the checkout a binary lies in, "+dirty" when it has changes besides RESULTS.md.
binary_commit() {  # PATH
    local top
    top=$(git -C "$(dirname "$1")" rev-parse --show-toplevel 2>/dev/null) || { echo unknown; return; }
    (cd "$top" && recorded_commit)
}

# The two vipd binaries a script compares, from its environment: BASE (required), VIPD (default
# .build/release/vipd, brought up to date by scripts/build-release), and BASE_COMMIT and
# VIPD_COMMIT naming them (default: the commit of the checkout each lies in).
compared_vipd_binaries() {
    [[ -n ${BASE:-} ]] || { echo "BASE=/path/to/vipd is required: the binary to compare against" >&2; exit 2; }
    if [[ -z ${VIPD:-} ]]; then
        VIPD=.build/release/vipd
        echo "building vipd (scripts/build-release)" >&2
        scripts/build-release >/dev/null
    fi
    BASE_COMMIT=${BASE_COMMIT:-$(binary_commit "$BASE")}
    VIPD_COMMIT=${VIPD_COMMIT:-$(binary_commit "$VIPD")}
}

# Dumps callgrind's counters of PID (its files named OUT.*) and prints the newest dump's total.
dump_total() {  # PID OUT
    local before after dump
    before=$(find "$(dirname "$2")" -name "$(basename "$2").*" | wc -l)
    timeout 60 callgrind_control -d "$1" >/dev/null 2>&1
    for _ in $(seq 100); do
        after=$(find "$(dirname "$2")" -name "$(basename "$2").*" | wc -l)
        (( after > before )) && break
        sleep 0.1
    done
    dump=$(ls -t "$2".* | head -1)
    awk '/^(summary|totals):/ { print $2; exit }' "$dump"
}
