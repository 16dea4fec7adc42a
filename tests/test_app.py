# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""The sentinel application: `sentinel demo` report and accuracy, replaying its SigMF
capture with `sentinel run`, and clear messages (never a traceback) for missing SDRs."""

import json
import re
import subprocess
import sys

import numpy as np
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


def test_demo_summary_reports_detections_and_false_alarms(demo_report):
    """5 s of the demo at 18 dB: the anomalous segments' windows are mostly flagged and
    the modulated ones mostly not (a 6 s run measured detection 0.54, false alarms 0.13,
    most of them on WBFM; docs/mae.md has the fresh-data figures)."""
    anomaly = json.loads((demo_report[0] / "summary.json").read_text())["anomaly"]
    assert anomaly["anomalous_windows"] > 0 and anomaly["normal_windows"] > 100
    assert anomaly["detection_rate"] > 2 * anomaly["false_alarm_rate"]
    assert anomaly["mean_score"]["anomalous segments"] > anomaly["mean_score"]["modulated segments"]
    families = anomaly["detection_rate_by_family"]
    assert set(families) <= set(scenario.ANOMALY_FAMILIES) and families
    assert sum(f["windows"] for f in families.values()) == anomaly["anomalous_windows"]
    assert sum(c["windows"] for c in anomaly["false_alarm_rate_by_class"].values()) == anomaly["normal_windows"]


def test_adversarial_summary_counts_each_group():
    from gnuradio.sentinel.app.report import adversarial_summary

    # windows of 128 in segments of 256: QPSK, ADV-QPSK, ANOMALY-TONE, ANOMALY-LINEAR_CHIRP
    segments = [scenario.Segment(label, 256 * i, 256)
                for i, label in enumerate(["QPSK", "ADV-QPSK", "ANOMALY-TONE", "ANOMALY-LINEAR_CHIRP"])]
    htrd = ["QPSK", "reject", "reject", "BPSK", "reject", "reject", "WBFM", "reject"]
    amc = ["QPSK", "QPSK", "BPSK", "BPSK", "WBFM", "WBFM", "WBFM", "WBFM"]
    detections = {name: [{"offset": 128 * i, "length": 128, "label": label, "flags": []}
                         for i, label in enumerate(labels)] for name, labels in (("htrd", htrd), ("amc", amc))}
    detections["htrd"].append({"offset": 1024, "length": 128, "label": None, "flags": ["skipped"]})
    out = adversarial_summary(detections, (segments, 1024))
    assert out == {"amc_clean_windows": 2, "amc_clean_correct": 1.0,
                   "amc_adversarial_windows": 2, "amc_adversarial_correct": 0.0,
                   "htrd_clean_windows": 2, "htrd_clean_correct": 0.5, "htrd_clean_rejected": 0.5,
                   "htrd_adversarial_windows": 2, "htrd_adversarial_correct": 0.0, "htrd_adversarial_rejected": 0.5,
                   "htrd_anomaly_tone_windows": 2, "htrd_anomaly_tone_rejected": 1.0,
                   "htrd_anomaly_linear_chirp_windows": 2, "htrd_anomaly_linear_chirp_rejected": 0.5}


def test_anomaly_summary_counts_detections_and_false_alarms_per_family():
    from gnuradio.sentinel.app.report import anomaly_summary

    # segments of 1024: QPSK, ANOMALY-TONE, ADV-BPSK, ANOMALY-OFDM, BPSK; windows of 512
    labels = ["QPSK", "ANOMALY-TONE", "ADV-BPSK", "ANOMALY-OFDM", "BPSK"]
    segments = [scenario.Segment(label, 1024 * i, 1024) for i, label in enumerate(labels)]
    flags = [False, True,  True, True,  True, True,  False, True,  False, False]
    states = ["signal"] * 9 + ["empty"]
    detections = [{"offset": 512 * i, "length": 512, "anomalous": f, "score": None if s == "empty" else 1.0,
                   "state": s, "flags": []} for i, (f, s) in enumerate(zip(flags, states))]
    detections.append({"offset": 768, "length": 512, "anomalous": True, "score": 9.0, "state": "signal",
                       "flags": []})                          # straddles QPSK / ANOMALY-TONE: in neither rate
    detections.append({"offset": 0, "length": 512, "anomalous": None, "score": None, "flags": ["skipped"]})
    out = anomaly_summary(detections, (segments, 5 * 1024))
    assert out["windows"] == 10 and out["empty_windows"] == 1
    assert out["anomalous_windows"] == 4 and out["detection_rate"] == 0.75
    assert out["normal_windows"] == 4 and out["false_alarm_rate"] == 0.25
    assert out["detection_rate_by_family"] == {"ofdm": {"windows": 2, "detection_rate": 0.5},
                                               "tone": {"windows": 2, "detection_rate": 1.0}}
    assert out["false_alarm_rate_by_class"] == {"BPSK": {"windows": 2, "false_alarm_rate": 0.0},
                                                "QPSK": {"windows": 2, "false_alarm_rate": 0.5}}


def test_run_replays_the_demo_capture_from_sigmf(demo_report, tmp_path):
    # the 2 s capture replays at its own pace; 5 s leaves room on a slow machine
    result = _sentinel("run", "--source", "sigmf:" + str(demo_report[0] / "capture.sigmf-meta"), "--duration", "5",
                       "--mode", "lossless", "--models", "amc", "--report", str(tmp_path / "replay"))
    assert result.returncode == 0, result.stderr
    summary = json.loads((tmp_path / "replay" / "summary.json").read_text())
    assert summary["windows"]["amc"]["scored"] == (2 * 200_000 - 128) // 256 + 1  # the 2 s capture, stride 256


@pytest.mark.parametrize("source, message", [
    ("rtlsdr", "rtlsdr: "),
    ("uhd", "uhd: "),
    ("file:/nonexistent/iq.cf32", "file: path: /nonexistent/iq.cf32 is neither"),
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
    anomalous = [s for s in segments if s.anomalous]
    assert len({s.label for s in anomalous}) >= 3
    for s in anomalous:   # unit power, as the modulated segments
        assert np.mean(np.abs(samples[s.start:s.start + s.length]) ** 2) == pytest.approx(1.0, rel=1e-3)
    assert sum(s.length for s in segments) == len(samples)
    first = segments[0]
    assert scenario.label_at(segments, first.start, 128, len(samples)) == first.label
    assert scenario.label_at(segments, first.start + first.length - 64, 128, len(samples)) is None
    assert scenario.label_at(segments, len(samples) + first.start, 128, len(samples)) == first.label


def _free_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_qt_sim_flowgraph_runs_headless(compiled_examples):
    import os
    import time

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    process = subprocess.Popen([sys.executable, str(compiled_examples["sentinel_sim.grc"])], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(12)
    alive = process.poll() is None
    process.terminate()
    _, stderr = process.communicate(timeout=30)
    assert alive, stderr
    assert "Traceback" not in stderr


def test_two_host_pair_on_loopback(compiled_examples, tmp_path):
    """SDR host -> IQ over ZeroMQ -> inference host -> detections over ZeroMQ -> sentinel watch,
    as three processes."""
    iq = "tcp://127.0.0.1:{}".format(_free_port())
    detections = "tcp://127.0.0.1:{}".format(_free_port())
    hosts = []
    try:
        hosts.append(subprocess.Popen([sys.executable, str(compiled_examples["sentinel_inference_host.grc"]),
                                       "--iq-endpoint", iq, "--detections-endpoint", detections],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True))
        watch = subprocess.Popen([sys.executable, "-m", "gnuradio.sentinel.cli", "watch", detections, "--count", "300",
                                  "--duration", "90", "--quiet", "--jsonl", str(tmp_path / "feed.jsonl")],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        hosts.append(subprocess.Popen([sys.executable, str(compiled_examples["sentinel_sdr_host.grc"]),
                                       "--iq-endpoint", iq], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                      text=True))
        stdout, stderr = watch.communicate(timeout=120)
    finally:
        for host in hosts:
            host.terminate()
            host.wait(timeout=30)
    records = [json.loads(line) for line in (tmp_path / "feed.jsonl").read_text().splitlines()]
    assert len(records) == 300, stdout + stderr
    assert {r["source"] for r in records} == {"inference-host"}
    assert {"afnet", "htrd"} <= {r["model"] for r in records}
    assert json.loads(stdout.strip().splitlines()[-1][len("summary: "):])["lost"] == 0


def test_ctrl_c_stops_cleanly_and_still_writes_the_report(tmp_path):
    import signal
    import time

    process = subprocess.Popen([sys.executable, "-m", "gnuradio.sentinel.cli", "run", "--source", "sim",
                                "--duration", "120", "--models", "amc", "--report", str(tmp_path / "report")],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:   # wait for the first live row ("   1.0 ..." or, when late, "1.1")
        line = process.stdout.readline()
        if re.match(r"\s*\d+\.\d\s", line) or not line:
            break
    process.send_signal(signal.SIGINT)
    try:
        stdout, stderr = process.communicate(timeout=90)
    except subprocess.TimeoutExpired:
        process.kill()
        stdout, stderr = process.communicate()
        pytest.fail("still running 90 s after SIGINT; stdout ends:\n{}\nstderr:\n{}".format(
            stdout[-1500:], stderr[-1500:]))
    assert "interrupted: stopping and writing the report" in stdout
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    summary = json.loads((tmp_path / "report" / "summary.json").read_text())
    assert summary["windows"]["amc"]["scored"] > 0


@pytest.mark.parametrize("command", ["run", "demo"])
@pytest.mark.parametrize("option, value, allowed", [
    ("--rate", "0", "a sample rate in Hz from 1000 to 1e+09"),
    ("--rate", "inf", "a sample rate in Hz from 1000 to 1e+09"),
    ("--rate", "nan", "a sample rate in Hz from 1000 to 1e+09"),
    ("--snr", "nan", "an SNR in dB from -200 to 200"),
    ("--duration", "nan", "a finite number of seconds > 0"),
    ("--duration", "0", "a finite number of seconds > 0"),
    ("--interval", "-1", "a finite number of seconds > 0"),
    ("--freq", "inf", "a finite frequency in Hz >= 0"),
    ("--seed", "-1", "an integer from 0 to 2147483645"),
    ("--publish", "tcp://127.0.0.1:99999", "allowed: 1 to 65535 or *"),
    ("--publish", "udp://127.0.0.1:5557", "allowed: tcp://HOST:PORT"),
])
def test_run_options_out_of_range_give_one_line_naming_the_option(capsys, command, option, value, allowed):
    """--rate 0/inf/nan, --snr nan, --duration nan, ...: exit status 2 and one error line
    that names the option and its allowed values (after a one-line usage), no traceback,
    no silent default."""
    from gnuradio.sentinel.cli import main

    with pytest.raises(SystemExit) as exit_:
        main([command, option, value])
    assert exit_.value.code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 2 and lines[0].startswith("usage: sentinel {} [options]".format(command)), lines
    assert lines[1] == "sentinel {}: error: argument {}: {}".format(command, option, lines[1].split(": ", 3)[-1])
    assert allowed in lines[1] and "'{}'".format(value) in lines[1]


def test_unwritable_report_folder_fails_before_the_run(tmp_path):
    """--report under a regular file: exit status 2 with one line naming --report, at
    once, not after the whole --duration (here 600 s)."""
    import time

    (tmp_path / "a_file").write_text("")
    began = time.monotonic()
    result = _sentinel("demo", "--duration", "600", "--report", str(tmp_path / "a_file" / "report"), timeout=120)
    assert time.monotonic() - began < 60
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip() == "sentinel demo: error: --report: cannot write the report folder {} (Not a " \
        "directory); give a writable folder".format(tmp_path / "a_file" / "report")


def test_report_folder_check_refuses_what_write_report_cannot_overwrite(tmp_path):
    from gnuradio.sentinel.app.report import check_report_folder

    check_report_folder(tmp_path / "new" / "report")       # can be created: not created yet
    assert not (tmp_path / "new").exists() and not list(tmp_path.iterdir())
    (tmp_path / "new" / "report" / "summary.json").mkdir(parents=True)
    with pytest.raises(ValueError, match="cannot overwrite summary.json"):
        check_report_folder(tmp_path / "new" / "report")


@pytest.mark.parametrize("kwargs, message", [
    ({"duration": 0}, "duration: the scenario's length in seconds, a finite number > 0"),
    ({"duration": float("nan")}, "duration: "),
    ({"duration": -5}, "duration: "),
    ({"duration": float("inf")}, "duration: "),
    ({"snr_db": float("nan")}, "snr_db: SNR per sample in dB after the channel, a finite number from -200 to 200"),
    ({"snr_db": "loud"}, "snr_db: a number"),
    ({"seed": -1}, "seed: an integer from 0 to 2147483645"),
    ({"seed": 1.5}, "seed: "),
])
def test_simulated_transmitter_names_a_bad_parameter(kwargs, message):
    """simulated_transmitter(duration=0) says what duration must be, rather than numpy's
    "need at least one array to concatenate"."""
    from gnuradio import sentinel

    with pytest.raises(ValueError) as error:
        sentinel.simulated_transmitter(**kwargs)
    assert str(error.value).startswith(message)


def test_scenario_of_a_very_short_duration_has_one_segment():
    samples, segments = scenario.build(1e-6, seed=1)
    assert len(segments) == 1 and len(samples) == segments[0].length > 0
    with pytest.raises(ValueError, match="duration_s"):
        scenario.build(0.0, seed=1)


def test_demo_summary_names_the_simulated_receiver(demo_report):
    """The demo applies a receiver by default: summary.json's `receiver` says so, with a
    carrier offset within +-2 ppm of 433.92 MHz (868 Hz), and the live table prints it."""
    report, result = demo_report
    receiver = json.loads((report / "summary.json").read_text())["receiver"]
    assert receiver["applied"] is True and receiver["adc_bits"] == 8
    assert abs(receiver["cfo_hz"]) <= 2e-6 * 433.92e6 and receiver["cfo_hz"] == pytest.approx(
        receiver["crystal_ppm"] * 433.92)
    assert "simulated receiver: carrier offset" in result.stdout


def test_simulated_receiver_offset_iq_and_adc_are_as_reported():
    """Same seed with and without the receiver: the two outputs differ by the reported carrier
    offset (phase slope of their product, to 2 Hz at 40 dB), and with the receiver every sample
    lies on the 8-bit grid (integers / 127 per rail)."""
    import numpy as np
    from gnuradio import blocks, gr

    from gnuradio.sentinel.app.sources import simulated_transmitter

    outputs = {}
    for receiver in (True, False):
        tx = simulated_transmitter(snr_db=40.0, seed=7, duration=1.0, throttle=False, receiver=receiver)
        top = gr.top_block()
        sink = blocks.vector_sink_c()
        top.connect(tx, blocks.head(gr.sizeof_gr_complex, 60000), sink)
        top.run()
        outputs[receiver] = (np.asarray(sink.data()), tx.receiver)
    (with_rx, applied), (ideal, none) = outputs[True], outputs[False]
    assert none is None and applied is not None
    codes = np.concatenate([with_rx.real, with_rx.imag]) * 127
    assert np.max(np.abs(codes - np.round(codes))) < 1e-3
    product = (with_rx - np.mean(with_rx)) * np.conj(ideal)
    lag = 100
    increments = np.angle(np.sum(product[lag:] * np.conj(product[:-lag]))) / lag
    assert increments * 200e3 / (2 * np.pi) == pytest.approx(applied["cfo_hz"], abs=2.0)


def test_simulated_transmitter_snr_is_after_the_channel():
    """The noise power is the fading channel's mean output power (1 + 0.8^2 + 0.3^2 for a
    unit-power input) over 10^(SNR/10), as the data generator defines the SNR; over 10 s of
    one seed the faded signal's power is within 1 dB of that mean, so the measured SNR is too.
    (Same seed at 200 dB gives the noise-free twin: the fading and the scenario are seeded.)"""
    import numpy as np
    from gnuradio import blocks, gr

    from gnuradio.sentinel.app.sources import CHANNEL_POWER, simulated_transmitter

    assert CHANNEL_POWER == pytest.approx(1.73)
    outputs = {}
    for snr in (10.0, 200.0):
        tx = simulated_transmitter(snr_db=snr, seed=5, duration=10.0, throttle=False, receiver=False)
        top = gr.top_block()
        sink = blocks.vector_sink_c()
        top.connect(tx, blocks.head(gr.sizeof_gr_complex, 2_000_000), sink)
        top.run()
        outputs[snr] = np.asarray(sink.data())
    signal, noise = outputs[200.0], outputs[10.0] - outputs[200.0]
    assert np.mean(np.abs(noise) ** 2) == pytest.approx(CHANNEL_POWER / 10.0, rel=0.01)
    assert 10 * np.log10(np.mean(np.abs(signal) ** 2) / np.mean(np.abs(noise) ** 2)) == pytest.approx(10.0, abs=1.0)


def test_run_takes_a_bundle_folder_of_ones_own(tmp_path, monkeypatch):
    """`sentinel run --amc-model FOLDER` (and a model path with ~) loads a bundle from a
    folder outside the package: a copy of the shipped afnet under a home of its own."""
    import shutil

    from gnuradio.sentinel.runtime.bundle import MODELS_DIR, resolve

    home = tmp_path / "home"
    shutil.copytree(MODELS_DIR / "afnet", home / "bundles" / "mine")
    monkeypatch.setenv("HOME", str(home))
    assert resolve("~/bundles/mine") == home / "bundles" / "mine" / "card.json"
    report = tmp_path / "report"
    result = _sentinel("run", "--source", "sim", "--duration", "2", "--models", "amc", "--amc-model",
                       str(home / "bundles" / "mine"), "--mode", "lossless", "--report", str(report))
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads((report / "summary.json").read_text())["windows"]["amc"]["scored"] > 0
