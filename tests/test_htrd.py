# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""HTRD: the torch SVM equals scikit-learn's, the attacks respect their budgets and work,
the shipped bundle's rejection on fresh data, the block, and bad input."""

import json

import numpy as np
import pytest
import torch

from gnuradio import sentinel
from gnuradio.sentinel import data
from gnuradio.sentinel.data import modulators, unknown
from gnuradio.sentinel.nn import amc as amc_nn
from gnuradio.sentinel.nn import htrd as htrd_nn
from gnuradio.sentinel.runtime import ModelBundle
from gnuradio.sentinel.train import attacks
from gnuradio.sentinel.train import htrd as htrd_train

from flowgraph_helpers import run_model_block

SNR_DB = 10.0


@pytest.fixture(scope="module")
def fresh_10db(tmp_path_factory):
    """A fresh 10 dB set (seed no model saw): complex windows, power-normalised inputs, labels."""
    path = tmp_path_factory.mktemp("htrd") / "fresh.h5"
    data.generate(data.RadioML2016(snrs=(SNR_DB,)), path, 30, seed=4242, workers=1, progress=False)
    ds = data.load(path)
    windows = ds.complex()
    return windows, amc_nn.preprocess(windows, "power"), ds.label.astype(np.int64)


def _load(name):
    """A VT-CNN2 bundle -> (model, bundle); an HTRD bundle -> (htrd_nn.Rejector, bundle)."""
    return htrd_train._load_model(name), ModelBundle.load(name)


def test_torch_svm_equals_scikit_learn():
    from sklearn.svm import SVC

    rng = np.random.default_rng(0)
    z = rng.normal(size=(300, 16)) * 3
    labels = rng.integers(0, 4, 300)
    z += labels[:, None] * 1.5
    machines = [SVC(kernel="rbf", gamma=0.01).fit(z, labels == c) for c in range(4)]
    head = htrd_nn.RBFSVMScores.from_sklearn(machines, 0.01)
    probe = rng.normal(size=(50, 16)) * 3
    expected = np.stack([m.decision_function(probe) for m in machines], axis=1)
    got = head(torch.as_tensor(probe)).numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
    # proximity: the kernel value to the nearest support vector, by brute force
    vectors = np.concatenate([m.support_vectors_ for m in machines])
    nearest = ((probe[:, None, :] - vectors[None]) ** 2).sum(2).min(1)
    _, proximity = head.scores_and_proximity(torch.as_tensor(probe))
    np.testing.assert_allclose(proximity.numpy(), np.exp(-0.01 * nearest), rtol=1e-9)
    # gradients flow through the SVM for the white-box attack
    z_t = torch.as_tensor(probe[:3], dtype=torch.float32).requires_grad_(True)
    head(z_t).sum().backward()
    assert torch.all(torch.isfinite(z_t.grad)) and z_t.grad.abs().sum() > 0


def test_decide_rejects_on_score_proximity_or_head_disagreement():
    scores = np.array([[0.5, -1.0], [-0.8, -0.9], [0.2, 0.7], [0.3, 0.1], [0.4, 0.0]])
    proximity = np.array([0.9, 0.9, 0.05, 0.31, 0.5])
    gap = np.array([0.0, 0.5, 0.5, 0.1, 0.3])
    assert htrd_nn.decide(scores, -0.5).tolist() == [0, htrd_nn.REJECT, 1, 0, 0]
    assert htrd_nn.decide(scores, -0.5, proximity, 0.3).tolist() == [0, htrd_nn.REJECT, htrd_nn.REJECT, 0, 0]
    assert htrd_nn.decide(scores, -0.5, proximity, 0.3, gap, 0.2).tolist() == [0] + [htrd_nn.REJECT] * 2 + [0, -1]
    # the first rule that applies names the reason: floor, then head agreement, then S0
    assert htrd_nn.reject_reasons(scores, -0.5, proximity, 0.3, gap, 0.2).tolist() == [
        None, "head_disagrees", "far_from_training", None, "head_disagrees"]
    assert htrd_nn.reject_reasons(scores, -0.5, proximity, 0.3, gap, None).tolist() == [
        None, "low_score", "far_from_training", None, None]
    # a NaN anywhere rejects (fail closed)
    nan = np.nan
    assert htrd_nn.decide(np.array([[nan, 0.5], [0.5, 0.0], [0.5, 0.0]]), -0.5, np.array([0.9, nan, 0.9]), 0.3,
                          np.array([0.0, 0.0, nan]), 0.2).tolist() == [htrd_nn.REJECT] * 3


def test_head_gap_is_how_far_the_cnn_head_puts_the_svm_class_below_its_own():
    scores = torch.tensor([[0.1, 0.9, 0.0], [0.8, 0.1, 0.0]])
    logits = torch.tensor([[2.0, 1.5, 0.0], [3.0, 1.0, -1.0]])
    assert htrd_nn.head_gap(scores, logits).tolist() == pytest.approx([0.5, 0.0])
    model = htrd_nn.HTRD(11, 128, 3, decision_columns=True).eval()
    x = torch.randn(4, 2, 128)
    with torch.no_grad():
        columns = model(x)
        scores, proximity, logits = model.outputs(x)
    assert columns.shape == (4, 13)
    np.testing.assert_allclose(columns[:, :11].numpy(), scores.numpy())
    np.testing.assert_allclose(columns[:, 11].numpy(), proximity.numpy())
    np.testing.assert_allclose(columns[:, 12].numpy(), htrd_nn.head_gap(scores, logits).numpy(), rtol=1e-6)
    np.testing.assert_allclose(logits.numpy(), model.logits(x).detach().numpy(), rtol=1e-6)


def test_far_field_decision_is_reject_with_a_proximity_floor():
    model = htrd_nn.HTRD(11, 128, 3)
    model.svm.intercept.copy_(torch.linspace(-1.0, 0.0, 11, dtype=torch.float64))   # the last class highest
    assert htrd_train.far_field_decision(model, -0.5) == modulators.CLASSES[-1]
    assert htrd_train.far_field_decision(model, 0.1) == "reject"
    assert htrd_train.far_field_decision(model, -0.5, min_proximity=0.2) == "reject"


def test_fit_rejection_splits_the_benign_reject_rate_between_floor_head_rule_and_s0():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    cnn = amc_nn.VTCNN2(11, 128).eval()
    x = rng.normal(size=(600, 2, 128)).astype(np.float32)
    y = rng.integers(0, 11, 600)
    config = dict(htrd_train.CONFIG, svm_samples=200, svm_background=50, reject_rate=0.1, proximity_reject_rate=0.02,
                  head_reject_rate=0.03)
    model, threshold, floor, max_gap = htrd_train.fit_rejection(cnn, x[:200], y[:200], x[200:], config)
    with torch.no_grad():
        scores, proximity, logits = model.outputs(torch.as_tensor(x[200:]))
        gap = htrd_nn.head_gap(scores, logits).numpy()
    far = proximity.numpy() < floor
    disagrees = ~far & (gap > max_gap)
    low = scores.max(1).values.numpy() <= threshold
    assert far.sum() == 8                       # 2% of 400 calibration windows
    assert disagrees.sum() in (11, 12)          # 3% of 400 (the quantile interpolates between two windows)
    assert (far | disagrees | low).sum() in (40, 41)        # 10% in all (the quantile's own window may tie)
    config.update(proximity_reject_rate=0.0, head_reject_rate=0.0)
    _, threshold0, floor0, gap0 = htrd_train.fit_rejection(cnn, x[:200], y[:200], x[200:], config)
    assert floor0 == 0.0 and gap0 is None
    assert threshold0 == pytest.approx(np.quantile(scores.max(1).values.numpy(), 0.1))


def test_rejection_escape_objective_pays_for_a_window_below_the_proximity_floor():
    y = torch.tensor([0, 0])
    scores = torch.tensor([[0.1, 0.4], [0.1, 0.4]], dtype=torch.float64)
    proximity = torch.tensor([0.5, 0.05], dtype=torch.float64)
    plain = attacks.rejection_escape_objective(lambda _: scores, y, -0.5)(None)
    floored = attacks.rejection_escape_objective(lambda _: (scores, proximity), y, -0.5, min_proximity=0.1)(None)
    assert plain.tolist() == pytest.approx([0.3, 0.3])
    assert floored.tolist() == pytest.approx([0.3, 0.3 + np.log(0.5)])


def test_rejection_escape_objective_must_also_carry_the_cnn_head():
    y = torch.tensor([0, 0])
    scores = torch.tensor([[0.1, 0.4, 0.2], [0.1, 0.4, 0.2]], dtype=torch.float64)
    proximity = torch.tensor([0.5, 0.5], dtype=torch.float64)
    logits = torch.tensor([[1.0, 0.9, 2.0], [1.0, 3.0, 0.5]])

    def value(target):
        return attacks.rejection_escape_objective(lambda _: (scores, proximity, logits), y, -0.5, 0.1,
                                                  max_head_gap=0.2, target=target)(None).tolist()
    # aim at the SVMs' best wrong class 1: SVM margin 0.4 - 0.2 = 0.2 (capped at 0.05, weighted
    # 10); the head needs class 1 within 0.2 of its top logit: 0.9 + 0.2 - 2.0 = -0.9, then
    # capped at 0.2 when it already leads (3.0 + 0.2 - 1.0)
    assert value("svm") == pytest.approx([0.5 - 0.9, 0.5 + 0.2])
    # aim at the head's best wrong class: 2 for window 0 (SVM margin 0.2 - 0.4), 1 for window 1
    assert value("head") == pytest.approx([10 * -0.2 + 0.2, 0.5 + 0.2])
    with pytest.raises(ValueError, match="target: 'cnn'; allowed: svm, head"):
        attacks.rejection_escape_objective(lambda _: scores, y, -0.5, target="cnn")
    with pytest.raises(ValueError, match=r"outputs_fn: must return \(scores, proximity, logits\)"):
        attacks.rejection_escape_objective(lambda _: (scores, proximity), y, -0.5, 0.1, max_head_gap=0.2)(None)


def test_paired_difference_and_its_standard_error():
    a = np.array([1, 1, 0, 0, 1, 0, 1, 1], bool)
    b = np.array([1, 0, 0, 1, 0, 0, 1, 0], bool)
    d = a.astype(float) - b
    assert htrd_train.paired_difference(a, b) == pytest.approx((0.25, d.std(ddof=1) / np.sqrt(8)))
    assert htrd_train.paired_difference(a, a) == (0.0, 0.0)
    assert htrd_train.paired_difference(a[:1], b[:1]) == (0.0, None)   # one window: no standard error


def test_attack_budget_formula():
    x = torch.ones(2, 2, 128) * np.sqrt(0.5)      # unit power, ||x||^2 = 128
    eps = attacks.attack_budget(x, 10.0, -10.0)
    np.testing.assert_allclose(eps.numpy(), np.sqrt(0.1 * 128 / 11), rtol=1e-6)


def test_pgd_respects_its_budget_and_lowers_undefended_accuracy(fresh_10db):
    _, x, y = fresh_10db
    model, _ = _load("vtcnn2")
    xt, yt = torch.as_tensor(x), torch.as_tensor(y)
    with torch.no_grad():
        clean = float((model(xt).argmax(1) == yt).float().mean())
    accuracies = []
    for pnr in (-20.0, -10.0, 0.0):
        eps = attacks.attack_budget(xt, SNR_DB, pnr)
        adv = attacks.pgd_l2(attacks.cross_entropy_objective(model, yt), xt, eps, steps=10)
        norms = (adv - xt).flatten(1).norm(dim=1)
        assert torch.all(norms <= eps * (1 + 1e-5))
        with torch.no_grad():
            accuracies.append(float((model(adv).argmax(1) == yt).float().mean()))
    assert clean > 0.3
    assert accuracies[0] <= clean + 1e-9
    assert accuracies[0] >= accuracies[1] >= accuracies[2]
    assert accuracies[2] < 0.5 * clean


def test_two_condition_attack_stops_samples_that_escaped():
    logits = lambda xa: torch.stack([xa.sum((1, 2)), -xa.sum((1, 2))], 1)  # noqa: E731
    error = lambda xa: (xa ** 2).mean((1, 2))  # noqa: E731
    y = torch.tensor([0, 0])
    active = attacks.two_condition_active(logits, error, y, threshold=1.0)
    x = torch.tensor([[[1.0, 1.0]], [[-0.1, -0.1]]])   # sample 1 already misclassified, low error
    assert active(x).tolist() == [True, False]


def test_margin_objective_and_two_condition_losses():
    logits = lambda xa: xa[:, 0, :3]  # noqa: E731
    x = torch.tensor([[[2.0, 0.5, 1.0]], [[0.0, 3.0, 1.0]]])
    y = torch.tensor([0, 0])
    # best wrong logit minus the true one
    np.testing.assert_allclose(attacks.margin_objective(logits, y)(x).numpy(), [-1.0, 3.0])
    error = lambda xa: xa.pow(2).mean((1, 2))  # noqa: E731
    values = {loss: attacks.two_condition_objective(logits, error, y, 1.0, loss=loss)(x) for loss in attacks.LOSSES}
    # sample 0 is still right: the chosen first-stage loss applies
    assert values["margin"][0].item() == -1.0
    expected_ce = float(torch.nn.functional.cross_entropy(logits(x[:1]), y[:1]))
    assert values["cross_entropy"][0].item() == pytest.approx(expected_ce)
    # sample 1 is already wrong: both variants lower the reconstruction error the same way
    assert values["margin"][1].item() == values["cross_entropy"][1].item()
    with pytest.raises(ValueError, match="loss: unknown 'hinge'; allowed: cross_entropy, margin"):
        attacks.two_condition_objective(logits, error, y, 1.0, loss="hinge")


def test_shipped_bundle_rejects_10_percent_of_benign_and_resists_transferred_attacks(fresh_10db):
    """Benign rejection at 10 dB within 5-15%. Windows crafted against the undefended
    VT-CNN2 (PNR -10 dB) fool it often (asserted: over 35%); HTRD rejects or correctly classifies most of
    those (measured 73% here). It does NOT reject most of them (measured 19% here, 16% on the
    evaluation windows, docs/htrd.md): at this weak PNR the "rejects most" target is missed,
    and this test asserts what holds."""
    _, x, y = fresh_10db
    htrd, _ = _load("htrd_rml2016")
    undefended, _ = _load("vtcnn2")
    xt, yt = torch.as_tensor(x), torch.as_tensor(y)
    benign = htrd(xt)
    assert 0.05 <= np.mean(benign == htrd_nn.REJECT) <= 0.15
    adv = attacks.pgd_l2(attacks.cross_entropy_objective(undefended, yt), xt,
                         attacks.attack_budget(xt, SNR_DB, -10.0), steps=10)
    with torch.no_grad():
        fooled = (undefended(adv).argmax(1) != yt).numpy()
    decided = htrd(adv)
    assert fooled.mean() > 0.35
    safe = (decided == htrd_nn.REJECT) | (decided == y)
    assert safe[fooled].mean() > 0.45


def test_shipped_bundle_rejects_strong_windows_crafted_against_the_undefended_model(fresh_10db):
    """Margin PGD on an undefended VT-CNN2 (the shipped `vtcnn2`) at PNR +20 dB fools it
    on nearly every window and drives the features far from every support vector, where
    the proximity floor rejects them (measured on this fresh set: 100%). Power-normalised
    first, as the block does, fewer are far enough: measured 34% here (66% for windows
    crafted against HTRD's own undefended baseline, docs/htrd.md). Weaker windows
    (PNR <= 0 dB) stay among the training features and about 15-20% are rejected."""
    _, x, y = fresh_10db
    htrd, _ = _load("htrd_rml2016")
    undefended, _ = _load("vtcnn2")
    xt, yt = torch.as_tensor(x), torch.as_tensor(y)
    adv = attacks.pgd_l2(attacks.margin_objective(undefended, yt), xt, attacks.attack_budget(xt, SNR_DB, 20.0),
                         steps=20)
    with torch.no_grad():
        fooled = (undefended(adv).argmax(1) != yt).numpy()
    normalised = torch.as_tensor(amc_nn.preprocess(amc_nn.to_complex(adv.numpy()), "power"))
    assert fooled.mean() > 0.95
    assert np.mean(htrd(adv)[fooled] == htrd_nn.REJECT) > 0.9
    assert np.mean(htrd(normalised)[fooled] == htrd_nn.REJECT) > 0.2   # the block's view: a minority


def test_background_windows_are_white_then_band_limited():
    windows = unknown.background_windows(40, 128, np.random.default_rng(0))
    assert windows.shape == (40, 128) and windows.dtype == np.complex64
    spectrum = np.abs(np.fft.fft(windows, axis=1)) ** 2
    silent = (spectrum < 1e-6 * spectrum.max(axis=1, keepdims=True)).mean(axis=1)
    assert np.all(silent[:20] == 0.0)                          # white: every frequency bin occupied
    assert np.all((silent[20:] > 0.0) & (silent[20:] < 0.9))   # 10-100% of the band occupied
    np.testing.assert_array_equal(windows, unknown.background_windows(40, 128, np.random.default_rng(0)))


def _coherence(x, lag):
    return np.abs(np.mean(x[:, lag:] * np.conj(x[:, :-lag]), axis=1)) / np.mean(np.abs(x) ** 2, axis=1)


def _one_occupied_band(x):
    """Some FFT bins empty, and the occupied ones contiguous (circularly)."""
    spectrum = np.abs(np.fft.fft(x, axis=1))
    occupied = spectrum > 1e-4 * spectrum.max(axis=1, keepdims=True)
    edges = (occupied != np.roll(occupied, 1, axis=1)).sum(axis=1)
    return np.all(~occupied.all(axis=1) & (edges == 2))


def _constant_sweep(x):
    """Phase with a constant, nonzero second difference: frequency rising linearly."""
    curvature = np.diff(np.unwrap(np.angle(x), axis=1), 2, axis=1)
    return np.all((np.ptp(curvature, axis=1) < 1e-3) & (np.median(curvature, axis=1) > 1e-3))


UNKNOWN_FAMILY_SHAPES = {
    # what makes each family what it is, per window
    "white_noise": lambda x: np.all((_coherence(x, 1) < 0.35) & (_coherence(x, 64) < 0.35))
    and abs(np.mean(np.abs(x) ** 2) - 1) < 0.1,
    "band_limited_noise": _one_occupied_band,
    "tone": lambda x: np.all(_coherence(x, 1) > 0.95),
    "chirp": lambda x: np.allclose(np.abs(x), 1, atol=1e-5) and _constant_sweep(x),
    "ofdm": lambda x: np.allclose(x[:, 64:], x[:, :64]) and abs(np.mean(np.abs(x) ** 2) - 1) < 1e-5,
    "impulsive_noise": lambda x: 0.02 < np.mean(np.abs(x) > 20 * np.median(np.abs(x))) < 0.08,
}


@pytest.mark.parametrize("family", sorted(unknown.FAMILIES))
def test_unknown_families_are_finite_seeded_and_what_they_say(family):
    windows = unknown.FAMILIES[family](8, 128, np.random.default_rng(1))
    assert windows.shape == (8, 128) and windows.dtype == np.complex64
    assert np.all(np.isfinite(windows)) and np.all(np.mean(np.abs(windows) ** 2, axis=1) > 0.01)
    np.testing.assert_array_equal(windows, unknown.FAMILIES[family](8, 128, np.random.default_rng(1)))
    assert UNKNOWN_FAMILY_SHAPES[family](windows)
    others = [name for name in unknown.FAMILIES if name != family and UNKNOWN_FAMILY_SHAPES[family](
        unknown.FAMILIES[name](8, 128, np.random.default_rng(1)))]
    assert not others, "{}'s check also accepts {}".format(family, others)


def test_shipped_bundle_rejects_noise_and_records_it(fresh_10db):
    """An empty channel (white or band-limited noise, fresh seed) is rejected, not labelled."""
    htrd, bundle = _load("htrd_rml2016")
    noise = amc_nn.preprocess(unknown.background_windows(400, 128, np.random.default_rng(8080)), "power")
    decided = htrd(torch.as_tensor(noise))
    assert np.mean(decided[:200] == htrd_nn.REJECT) >= 0.95   # white
    assert np.mean(decided[200:] == htrd_nn.REJECT) >= 0.85   # band-limited
    assert bundle.card["training"]["config"]["svm_background"] == 1000
    assert bundle.card["metrics"]["noise_reject_rate"] >= 0.9
    assert bundle.card["metrics"]["far_field_decision"] == "reject"


def test_block_rejects_adversarial_windows_at_their_offsets(fresh_10db):
    _, x, y = fresh_10db
    undefended, _ = _load("vtcnn2")
    htrd, bundle = _load("htrd_rml2016")
    n = 60
    xt, yt = torch.as_tensor(x[:n]), torch.as_tensor(y[:n])
    adv = attacks.pgd_l2(attacks.cross_entropy_objective(undefended, yt), xt,
                         attacks.attack_budget(xt, SNR_DB, -10.0), steps=10).numpy()
    with torch.no_grad():
        undefended_correct = (undefended(torch.as_tensor(adv)).argmax(1) == yt).float().mean().item()
    # an empty channel last: receiver noise 20 dB below the signals' power (the block normalises it)
    noise = 0.1 * amc_nn.to_complex(amc_nn.preprocess(unknown.background_windows(n, 128, np.random.default_rng(515)),
                                                 "power"))
    windows = np.concatenate([amc_nn.to_complex(x[:n]), amc_nn.to_complex(adv), noise])
    block = sentinel.htrd_classifier("htrd_rml2016", device="cpu", threads=1)
    out, detections = run_model_block(block, windows.ravel())
    offline = htrd(torch.as_tensor(amc_nn.preprocess(windows, "power")))
    np.testing.assert_array_equal(out, offline)
    floor, max_gap = bundle.card["thresholds"]["min_proximity"], bundle.card["thresholds"]["max_head_gap"]
    assert all(d["min_proximity"] == floor and 0.0 <= d["proximity"] <= 1.0 for d in detections)
    assert all(d["max_head_gap"] == max_gap and d["head_gap"] >= 0.0 for d in detections)
    assert all(d["rejected"] == (d["score"] <= d["S0"] or d["proximity"] < floor or d["head_gap"] > max_gap)
               for d in detections)
    assert all(d["reject_reason"] == ("far_from_training" if d["proximity"] < floor else
                                      "head_disagrees" if d["head_gap"] > max_gap else
                                      "low_score" if d["score"] <= d["S0"] else None) for d in detections)
    assert {"head_disagrees", "low_score"} <= {d["reject_reason"] for d in detections}
    assert [d["offset"] for d in detections] == [128 * i for i in range(3 * n)]
    rejected = np.array([d["rejected"] for d in detections])
    safe = rejected[:2 * n] | (out[:2 * n] == np.concatenate([y[:n], y[:n]]))
    assert safe[n:2 * n].mean() > undefended_correct + 0.1   # the adversarial segment
    assert rejected[2 * n:].mean() >= 0.9                     # the empty channel
    assert all(d["label"] == "reject" for d in detections if d["rejected"])
    assert block.reject_rate() == pytest.approx(rejected.mean())


def test_block_bad_input(tmp_path):
    with pytest.raises(Exception, match="'amc' bundle, this block needs 'htrd'"):
        sentinel.htrd_classifier("afnet")
    card = json.loads((ModelBundle.load("htrd_rml2016").path / "card.json").read_text())
    del card["thresholds"]["S0"]
    folder = tmp_path / "no_s0"
    folder.mkdir()
    (folder / "card.json").write_text(json.dumps(card))
    (folder / card["weights"]["file"]).write_bytes((ModelBundle.load("htrd_rml2016").path / card["weights"]["file"]).read_bytes())
    with pytest.raises(Exception, match="S0"):
        sentinel.htrd_classifier(str(folder))
    card = json.loads((ModelBundle.load("htrd_rml2016").path / "card.json").read_text())
    card["thresholds"]["min_proximity"] = 1.5
    (folder / "card.json").write_text(json.dumps(card))
    with pytest.raises(Exception, match=r"thresholds.min_proximity 1.5; allowed: a number, 0 <= floor < 1"):
        sentinel.htrd_classifier(str(folder))
    card["thresholds"]["min_proximity"] = 0.3
    for gap in (-0.1, "0.1", True):
        card["thresholds"]["max_head_gap"] = gap
        (folder / "card.json").write_text(json.dumps(card))
        with pytest.raises(Exception, match=r"thresholds.max_head_gap .*; allowed: a number >= 0, or null"):
            sentinel.htrd_classifier(str(folder))
    samples = np.ones(128 * 4, np.complex64)
    samples[130] = np.nan
    # a bundle from before the proximity floor and the head-agreement rule: the paper's rule alone
    del card["thresholds"]["min_proximity"], card["thresholds"]["max_head_gap"]
    (folder / "card.json").write_text(json.dumps(card))
    old = sentinel.htrd_classifier(str(folder), device="cpu", threads=1)
    assert old.min_proximity == 0.0 and old.max_head_gap is None
    _, detections = run_model_block(old, samples)
    assert all(d["rejected"] == (d["score"] <= d["S0"]) for d in detections if not d["flags"])
    block = sentinel.htrd_classifier("htrd_rml2016", device="cpu", threads=1)
    out, detections = run_model_block(block, samples)
    assert np.isnan(out[1]) and block.windows_flagged() == 1
    assert "nonfinite" in detections[1]["flags"]


@pytest.mark.parametrize("config, expected", [
    ({"smoothing_c": 1.0}, r"smoothing_c: 1.0 gives a smoothing weight c\*eps_max = 1.918; allowed: 0 to 0.521"),
    ({"cat_attack_loss": "hinge"}, r"cat_attack_loss: 'hinge'; allowed: cross_entropy, margin"),
    ({"cat_clean_fraction": 1.0}, r"cat_clean_fraction: 1.0; allowed: 0 <= fraction < 1"),
    ({"svm_samples": 5}, r"svm_samples: 5; allowed: a whole number of training windows >= 11"),
    ({"svm_background": -1}, r"svm_background: -1; allowed: a whole number of noise windows >= 0"),
    ({"svm_background": 2.5}, r"svm_background: 2.5; allowed: a whole number of noise windows >= 0"),
    ({"svm_class_weight": "auto"}, r"svm_class_weight: 'auto'; allowed: None, 'balanced'"),
    ({"proximity_reject_rate": 0.1}, r"proximity_reject_rate: 0.1; allowed: 0 <= rate < reject_rate \(0.1\)"),
    ({"proximity_reject_rate": -0.01}, r"proximity_reject_rate: -0.01; allowed: 0 <= rate < reject_rate"),
    ({"head_reject_rate": 0.095}, r"head_reject_rate: 0.095; allowed: 0 <= rate < reject_rate - proximity_reject_rate "
                                 r"\(0.09\)"),
    ({"head_reject_rate": -0.05}, r"head_reject_rate: -0.05; allowed: 0 <= rate"),
])
def test_training_refuses_bad_settings(tmp_path, config, expected):
    with pytest.raises(ValueError, match=expected):
        htrd_train.train_all(tmp_path / "absent.h5", tmp_path / "b", tmp_path / "h", config=config)


@pytest.mark.parametrize("loss", ["cross_entropy", "margin"])
def test_cat_clean_share_is_never_attacked_and_eps_grows_one_step(tmp_path, loss):
    n_train, batch = 80, 8
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n_train + 8, 2, 128)).astype(np.float32)
    y = rng.integers(0, 11, n_train + 8)
    config = dict(htrd_train.CONFIG, epochs=1, batch_size=batch, cat_clean_fraction=0.25, cat_attack_loss=loss)
    model, _ = htrd_train.train_cnn("cat", x, y, np.arange(n_train), np.arange(n_train, n_train + 8), config,
                                    seed=1, checkpoint_dir=tmp_path)
    eps = torch.load(tmp_path / "cat.pt", weights_only=True)["best"]["eps"].numpy()
    order = torch.randperm(n_train, generator=torch.Generator().manual_seed(1)).numpy()
    clean = order.reshape(-1, batch)[:, :2].ravel()                 # round(0.25 * 8) = 2 per batch
    step = config["eta_fraction"] * htrd_train.eps_max(config)
    assert np.all(eps[clean] == 0.0)
    assert np.allclose(eps[eps > 0], step)                           # one robust visit: 0 -> eta * eps_max
    assert 0 < (eps > 0).sum() <= n_train - len(clean)


def test_training_smoke_on_tiny_data(tmp_path):
    path = tmp_path / "tiny.h5"
    data.generate(data.RadioML2016(snrs=(10.0,)), path, 12, seed=3, workers=1, progress=False)
    config = {"per_cell": 12, "epochs": 1, "svm_samples": 40, "svm_background": 20,
              "svm_class_weight": "balanced", "ae_epochs": 1, "min_snr_db": 0.0}
    results = htrd_train.train_all(path, tmp_path / "baselines", tmp_path / "htrd", config=config,
                                   log=lambda *_: None)
    assert set(results) == {"lsgna_nr", "htrd"}
    assert {"noise_reject_rate", "far_field_decision"} <= set(results["htrd"])
    block = sentinel.htrd_classifier(str(tmp_path / "htrd"), device="cpu")
    thresholds = ModelBundle.load(tmp_path / "htrd").card["thresholds"]
    assert block.threshold == thresholds["S0"] and block.min_proximity == thresholds["min_proximity"] > 0
    assert block.max_head_gap == thresholds["max_head_gap"] >= 0
    assert results["htrd"]["far_field_decision"] == "reject"
    for name in ("undefended", "adversarial", "lsgna_nr", "twofold_detector"):
        assert (tmp_path / "baselines" / name / "card.json").is_file()
    # the evaluation: every defence meets each of its attacks; a window counts only if it
    # survives all of them, so the reported curve is at most every single attack's
    result = htrd_train.evaluate(tmp_path / "htrd", tmp_path / "baselines", path, tmp_path / "report", pnrs=(0.0,),
                                 attack_samples=30, steps=3, log=lambda *_: None, update_card=True,
                                 command="sentinel eval htrd (test)")
    assert result["budgets_respected"]
    assert 0.0 <= result["benign"]["twofold_reject_rate"] <= 1.0
    recorded = ModelBundle.load(tmp_path / "htrd").card["metrics"]["security_evaluation"]
    assert recorded["command"] == "sentinel eval htrd (test)" and recorded["curves"] == result["curves"]
    assert set(result["curves"]) == {"cat_dnn", "lsgna_dnn", "undefended", "htrd", "lsgna_nr", "twofold"}
    assert set(result["attack_curves"]["twofold"]) == {"two_condition_cross_entropy", "two_condition_margin",
                                                       "margin_on_cnn"}
    assert set(result["attack_curves"]["htrd"]) == {"eq5_as_written", "eq5", "eq5_head_target", "margin_on_cnn"}
    for name in ("htrd", "lsgna_nr"):
        assert set(result["unknown_inputs"]["rejected"][name]) == set(unknown.FAMILIES)
        transferred = result["transferred"][name]
        assert all(len(curve) == len(result["transferred"]["pnr_db"]) for curve in transferred.values())
        assert all(r <= s for r, s in zip(transferred["rejected"], transferred["rejected_or_correct"]) if r is not None)
    assert recorded["transferred"] == result["transferred"]
    # HTRD minus every other defence on the same windows, per PNR, with a paired standard error
    assert set(result["paired_vs_htrd"]) == set(result["curves"]) - {"htrd"}
    for name, stats in result["paired_vs_htrd"].items():
        assert stats["difference"] == pytest.approx([h - o for h, o in zip(result["curves"]["htrd"],
                                                                             result["curves"][name])])
        assert all(e >= 0 for e in stats["standard_error"])
    for name, per_attack in result["attack_curves"].items():
        for curve in per_attack.values():
            assert all(w <= a + 1e-12 for w, a in zip(result["curves"][name], curve))
    for figure in ("htrd_fig4.png", "htrd_fig5.png", "htrd_eval.json"):
        assert (tmp_path / "report" / figure).stat().st_size > 0


def test_init_from_an_energy_bundle_computes_the_same_logits_on_power_normalised_windows(fresh_10db):
    windows = fresh_10db[0][:64]
    config = dict(htrd_train.CONFIG, backbone="afnet", init_from="afnet", cfo_correction="fourth_power_and_raw")
    architecture, state = htrd_train.initial_weights(config, 4, 128)
    assert architecture["name"] == "afnet" and architecture["in_channels"] == 4
    started = amc_nn.build(architecture).eval()
    started.load_state_dict(state)
    shipped = htrd_train._load_model("afnet")
    card = ModelBundle.load("afnet").card["preprocessing"]
    with torch.no_grad():
        before = shipped(torch.as_tensor(amc_nn.preprocess_card(windows, card))).numpy()
        after = started(torch.as_tensor(amc_nn.preprocess(windows, "power", "fourth_power_and_raw"))).numpy()
    assert np.allclose(after, before, atol=1e-3 * np.abs(before).max())


@pytest.mark.parametrize("config, expected", [
    ({"backbone": "afnet", "init_from": "afnet"}, r"init_from: .*afnet was trained with cfo_correction "
                                                  r"'fourth_power_and_raw'; use --cfo-correction fourth_power_and_raw"),
    ({"backbone": "vtcnn2", "init_from": "afnet", "cfo_correction": "fourth_power_and_raw"},
     r"init_from: .*afnet is a 'amc' bundle of 'afnet'; allowed: an 'amc' bundle of the backbone 'vtcnn2' "
     r"without a front-end \(use --backbone afnet for this bundle\)"),
    ({"lr": 0.0}, r"lr: 0.0; allowed: a learning rate > 0"),
    ({"backbone": "afnet", "init_from": "afnet_rtn"}, r"init_from: .*afnet_rtn is a 'amc' bundle of 'afnet'; "
                                                      r"allowed: .*without a front-end"),
    ({"backbone": "afnet", "init_from": "afnet", "cfo_correction": "fourth_power_and_raw", "lr": -1e-3},
     r"lr: -0.001; allowed: a learning rate > 0"),
    ({"backbone": "resnet"}, r"backbone: 'resnet'; allowed: vtcnn2, afnet"),
])
def test_initial_weights_refuse_a_bundle_of_another_network_or_preprocessing(config, expected):
    with pytest.raises(ValueError, match=expected):
        full = dict(htrd_train.CONFIG, **config)
        htrd_train.check_config(full)
        htrd_train.initial_weights(full, 2, 128)


def test_held_correction_gives_the_preprocessed_rows_and_passes_gradients(fresh_10db):
    """corrected_and_raw on the received rows, with the x^4 estimate of each clean window,
    is the fourth_power_and_raw input the block computes; and an attack's gradient reaches
    the received rows through both views."""
    windows = fresh_10db[0][:40]
    four = amc_nn.preprocess(windows, "power", "fourth_power_and_raw")
    offsets = torch.as_tensor(amc_nn.fourth_power_offsets(amc_nn.to_complex(four[:, 2:4])))
    received = torch.as_tensor(four[:, 2:4]).requires_grad_(True)
    held = amc_nn.corrected_and_raw(received, offsets)
    np.testing.assert_allclose(held.detach().numpy(), four, atol=2e-4)
    held[:, 0].sum().backward()                  # row 0 only: the corrected I row
    assert received.grad.abs().sum() > 0 and torch.all(received.grad[:, 0].abs() <= 1 + 1e-5)


@pytest.mark.parametrize("backbone", [{"name": "rtn"}, {"name": "afnet", "frontend": {"kind": "rtn"}}, "afnet"])
def test_htrd_refuses_a_backbone_it_cannot_build(backbone):
    with pytest.raises(ValueError, match=r"architecture.backbone: .*; allowed: an nn.amc architecture named one of "
                                         r"afnet, vtcnn2, resnet without a front-end"):
        htrd_nn.build({"support_vectors": 1, "backbone": backbone})


def test_afnet_backbone_trains_from_the_shipped_afnet_and_runs_in_the_block(tmp_path):
    path = tmp_path / "tiny.h5"
    data.generate(data.LiveReceiver(snrs=(10.0,)), path, 12, seed=5, workers=1, progress=False)
    config = {"per_cell": 12, "epochs": 1, "svm_samples": 40, "svm_background": 20, "ae_epochs": 1,
              "backbone": "afnet", "init_from": "afnet", "cfo_correction": "fourth_power_and_raw", "lr": 1e-4}
    results = htrd_train.train_all(path, tmp_path / "baselines", tmp_path / "htrd", config=config,
                                   log=lambda *_: None)
    card = ModelBundle.load(tmp_path / "htrd").card
    assert card["architecture"]["backbone"]["in_channels"] == 4 and card["architecture"]["features"] == 48
    assert card["preprocessing"]["cfo_correction"] == "fourth_power_and_raw"
    assert card["training"]["eps_max"] == pytest.approx(htrd_train.eps_max(htrd_train.CONFIG, 256.0))
    assert results["htrd"]["far_field_decision"] == "reject"
    assert ModelBundle.load(tmp_path / "baselines" / "twofold_detector").card["architecture"]["rows"] == 4
    block = sentinel.htrd_classifier(str(tmp_path / "htrd"), device="cpu")
    windows = data.load(path).complex()[:8]
    out, detections = run_model_block(block, windows.reshape(-1))
    reference = htrd_train._load_model(tmp_path / "htrd")(
        torch.as_tensor(amc_nn.preprocess(windows, "power", "fourth_power_and_raw")))
    assert np.array_equal(np.asarray(out, np.int64), reference)
    result = htrd_train.evaluate(tmp_path / "htrd", tmp_path / "baselines", path, tmp_path / "report", pnrs=(-10.0,),
                                 attack_samples=10, steps=2, log=lambda *_: None)
    assert result["budgets_respected"]
    from safetensors.numpy import load_file
    saved = load_file(str(tmp_path / "report" / "adversarial_examples.safetensors"))
    assert saved["x"].shape[1:] == (2, 128) and saved["clean"].shape[1:] == (2, 128)   # the raw rows only


@pytest.mark.parametrize("example", ["sentinel_sim", "sentinel_file", "sentinel_rtlsdr", "sentinel_uhd"])
def test_example_htrd_labels_name_every_reject_reason(example):
    """The Qt flowgraphs' HTRD label formats detections; a broken lambda fails only in the GUI."""
    import pathlib

    import yaml

    flowgraph = yaml.safe_load((pathlib.Path(__file__).parent.parent / "examples" / (example + ".grc")).read_text())
    label = next(b for b in flowgraph["blocks"] if b["name"] == "htrd_label")
    formatter = eval(label["parameters"]["formatter"])
    detection = {"label": "reject", "rejected": True, "score": -0.7, "S0": -0.68, "proximity": 0.1,
                 "min_proximity": 0.3, "head_gap": 0.5, "max_head_gap": 0.11, "scores": [0.0] * 11}
    texts = {why: formatter(dict(detection, reject_reason=why)) for why in htrd_nn.REASONS}
    assert texts == {"far_from_training": "REJECT: unlike the training data (proximity 0.10 < 0.30)",
                     "head_disagrees": "REJECT: the CNN head disagrees (gap 0.50 > 0.11)",
                     "low_score": "REJECT (score -0.70 <= S0 -0.68)"}
    assert formatter(dict(detection, rejected=False, label="QPSK", reject_reason=None)) == "QPSK"
    assert formatter({}) == "-"
