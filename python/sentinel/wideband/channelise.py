# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Bring one emitter of a wideband stream to what the models take: shifted to baseband,
filtered to its band, its symbol rate estimated, and resampled so that it arrives at
MODEL_RATE with MODEL_SPS samples per symbol (25 kbaud at 200 kHz for the shipped models).

Symbol rate: a linear modulation's squared envelope |x|^2 carries a spectral line at the
symbol rate (for an RRC pulse of roll-off beta its strength grows with beta). The estimate
is the strongest line between `low` and `high` times the emitter's -3 dB bandwidth (for an
RRC emitter about its symbol rate), refined by a parabola through the three bins around
it; without a line above what chance gives the largest of the searched bins
(constant-envelope and analog classes) the -3 dB bandwidth itself is the fallback, and
`source` says which.
"""

import fractions
import math

import numpy as np

MODEL_RATE = 200e3
MODEL_SPS = 8


def to_baseband(samples, samp_rate, center_hz, bandwidth_hz, excess=1.6):
    """The emitter at `center_hz` shifted to 0 Hz and low-pass filtered to excess x its
    bandwidth (complex64, same rate)."""
    from scipy import signal

    n = np.arange(len(samples))
    shifted = np.asarray(samples, np.complex64) * np.exp(-2j * np.pi * center_hz / samp_rate * n).astype(np.complex64)
    cutoff = min(excess * bandwidth_hz / 2, 0.45 * samp_rate)
    taps = signal.firwin(129, cutoff, fs=samp_rate)
    return signal.lfilter(taps, 1.0, shifted).astype(np.complex64)


def estimate_symbol_rate(baseband, samp_rate, bandwidth_hz, low=0.6, high=1.5, false_line=1e-3):
    """(symbol rate in Hz, "spectral_line" | "bandwidth") of an emitter at baseband. A line
    counts when it is above what the largest of the searched bins reaches by chance with
    probability `false_line` if the squared envelope had no line (bins ~ exponential)."""
    power = np.abs(np.asarray(baseband, np.complex128)) ** 2
    if np.std(power) <= 1e-6 * power.mean():
        return float(bandwidth_hz), "bandwidth"          # a constant envelope: no line to find
    power -= power.mean()
    spectrum = np.abs(np.fft.rfft(power * np.hanning(len(power)))) ** 2
    freqs = np.fft.rfftfreq(len(power), 1 / samp_rate)
    band = np.flatnonzero((freqs >= low * bandwidth_hz) & (freqs <= high * bandwidth_hz))
    if len(band) < 3:
        return float(bandwidth_hz), "bandwidth"
    peak = band[np.argmax(spectrum[band])]
    mean = np.median(spectrum[band]) / math.log(2)
    if spectrum[peak] < mean * (math.log(len(band)) + math.log(1 / false_line)) or peak in (0, len(spectrum) - 1):
        return float(bandwidth_hz), "bandwidth"
    a, b, c = np.log(spectrum[peak - 1:peak + 2] + 1e-300)
    shift = 0.5 * (a - c) / (a - 2 * b + c) if (a - 2 * b + c) < 0 else 0.0
    return float((peak + shift) * (freqs[1] - freqs[0])), "spectral_line"


def resampling_ratio(samp_rate, symbol_rate, sps=MODEL_SPS, max_denominator=1000):
    """(up, down): samp_rate * up / down = sps * symbol_rate, as a rational approximation."""
    ratio = fractions.Fraction(sps * symbol_rate / samp_rate).limit_denominator(max_denominator)
    if ratio <= 0:
        raise ValueError("symbol_rate: {}; allowed: a positive rate".format(symbol_rate))
    return ratio.numerator, ratio.denominator


def channelise(samples, samp_rate, center_hz, bandwidth_hz, symbol_rate=None):
    """The emitter at MODEL_SPS samples per symbol (to be read as a MODEL_RATE stream):
    returns (complex64 samples, symbol rate used, its source)."""
    from scipy import signal

    if not (math.isfinite(samp_rate) and samp_rate > 0):
        raise ValueError("samp_rate: {}; allowed: a finite rate > 0".format(samp_rate))
    if not (0 < bandwidth_hz < samp_rate):
        raise ValueError("bandwidth_hz: {}; allowed: 0 < bandwidth < samp_rate ({})".format(bandwidth_hz, samp_rate))
    baseband = to_baseband(samples, samp_rate, center_hz, bandwidth_hz)
    source = "given"
    if symbol_rate is None:
        symbol_rate, source = estimate_symbol_rate(baseband, samp_rate, bandwidth_hz)
    up, down = resampling_ratio(samp_rate, symbol_rate)
    return signal.resample_poly(baseband, up, down).astype(np.complex64), float(symbol_rate), source
