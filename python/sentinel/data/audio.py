# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Synthetic programme audio for the analog classes: speech-like or music-like, never silent.

Both are band-limited to about 5 kHz and scaled to a peak of 1.
"""

import numpy as np
from scipy import signal

AUDIO_BANDWIDTH_HZ = 5000.0


def speech_like(n, rate, rng):
    """Voiced speech: a glottal harmonic source with a wandering pitch, shaped by
    two formant resonators that move every syllable, under a syllabic envelope."""
    t = np.arange(n) / rate
    syllable = 0.18
    n_syl = int(np.ceil(t[-1] / syllable)) + 2
    f0_knots = rng.uniform(95.0, 210.0, n_syl)
    f0 = np.interp(t, np.arange(n_syl) * syllable, f0_knots)
    phase = 2 * np.pi * np.cumsum(f0) / rate
    source = np.zeros(n)
    for k in range(1, int(AUDIO_BANDWIDTH_HZ // 95.0)):
        audible = (k * f0) < AUDIO_BANDWIDTH_HZ
        source += audible * np.sin(k * phase) / k
    voiced = np.zeros(n)
    edges = (np.arange(n_syl + 1) * syllable * rate).astype(int)
    for i in range(n_syl):
        a, b = min(edges[i], n), min(edges[i + 1], n)
        if a >= b:
            break
        segment = source[a:b]
        for formant in (rng.uniform(300, 850), rng.uniform(900, 2300)):
            bw = 0.12 * formant
            r = np.exp(-np.pi * bw / rate)
            theta = 2 * np.pi * formant / rate
            segment = signal.lfilter([1 - r], [1, -2 * r * np.cos(theta), r * r], segment)
        voiced[a:b] = segment
    envelope = 0.35 + 0.65 * np.abs(np.sin(np.pi * t / syllable + rng.uniform(0, np.pi)))
    breath = 0.05 * rng.standard_normal(n)
    return _finish(voiced * envelope + breath, rate)


def music_like(n, rate, rng):
    """A melody of plucked notes on a pentatonic scale over a bass line."""
    t = np.arange(n) / rate
    out = np.zeros(n)
    scale = np.array([0, 2, 4, 7, 9])
    for voice, (octave, note_len) in enumerate([(4, (0.12, 0.35)), (2, (0.4, 0.8))]):
        start = 0.0
        while start < t[-1]:
            length = rng.uniform(*note_len)
            semitone = 12 * octave + rng.choice(scale) + 12 * rng.integers(0, 2)
            f = 16.35 * 2 ** (semitone / 12.0)
            idx = (t >= start) & (t < start + length + 0.2)
            tau = t[idx] - start
            note = np.zeros(tau.size)
            for h in range(1, 6):
                if h * f < AUDIO_BANDWIDTH_HZ:
                    note += np.sin(2 * np.pi * h * f * tau) / h ** 1.5
            out[idx] += (0.6 if voice else 1.0) * note * np.exp(-tau / (0.5 * length + 0.05))
            start += length
    out += 0.1 * np.sin(2 * np.pi * 0.5 * t)  # a slow swell keeps it from dropping out
    return _finish(out, rate)


def _finish(x, rate):
    b, a = signal.butter(6, AUDIO_BANDWIDTH_HZ / (rate / 2))
    x = signal.lfilter(b, a, x)
    return (x / (np.max(np.abs(x)) + 1e-12)).astype(np.float32)


def programme_audio(n, rate, rng):
    """Speech-like or music-like audio, chosen at random."""
    return speech_like(n, rate, rng) if rng.random() < 0.5 else music_like(n, rate, rng)
