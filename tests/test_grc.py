# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""GRC: every block YAML is well formed and loads in GRC; every example compiles."""

import os
import subprocess
import sys

import pytest
import yaml

from conftest import EXAMPLES, GRC_BLOCKS, REPO, run_grcc

BLOCK_FILES = sorted((REPO / "grc").glob("*.block.yml"))


@pytest.mark.parametrize("path", BLOCK_FILES, ids=lambda p: p.name)
def test_block_yaml_follows_conventions(path):
    block = yaml.safe_load(path.read_text())
    assert block["id"] == path.name[: -len(".block.yml")]
    assert block["id"].startswith("sentinel_")
    assert block["category"].startswith("[Sentinel]/")
    assert block["file_format"] == 1
    assert "Parameters" in block["documentation"]
    if block.get("parameters"):
        assert block.get("asserts"), "parameters without asserts"
    assert "sentinel." in block["templates"]["make"]


def test_grc_platform_loads_the_blocks(tmp_path):
    """GRC's own loader registers every sentinel block without errors."""
    code = (
        "from gnuradio import gr\n"
        "from gnuradio.grc.core.platform import Platform\n"
        "p = Platform(version=gr.version(), version_parts=(gr.major_version(), "
        "gr.api_version(), gr.minor_version()), prefs=gr.prefs())\n"
        "p.build_library()\n"
        "print(' '.join(sorted(k for k in p.blocks if k.startswith('sentinel_'))))\n"
    )
    env = dict(os.environ, GRC_BLOCKS_PATH=str(GRC_BLOCKS), HOME=str(tmp_path))
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    loaded = set(result.stdout.split())
    assert loaded == {p.name[: -len(".block.yml")] for p in BLOCK_FILES}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_compiles(path, compiled_examples):
    assert compiled_examples[path.name].is_file()
    compile(compiled_examples[path.name].read_text(), str(path), "exec")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_gui_example_with_probes_stops_them_touching_labels(path):
    """A Qt flowgraph whose Function Probes feed labels freezes its setters on stop, so a
    probe thread cannot update a label Qt has deleted (a traceback at every close)."""
    graph = yaml.safe_load(path.read_text())
    probes = [b for b in graph["blocks"] if b["id"] == "variable_function_probe"]
    if graph["options"]["parameters"]["generate_options"] != "qt_gui" or not probes:
        pytest.skip("no Function Probe in a Qt flowgraph")
    stop_snippets = [b["parameters"]["code"] for b in graph["blocks"]
                     if b["id"] == "snippet" and b["parameters"]["section"] == "main_after_stop"]
    assert any('startswith("set_")' in code for code in stop_snippets), path.name


def test_ber_loopback_example_runs_headless(compiled_examples, tmp_path):
    """The generated Qt flowgraph starts offscreen and keeps running until killed."""
    script = compiled_examples["ber_loopback.grc"]
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path))
    with pytest.raises(subprocess.TimeoutExpired):
        subprocess.run([sys.executable, str(script)], env=env, capture_output=True, timeout=4)


def test_invalid_parameter_fails_grc_asserts(tmp_path):
    """A flowgraph with loss_threshold = 0.7 is refused by the block's asserts."""
    flowgraph = (REPO / "examples" / "ber_loopback.grc").read_text().replace(
        "    window_bits: '1000000'", "    window_bits: '1000000'\n    loss_threshold: '0.7'")
    bad = tmp_path / "bad.grc"
    bad.write_text(flowgraph)
    result = run_grcc([bad], tmp_path / "out", tmp_path)
    assert result.returncode != 0
    assert "0 < loss_threshold < 0.5" in result.stdout + result.stderr


def test_ber_loopback_shows_the_tester_ber_output_on_a_number_sink():
    """examples/ber_loopback.grc wires the BER tester's float BER output to a QT GUI Number
    Sink; no Function Probe polls the tester any more."""
    graph = yaml.safe_load((REPO / "examples" / "ber_loopback.grc").read_text())
    kinds = {b["name"]: b["id"] for b in graph["blocks"]}
    tester = next(name for name, kind in kinds.items() if kind == "sentinel_prbs_sink_b")
    shown = [c for c in graph["connections"] if c[0] == tester and c[1] == "0"]
    assert [kinds[c[2]] for c in shown] == ["qtgui_number_sink"]
    assert "variable_function_probe" not in kinds.values()
