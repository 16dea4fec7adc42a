# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Signals from numpy alone, sharing no code with the GNU Radio generator, so that a model
trained on that generator is measured on data it has never seen the making of."""

import numpy as np


def square_qam(m):
    """Square M-QAM points at unit mean power."""
    side = int(np.sqrt(m))
    levels = np.arange(side) * 2 - (side - 1)
    points = (levels[:, None] + 1j * levels[None, :]).ravel()
    return points / np.sqrt(np.mean(np.abs(points) ** 2))


def rrc_pulse(t, beta):
    """Root-raised-cosine impulse response at times t (in symbols), unit energy."""
    t = np.asarray(t, np.float64)
    h = np.empty_like(t)
    zero = np.isclose(t, 0.0)
    edge = np.isclose(np.abs(4 * beta * t), 1.0)
    rest = ~(zero | edge)
    h[zero] = 1 - beta + 4 * beta / np.pi
    h[edge] = beta / np.sqrt(2) * ((1 + 2 / np.pi) * np.sin(np.pi / (4 * beta))
                                   + (1 - 2 / np.pi) * np.cos(np.pi / (4 * beta)))
    tr = t[rest]
    h[rest] = (np.sin(np.pi * tr * (1 - beta)) + 4 * beta * tr * np.cos(np.pi * tr * (1 + beta))) / (
        np.pi * tr * (1 - (4 * beta * tr) ** 2))
    return h / np.sqrt(np.sum(h ** 2))


def shaped_symbols(points, count, length, rng, sps=8, rolloff=0.35, span=8):
    """(count, length) RRC-shaped windows of i.i.d. symbols from `points`, each from a
    random symbol phase, at unit mean power; no noise, no carrier."""
    from scipy import signal

    points = np.asarray(points, np.complex128)
    pulse = rrc_pulse(np.arange(-span * sps, span * sps + 1) / sps, rolloff)
    nsym = length // sps + 4 * span
    up = np.zeros((count, nsym * sps), np.complex128)
    up[:, ::sps] = points[rng.integers(0, len(points), (count, nsym))]
    shaped = signal.fftconvolve(up, pulse[None, :], axes=1)[:, 2 * span * sps:]
    starts = rng.integers(0, sps, count)
    out = np.stack([shaped[k, s:s + length] for k, s in enumerate(starts)])
    return (out / np.sqrt(np.mean(np.abs(out) ** 2, axis=1, keepdims=True))).astype(np.complex64)


def complex_noise(rng, shape, power=1.0):
    """Circular complex white Gaussian noise of mean power `power` per sample."""
    return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)) * np.sqrt(power / 2)


def multipath(x, rng, delays=(0.0, 0.9, 1.7), mags=(1.0, 0.8, 0.3), k_factor=4.0, taps=8):
    """(count, length) windows through a static multipath channel drawn per window: one
    path per delay (in samples, fractional by a windowed sinc), of mean power mags^2, the
    first Rician with factor k_factor, the others Rayleigh; total mean power 1. Static:
    the RadioML-style channel's 1 Hz Doppler barely moves within a window."""
    from scipy import signal

    x = np.asarray(x, np.complex128)
    count = len(x)
    mags = np.asarray(mags, float) / np.sqrt(np.sum(np.square(mags)))
    gains = (rng.standard_normal((count, len(mags))) + 1j * rng.standard_normal((count, len(mags)))) / np.sqrt(2)
    line = np.sqrt(k_factor / (k_factor + 1)) * np.exp(1j * rng.uniform(0, 2 * np.pi, count))
    gains[:, 0] = line + np.sqrt(1 / (k_factor + 1)) * gains[:, 0]
    gains *= mags
    n = np.arange(-taps, taps + 1)
    response = np.zeros((count, len(n)), np.complex128)
    for gain, delay in zip(gains.T, delays):
        shifted = n - delay   # a Hamming-windowed sinc centred on the path's delay
        response += gain[:, None] * (np.sinc(shifted) * (0.54 + 0.46 * np.cos(np.pi * shifted / (taps + 1))))[None, :]
    out = signal.fftconvolve(x, response, axes=1)[:, taps:taps + x.shape[1]]
    return out.astype(np.complex64)
