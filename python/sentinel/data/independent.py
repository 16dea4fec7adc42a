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
