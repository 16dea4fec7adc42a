# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every example that needs no hardware runs as shipped, the way GRC's Run button runs it;
the SDR examples end with one clear line when no device is present."""

import json
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import sys

import pytest
import yaml

from conftest import EXAMPLES, REPO

RUNNER = pathlib.Path(__file__).resolve().parent / "example_runner.py"
#: seconds each example runs after its top block has started
RUN_S = 3.0
#: seconds an example may take to build (imports, model loading) and to stop
SLACK_S = 240
#: block id prefixes that open a device
HARDWARE = ("uhd_", "rtlsdr_", "osmosdr_", "soapy_", "iio_", "audio_")
#: run together: the SDR host feeds the inference host over ZeroMQ
PAIR = ("sentinel_sdr_host.grc", "sentinel_inference_host.grc")


def needs_hardware(path):
    return any(b["id"].startswith(HARDWARE) for b in yaml.safe_load(path.read_text())["blocks"])


NO_HARDWARE = [p for p in EXAMPLES if not needs_hardware(p)]
SINGLE = [p for p in NO_HARDWARE if p.name not in PAIR]


@pytest.fixture(scope="module")
def run_folder(compiled_examples):
    """The generated scripts' folder with examples/data beside them, as when GRC's Run
    writes a script next to its .grc."""
    folder = next(iter(compiled_examples.values())).parent
    data = folder / "data"
    if not data.exists():
        data.symlink_to(REPO / "examples" / "data", target_is_directory=True)
    return folder


def environment(home):
    return dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(home), XDG_RUNTIME_DIR=str(home),
                PYTHONUNBUFFERED="1")


def runner(script, seconds, arguments=(), cwd=None, home=None):
    return subprocess.Popen([sys.executable, str(RUNNER), str(script), str(seconds)] + list(arguments),
                            cwd=str(cwd or script.parent), env=environment(home or script.parent),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def finish(process, timeout):
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
        pytest.fail("did not stop within {} s:\n{}".format(timeout, output[-4000:]))
    return process.returncode, output


def report_of(output):
    lines = [line for line in output.splitlines() if line.startswith("EXAMPLE-RUNNER ")]
    assert lines, "no runner report (the flowgraph never got to exit normally):\n" + output[-4000:]
    return json.loads(lines[-1][len("EXAMPLE-RUNNER "):])


def check_ran_cleanly(name, returncode, output):
    """Exit status 0, no traceback or GNU Radio error, every stream sink got data, no block error."""
    assert returncode == 0, "{} exited with {}:\n{}".format(name, returncode, output[-4000:])
    for bad in ("Traceback", ":ERROR:"):
        assert bad not in output, "{} printed {!r}:\n{}".format(name, bad, output[-4000:])
    report = report_of(output)
    assert report["started"], name + ": the top block never started"
    assert report["sinks"], name + ": no stream sink found"
    starved = {sink: n for sink, n in report["sinks"].items() if n == 0}
    assert not starved, "{}: sinks that got no items: {} (report {})".format(name, starved, report)
    assert not report["errors"], "{}: block errors {}".format(name, report["errors"])
    assert not report["late_probe_errors"], "{}: probes touched the GUI after stop: {}".format(
        name, report["late_probe_errors"])
    return report


def test_every_hardware_free_example_is_run():
    """The run tests cover every example without an SDR source (none is left out by the filter)."""
    names = {p.name for p in NO_HARDWARE}
    assert {"ber_loopback.grc", "autoencoder_ber.grc", "fading_channel_viewer.grc", "kpi_replay.grc",
            "sentinel_file.grc", "sentinel_sim.grc", "sentinel_wideband_sim.grc"} | set(PAIR) <= names
    assert {p.name for p in EXAMPLES} - names == {"sentinel_rtlsdr.grc", "sentinel_uhd.grc",
                                                  "sentinel_wideband_rtlsdr.grc", "sentinel_wideband_uhd.grc"}


@pytest.mark.parametrize("path", SINGLE, ids=lambda p: p.name)
def test_example_runs_as_shipped(path, compiled_examples, run_folder):
    """The generated script runs with its defaults for a few seconds (or to its end), data
    reaches every sink, and SIGTERM stops it with exit status 0; default paths resolve."""
    script = compiled_examples[path.name]
    returncode, output = finish(runner(script, RUN_S), RUN_S + SLACK_S)
    check_ran_cleanly(path.name, returncode, output)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_sdr_host_feeds_inference_host(compiled_examples, run_folder):
    """The two-host pair runs on loopback: IQ from the SDR host reaches the models of the
    inference host, and both stop cleanly."""
    iq = "tcp://127.0.0.1:{}".format(free_port())
    detections = "tcp://127.0.0.1:{}".format(free_port())
    sdr_host = runner(compiled_examples["sentinel_sdr_host.grc"], 0, ["--iq-endpoint", iq])
    try:
        inference = runner(compiled_examples["sentinel_inference_host.grc"], RUN_S,
                           ["--iq-endpoint", iq, "--detections-endpoint", detections])
        inference_result = finish(inference, RUN_S + SLACK_S)
    finally:
        if sdr_host.poll() is None:
            sdr_host.send_signal(signal.SIGTERM)
    sdr_result = finish(sdr_host, 60)
    check_ran_cleanly("sentinel_inference_host.grc", *inference_result)
    check_ran_cleanly("sentinel_sdr_host.grc", *sdr_result)


def test_relative_default_path_also_resolves_from_current_directory(compiled_examples, tmp_path):
    """A script compiled elsewhere (grcc -o DIR) finds the default data/kpi_sample.csv when
    started from the examples folder."""
    script = tmp_path / "kpi_replay.py"
    shutil.copy(compiled_examples["kpi_replay.grc"], script)
    returncode, output = finish(runner(script, RUN_S, cwd=REPO / "examples", home=tmp_path), RUN_S + SLACK_S)
    check_ran_cleanly("kpi_replay.grc", returncode, output)


@pytest.mark.parametrize("name, message", [
    ("sentinel_rtlsdr.grc", "sentinel_rtlsdr: no RTL-SDR dongle found ("),
    ("sentinel_uhd.grc", "sentinel_uhd: no USRP found ("),
    ("sentinel_wideband_rtlsdr.grc", "sentinel_wideband_rtlsdr: no RTL-SDR dongle found ("),
    ("sentinel_wideband_uhd.grc", "sentinel_wideband_uhd: no USRP found ("),
])
def test_sdr_example_without_device_ends_with_one_line(name, message, compiled_examples, tmp_path):
    """Without a device the SDR flowgraph exits non-zero, prints no traceback, and its last
    line says what was not found and what to check."""
    script = compiled_examples[name]
    process = subprocess.Popen([sys.executable, str(script)], cwd=str(tmp_path), env=environment(tmp_path),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        output, _ = process.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        pytest.skip("{} kept running: a device seems to be present".format(name))
    lines = [line for line in output.splitlines() if line.strip()]
    assert process.returncode != 0, output
    assert "Traceback" not in output, output
    assert lines and lines[-1].startswith(message), output
    assert len(lines[-1]) < 400
