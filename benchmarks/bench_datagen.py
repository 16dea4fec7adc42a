#!/usr/bin/env python3
# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Dataset generation speed: the RML2016-style set (default: the full 220,000 examples)
with every impairment on, on all available workers (2 by default). Target: <= 15 minutes
on 2 cores. Also times the MAE recipe."""

import argparse
import os
import tempfile
import time

from gnuradio.sentinel import data


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000, help="examples per (class, SNR)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", help="keep the RML file at this path")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or os.path.join(tmp, "rml.h5")
        recipe = data.RadioML2016()
        start = time.perf_counter()
        data.generate(recipe, path, args.count, seed=1, workers=args.workers, progress=False)
        seconds = time.perf_counter() - start
        n = args.count * len(recipe.class_names) * len(recipe.snrs)
        print("rml2016: {} examples in {:.1f} s ({:.0f} examples/s, {} workers); full 220,000 set "
              "at this rate: {:.1f} min".format(n, seconds, n / seconds, args.workers, 220000 / (n / seconds) / 60))
        start = time.perf_counter()
        data.generate(data.MAEPaper(), os.path.join(tmp, "mae.h5"), args.count, seed=1,
                      normalization="none", workers=args.workers, progress=False)
        seconds = time.perf_counter() - start
        print("mae: {} examples in {:.1f} s".format(args.count * 80, seconds))


if __name__ == "__main__":
    main()
