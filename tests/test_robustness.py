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
        p = robustness._rrc(t, beta)
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
    assert set(result["independent_linear"]) == {"cfo 0 Hz", "cfo 1000 Hz", "cfo 5000 Hz"}
    assert (report / "robustness_cfo.png").stat().st_size > 1000
    assert "| cfo 5000 Hz | 10 |" in (report / "robustness.md").read_text()


def test_unknown_condition_is_refused():
    with pytest.raises(ValueError, match="conditions: unknown"):
        robustness.evaluate(["afnet"], None, only=["cfo 3 Hz"])
