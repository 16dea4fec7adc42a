# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Windows that are none of the RadioML classes, to check that a rejecting classifier
says "reject" for them: noise (an empty channel), a tone, a chirp, OFDM, impulses.
Every generator returns complex64 windows (count, length); power normalisation is the
caller's (the model blocks normalise every window)."""

import numpy as np


def _complex_noise(rng, shape):
    return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)) / np.sqrt(2)


def _band_limit(noise, bandwidth, centre):
    """Keep the FFT bins within bandwidth/2 of centre (both in cycles per sample)."""
    spectrum = np.fft.fft(noise, axis=1)
    spectrum *= np.abs(np.fft.fftfreq(noise.shape[1])[None, :] - centre) < bandwidth / 2
    return np.fft.ifft(spectrum, axis=1)


def background_windows(count, length, rng):
    """The rejection SVMs' noise windows: the first half complex white Gaussian noise,
    the rest band-limited to a random 10-100% of the band at a random centre. Not built
    from white_noise/band_limited_noise: its draw order is what the shipped SVMs saw."""
    white = count // 2
    noise = rng.standard_normal((count, length)) + 1j * rng.standard_normal((count, length))
    bandwidth = rng.uniform(0.1, 1.0, (count - white, 1))
    centre = rng.uniform(-0.5, 0.5, (count - white, 1))
    noise[white:] = _band_limit(noise[white:], bandwidth, centre)
    return noise.astype(np.complex64)


def white_noise(count, length, rng):
    return _complex_noise(rng, (count, length)).astype(np.complex64)


def band_limited_noise(count, length, rng):
    noise = _complex_noise(rng, (count, length))
    return _band_limit(noise, rng.uniform(0.1, 1.0, (count, 1)), rng.uniform(-0.5, 0.5, (count, 1))).astype(
        np.complex64)


def tone(count, length, rng, snr_db=20.0):
    """A carrier at a random offset within +-0.4 cycles per sample, in white noise."""
    t = np.arange(length)
    carrier = np.exp(2j * np.pi * (rng.uniform(-0.4, 0.4, (count, 1)) * t + rng.uniform(0, 1, (count, 1))))
    return (carrier + 10 ** (-snr_db / 20) * _complex_noise(rng, (count, length))).astype(np.complex64)


def chirp(count, length, rng):
    """A linear chirp from a random start frequency, sweeping 0.13-0.77 cycles per sample
    over the window."""
    t = np.arange(length)
    start = rng.uniform(-0.4, 0.0, (count, 1))
    rate = rng.uniform(0.001, 0.006, (count, 1))
    return np.exp(2j * np.pi * (start * t + 0.5 * rate * t * t)).astype(np.complex64)


def ofdm(count, length, rng, subcarriers=64):
    """QPSK on `subcarriers` subcarriers, symbols repeated to fill the window."""
    symbols = (rng.choice([-1.0, 1.0], (count, subcarriers)) + 1j * rng.choice([-1.0, 1.0], (count, subcarriers)))
    time = np.fft.ifft(symbols / np.sqrt(2), axis=1) * np.sqrt(subcarriers)
    return np.tile(time, (1, -(-length // subcarriers)))[:, :length].astype(np.complex64)


def impulsive_noise(count, length, rng, share=0.05, level_db=40.0):
    """White noise with `share` of the samples `level_db` stronger."""
    noise = _complex_noise(rng, (count, length))
    hits = rng.random((count, length)) < share
    noise[hits] *= 10 ** (level_db / 20)
    return noise.astype(np.complex64)


FAMILIES = {"white_noise": white_noise, "band_limited_noise": band_limited_noise, "ofdm": ofdm,
            "impulsive_noise": impulsive_noise, "tone": tone, "chirp": chirp}
