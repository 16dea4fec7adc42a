# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""The MAE paper recipe's bundle (mae_paper): shipped weights on fresh data, the flowgraph,
training smoke test."""

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from gnuradio import sentinel
from gnuradio.sentinel import data
from gnuradio.sentinel.nn import mae as mae_nn
from gnuradio.sentinel.runtime import ModelBundle
from gnuradio.sentinel.train import mae as mae_train

from flowgraph_helpers import run_model_block

FRESH_SEED = 424242  # never used for training data


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    path = tmp_path_factory.mktemp("mae") / "fresh.h5"
    data.generate(data.MAEPaper(), path, 12, seed=FRESH_SEED, normalization="none", workers=1,
                  progress=False)
    return data.load(path)


@pytest.fixture(scope="module")
def shipped():
    bundle = ModelBundle.load("mae_paper")
    model = bundle.load_into(mae_nn.build(bundle.card["architecture"])).eval()
    return bundle, model


def _scores(bundle, model, windows):
    import torch

    pre = bundle.card["preprocessing"]
    with torch.no_grad():
        return model(torch.from_numpy(mae_nn.features(windows, pre["scale_min"], pre["scale_max"],
                                                      pre["features"]))).numpy()[:, 0]


def test_shipped_weights_separate_fresh_data(fresh, shipped):
    """AUROC on freshly generated data (new seed).

    The issue's target, AUROC >= 0.99 over the whole -5..10 dB recipe, is not met (the
    card records 0.74; see docs/mae.md for why no amplitude statistic can reach it
    pooled over SNR). What the shipped weights do: >= 0.99 at 9-10 dB, >= 0.90 from
    5 dB up (measured 0.97 here, 0.95 on the 80,000-vector evaluation file), and the
    card's pooled figure within sampling error (0.05 for 960 vectors).
    """
    bundle, model = shipped
    anomalous = fresh.label >= 3
    scores = _scores(bundle, model, fresh.complex())
    top = fresh.snr >= 9
    assert roc_auc_score(anomalous[top], scores[top]) >= 0.99
    high = fresh.snr >= 5
    assert roc_auc_score(anomalous[high], scores[high]) >= 0.90
    overall = roc_auc_score(anomalous, scores)
    assert overall >= bundle.card["metrics"]["fresh_data"]["table_iii"]["AUROC"] - 0.05


def _qam16(n, rng):
    levels = np.array([-3, -1, 1, 3]) / np.sqrt(10)
    return rng.choice(levels, n) + 1j * rng.choice(levels, n)


def test_flowgraph_flags_the_anomalous_windows_at_their_offsets():
    """20 BPSK windows then 20 QAM16 windows at 10 dB, at an arbitrary receiver gain.

    Every QAM16 window scores above every BPSK window and is flagged at its offset. At
    the card's gamma (chosen over all SNRs from -5 dB) the evaluation measured a 9%
    false-alarm rate at 10 dB, so up to 4 of the 20 BPSK windows may be flagged too.
    """
    rng = np.random.default_rng(FRESH_SEED)
    n = 20 * 1000
    bpsk = rng.choice([-1.0, 1.0], n).astype(np.complex64)
    qam = _qam16(n, rng)
    clean = np.concatenate([bpsk, qam])
    noise = (rng.standard_normal(2 * n) + 1j * rng.standard_normal(2 * n)) * np.sqrt(0.5 / 10)
    x = (7.5 * (clean + noise)).astype(np.complex64)  # any receiver gain
    block = sentinel.mae_anomaly_scorer("mae_paper")
    values, messages = run_model_block(block, x)
    assert [m["offset"] for m in messages] == list(range(0, 2 * n, 1000))
    scores = np.array([m["score"] for m in messages])
    assert scores[20:].min() > scores[:20].max()
    assert all(m["anomalous"] for m in messages[20:])
    assert sum(m["anomalous"] for m in messages[:20]) <= 4
    assert np.allclose(values, scores, rtol=1e-5)


def test_threshold_override():
    block = sentinel.mae_anomaly_scorer("mae_paper", threshold=1e9)
    assert block.threshold == 1e9
    block.set_threshold(2.5)
    assert block.threshold == 2.5
    block.set_threshold(None)  # GRC's callback when the threshold goes back to "from the card"
    assert block.threshold == block.bundle.card["thresholds"]["gamma"]


def test_training_smoke_on_tiny_data(tmp_path):
    path = tmp_path / "tiny.h5"
    data.generate(data.MAEPaper(snrs=(0.0, 10.0)), path, 8, seed=5, normalization="none",
                  workers=1, progress=False)
    card = mae_train.train(path, tmp_path / "bundle", epochs=2, batch_size=16, lr=1e-3,
                           feature_kind="sorted_amplitude", log=lambda s: None)
    assert len(card["training"]["history"]) == 2
    assert set(card["thresholds"]["ablations"]) == {"hybrid", "mahalanobis", "reconstruction"}
    with pytest.raises(ValueError, match="another seed"):
        mae_train.evaluate(tmp_path / "bundle", path, log=lambda s: None)
    block = sentinel.mae_anomaly_scorer(str(tmp_path / "bundle"))
    assert block.window_length == 1000


def test_eval_refuses_a_file_of_another_recipe(tmp_path):
    path = tmp_path / "rml.h5"
    data.generate(data.RadioML2016(snrs=(10.0,), classes=["QPSK"],
                                   channel_config=data.ChannelConfig(fading=False)),
                  path, 2, seed=3, workers=1, progress=False)
    with pytest.raises(ValueError, match="recipe"):
        mae_train.evaluate("mae_paper", path, log=lambda s: None)
