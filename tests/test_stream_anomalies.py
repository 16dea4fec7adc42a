# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""The stream MAE's anomaly families do what their names say, measured on the signals
(before noise and receiver unless stated)."""

import numpy as np
import pytest

from gnuradio.sentinel.data import independent, stream_anomalies as sa

FS = sa.SAMPLE_RATE
LENGTH = 1024


def _rng(seed=3):
    return np.random.default_rng(seed)


def _instantaneous_hz(x):
    return np.angle(x[:, 1:] * np.conj(x[:, :-1])) * FS / (2 * np.pi)


def _psd(x):
    return np.mean(np.abs(np.fft.fft(x.reshape(len(x), -1, 64), axis=2)) ** 2, axis=1)


def test_every_family_has_the_shape_and_power_it_promises():
    for name, (make, group) in sa.FAMILIES.items():
        x = np.asarray(make(20, LENGTH, _rng()))
        assert x.shape == (20, LENGTH), name
        assert np.all(np.isfinite(x)), name
        assert group in ("structural", "near_neighbour")
        if group == "near_neighbour" or name in ("linear_chirp", "nonlinear_chirp", "ofdm", "tone", "two_tone"):
            assert np.mean(np.abs(x) ** 2) == pytest.approx(1.0, rel=0.05), name


def test_linear_chirp_sweeps_at_a_constant_rate_within_the_drawn_span():
    f = _instantaneous_hz(sa.linear_chirp(10, LENGTH, _rng()))
    slope = np.polyfit(np.arange(f.shape[1]), f.T, 1)[0] * LENGTH   # Hz per window
    residual = f - np.polyval(np.polyfit(np.arange(f.shape[1]), f.T, 1), np.arange(f.shape[1])[:, None]).T
    assert np.all((np.abs(slope) > 39e3) & (np.abs(slope) < 161e3))
    assert np.max(np.abs(residual)) < 1.0   # Hz: linear in time
    assert np.max(np.abs(f)) < 90.1e3       # no wrap-around at +-100 kHz


def test_nonlinear_chirp_frequency_is_a_parabola_not_a_line():
    f = _instantaneous_hz(sa.nonlinear_chirp(10, LENGTH, _rng()))
    n = np.arange(f.shape[1])
    fit = np.polyfit(n, f.T, 2)
    assert np.all(np.abs(fit[0]) * len(n) ** 2 > 39e3)      # Hz of curvature over the window
    assert np.all(np.ptp(f, axis=1) > 39e3) and np.max(np.abs(f)) < 90.1e3


def test_tone_and_two_tone_put_their_power_in_one_and_two_bins():
    tone = _psd(sa.tone(20, LENGTH, _rng()))
    share = np.sort(tone / tone.sum(axis=1, keepdims=True), axis=1)[:, ::-1]
    # a tone halfway between bins leaves 2 x 0.405 + 2 x 0.045 of its power in the 4 nearest
    assert np.all(share[:, :4].sum(axis=1) > 0.88)
    two = sa.two_tone(20, LENGTH, _rng())
    spectrum = np.abs(np.fft.fft(two, axis=1)) ** 2
    top = np.sort(spectrum / spectrum.sum(axis=1, keepdims=True), axis=1)[:, ::-1]
    assert np.all(top[:, :8].sum(axis=1) > 0.85) and np.all(top[:, 0] < 0.75)


def test_ofdm_occupies_its_drawn_band_and_repeats_its_cyclic_prefix():
    x = sa.ofdm(10, LENGTH, _rng())
    spectrum = np.fft.fftshift(np.mean(np.abs(np.fft.fft(x, axis=1)) ** 2, axis=0))
    freqs = np.fft.fftshift(np.fft.fftfreq(LENGTH, 1 / FS))
    assert spectrum[np.abs(freqs) > 80e3].sum() / spectrum.sum() < 0.02
    # the prefix: sample n and n + 256 agree at the start of every 320-sample symbol
    lag = np.abs(np.sum(x[:, :-256] * np.conj(x[:, 256:]), axis=1)) / np.sum(np.abs(x[:, :-256]) ** 2, axis=1)
    assert np.all(lag > 0.1)


def test_interference_families_keep_the_underlying_signal_and_add_power():
    rng = _rng()
    for name in ("noise_burst", "swept_jammer", "pulsed_jammer", "overlapping"):
        x = np.asarray(getattr(sa, name)(50, LENGTH, rng))
        assert np.mean(np.abs(x) ** 2) > 1.2, name
    impulsive = np.asarray(sa.impulsive(50, LENGTH, rng))
    assert np.median(np.max(np.abs(impulsive) ** 2, axis=1)) > 100   # 20 dB impulses


def test_near_neighbour_constellations():
    assert len(sa._apsk16()) == 16 and len(set(np.round(np.abs(sa._apsk16()), 6))) == 2
    assert np.max(np.abs(sa._apsk16())) / np.min(np.abs(sa._apsk16())) == pytest.approx(2.57)
    points = sa._cross_qam32()
    assert len(points) == 32 and len(np.unique(np.round(points, 6))) == 32
    ook = sa.ook(5, LENGTH, _rng())
    assert np.mean(np.abs(ook) ** 2) == pytest.approx(1.0, rel=1e-4)


def test_gmsk_is_constant_envelope_and_turns_at_most_a_quarter_cycle_per_symbol():
    x = sa.gmsk_bt1(4, LENGTH, _rng())
    assert np.allclose(np.abs(x), 1.0, atol=1e-9)
    phase = np.unwrap(np.angle(x), axis=1)
    per_symbol = np.abs(phase[:, sa.SPS:] - phase[:, :-sa.SPS])   # over any symbol period
    assert np.max(per_symbol) == pytest.approx(np.pi / 2, abs=0.01)   # reached in runs of one sign
    assert np.max(per_symbol) <= np.pi / 2 + 1e-6


def test_nbfm_deviates_by_at_most_5_khz():
    f = _instantaneous_hz(sa.nbfm(10, LENGTH, _rng()))
    assert np.max(np.abs(f)) <= 5e3 + 1.0
    assert np.median(np.max(np.abs(f), axis=1)) > 4e3


def test_windows_add_noise_at_the_snr_against_the_reference_power():
    rng = _rng()
    clean_rng, noisy_rng = _rng(9), _rng(9)
    clean = sa.tone(200, LENGTH, clean_rng)
    noisy = sa.windows("tone", 200, 10.0, noisy_rng, LENGTH, receiver_config=None, fading=False)
    noise = noisy - clean
    assert np.mean(np.abs(noise) ** 2) == pytest.approx(0.1, rel=0.02)
    with pytest.raises(ValueError, match="family: 'radar'; allowed: linear_chirp"):
        sa.windows("radar", 1, 10.0, rng)
    through = sa.windows("tone", 4, 10.0, rng, LENGTH)
    assert through.dtype == np.complex64 and through.shape == (4, LENGTH)


def test_shaped_symbols_are_nyquist_at_the_symbol_instants():
    """Independent RRC QPSK, matched-filtered, lands on the constellation (ISI < 2%)."""
    from scipy import signal

    rng = _rng()
    x = independent.shaped_symbols(np.exp(1j * np.pi / 4 * np.array([1, 3, 5, 7])), 1, 4096, rng, 8)[0]
    pulse = independent.rrc_pulse(np.arange(-64, 65) / 8, 0.35)
    y = signal.fftconvolve(x, pulse)[64:-64]
    best = max(range(8), key=lambda k: np.mean(np.abs(y[k::8][20:-20]) ** 2))
    samples = y[best::8][20:-20]
    samples /= np.sqrt(np.mean(np.abs(samples) ** 2))
    error = np.abs(samples ** 4 / np.abs(samples) ** 4 + 1)   # QPSK at pi/4: x^4 = -1
    assert np.median(error) < 0.02


def test_multipath_has_the_path_powers_and_unit_mean_power():
    """An impulse through 4000 drawn channels: the mean power at each path's delay matches
    mags^2 / sum(mags^2) (integer delays here, so each path is one tap), total power 1."""
    rng = _rng()
    impulse = np.zeros((4000, 64), np.complex64)
    impulse[:, 16] = 1.0
    out = independent.multipath(impulse, rng, delays=(0.0, 1.0, 2.0), mags=(1.0, 0.8, 0.3))
    power = np.mean(np.abs(out) ** 2, axis=0)
    expected = np.array([1.0, 0.64, 0.09]) / 1.73
    assert power[16:19] == pytest.approx(expected, rel=0.08)
    assert np.sum(power) == pytest.approx(1.0, rel=0.05)
    assert np.sum(power) - np.sum(power[16:19]) < 1e-6   # integer delays: nothing leaks
