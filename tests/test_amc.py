# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Modulation classifiers: architectures, CW weights, training smoke test, block contract."""

import json
import math

import numpy as np
import pytest
import torch

from gnuradio import sentinel
from gnuradio.sentinel import data
from gnuradio.sentinel.nn import amc as amc_nn
from gnuradio.sentinel.runtime import BundleError
from gnuradio.sentinel.train import amc as amc_train

from flowgraph_helpers import run_model_block


def test_vtcnn2_has_exactly_the_published_parameter_count():
    assert sum(p.numel() for p in amc_nn.VTCNN2().parameters()) == 2_830_427


@pytest.mark.parametrize("name", ["afnet", "vtcnn2", "resnet"])
def test_architectures_map_windows_to_class_logits(name):
    model = amc_nn.build({"name": name, "classes": 11}).eval()
    with torch.no_grad():
        assert tuple(model(torch.randn(5, 2, 128)).shape) == (5, 11)


def test_cw_weights_hand_computed():
    """p = (0.5, 0.3, 0.2, 0, ...): top-3 entropy H = 1.0297 nats, w = 1 - H / ln 3 = 0.06270."""
    p = torch.tensor([[0.5, 0.3, 0.2] + [0.0] * 8,
                      [1.0] + [0.0] * 10,
                      [1 / 11] * 11])
    w = amc_nn.topk_confidence_weights(p, k=3)
    h = -(0.5 * math.log(0.5) + 0.3 * math.log(0.3) + 0.2 * math.log(0.2))
    assert w[0].item() == pytest.approx(1 - h / math.log(3), abs=1e-6)
    assert w[0].item() == pytest.approx(0.06270, abs=1e-4)
    assert w[1].item() == pytest.approx(1.0)
    assert w[2].item() == pytest.approx(0.0, abs=1e-6)
    assert torch.all((w >= 0) & (w <= 1))
    # A sharper prediction always weighs more than a flatter one.
    assert amc_nn.topk_confidence_weights(torch.tensor([[0.8, 0.15, 0.05]]), 3) > \
        amc_nn.topk_confidence_weights(torch.tensor([[0.4, 0.35, 0.25]]), 3)


@pytest.fixture(scope="module")
def tiny_amc(tmp_path_factory):
    """A few examples of four classes at high SNR, and an AFNet trained on them with CW."""
    folder = tmp_path_factory.mktemp("amc")
    path = folder / "tiny.h5"
    recipe = data.RadioML2016(snrs=(10.0, 18.0), classes=["BPSK", "QPSK", "PAM4", "WBFM"],
                              channel_config=data.ChannelConfig(fading=False))
    data.generate(recipe, path, 30, seed=7, workers=1, progress=False)
    card = amc_train.train("afnet", path, folder / "afnet_tiny", epochs=2, batch_size=32, cw=True,
                           architecture={"units": 2, "channels": 16}, log=lambda s: None)
    return path, folder / "afnet_tiny", card


def test_training_smoke_with_cw(tiny_amc):
    _, bundle, card = tiny_amc
    assert [s["stage"] for s in card["training"]["stages"]] == ["stage1_ce", "stage2_cw"]
    assert 0.0 <= card["training"]["cw"]["mean_weight"] <= 1.0
    assert set(card["metrics"]["accuracy_by_snr"]) == {10.0, 18.0}
    assert (bundle / "weights.safetensors").is_file()


def test_block_labels_windows_at_their_offsets(tiny_amc):
    path, bundle, _ = tiny_amc
    ds = data.load(path)
    x = ds.complex()[:6].reshape(-1) * 3.0  # any gain: the block normalises each window
    block = sentinel.modulation_classifier(str(bundle), stride=128)
    values, messages = run_model_block(block, x)
    assert [m["offset"] for m in messages] == [0, 128, 256, 384, 512, 640]
    assert all(len(m["probabilities"]) == 4 and abs(sum(m["probabilities"]) - 1) < 1e-4 for m in messages)
    assert [m["label"] for m in messages] == [ds.class_names[int(v)] for v in values]


def test_bundle_without_classes_or_with_wrong_window(tiny_amc, tmp_path):
    _, bundle, _ = tiny_amc
    card = json.loads((bundle / "card.json").read_text())
    broken = tmp_path / "no_classes"
    broken.mkdir()
    (broken / "weights.safetensors").write_bytes((bundle / "weights.safetensors").read_bytes())
    (broken / "card.json").write_text(json.dumps(dict(card, outputs={"value": "class index"})))
    with pytest.raises(BundleError, match="classes"):
        sentinel.modulation_classifier(str(broken))
    wrong = tmp_path / "wrong_window"
    wrong.mkdir()
    (wrong / "weights.safetensors").write_bytes((bundle / "weights.safetensors").read_bytes())
    (wrong / "card.json").write_text(json.dumps(dict(card, window_length=256)))
    # AFNet pools globally, so a 256 window runs; VT-CNN2's dense layer would not. Either way
    # the block must refuse a card whose window length the weights were not trained on.
    with pytest.raises(BundleError, match="window"):
        sentinel.modulation_classifier(str(wrong))


def test_extra_training_examples_never_touch_the_held_out_split(tiny_amc):
    path, _, _ = tiny_amc
    ds, _, train_idx, valid_idx, test_idx = amc_train.load_split(path, 0, per_cell=20)
    x_extra, y_extra = amc_train.load_extra_training(path, 20, 10)
    assert len(x_extra) == 10 * 4 * 2  # 10 more per (class, SNR) cell
    held_out = {ds.iq[i].tobytes() for i in np.concatenate([valid_idx, test_idx])}
    assert not any(x.tobytes() in held_out for x in x_extra)
    # the split of the first 20 per cell is the same with or without extra data
    again = amc_train.load_split(path, 0, per_cell=20)
    np.testing.assert_array_equal(again[4], test_idx)


def test_warm_start_with_extra_data(tiny_amc, tmp_path):
    path, bundle, first = tiny_amc
    card = amc_train.train("afnet", path, tmp_path / "warm", epochs=1, batch_size=32, per_cell=20,
                           extra_train=10, init_from=str(bundle), log=lambda s: None)
    *inherited, stage = card["training"]["stages"]   # the starting bundle's history, then this run's
    assert [s["history"] for s in inherited] == [s["history"] for s in first["training"]["stages"]]
    assert inherited and all(s["stage"].endswith("(of {}, the starting point)".format(bundle)) for s in inherited)
    assert stage["initialised_from"] == str(bundle)
    assert stage["training_examples"] == len(amc_train.load_split(path, 0, per_cell=20)[2]) + 80
    assert card["training"]["extra_training_examples_per_cell"] == 10
    assert card["architecture"] == first["architecture"]
    # zero epochs: the saved weights are exactly the bundle it started from
    copy = amc_train.train("afnet", path, tmp_path / "copy", epochs=0, per_cell=20, init_from=str(bundle),
                           log=lambda s: None)
    # a second warm start names each inherited stage once, by the bundle it first came from
    again = amc_train.train("afnet", path, tmp_path / "again", epochs=0, per_cell=20, init_from=str(tmp_path / "copy"),
                            log=lambda s: None)
    assert [s["stage"] for s in again["training"]["stages"][:len(inherited)]] == [s["stage"] for s in inherited]
    assert copy["training"]["stages"][:len(inherited)] == inherited
    from gnuradio.sentinel.runtime import ModelBundle
    started, saved = ModelBundle.load(bundle).tensors, ModelBundle.load(tmp_path / "copy").tensors
    assert started.keys() == saved.keys()
    assert all(np.array_equal(np.asarray(started[k]), np.asarray(saved[k])) for k in started)
    with pytest.raises(ValueError, match="init_from: bundle .* is a afnet, not a resnet"):
        amc_train.train("resnet", path, tmp_path / "bad", epochs=1, init_from=str(bundle), log=lambda s: None)
    with pytest.raises(ValueError, match="input_scale: bundle .* unit-energy windows, not unit-power"):
        amc_train.train("afnet", path, tmp_path / "bad", epochs=1, init_from=str(bundle), input_scale="power",
                        log=lambda s: None)
    with pytest.raises(ValueError, match="architecture: comes from the init_from bundle"):
        amc_train.train("afnet", path, tmp_path / "bad", epochs=1, init_from=str(bundle),
                        architecture={"units": 3}, log=lambda s: None)


def test_extra_training_with_extra_data_gets_the_same_offset_correction(tiny_amc, tmp_path):
    """--extra-train and --extra-data together: every added example joins training, and the
    beyond-the-split examples get the front-end's x^4 correction like the rest."""
    path, _, _ = tiny_amc
    corrected, labels = amc_train.load_extra_training(path, 20, 10, cfo_correction="fourth_power")
    plain, _ = amc_train.load_extra_training(path, 20, 10)
    ds = data.load(path).select(amc_train._cell_slice(data.load(path), 20, 10))
    np.testing.assert_array_equal(corrected, amc_train._model_input(ds, "energy", "fourth_power"))
    np.testing.assert_array_equal(labels, ds.label)
    assert not np.allclose(corrected, plain)
    card = amc_train.train("afnet", path, tmp_path / "mixed", epochs=1, batch_size=32, per_cell=20, extra_train=10,
                           extra_data=[path], frontend="fourth_power", architecture={"units": 2, "channels": 16},
                           log=lambda s: None)
    split_train = len(amc_train.load_split(path, 0, per_cell=20)[2])
    assert card["training"]["stages"][-1]["training_examples"] == split_train + 80 + len(data.load(path))


def test_corrected_and_received_rows_and_a_widened_warm_start(tiny_amc, tmp_path):
    """fourth_power_and_raw: rows 0-1 are the x^4-corrected window, rows 2-3 the received one,
    both at unit energy; a 2-row bundle warm-starts the 4-row AFNet with the same outputs."""
    import torch
    n = np.arange(128)
    rng = np.random.default_rng(4)
    qpsk = np.exp(1j * (np.pi / 4 + np.pi / 2 * rng.integers(0, 4, (6, 128))))
    shifted = (3 * qpsk * np.exp(2j * np.pi * 0.01 * n)).astype(np.complex64)
    four = amc_nn.preprocess(shifted, "energy", "fourth_power_and_raw")
    assert four.shape == (6, 4, 128) and amc_nn.input_rows("fourth_power_and_raw") == 4
    np.testing.assert_allclose(four[:, :2], amc_nn.preprocess(shifted, "energy", "fourth_power"), atol=1e-6)
    np.testing.assert_allclose(four[:, 2:], amc_nn.preprocess(shifted, "energy"), atol=1e-6)
    np.testing.assert_allclose(np.sum(four[:, 2:] ** 2, axis=(1, 2)), 1.0, rtol=1e-5)
    # the corrected rows are QPSK without the offset: their 4th power is constant
    fourth = (four[:, 0] + 1j * four[:, 1]) ** 4
    assert np.abs(np.mean(fourth / np.abs(fourth), axis=1)).min() > 0.999

    path, _, _ = tiny_amc
    narrow = amc_train.train("afnet", path, tmp_path / "narrow", epochs=1, batch_size=32, per_cell=20,
                             frontend="fourth_power", architecture={"units": 2, "channels": 16}, log=lambda s: None)
    wide = amc_train.train("afnet", path, tmp_path / "wide", epochs=0, per_cell=20, frontend="fourth_power_and_raw",
                           init_from=str(tmp_path / "narrow"), log=lambda s: None)
    assert wide["architecture"]["in_channels"] == 4 and narrow["architecture"].get("in_channels", 2) == 2
    assert wide["preprocessing"]["cfo_correction"] == "fourth_power_and_raw"
    from gnuradio.sentinel.runtime import ModelBundle
    models = [ModelBundle.load(tmp_path / b) for b in ("narrow", "wide")]
    nets = [m.load_into(amc_nn.build(m.card["architecture"])).eval() for m in models]
    with torch.no_grad():
        outputs = [net(torch.as_tensor(amc_nn.preprocess_card(shifted, m.card["preprocessing"])))
                   for net, m in zip(nets, models)]
    np.testing.assert_allclose(outputs[0].numpy(), outputs[1].numpy(), atol=1e-5)
    with pytest.raises(ValueError, match="only afnet takes more than 2"):
        amc_train.train("vtcnn2", path, tmp_path / "bad", epochs=0, per_cell=20, frontend="fourth_power_and_raw",
                        log=lambda s: None)


def test_offset_augmentation_shifts_training_windows_only(tiny_amc, tmp_path):
    """--augment-cfo: each training window gets its own offset, recovered from the phase slope
    of window / original, with the amplitudes and the unit energy kept."""
    rng = np.random.default_rng(3)
    windows = np.exp(2j * np.pi * rng.random((50, 128))).astype(np.complex64)
    shifted, offsets = amc_train.random_offsets(windows, 2000.0, 200e3, np.random.default_rng(1))
    slope = np.angle(np.sum(shifted[:, 1:] / windows[:, 1:] * np.conj(shifted[:, :-1] / windows[:, :-1]), axis=1))
    np.testing.assert_allclose(slope * 200e3 / (2 * np.pi), offsets, atol=1e-2)
    assert np.abs(offsets).max() <= 2000.0 and np.abs(offsets).min() < 500.0 < np.abs(offsets).max()
    np.testing.assert_allclose(np.abs(shifted), np.abs(windows), rtol=1e-5)

    path, _, _ = tiny_amc
    ds, x, train_idx, valid_idx, _ = amc_train.load_split(path, 0, per_cell=20)
    many = np.ones((2000, 8), np.complex64)
    _, fifth = amc_train.random_offsets(many, 2000.0, 200e3, np.random.default_rng(1), fraction=0.2)
    assert 0.75 <= np.mean(fifth == 0.0) <= 0.85   # binomial: 0.80 +- 0.009
    augment = (3000.0, 1.0, np.random.default_rng(2))
    moved = amc_train._model_input(ds, "energy", "none", augment)
    assert moved.shape == x.shape and not np.allclose(moved, x)
    np.testing.assert_allclose(np.sum(moved ** 2, axis=(1, 2)), 1.0, rtol=1e-4)
    card = amc_train.train("afnet", path, tmp_path / "augmented", epochs=1, batch_size=32, per_cell=20,
                           augment_cfo_hz=3000.0, architecture={"units": 2, "channels": 16}, log=lambda s: None)
    assert card["training"]["augment_cfo_hz"] == 3000.0 and card["training"]["augment_fraction"] == 1.0
    assert card["training"]["stages"][-1]["training_examples"] == len(train_idx)
    with pytest.raises(ValueError, match=r"augment_fraction: must be in \(0, 1\]"):
        amc_train.train("afnet", path, tmp_path / "bad", epochs=0, per_cell=20, augment_cfo_hz=1.0,
                        augment_fraction=1.5, log=lambda s: None)
    with pytest.raises(ValueError, match="augment_fraction: only with augment_cfo_hz > 0"):
        amc_train.train("afnet", path, tmp_path / "bad", epochs=0, per_cell=20, augment_fraction=0.5,
                        log=lambda s: None)
    with pytest.raises(ValueError, match="augment_cfo_hz: must be a finite offset >= 0 Hz"):
        amc_train.train("afnet", path, tmp_path / "bad", epochs=0, per_cell=20, augment_cfo_hz=-1.0,
                        log=lambda s: None)


def test_offset_augmentation_keeps_each_window_with_its_label(tiny_amc):
    """train() pairs the augmented windows of ds.select(mask) with ds.label[sorted indices]:
    a rotation keeps every sample's magnitude, so each augmented row must have the magnitudes
    of the original window at the same place in that order (and the labels follow it)."""
    path, _, _ = tiny_amc
    ds, x, train_idx, _, _ = amc_train.load_split(path, 0, per_cell=20)
    subset = ds.select(amc_train._index_mask(len(ds), train_idx))
    moved = amc_train._model_input(subset, "energy", "none", (3000.0, 1.0, np.random.default_rng(2)))
    original = x[np.sort(train_idx)]
    np.testing.assert_allclose(np.hypot(moved[:, 0], moved[:, 1]), np.hypot(original[:, 0], original[:, 1]),
                               rtol=1e-4, atol=1e-6)
    assert not np.allclose(moved, original)
    np.testing.assert_array_equal(subset.label, ds.label[np.sort(train_idx)])


def test_offset_augmentation_leaves_receiver_recipe_windows_as_recorded(tmp_path):
    """A dataset with its own receiver draws (carrier offsets) is never shifted again."""
    path = tmp_path / "rx.h5"
    data.generate(data.LiveReceiver(snrs=(10.0,), classes=["BPSK", "QPSK"]), path, 6, seed=9, workers=1,
                  progress=False)
    ds = data.load(path)
    plain = amc_train._model_input(ds, "energy", "none")
    augmented = amc_train._model_input(ds, "energy", "none", (3000.0, 1.0, np.random.default_rng(2)))
    np.testing.assert_array_equal(augmented, plain)


def test_cli_passes_the_augmentation_options_to_the_card(tiny_amc, tmp_path):
    from gnuradio.sentinel.cli import main as cli_main

    path, _, _ = tiny_amc
    code = cli_main(["train", "amc", "--data", str(path), "-o", str(tmp_path / "cli"), "--epochs", "1",
                     "--batch-size", "64", "--per-cell", "20", "--arch", '{"units": 2, "channels": 16}',
                     "--augment-cfo", "2500", "--augment-fraction", "0.5"])
    training = json.loads((tmp_path / "cli" / "card.json").read_text())["training"]
    assert code in (0, None)
    assert training["augment_cfo_hz"] == 2500.0 and training["augment_fraction"] == 0.5


def test_training_resumes_from_its_checkpoint(tmp_path):
    """A run cut after one epoch continues at epoch 1 with its history, not from scratch."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 2, 128)).astype(np.float32)
    y = rng.integers(0, 3, 64)
    arch = {"name": "afnet", "classes": 3, "units": 1, "channels": 8}
    logs = []
    first = amc_train.fit(amc_nn.build(arch), x, y, x, y, epochs=1, batch_size=32,
                          checkpoint_dir=tmp_path, log=logs.append)
    second = amc_train.fit(amc_nn.build(arch), x, y, x, y, epochs=2, batch_size=32,
                           checkpoint_dir=tmp_path, log=logs.append)
    assert [h["epoch"] for h in first] == [0]
    assert [h["epoch"] for h in second] == [0, 1]
    assert second[0] == first[0]
    assert len(logs) == 2  # epoch 0 ran once


FRESH_SEED = 31337  # never used for training data


@pytest.fixture(scope="module")
def fresh_rml(tmp_path_factory):
    path = tmp_path_factory.mktemp("fresh") / "fresh.h5"
    data.generate(data.RadioML2016(snrs=(0.0, 10.0, 14.0, 18.0)), path, 20, seed=FRESH_SEED,
                  workers=2, progress=False)
    return data.load(path)


def _accuracy(bundle_name, ds, mask):
    from gnuradio.sentinel.runtime import ModelBundle

    bundle = ModelBundle.load(bundle_name)
    model = bundle.load_into(amc_nn.build(bundle.card["architecture"]))
    p = amc_train.predict_proba(model, amc_nn.preprocess_card(ds.complex()[mask], bundle.card["preprocessing"]))
    return float(np.mean(p.argmax(1) == ds.label[mask]))


def test_shipped_paper_afnet_on_fresh_data(fresh_rml):
    """Fresh RadioML-style examples (new seed, every impairment of that recipe on): the
    paper reproduction afnet_rml2016 keeps >= 85% at SNR >= 10 dB (91% measured) and well
    above chance (1/11) at 0 dB (~74%)."""
    ds = fresh_rml
    assert _accuracy("afnet_rml2016", ds, ds.snr >= 10) >= 0.85
    assert _accuracy("afnet_rml2016", ds, ds.snr == 0) >= 0.50


def test_shipped_receiver_afnet_on_fresh_paper_recipe_data(fresh_rml):
    """The default afnet (x^4-corrected and received rows, receiver recipe) on the same fresh
    RadioML-style windows: >= 0.80 at SNR >= 10 dB (0.864 measured on these 660 windows;
    0.85-0.91 on the 11,000-window test split), a few points below the paper bundle on
    centred signals (docs/amc.md); afnet_x4, the 2-row default before it, >= 0.78 (0.844)."""
    ds = fresh_rml
    assert _accuracy("afnet", ds, ds.snr >= 10) >= 0.80
    assert _accuracy("afnet_x4", ds, ds.snr >= 10) >= 0.78


def test_shipped_vtcnn2_loads_and_beats_chance(fresh_rml):
    """The shipped VT-CNN2, trained to its plateau (28 epochs): >= 0.70 at SNR >= 10 dB on
    fresh data (0.798 measured on these 660 windows), far above chance (1/11)."""
    ds = fresh_rml
    assert _accuracy("vtcnn2", ds, ds.snr >= 10) >= 0.70


def test_flowgraph_labels_a_qpsk_then_8psk_burst():
    """A QPSK burst then an 8PSK burst at 18 dB, 8 windows each, labelled at their offsets."""
    from gnuradio.sentinel.data import channel, modulators

    rng = np.random.default_rng(FRESH_SEED)
    bursts = [channel.add_calibrated_noise(modulators.modulate(name, 8 * 128, rng), 18.0, rng)
              for name in ("QPSK", "8PSK")]
    x = (0.3 * np.concatenate(bursts)).astype(np.complex64)
    block = sentinel.modulation_classifier("afnet")
    values, messages = run_model_block(block, x)
    assert [m["offset"] for m in messages] == list(range(0, 16 * 128, 128))
    labels = [m["label"] for m in messages]
    assert labels[:8].count("QPSK") >= 7, labels
    assert labels[8:].count("8PSK") >= 7, labels
    assert all(abs(sum(m["probabilities"]) - 1) < 1e-4 for m in messages)
    assert [int(v) for v in values] == [m["class_index"] for m in messages]


def test_learning_curve_is_drawn_from_the_cards_history(tmp_path):
    from gnuradio.sentinel.train.amc import plot_learning_curve

    history = [{"epoch": i, "train_loss": 2.0 - 0.1 * i, "valid_loss": 2.1 - 0.1 * i, "valid_accuracy": 0.2 + 0.05 * i}
               for i in range(4)]
    card = {"name": "m", "training": {"stages": [{"history": history[:2]}, {"history": history[2:]}]}}
    plot_learning_curve(card, tmp_path / "curve.png")
    assert (tmp_path / "curve.png").stat().st_size > 5_000
    plot_learning_curve({"name": "m", "training": {}}, tmp_path / "none.png")
    assert not (tmp_path / "none.png").exists()
