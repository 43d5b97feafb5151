#!/usr/bin/env python3
"""Turns bench/transparent-login.sh's timed logins (TSV: round, pass, variant, node, microseconds)
into two Markdown tables: median and p90 per target, and the ratios that answer "what does
transparent cost a login", each as the ratio of the medians and of the p90s, the difference of
the medians, the ratios paired by pass (each pass's two logins to the same node, seconds apart:
their geometric mean and its 95% confidence interval) and paired by round (each round's median over
the same round's: geometric mean, 95% interval and range, the spread between rounds). Prints to
stdout."""
import statistics
import sys

from summarize import geometric_mean_interval

# variant -> label
TARGETS = {
    "transparent": "lab 1, vipd, transparent listener (c)",
    "plain_on": "lab 1, vipd, plain listener",
    "direct_on": "lab 1, direct to the node's sshd",
    "plain": "lab 2, vipd, plain listener (b)",
    "second": "lab 2, vipd, second plain listener",
    "direct": "lab 2, direct to the node's sshd (a)",
    "haproxy": "lab 2, haproxy `mode tcp`",
}

# (label, numerator, denominator, node or None for both)
RATIOS = [
    ("**transparent / vipd without transparent (c/b)**", "transparent", "plain", None),
    ("**transparent / direct (c/a)**", "transparent", "direct", None),
    ("c/b, ha0's sshd (the VIP owner's own)", "transparent", "plain", "ha0"),
    ("c/b, ha1's sshd (the peer's)", "transparent", "plain", "ha1"),
    ("transparent / plain listener of the same vipd", "transparent", "plain_on", None),
    ("vipd without transparent / direct (b/a)", "plain", "direct", None),
    ("haproxy / direct", "haproxy", "direct", None),
    ("vipd without transparent / haproxy", "plain", "haproxy", None),
    ("A/A: lab 2's second plain listener / its first (noise)", "second", "plain", None),
    ("plain listener, lab 1 / lab 2 (the transparent ruleset's cost to others)", "plain_on", "plain", None),
    ("direct, lab 1 / lab 2", "direct_on", "direct", None),
]


def percentile(values, fraction):
    """The value below which `fraction` of `values` lie (linear interpolation)."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def interval_text(ratios, with_range):
    mean, interval = geometric_mean_interval(ratios)
    text = f"{mean:.3f}" if interval is None else f"{mean:.3f} [{interval[0]:.3f}, {interval[1]:.3f}]"
    return text + (f" ({min(ratios):.3f}–{max(ratios):.3f})" if with_range else "")


def main(path):
    # (round, pass, variant, node) -> ms
    logins = {}
    with open(path) as handle:
        for line in handle:
            round_, pass_, variant, node, micros = line.rstrip("\n").split("\t")
            logins[(round_, pass_, variant, node)] = int(micros) / 1000

    def values(variant, node=None, round_=None):
        return [ms for (r, _, v, n), ms in logins.items()
                if v == variant and (node is None or n == node) and (round_ is None or r == round_)]

    print("| logins to | logins | median (ms) | p90 (ms) |")
    print("|---|---:|---:|---:|")
    for variant, label in TARGETS.items():
        sample = values(variant)
        if sample:
            print(f"| {label} | {len(sample)} | {statistics.median(sample):.1f} | {percentile(sample, 0.9):.1f} |")

    rounds = sorted({r for r, *_ in logins}, key=int)
    passes = sorted({(r, p, n) for r, p, _, n in logins})
    print()
    print("| ratio | medians | p90s | difference of medians (ms) | per pass: geo. mean [95% CI] "
          "| per round: geo. mean [95% CI] (range) |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, numerator, denominator, node in RATIOS:
        top, bottom = values(numerator, node), values(denominator, node)
        if not top or not bottom:
            continue
        medians = statistics.median(top), statistics.median(bottom)
        by_pass = [logins[(r, p, numerator, n)] / logins[(r, p, denominator, n)] for r, p, n in passes
                   if (node is None or n == node) and (r, p, numerator, n) in logins and (r, p, denominator, n) in logins]
        by_round = []
        for round_ in rounds:
            a, b = values(numerator, node, round_), values(denominator, node, round_)
            if a and b:
                by_round.append(statistics.median(a) / statistics.median(b))
        print(f"| {label} | {medians[0] / medians[1]:.3f} | {percentile(top, 0.9) / percentile(bottom, 0.9):.3f} "
              f"| {medians[0] - medians[1]:+.1f} | {interval_text(by_pass, False)} | {interval_text(by_round, True)} |")


if __name__ == "__main__":
    main(sys.argv[1])
