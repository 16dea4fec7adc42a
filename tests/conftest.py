# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared pytest fixtures: headless Qt, and the installed GRC block path."""

import os
import pathlib
import subprocess
import sys

import pytest
import yaml

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = pathlib.Path(__file__).resolve().parents[1]
VENV = pathlib.Path(sys.prefix)
GRC_BLOCKS = VENV / "share" / "gnuradio" / "grc" / "blocks"


EXAMPLES = sorted((REPO / "examples").glob("*.grc"))


def run_grcc(grc_files, out_dir, home):
    """Compile flowgraphs with grcc against this checkout's installed blocks only.

    HOME points at an empty folder so ~/.gnuradio/config.conf of another
    checkout cannot add a second copy of the blocks. Returns grcc's result.
    """
    env = dict(os.environ, GRC_BLOCKS_PATH=str(GRC_BLOCKS), HOME=str(home))
    out_dir.mkdir(parents=True, exist_ok=True)
    return subprocess.run(["grcc", "-o", str(out_dir)] + [str(f) for f in grc_files],
                          env=env, capture_output=True, text=True)


@pytest.fixture(scope="session")
def compiled_examples(tmp_path_factory):
    """Every example compiled in one grcc call (loading GRC's block library is the slow part).

    Returns {example file name: generated Python file}.
    """
    home = tmp_path_factory.mktemp("home")
    out_dir = tmp_path_factory.mktemp("generated")
    result = run_grcc(EXAMPLES, out_dir, home)
    assert result.returncode == 0, result.stdout + result.stderr
    generated = {}
    for example in EXAMPLES:
        flowgraph_id = yaml.safe_load(example.read_text())["options"]["parameters"]["id"]
        generated[example.name] = out_dir / (flowgraph_id + ".py")
    return generated


#: Window length of the tiny_bundle fixture (test_runtime*.py use the same WINDOW).
TINY_WINDOW = 64


@pytest.fixture(scope="module")
def tiny_bundle(tmp_path_factory):
    """A small MAE bundle with random weights: enough to exercise the runtime."""
    import torch

    from gnuradio.sentinel.nn import mae as mae_nn
    from gnuradio.sentinel.runtime import save_bundle

    torch.manual_seed(0)
    architecture = {"input_size": TINY_WINDOW, "hidden": [32, 16], "latent": 4}
    model = mae_nn.build(architecture)
    card = {
        "name": "tiny", "kind": "mae", "window_length": TINY_WINDOW, "input": {},
        "preprocessing": {"features": "sorted_amplitude", "scale_min": 0.0, "scale_max": 4.0},
        "architecture": architecture, "outputs": {"score": "hybrid"},
        "thresholds": {"gamma": 1.0, "ablations": {}}, "training": {"command": "test"}, "metrics": {},
    }
    return save_bundle(tmp_path_factory.mktemp("bundle") / "tiny", card, model)
