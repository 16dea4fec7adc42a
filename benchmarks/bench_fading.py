#!/usr/bin/env python3
# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Throughput of the Sentinel fading blocks against GNU Radio's, side by side.

Each case runs null_source -> head(n) -> block -> null_sink for the reference
block (gr-channels) and for Sentinel's, interleaved, and keeps the best of
--repeat runs. Prints Msps and the ratio; --markdown prints the table for
docs/fading.md.

    .venv/bin/python benchmarks/bench_fading.py [--seconds 1.0] [--repeat 3] [--markdown]
"""

import argparse
import time

from gnuradio import blocks, channels, gr, sentinel

# channels_selective_fading_model2.block.yml defaults (fDTs there is
# 0.2/samp_rate; 0.01 here, which does not change GNU Radio's cost).
GRC_DEFAULTS = (8, 0.01, False, 4.0, 0, [1.0, 1.9, 2.7], [1e-4] * 3, [0.5, 0.7, 0.9],
                [1.0, 0.95, 0.8], 8)
# The parameter set quoted in issue 3.
ISSUE_SET = (8, 0.01, False, 4.0, 0, [0.0, 0.1, 1.3], [0.01] * 3, [0.5] * 3,
             [1.0, 0.95, 0.8], 8)
SIX_PATHS = (8, 0.01, False, 4.0, 0, [0.0, 1.3, 2.7, 4.1, 6.6, 9.2], [1e-4] * 6, [0.5] * 6,
             [1.0, 0.8, 0.6, 0.5, 0.3, 0.2], 16)

CASES = [
    ("selective, GRC defaults (3 paths, 8 taps)",
     lambda: channels.selective_fading_model2(*GRC_DEFAULTS),
     lambda: sentinel.selective_fading_model2(*GRC_DEFAULTS)),
    ("selective, issue's set (3 paths, 8 taps, std 0.01)",
     lambda: channels.selective_fading_model2(*ISSUE_SET),
     lambda: sentinel.selective_fading_model2(*ISSUE_SET)),
    ("selective, 6 paths, 16 taps",
     lambda: channels.selective_fading_model2(*SIX_PATHS),
     lambda: sentinel.selective_fading_model2(*SIX_PATHS)),
    ("selective, GRC defaults, tap_update_interval=16",
     lambda: channels.selective_fading_model2(*GRC_DEFAULTS),
     lambda: sentinel.selective_fading_model2(*GRC_DEFAULTS, tap_update_interval=16)),
    ("selective, EVA70 at 30.72 Msps (9 paths, 82 taps)",
     lambda: channels.selective_fading_model2(
         *[sentinel.fading_profile("EVA70", 30.72e6)[k] for k in
           ("N", "fDTs", "LOS", "K", "seed", "delays", "delays_std", "delays_maxdev", "mags",
            "ntaps")]),
     lambda: sentinel.selective_fading_model2(**sentinel.fading_profile("EVA70", 30.72e6))),
    ("flat fading_model",
     lambda: channels.fading_model(8, 0.01, False, 4.0, 0),
     lambda: sentinel.fading_model(8, 0.01, False, 4.0, 0)),
]


def msps(make_block, n):
    tb = gr.top_block()
    src = blocks.null_source(gr.sizeof_gr_complex)
    head = blocks.head(gr.sizeof_gr_complex, n)
    sink = blocks.null_sink(gr.sizeof_gr_complex)
    tb.connect(src, head, make_block(), sink)
    start = time.perf_counter()
    tb.run()
    return n / (time.perf_counter() - start) / 1e6


def calibrate(make_block, seconds):
    """Sample count that takes about `seconds` for this block."""
    rate = msps(make_block, 200000)
    return max(200000, int(rate * 1e6 * seconds))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="target time per run")
    parser.add_argument("--repeat", type=int, default=3, help="runs per block (best kept)")
    parser.add_argument("--markdown", action="store_true", help="print a markdown table")
    args = parser.parse_args()

    rows = []
    for name, make_ref, make_ours in CASES:
        n_ref = calibrate(make_ref, args.seconds)
        n_ours = calibrate(make_ours, args.seconds)
        ref = ours = 0.0
        for _ in range(args.repeat):
            ref = max(ref, msps(make_ref, n_ref))
            ours = max(ours, msps(make_ours, n_ours))
        rows.append((name, ref, ours, ours / ref))
        if not args.markdown:
            print("{:55s} gr-channels {:7.2f} Msps  sentinel {:7.2f} Msps  ratio {:5.1f}x".format(
                name, ref, ours, ours / ref), flush=True)
    if args.markdown:
        print("| case | gr-channels (Msps) | sentinel (Msps) | ratio |")
        print("|---|---:|---:|---:|")
        for name, ref, ours, ratio in rows:
            print("| {} | {:.2f} | {:.2f} | {:.1f}x |".format(name, ref, ours, ratio))


if __name__ == "__main__":
    main()
