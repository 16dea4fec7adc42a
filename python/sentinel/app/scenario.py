# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""The simulated transmitter: segments of the 11 RadioML classes and of anomalous
signals (a linear chirp, wideband noise), switching every few hundred milliseconds."""

import dataclasses

import numpy as np

from ..data.modulators import CLASSES, modulate

SAMPLE_RATE = 200e3
ANOMALIES = ("ANOMALY-CHIRP", "ANOMALY-NOISE")


@dataclasses.dataclass
class Segment:
    label: str
    start: int
    length: int

    @property
    def anomalous(self):
        return self.label in ANOMALIES


def _anomaly(label, n, rng):
    if label == "ANOMALY-CHIRP":
        t = np.arange(n) / SAMPLE_RATE
        sweep = rng.uniform(20e3, 60e3)
        phase = 2 * np.pi * (-sweep / 2 * t + sweep / (2 * t[-1]) * t ** 2)
        return np.exp(1j * phase).astype(np.complex64)
    x = rng.standard_normal(n) + 1j * rng.standard_normal(n)
    return (x / np.sqrt(2)).astype(np.complex64)


def build(duration_s, seed=0, segment_s=(0.2, 0.5), anomaly_share=0.15):
    """(complex64 samples at unit power, list of Segment) for about `duration_s` seconds.

    Every class appears before any repeats (shuffled rounds), so even a short run
    covers them."""
    rng = np.random.default_rng(seed)
    total = int(duration_s * SAMPLE_RATE)
    segments, pieces, position, pool = [], [], 0, []
    while position < total:
        if not pool:
            pool = list(rng.permutation(CLASSES))
        label = str(rng.choice(ANOMALIES)) if rng.random() < anomaly_share else pool.pop()
        n = int(rng.uniform(*segment_s) * SAMPLE_RATE)
        x = _anomaly(label, n, rng) if label in ANOMALIES else modulate(label, n, rng)
        pieces.append(x)
        segments.append(Segment(label, position, n))
        position += n
    return np.concatenate(pieces).astype(np.complex64), segments


def label_at(segments, offset, length, total):
    """The segment label covering [offset, offset + length) (modulo the scenario length
    when it repeats), or None when the window straddles a switch."""
    start = offset % total
    for s in segments:
        if s.start <= start < s.start + s.length:
            return s.label if start + length <= s.start + s.length else None
    return None
