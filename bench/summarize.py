#!/usr/bin/env python3
"""Turns the benches' raw samples (TSV: proxy, round, metric, value) into a Markdown table of
per-proxy medians, the ratio of the medians, and the ratios paired by round (each round's vipd
figure over the same round's haproxy figure: their geometric mean, its 95% confidence interval
and their range, less moved by a machine that drifts between rounds). Used by run.sh and
http.sh; prints to stdout."""
import math
import statistics
import sys

# metric key -> (label, which direction is better)
METRICS = [
    ("iperf_1_gbps", "iperf3 1 stream (Gbit/s)", "higher"),
    ("iperf_8_gbps", "iperf3 8 streams (Gbit/s)", "higher"),
    ("keepalive_rps", "HTTP keep-alive (req/s)", "higher"),
    ("keepalive_p50_ms", "HTTP keep-alive p50 (ms)", "lower"),
    ("keepalive_p99_ms", "HTTP keep-alive p99 (ms)", "lower"),
    ("keepalive_errors", "HTTP keep-alive errors (count)", "lower"),
    ("keepalive_cpu_us", "HTTP keep-alive: proxy CPU per request (µs)", "lower"),
    ("keepalive_instructions", "HTTP keep-alive: proxy instructions per request", "lower"),
    ("close_cps", "Connection: close (conn/s)", "higher"),
    ("close_p50_ms", "Connection: close p50 (ms)", "lower"),
    ("close_p99_ms", "Connection: close p99 (ms)", "lower"),
    ("close_errors", "Connection: close errors (count)", "lower"),
    ("close_cpu_us", "Connection: close: proxy CPU per request (µs)", "lower"),
    ("close_instructions", "Connection: close: proxy instructions per request", "lower"),
    ("idle_connections", "idle connections held", "-"),
    ("rss_base_kb", "RSS fresh (KiB)", "lower"),
    ("rss_base_pair_kb", "RSS fresh: the pair (haproxy + keepalived) vs vipd (KiB)", "lower"),
    ("rss_idle_kb", "RSS with idle connections (KiB)", "lower"),
    ("idle_bytes_per_conn", "RSS per idle connection (bytes)", "lower"),
    ("binary_kib", "binary, stripped (KiB)", "lower"),
    ("binary_pair_kib", "binaries, stripped: the pair (haproxy + keepalived) vs vipd (KiB)", "lower"),
]


# Two-sided 95% quantiles of Student's t for 1..30 degrees of freedom; 1.96 beyond.
T_975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
         2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
         2.052, 2.048, 2.045, 2.042]


def geometric_mean_interval(ratios):
    """Geometric mean of the ratios and its 95% confidence interval (t interval of the logs)."""
    logs = [math.log(ratio) for ratio in ratios]
    mean = sum(logs) / len(logs)
    if len(logs) < 2:
        return math.exp(mean), None
    quantile = T_975[len(logs) - 2] if len(logs) - 1 <= len(T_975) else 1.96
    half = quantile * statistics.stdev(logs) / math.sqrt(len(logs))
    return math.exp(mean), (math.exp(mean - half), math.exp(mean + half))


def main(path):
    samples = {}
    by_round = {}
    with open(path) as handle:
        for line in handle:
            proxy, round_, metric, value = line.rstrip("\n").split("\t")
            samples.setdefault((proxy, metric), []).append(float(value))
            by_round.setdefault((proxy, metric), {})[round_] = float(value)

    def median(proxy, metric):
        values = samples.get((proxy, metric))
        return statistics.median(values) if values else None

    def show(value):
        if value is None:
            return "–"
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"

    def paired(metric):
        """Geometric mean, its 95% interval, lowest and highest of the per-round vipd/haproxy ratios."""
        haproxy, vipd = by_round.get(("haproxy", metric), {}), by_round.get(("vipd", metric), {})
        ratios = [vipd[r] / haproxy[r] for r in haproxy if r in vipd and haproxy[r] > 0 and vipd[r] > 0]
        if not ratios:
            return "–"
        mean, interval = geometric_mean_interval(ratios)
        if interval is None:
            return f"{mean:.2f}"
        return f"{mean:.2f} [{interval[0]:.2f}, {interval[1]:.2f}] ({min(ratios):.2f}–{max(ratios):.2f})"

    counts = {proxy: max((len(samples.get((proxy, key), [])) for key, _, _ in METRICS), default=0)
              for proxy in ("haproxy", "vipd")}
    print(f"| metric | better | haproxy median (n={counts['haproxy']}) | vipd median (n={counts['vipd']}) "
          "| vipd/haproxy | per round: geo. mean [95% CI] (range) |")
    print("|---|---|---:|---:|---:|---:|")
    for key, label, better in METRICS:
        haproxy, vipd = median("haproxy", key), median("vipd", key)
        if haproxy is None and vipd is None:
            continue
        ratio = f"{vipd / haproxy:.2f}" if haproxy and vipd is not None else "–"
        print(f"| {label} | {better} | {show(haproxy)} | {show(vipd)} | {ratio} | {paired(key)} |")


if __name__ == "__main__":
    main(sys.argv[1])
