# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""The PRBS GRC blocks: the BER output into a Qt number sink, and C++ output."""

import os
import pathlib
import shutil
import subprocess
import sys

import numpy as np
import pytest
import yaml

REPO = pathlib.Path(__file__).resolve().parents[1]
VENV = pathlib.Path(sys.prefix)
BLOCKS = VENV / "share" / "gnuradio" / "grc" / "blocks"
GRCC = shutil.which("grcc")

CONFIG_BUG = ("the installed gnuradio-sentinelConfig.cmake includes gnuradio-sentinelTarget.cmake, "
              "but the build installs gnuradio-sentinelTargets.cmake: find_package(gnuradio-sentinel) "
              "fails for every C++ user (cmake/Modules/gnuradio-sentinelConfig.cmake)")

pytestmark = pytest.mark.skipif(
    GRCC is None or not (BLOCKS / "sentinel_prbs_sink_b.block.yml").exists(),
    reason="needs grcc and the module installed into .venv (make install)")


def grcc(graph, tmp_path):
    """Write the flowgraph, compile it with grcc against the installed blocks only."""
    grc = tmp_path / (graph["options"]["parameters"]["id"] + ".grc")
    grc.write_text(yaml.safe_dump(graph))
    env = dict(os.environ, GRC_BLOCKS_PATH=str(BLOCKS), HOME=str(tmp_path),
               QT_QPA_PLATFORM="offscreen", XDG_RUNTIME_DIR=str(tmp_path))
    result = subprocess.run([sys.executable, GRCC, "-o", str(tmp_path), str(grc)], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    return env


def block(name, block_id, params, x=0, y=0):
    return {"name": name, "id": block_id, "parameters": params,
            "states": {"coordinate": [x, y], "rotation": 0, "state": "enabled"}}


def flowgraph(graph_id, blocks, connections, **options):
    parameters = {"id": graph_id, "title": graph_id, "run": "True", **options}
    return {"options": {"parameters": parameters,
                        "states": {"coordinate": [0, 0], "rotation": 0, "state": "enabled"}},
            "blocks": blocks, "connections": connections, "metadata": {"file_format": 1}}


SOURCE = {"pattern": "PRBS23", "packed": "True", "invert": "False", "seed": "0",
          "degree": "16", "mask": "0xD008"}
TESTER = {"pattern": "PRBS23", "packed": "True", "sync_bits": "128", "loss_bits": "1024",
          "loss_threshold": "0.2", "window_bits": "100000", "report_interval": "100000",
          "degree": "16", "mask": "0xD008"}


def test_ber_output_drives_a_qt_number_sink(tmp_path):
    """PRBS Source -> Throttle -> BER tester -> QT GUI Number Sink, with no Function
    Probe: the flowgraph compiles and runs offscreen until killed, without a traceback."""
    blocks = [
        block("samp_rate", "variable", {"value": "1e6"}),
        block("src", "sentinel_prbs_source_b", SOURCE),
        block("throttle", "blocks_throttle", {"type": "byte", "samples_per_second": "samp_rate",
                                              "vlen": "1", "ignoretag": "True"}),
        block("ber", "sentinel_prbs_sink_b", dict(TESTER, report_interval="10000")),
        block("number", "qtgui_number_sink", {
            "type": "float", "name": "'BER'", "nconnections": "1", "min": "0", "max": "0.5",
            "update_time": "0.1", "label1": "'window BER'"}),
    ]
    graph = flowgraph("ber_number_check", blocks,
                      [["src", "0", "throttle", "0"], ["throttle", "0", "ber", "0"],
                       ["ber", "0", "number", "0"]], generate_options="qt_gui")
    env = grcc(graph, tmp_path)
    with pytest.raises(subprocess.TimeoutExpired) as run:
        subprocess.run([sys.executable, str(tmp_path / "ber_number_check.py")], env=env,
                       cwd=tmp_path, capture_output=True, timeout=5)
    assert b"Traceback" not in (run.value.stderr or b"")


def build_cpp(out_dir, graph_id):
    """cmake + make for a generated C++ flowgraph; returns the executable."""
    project = out_dir / graph_id
    build = project / "build"
    build.mkdir(exist_ok=True)
    configure = subprocess.run(["cmake", "..", "-DCMAKE_BUILD_TYPE=Release",
                                "-DCMAKE_PREFIX_PATH=" + str(VENV)],
                               cwd=build, capture_output=True, text=True, timeout=300)
    assert "gnuradio-sentinelTarget.cmake" not in configure.stderr, CONFIG_BUG
    assert configure.returncode == 0, configure.stdout + configure.stderr
    make = subprocess.run(["make"], cwd=build, capture_output=True, text=True, timeout=600)
    assert make.returncode == 0, make.stdout + make.stderr
    return build / graph_id


@pytest.mark.skipif(shutil.which("cmake") is None or shutil.which("c++") is None,
                    reason="needs cmake and a C++ compiler")
def test_cpp_flowgraph_builds_and_runs(tmp_path):
    """A C++ (no GUI) flowgraph PRBS Source -> Head (200,000 packed bytes) -> BER tester
    -> File Sink generates from the blocks' cpp_templates, builds against the installed
    library (find_package(gnuradio-sentinel)) and runs: 1.6 Mbit give 16 reports, all
    locked at BER 0."""
    blocks = [
        block("src", "sentinel_prbs_source_b", SOURCE),
        block("head", "blocks_head", {"type": "byte", "num_items": "200000", "vlen": "1"}),
        block("ber", "sentinel_prbs_sink_b", TESTER),
        block("sink", "blocks_file_sink", {"type": "float", "file": "'ber.f32'", "vlen": "1",
                                           "unbuffered": "False", "append": "False"}),
    ]
    graph = flowgraph("prbs_cpp_check", blocks,
                      [["src", "0", "head", "0"], ["head", "0", "ber", "0"],
                       ["ber", "0", "sink", "0"]],
                      generate_options="no_gui", run_options="run", output_language="cpp",
                      gen_cmake="On", gen_linking="dynamic", cmake_opt="")
    grcc(graph, tmp_path)
    source = (tmp_path / "prbs_cpp_check" / "prbs_cpp_check.cpp").read_text()
    assert 'gr::sentinel::prbs_source_b::make("PRBS23", true, false, 0, 0, 0)' in source
    assert 'gr::sentinel::prbs_sink_b::make("PRBS23", true, 128, 1024, 0.2' in source
    executable = build_cpp(tmp_path, "prbs_cpp_check")
    run = subprocess.run([str(executable)], cwd=executable.parent, capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr
    ber = np.fromfile(executable.parent / "ber.f32", np.float32)
    assert np.array_equal(ber, np.zeros(16, np.float32))
