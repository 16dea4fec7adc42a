# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Bring one emitter of a wideband stream to what the models take: shifted to baseband,
filtered to its band, its symbol rate estimated, and resampled so that it arrives at
MODEL_RATE with MODEL_SPS samples per symbol (25 kbaud at 200 kHz for the shipped models).

Extraction (extract_band) works on a segment in the frequency domain: the segment's FFT
bins within +-out_rate/2 of the emitter's centre are kept (that is the shift to baseband
and the resampling, to exactly len(bins) * samp_rate / len(segment)), tapered to zero
outside the emitter's band (raised cosine), and inverse transformed; what is left of the
centre below half a bin is removed on the output. Bins outside the band can be
refilled with white noise at the receiver's floor, so that the emitter arrives in the
white noise the models were trained on instead of alone in a filtered gap. The transform
is circular: the first and last `margin` output samples are not to be used.

Symbol rate: a linear modulation's squared envelope |x|^2 carries a spectral line at the
symbol rate (for an RRC pulse of roll-off beta its strength grows with beta). The estimate
is the strongest line between `low` and `high` times the emitter's -3 dB bandwidth (for an
RRC emitter about its symbol rate), refined by a parabola through the three bins around
it; without a line above what chance gives the largest of the searched bins
(constant-envelope and analog classes) the -3 dB bandwidth itself is the fallback, and
`source` says which.
"""

import math

import numpy as np

MODEL_RATE = 200e3
MODEL_SPS = 8
#: the band kept around an emitter, as a multiple of its -3 dB bandwidth (an RRC emitter of
#: roll-off 0.5 occupies 1.5x), and the raised-cosine taper's width beyond it (same unit)
PASSBAND = 1.6
TAPER = 0.4


def _check_rate(samp_rate):
    if not (isinstance(samp_rate, (int, float, np.floating)) and math.isfinite(samp_rate) and samp_rate > 0):
        raise ValueError("samp_rate: {!r}; allowed: a finite rate > 0".format(samp_rate))


def extract_band(segment, samp_rate, center_hz, bandwidth_hz, out_rate, floor=None, rng=None):
    """The emitter at `center_hz` of `segment` (complex, at samp_rate) at baseband and at
    `out_rate` (above samp_rate: interpolated): complex64 of round(len * out_rate / samp_rate) samples,
    band-limited to PASSBAND x bandwidth_hz with a TAPER-wide raised-cosine edge. With
    `floor` (the receiver's noise power per wideband sample) and `rng`, the bins outside
    the band are refilled with white noise at that floor."""
    _check_rate(samp_rate)
    if not (0 < bandwidth_hz < samp_rate):
        raise ValueError("bandwidth_hz: {}; allowed: 0 < bandwidth < samp_rate ({})".format(bandwidth_hz, samp_rate))
    if not (isinstance(out_rate, (int, float, np.floating)) and math.isfinite(out_rate) and out_rate > 0):
        raise ValueError("out_rate: {!r}; allowed: a finite rate > 0".format(out_rate))
    from scipy import fft

    n = len(segment)
    m = max(1, int(round(n * out_rate / samp_rate)))
    rate = m * samp_rate / n
    # the shift: by whole bins in the frequency domain, the rest (under half a bin) on the output
    nearest = int(round(center_hz / samp_rate * n))
    residual = center_hz - nearest * samp_rate / n
    spectrum = fft.fft(np.asarray(segment, np.complex64))
    # the bins with |f| < out_rate / 2 around the emitter, in FFT order (zeros beyond samp_rate / 2)
    positive, negative = min((m + 1) // 2, (n + 1) // 2), min(m // 2, n // 2)
    band = np.zeros(m, np.complex64)
    band[:positive] = spectrum.take(np.arange(nearest, nearest + positive), mode="wrap")
    if negative:
        band[m - negative:] = spectrum.take(np.arange(nearest - negative, nearest), mode="wrap")
    freqs = fft.fftfreq(m, 1.0 / rate) - residual
    edge, taper = PASSBAND * bandwidth_hz / 2, TAPER * bandwidth_hz
    beyond = np.clip((np.abs(freqs) - edge) / taper, 0.0, 1.0)
    gain = np.cos(np.pi / 2 * beyond) ** 2
    band *= gain.astype(np.float32)
    if floor is not None and rng is not None and floor > 0:
        fill = np.sqrt(np.maximum(1.0 - gain ** 2, 0.0) * n * floor / 2)
        band += (fill * (rng.standard_normal(m) + 1j * rng.standard_normal(m))).astype(np.complex64)
    out = fft.ifft(band) * np.float32(m / n)
    if residual:
        out *= np.exp(-2j * np.pi * residual / rate * np.arange(m)).astype(np.complex64)
    return out.astype(np.complex64, copy=False)


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


def estimation_rate(samp_rate, bandwidth_hz):
    """The rate an emitter is extracted at to estimate its symbol rate: 4x its bandwidth
    (the line at about 1x then sits well inside the band)."""
    return 4.0 * float(bandwidth_hz)


def symbol_rate_of(segment, samp_rate, center_hz, bandwidth_hz):
    """(symbol rate, source) of the emitter at center_hz in a wideband segment."""
    rate = estimation_rate(samp_rate, bandwidth_hz)
    return estimate_symbol_rate(extract_band(segment, samp_rate, center_hz, bandwidth_hz, rate), rate, bandwidth_hz)


def channelise(samples, samp_rate, center_hz, bandwidth_hz, symbol_rate=None, floor=None, rng=None):
    """The emitter at MODEL_SPS samples per symbol (to be read as a MODEL_RATE stream):
    returns (complex64 samples, symbol rate used, its source). The whole input is one
    segment (see extract_band: its ends are circular)."""
    _check_rate(samp_rate)
    if not (0 < bandwidth_hz < samp_rate):
        raise ValueError("bandwidth_hz: {}; allowed: 0 < bandwidth < samp_rate ({})".format(bandwidth_hz, samp_rate))
    source = "given"
    if symbol_rate is None:
        symbol_rate, source = symbol_rate_of(samples, samp_rate, center_hz, bandwidth_hz)
    if not symbol_rate > 0:
        raise ValueError("symbol_rate: {}; allowed: a positive rate".format(symbol_rate))
    out_rate = MODEL_SPS * symbol_rate
    return extract_band(samples, samp_rate, center_hz, bandwidth_hz, out_rate, floor, rng), float(symbol_rate), source
