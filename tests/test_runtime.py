# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""The shared inference runtime: windowing, bundles, fast path, lossless/realtime modes, bad input."""

import json
import time

import numpy as np
import pmt
import pytest
import torch
from gnuradio import blocks, gr

from gnuradio import sentinel
from gnuradio.sentinel.nn import mae as mae_nn
from gnuradio.sentinel.runtime import BundleError, ModelBundle, Windower, save_bundle
from gnuradio.sentinel.runtime.inference import InferenceEngine

from flowgraph_helpers import run_model_block

WINDOW = 64




@pytest.mark.parametrize("length, stride", [(10, 10), (10, 4), (10, 17), (7, 3)])
def test_windower_cuts_every_window_exactly_once(length, stride):
    rng = np.random.default_rng(length * 100 + stride)
    x = np.arange(3000).astype(np.complex64)
    windower = Windower(length, stride)
    position, offsets, windows = 0, [], []
    while position < len(x):
        chunk = x[position:position + int(rng.integers(1, 200))]
        got, at, consumed = windower.take(chunk, position, int(rng.integers(1, 6)))
        windows += list(got)
        offsets += list(at)
        position += consumed
        assert consumed > 0 or len(got) > 0 or len(chunk) == 0
    assert offsets == list(range(0, len(x) - length + 1, stride))
    assert all(np.array_equal(w, x[o:o + length]) for w, o in zip(windows, offsets))


def test_bundle_round_trip_and_errors(tiny_bundle, tmp_path):
    bundle = ModelBundle.load(tiny_bundle, expected_kind="mae")
    assert bundle.window_length == WINDOW
    with pytest.raises(BundleError, match="needs 'amc'"):
        ModelBundle.load(tiny_bundle, expected_kind="amc")
    with pytest.raises(BundleError, match="no bundle 'nope'"):
        ModelBundle.load("nope")

    card = json.loads((tiny_bundle / "card.json").read_text())
    broken = tmp_path / "missing_key"
    broken.mkdir()
    (broken / "card.json").write_text(json.dumps({k: v for k, v in card.items() if k != "window_length"}))
    with pytest.raises(BundleError, match="missing 'window_length'"):
        ModelBundle.load(broken)

    corrupt = tmp_path / "corrupt"
    corrupt.mkdir()
    (corrupt / "card.json").write_text(json.dumps(card))
    (corrupt / "weights.safetensors").write_bytes(b"\0" * 100)
    with pytest.raises(BundleError, match="sha256"):
        ModelBundle.load(corrupt)
    card_no_hash = dict(card, weights={"file": "weights.safetensors"})
    (corrupt / "card.json").write_text(json.dumps(card_no_hash))
    with pytest.raises(BundleError, match="safetensors"):
        ModelBundle.load(corrupt)

    mismatched = tmp_path / "mismatched"
    mismatched.mkdir()
    (mismatched / "weights.safetensors").write_bytes((tiny_bundle / "weights.safetensors").read_bytes())
    (mismatched / "card.json").write_text(json.dumps(dict(card, architecture=dict(card["architecture"], latent=5))))
    loaded = ModelBundle.load(mismatched)
    with pytest.raises(BundleError, match="shape mismatch"):
        loaded.load_into(mae_nn.build(loaded.card["architecture"]))


@pytest.mark.parametrize("backend", ["torchscript", "onnxruntime"])
def test_fast_paths_match_eager(tiny_bundle, backend):
    bundle = ModelBundle.load(tiny_bundle)
    module = bundle.load_into(mae_nn.build(bundle.card["architecture"])).eval()
    x = np.random.default_rng(1).random((33, WINDOW)).astype(np.float32)
    eager = InferenceEngine(module, x[:2], "cpu", 0, "eager")(x)
    fast = InferenceEngine(module, x[:2], "cpu", 0, backend)(x)
    np.testing.assert_allclose(fast, eager, rtol=1e-5, atol=1e-5)


def test_auto_backend_falls_back_to_eager_with_a_warning(tiny_bundle, monkeypatch):
    from gnuradio.sentinel.runtime import inference

    def unavailable(*args):
        raise ImportError("no onnxruntime here")

    monkeypatch.setattr(inference, "onnxruntime_session", unavailable)
    bundle = ModelBundle.load(tiny_bundle)
    module = bundle.load_into(mae_nn.build(bundle.card["architecture"])).eval()
    x = np.ones((2, WINDOW), np.float32)
    with pytest.warns(UserWarning, match="backend: 'onnxruntime' unavailable"):
        engine = InferenceEngine(module, x, "cpu", 0, "auto", preferred_backend="onnxruntime")
    assert engine.backend == "eager"
    with pytest.raises(ImportError):
        InferenceEngine(module, x, "cpu", 0, "onnxruntime")


def test_fast_path_that_disagrees_with_eager_is_refused(tiny_bundle, monkeypatch):
    from gnuradio.sentinel.runtime import inference

    class Wrong:
        def run(self, names, feeds):
            return [np.full((len(feeds["x"]), 3), 123.0, np.float32)]

    monkeypatch.setattr(inference, "onnxruntime_session", lambda *args: Wrong())
    bundle = ModelBundle.load(tiny_bundle)
    module = bundle.load_into(mae_nn.build(bundle.card["architecture"])).eval()
    with pytest.raises(RuntimeError, match="differs from eager"):
        InferenceEngine(module, np.ones((2, WINDOW), np.float32), "cpu", 0, "onnxruntime")


def test_lossless_scores_every_window_with_offsets_and_rx_time(tiny_bundle):
    rng = np.random.default_rng(2)
    x = (rng.standard_normal(WINDOW * 50 + 17) + 1j * rng.standard_normal(WINDOW * 50 + 17))
    rx_time = gr.tag_utils.python_to_tag((0, pmt.intern("rx_time"),
                                          pmt.make_tuple(pmt.from_uint64(100), pmt.from_double(0.25))))
    rx_rate = gr.tag_utils.python_to_tag((0, pmt.intern("rx_rate"), pmt.from_double(1e6)))
    block = sentinel.mae_anomaly_scorer(str(tiny_bundle), stride=WINDOW // 2, max_batch=7)
    values, messages = run_model_block(block, x, [rx_time, rx_rate])
    expected = list(range(0, len(x) - WINDOW + 1, WINDOW // 2))
    assert [m["offset"] for m in messages] == expected
    assert len(values) == len(expected) and np.all(np.isfinite(values))
    assert messages[3]["rx_time"] == pytest.approx(100.25 + expected[3] / 1e6)
    assert block.stats() == {"seen": len(expected), "scored": len(expected), "skipped": 0, "flagged": 0}
    # The stream value is the message's score.
    assert values[5] == pytest.approx(messages[5]["score"], rel=1e-6)


def test_bad_windows_are_flagged_and_counted(tiny_bundle):
    rng = np.random.default_rng(3)
    x = (rng.standard_normal(WINDOW * 6) + 1j * rng.standard_normal(WINDOW * 6)).astype(np.complex64)
    x[WINDOW + 5] = np.nan
    x[2 * WINDOW + 1] = np.inf
    x[4 * WINDOW:5 * WINDOW] = 0
    block = sentinel.mae_anomaly_scorer(str(tiny_bundle), stride=WINDOW)
    values, messages = run_model_block(block, x)
    flags = [m["flags"] for m in messages]
    assert flags == [[], ["nonfinite"], ["nonfinite"], [], ["zero"], []]
    assert np.isnan(values[[1, 2, 4]]).all() and np.isfinite(values[[0, 3, 5]]).all()
    assert block.stats() == {"seen": 6, "scored": 3, "skipped": 0, "flagged": 3}


def test_realtime_skips_whole_windows_and_counts_them(tiny_bundle):
    """An artificially slow model under a throttled source: skipped + scored == seen."""
    block = sentinel.mae_anomaly_scorer(str(tiny_bundle), stride=WINDOW, mode="realtime",
                                        max_batch=4, queue_depth=1)
    engine = block.engine

    def slow(batch):
        time.sleep(0.02)
        return engine(batch)

    block._worker._run = slow
    n = WINDOW * 400
    rng = np.random.default_rng(4)
    x = (rng.standard_normal(n) + 1j * rng.standard_normal(n)).astype(np.complex64)
    top = gr.top_block()
    source = blocks.vector_source_c(x, False)
    throttle = blocks.throttle(gr.sizeof_gr_complex, 200_000)
    debug = blocks.message_debug()
    sink = blocks.vector_sink_f()
    top.connect(source, throttle, block, sink)
    top.msg_connect(block, "detections", debug, "store")
    top.run()
    stats = block.stats()
    assert stats["seen"] == 400
    assert stats["skipped"] > 0 and stats["scored"] > 0
    assert stats["skipped"] + stats["scored"] == stats["seen"]
    messages = [pmt.to_python(debug.get_message(i)) for i in range(debug.num_messages())]
    # Messages of batches still in flight when the flowgraph shuts down may reach a
    # downstream block after its thread has ended: at most (queue_depth + 1) * max_batch.
    offsets = sorted(m["offset"] for m in messages)
    assert len(set(offsets)) == len(offsets) >= 400 - 8
    assert set(offsets) <= set(range(0, n - WINDOW + 1, WINDOW))
    assert sum("skipped" in m["flags"] for m in messages) <= stats["skipped"]


@pytest.mark.parametrize("kwargs, message", [
    (dict(mode="fast"), "mode"), (dict(stride=-1), "stride"), (dict(device="tpu"), "device"),
    (dict(backend="onnx"), "backend"), (dict(max_batch=0), "max_batch"),
])
def test_bad_block_arguments(tiny_bundle, kwargs, message):
    with pytest.raises(ValueError, match=message):
        sentinel.mae_anomaly_scorer(str(tiny_bundle), **kwargs)


@pytest.mark.parametrize("name", ["afnet", "vtcnn2", "htrd", "mae", "mae_paper", "kpi"])
def test_onnxruntime_gives_eagers_answers_for_shipped_models(name):
    factories = {"amc": sentinel.modulation_classifier, "htrd": sentinel.htrd_classifier,
                 "mae": sentinel.mae_anomaly_scorer, "kpi": sentinel.kpi_anomaly_detector}
    kind = ModelBundle.load(name).kind
    eager = factories[kind](name, device="cpu", backend="eager")
    fast = factories[kind](name, device="cpu", backend="onnxruntime")
    rng = np.random.default_rng(5)
    shape = (40, eager.window_length) + eager.windower.item_shape
    if eager.input_dtype == np.complex64:
        windows = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(np.complex64)
    else:
        windows = rng.random(shape).astype(eager.input_dtype)
    x = eager.preprocess(windows)
    want, got = eager.engine(x), fast.engine(x)
    want, got = (want if isinstance(want, tuple) else (want,)), (got if isinstance(got, tuple) else (got,))
    for w, g in zip(want, got):
        # float32 sums in another order (backend, thread count): one mae_paper score once differed by 9e-4
        # relative in a full run; a wrong export differs by far more
        np.testing.assert_allclose(g, w, rtol=1e-3, atol=1e-3 * (1 + np.abs(w).max()))


def test_record_to_pmt_equals_pmt_to_pmt():
    from gnuradio.sentinel.runtime.block import record_to_pmt

    record = {"offset": 3 * 2 ** 40, "last_offset": 12, "length": 128, "window": 7, "model": "afnet",
              "label": "QPSK", "confidence": 0.75, "probabilities": [0.1, 0.75, 0.15], "flags": ["zero"],
              "reject": True, "nothing": None, "scores": np.float64(1.5), "pair": (1, "a"), "empty": []}
    assert pmt.equal(record_to_pmt(record), pmt.to_pmt(record))
    assert pmt.to_python(record_to_pmt(record)) == pmt.to_python(pmt.to_pmt(record))


def test_set_card_entry_adds_a_section_and_keeps_the_bundle_loadable(tmp_path):
    from gnuradio.sentinel.runtime.bundle import set_card_entry

    folder = tmp_path / "mae_copy"
    folder.mkdir()
    for item in ModelBundle.load("mae").path.iterdir():
        (folder / item.name).write_bytes(item.read_bytes())
    set_card_entry(folder, ("metrics", "new_section", "value"), 0.5)
    set_card_entry(folder, ("inference",), {"cpu_backend": "eager"})
    bundle = ModelBundle.load(folder)
    assert bundle.card["metrics"]["new_section"] == {"value": 0.5}
    assert bundle.card["inference"] == {"cpu_backend": "eager"}
    assert bundle.card["thresholds"] == ModelBundle.load("mae").card["thresholds"]
    bundle.load_into(mae_nn.build(bundle.card["architecture"]))   # weights and their sha256 untouched
    with pytest.raises(ValueError, match="path: 'inference'; allowed: a non-empty tuple of card keys"):
        set_card_entry(folder, "inference", {})
    with pytest.raises(ValueError, match="path: card entry 'kind' of .* is not a section"):
        set_card_entry(folder, ("kind", "x"), 1)
