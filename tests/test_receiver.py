# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Receiver impairments: each one's known effect on a known signal, the recipe's metadata
round trip, and the classical and learned (RTN) offset corrections."""

import math

import numpy as np
import pytest

from gnuradio.sentinel import data
from gnuradio.sentinel.data import channel, modulators, receiver

FS = 200e3


def _tone(f_hz, n=4096, phase=0.0):
    return np.exp(1j * (2 * np.pi * f_hz * np.arange(n) / FS + phase)).astype(np.complex64)


@pytest.mark.parametrize("cfo_hz", [-9000.0, 250.0, 4321.0])
def test_rotator_offset_is_recovered_from_the_phase_slope(cfo_hz):
    """rotate() moves a DC carrier to cfo_hz with the given start phase: the unwrapped phase
    of the result is a line of slope 2 pi cfo / fs (to 0.05 Hz: complex64 rounding) through the phase."""
    y = receiver.rotate(np.ones(2000, np.complex64), cfo_hz, FS, phase_rad=0.7)
    slope, intercept = np.polyfit(np.arange(2000), np.unwrap(np.angle(y)), 1)
    assert slope * FS / (2 * np.pi) == pytest.approx(cfo_hz, abs=0.05)
    assert intercept == pytest.approx(0.7, abs=1e-3)


def test_drift_makes_the_frequency_a_ramp():
    """With drift D Hz/s the instantaneous frequency is cfo + D t."""
    n = 20000
    y = receiver.rotate(np.ones(n, np.complex64), 1000.0, FS, drift_hz_per_s=2e5)
    inst = np.angle(y[1:] * np.conj(y[:-1]).astype(np.complex128)) * FS / (2 * np.pi)
    t = (np.arange(n - 1) + 0.5) / FS
    assert np.max(np.abs(inst - (1000.0 + 2e5 * t))) < 0.5


@pytest.mark.parametrize("gain_db, phase_deg", [(1.0, 0.0), (0.0, 5.0), (-0.7, -3.0), (1.0, 5.0)])
def test_iq_imbalance_image_level_matches_theory(gain_db, phase_deg):
    """A tone at +f gets an image at -f whose power ratio is image_rejection_db (to 0.05 dB);
    1 dB alone is about 24.8 dB of image rejection."""
    f = FS * 37 / 1024
    y = receiver.iq_imbalance(_tone(f, 1024), gain_db, phase_deg)
    spectrum = np.abs(np.fft.fft(y)) ** 2
    measured = 10 * np.log10(spectrum[37] / spectrum[-37])
    assert measured == pytest.approx(receiver.image_rejection_db(gain_db, phase_deg), abs=0.05)
    assert receiver.image_rejection_db(1.0, 0.0) == pytest.approx(24.8, abs=0.1)


def test_quantizer_outputs_only_adc_levels_at_the_agc_level():
    """8 bits: every output value is one of the 256 levels (code - 127.5) / 127.5; the AGC sets
    the RMS per rail to -backoff dBFS (to 0.1 dB); large peaks clip at full scale."""
    rng = np.random.default_rng(4)
    x = (rng.standard_normal(50000) + 1j * rng.standard_normal(50000)).astype(np.complex64) * 3.7
    y = receiver.quantize(x, 8, 12.0)
    levels = receiver.adc_levels(8)
    assert len(levels) == 256 and levels[0] == -1.0 and levels[-1] == 1.0
    for rail in (y.real, y.imag):
        assert np.all(np.isin(np.round(rail * 127.5 + 127.5, 3), np.arange(256)))
    rms_db = 10 * np.log10(np.mean(y.real ** 2))
    assert rms_db == pytest.approx(-12.0, abs=0.1)
    clipped = receiver.quantize(x, 8, 0.0)  # RMS at full scale: a third of samples clip
    assert np.max(np.abs(clipped.real)) == 1.0 and np.mean(np.abs(clipped.real) == 1.0) > 0.2


def test_dc_offset_adds_the_drawn_phasor():
    config = receiver.ReceiverConfig.off(dc_relative=(0.1, 0.1))
    values = receiver.draw(config, np.random.default_rng(1))
    x = _tone(5000.0, 4096)
    y = receiver.apply_receiver(x, values, config)
    dc = np.mean(y - x)
    assert abs(dc) == pytest.approx(0.1, rel=1e-3)
    assert np.angle(dc) == pytest.approx(math.remainder(values["dc_angle"], 2 * math.pi), abs=1e-3)


def test_symbol_rate_mismatch_moves_the_envelope_line():
    """A rate ratio r resamples the waveform: BPSK's squared-envelope line moves from 25 kHz to
    r * 25 kHz (to one FFT bin)."""
    x = modulators.modulate("BPSK", 40000, np.random.default_rng(2))
    cfg = channel.ChannelConfig(sro=False, cfo=False, fading=False)
    for ratio in (0.92, 1.0, 1.07):
        y = channel.apply_channel([x], [3], cfg, rate_ratios=[ratio])[0][0][:32768]
        spectrum = np.abs(np.fft.fft(np.abs(y) ** 2 - np.mean(np.abs(y) ** 2))) ** 2
        freqs = np.fft.fftfreq(len(y), 1 / FS)
        band = (freqs > 15e3) & (freqs < 40e3)
        line = freqs[band][np.argmax(spectrum[band])]
        assert line == pytest.approx(25e3 * ratio, abs=FS / len(y) * 1.5)


def test_timing_offset_is_a_fractional_delay():
    """timing_offsets mu shifts the waveform by mu samples (on top of the resampler's fixed
    integer delay), measured by the best fractional alignment to 0.01 sample."""
    x = modulators.modulate("QPSK", 4000, np.random.default_rng(0))
    cfg = channel.ChannelConfig(sro=False, cfo=False, fading=False)
    spectrum, f = np.fft.fft(x), np.fft.fftfreq(len(x))

    def delay(mu):
        y = channel.apply_channel([x], [1], cfg, timing_offsets=[mu])[0][0]
        g = cfg.guard_samples
        candidates = np.arange(-6, 2, 0.01)
        score = [abs(np.vdot(np.fft.ifft(spectrum * np.exp(-2j * np.pi * f * d))[g + 100:g + 3000], y[100:3000]))
                 for d in candidates]
        return candidates[int(np.argmax(score))]

    reference = delay(1e-3)
    for mu in (0.25, 0.5, 0.75):
        assert reference - delay(mu) == pytest.approx(mu, abs=0.015)


def test_config_validation_names_the_field():
    with pytest.raises(ValueError, match="cfo_hz"):
        receiver.ReceiverConfig(cfo_hz=(5.0, 1.0))
    with pytest.raises(ValueError, match="adc_bits"):
        receiver.ReceiverConfig(adc_bits=40)
    with pytest.raises(ValueError, match="unknown field"):
        receiver.ReceiverConfig.from_dict({"cfo": 3})
    with pytest.raises(ValueError, match="rolloff"):
        receiver.ReceiverConfig(rolloff=(0.0, 0.5))


def test_receiver_recipe_metadata_round_trip(tmp_path):
    """The dataset records the ranges (a `receiver` section next to the channel) and each
    example's draws; the draws lie in the ranges, analogue classes get no rate mismatch and no
    roll-off, the ADC leaves at most 256 levels per rail before normalisation."""
    config = receiver.ReceiverConfig(cfo_hz=(0.0, 5e3))
    recipe = data.LiveReceiver(snrs=(10.0,), receiver_config=config)
    path = tmp_path / "rx.h5"
    data.generate(recipe, path, 6, seed=5, workers=1, progress=False, normalization="none")
    ds = data.load(path)
    params = ds.parameters
    assert "channel" in params and receiver.ReceiverConfig.from_dict(params["receiver"]) == config
    assert list(ds.draws) == list(receiver.COLUMNS)
    assert np.all(np.abs(ds.draws["cfo_hz"]) <= 5e3) and np.std(ds.draws["cfo_hz"]) > 500
    assert np.all((ds.draws["timing_samples"] >= 0) & (ds.draws["timing_samples"] <= 1))
    names = np.array(ds.class_names)[ds.label]
    analogue = ~np.isin(names, modulators.DIGITAL_CLASSES)
    assert np.all(ds.draws["symbol_rate_ratio"][analogue] == 1.0)
    assert np.all(np.abs(ds.draws["symbol_rate_ratio"][~analogue] - 1) <= 0.1)
    linear = np.isin(names, list(modulators.LINEAR_CONSTELLATIONS))
    rolloff = ds.draws["rolloff"]
    assert np.all((rolloff[linear] >= 0.2) & (rolloff[linear] <= 0.5)) and np.all(np.isnan(rolloff[~linear]))
    for row in ds.iq:
        assert len(np.unique(row[0])) <= 256
    again = data.load(path).select(ds.label == 3)
    assert len(again.draws["cfo_hz"]) == int(np.sum(ds.label == 3))


def test_rml2016_recipe_is_unchanged_by_the_receiver_code(tmp_path):
    """The paper recipe keeps its metadata (no receiver section) and stores no draws."""
    path = tmp_path / "rml.h5"
    data.generate(data.RadioML2016(snrs=(10.0,), classes=["BPSK"]), path, 3, seed=1, workers=1, progress=False)
    ds = data.load(path)
    assert "receiver" not in ds.parameters and ds.draws is None


def test_fourth_power_estimate_recovers_a_qpsk_offset():
    """x^4 of QPSK has a line at 4 f: noiseless 128-sample windows give the offset within
    150 Hz for at least 60 of 64 offsets up to 10 kHz (in a short window the cyclic lines at
    4 f +- the symbol rate can win), and correct_offsets removes it."""
    from gnuradio.sentinel.nn import amc

    rng = np.random.default_rng(8)
    base = modulators.modulate("QPSK", 64 * 128, rng).reshape(64, 128)
    offsets = rng.uniform(-10e3, 10e3, 64)
    windows = np.stack([receiver.rotate(w, f, FS, rng.uniform(0, 6.28)) for w, f in zip(base, offsets)])
    estimate = amc.fourth_power_offsets(windows) * FS
    assert np.sum(np.abs(estimate - offsets) < 150) >= 60
    corrected = amc.correct_offsets(windows, estimate / FS)
    residual = amc.fourth_power_offsets(corrected) * FS
    assert np.median(np.abs(residual)) < 20


def test_rtn_transform_undoes_a_known_offset():
    """derotate() with the true offset and phase (referred to the window centre) returns the
    clean window to float32 rounding; an RTN whose estimator is untrained is the identity."""
    import torch

    from gnuradio.sentinel.nn import amc

    rng = np.random.default_rng(3)
    clean = modulators.modulate("QAM16", 4 * 128, rng).reshape(4, 128)
    f = np.array([-7000.0, -300.0, 800.0, 9500.0])
    phase = np.array([0.3, 2.0, -1.0, 3.0])
    rotated = np.stack([receiver.rotate(w, fi, FS, p) for w, fi, p in zip(clean, f, phase)])
    rows = torch.as_tensor(amc.preprocess(rotated, "power"))
    omega = torch.as_tensor(2 * np.pi * f / FS, dtype=torch.float32)
    centre_phase = torch.as_tensor(phase + 2 * np.pi * f / FS * 63.5, dtype=torch.float32)
    out = amc.derotate(rows, omega, torch.cos(centre_phase), torch.sin(centre_phase))
    assert np.max(np.abs(amc.to_complex(out.numpy()) - amc.to_complex(amc.preprocess(clean, "power")))) < 1e-4

    model = amc.build({"name": "afnet", "classes": 11, "frontend": {"kind": "rtn"}}).eval()
    with torch.no_grad():
        canonical = model.canonical(rows)
    assert torch.max(torch.abs(canonical - rows)) < 0.05
