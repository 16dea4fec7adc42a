# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Flowgraph tests of sentinel.selective_fading_model2 and sentinel.fading_model."""

import re

import numpy as np
import pmt
import pytest
from scipy.special import j0

from gnuradio import blocks, channels, gr, sentinel


def run(block, x, tags=False):
    """vector_source -> block -> vector_sink; returns (output, taps messages, tags)."""
    tb = gr.top_block()
    src = blocks.vector_source_c(np.asarray(x, dtype=np.complex64).tolist())
    snk = blocks.vector_sink_c()
    tb.connect(src, block, snk)
    debug = None
    if hasattr(block, "taps_interval"):
        debug = blocks.message_debug()
        tb.msg_connect(block, "taps", debug, "store")
    tb.run()
    msgs = []
    if debug is not None:
        for i in range(debug.num_messages()):
            m = debug.get_message(i)
            msgs.append({
                "offset": pmt.to_uint64(pmt.dict_ref(m, pmt.intern("offset"), pmt.PMT_NIL)),
                "taps": np.array(pmt.c32vector_elements(
                    pmt.dict_ref(m, pmt.intern("taps"), pmt.PMT_NIL))),
                "gains": np.array(pmt.c32vector_elements(
                    pmt.dict_ref(m, pmt.intern("gains"), pmt.PMT_NIL))),
                "delays": np.array(pmt.f64vector_elements(
                    pmt.dict_ref(m, pmt.intern("delays"), pmt.PMT_NIL))),
            })
    return np.array(snk.data()), msgs, (snk.tags() if tags else None)


def white_noise(n, seed=1):
    rng = np.random.default_rng(seed)
    return ((rng.standard_normal(n) + 1j * rng.standard_normal(n)) / np.sqrt(2)).astype(
        np.complex64)


def impulse_train(n, spacing):
    x = np.zeros(n, dtype=np.complex64)
    x[::spacing] = 1.0
    return x


def acf(h, max_lag):
    x = h.real.astype(np.float64)
    n = len(x)
    spectrum = np.fft.rfft(x, 2 * n)
    r = np.fft.irfft(spectrum * np.conj(spectrum))[: max_lag + 1]
    r /= n - np.arange(max_lag + 1)
    return r / r[0]


def test_path_powers_pdp_and_acf_through_the_block():
    """Each path has E|h|^2 = 1 (the PDP equals mags^2) and a J0 ACF, measured from the output.

    Integer delays [0, 3, 7] with no walk and an impulse every 16 samples: the
    output at impulse + delay_j is mags[j] h_j. 3.2e5 samples at fDTs = 0.005
    (1600 Doppler periods): per-path power within 3% of 1 (time-average error
    ~1e-2), ACF within 0.05 of J0 for lags up to 2/fD (the issue's tolerance).
    """
    fdts, spacing, mags = 0.005, 16, [1.0, 0.7, 0.4]
    delays = [0.0, 3.0, 7.0]
    block = sentinel.selective_fading_model2(8, fdts, False, 4.0, 11, delays, [0.0] * 3,
                                            [0.0] * 3, mags, 12, taps_interval=0)
    y, _, _ = run(block, impulse_train(320000, spacing))
    lags = np.arange(0, int(2 / fdts) // spacing + 1)
    for delay, mag in zip(delays, mags):
        h = y[int(delay)::spacing] / mag
        assert abs(np.mean(np.abs(h) ** 2) - 1.0) < 0.03
        err = np.abs(acf(h, lags[-1]) - j0(2 * np.pi * fdts * spacing * lags))
        assert err.max() < 0.05
    # Nothing leaks between the paths' taps.
    assert np.abs(y[1::spacing]).max() < 1e-6


def test_paths_are_the_cores_streams():
    """Path j's gain is mags[j] x fader_core(N, fDTs, LOS and j == 0, K, seed, stream=j), within 1e-5.

    This ties the block's paths to the core whose statistics
    test_fading_core.py checks, and shows each path has its own stream.
    """
    mags = [1.0, 0.5, 0.25]
    block = sentinel.selective_fading_model2(8, 0.01, True, 3.0, 5, [0.0, 2.5, 6.2],
                                            [0.0] * 3, [0.0] * 3, mags, 11, taps_interval=1)
    _, msgs, _ = run(block, np.zeros(500, np.complex64))
    gains = np.array([m["gains"] for m in msgs])
    for j, mag in enumerate(mags):
        core = sentinel.fader_core(8, 0.01, j == 0, 3.0, 5, j)
        assert np.abs(gains[:, j] - mag * core.generate(500)).max() < 1e-5


@pytest.mark.parametrize("frac", np.arange(8) / 8)
def test_energy_flat_over_fractional_delay(frac):
    """Output power / (|gain|^2 input power) is within 5% of 1 for delay 4 + frac.

    fDTs = 0 freezes the path gain; white input, 20000 samples (sampling error
    ~1%). The kernel is a Kaiser-windowed sinc(pi(k - d)) normalised to unit
    energy for every d, so this holds by construction.
    """
    x = white_noise(20000)
    block = sentinel.selective_fading_model2(8, 0.0, False, 4.0, 3, [4.0 + frac], [0.0], [0.0],
                                            [1.0], 9, taps_interval=0)
    y, _, _ = run(block, x)
    gain = abs(block.path_gains()[0]) ** 2
    ratio = np.mean(np.abs(y[16:]) ** 2) / (gain * np.mean(np.abs(x[16:]) ** 2))
    assert abs(ratio - 1.0) < 0.05
    assert abs(np.sum(np.abs(block.taps()) ** 2) / gain - 1.0) < 1e-4


def test_gnu_radio_loses_the_half_sample_path():
    """Documents GNU Radio's defect: channels.selective_fading_model2 fails the 5% flatness test.

    Same setup as test_energy_flat_over_fractional_delay: its sinc(2 pi d)
    puts all taps of a path at delay 4.5 on zeros, so the path's energy drops
    to ~0 instead of staying at its value for delay 4.0.
    """
    x = white_noise(20000)

    def power(delay):
        block = channels.selective_fading_model2(8, 0.0, False, 4.0, 3, [delay], [0.0], [0.0],
                                                 [1.0], 10)
        y, _, _ = run(block, x)
        return np.mean(np.abs(y[16:]) ** 2)

    relative = power(4.5) / power(4.0)
    assert abs(relative - 1.0) > 0.05
    assert relative < 0.01


@pytest.mark.parametrize("interval", [1, 7])
def test_taps_message_matches_the_impulse_response(interval):
    """y[n + k] equals taps[k] of the message at offset n + k, within 1e-5, for an impulse at n.

    Fading on (fDTs = 0.02, Rice first path), delays walking, a message every
    sample; tap_update_interval 1 (taps change every sample) and 7 (held).
    Offsets are consecutive absolute samples; taps_tags carries the same dicts.
    """
    ntaps, n = 10, 1200
    block = sentinel.selective_fading_model2(8, 0.02, True, 4.0, 3, [0.3, 2.5, 5.7],
                                            [0.01, 0.02, 0.0], [0.3, 0.5, 0.0], [1, 0.7, 0.5],
                                            ntaps, taps_interval=1,
                                            tap_update_interval=interval, taps_tags=True)
    y, msgs, tags = run(block, impulse_train(n, ntaps + 1), tags=True)
    assert [m["offset"] for m in msgs] == list(range(n))
    err = max(abs(y[n0 + k] - msgs[n0 + k]["taps"][k])
              for n0 in range(0, n - ntaps, ntaps + 1) for k in range(ntaps))
    assert err < 1e-5
    taps_tags = [t for t in tags if pmt.symbol_to_string(t.key) == "taps"]
    assert [t.offset for t in taps_tags] == list(range(n))
    if interval > 1:
        for m in msgs[1:interval]:
            assert np.array_equal(m["taps"], msgs[0]["taps"])


def test_delays_stay_within_maxdev():
    """Every reported delay stays within start +- maxdev (and >= 0), and the walk uses the range.

    delays_std 0.05 per sample over 50000 samples: the walk's spread (~11
    samples unclipped) is far wider than maxdev, so it must hit both bounds.
    """
    start, maxdev = [0.2, 3.0], [0.3, 0.5]
    block = sentinel.selective_fading_model2(8, 0.01, False, 4.0, 8, start, [0.05, 0.05], maxdev,
                                            [1.0, 1.0], 8, taps_interval=10)
    _, msgs, _ = run(block, np.zeros(50000, np.complex64))
    d = np.array([m["delays"] for m in msgs])
    for j in range(2):
        lo, hi = max(0.0, start[j] - maxdev[j]), start[j] + maxdev[j]
        assert d[:, j].min() >= lo and d[:, j].max() <= hi
        assert d[:, j].min() < lo + 0.05 and d[:, j].max() > hi - 0.05
    assert np.array_equal(np.array(block.delays()), d[-1]) or len(msgs) == 5000


def test_reproducible_and_seed_independent():
    """The same seed gives bit-identical output and walks; another seed changes both.

    Paths' delay walks are independent streams: the correlation of their
    increments over ~5000 steps is below 0.1 (its standard error is 0.014).
    """
    x = white_noise(50000)
    args = (8, 0.01, False, 4.0)
    profile = ([1.0, 4.0], [0.01, 0.01], [0.9, 0.9], [1.0, 0.8], 9)

    def make(seed):
        return sentinel.selective_fading_model2(*args, seed, *profile, taps_interval=10)

    y1, m1, _ = run(make(7), x)
    y2, m2, _ = run(make(7), x)
    y3, m3, _ = run(make(8), x)
    assert np.array_equal(y1, y2)
    d1 = np.array([m["delays"] for m in m1])
    d2 = np.array([m["delays"] for m in m2])
    d3 = np.array([m["delays"] for m in m3])
    assert np.array_equal(d1, d2)
    assert np.mean(np.abs(y1 - y3) > 1e-3) > 0.99
    assert np.all(np.abs(d1[1:] - d3[1:]).max(axis=0) > 0.05)
    steps = np.diff(d1, axis=0)
    free = np.all((d1[1:] > 0.11) & (d1[1:] < [1.89, 4.89]) & (d1[:-1] > 0.11)
                  & (d1[:-1] < [1.89, 4.89]), axis=1)
    corr = np.corrcoef(steps[free, 0], steps[free, 1])[0, 1]
    assert abs(corr) < 0.1


def test_slow_taps_error_matches_theory():
    """tap_update_interval M holds the taps; the error power matches 2 mean(1 - J0(2 pi fD dt)).

    With white unit-power input and fixed delays, E|y_M - y_1|^2 / E|y_1|^2 =
    2 mean over dt = 0..M-1 of (1 - rho(dt)), rho the path-gain ACF (J0). Per
    realisation this is deterministic up to ~1e-2, so 10% relative tolerance.
    """
    fdts = 0.002
    x = white_noise(100000)
    args = (8, fdts, False, 4.0, 4, [0.0, 2.4, 5.5], [0.0] * 3, [0.0] * 3, [1.0, 0.8, 0.6], 10)
    y1, _, _ = run(sentinel.selective_fading_model2(*args, taps_interval=0), x)
    for m in (4, 16):
        ym, _, _ = run(sentinel.selective_fading_model2(*args, taps_interval=0,
                                                        tap_update_interval=m), x)
        measured = np.mean(np.abs(ym - y1) ** 2) / np.mean(np.abs(y1) ** 2)
        dt = np.arange(m)
        theory = 2 * np.mean(1 - j0(2 * np.pi * fdts * dt))
        assert abs(measured / theory - 1.0) < 0.10
        # The documented small-lag approximation, rms = pi fD sqrt((M-1)(2M-1)/3).
        approx = (np.pi * fdts) ** 2 * (m - 1) * (2 * m - 1) / 3
        assert abs(approx / theory - 1.0) < 0.01


def test_flat_fading_model_is_input_times_core():
    """fading_model's output is x[n] h[n] with h from fader_core stream 0, within 1e-5."""
    x = white_noise(20000)
    y, _, _ = run(sentinel.fading_model(8, 0.01, True, 2.0, 6), x)
    h = sentinel.fader_core(8, 0.01, True, 2.0, 6, 0).generate(20000)
    assert np.abs(y - x * h).max() < 1e-5


def test_drop_in_signature():
    """The first ten parameters have GNU Radio's names and order, and positional calls work."""
    def names(cls):
        doc = cls.__init__.__doc__.splitlines()[0]
        inner = doc[doc.index("(") + 1: doc.rindex(")")]
        return re.findall(r"(\w+): ", inner)[1:]  # drop self

    assert names(sentinel.selective_fading_model2)[:10] == names(
        channels.selective_fading_model2)
    assert names(sentinel.fading_model)[:5] == names(channels.fading_model)
    block = sentinel.selective_fading_model2(8, 0.01, False, 4.0, 0, [0.0, 0.1, 1.3],
                                            [0.01] * 3, [0.5] * 3, [1, 0.95, 0.8], 8)
    assert block.ntaps() == 8 and block.N() == 8
    sentinel.selective_fading_model2()  # GRC defaults
    sentinel.fading_model(8, 0.01, False, 4.0, 0)


def test_setters_and_getters():
    """Runtime setters change what the getters report and reject bad values."""
    block = sentinel.selective_fading_model2(normalize_mags=True)
    assert abs(sum(m * m for m in block.mags()) - 1.0) < 1e-12
    block.set_fDTs(0.02)
    block.set_K(2.0)
    block.set_delays_std([0.0, 0.1, 0.2])
    assert block.fDTs() == 0.02 and block.K() == 2.0
    assert block.delays_std() == [0.0, 0.1, 0.2]
    with pytest.raises(ValueError, match="fDTs"):
        block.set_fDTs(-1.0)
    with pytest.raises(ValueError, match="delays_std"):
        block.set_delays_std([0.1])
    flat = sentinel.fading_model()
    flat.set_fDTs(0.3)
    flat.set_K(1.0)
    assert flat.fDTs() == 0.3 and flat.K() == 1.0


@pytest.mark.parametrize("kwargs, name", [
    (dict(delays=[1.0, 2.0], delays_std=[0.0], delays_maxdev=[0.0, 0.0], mags=[1, 1]),
     "same length"),
    (dict(delays=[-1.0], delays_std=[0.0], delays_maxdev=[0.0], mags=[1.0]), r"delays\[0\]"),
    (dict(delays=[1.0], delays_std=[-0.1], delays_maxdev=[0.0], mags=[1.0]),
     r"delays_std\[0\]"),
    (dict(delays=[1.0], delays_std=[0.0], delays_maxdev=[-1.0], mags=[1.0]),
     r"delays_maxdev\[0\]"),
    (dict(delays=[1.0], delays_std=[0.0], delays_maxdev=[0.0], mags=[-1.0]), r"mags\[0\]"),
    (dict(delays=[10.0], delays_std=[0.0], delays_maxdev=[0.5], mags=[1.0], ntaps=14), "ntaps"),
    (dict(N=0), "N must"),
    (dict(fDTs=-0.01), "fDTs"),
    (dict(K=-1.0), "K must"),
    (dict(taps_interval=-1), "taps_interval"),
    (dict(tap_update_interval=0), "tap_update_interval"),
    (dict(mags=[0.0, 0.0, 0.0], normalize_mags=True), "mags"),
])
def test_bad_arguments_name_the_parameter(kwargs, name):
    """Invalid construction raises ValueError (std::invalid_argument) naming the parameter."""
    with pytest.raises(ValueError, match=name):
        sentinel.selective_fading_model2(**kwargs)


def test_ntaps_bound_is_exact():
    """ntaps = max(delays + maxdev) + 4 is accepted, one less is refused."""
    sentinel.selective_fading_model2(delays=[10.0], delays_std=[0.0], delays_maxdev=[0.5],
                                     mags=[1.0], ntaps=15)
    with pytest.raises(ValueError, match="ntaps"):
        sentinel.selective_fading_model2(delays=[11.5], delays_std=[0.0], delays_maxdev=[0.0],
                                         mags=[1.0], ntaps=15)
    for bad, name in ((dict(N=0), "N must"), (dict(fDTs=-1.0), "fDTs"), (dict(K=-2.0), "K must")):
        with pytest.raises(ValueError, match=name):
            sentinel.fading_model(**bad)


@pytest.mark.parametrize("ntaps", [2**31 - 1, 2**20 + 1])
def test_ntaps_beyond_the_limit_is_refused(ntaps):
    """ntaps above 2^20 raises ValueError naming ntaps and the limit (2^31 - 1 used to be
    accepted: the history overflowed, the scheduler logged a negative item count and the
    run produced 0 items without an error)."""
    with pytest.raises(ValueError, match=r"ntaps must be in 1\.\.1048576"):
        sentinel.selective_fading_model2(delays=[1.0], delays_std=[0.0], delays_maxdev=[0.0],
                                         mags=[1.0], ntaps=ntaps)


def test_delay_beyond_what_ntaps_can_reach_names_the_limit():
    """A delay of 2^21 samples needs more than the largest ntaps: the message says so."""
    with pytest.raises(ValueError, match=r"ntaps must be >= .* and <= 1048576"):
        sentinel.selective_fading_model2(delays=[2.0**21], delays_std=[0.0],
                                         delays_maxdev=[0.0], mags=[1.0], ntaps=2**20)


def test_largest_ntaps_runs_with_the_longest_delay():
    """ntaps = 2^20 with one fixed path at delay d = 2^20 - 4 (fDTs = 0, so a constant
    gain g) and a constant input x: the output is exactly 0 until the kernel's first lag
    (d - 3) reaches the input, below 1e-6 for the 3 samples where only its ~1e-17 side
    taps do, and g x from sample d on, for 5000 samples."""
    ntaps, delay = 2**20, 2**20 - 4
    block = sentinel.selective_fading_model2(8, 0.0, False, 4.0, 3, [float(delay)], [0.0],
                                             [0.0], [1.0], ntaps, taps_interval=0)
    n = delay + 5000
    tb = gr.top_block()
    src = blocks.vector_source_c([1 + 0.5j], True)
    head = blocks.head(gr.sizeof_gr_complex, n)
    snk = blocks.vector_sink_c()
    tb.connect(src, head, block, snk)
    tb.run()
    y = np.array(snk.data())
    g = block.path_gains()[0]
    assert len(y) == n
    assert not np.any(y[:delay - 3])
    assert np.all(np.abs(y[delay - 3:delay]) < 1e-6)
    np.testing.assert_allclose(y[delay:], g * (1 + 0.5j), rtol=1e-5)


@pytest.mark.parametrize("make, kwargs, message", [
    ("selective_fading_model2", dict(ntaps=2**31), r"ntaps: must be in .*1048576"),
    ("selective_fading_model2", dict(seed=-1), r"seed: must be in 0\.\.2\^64-1, got -1"),
    ("selective_fading_model2", dict(N=2**40), r"N: must be in 1\.\.1024"),
    ("selective_fading_model2", dict(taps_interval=2**31), "taps_interval: must be in"),
    ("selective_fading_model2", dict(tap_update_interval=-2**40), "tap_update_interval"),
    ("fading_model", dict(seed=-1), r"seed: must be in 0\.\.2\^64-1, got -1"),
    ("fading_model", dict(N=-2**63 - 1), r"N: must be in 1\.\.1024"),
])
def test_integers_outside_their_type_name_the_parameter(make, kwargs, message):
    """Integers that do not fit the C++ type (seed -1, ntaps 2^31) raise ValueError
    naming the parameter and its range, not pybind11's TypeError listing the signature."""
    with pytest.raises(ValueError, match=message):
        getattr(sentinel, make)(**kwargs)
