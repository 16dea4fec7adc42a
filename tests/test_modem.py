# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""The channel-autoencoder modem: blocks round trip, BER through the PRBS tester, bad input."""

import math

import numpy as np
import pytest
import torch
from gnuradio import blocks, gr

from gnuradio import sentinel
from gnuradio.sentinel import ber_loopback
from gnuradio.sentinel.autoencoder_modem import load_modem
from gnuradio.sentinel.runtime import BundleError
from gnuradio.sentinel.train import modem as modem_train


@pytest.mark.parametrize("packed", [False, True])
def test_noiseless_round_trip_is_error_free(packed):
    """PRBS -> mod -> demod -> PRBS tester with no noise: every bit back, exactly."""
    top = gr.top_block()
    source = sentinel.prbs_source_b("PRBS15", packed)
    head = blocks.head(gr.sizeof_char, 40_000 if packed else 100_000)
    mod = sentinel.autoencoder_mod_bc("ae_7_4", packed=packed)
    demod = sentinel.autoencoder_demod_cb("ae_7_4")
    sink = sentinel.prbs_sink_b("PRBS15")
    top.connect(source, head, mod, demod, sink)
    top.run()
    sent_bits = 40_000 * 8 if packed else 100_000
    assert sink.locked() and sink.errors() == 0
    assert sink.bits() + sink.unchecked_bits() == sent_bits - sent_bits % 4


def test_modulator_emits_the_codebook():
    _, net = load_modem("ae_7_4")
    with torch.no_grad():
        codebook = net.codebook().numpy()
    bits = [0, 0, 1, 1,  1, 0, 0, 1]  # messages 3 and 9
    top = gr.top_block()
    sink = blocks.vector_sink_c()
    mod = sentinel.autoencoder_mod_bc("ae_7_4")  # Python blocks must outlive the run
    top.connect(blocks.vector_source_b(bits), mod, sink)
    top.run()
    np.testing.assert_allclose(np.array(sink.data()), np.concatenate([codebook[3], codebook[9]]), rtol=1e-6)


@pytest.mark.parametrize("model", ["ae_2_2", "ae_7_4", "ae_8_8"])
def test_shipped_codebooks_have_unit_average_power(model):
    _, net = load_modem(model)
    with torch.no_grad():
        codebook = net.codebook().numpy()
    assert np.mean(np.abs(codebook) ** 2) == pytest.approx(1.0, rel=1e-5)


def _ber_agree(k1, n1, k2, n2, bits_per_block_error, z=3.0):
    """Two BER estimates agree if their difference is within z standard errors. Bit errors
    come in blocks (a wrong message flips bits_per_block_error bits on average), so the
    binomial variance is inflated by that factor."""
    p = (k1 + k2) / (n1 + n2)
    se = math.sqrt(bits_per_block_error * p * (1 - p) * (1 / n1 + 1 / n2))
    return abs(k1 / n1 - k2 / n2) <= z * se


@pytest.mark.parametrize("ebn0", [2.0, 4.0, 6.0])
def test_ber_through_gnuradio_matches_the_models_simulation(ebn0):
    """The PRBS tester's BER through the blocks and GNU Radio's AWGN agrees with the
    torch simulation of the same model (two-sample test, 3 standard errors: the three
    points together have a false-alarm rate below 1%)."""
    _, net = load_modem("ae_7_4")
    measured = ber_loopback.run_point("ae_7_4", ebn0, 400_000, seed=int(ebn0 * 10) + 3)
    simulated_bler, simulated_ber = modem_train.simulate(net, ebn0, 200_000, seed=int(ebn0 * 10) + 4)
    sim_bits = 200_000 * 4
    per_block = simulated_ber * 4 / simulated_bler
    assert measured["locked"] and measured["resyncs"] == 0
    assert _ber_agree(measured["errors"], measured["bits"], round(simulated_ber * sim_bits), sim_bits, per_block)


def test_bundle_mismatch_and_bad_arguments():
    with pytest.raises(BundleError, match="k=4"):
        sentinel.autoencoder_mod_bc("ae_7_4", k=3)
    with pytest.raises(BundleError, match="n=7"):
        sentinel.autoencoder_demod_cb("ae_7_4", n=8)
    with pytest.raises(BundleError, match="modem"):
        sentinel.autoencoder_demod_cb("mae")


def test_training_smoke_and_baselines(tmp_path):
    card = modem_train.train(2, 2, tmp_path / "ae", steps=300, batch_size=256, eval_blocks=2000,
                             eval_points=[0.0, 4.0], log=lambda s: None)
    assert card["architecture"] == {"k": 2, "n": 2, "hidden": 0, "normalization": "average"}
    assert card["outputs"]["codebook_mean_energy_per_use"] == pytest.approx(1.0, rel=1e-5)
    # Hamming (7,4) hard decision at 6 dB: p = Q(sqrt(2 * 4/7 * 10^0.6)) = Q(2.133) = 0.01646.
    p = modem_train.q_function(math.sqrt(2 * 4 / 7 * 10 ** 0.6))
    assert p == pytest.approx(0.01646, rel=1e-3)
    assert modem_train.hamming_hard_bler(6.0) == pytest.approx(1 - (1 - p) ** 7 - 7 * p * (1 - p) ** 6)
    assert modem_train.crossing_db([0, 1], [1e-2, 1e-4]) == pytest.approx(0.5)


def _run_bounded(top, timeout=60):
    """Start `top` and wait for it in a thread: still running after `timeout` s fails the test."""
    import threading

    top.start()
    waiter = threading.Thread(target=top.wait, daemon=True)
    waiter.start()
    waiter.join(timeout)
    if waiter.is_alive():
        top.stop()
        pytest.fail("the flowgraph did not end within {} s".format(timeout))


@pytest.mark.parametrize("max_batch", [0, -1, "8", 2.5, True, 2 ** 20 + 1])
def test_demodulator_max_batch_is_bounded(max_batch):
    """max_batch must be an integer from 1 to 2^20: 0 or -1 used to be accepted and then
    make tb.run() spin forever (no message ever fit a batch)."""
    with pytest.raises(ValueError, match=r"max_batch: .*; allowed: an integer from 1 to 1048576"):
        sentinel.autoencoder_demod_cb("ae_7_4", max_batch=max_batch)


def test_demodulator_with_the_smallest_batch_decodes_every_message():
    """max_batch=1 (one message per forward) still decodes the whole stream and ends."""
    _, net = load_modem("ae_7_4")
    with torch.no_grad():
        codebook = net.codebook().numpy().astype(np.complex64)
    messages = np.arange(200) % 16
    top = gr.top_block()
    source = blocks.vector_source_c(codebook[messages].reshape(-1), False)
    demod = sentinel.autoencoder_demod_cb("ae_7_4", max_batch=1)
    sink = blocks.vector_sink_b()
    top.connect(source, demod, sink)
    _run_bounded(top)
    bits = np.array(sink.data(), np.uint8).reshape(-1, 4)
    assert np.array_equal(bits @ np.array([8, 4, 2, 1]), messages)


def test_an_error_in_the_demodulator_ends_the_flowgraph():
    """An exception inside the demodulator's work() ends an endless flowgraph (logged, and
    error() names it) instead of hanging tb.run()."""
    demod = sentinel.autoencoder_demod_cb("ae_7_4")

    def broken(received):
        raise RuntimeError("simulated decoder failure")

    demod.net = broken
    top = gr.top_block()
    source = blocks.vector_source_c(np.ones(7 * 64, np.complex64), True)
    sink = blocks.vector_sink_b()
    top.connect(source, demod, sink)
    _run_bounded(top)
    assert demod.error() == "RuntimeError: simulated decoder failure"
    assert len(sink.data()) == 0


def _modem_copy(tmp_path, edit):
    import json
    import shutil

    from gnuradio.sentinel.runtime import ModelBundle

    folder = tmp_path / "modem"
    shutil.copytree(ModelBundle.load("ae_7_4").path, folder)
    card = json.loads((folder / "card.json").read_text())
    edit(card)
    (folder / "card.json").write_text(json.dumps(card))
    return str(folder)


@pytest.mark.parametrize("edit, message", [
    (lambda c: c["architecture"].update(k=40), r"architecture k=40, n=7; allowed: k from 1 to 16"),
    (lambda c: c["architecture"].update(k="4"), r"'architecture.k' is '4'; allowed: an integer"),
    (lambda c: c["architecture"].pop("n"), r"card entry 'architecture.n' is missing"),
    (lambda c: c.update(window_length=8), r"window_length 8 differs from architecture.n 7; allowed: window_length 7"),
    (lambda c: c["architecture"].update(hidden=2 ** 20), r"shape mismatch"),
])
def test_bad_modem_cards_are_refused_naming_the_entry(tmp_path, edit, message):
    """A modem card with an impossible k (2^k codewords), a missing or non-integer entry,
    a window_length other than n, or an architecture its weights do not fit is refused
    with a message naming the entry (before: a KeyError, or an attempt to allocate it)."""
    with pytest.raises(BundleError, match=message):
        sentinel.autoencoder_mod_bc(_modem_copy(tmp_path, edit))


def test_modulator_packed_must_be_a_bool():
    """packed accepts False/True (or 0/1) only."""
    with pytest.raises(ValueError, match=r"packed: 'yes'; allowed: False \(one bit per byte\) or True"):
        sentinel.autoencoder_mod_bc("ae_7_4", packed="yes")


@pytest.mark.parametrize("model", ["ae_2_2", "ae_7_4", "ae_8_8"])
def test_packed_modulator_to_packed_demodulator_returns_the_bytes(model):
    """Packed bytes -> autoencoder_mod_bc(packed) -> autoencoder_demod_cb(packed) with no
    noise gives back exactly the bytes (every whole lcm(k, 8)-bit group), and the unpacked
    demodulator's bits packed MSB first are the same bytes."""
    import numpy as np
    from gnuradio import blocks, gr

    from gnuradio import sentinel

    data = np.random.default_rng(3).integers(0, 256, 7 * 64, dtype=np.uint8)
    results = {}
    for packed in (True, False):
        top = gr.top_block()
        sink = blocks.vector_sink_b()
        # Python blocks must outlive the run: keep references (GNU Radio holds only the C++ side).
        mod = sentinel.autoencoder_mod_bc(model, packed=True)
        demod = sentinel.autoencoder_demod_cb(model, packed=packed)
        top.connect(blocks.vector_source_b(data.tolist(), False), mod, demod, sink)
        top.run()
        results[packed] = np.asarray(sink.data(), np.uint8)
    assert np.array_equal(results[True], data)
    assert np.array_equal(np.packbits(results[False]), data)


def test_demodulator_packed_must_be_a_bool():
    from gnuradio import sentinel

    with pytest.raises(ValueError, match="packed"):
        sentinel.autoencoder_demod_cb("ae_7_4", packed="yes")
