#!/usr/bin/env python3
# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Model-block speed, side by side in one run:

1. windows/s of the raw batched model: eager vs TorchScript vs ONNX Runtime (the
   fast-path choice), measured interleaved, best of several rounds (a shared VM's
   speed drifts between rounds);
2. windows/s of the GNU Radio block (lossless, vector source -> block -> sink) vs the
   raw batched model with the same backend and batch size (target >= 0.9), without and
   with a subscriber on the detections port (every window's message converted to PMT);
3. realtime mode fed at a given rate by a throttled source: fraction of windows scored.
"""

import argparse
import collections
import pathlib
import sys
import time

import numpy as np
from gnuradio import blocks, gr

from gnuradio import sentinel
from gnuradio.sentinel.runtime import ModelBundle
from gnuradio.sentinel.runtime.bundle import set_card_entry
from gnuradio.sentinel.runtime.inference import InferenceEngine

BLOCKS = {"mae": sentinel.mae_anomaly_scorer, "amc": sentinel.modulation_classifier, "htrd": sentinel.htrd_classifier}


BACKENDS = ("eager", "torchscript", "onnxruntime")


def raw_pass(block, engine, batch, windows):
    """Seconds for preprocessing + one forward per batch, no GNU Radio."""
    start = time.perf_counter()
    for i in range(0, len(windows), batch):
        engine(block.preprocess(windows[i:i + batch]))
    return time.perf_counter() - start


def block_pass(make, samples, subscribed=False):
    """Seconds for vector source -> block (lossless) -> null sink, and the windows seen."""
    block = make()
    top = gr.top_block()
    top.connect(blocks.vector_source_c(samples, False), block, blocks.null_sink(gr.sizeof_float))
    if subscribed:
        top.msg_connect(block, "detections", blocks.message_debug(), "store")
    start = time.perf_counter()
    top.run()
    return time.perf_counter() - start, block.stats()["seen"]


def measure(name, factory, windows, rounds):
    """Windows/s per backend, of the block, and of the block with a subscriber: every
    round times each once, back to back, and the best round counts (the speed of a
    shared VM drifts by tens of percent between minutes)."""
    probe = factory(name, device="cpu")
    module = probe.bundle.load_into(probe.build_model(probe.bundle)).eval()
    engines = {b: InferenceEngine(module, probe.preprocess(windows[:2]), "cpu", 0, b) for b in BACKENDS}
    make = lambda: factory(name, device="cpu")  # noqa: E731
    best = collections.defaultdict(lambda: float("inf"))
    for _ in range(rounds):
        for backend, engine in engines.items():
            best[backend] = min(best[backend], raw_pass(probe, engine, probe.max_batch, windows))
        for label, subscribed in (("block", False), ("block+msgs", True)):
            seconds, seen = block_pass(make, windows.reshape(-1), subscribed)
            assert seen == len(windows), (label, seen)
            best[label] = min(best[label], seconds)
    return probe, {k: len(windows) / t for k, t in best.items()}


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


def record_backend(name, backend, rates, arguments):
    """Write the fastest backend into the model's card in the source tree."""
    folder = pathlib.Path(__file__).resolve().parents[1] / "python" / "sentinel" / "models" / name
    set_card_entry(folder, ("inference",), {
        "cpu_backend": backend, "measured_by": "benchmarks/bench_inference.py {} (2-core VM)".format(arguments),
        "windows_per_second": {b: round(r) for b, r in rates.items()}})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=["mae", "afnet", "vtcnn2", "htrd"])
    parser.add_argument("--windows", type=int, default=2048)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--realtime-rate", type=float, default=2.4e6, help="samples/s (RTL-SDR: 2.4e6)")
    parser.add_argument("--realtime-seconds", type=float, default=5.0)
    parser.add_argument("--record", action="store_true",
                        help="write each model's fastest CPU backend into its card in the source tree")
    args = parser.parse_args()

    rng = np.random.default_rng(1)
    print("{:<8} {:>10} {:>11} {:>10} {:>8} {:>10} {:>10} {:>7} {:>11} {:>7}".format(
        "model", "eager w/s", "script w/s", "onnx w/s", "fastest", "raw w/s", "block w/s", "ratio",
        "+msgs w/s", "ratio"))
    for name in args.models:
        bundle = ModelBundle.load(name)
        factory = BLOCKS[bundle.kind]
        L = bundle.window_length
        windows = (rng.standard_normal((args.windows, L)) + 1j * rng.standard_normal((args.windows, L))).astype(np.complex64)
        probe, rates = measure(name, factory, windows, args.rounds)
        fastest = max(BACKENDS, key=rates.get)
        chosen = probe.engine.backend
        raw = rates[chosen]
        print("{:<8} {:>10.0f} {:>11.0f} {:>10.0f} {:>7.2f}x {:>10.0f} {:>10.0f} {:>6.2f}x {:>11.0f} {:>6.2f}x  "
              "(fastest: {}; block backend: {}, batch {})".format(
                  name, rates["eager"], rates["torchscript"], rates["onnxruntime"], rates[fastest] / rates["eager"],
                  raw, rates["block"], rates["block"] / raw, rates["block+msgs"], rates["block+msgs"] / raw,
                  fastest, chosen, probe.max_batch))
        if args.record:
            record_backend(name, fastest, {b: rates[b] for b in BACKENDS}, " ".join(sys.argv[1:]))
    for name in args.models:
        bundle = ModelBundle.load(name)
        factory = BLOCKS[bundle.kind]
        fraction, slowdown = realtime_fraction(lambda: factory(name, mode="realtime", device="cpu"),
                                               args.realtime_rate, args.realtime_seconds)
        print("realtime {:<8} at {:.1f} Msps: {:.1%} of windows scored; source ran at {:.2f}x real time".format(
            name, args.realtime_rate / 1e6, fraction, 1 / slowdown))


if __name__ == "__main__":
    main()
