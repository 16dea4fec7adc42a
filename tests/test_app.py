# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""The sentinel application: `sentinel demo` report and accuracy, replaying its SigMF
capture with `sentinel run`, and clear messages (never a traceback) for missing SDRs."""

import json
import subprocess
import sys

import pytest

from gnuradio.sentinel.app import scenario


def _sentinel(*args, timeout=240):
    return subprocess.run([sys.executable, "-m", "gnuradio.sentinel.cli", *args], capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory):
    report = tmp_path_factory.mktemp("demo") / "report"
    result = _sentinel("demo", "--duration", "5", "--mode", "lossless", "--report", str(report))
    assert result.returncode == 0, result.stdout + result.stderr
    return report, result


def test_demo_writes_the_report_files(demo_report):
    report, result = demo_report
    for name in ("summary.json", "timeline.png", "anomaly_scores.png", "confusion.png", "capture.sigmf-meta",
                 "capture.sigmf-data"):
        assert (report / name).stat().st_size > 0, name
    assert "transmitted" in result.stdout and "Traceback" not in result.stderr
    summary = json.loads((report / "summary.json").read_text())
    windows = summary["windows"]
    assert windows["amc"]["seen"] == windows["amc"]["scored"] + windows["amc"]["skipped"] + windows["amc"]["flagged"]
    assert summary["recording"]["annotations"] > 0


def test_demo_accuracy_on_high_snr_segments(demo_report):
    summary = json.loads((demo_report[0] / "summary.json").read_text())
    classifier = summary["classifier"]
    assert classifier["snr_db"] >= 10
    assert classifier["windows_scored_against_truth"] > 1000
    assert classifier["accuracy_high_snr_windows"] >= 0.8


def test_run_replays_the_demo_capture_from_sigmf(demo_report, tmp_path):
    result = _sentinel("run", "--source", "sigmf:" + str(demo_report[0] / "capture.sigmf-meta"), "--duration", "3",
                       "--mode", "lossless", "--models", "amc", "--report", str(tmp_path / "replay"))
    assert result.returncode == 0, result.stderr
    summary = json.loads((tmp_path / "replay" / "summary.json").read_text())
    assert summary["windows"]["amc"]["scored"] == (2 * 200_000 - 128) // 256 + 1  # the 2 s capture, stride 256


@pytest.mark.parametrize("source, message", [
    ("rtlsdr", "rtlsdr: "),
    ("uhd", "uhd: "),
    ("file:/nonexistent/iq.cf32", "file: /nonexistent/iq.cf32 does not exist"),
    ("sigmf:/nonexistent/rec", "sigmf: "),
    ("audio", "source: unknown 'audio'"),
])
def test_missing_devices_and_files_give_a_clear_message(source, message):
    result = _sentinel("run", "--source", source, "--duration", "1", timeout=120)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_scenario_covers_every_class_and_labels_windows():
    samples, segments = scenario.build(8.0, seed=3)
    labels = {s.label for s in segments}
    assert set(scenario.CLASSES) <= labels
    assert sum(s.length for s in segments) == len(samples)
    first = segments[0]
    assert scenario.label_at(segments, first.start, 128, len(samples)) == first.label
    assert scenario.label_at(segments, first.start + first.length - 64, 128, len(samples)) is None
    assert scenario.label_at(segments, len(samples) + first.start, 128, len(samples)) == first.label
