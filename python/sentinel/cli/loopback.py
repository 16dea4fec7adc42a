# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""`sentinel loopback`: the headless BER loopback, printed as a table."""

from .. import ber_loopback


def add_parser(sub):
    parser = sub.add_parser("loopback", help="run the headless BER loopback and print a BER table")
    parser.add_argument("--modulations", nargs="+", default=ber_loopback.modulation_names(),
                        choices=ber_loopback.modulation_names())
    parser.add_argument("--ebn0", nargs="+", type=float, default=[0, 2, 4, 6, 8, 10],
                        metavar="DB", help="Eb/N0 points in dB")
    parser.add_argument("--bits", type=int, default=2_000_000, help="bits per point")
    parser.add_argument("--pattern", default="PRBS23")
    parser.add_argument("--seed", type=int, default=1)
    parser.set_defaults(run=run)
    return parser


def format_table(results):
    header = "{:<6} {:>6} {:>10} {:>8} {:>10} {:>23} {:>10} {:>6}".format(
        "mod", "Eb/N0", "bits", "errors", "BER", "95% CI", "theory", "in CI")
    lines = [header, "-" * len(header)]
    for r in results:
        inside = r["ber_low"] <= r["theory"] <= r["ber_high"]
        lines.append("{:<6} {:>6.1f} {:>10d} {:>8d} {:>10.3e} [{:>9.3e}, {:>9.3e}] {:>10.3e} {:>6}".format(
            r["modulation"], r["ebn0_db"], r["bits"], r["errors"], r["ber"],
            r["ber_low"], r["ber_high"], r["theory"], "yes" if inside else "no"))
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
