#!/usr/bin/env python3
# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Model-block speed, side by side in one run:

1. windows/s of the raw batched model, eager vs TorchScript (the fast-path choice);
2. windows/s of the GNU Radio block (lossless, vector source -> block -> sink) vs the
   raw batched model with the same backend and batch size (target >= 0.9);
3. realtime mode fed at a given rate by a throttled source: fraction of windows scored.
"""

import argparse
import time

import numpy as np
from gnuradio import blocks, gr

from gnuradio import sentinel
from gnuradio.sentinel.runtime import ModelBundle
from gnuradio.sentinel.runtime.inference import InferenceEngine

BLOCKS = {"mae": sentinel.mae_anomaly_scorer, "amc": sentinel.modulation_classifier, "htrd": sentinel.htrd_classifier}


def raw_rate(block, backend, batch, windows, repeat=3):
    """Windows/s of preprocessing + one forward per batch, no GNU Radio."""
    module = block.bundle.load_into(block.build_model(block.bundle)).eval()
    engine = InferenceEngine(module, block.preprocess(windows[:2]), "cpu", 0, backend)
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for i in range(0, len(windows), batch):
            engine(block.preprocess(windows[i:i + batch]))
        best = min(best, time.perf_counter() - start)
    return len(windows) / best


def block_rate(make, samples, repeat=3):
    best = float("inf")
    for _ in range(repeat):
        block = make()
        top = gr.top_block()
        top.connect(blocks.vector_source_c(samples, False), block, blocks.null_sink(gr.sizeof_float))
        start = time.perf_counter()
        top.run()
        best = min(best, time.perf_counter() - start)
    return block.stats()["seen"] / best


def realtime_fraction(make, rate, seconds):
    block = make()
    n = int(rate * seconds)
    rng = np.random.default_rng(0)
    x = (rng.standard_normal(n) + 1j * rng.standard_normal(n)).astype(np.complex64)
    top = gr.top_block()
    throttle = blocks.throttle(gr.sizeof_gr_complex, rate)
    top.connect(blocks.vector_source_c(x, False), throttle, block, blocks.null_sink(gr.sizeof_float))
    start = time.perf_counter()
    top.run()
    elapsed = time.perf_counter() - start
    s = block.stats()
    return s["scored"] / max(1, s["seen"]), elapsed / seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=["mae", "afnet", "vtcnn2", "htrd"])
    parser.add_argument("--windows", type=int, default=2048)
    parser.add_argument("--realtime-rate", type=float, default=2.4e6, help="samples/s (RTL-SDR: 2.4e6)")
    parser.add_argument("--realtime-seconds", type=float, default=5.0)
    args = parser.parse_args()

    rng = np.random.default_rng(1)
    print("{:<8} {:>10} {:>12} {:>8} {:>12} {:>12} {:>8}".format(
        "model", "eager w/s", "script w/s", "ratio", "raw w/s", "block w/s", "ratio"))
    for name in args.models:
        bundle = ModelBundle.load(name)
        factory = BLOCKS[bundle.kind]
        L = bundle.window_length
        windows = (rng.standard_normal((args.windows, L)) + 1j * rng.standard_normal((args.windows, L))).astype(np.complex64)
        probe = factory(name, device="cpu")
        batch = probe.max_batch
        eager = raw_rate(probe, "eager", batch, windows)
        script = raw_rate(probe, "torchscript", batch, windows)
        chosen = probe.engine.backend
        raw = script if chosen == "torchscript" else eager
        blk = block_rate(lambda: factory(name, device="cpu"), windows.reshape(-1))
        print("{:<8} {:>10.0f} {:>12.0f} {:>7.2f}x {:>12.0f} {:>12.0f} {:>7.2f}x   (block backend: {})".format(
            name, eager, script, script / eager, raw, blk, blk / raw, chosen))
    for name in args.models:
        bundle = ModelBundle.load(name)
        factory = BLOCKS[bundle.kind]
        fraction, slowdown = realtime_fraction(lambda: factory(name, mode="realtime", device="cpu"),
                                               args.realtime_rate, args.realtime_seconds)
        print("realtime {:<8} at {:.1f} Msps: {:.1%} of windows scored; source ran at {:.2f}x real time".format(
            name, args.realtime_rate / 1e6, fraction, 1 / slowdown))


if __name__ == "__main__":
    main()
