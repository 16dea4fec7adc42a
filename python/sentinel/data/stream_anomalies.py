# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the stream MAE must flag: windows at the sentinel's 200 kHz that none of the
normal traffic (the 11 RadioML-style classes at 25 kbaud) produces, generated with numpy
alone (data.independent), so no anomaly shares code with the training set's generator.

Each family makes (count, length) complex64 windows before noise and receiver, whose
reference power is 1: the whole window for a foreign signal (chirps, OFDM, tones,
near-neighbour modulations), the underlying normal signal for interference on top of one
(noise bursts, impulses, jammers, a second emitter). `windows()` then puts it through the
multipath the normal traffic has (data.independent.multipath: the RadioML-style delays
and powers, drawn per window, its gain normalised away as the generator measures the SNR
after the channel), adds complex AWGN at the per-sample SNR against that
reference, the generator's definition, and the impairments of a live receiver
(data.receiver: carrier offset, drift, IQ imbalance, DC, AGC and 8-bit ADC).
"""

import numpy as np

from . import independent, receiver

SAMPLE_RATE = 200e3
SPS = 8

#: The normal set's linear constellations, as the carriers of interference families.
_CARRIERS = {"BPSK": [1, -1], "QPSK": np.exp(1j * (np.pi / 4 + np.pi / 2 * np.arange(4))),
             "QAM16": independent.square_qam(16)}


def _normal(count, length, rng):
    """A normal-looking emitter (BPSK, QPSK or QAM16, RRC 0.35, 8 samples per symbol)."""
    names = list(_CARRIERS)
    which = rng.integers(0, len(names), count)
    out = np.empty((count, length), np.complex64)
    for k, name in enumerate(names):
        rows = np.flatnonzero(which == k)
        if len(rows):
            out[rows] = independent.shaped_symbols(_CARRIERS[name], len(rows), length, rng, SPS)
    return out


def _unit(x):
    x = np.asarray(x, np.complex128)
    return (x / np.sqrt(np.mean(np.abs(x) ** 2, axis=1, keepdims=True))).astype(np.complex64)


def _tone_at(freq_hz, length, phase):
    n = np.arange(length)
    return np.exp(1j * (2 * np.pi * freq_hz * n / SAMPLE_RATE + phase))


def _segment_mask(count, length, rng, share):
    """A random contiguous stretch of each window, `share` (low, high) of its length."""
    size = (rng.uniform(*share, count) * length).astype(int)
    start = rng.integers(0, length - size + 1)
    n = np.arange(length)
    return (n >= start[:, None]) & (n < (start + size)[:, None])


def _band_noise(count, length, rng, bandwidth_hz, centre_hz):
    spectrum = np.fft.fft(independent.complex_noise(rng, (count, length)), axis=1)
    freqs = np.fft.fftfreq(length, 1 / SAMPLE_RATE)
    spectrum *= np.abs(freqs[None, :] - centre_hz[:, None]) < bandwidth_hz[:, None] / 2
    return _unit(np.fft.ifft(spectrum, axis=1))


# ---- foreign signals ----------------------------------------------------------------------
def _sweep_ends(count, rng, low, high):
    """(start, span) of sweeps of low..high Hz that stay within +-90 kHz, either way."""
    span = rng.uniform(low, high, (count, 1))
    start = rng.uniform(-90e3, 90e3 - span)
    down = rng.random((count, 1)) < 0.5
    return np.where(down, -start, start), np.where(down, -span, span)


def linear_chirp(count, length, rng):
    """A linear sweep of 40-160 kHz per window, up or down, within +-90 kHz."""
    t = np.arange(length) / SAMPLE_RATE
    start, span = _sweep_ends(count, rng, 40e3, 160e3)
    rate = span / (length / SAMPLE_RATE)
    return np.exp(2j * np.pi * (start * t + 0.5 * rate * t * t) + 1j * rng.uniform(0, 2 * np.pi, (count, 1)))


def nonlinear_chirp(count, length, rng):
    """A quadratic sweep: the frequency runs along a parabola by 40-120 kHz within +-90 kHz."""
    duration = length / SAMPLE_RATE
    t = np.arange(length) / SAMPLE_RATE
    start, span = _sweep_ends(count, rng, 40e3, 120e3)
    phase = start * t + span * t ** 3 / (3 * duration ** 2)
    return np.exp(2j * np.pi * phase + 1j * rng.uniform(0, 2 * np.pi, (count, 1)))


def ofdm(count, length, rng, fft_size=256, cyclic_prefix=64):
    """OFDM with QPSK on the subcarriers of a 40-150 kHz band, 256-point symbols and a
    64-sample cyclic prefix (781 Hz subcarrier spacing at 200 kHz)."""
    out = np.empty((count, length), np.complex64)
    symbol = fft_size + cyclic_prefix
    symbols = -(-length // symbol) + 1
    freqs = np.fft.fftfreq(fft_size, 1 / SAMPLE_RATE)
    for k in range(count):
        band = rng.uniform(40e3, 150e3)
        used = np.abs(freqs) < band / 2
        used[0] = False
        qpsk = (rng.choice((-1, 1), (symbols, fft_size)) + 1j * rng.choice((-1, 1), (symbols, fft_size))) * used
        body = np.fft.ifft(qpsk, axis=1)
        frame = np.concatenate([body[:, -cyclic_prefix:], body], axis=1).ravel()
        start = rng.integers(0, symbol)
        out[k] = frame[start:start + length]
    return _unit(out)


def tone(count, length, rng):
    """A carrier anywhere within +-80 kHz."""
    return np.stack([_tone_at(rng.uniform(-80e3, 80e3), length, rng.uniform(0, 2 * np.pi)) for _ in range(count)])


def two_tone(count, length, rng):
    """Two equal carriers within +-80 kHz, at least 5 kHz apart."""
    out = []
    for _ in range(count):
        a = rng.uniform(-80e3, 80e3)
        b = a + rng.choice((-1, 1)) * rng.uniform(5e3, 60e3)
        out.append(_tone_at(a, length, rng.uniform(0, 2 * np.pi)) + _tone_at(np.clip(b, -95e3, 95e3), length,
                                                                            rng.uniform(0, 2 * np.pi)))
    return _unit(np.stack(out))


# ---- interference on top of a normal emitter ----------------------------------------------
def noise_burst(count, length, rng):
    """White or band-limited (20-100 kHz) noise 0-10 dB above the signal for 10-40 % of
    the window."""
    burst = _band_noise(count, length, rng, rng.uniform(20e3, 200e3, count), rng.uniform(-50e3, 50e3, count))
    level = 10 ** (rng.uniform(0.0, 10.0, (count, 1)) / 20)
    return _normal(count, length, rng) + level * burst * _segment_mask(count, length, rng, (0.1, 0.4))


def impulsive(count, length, rng):
    """1-3 % of the samples hit by impulses 20 dB above the signal."""
    hits = rng.random((count, length)) < rng.uniform(0.01, 0.03, (count, 1))
    return _normal(count, length, rng) + hits * 10.0 * independent.complex_noise(rng, (count, length))


def swept_jammer(count, length, rng):
    """A carrier swept across +-90 kHz once or twice a window, 0-6 dB above the signal."""
    t = np.arange(length) / SAMPLE_RATE
    period = length / SAMPLE_RATE / rng.uniform(1.0, 2.0, (count, 1))
    frequency = -90e3 + 180e3 * ((t / period + rng.uniform(0, 1, (count, 1))) % 1.0)
    phase = 2 * np.pi * np.cumsum(frequency, axis=1) / SAMPLE_RATE
    level = 10 ** (rng.uniform(0.0, 6.0, (count, 1)) / 20)
    return _normal(count, length, rng) + level * np.exp(1j * phase)


def pulsed_jammer(count, length, rng):
    """A carrier within +-60 kHz, 3-10 dB above the signal, on for 20-50 % of each
    64-256-sample period."""
    out = _normal(count, length, rng).astype(np.complex128)
    n = np.arange(length)
    for k in range(count):
        period = rng.integers(64, 257)
        on = ((n + rng.integers(0, period)) % period) < rng.uniform(0.2, 0.5) * period
        level = 10 ** (rng.uniform(3.0, 10.0) / 20)
        out[k] += level * on * _tone_at(rng.uniform(-60e3, 60e3), length, rng.uniform(0, 2 * np.pi))
    return out


def overlapping(count, length, rng):
    """A second normal emitter 30-70 kHz off the first, 0-6 dB weaker."""
    offsets = rng.choice((-1, 1), count) * rng.uniform(30e3, 70e3, count)
    n = np.arange(length)
    second = _normal(count, length, rng) * np.exp(2j * np.pi * offsets[:, None] * n / SAMPLE_RATE)
    return _normal(count, length, rng) + 10 ** (-rng.uniform(0.0, 6.0, (count, 1)) / 20) * second


# ---- near-neighbour modulations -----------------------------------------------------------
def _apsk16():
    inner = np.exp(1j * (np.pi / 4 + np.pi / 2 * np.arange(4)))
    outer = 2.57 * np.exp(1j * (np.pi / 12 + np.pi / 6 * np.arange(12)))
    return np.concatenate([inner, outer])


def _cross_qam32():
    levels = np.arange(6) * 2 - 5
    grid = (levels[:, None] + 1j * levels[None, :]).ravel()
    return grid[~((np.abs(grid.real) == 5) & (np.abs(grid.imag) == 5))]


def apsk16(count, length, rng):
    """16APSK (4+12 rings, radius ratio 2.57, DVB-S2's 2/3 rate), RRC 0.35, 25 kbaud."""
    return independent.shaped_symbols(_apsk16(), count, length, rng, SPS)


def qam32(count, length, rng):
    """Cross 32QAM, RRC 0.35, 25 kbaud."""
    return independent.shaped_symbols(_cross_qam32(), count, length, rng, SPS)


def ook(count, length, rng):
    """On-off keying, RRC 0.35, 25 kbaud."""
    return independent.shaped_symbols([0.0, np.sqrt(2)], count, length, rng, SPS)


def _gaussian_frequency_pulse(bt, sps, span=4):
    t = np.arange(-span * sps, span * sps + 1) / sps
    sigma = np.sqrt(np.log(2)) / (2 * np.pi * bt)
    g = np.exp(-t ** 2 / (2 * sigma ** 2))
    rect = np.ones(sps)
    pulse = np.convolve(g / g.sum(), rect)
    return pulse / pulse.sum()


def gmsk_bt1(count, length, rng, bt=1.0):
    """GMSK (h = 0.5) at BT 1.0; the normal GFSK is BT 0.35."""
    nsym = length // SPS + 16
    impulses = np.zeros((count, nsym * SPS))
    impulses[:, ::SPS] = rng.choice((-1.0, 1.0), (count, nsym))
    frequency = np.apply_along_axis(np.convolve, 1, impulses, _gaussian_frequency_pulse(bt, SPS), "same")
    phase = np.pi * 0.5 * np.cumsum(frequency, axis=1)  # h * pi = pi / 2 per symbol
    starts = rng.integers(0, 8 * SPS, count)
    return np.stack([np.exp(1j * phase[k, s:s + length]) for k, s in enumerate(starts)])


def nbfm(count, length, rng):
    """FM with a 5 kHz deviation of a 3 kHz-band audio-like message; the normal WBFM
    deviates by 75 kHz."""
    from scipy import signal

    taps = signal.firwin(129, 3e3, fs=SAMPLE_RATE)
    message = signal.lfilter(taps, 1.0, rng.standard_normal((count, length + 256)), axis=1)[:, 256:]
    message /= np.max(np.abs(message), axis=1, keepdims=True)
    phase = 2 * np.pi * 5e3 * np.cumsum(message, axis=1) / SAMPLE_RATE
    return np.exp(1j * (phase + rng.uniform(0, 2 * np.pi, (count, 1))))


#: family -> (generator, group). "structural": a different kind of signal or interference;
#: "near_neighbour": a modulation close to one of the normal classes.
FAMILIES = {
    "linear_chirp": (linear_chirp, "structural"), "nonlinear_chirp": (nonlinear_chirp, "structural"),
    "ofdm": (ofdm, "structural"), "tone": (tone, "structural"), "two_tone": (two_tone, "structural"),
    "noise_burst": (noise_burst, "structural"), "impulsive": (impulsive, "structural"),
    "swept_jammer": (swept_jammer, "structural"), "pulsed_jammer": (pulsed_jammer, "structural"),
    "overlapping": (overlapping, "structural"),
    "16APSK": (apsk16, "near_neighbour"), "32QAM": (qam32, "near_neighbour"), "OOK": (ook, "near_neighbour"),
    "GMSK_BT1": (gmsk_bt1, "near_neighbour"), "NBFM": (nbfm, "near_neighbour"),
}

#: The live receiver the stream MAE is trained for: a few kHz of carrier offset (as the
#: `sentinel data generate receiver --cfo-max 3000` training data), IQ imbalance, DC and
#: the 8-bit ADC.
STREAM_RECEIVER = receiver.ReceiverConfig(cfo_hz=(0.0, 3e3), drift_hz_per_s=(0.0, 200.0))


def windows(family, count, snr_db, rng, length=1024, receiver_config=STREAM_RECEIVER, fading=True):
    """(count, length) complex64 windows of `family` at `snr_db` through the multipath
    (fading=False: none) and the receiver (None: noise only, no receiver)."""
    if family not in FAMILIES:
        raise ValueError("family: '{}'; allowed: {}".format(family, ", ".join(FAMILIES)))
    clean = np.asarray(FAMILIES[family][0](count, length, rng), np.complex64)
    if fading:   # the SNR is after the channel, as the generator's: keep each window's power
        power = np.mean(np.abs(clean) ** 2, axis=1, keepdims=True)
        clean = independent.multipath(clean, rng)
        clean *= np.sqrt(power / np.maximum(np.mean(np.abs(clean) ** 2, axis=1, keepdims=True), 1e-30))
    noisy = clean + independent.complex_noise(rng, clean.shape, 10 ** (-snr_db / 10)).astype(np.complex64)
    if receiver_config is None:
        return noisy
    return np.stack([receiver.apply_receiver(x, receiver.draw(receiver_config, rng), receiver_config)
                     for x in noisy]).astype(np.complex64)
