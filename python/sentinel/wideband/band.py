# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""A simulated wideband band: several emitters of the linear classes at random centres,
symbol rates (10-100 kbaud), powers and on/off times, in receiver noise, with the truth
the detector and the channeliser are measured against. Numpy only (data.independent)."""

import dataclasses
import fractions

import numpy as np

from ..data import independent

LINEAR_POINTS = {"BPSK": [1, -1], "QPSK": np.exp(1j * (np.pi / 4 + np.pi / 2 * np.arange(4))),
                 "8PSK": np.exp(2j * np.pi * np.arange(8) / 8), "PAM4": np.array([-3, -1, 1, 3]) / np.sqrt(5),
                 "QAM16": independent.square_qam(16), "QAM64": independent.square_qam(64)}


@dataclasses.dataclass
class Emitter:
    label: str
    center_hz: float
    symbol_rate: float
    snr_db: float          # over the noise in its -3 dB band (= symbol rate)
    start: int             # sample offsets
    stop: int
    rolloff: float = 0.35

    @property
    def bandwidth_hz(self):
        """The -3 dB width of an RRC emitter: its symbol rate."""
        return self.symbol_rate


def emitter_samples(emitter, samp_rate, rng):
    """The emitter alone at samp_rate, unit power while on, zero outside [start, stop)."""
    from scipy import signal

    length = emitter.stop - emitter.start
    ratio = fractions.Fraction(samp_rate / (8 * emitter.symbol_rate)).limit_denominator(4000)
    symbols_needed = int(length / samp_rate * emitter.symbol_rate) + 64
    base = independent.shaped_symbols(LINEAR_POINTS[emitter.label], 1, symbols_needed * 8, rng, 8, emitter.rolloff)[0]
    x = signal.resample_poly(base, ratio.numerator, ratio.denominator)[:length]
    x = x / np.sqrt(np.mean(np.abs(x) ** 2))
    x = x * np.exp(2j * np.pi * (emitter.center_hz / samp_rate * np.arange(length) + rng.uniform()))
    return x


def simulate(seconds, samp_rate, rng, emitters=4, labels=tuple(LINEAR_POINTS), rates=(10e3, 100e3),
             snrs_db=(6.0, 20.0), guard=0.05, always_on=False):
    """(complex64 samples, [Emitter]): receiver noise of power 1 per sample and `emitters`
    emitters without overlapping bands (each band +-(1 + rolloff) * rate / 2 plus a guard of
    `guard` x samp_rate), each on for a random stretch of at least a quarter of the run
    (always_on: the whole run)."""
    n = int(seconds * samp_rate)
    x = independent.complex_noise(rng, n).astype(np.complex128)
    placed = []
    for _ in range(emitters):
        for _attempt in range(200):
            rate = float(rng.uniform(*rates))
            half = 1.35 * rate / 2
            edge = samp_rate / 2 - half - guard * samp_rate
            center = float(rng.uniform(-edge, edge))
            if all(abs(center - p.center_hz) > half + 1.35 * p.symbol_rate / 2 + guard * samp_rate for p in placed):
                break
        else:
            break
        start = 0 if always_on else int(rng.uniform(0, 0.5) * n)
        stop = n if always_on else int(min(n, start + rng.uniform(0.25, 1.0) * n))
        emitter = Emitter(str(rng.choice(labels)), center, rate, float(rng.uniform(*snrs_db)), start, stop)
        amplitude = np.sqrt(10 ** (emitter.snr_db / 10) * rate / samp_rate)
        x[start:stop] += amplitude * emitter_samples(emitter, samp_rate, rng)
        placed.append(emitter)
    return x.astype(np.complex64), placed
