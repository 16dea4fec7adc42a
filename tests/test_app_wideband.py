# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""`sentinel demo --wideband`: every simulated emitter found and listed in the report with
its band, symbol rate and labels, the SigMF annotations' band edges against the truth, and
the channeliser's and the model blocks' counters adding up."""

import json
import subprocess
import sys

import numpy as np
import pytest

from gnuradio.sentinel.app.wideband_sources import SIM_RATE, simulated_band
from gnuradio.sentinel.wideband import band

SEED = 5
SECONDS = 6.0


@pytest.fixture(scope="module")
def wideband_report(tmp_path_factory):
    report = tmp_path_factory.mktemp("wideband") / "report"
    result = subprocess.run([sys.executable, "-m", "gnuradio.sentinel.cli", "demo", "--wideband", "--duration",
                             str(SECONDS), "--seed", str(SEED), "--mode", "lossless", "--report", str(report)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return report, json.loads((report / "summary.json").read_text()), result.stdout


def _truth():
    return simulated_band(SIM_RATE, SECONDS, SEED, throttle=False).emitters_truth


def test_report_files_and_live_table(wideband_report):
    report, summary, stdout = wideband_report
    for name in ("summary.json", "waterfall.png", "emitter_timelines.png", "capture.sigmf-meta", "capture.sigmf-data"):
        assert (report / name).stat().st_size > 0, name
    assert "centre kHz" in stdout and "emitters seen: {}".format(len(summary["emitters"])) in stdout
    assert summary["wideband"] and summary["sample_rate"] == SIM_RATE and summary["receiver"]["applied"]


def test_every_simulated_emitter_is_found_and_measured(wideband_report):
    """Each simulated emitter (on for at least a quarter of the run, 10-20 dB) is in the
    report, its centre within 2 % of its band; a linear one's -3 dB width within 10 % of
    its rate, its symbol rate (when a line was found) within 3 %, and its labels counted."""
    _, summary, _ = wideband_report
    truth = _truth()
    rows = summary["emitters"]
    assert summary["truth"]["emitters_found"] == len(truth) == summary["truth"]["emitters_simulated"]
    for emitter in truth:
        row = min(rows, key=lambda r: abs(r["center_hz"] - emitter.center_hz))
        assert abs(row["center_hz"] - emitter.center_hz) <= 0.02 * band.OCCUPANCY * emitter.symbol_rate
        if not emitter.anomalous:      # (a flat kind's -3 dB width is its whole band, FM's narrower)
            assert row["bandwidth_hz"] == pytest.approx(emitter.symbol_rate, rel=0.10)
        assert emitter.start - 8192 <= row["first_seen"] and row["last_seen"] <= emitter.stop + 8192
        if not emitter.anomalous and row["symbol_rate_source"] == "spectral_line":
            assert row["symbol_rate_hz"] == pytest.approx(emitter.symbol_rate, rel=0.03)
        if not emitter.anomalous:
            assert row["windows"] > 0 and abs(sum(row["label_shares"].values()) - 1) < 1e-9
            assert row["truth"]["label"] == emitter.label


def test_counters_add_up(wideband_report):
    """Lossless: every chunk cut gives 8 classifier, 2 HTRD and 1 MAE windows, all scored."""
    _, summary, _ = wideband_report
    windows = summary["windows"]
    chunks = windows["channeliser"]["chunks"]
    assert chunks > 0 and windows["channeliser"]["dropped"] == 0
    assert windows["amc"]["seen"] == windows["amc"]["scored"] == 8 * chunks
    assert windows["htrd"]["seen"] == 2 * chunks and windows["mae"]["seen"] == chunks
    per_emitter = sum(r["windows"] for r in summary["emitters"])
    assert per_emitter == windows["amc"]["scored"]


def test_sigmf_annotations_carry_each_emitter_band(wideband_report):
    from gnuradio.sentinel.data.sigmf_io import read_recording

    report, summary, _ = wideband_report
    samples, meta, annotations = read_recording(report / "capture")
    assert len(samples) == int(2.0 * SIM_RATE)
    in_capture = [r for r in summary["emitters"] if r["first_seen"] < len(samples)]
    assert len(annotations) == len(in_capture)
    truth = _truth()
    for note in annotations:
        low, high = note["core:freq_lower_edge"], note["core:freq_upper_edge"]
        emitter = min(truth, key=lambda e: abs(e.center_hz - (low + high) / 2))
        assert abs((low + high) / 2 - emitter.center_hz) <= 0.02 * band.OCCUPANCY * emitter.symbol_rate
        if not emitter.anomalous:
            assert high - low == pytest.approx(emitter.symbol_rate, rel=0.10)


def test_strides_that_would_mix_emitters_are_refused():
    from gnuradio.sentinel.app.wideband_session import check_strides

    check_strides(2048, {"amc": 256, "mae": 2048}, {"amc": 128, "mae": 1024})
    with pytest.raises(ValueError, match="amc_stride: 300; allowed: a divisor or a multiple of the chunk length 2048"):
        check_strides(2048, {"amc": 300}, {"amc": 128})


def test_simulated_band_kinds_occupy_their_band():
    """Each anomalous / analog kind alone: the tracker finds one emitter at its centre."""
    from gnuradio.sentinel.data import independent
    from gnuradio.sentinel.wideband import EmitterTracker

    rng = np.random.default_rng(8)
    for kind in band.OTHER_KINDS:
        emitter = band.Emitter(kind, 100e3, 40e3, 15.0, 0, int(0.1 * SIM_RATE))
        x = band.emitter_samples(emitter, SIM_RATE, rng) * np.sqrt(10 ** 1.5 * 40e3 / SIM_RATE)
        x = (x + independent.complex_noise(rng, len(x))).astype(np.complex64)
        tracker = EmitterTracker(SIM_RATE)
        for end in range(tracker.block_size, len(x) + 1, tracker.block_size):
            found, _ = tracker.update(x[end - tracker.block_size:end], end)
        assert len(found) == 1, kind
        assert abs(found[0].center_hz - 100e3) < 0.05 * 40e3, kind


def test_mae_wideband_threshold_comes_from_the_card():
    from gnuradio import sentinel

    mae = sentinel.mae_anomaly_scorer("mae", samp_rate=200e3, threshold="wideband")
    gamma = mae.bundle.card["thresholds"]["gamma_wideband"]
    assert mae.threshold == gamma < mae.bundle.card["thresholds"]["gamma"]
    mae.set_threshold(None)
    assert mae.threshold == mae.bundle.card["thresholds"]["gamma"]
    with pytest.raises(ValueError, match="threshold: 'wideband', but the model's card has no thresholds.gamma_wideband"):
        sentinel.mae_anomaly_scorer("mae_paper", threshold="wideband")


def test_wideband_evaluation_on_fresh_bands(tmp_path):
    """`sentinel eval wideband` on one fresh band per SNR (a seed no figure in the docs used):
    afnet on channelised emitters within 10 points of the centred signals at 18 dB, the
    chirps scored above the linear emitters (AUROC > 0.8), and the report written."""
    from gnuradio.sentinel.train import wideband

    report = wideband.evaluate(tmp_path, seed=4041, calibration_seed=4042, snrs=(10.0, 18.0), bands=2,
                               log=lambda *a: None)
    high = report["per_snr"]["18.0"]
    assert high["accuracy_channelised"] >= high["accuracy_centred"] - 0.10
    chirp = [e["kinds"]["chirp"]["auroc"] for e in report["per_snr"].values() if "chirp" in e["kinds"]]
    assert chirp and min(chirp) > 0.8
    assert (tmp_path / "wideband.json").exists() and "| SNR (dB) |" in (tmp_path / "wideband.md").read_text()


def test_run_wideband_replays_the_sigmf_capture_at_its_own_rate(wideband_report, tmp_path):
    """The demo's 2 s wideband capture replayed with `sentinel run --wideband --source sigmf:`:
    read at 1.024 Msps (not resampled), the emitters on in it are found again."""
    report, summary, _ = wideband_report
    replay = tmp_path / "replay"
    result = subprocess.run([sys.executable, "-m", "gnuradio.sentinel.cli", "run", "--wideband", "--source",
                             "sigmf:" + str(report / "capture.sigmf-meta"), "--duration", "4", "--mode", "lossless",
                             "--report", str(replay)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    again = json.loads((replay / "summary.json").read_text())
    assert again["sample_rate"] == SIM_RATE and "SigMF recording" in again["source"]
    on_in_capture = [r for r in summary["emitters"] if r["first_seen"] < 2.0 * SIM_RATE - 0.2 * SIM_RATE]
    assert len(on_in_capture) >= 2
    for row in on_in_capture:
        assert any(abs(r["center_hz"] - row["center_hz"]) <= 0.02 * row["bandwidth_hz"] for r in again["emitters"])
