# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""The shipped stream MAE (`mae`) on freshly generated data with a seed no bundle was
trained or evaluated on: normal windows from the GNU Radio generator through a live
receiver, anomalies from data.stream_anomalies (numpy only)."""

import numpy as np
import pytest

from gnuradio import sentinel
from gnuradio.sentinel import data
from gnuradio.sentinel.data import stream_anomalies
from gnuradio.sentinel.nn import mae as mae_nn
from gnuradio.sentinel.runtime import ModelBundle
from gnuradio.sentinel.train import stream_mae

FRESH_SEED = 777_001
SNR_DB = 18.0


@pytest.fixture(scope="module")
def shipped():
    bundle = ModelBundle.load("mae")
    return bundle, bundle.load_into(mae_nn.build(bundle.card["architecture"])).eval()


@pytest.fixture(scope="module")
def normal(tmp_path_factory):
    path = tmp_path_factory.mktemp("stream") / "normal.h5"
    recipe = data.LiveReceiver(length=1024, snrs=(SNR_DB,), receiver_config=stream_anomalies.STREAM_RECEIVER)
    data.generate(recipe, path, 20, seed=FRESH_SEED, normalization="none", workers=1, progress=False)
    return data.load(path).complex()


def _scores(shipped, windows):
    bundle, model = shipped
    return stream_mae.scores(model, stream_mae.model_input(windows, bundle.card["architecture"]))


def test_card_states_the_stream_it_expects(shipped):
    bundle, _ = shipped
    card = bundle.card
    assert card["window_length"] == 1024
    assert card["input"]["sample_rate"] == 200e3 and card["input"]["samples_per_symbol"] == 8
    assert card["thresholds"]["empty_snr_db"] < -3.0
    with pytest.raises(ValueError, match="samp_rate: 1.024e\\+06 Hz, but model mae expects 200000 Hz"):
        sentinel.mae_anomaly_scorer("mae", samp_rate=1.024e6)


def test_structural_anomalies_stand_out_at_18_db(shipped, normal):
    """AUROC against 220 fresh normal windows of all 11 classes, 110 windows a family; the
    evaluation (docs/mae.md) measured 0.98-1.00 for these families at 18 dB."""
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng([FRESH_SEED, 1])
    normal_scores = _scores(shipped, normal)[:, 0]
    for family in ("linear_chirp", "two_tone", "swept_jammer", "overlapping"):
        anomalous = _scores(shipped, stream_anomalies.windows(family, 110, SNR_DB, rng))[:, 0]
        y = np.r_[np.zeros(len(normal_scores)), np.ones(len(anomalous))]
        assert roc_auc_score(y, np.r_[normal_scores, anomalous]) >= 0.95, family


def test_false_alarms_at_the_card_threshold(shipped, normal):
    """The card's gamma flags 2% of the training file's held-out normal windows at >= 5 dB.
    On fresh windows at 18 dB it flags more: 9.2% of 660 in the evaluation, 9.5% of these
    220, WBFM most of them (the issue's 2% is missed, docs/mae.md); the bound here, 14%,
    is 2 standard errors above the higher figure and far below a broken scorer's."""
    bundle, _ = shipped
    out = _scores(shipped, normal)
    signal = out[:, 3] >= bundle.card["thresholds"]["empty_snr_db"]
    assert signal.all()
    assert np.mean(out[:, 0] > bundle.card["thresholds"]["gamma"]) <= 0.14


def test_an_empty_channel_is_reported_as_empty(shipped):
    bundle, _ = shipped
    noise = stream_mae.empty_channel(300, 1024, np.random.default_rng([FRESH_SEED, 2]))
    out = _scores(shipped, noise)
    assert np.mean(out[:, 3] < bundle.card["thresholds"]["empty_snr_db"]) >= 0.98
    block = sentinel.mae_anomaly_scorer("mae", samp_rate=200e3)
    values, fields = block.describe(block.engine(block.preprocess(noise[:20])))
    assert sum(f["state"] == "empty" for f in fields) >= 19
    assert all(not f["anomalous"] for f in fields)
