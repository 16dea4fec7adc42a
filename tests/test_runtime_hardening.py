# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""The model-block runtime under bad cards, bad parameters, bad input and failures:
refused at construction with a message naming the entry, flagged and counted at run
time, and never a hang (every flowgraph here runs under a timeout)."""

import json
import math
import shutil
import threading
import time
import warnings

import numpy as np
import pmt
import pytest
import torch
from gnuradio import blocks, gr

from gnuradio import sentinel
from gnuradio.sentinel.nn import mae as mae_nn
from gnuradio.sentinel.runtime import BundleError, ModelBundle, save_bundle
from gnuradio.sentinel.runtime.bundle import sha256

from flowgraph_helpers import run_model_block

WINDOW = 64
TIMEOUT_S = 60
MAX_WINDOW_LENGTH = 2 ** 20   # the documented bound on a card's window_length




def copy_bundle(source, folder, edit=None, edit_tensors=None):
    """A copy of a bundle folder with its card (and optionally its weights, sha256 kept
    consistent) edited: edit(card) and edit_tensors(dict of tensors) change them in place."""
    source = ModelBundle.load(source).path if not hasattr(source, "is_dir") else source
    shutil.copytree(source, folder)
    card = json.loads((folder / "card.json").read_text())
    if edit_tensors is not None:
        from safetensors.torch import load_file, save_file
        weights = folder / card["weights"]["file"]
        tensors = load_file(str(weights))
        edit_tensors(tensors)
        save_file(tensors, str(weights))
        card["weights"]["sha256"] = sha256(weights)
    if edit is not None:
        edit(card)
    (folder / "card.json").write_text(json.dumps(card))
    return folder


def run_bounded(top, timeout=TIMEOUT_S):
    """top.start(), then wait for it in a thread: a flowgraph still running after
    `timeout` seconds fails the test instead of hanging the suite."""
    top.start()
    waiter = threading.Thread(target=top.wait, daemon=True)
    waiter.start()
    waiter.join(timeout)
    if waiter.is_alive():
        top.stop()
        pytest.fail("the flowgraph did not end within {} s".format(timeout))


def flowgraph(block, samples, repeat=False, sink=None):
    top = gr.top_block()
    source = blocks.vector_source_c(np.asarray(samples, np.complex64), repeat)
    sink = sink if sink is not None else blocks.vector_sink_f()
    debug = blocks.message_debug()
    top.connect(source, block, sink)
    top.msg_connect(block, "detections", debug, "store")
    return top, sink, debug


def messages_of(debug):
    return [pmt.to_python(debug.get_message(i)) for i in range(debug.num_messages())]


def noise(n, seed=0, scale=1.0):
    rng = np.random.default_rng(seed)
    return ((rng.standard_normal(n) + 1j * rng.standard_normal(n)) * scale / math.sqrt(2)).astype(np.complex64)


def failing_after(engine, calls):
    """An engine that answers `calls` batches and then raises."""
    count = [0]

    def run(batch):
        count[0] += 1
        if count[0] > calls:
            raise RuntimeError("simulated inference failure")
        return engine(batch)
    return run


# ---- item 2: an exception inside work() ends the flowgraph --------------------------------------
@pytest.mark.parametrize("mode", ["lossless", "realtime"])
def test_a_model_error_ends_the_flowgraph_with_the_windows_flagged(tiny_bundle, mode):
    """A model that raises inside work() (either mode) ends an endless flowgraph with the
    error logged and kept in error(): the failing batch's windows output NaN, carry the
    `error` flag and are counted; every window seen has its output item and its detection."""
    block = sentinel.mae_anomaly_scorer(str(tiny_bundle), stride=WINDOW, mode=mode, max_batch=8, device="cpu")
    broken = failing_after(block.engine, 2)
    block.engine = broken
    if mode == "realtime":
        block._worker._run = broken
    top, sink, debug = flowgraph(block, noise(WINDOW * 100), repeat=True)
    run_bounded(top)
    assert "simulated inference failure" in block.error()
    assert block.errors() >= 1
    stats, flags = block.stats(), block.flag_counts()
    values, messages = np.array(sink.data()), messages_of(debug)
    assert stats["seen"] == stats["scored"] + stats["skipped"] + stats["flagged"]
    assert flags["error"] == stats["flagged"] >= 1
    assert len(values) == len(messages) == stats["seen"]
    # realtime publishes a skipped batch at once, a scored one when it is done: sort
    assert sorted(m["offset"] for m in messages) == [WINDOW * i for i in range(stats["seen"])]
    assert sum("error" in m["flags"] for m in messages) == flags["error"]
    assert np.isnan(values).sum() == flags["error"] + stats["skipped"]
    assert stats["scored"] <= 16 and (mode == "realtime" or stats["skipped"] == 0)


def test_a_bug_in_work_ends_the_flowgraph(tiny_bundle, monkeypatch):
    """Any exception in general_work (not only the model's) returns WORK_DONE: tb.wait()
    returns and error() names the exception."""
    block = sentinel.mae_anomaly_scorer(str(tiny_bundle), stride=WINDOW, device="cpu")

    def broken(*args):
        raise IndexError("a bug in the windower")

    monkeypatch.setattr(block.windower, "take", broken)
    top, sink, _ = flowgraph(block, noise(WINDOW * 10), repeat=True)
    run_bounded(top)
    assert block.error().startswith("work() raised IndexError: a bug in the windower")
    assert len(sink.data()) == 0


@pytest.mark.parametrize("name, window_length, expected", [
    ("mae_paper", 500, "window_length 1000"), ("mae", 512, "window_length 1024"), ("htrd", 64, "window_length 128"), ("vtcnn2", 64, "window_length 128"),
    ("afnet", 256, "window_length 128"), ("kpi", 32, "window_length 16"), ("kpi_b", 8, "window_length 16"),
])
def test_a_card_window_length_other_than_the_training_one_is_refused(tmp_path, name, window_length, expected):
    """A card whose window_length differs from the network's training windows is refused
    at construction with a BundleError naming the allowed value (no warning, no fallback)."""
    folder = copy_bundle(name, tmp_path / name, edit=lambda card: card.update(window_length=window_length))
    factory = {"mae": sentinel.mae_anomaly_scorer, "htrd": sentinel.htrd_classifier,
               "amc": sentinel.modulation_classifier, "kpi": sentinel.kpi_anomaly_detector}[ModelBundle.load(name).kind]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(BundleError, match=r"card.json: window_length {} .*; allowed: {}".format(
                window_length, expected)):
            factory(str(folder), device="cpu")


def test_a_recorded_training_window_length_is_enforced(tiny_bundle, tmp_path):
    """training.window_length, when a card records it, must equal window_length."""
    folder = copy_bundle(tiny_bundle, tmp_path / "recorded",
                         edit=lambda card: card["training"].update(window_length=WINDOW * 2))
    with pytest.raises(BundleError, match="window_length 64 differs from the 128-sample windows .*; allowed: "
                                          "window_length 128"):
        sentinel.mae_anomaly_scorer(str(folder), device="cpu")


def test_a_network_that_does_not_take_the_windows_is_refused(tiny_bundle, tmp_path):
    """A card/network mismatch the card checks do not name is still refused at
    construction: the network is run once on test windows."""
    def edit(card):
        card["window_length"] = WINDOW * 2
        card["preprocessing"]["features"] = "iq"   # 2 x 64 = 128 features, but the card says input_size 64
    folder = copy_bundle(tiny_bundle, tmp_path / "iq", edit=edit)
    with pytest.raises(BundleError, match="'iq' features, but the network takes architecture.input_size 64"):
        sentinel.mae_anomaly_scorer(str(folder), device="cpu")


# ---- item 6: realtime mode writes every window, also at the end of the stream ---------------------
def check_realtime_counts(block, values, messages, windows, drops_counted=False):
    """Exactly one output item and one detection per window seen; NaN exactly for the skipped ones.
    drops_counted: a downstream starved of CPU may leave no room for max_lag windows; then the
    items not written must be exactly those output_dropped() counts (each still has its detection)."""
    stats, flags = block.stats(), block.flag_counts()
    dropped = block.output_dropped()
    assert stats["seen"] == windows
    assert stats["scored"] + stats["skipped"] + stats["flagged"] == windows
    assert dropped == 0 or drops_counted
    assert len(values) == windows - dropped and len(messages) == windows
    assert sorted(m["offset"] for m in messages) == [block.stride * i for i in range(windows)]
    assert sum("skipped" in m["flags"] for m in messages) == stats["skipped"] == flags["skipped"]
    if dropped:
        assert int(np.isnan(values).sum()) <= stats["skipped"] + stats["flagged"]
    else:
        assert int(np.isnan(values).sum()) == stats["skipped"] + stats["flagged"]
    assert block.output_lag()[0] == 0


def test_realtime_ten_window_file_gives_ten_items_and_ten_detections():
    """A 10-window file in realtime mode: 10 output items and 10 detections (before the fix: 0 and 0)."""
    block = sentinel.modulation_classifier("afnet", mode="realtime", device="cpu")
    top, sink, debug = flowgraph(block, noise(128 * 10 + 50), repeat=False)
    run_bounded(top)
    values, messages = np.array(sink.data()), messages_of(debug)
    check_realtime_counts(block, values, messages, 10)
    assert block.stats()["scored"] == 10   # an idle model scores all ten
    assert [m["label"] for m in sorted(messages, key=lambda m: m["offset"])] == \
        [block.classes[int(v)] for v in values]


@pytest.mark.parametrize("name, n", [("afnet", 2_000_000), ("htrd", 1_000_000)])
def test_realtime_long_unthrottled_noise_outputs_every_window(name, n):
    """Millions of samples of noise unthrottled into AFNet / HTRD in realtime mode: every
    window has its detection and its item (or, when the sink got no CPU for max_lag windows,
    its drop counted), the skipped ones NaN and counted (before the fix a 5 M-sample run wrote
    2,719 items for 39,062 windows, HTRD 159)."""
    factory = sentinel.modulation_classifier if name == "afnet" else sentinel.htrd_classifier
    block = factory(name, mode="realtime", device="cpu")
    top, sink, debug = flowgraph(block, noise(n, seed=7), repeat=False)
    run_bounded(top, 300)
    values, messages = np.array(sink.data()), messages_of(debug)
    check_realtime_counts(block, values, messages, (n - 128) // 128 + 1, drops_counted=True)
    assert block.output_lag()[1] <= block.max_lag


def slow(engine, seconds):
    def run(batch):
        time.sleep(seconds)
        return engine(batch)
    return run


def test_realtime_output_lag_stays_within_max_lag(tiny_bundle):
    """A model far slower than an unthrottled source: no more than max_lag windows ever
    wait for their output item (the oldest batch still with the model is given up,
    flagged `skipped` + `late`, and counted), and every window still gets its item."""
    block = sentinel.mae_anomaly_scorer(str(tiny_bundle), stride=WINDOW, mode="realtime", max_batch=4,
                                        queue_depth=1, device="cpu")
    block._worker._run = slow(block.engine, 1.0)   # far more than 4,096 windows arrive meanwhile
    assert block.max_lag == 4096   # the floor: 8 * (1 + 1) * 4 is less
    windows = 12_000
    top, sink, debug = flowgraph(block, noise(WINDOW * windows), repeat=False)
    run_bounded(top)
    values, messages = np.array(sink.data()), messages_of(debug)
    check_realtime_counts(block, values, messages, windows)
    flags = block.flag_counts()
    assert flags["late"] >= 1
    assert sum("late" in m["flags"] for m in messages) == flags["late"]
    assert block.output_lag()[1] <= block.max_lag


class slow_consumer(gr.sync_block):
    """Takes at most `per_call` items per work() call and sleeps `pause` seconds in each."""

    def __init__(self, per_call, pause):
        gr.sync_block.__init__(self, name="slow_consumer", in_sig=[np.float32], out_sig=None)
        self.per_call, self.pause = per_call, pause
        self.values = []

    def work(self, input_items, output_items):
        time.sleep(self.pause)
        take = min(self.per_call, len(input_items[0]))
        self.values.extend(input_items[0][:take].tolist())
        return take


def test_realtime_a_slow_downstream_does_not_hold_the_source_back(tiny_bundle):
    """A downstream block far slower than the source: the realtime block still consumes
    its whole input at the source's pace; the output items the downstream has no room
    for are dropped (oldest first) and counted, and every window's detection is published:
    items written + output_dropped == windows seen == detections."""
    block = sentinel.mae_anomaly_scorer(str(tiny_bundle), stride=WINDOW, mode="realtime", max_batch=4,
                                        queue_depth=1, device="cpu")
    consumer = slow_consumer(per_call=8, pause=0.01)    # at most ~800 items/s
    block.set_max_output_buffer(0, 1024)               # a short drain at the end
    windows = 40_000
    top, _, debug = flowgraph(block, noise(WINDOW * windows), repeat=False, sink=consumer)
    top.start()
    deadline = time.monotonic() + TIMEOUT_S
    while block.windows_seen() < windows and time.monotonic() < deadline:
        time.sleep(0.01)
    taken_when_source_done = len(consumer.values)
    waiter = threading.Thread(target=top.wait, daemon=True)
    waiter.start()
    waiter.join(TIMEOUT_S)
    assert not waiter.is_alive(), "the flowgraph did not end"
    assert block.windows_seen() == windows
    assert taken_when_source_done < windows // 4   # the source was not held to the consumer's pace
    dropped = block.output_dropped()
    assert dropped > 0
    assert len(consumer.values) + dropped == windows
    assert debug.num_messages() == windows
    stats = block.stats()
    assert stats["scored"] + stats["skipped"] + stats["flagged"] == windows


def test_realtime_stop_drains_the_inference_thread(tiny_bundle):
    """tb.stop() mid-stream: stop() finishes the queued batches and ends the inference
    thread; the counters then cover every window seen, and items the block wrote +
    output_dropped == windows seen."""
    block = sentinel.mae_anomaly_scorer(str(tiny_bundle), stride=WINDOW, mode="realtime", max_batch=4,
                                        queue_depth=2, device="cpu")
    block._worker._run = slow(block.engine, 0.02)
    worker = block._worker
    top = gr.top_block()
    source = blocks.vector_source_c(noise(WINDOW * 1000), True)
    throttle = blocks.throttle(gr.sizeof_gr_complex, 50_000)
    sink = blocks.vector_sink_f()
    top.connect(source, throttle, block, sink)
    top.start()
    time.sleep(1.0)
    top.stop()
    top.wait()
    assert not worker._thread.is_alive()
    stats = block.stats()
    assert stats["seen"] > 0
    assert stats["scored"] + stats["skipped"] + stats["flagged"] == stats["seen"]
    # (the sink may be stopped before it reads the block's last items: count at the block)
    assert block.nitems_written(0) + block.output_dropped() == stats["seen"]
    assert len(sink.data()) <= block.nitems_written(0)


# ---- items 8 / 15 / 16: card values and paths -------------------------------------------------------
def nan_first_weight(tensors):
    key = sorted(k for k, v in tensors.items() if v.is_floating_point())[0]
    tensors[key].view(-1)[0] = float("nan")


@pytest.mark.parametrize("name, edit, edit_tensors, message", [
    ("mae_paper", None, nan_first_weight, r"tensor '.*' holds NaN or Inf values"),
    ("mae_paper", lambda c: c["thresholds"].update(gamma=float("nan")), None,
     r"'thresholds.gamma' is nan; allowed: a finite"),
    ("mae_paper", lambda c: c["thresholds"].update(gamma="high"), None, r"'thresholds.gamma' is 'high'; allowed: a finite"),
    ("mae_paper", lambda c: c["thresholds"].pop("gamma"), None, r"card.json: card entry 'thresholds.gamma' is missing"),
    ("mae_paper", lambda c: c["preprocessing"].pop("scale_min"), None, r"card entry 'preprocessing.scale_min' is missing"),
    ("mae_paper", lambda c: c["preprocessing"].update(scale_max=c["preprocessing"]["scale_min"]), None,
     r"'preprocessing.scale_max' is .*; allowed: a finite number, > "),
    ("mae_paper", lambda c: c["preprocessing"].update(scale_min=0.0, scale_max=1e-40), None,
     r"output on test windows is NaN or Inf"),
    ("mae_paper", lambda c: c["preprocessing"].update(features="fft"), None,
     r"'preprocessing.features' is 'fft'; allowed: iq, sorted_amplitude"),
    ("mae", lambda c: c["thresholds"].pop("empty_snr_db"), None, r"card entry 'thresholds.empty_snr_db' is missing"),
    ("mae", lambda c: c["input"].update(sample_rate=-1), None, r"input.sample_rate -1; allowed: a positive number"),
    ("mae", lambda c: c["architecture"].update(name="stream_conv_mae"), None,
     r"features 'spectral_views' need architecture.name 'stream_spectral_mae'"),
    ("kpi", lambda c: c["preprocessing"].update(std=[0.0] * 11), None,
     r"'preprocessing.std' is \[0.0, .*\]; allowed: a list of 11 finite numbers > 0.0"),
    ("kpi", lambda c: c["preprocessing"].pop("mean"), None, r"card entry 'preprocessing.mean' is missing"),
    ("kpi", lambda c: c["preprocessing"].update(change_std=[1.0] * 10), None,
     r"'preprocessing.change_std' is .*; allowed: a list of 11 finite numbers"),
    ("kpi", lambda c: c["thresholds"].update(probability=1.5), None, r"'thresholds.probability' is 1.5"),
    ("htrd", lambda c: c["thresholds"].update(S0=float("nan")), None, r"'thresholds.S0' is nan; allowed: a finite"),
    ("htrd", None, nan_first_weight, r"holds NaN or Inf values"),
    ("afnet", lambda c: c["preprocessing"].update(normalization="peak"), None,
     r"'preprocessing.normalization' is 'peak'; allowed: energy, power"),
])
def test_bad_card_values_are_refused_naming_the_entry(tmp_path, name, edit, edit_tensors, message):
    """NaN weights (sha256 recomputed), NaN / non-numeric / missing / inconsistent card
    values: refused at construction with a BundleError naming the entry and the allowed
    values (before: accepted, then NaN or never-anomalous outputs, or a bare KeyError)."""
    folder = copy_bundle(name, tmp_path / "bad", edit=edit, edit_tensors=edit_tensors)
    factory = {"mae": sentinel.mae_anomaly_scorer, "kpi": sentinel.kpi_anomaly_detector,
               "htrd": sentinel.htrd_classifier, "amc": sentinel.modulation_classifier}[ModelBundle.load(name).kind]
    with pytest.raises(BundleError, match=message):
        factory(str(folder), device="cpu")


@pytest.mark.parametrize("length", [0, -1, True, MAX_WINDOW_LENGTH + 1, 10 ** 9, 128.0])
def test_card_window_length_is_bounded(tiny_bundle, tmp_path, length):
    """window_length must be an integer 1..2^20: 10^9 is refused at load, before anything
    is allocated (it used to try 15-82 GiB at construction)."""
    folder = copy_bundle(tiny_bundle, tmp_path / "long", edit=lambda card: card.update(window_length=length))
    start = time.monotonic()
    with pytest.raises(BundleError, match=r"window_length|'window_length' must be int"):
        sentinel.mae_anomaly_scorer(str(folder), device="cpu")
    assert time.monotonic() - start < 10


def test_an_architecture_too_large_for_its_weights_is_refused_without_allocating(tiny_bundle, tmp_path):
    """The network is first built on torch's meta device and compared with the weights, so
    a card asking for a huge network is refused by shape, not by running out of memory."""
    folder = copy_bundle(tiny_bundle, tmp_path / "huge",
                         edit=lambda card: card["architecture"].update(hidden=[2 ** 31, 16]))
    with pytest.raises(BundleError, match="shape mismatch"):
        sentinel.mae_anomaly_scorer(str(folder), device="cpu")


@pytest.mark.parametrize("file, allowed", [
    ("../outside.safetensors", False), ("{absolute}", False), ("sub/../../outside.safetensors", False),
    ("sub/weights.safetensors", True),
])
def test_weights_file_must_stay_inside_the_bundle_folder(tiny_bundle, tmp_path, file, allowed):
    """weights.file of '../x' or an absolute path is refused even when that file exists;
    a path inside the bundle folder loads."""
    root = tmp_path / "root"
    folder = copy_bundle(tiny_bundle, root / "bundle")
    outside = root / "outside.safetensors"
    shutil.copy(folder / "weights.safetensors", outside)
    (folder / "sub").mkdir()
    shutil.copy(folder / "weights.safetensors", folder / "sub" / "weights.safetensors")
    card = json.loads((folder / "card.json").read_text())
    card["weights"]["file"] = file.format(absolute=str(outside))
    (folder / "card.json").write_text(json.dumps(card))
    if allowed:
        assert ModelBundle.load(folder).tensors
    else:
        with pytest.raises(BundleError, match="points outside the bundle folder; allowed: a file name"):
            ModelBundle.load(folder)


# ---- items 3 / 9 / 15: block parameters -------------------------------------------------------------
@pytest.mark.parametrize("kwargs, message", [
    (dict(threads="2"), r"threads: '2'; allowed: an integer from 0 to 1024"),
    (dict(threads=-1), r"threads: -1; allowed: an integer from 0 to 1024"),
    (dict(max_batch=0), r"max_batch: 0; allowed: an integer from 1 to 65536"),
    (dict(max_batch=2 ** 16 + 1), r"max_batch: 65537; allowed: an integer from 1 to 65536"),
    (dict(queue_depth=0), r"queue_depth: 0; allowed: an integer from 1 to 1024"),
    (dict(stride=1.5), r"stride: 1.5; allowed: an integer >= 0"),
    (dict(samp_rate="fast"), r"samp_rate: 'fast'; allowed: a finite number >= 0.0"),
    (dict(samp_rate=float("nan")), r"samp_rate: nan; allowed: a finite number >= 0.0"),
    (dict(threshold=float("nan")), r"threshold: nan; allowed: a finite number"),
    (dict(threshold=float("inf")), r"threshold: inf; allowed: a finite number"),
    (dict(threshold="0.5"), r"threshold: '0.5'; allowed: a finite number"),
])
def test_bad_block_parameters_name_the_parameter_and_the_allowed_values(tiny_bundle, kwargs, message):
    """Each bad parameter is a ValueError naming it and what is allowed (before: a
    threshold of NaN that never flags, "'<' not supported", "could not convert string")."""
    with pytest.raises(ValueError, match=message):
        sentinel.mae_anomaly_scorer(str(tiny_bundle), device="cpu", **kwargs)


def test_set_threshold_refuses_nan(tiny_bundle):
    """set_threshold(nan) is refused, and the block keeps its threshold."""
    block = sentinel.mae_anomaly_scorer(str(tiny_bundle), device="cpu", threshold=2.0)
    with pytest.raises(ValueError, match="threshold: nan; allowed: a finite number"):
        block.set_threshold(float("nan"))
    assert block.threshold == 2.0
    block.set_threshold(None)
    assert block.threshold == 1.0


# ---- item 10: windows whose power float32 cannot represent ------------------------------------------
def test_windows_outside_float32_power_are_flagged_and_counted(tiny_bundle):
    """Windows whose power overflows float32 (amplitude ~1e19 and up) or underflows it
    (below ~1e-19) output NaN, carry `nonfinite_power`, are counted and never reach the
    model; windows inside that range are scored as usual."""
    scales = [1.0, 1e-30, 1e-20, 1e-18, 1e17, 1e19, 1e30, 1.0]
    base = noise(WINDOW, seed=3)
    x = np.concatenate([base.astype(np.complex128) * s for s in scales]).astype(np.complex64)
    block = sentinel.mae_anomaly_scorer(str(tiny_bundle), stride=WINDOW, device="cpu")
    values, messages = run_model_block(block, x)
    expected = [[], ["nonfinite_power"], ["nonfinite_power"], [], [], ["nonfinite_power"], ["nonfinite_power"], []]
    assert [m["flags"] for m in messages] == expected
    assert np.isnan(values[[1, 2, 5, 6]]).all() and np.isfinite(values[[0, 3, 4, 7]]).all()
    assert block.stats() == {"seen": 8, "scored": 4, "skipped": 0, "flagged": 4}
    assert block.flag_counts()["nonfinite_power"] == 4


def test_afnet_answers_scaled_windows_alike_and_flags_the_rest():
    """AFNet's class for a window is the same from amplitude 1e-18 to 1e18; beyond
    float32's power range the window is flagged instead of answered (it said WBFM at
    p = 0.99998 before)."""
    rng = np.random.default_rng(11)
    symbols = np.repeat(rng.choice([-1.0, 1.0], 16) + 1j * rng.choice([-1.0, 1.0], 16), 8) / math.sqrt(2)
    scales = [1.0, 1e-18, 1e18, 1e-21, 1e20]
    x = np.concatenate([symbols * s for s in scales]).astype(np.complex64)
    block = sentinel.modulation_classifier("afnet", stride=128, device="cpu")
    values, messages = run_model_block(block, x)
    assert values[1] == values[2] == values[0]
    assert [m["flags"] for m in messages[3:]] == [["nonfinite_power"], ["nonfinite_power"]]
    assert np.isnan(values[3:]).all() and block.flag_counts()["nonfinite_power"] == 2


def test_kpi_reports_beyond_float32_are_flagged_but_outages_are_scored():
    """KPI windows whose squared values overflow float32 are flagged nonfinite_power; an
    all-zero outage window is still scored (zeros are data for the KPI detector)."""
    block = sentinel.kpi_anomaly_detector("kpi", stride=16, device="cpu")
    rng = np.random.default_rng(5)
    normal = rng.uniform(1, 50, (16, 11)).astype(np.float32)
    windows = [normal, np.full((16, 11), 1e20, np.float32), np.zeros((16, 11), np.float32)]
    top = gr.top_block()
    source = blocks.vector_source_f(np.concatenate(windows).ravel().tolist(), False, 11)
    sink = blocks.vector_sink_f()
    top.connect(source, block, sink)
    run_bounded(top)
    values = np.array(sink.data())
    assert np.isfinite(values[[0, 2]]).all() and np.isnan(values[1])
    assert block.stats() == {"seen": 3, "scored": 2, "skipped": 0, "flagged": 1}
    assert block.flag_counts()["nonfinite_power"] == 1
