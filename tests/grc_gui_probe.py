# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Start GNU Radio Companion through its own launcher on some flowgraphs and report what
its window shows, then quit. Needs a display (the tests run it under xvfb-run).

    python grc_gui_probe.py LAUNCHER REPORT.json FLOWGRAPH.grc...

LAUNCHER is GRC's Python launcher (/usr/bin/gnuradio-companion): it runs unchanged, with
its own start-up checks. REPORT.json gets, per open page: the file, the canvas size that
is visible at the default zoom, and every block's extents as GRC draws it (ports and
comments included); plus the launcher's exit status.
"""

import json
import runpy
import sys

#: seconds GRC may take to open its window and the flowgraphs
STARTUP_S = 120


def block_boxes(flow_graph):
    boxes = []
    for block in flow_graph.blocks:
        x0, y0, x1, y1 = block.get_extents()
        if block.comment:
            c = block.get_extents_comment()
            x0, y0, x1, y1 = min(x0, c[0]), min(y0, c[1]), max(x1, c[2]), max(y1, c[3])
        boxes.append({"name": block.name, "key": block.key, "box": [x0, y0, x1, y1]})
    return boxes


def main():
    launcher, report_path, files = sys.argv[1], sys.argv[2], sys.argv[3:]
    import gi
    gi.require_version("Gtk", "3.0")
    from gi.repository import GLib, Gtk

    report = {"pages": [], "exit": None, "timed_out": False}
    state = {"ticks": 0}

    def inspect():
        state["ticks"] += 1
        app = Gtk.Application.get_default()
        main_window = getattr(app, "main_window", None) if app else None
        if state["ticks"] * 0.25 > STARTUP_S:
            report["timed_out"] = True
        elif main_window is None or main_window.notebook.get_n_pages() < len(files):
            return True
        elif state.setdefault("ready_at", state["ticks"]) + 4 > state["ticks"]:
            return True  # let GRC draw once, so every block has its size
        else:
            try:
                describe(main_window)
            except Exception as error:  # reported, and GRC still quits
                report["error"] = "{}: {}".format(type(error).__name__, error)
        if app:
            app.quit()
        return False

    def describe(main_window):
        current = main_window.current_page.scrolled_window.get_allocation()
        for i in range(main_window.notebook.get_n_pages()):
            page = main_window.notebook.get_nth_page(i)
            flow_graph = page.flow_graph
            flow_graph.update_elements_to_draw()
            flow_graph.create_labels()
            flow_graph.create_shapes()
            report["pages"].append({
                "file": page.file_path,
                "zoom": page.drawing_area.zoom_factor,
                "visible": [current.width, current.height],
                "valid": flow_graph.is_valid(),
                "blocks": block_boxes(flow_graph),
            })

    GLib.timeout_add(250, inspect)
    sys.argv = [launcher] + files
    try:
        runpy.run_path(launcher, run_name="__main__")
        report["exit"] = 0
    except SystemExit as done:
        report["exit"] = done.code if isinstance(done.code, int) or done.code is None else str(done.code)
    with open(report_path, "w") as handle:
        json.dump(report, handle, indent=1)


if __name__ == "__main__":
    main()
