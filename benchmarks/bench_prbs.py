#!/usr/bin/env python3
# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRBS throughput against GNU Radio's in-tree blocks, side by side in one run.

Each case runs a flowgraph over a fixed number of items, best of --repeat runs,
and reports Mbit/s; ratios compare like with like:
- unpacked source vs digital.glfsr_source_b (degree 31, unpacked bits);
- packed source -> prbs_sink_b vs two packed sources -> fec.ber_bf (a plain
  compare of two aligned streams, with no sync).
"""

import argparse
import time

from gnuradio import blocks, digital, fec, gr, sentinel


def timed(build, repeat):
    best = float("inf")
    for _ in range(repeat):
        top = build()
        start = time.perf_counter()
        top.run()
        best = min(best, time.perf_counter() - start)
    return best


def source_case(make_source, items):
    def build():
        top = gr.top_block()
        top.connect(make_source(), blocks.head(gr.sizeof_char, items), blocks.null_sink(gr.sizeof_char))
        return top
    return build


def source_sink_case(packed, items):
    def build():
        top = gr.top_block()
        top.sink = sentinel.prbs_sink_b("PRBS31", packed)
        top.connect(sentinel.prbs_source_b("PRBS31", packed), blocks.head(gr.sizeof_char, items), top.sink)
        return top
    return build


def ber_bf_case(items):
    def build():
        top = gr.top_block()
        ber = fec.ber_bf(False, 100, -7.0)
        for port in (0, 1):
            top.connect(sentinel.prbs_source_b("PRBS31", True), blocks.head(gr.sizeof_char, items),
                        (ber, port))
        top.connect(ber, blocks.null_sink(gr.sizeof_float))
        return top
    return build


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bits", type=float, default=4e8, help="bits per case")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    nbits = int(args.bits)

    cases = [
        ("prbs_source_b PRBS31, unpacked", source_case(lambda: sentinel.prbs_source_b("PRBS31"), nbits), nbits),
        ("prbs_source_b PRBS31, packed", source_case(lambda: sentinel.prbs_source_b("PRBS31", True), nbits // 8), nbits),
        ("digital.glfsr_source_b deg 31, unpacked", source_case(lambda: digital.glfsr_source_b(31, True, 0, 1), nbits // 4), nbits // 4),
        ("prbs_source_b -> prbs_sink_b, unpacked", source_sink_case(False, nbits // 2), nbits // 2),
        ("prbs_source_b -> prbs_sink_b, packed", source_sink_case(True, nbits // 8), nbits),
        ("2 x packed source -> fec.ber_bf", ber_bf_case(nbits // 8), nbits),
    ]
    rates = {}
    print("{:<42} {:>12}".format("case", "Mbit/s"))
    for name, build, bits in cases:
        seconds = timed(build, args.repeat)
        rates[name] = bits / seconds / 1e6
        print("{:<42} {:>12.0f}".format(name, rates[name]))
    print()
    print("unpacked source / glfsr_source_b:        {:6.1f}x".format(
        rates[cases[0][0]] / rates[cases[2][0]]))
    print("packed source->sink / fec.ber_bf compare: {:6.2f}x".format(
        rates[cases[4][0]] / rates[cases[5][0]]))


if __name__ == "__main__":
    main()
