# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""GNU Radio Companion's GUI starts on this machine and shows the examples: the packages it
needs are installed by tools/install-system-packages.sh, its launcher opens every example
(under a virtual X display), and the layout of the examples is readable."""

import itertools
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys

import pytest

from conftest import EXAMPLES, GRC_BLOCKS, REPO

PROBE = pathlib.Path(__file__).resolve().parent / "grc_gui_probe.py"
INSTALL_SCRIPT = REPO / "tools" / "install-system-packages.sh"
#: what GRC's GUI needs beyond the gnuradio package's own dependencies (Debian 12 names):
#: the GTK 3 typelib its launcher asks for ("Namespace Gtk not available" without it), the
#: SVG loader for GTK's icons (a recommendation of libgtk-3-0), and a virtual X server with
#: xauth for the GUI test on headless machines.
GRC_GUI_PACKAGES = ("gir1.2-gtk-3.0", "librsvg2-common", "xvfb", "xauth")


def installed_packages():
    text = INSTALL_SCRIPT.read_text()
    block = re.search(r"^packages=\((.*?)^\)", text, re.S | re.M)
    assert block, "no packages=( ... ) list in " + str(INSTALL_SCRIPT)
    return block.group(1).split()


def grc_launcher():
    """GRC's Python launcher, as the venv's gnuradio-companion wrapper runs it."""
    from gnuradio import gr

    for candidate in (pathlib.Path(gr.prefix()) / "bin" / "gnuradio-companion",
                      pathlib.Path("/usr/bin/gnuradio-companion")):
        if candidate.is_file() and candidate.read_text(errors="replace").startswith("#!") \
                and "python" in candidate.read_text(errors="replace").splitlines()[0]:
            return candidate
    pytest.fail("GRC's launcher gnuradio-companion is not installed (package gnuradio)")


def test_install_script_installs_what_grc_gui_needs():
    """tools/install-system-packages.sh (run by make test / make demo) installs the packages
    without which gnuradio-companion cannot start on a fresh Debian 12."""
    missing = [p for p in GRC_GUI_PACKAGES if p not in installed_packages()]
    assert not missing, "add to tools/install-system-packages.sh: " + " ".join(missing)


def test_launcher_gtk_imports():
    """The imports GRC's launcher and gnuradio.grc.main make before any window exists
    (Gtk 3.0, PangoCairo 1.0, the cairo foreign struct) succeed with this Python."""
    code = (
        "import gi\n"
        "gi.require_version('Gtk', '3.0')\n"
        "gi.require_version('PangoCairo', '1.0')\n"
        "gi.require_foreign('cairo', 'Context')\n"
        "from gi.repository import Gtk, PangoCairo\n"
        "import gnuradio.grc.main\n"
        "print('ok')\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and "ok" in result.stdout, (
        "GRC's GUI stack does not import (run tools/install-system-packages.sh):\n" + result.stderr)


def display_command():
    """A command prefix giving GRC a display: xvfb-run when installed, else the user's DISPLAY."""
    if shutil.which("xvfb-run"):
        return ["xvfb-run", "-a", "-s", "-screen 0 1920x1080x24"]
    if os.environ.get("DISPLAY"):
        return []
    pytest.fail("no X display: install xvfb and xauth (tools/install-system-packages.sh)")


@pytest.fixture(scope="module")
def grc_window(tmp_path_factory):
    """Start gnuradio-companion (its own launcher, this checkout's blocks, a fresh HOME so the
    default window size applies) on every example; returns (report, console output)."""
    home = tmp_path_factory.mktemp("grc_home")
    report_path = home / "report.json"
    env = dict(os.environ, GRC_BLOCKS_PATH=str(GRC_BLOCKS), HOME=str(home), XDG_RUNTIME_DIR=str(home))
    env.pop("QT_QPA_PLATFORM", None)
    command = display_command() + [sys.executable, str(PROBE), str(grc_launcher()), str(report_path)] + \
        [str(p) for p in EXAMPLES]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    output = result.stdout + result.stderr
    assert report_path.is_file(), "GRC's window did not come up:\n" + output[-4000:]
    report = json.loads(report_path.read_text())
    return report, output


def test_gnuradio_companion_starts_and_opens_every_example(grc_window):
    """gnuradio-companion starts, opens each example without a load error or traceback, finds
    every block (the flowgraph validates) and quits with status 0."""
    report, output = grc_window
    assert not report["timed_out"] and "error" not in report, (report, output[-4000:])
    assert report["exit"] == 0, output[-4000:]
    assert "Traceback" not in output, output[-4000:]
    assert not re.search(r"^>>> (Error|Load Error)", output, re.M), output[-4000:]
    opened = {pathlib.Path(page["file"]).name: page for page in report["pages"]}
    assert set(opened) == {p.name for p in EXAMPLES}
    invalid = [name for name, page in opened.items() if not page["valid"]]
    assert not invalid, "flowgraphs GRC shows as invalid: {}".format(invalid)


def overlapping(blocks):
    pairs = []
    for a, b in itertools.combinations(blocks, 2):
        (ax0, ay0, ax1, ay1), (bx0, by0, bx1, by1) = a["box"], b["box"]
        if ax0 < bx1 and bx0 < ax1 and ay0 < by1 and by0 < ay1:
            pairs.append((a["name"], b["name"]))
    return pairs


def page_of(report, name):
    return next(page for page in report["pages"] if pathlib.Path(page["file"]).name == name)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_blocks_do_not_overlap(path, grc_window):
    """No two blocks of the example (ports and comments included) overlap as GRC draws them."""
    report, _ = grc_window
    assert overlapping(page_of(report, path.name)["blocks"]) == []


def test_ber_loopback_layout_is_readable(grc_window):
    """examples/ber_loopback.grc as GRC draws it: no two blocks overlap, and the BER tester
    lies inside the canvas visible at the default zoom in GRC's default window."""
    report, _ = grc_window
    page = page_of(report, "ber_loopback.grc")
    assert page["zoom"] == 1.0
    assert overlapping(page["blocks"]) == []
    width, height = page["visible"]
    tester = next(b for b in page["blocks"] if b["key"] == "sentinel_prbs_sink_b")
    x0, y0, x1, y1 = tester["box"]
    assert 0 <= x0 and x1 <= width and 0 <= y0 and y1 <= height, (tester, page["visible"])
