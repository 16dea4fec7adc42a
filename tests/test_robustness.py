# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""The robustness evaluation and the shipped classifiers under a receiver's impairments,
on freshly generated data with seeds no bundle was trained on."""

import json

import numpy as np
import pytest

from gnuradio.sentinel import data
from gnuradio.sentinel.data import independent
from gnuradio.sentinel.cli import main as cli_main
from gnuradio.sentinel.train import robustness

FRESH_SEED = 90_817


def test_independent_rrc_pulse_is_nyquist():
    """Our RRC has unit energy and, convolved with itself, no ISI at symbol spacing beyond
    its truncation at +-8 symbols (1 at lag 0, |.| < 1e-2 at every other multiple of the
    symbol period; 6e-3 measured at roll-off 0.2, whose tails decay slowest)."""
    sps = 8
    t = np.arange(-8 * sps, 8 * sps + 1) / sps
    for beta in (0.2, 0.35, 0.5):
        p = independent.rrc_pulse(t, beta)
        assert np.sum(p ** 2) == pytest.approx(1.0)
        raised = np.convolve(p, p)
        centre = len(raised) // 2
        lags = raised[centre % sps::sps]
        assert lags[centre // sps] == pytest.approx(1.0, abs=1e-3)
        assert np.max(np.abs(np.delete(lags, centre // sps))) < 1e-2


def test_independent_generator_snr_and_offset():
    """The independent windows have the requested per-sample SNR (noise power measured on
    a noise-free twin to 0.3 dB over many windows) and their offset moves QPSK's x^4 line."""
    rng = np.random.default_rng(1)
    clean = robustness.independent_linear("QPSK", 200, 200.0, 0.0, np.random.default_rng(5))
    noisy = robustness.independent_linear("QPSK", 200, 10.0, 0.0, np.random.default_rng(5))
    snr = 10 * np.log10(np.mean(np.abs(clean) ** 2) / np.mean(np.abs(noisy - clean) ** 2))
    assert snr == pytest.approx(10.0, abs=0.3)
    from gnuradio.sentinel.nn import amc
    shifted = robustness.independent_linear("QPSK", 50, 40.0, 3000.0, rng)
    assert np.median(np.abs(np.abs(amc.fourth_power_offsets(shifted) * 200e3) - 3000.0)) < 100


class _FixedRejector:
    """A stand-in classifier with given labels (before rejection) and decisions."""
    rejects = True

    def __init__(self, labels, decisions):
        self.labels, self.decisions = np.asarray(labels), np.asarray(decisions)

    def labels_and_decisions(self, windows):
        return self.labels, self.decisions


def test_score_counts_and_the_perfect_rejector_floor():
    """Known answer: 10 windows, labels right on 6; the rule rejects 3 (one right, two wrong),
    so 5 correct, 2 wrong accepted; a perfect rejector of 3 would leave 1 wrong (floor 0.1);
    rejecting 5 leaves none (floor 0, never negative)."""
    truth = np.zeros(10, int)
    labels = np.array([0, 0, 0, 0, 0, 0, 1, 1, 1, 1])
    result = robustness.score(_FixedRejector(labels, [0, 0, 0, 0, 0, -1, -1, -1, 1, 1]), None, truth)
    assert (result["accuracy"], result["rejected"], result["wrong_accepted"]) == pytest.approx((0.5, 0.3, 0.2))
    assert result["label_accuracy"] == pytest.approx(0.6) and result["accuracy_of_accepted"] == pytest.approx(5 / 7)
    assert result["wrong_accepted_floor"] == pytest.approx(0.1)
    more = robustness.score(_FixedRejector(labels, [0, 0, 0, -1, -1, -1, -1, -1, 1, 1]), None, truth)
    assert more["wrong_accepted_floor"] == 0.0 and more["wrong_accepted"] == pytest.approx(0.2)


def test_sweep_report_fields(tmp_path):
    """`sentinel eval robustness` on two conditions: every model has accuracy per SNR, HTRD
    also rejected and wrong_accepted that add up with the accuracy to at most 1, and the
    independent-generator table; the figure and the markdown table are written."""
    report = tmp_path / "rep"
    code = cli_main(["eval", "robustness", "--models", "afnet", "htrd", "-n", "2", "--snrs", "10",
                     "--conditions", "cfo 0 Hz", "cfo 5000 Hz", "--independent-count", "5",
                     "--seed", str(FRESH_SEED), "--report", str(report)])
    assert code == 0
    result = json.loads((report / "robustness.json").read_text())
    assert list(result["conditions"]) == ["cfo 0 Hz", "cfo 5000 Hz"]
    entry = result["conditions"]["cfo 5000 Hz"]
    assert entry["receiver"]["cfo_hz"] == [5000.0, 5000.0] and entry["receiver"]["adc_bits"] is None
    htrd = entry["results"]["htrd"]["10.0"]
    assert htrd["windows"] == 22
    assert htrd["accuracy"] + htrd["rejected"] + htrd["wrong_accepted"] == pytest.approx(1.0)
    assert htrd["wrong_accepted_floor"] == pytest.approx(max(0.0, 1.0 - htrd["label_accuracy"] - htrd["rejected"]))
    assert htrd["wrong_accepted_floor"] <= htrd["wrong_accepted"] + 1e-12
    assert set(result["independent_linear"]) == {"cfo 0 Hz", "cfo 1000 Hz", "cfo 5000 Hz"}
    assert (report / "robustness_cfo.png").stat().st_size > 1000
    assert "| cfo 5000 Hz | 10 |" in (report / "robustness.md").read_text()


def test_merge_adds_a_model_to_an_existing_sweep(tmp_path):
    """A second run with --merge adds its model's columns to the report: the windows are the
    same (each condition's seed comes from its place in the full list), so the merged column
    equals the one from running both models together; a different sweep is refused."""
    names = [n for n, _ in robustness.conditions()]
    sweep = dict(count=2, snrs=(10.0,), seed=FRESH_SEED + 9, independent_count=3, only=["cfo 5000 Hz", "DC 0.1 rms"],
                 log=lambda s: None)
    together = robustness.evaluate(["afnet", "vtcnn2"], None, **sweep)
    assert together["conditions"]["DC 0.1 rms"]["data_seed"] == (FRESH_SEED + 9) * 1000 + names.index("DC 0.1 rms")
    robustness.evaluate(["afnet"], tmp_path, **sweep)
    merged = robustness.evaluate(["vtcnn2"], tmp_path, merge=True, **sweep)
    assert merged["models"] == ["afnet", "vtcnn2"]
    assert merged["conditions"] == together["conditions"]
    assert merged["independent_linear"] == together["independent_linear"]
    on_disk = json.loads((tmp_path / "robustness.json").read_text())
    assert on_disk["models"] == ["afnet", "vtcnn2"] and "vtcnn2" in (tmp_path / "robustness.md").read_text()
    with pytest.raises(ValueError, match="merge: examples_per_class_snr is 2"):
        robustness.evaluate(["vtcnn2"], tmp_path, merge=True, **dict(sweep, count=3))
    with pytest.raises(ValueError, match="merge: no report"):
        robustness.evaluate(["vtcnn2"], tmp_path / "none", merge=True, **sweep)
    on_disk["conditions"]["DC 0.1 rms"]["data_seed"] += 1   # as a report drawn with other seeds
    (tmp_path / "robustness.json").write_text(json.dumps(on_disk))
    with pytest.raises(ValueError, match="condition 'DC 0.1 rms' was drawn with data seed"):
        robustness.evaluate(["vtcnn2"], tmp_path, merge=True, **sweep)


def test_table_marks_a_model_without_a_condition():
    """A column kept from a sweep that lacked a later condition reads "-" there, not a crash."""
    ok = {"accuracy": 0.5}
    report = {"models": ["a", "b"], "snrs_db": [10.0],
              "conditions": {"cfo 0 Hz": {"results": {"a": {"10.0": ok}, "b": {"10.0": ok}}},
                             "cfo uniform in +-5 kHz": {"results": {"a": {"10.0": ok}}}},
              "independent_linear": {"cfo 0 Hz": {"a": ok}}}
    rows = robustness.format_tables(report).splitlines()
    assert "| cfo 0 Hz | 10 | 0.500 | 0.500 |" in rows
    assert "| cfo uniform in +-5 kHz | 10 | 0.500 | - |" in rows
    assert "| cfo 0 Hz | 0.500 | - |" in rows


def test_unknown_condition_is_refused():
    with pytest.raises(ValueError, match="conditions: unknown"):
        robustness.evaluate(["afnet"], None, only=["cfo 3 Hz"])


@pytest.fixture(scope="module")
def offset_windows(tmp_path_factory):
    """Fresh receiver-recipe windows at 10 and 18 dB, 20 per (class, SNR), once with every
    receiver impairment off and once with a fixed 5 kHz carrier offset (random sign and
    phase in both), from a seed no bundle was trained on."""
    from gnuradio.sentinel.data.receiver import ReceiverConfig

    out = {}
    for name, config in (("none", ReceiverConfig.off(phase=True)),
                         ("5 kHz", ReceiverConfig.off(phase=True, cfo_hz=(5e3, 5e3)))):
        path = tmp_path_factory.mktemp("offset") / "rx.h5"
        data.generate(data.LiveReceiver(snrs=(10.0, 18.0), receiver_config=config), path, 20,
                      seed=FRESH_SEED + len(out), workers=2, progress=False)
        ds = data.load(path)
        out[name] = (ds.complex(), ds.label)
    return out


def test_shipped_afnet_survives_a_5_khz_carrier_offset(offset_windows):
    """The default afnet keeps >= 0.70 with a 5 kHz offset at 10-18 dB (0.80 measured), within
    0.1 of its accuracy without one (0.81); the paper-recipe afnet_rml2016 falls apart
    (<= 0.45; 0.27 measured), which is what the receiver recipe fixes. 440 windows each."""
    accuracy = {}
    for bundle in ("afnet", "afnet_rml2016"):
        classifier = robustness.Classifier(bundle)
        for name, (windows, labels) in offset_windows.items():
            accuracy[bundle, name] = robustness.score(classifier, windows, labels)["accuracy"]
    assert accuracy["afnet", "5 kHz"] >= 0.70
    assert abs(accuracy["afnet", "5 kHz"] - accuracy["afnet", "none"]) <= 0.10
    assert accuracy["afnet_rml2016", "5 kHz"] <= 0.45
    assert accuracy["afnet_rml2016", "none"] >= 0.80


def test_shipped_afnet_on_an_independent_generator_with_offset():
    """6 linear classes from the generator that shares no code with the data module, 14 dB,
    5 kHz offset, 60 windows a class: afnet >= 0.72 (0.83 measured on 1,800), afnet_rtn
    >= 0.55 (0.71), afnet_rml2016 <= 0.5 (0.34)."""
    rng = np.random.default_rng(FRESH_SEED)
    classes = robustness.Classifier("afnet").classes
    windows = np.concatenate([robustness.independent_linear(c, 60, 14.0, 5e3, rng) for c in robustness.LINEAR])
    labels = np.repeat([classes.index(c) for c in robustness.LINEAR], 60)
    measured = {b: robustness.score(robustness.Classifier(b), windows, labels)["accuracy"]
                for b in ("afnet", "afnet_rtn", "afnet_rml2016")}
    assert measured["afnet"] >= 0.72, measured
    assert measured["afnet_rtn"] >= 0.55, measured
    assert measured["afnet_rml2016"] <= 0.5, measured


def test_two_bundles_with_one_name_are_refused(tmp_path):
    import shutil

    from gnuradio.sentinel.runtime import ModelBundle

    copy = tmp_path / "afnet_copy"
    shutil.copytree(ModelBundle.load("afnet").path, copy)
    with pytest.raises(ValueError, match="name the same card name afnet"):
        robustness.evaluate(["afnet", str(copy)], None, count=1, snrs=(10.0,), only=["cfo 0 Hz"])


def test_shipped_htrd_holds_under_a_carrier_offset_where_the_paper_bundle_does_not():
    """Fresh receiver-recipe windows at 10 dB with a 2 kHz offset (220 windows): the shipped
    htrd (AFNet with the x^4-corrected and received rows, trained on the receiver recipe)
    accepts far fewer wrong answers than htrd_rml2016 (measured on 660: 0.148 against 0.480),
    and about as few as with no offset (0.156). The issue's 10 % is missed: docs/htrd.md."""
    report = robustness.evaluate(["htrd", "htrd_rml2016"], None, count=20, snrs=(10.0,), seed=FRESH_SEED + 3,
                                 only=["cfo 0 Hz", "cfo 2000 Hz"], independent_count=1, log=lambda s: None)
    shifted = report["conditions"]["cfo 2000 Hz"]["results"]
    centred = report["conditions"]["cfo 0 Hz"]["results"]
    new, old = shifted["htrd"]["10.0"]["wrong_accepted"], shifted["htrd_rml2016"]["10.0"]["wrong_accepted"]
    assert new < old - 0.08
    assert new < 0.25   # htrd_vtcnn2, the VT-CNN2 bundle before it: 0.361 on the 660
    assert abs(new - centred["htrd"]["10.0"]["wrong_accepted"]) < 0.12
    assert 0.03 < shifted["htrd"]["10.0"]["rejected"] < 0.25
