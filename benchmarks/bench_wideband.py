#!/usr/bin/env python3
# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Wideband chain speed as a ratio to real time: a simulated 2.4 Msps band of N emitters
(20-30 kbaud) through the Emitter Channeliser and the three model blocks (lossless, so
that the ratio is the chain's own speed), side by side with the channeliser's numpy core
alone (EmitterChunker, no flowgraph). A ratio below 1 means that in realtime mode the
chain would skip windows (counted): the first N where that happens is where skipping
starts. --markdown prints the table for docs/wideband.md.

    .venv/bin/python benchmarks/bench_wideband.py [--seconds 2] [--emitters 1 2 4 8] [--markdown]
"""

import argparse
import time

import numpy as np
from gnuradio import blocks, gr, sentinel

from gnuradio.sentinel.wideband import EmitterTracker, simulate
from gnuradio.sentinel.wideband.chunker import EmitterChunker

RATE = 2.4e6


def chain(x, chunks_per_second, mode="lossless"):
    """(wall seconds, channeliser, model blocks); realtime: the source paced at RATE."""
    top = gr.top_block()
    channeliser = sentinel.emitter_channeliser(RATE, chunks_per_second=chunks_per_second, mode=mode)
    source = blocks.vector_source_c(x, False)
    if mode == "realtime":
        throttle = blocks.throttle(gr.sizeof_gr_complex, RATE)
        top.connect(source, throttle, channeliser)
    else:
        top.connect(source, channeliser)
    models = [sentinel.modulation_classifier("afnet", stride=256, samp_rate=200e3, threads=1, mode=mode),
              sentinel.htrd_classifier("htrd", stride=1024, samp_rate=200e3, threads=1, mode=mode),
              sentinel.mae_anomaly_scorer("mae", stride=2048, samp_rate=200e3, threads=1, mode=mode)]
    for model in models:
        top.connect(channeliser, model, blocks.null_sink(gr.sizeof_float))
    start = time.perf_counter()
    top.run()
    return time.perf_counter() - start, channeliser, models


def chain_seconds(x, chunks_per_second):
    wall, channeliser, models = chain(x, chunks_per_second)
    return wall, channeliser.stats()["chunks"], sum(m.windows_scored() for m in models)


def core_seconds(x, chunks_per_second):
    chunker = EmitterChunker(EmitterTracker(RATE), chunks_per_second=chunks_per_second)
    start = time.perf_counter()
    for i in range(0, len(x), 16384):
        chunker.push(x[i:i + 16384])
        chunker.due()
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--emitters", type=int, nargs="+", default=[1, 2, 4, 8])
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    rows = []
    for count in args.emitters:
        x, truth = simulate(args.seconds, RATE, np.random.default_rng(count), emitters=count, rates=(20e3, 30e3),
                            snrs_db=(12.0, 18.0), always_on=True)
        for cps in (10.0, 0.0):
            wall, chunks, windows = chain_seconds(x, cps)
            rows.append((len(truth), cps, args.seconds / core_seconds(x, cps), args.seconds / wall, chunks, windows))
            print("{} emitters, {} chunks/s: core {:.2f}x real time, chain {:.2f}x ({} chunks, {} windows)".format(
                *rows[-1][:2], rows[-1][2], rows[-1][3], chunks, windows), flush=True)
    # realtime at 2.4 Msps with the most emitters, 10 chunks a second each: what is skipped
    x, truth = simulate(args.seconds, RATE, np.random.default_rng(99), emitters=max(args.emitters),
                        rates=(20e3, 30e3), snrs_db=(12.0, 18.0), always_on=True)
    wall, channeliser, models = chain(x, 10.0, "realtime")
    live = channeliser.stats()
    print("realtime, {} emitters, 10 chunks/s: {:.1f} s of stream in {:.1f} s; chunks {} (dropped {}); windows "
          "seen/skipped: {}".format(len(truth), args.seconds, wall, live["chunks"], live["dropped"],
                                    ", ".join("{} {}/{}".format(m.name(), m.windows_seen(), m.windows_skipped())
                                              for m in models)))
    if args.markdown:
        print("\n| emitters | chunks/s per emitter | channeliser core alone | whole chain | chunks | windows scored |")
        print("|---|---|---|---|---|---|")
        for n, cps, core, whole, chunks, windows in rows:
            print("| {} | {} | {:.2f}x | {:.2f}x | {} | {} |".format(n, "all" if not cps else int(cps), core, whole,
                                                                    chunks, windows))


if __name__ == "__main__":
    main()
