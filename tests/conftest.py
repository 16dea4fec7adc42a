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

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = pathlib.Path(__file__).resolve().parents[1]
VENV = pathlib.Path(sys.prefix)
GRC_BLOCKS = VENV / "share" / "gnuradio" / "grc" / "blocks"


@pytest.fixture
def grcc(tmp_path):
    """Compile a .grc with grcc against this checkout's installed blocks only.

    HOME points at an empty folder so ~/.gnuradio/config.conf of another
    checkout cannot add a second copy of the blocks.
    """

    def compile_flowgraph(grc_file):
        env = dict(os.environ, GRC_BLOCKS_PATH=str(GRC_BLOCKS), HOME=str(tmp_path))
        out_dir = tmp_path / "generated"
        out_dir.mkdir(exist_ok=True)
        result = subprocess.run(["grcc", "-o", str(out_dir), str(grc_file)],
                                env=env, capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr
        generated = list(out_dir.glob("*.py"))
        assert generated, "grcc wrote no Python for {}".format(grc_file)
        return max(generated, key=lambda p: p.stat().st_mtime)

    return compile_flowgraph
