# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""The wideband emitter detector on synthetic bands whose emitters are known."""

import numpy as np
import pytest

from gnuradio.sentinel.data import independent
from gnuradio.sentinel.wideband import EmitterTracker

FS = 1.024e6


def _band(rng, seconds, emitters, fs=FS):
    """White noise of power 1 per sample plus band-limited noise emitters, each a dict of
    center, bandwidth, snr_db (in-band: its power over the noise in its own band) and
    optionally start / stop (s)."""
    n = int(seconds * fs)
    x = independent.complex_noise(rng, n)
    freqs = np.fft.fftfreq(n, 1 / fs)
    t = np.arange(n) / fs
    for e in emitters:
        spectrum = np.fft.fft(independent.complex_noise(rng, n))
        spectrum *= np.abs(freqs - e["center"]) < e["bandwidth"] / 2
        signal = np.fft.ifft(spectrum)
        signal *= np.sqrt(10 ** (e["snr_db"] / 10) * e["bandwidth"] / fs / np.mean(np.abs(signal) ** 2))
        on = (t >= e.get("start", 0.0)) & (t < e.get("stop", np.inf))
        x = x + signal * on
    return x.astype(np.complex64)


def _run(tracker, x):
    history = []
    for end in range(tracker.block_size, len(x) + 1, tracker.block_size):
        history.append(tracker.update(x[end - tracker.block_size:end], end))
    return history


TRUTH = [{"center": -300e3, "bandwidth": 25e3, "snr_db": 10.0}, {"center": 50e3, "bandwidth": 100e3, "snr_db": 6.0},
         {"center": 310e3, "bandwidth": 12e3, "snr_db": 15.0}]


def test_finds_every_emitter_with_its_centre_and_bandwidth():
    """Three flat emitters of 12-100 kHz at 6-15 dB in-band SNR: centres within 2 % and
    bandwidths within 10 % of each emitter's bandwidth (the issue's tolerances)."""
    tracker = EmitterTracker(FS, fft_size=1024, averages=8)
    emitters, _ = _run(tracker, _band(np.random.default_rng(1), 0.5, TRUTH))[-1]
    assert len(emitters) == 3
    for truth in TRUTH:
        found = min(emitters, key=lambda e: abs(e.center_hz - truth["center"]))
        assert abs(found.center_hz - truth["center"]) <= 0.02 * truth["bandwidth"]
        assert found.bandwidth_hz == pytest.approx(truth["bandwidth"], rel=0.10)
        assert found.snr_db == pytest.approx(truth["snr_db"], abs=1.5)


def test_noise_alone_gives_no_emitter_in_a_minute_of_updates():
    """7,500 updates (one minute at 1.024 Msps in blocks of 8192): no emitter is confirmed."""
    tracker = EmitterTracker(FS, fft_size=1024, averages=8)
    rng = np.random.default_rng(2)
    confirmed = 0
    for i in range(7500):
        emitters, events = tracker.update(independent.complex_noise(rng, tracker.block_size).astype(np.complex64),
                                          (i + 1) * tracker.block_size)
        confirmed += sum(e["event"] == "appeared" for e in events)
    assert confirmed == 0


def test_appearing_and_disappearing_emitters_give_events_and_keep_their_ids():
    truth = [{"center": 100e3, "bandwidth": 20e3, "snr_db": 8.0, "start": 0.2, "stop": 0.6},
             {"center": -200e3, "bandwidth": 40e3, "snr_db": 10.0}]
    tracker = EmitterTracker(FS, fft_size=1024, averages=8, min_duration_s=0.02, hold_s=0.05)
    history = _run(tracker, _band(np.random.default_rng(3), 0.9, truth))
    times = [(i + 1) * tracker.block_size / FS for i in range(len(history))]
    appeared = [(t, e["id"]) for t, (_, events) in zip(times, history) for e in events if e["event"] == "appeared"]
    gone = [(t, e["id"]) for t, (_, events) in zip(times, history) for e in events if e["event"] == "gone"]
    assert len(appeared) == 2 and len(gone) == 1
    late = [t for t, i in appeared if t > 0.1]
    assert late and 0.2 < late[0] <= 0.2 + 0.2            # found within 0.2 s of appearing
    assert 0.6 < gone[0][0] <= 0.6 + 0.1
    steady = [i for t, i in appeared if t < 0.1][0]
    ids = {e.id for emitters, _ in history for e in emitters if abs(e.center_hz + 200e3) < 20e3}
    assert ids == {steady}                                # one id all along


def test_bad_parameters_name_themselves():
    with pytest.raises(ValueError, match="samp_rate: 0; allowed: a finite number > 0"):
        EmitterTracker(0)
    with pytest.raises(ValueError, match="hysteresis_db: 7; allowed: 0 <= hysteresis_db < threshold_db"):
        EmitterTracker(FS, threshold_db=6.0, hysteresis_db=7)
    with pytest.raises(ValueError, match="fft_size: 100.5; allowed: a finite whole number"):
        EmitterTracker(FS, fft_size=100.5)


def test_block_publishes_the_emitters_in_a_flowgraph():
    import pmt
    from gnuradio import blocks, gr

    from gnuradio import sentinel

    x = _band(np.random.default_rng(4), 0.25, TRUTH)
    top = gr.top_block()
    source = blocks.vector_source_c(x.tolist(), False)
    detector = sentinel.emitter_detector(FS, fft_size=1024, averages=8)
    store = blocks.message_debug()
    top.connect(source, detector)
    top.msg_connect(detector, "emitters", store, "store")
    top.run()
    assert detector.updates() == len(x) // 8192 == store.num_messages()
    last = pmt.to_python(store.get_message(store.num_messages() - 1))
    assert len(last["emitters"]) == 3
    assert {"id", "center_hz", "bandwidth_hz", "snr_db", "power_db", "first_seen", "last_seen"} <= set(
        last["emitters"][0])
    first = pmt.to_python(store.get_message(0))
    assert first["offset"] == 8192 and "floor_db" in first


def test_weak_emitters_are_found_within_200_ms_with_probability_099():
    """200 trials: one emitter of 10-100 kHz at 6 dB in-band SNR, at a random centre,
    switched on at 0.05 s; found (confirmed within one bandwidth of its centre) by
    0.25 s in every trial (the issue: >= 0.99). With 200 trials a true rate of 0.97
    passes with probability 0.002."""
    rng = np.random.default_rng(5)
    found = 0
    for _ in range(200):
        bandwidth = rng.uniform(10e3, 100e3)
        center = rng.uniform(-FS / 2 + bandwidth, FS / 2 - bandwidth)
        x = _band(rng, 0.25, [{"center": center, "bandwidth": bandwidth, "snr_db": 6.0, "start": 0.05}])
        emitters, _ = _run(EmitterTracker(FS), x)[-1]
        found += any(abs(e.center_hz - center) < bandwidth for e in emitters)
    assert found >= 199
