# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""GRC parameters of the sentinel blocks: model fields list the shipped bundles and take a
bundle folder; defaults that would mislead are gone; live parameters are live; asserts
refuse what the blocks refuse; the documentation tabs explain every runtime parameter."""

import json
import math
import os
import shutil
import subprocess
import sys

import pytest
import yaml

from conftest import GRC_BLOCKS, REPO, run_grcc

MODELS = REPO / "python" / "sentinel" / "models"
#: each block with a model field, and the kind of bundle it loads
MODEL_BLOCKS = {
    "sentinel_modulation_classifier": "amc",
    "sentinel_htrd_classifier": "htrd",
    "sentinel_mae_anomaly_scorer": "mae",
    "sentinel_kpi_anomaly_detector": "kpi",
    "sentinel_autoencoder_mod_bc": "modem",
    "sentinel_autoencoder_demod_cb": "modem",
}
#: the blocks built on the gr-sentinel model runtime (mode, batching, threads, tags)
RUNTIME_BLOCKS = ("sentinel_modulation_classifier", "sentinel_htrd_classifier",
                  "sentinel_mae_anomaly_scorer", "sentinel_kpi_anomaly_detector")


def block_yaml(block_id):
    return yaml.safe_load((REPO / "grc" / (block_id + ".block.yml")).read_text())


def parameter(block, param_id):
    return next(p for p in block["parameters"] if p["id"] == param_id)


def shipped(kind):
    return sorted(path.parent.name for path in MODELS.glob("*/card.json")
                  if json.loads(path.read_text())["kind"] == kind)


def block(name, block_id, params, x=0, y=0):
    return {"name": name, "id": block_id, "parameters": params,
            "states": {"coordinate": [x, y], "rotation": 0, "state": "enabled"}}


def flowgraph(flowgraph_id, blocks, connections):
    return {
        "options": {"parameters": {"id": flowgraph_id, "generate_options": "no_gui", "title": flowgraph_id,
                                   "run": "True"},
                    "states": {"coordinate": [0, 0], "rotation": 0, "state": "enabled"}},
        "blocks": blocks, "connections": connections, "metadata": {"file_format": 1},
    }


def write(tmp_path, graph):
    path = tmp_path / (graph["options"]["parameters"]["id"] + ".grc")
    path.write_text(yaml.safe_dump(graph))
    return path


def run_python(code, cwd, timeout=300):
    env = dict(os.environ, HOME=str(cwd), PYTHONPATH=str(cwd))
    return subprocess.run([sys.executable, "-c", code], cwd=str(cwd), env=env, capture_output=True,
                          text=True, timeout=timeout)


@pytest.mark.parametrize("block_id", sorted(MODEL_BLOCKS))
def test_model_field_is_an_editable_list_of_the_shipped_bundles(block_id):
    """The model field offers exactly the shipped bundles of its kind, and is an editable
    enum (dtype string with options), so a bundle folder can be typed in instead."""
    model = parameter(block_yaml(block_id), "model")
    assert model["dtype"] == "string", "an 'enum' would refuse a bundle folder"
    assert sorted(model["options"]) == shipped(MODEL_BLOCKS[block_id])
    assert len(model["option_labels"]) == len(model["options"])
    assert model["default"] in model["options"]


def test_custom_bundle_folders_compile_and_run(tmp_path):
    """A flowgraph whose model fields name bundle folders outside the package (copies of the
    shipped ae_7_4 and afnet) compiles with grcc and runs: the blocks load those folders."""
    modem = tmp_path / "my bundles" / "modem"
    amc = tmp_path / "my bundles" / "amc"
    shutil.copytree(MODELS / "ae_7_4", modem)
    shutil.copytree(MODELS / "afnet", amc)
    blocks = [
        block("bits", "analog_random_source_x", {"type": "byte", "min": "0", "max": "2", "num_samps": "4000",
                                                 "repeat": "False"}),
        block("modulator", "sentinel_autoencoder_mod_bc", {"model": str(modem), "packed": "False"}),
        block("demodulator", "sentinel_autoencoder_demod_cb", {"model": str(modem), "max_batch": "8192"}),
        block("bit_sink", "blocks_null_sink", {"type": "byte", "vlen": "1", "num_inputs": "1"}),
        block("noise", "analog_noise_source_x", {"type": "complex", "amp": "1", "seed": "0",
                                                 "noise_type": "analog.GR_GAUSSIAN"}),
        block("head", "blocks_head", {"type": "complex", "num_items": "2560", "vlen": "1"}),
        block("classifier", "sentinel_modulation_classifier", {"model": str(amc), "device": "cpu",
                                                               "threads": "1"}),
        block("class_sink", "blocks_null_sink", {"type": "float", "vlen": "1", "num_inputs": "1"}),
    ]
    graph = flowgraph("custom_bundles", blocks, [
        ["bits", "0", "modulator", "0"], ["modulator", "0", "demodulator", "0"],
        ["demodulator", "0", "bit_sink", "0"], ["noise", "0", "head", "0"], ["head", "0", "classifier", "0"],
        ["classifier", "0", "class_sink", "0"]])
    result = run_grcc([write(tmp_path, graph)], tmp_path / "out", tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    code = (tmp_path / "out" / "custom_bundles.py").read_text()
    assert repr(str(modem)) in code and repr(str(amc)) in code
    run = run_python("import custom_bundles as m\n"
                     "tb = m.custom_bundles()\n"
                     "tb.run()\n"
                     "print('bundles', tb.modulator.bundle.card_path.parent, tb.classifier.bundle.card_path.parent)\n"
                     "print('bits', tb.bit_sink.nitems_read(0), 'windows', tb.class_sink.nitems_read(0))\n",
                     tmp_path / "out")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "bundles {} {}".format(modem, amc) in run.stdout
    assert "bits 4000 windows 20" in run.stdout


def test_mae_custom_threshold_starts_at_the_card_gamma():
    """Switching the MAE scorer to a custom threshold starts from the shipped card's gamma,
    not from 0.0 (which flags every window as anomalous)."""
    gamma = json.loads((MODELS / "mae_guarded" / "card.json").read_text())["thresholds"]["gamma"]
    threshold = parameter(block_yaml("sentinel_mae_anomaly_scorer"), "threshold")
    assert math.isclose(float(threshold["default"]), gamma, rel_tol=1e-9)


def test_simulated_transmitter_snr_changes_while_running(tmp_path):
    """The Simulated Transmitter's SNR has a callback: setting the flowgraph variable while it
    runs changes the noise level at once (amplitude 10^(-SNR/20))."""
    graph = flowgraph("live_snr", [
        block("snr", "variable", {"value": "18"}),
        block("transmitter", "sentinel_simulated_transmitter", {"snr_db": "snr", "seed": "1", "duration": "1",
                                                                "throttle": "False"}),
        block("sink", "blocks_null_sink", {"type": "complex", "vlen": "1", "num_inputs": "1"}),
    ], [["transmitter", "0", "sink", "0"]])
    result = run_grcc([write(tmp_path, graph)], tmp_path / "out", tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    run = run_python("import time, live_snr as m\n"
                     "tb = m.live_snr()\n"
                     "print('before', tb.transmitter.noise.amplitude())\n"
                     "tb.start(); time.sleep(0.5)\n"
                     "tb.set_snr(0)\n"
                     "print('after', tb.transmitter.noise.amplitude())\n"
                     "tb.stop(); tb.wait()\n", tmp_path / "out")
    assert run.returncode == 0, run.stdout + run.stderr
    values = dict(line.split() for line in run.stdout.splitlines() if line.startswith(("before", "after")))
    # (noise_source_c reports its per-component amplitude: the set value / sqrt(2), both times)
    assert math.isclose(float(values["after"]) / float(values["before"]), 10 ** (18 / 20), rel_tol=1e-5)
    slider = next(b for b in yaml.safe_load((REPO / "examples" / "sentinel_sim.grc").read_text())["blocks"]
                  if b["name"] == "snr")
    assert "restart" not in slider["parameters"]["label"]


@pytest.mark.parametrize("case, params, expected", [
    ("empty_recording", {"sentinel_recording_source": {"path": "''"}}, "len(str(path)) > 0"),
    ("empty_model", {"sentinel_modulation_classifier": {"model": "''"}}, "len(str(model)) > 0"),
    ("negative_seed", {"sentinel_fading_profile_channel": {"seed": "-1"}}, "0 <= seed < 2**64"),
    ("huge_transmitter_seed", {"sentinel_simulated_transmitter": {"seed": "2**31"}}, "0 <= seed <= 2**31 - 3"),
])
def test_grc_asserts_refuse_invalid_parameters(case, params, expected, tmp_path):
    """grcc refuses an empty Recording path, an empty model, a negative fading seed and a
    transmitter seed beyond what the noise source takes, naming the violated assert."""
    (block_id, values), = params.items()
    defaults = {
        "sentinel_recording_source": {"path": "'x.sigmf-meta'", "sample_rate": "0", "repeat": "True",
                                      "throttle": "True", "output_rate": "200000"},
        "sentinel_modulation_classifier": {"model": "afnet"},
        "sentinel_fading_profile_channel": {"profile": "'EVA70'", "samp_rate": "1e6", "doppler": "0",
                                            "seed": "0", "N": "8", "taps_interval": "0",
                                            "tap_update_interval": "1"},
        "sentinel_simulated_transmitter": {"snr_db": "18", "seed": "1", "duration": "1", "throttle": "True"},
    }[block_id]
    blocks = [block("under_test", block_id, dict(defaults, **values))]
    connections = []
    if block_id in ("sentinel_recording_source", "sentinel_simulated_transmitter"):
        blocks.append(block("sink", "blocks_null_sink", {"type": "complex", "vlen": "1", "num_inputs": "1"}))
        connections = [["under_test", "0", "sink", "0"]]
    elif block_id == "sentinel_modulation_classifier":
        blocks += [block("source", "blocks_null_source", {"type": "complex", "vlen": "1", "num_outputs": "1"}),
                   block("sink", "blocks_null_sink", {"type": "float", "vlen": "1", "num_inputs": "1"})]
        connections = [["source", "0", "under_test", "0"], ["under_test", "0", "sink", "0"]]
    else:
        blocks += [block("source", "blocks_null_source", {"type": "complex", "vlen": "1", "num_outputs": "1"}),
                   block("sink", "blocks_null_sink", {"type": "complex", "vlen": "1", "num_inputs": "1"})]
        connections = [["source", "0", "under_test", "0"], ["under_test", "0", "sink", "0"]]
    result = run_grcc([write(tmp_path, flowgraph(case, blocks, connections))], tmp_path / "out", tmp_path)
    assert result.returncode != 0, result.stdout
    assert expected in result.stdout + result.stderr


@pytest.mark.parametrize("block_id", RUNTIME_BLOCKS)
def test_model_block_documentation_explains_runtime_parameters(block_id):
    """The documentation tab names every runtime parameter the block shows (Mode, Device, CPU
    backend, Torch threads, Max batch, Queue depth, Stream tags, the sample rate) and says that
    torch's thread count is process-wide."""
    data = block_yaml(block_id)
    documentation = data["documentation"]
    shown = {p["id"]: p["label"] for p in data["parameters"]}
    for param_id in ("mode", "device", "backend", "threads", "max_batch", "queue_depth", "emit_tags",
                     "samp_rate"):
        if param_id in shown:
            assert "- " + shown[param_id].split(" (")[0] in documentation, (block_id, shown[param_id])
    for param_id in ("max_batch", "queue_depth", "emit_tags"):
        assert param_id in shown, (block_id, param_id)
    assert "process-wide" in documentation


def test_kpi_detector_passes_batching_parameters():
    """The KPI detector's GRC block passes Max batch and Queue depth to the block (they were
    fixed at the Python defaults)."""
    make = block_yaml("sentinel_kpi_anomaly_detector")["templates"]["make"]
    assert "max_batch=${max_batch}" in make and "queue_depth=${queue_depth}" in make
