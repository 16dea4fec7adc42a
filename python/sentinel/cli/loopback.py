# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""`sentinel loopback`: the headless BER loopback, printed as a table."""

import math

from .. import ber_loopback
from .arguments import integer, real

#: the loopback's noise source takes its seed as a C long; --seed + 1000 per modulation + the point index
MAX_SEED = 2 ** 31 - 1 - 100_000


def add_parser(sub):
    parser = sub.add_parser("loopback", help="run the headless BER loopback and print a BER table")
    parser.add_argument("--modulations", nargs="+", default=ber_loopback.modulation_names(),
                        choices=ber_loopback.modulation_names())
    parser.add_argument("--ebn0", nargs="+", type=real(-30.0, 60.0, what="an Eb/N0 in dB"),
                        default=[0, 2, 4, 6, 8, 10], metavar="DB", help="Eb/N0 points in dB")
    parser.add_argument("--bits", type=integer(1, what="a number of bits"), default=2_000_000,
                        help="bits per point")
    parser.add_argument("--pattern", default="PRBS23")
    parser.add_argument("--seed", type=integer(0, MAX_SEED), default=1,
                        help="noise seed of the first point (each point adds its index)")
    parser.set_defaults(run=run)
    return parser


def binomial_tail(k, n, p):
    """P(X >= k) for X ~ Binomial(n, p)."""
    if k <= 0:
        return 1.0
    return min(1.0, sum(math.comb(n, i) * p ** i * (1 - p) ** (n - i) for i in range(k, n + 1)))


def outside_summary(results, level=0.95):
    """One line: how many points' intervals miss theory, against what chance alone gives.

    Each point is an independent experiment (its own noise seed), so even with nothing
    wrong each 95% interval misses theory with probability 5%: of 18 points about one
    is outside, and two or more are outside one time in four."""
    checked = [r for r in results if r.get("theory") is not None]
    if not checked:
        return ""
    outside = sum(not (r["ber_low"] <= r["theory"] <= r["ber_high"]) for r in checked)
    chance = 1 - level
    return ("{} of {} points outside their {:.0%} interval; chance alone puts {:.1f} outside, and {} or more "
            "with probability {:.2f}".format(outside, len(checked), level, chance * len(checked), outside,
                                              binomial_tail(outside, len(checked), chance)))


def format_table(results):
    header = "{:<6} {:>6} {:>10} {:>8} {:>10} {:>23} {:>10} {:>6}".format(
        "mod", "Eb/N0", "bits", "errors", "BER", "95% CI", "theory", "in CI")
    lines = [header, "-" * len(header)]
    for r in results:
        inside = r["theory"] is None or r["ber_low"] <= r["theory"] <= r["ber_high"]
        lines.append("{:<6} {:>6.1f} {:>10d} {:>8d} {:>10.3e} [{:>9.3e}, {:>9.3e}] {:>10} {:>6}".format(
            r["modulation"], r["ebn0_db"], r["bits"], r["errors"], r["ber"], r["ber_low"], r["ber_high"],
            "-" if r["theory"] is None else "{:.3e}".format(r["theory"]),
            "-" if r["theory"] is None else "yes" if inside else "no"))
    summary = outside_summary(results)
    if summary:
        lines.append(summary)
    return "\n".join(lines)


def run(args):
    if args.bits <= 0:
        raise ValueError("--bits must be positive")
    print("gr-sentinel BER loopback: {} -> Gray mapping -> AWGN -> hard decisions -> "
          "prbs_sink_b, {} bits per point".format(args.pattern, args.bits))
    results = ber_loopback.sweep(args.modulations, args.ebn0, args.bits, args.pattern, args.seed)
    print(format_table(results))
    unlocked = [r for r in results if not r["locked"]]
    if unlocked:
        print("warning: {} point(s) never locked".format(len(unlocked)))
    return 0
