# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""The shipped stream MAEs (`mae`, `mae_guarded`) on freshly generated data with a seed no
bundle was trained or evaluated on: normal windows from the GNU Radio generator through a
live receiver, anomalies from data.stream_anomalies (numpy only)."""

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


#: per bundle: its window, the families that must stand out at 18 dB and their least AUROC,
#: and the bound on false alarms at 18 dB (docs/mae.md gives the evaluation's figures)
EXPECTED = {
    "mae": {"window": 1024, "families": ("linear_chirp", "two_tone", "swept_jammer", "overlapping"),
            "auroc": 0.95, "false_alarms": 0.14},
    "mae_guarded": {"window": 4096, "families": ("linear_chirp", "ofdm", "two_tone", "swept_jammer", "overlapping",
                                                 "pulsed_jammer"), "auroc": 0.97, "false_alarms": 0.05},
}


@pytest.fixture(scope="module", params=sorted(EXPECTED))
def shipped(request):
    bundle = ModelBundle.load(request.param)
    return bundle, bundle.load_into(mae_nn.build(bundle.card["architecture"])).eval()


def _normal(bundle, tmp_path_factory, snr_db=SNR_DB):
    path = tmp_path_factory.mktemp("stream") / "normal.h5"
    recipe = data.LiveReceiver(length=bundle.window_length, snrs=(snr_db,),
                               receiver_config=stream_anomalies.STREAM_RECEIVER)
    data.generate(recipe, path, 20, seed=FRESH_SEED, normalization="none", workers=1, progress=False)
    return data.load(path).complex()


@pytest.fixture(scope="module")
def normal(shipped, tmp_path_factory):
    return _normal(shipped[0], tmp_path_factory)


def _scores(shipped, windows):
    bundle, model = shipped
    return stream_mae.scores(model, stream_mae.model_input(windows, bundle.card["architecture"]))


def test_card_states_the_stream_it_expects(shipped):
    bundle, _ = shipped
    card = bundle.card
    assert card["window_length"] == EXPECTED[card["name"]]["window"]
    assert card["input"]["sample_rate"] == 200e3 and card["input"]["samples_per_symbol"] == 8
    assert card["thresholds"]["empty_snr_db"] < -3.0
    with pytest.raises(ValueError, match="samp_rate: 1.024e\\+06 Hz, but model {} expects 200000 Hz".format(
            card["name"])):
        sentinel.mae_anomaly_scorer(card["name"], samp_rate=1.024e6)


def _auroc(normal_scores, anomalous_scores):
    from sklearn.metrics import roc_auc_score

    y = np.r_[np.zeros(len(normal_scores)), np.ones(len(anomalous_scores))]
    return roc_auc_score(y, np.r_[normal_scores, anomalous_scores])


def test_structural_anomalies_stand_out_at_18_db(shipped, normal):
    """AUROC against 220 fresh normal windows of all 11 classes, 110 windows a family; the
    evaluation (docs/mae.md) measured 0.94-1.00 (`mae`) and 0.991-1.000 (`mae_guarded`) for
    every structural family at 18 dB."""
    bundle, _ = shipped
    expected = EXPECTED[bundle.card["name"]]
    rng = np.random.default_rng([FRESH_SEED, 1])
    normal_scores = _scores(shipped, normal)[:, 0]
    for family in expected["families"]:
        anomalous = _scores(shipped, stream_anomalies.windows(family, 110, SNR_DB, rng, bundle.window_length))[:, 0]
        assert _auroc(normal_scores, anomalous) >= expected["auroc"], family


def test_the_guarded_bundle_finds_chirps_and_ofdm_at_10_db(tmp_path_factory):
    """`mae_guarded` at 10 dB, where `mae` reaches 0.88-0.92 for these families: the
    evaluation measured 0.976 / 0.960 (linear chirp / OFDM); here at least 0.93."""
    bundle = ModelBundle.load("mae_guarded")
    shipped = bundle, bundle.load_into(mae_nn.build(bundle.card["architecture"])).eval()
    normal_scores = _scores(shipped, _normal(bundle, tmp_path_factory, 10.0))[:, 0]
    rng = np.random.default_rng([FRESH_SEED, 3])
    for family in ("linear_chirp", "ofdm"):
        anomalous = _scores(shipped, stream_anomalies.windows(family, 110, 10.0, rng, bundle.window_length))[:, 0]
        assert _auroc(normal_scores, anomalous) >= 0.93, family


def test_false_alarms_at_the_card_threshold(shipped, normal):
    """The card's gamma flags 2% of held-out normal windows at >= 5 dB. On fresh windows at
    18 dB `mae` flags more: 9.2% of 660 in the evaluation, 9.5% of these 220, WBFM most of
    them (its bound here, 14%, is 2 standard errors above the higher figure); `mae_guarded`
    flagged 1.4% in the evaluation (bound 5%, far below a broken scorer's)."""
    bundle, _ = shipped
    out = _scores(shipped, normal)
    signal = out[:, 3] >= bundle.card["thresholds"]["empty_snr_db"]
    assert signal.all()
    assert np.mean(out[:, 0] > bundle.card["thresholds"]["gamma"]) <= EXPECTED[bundle.card["name"]]["false_alarms"]


def test_an_empty_channel_is_reported_as_empty(shipped):
    bundle, _ = shipped
    noise = stream_mae.empty_channel(300, bundle.window_length, np.random.default_rng([FRESH_SEED, 2]))
    out = _scores(shipped, noise)
    assert np.mean(out[:, 3] < bundle.card["thresholds"]["empty_snr_db"]) >= 0.98
    block = sentinel.mae_anomaly_scorer(bundle.card["name"], samp_rate=200e3)
    values, fields = block.describe(block.engine(block.preprocess(noise[:20])))
    assert sum(f["state"] == "empty" for f in fields) >= 19
    assert all(not f["anomalous"] for f in fields)
