#!/usr/bin/env python3
# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Write examples/sentinel_{file,uhd,rtlsdr}.grc from examples/sentinel_sim.grc, so the
four sentinel flowgraphs share one layout: only the source (and, for SDRs, the GUI
controls, a resampler to 200 kHz and the overflow display) differ. Likewise
examples/sentinel_wideband_{uhd,rtlsdr}.grc from examples/sentinel_wideband_sim.grc (the
SDR at its own rate: no resampler).

The recording flowgraph replays examples/data/sentinel_capture.sigmf-meta by default; a
relative path is taken from the generated script's folder (GRC's Run writes the script
next to the .grc) and then from the current directory, so no absolute path is stored.
The SDR flowgraphs wrap their source's constructor in a start-up snippet: without a
device they end with one line that says what to check, not a traceback.

Run after editing either sim flowgraph:  python3 tools/make_sentinel_flowgraphs.py
"""

import copy
import pathlib

import yaml

EXAMPLES = pathlib.Path(__file__).resolve().parents[1] / "examples"
SIM_ONLY = {"transmitter", "snr"}
#: the wideband sim's source, replaced by the SDR
WIDEBAND_SIM_ONLY = {"band"}


class Dumper(yaml.SafeDumper):
    """yaml.safe_dump, with multi-line strings (code) as literal blocks, as GRC writes them."""


Dumper.add_representer(str, lambda dumper, text: dumper.represent_scalar(
    "tag:yaml.org,2002:str", text, style="|" if "\n" in text else None))


def block(name, block_id, parameters, coordinate):
    return {"name": name, "id": block_id, "parameters": parameters,
            "states": {"coordinate": list(coordinate), "rotation": 0, "state": "enabled"}}


def sdr_controls(default_rate, default_freq, default_gain, max_gain, resampler=True):
    controls = [
        block("freq_mhz", "variable_qtgui_range", {"gui_hint": "0,0,1,1", "label": "Centre frequency (MHz)",
                                                   "rangeType": "float", "start": "24", "step": "0.1",
                                                   "stop": "1766", "value": str(default_freq)}, (296, 8)),
        block("gain", "variable_qtgui_range", {"gui_hint": "0,1,1,1", "label": "Gain (dB)", "rangeType": "float",
                                               "start": "0", "step": "1", "stop": str(max_gain),
                                               "value": str(default_gain)}, (488, 8)),
        block("sdr_rate", "variable_qtgui_entry", {"gui_hint": "0,2,1,1", "label": "SDR sample rate (Hz)",
                                                   "type": "real", "value": str(default_rate)}, (624, 8)),
    ]
    if not resampler:
        return controls
    return controls + [
        block("import_fractions", "import", {"imports": "import fractions"}, (8, 136)),
        block("resample", "variable", {"value": "fractions.Fraction(samp_rate / sdr_rate).limit_denominator(1000)"},
              (296, 152)),
        block("resampler", "rational_resampler_xxx", {"decim": "resample.denominator", "fbw": "0",
                                                      "interp": "resample.numerator", "taps": "[]", "type": "ccc"},
              (344, 464)),
    ]


def import_block(name, imports, coordinate):
    return block(name, "import", {"imports": imports}, coordinate)


def snippet(name, code, coordinate, comment=""):
    return block(name, "snippet", {"section": "init_before_blocks", "priority": "0", "code": code,
                                   "comment": comment}, coordinate)


def device_check(flowgraph_id, module, constructor, caught, what):
    """A start-up snippet: `module.constructor` raising `caught` ends the program with one
    line naming the flowgraph and `what` (with {} for the driver's own text)."""
    code = "\n".join([
        "import sys",
        "_open = {}.{}".format(module, constructor),
        "def _open_or_exit(*args, **kwargs):",
        "    try:",
        "        return _open(*args, **kwargs)",
        "    except {} as error:".format(caught),
        "        detail = str(error).strip().splitlines()[0][:160] if str(error).strip() else type(error).__name__",
        "        sys.exit({!r}.format(detail))".format(flowgraph_id + ": " + what),
        "{}.{} = _open_or_exit".format(module, constructor),
    ])
    return snippet("device_check", code, (8, 200),
                   comment="Without a device: one line, no traceback")


def overflow_display(source_name, counter_at=(344, 576), gui_hint="2,2,1,1", probe_at=(880, 296),
                     label_at=(1080, 296)):
    return [
        block("overflow_count", "sentinel_overflow_counter", {}, counter_at),
        block("overflows", "variable_function_probe", {"block_id": "overflow_count", "function_name": "overflows",
                                                       "poll_rate": "1", "value": "0"}, probe_at),
        block("overflow_label", "variable_qtgui_label", {"formatter": "None", "gui_hint": gui_hint,
                                                         "label": "Receiver overflows", "type": "int",
                                                         "value": "overflows"}, label_at),
    ], [[source_name, "0", "overflow_count", "0"]]


def variant(base, flowgraph_id, title, description, blocks_, head, connections, sim_only=SIM_ONLY,
            sim_source="transmitter", gui_hints=None, values=None):
    """`base` with its sim-only blocks replaced by blocks_, the sim source's edges moved to
    `head`, and the given blocks' gui_hint / value changed."""
    graph = copy.deepcopy(base)
    options = graph["options"]["parameters"]
    options.update({"id": flowgraph_id, "title": title, "description": description})
    graph["blocks"] = [b for b in graph["blocks"] if b["name"] not in sim_only] + blocks_
    for b in graph["blocks"]:
        if b["name"] in (gui_hints or {}):
            b["parameters"]["gui_hint"] = gui_hints[b["name"]]
        if b["name"] in (values or {}):
            b["parameters"]["value"] = values[b["name"]]
    rewired = []
    for c in graph["connections"]:
        if c[0] == sim_source:
            c = [head, "0"] + c[2:]
        rewired.append(c)
    graph["connections"] = connections + rewired
    return graph


def main():
    base = yaml.safe_load((EXAMPLES / "sentinel_sim.grc").read_text())
    common = ("The models run in realtime mode: windows they cannot keep up with are skipped and "
              "counted (shown). Models, plots and labels as in sentinel_sim.grc.")
    recording = [
        block("recording", "parameter", {
            "hide": "none", "label": "Recording (SigMF or raw complex64; relative to this flowgraph's folder)",
            "short_id": "", "type": "str", "value": "data/sentinel_capture.sigmf-meta"}, (296, 8)),
        block("recording_rate", "parameter", {"hide": "none", "label": "Raw file sample rate (Hz, 0 = SigMF)",
                                              "short_id": "", "type": "eng_float", "value": "0"}, (296, 112)),
        import_block("import_os_sys", "import os, sys", (8, 136)),
        block("script_dir", "variable", {
            "value": "os.path.dirname(os.path.abspath(sys.argv[0]))",
            "comment": "Folder of the generated script: GRC's Run writes it next to this .grc"}, (8, 216)),
        block("recording_file", "variable", {
            "value": "os.path.join(script_dir, recording) if os.path.exists(os.path.join(script_dir, recording)) "
                     "else recording",
            "comment": "A relative path: from the script's folder, else from the current directory"}, (8, 320)),
        block("source", "sentinel_recording_source", {"output_rate": "samp_rate", "path": "recording_file",
                                                      "repeat": "True", "sample_rate": "recording_rate",
                                                      "throttle": "True"}, (40, 440)),
    ]
    uhd_source = block("usrp", "uhd_usrp_source", {
        "type": "fc32", "otw": "", "dev_addr": '""', "dev_args": '""', "sync": "none", "num_mboards": "1",
        "nchan": "1", "samp_rate": "sdr_rate", "center_freq0": "freq_mhz * 1e6", "gain0": "gain",
        "gain_type0": "default", "ant0": '"RX2"', "bw0": "0", "norm_gain0": "False"}, (64, 440))
    rtl_source = block("rtl", "rtlsdr_source", {
        "type": "fc32", "args": '"rtl=0"', "nchan": "1", "sample_rate": "sdr_rate", "freq0": "freq_mhz * 1e6",
        "corr0": "0", "gain_mode0": "False", "gain0": "gain", "if_gain0": "20", "bb_gain0": "20",
        "dc_offset_mode0": "0", "iq_balance_mode0": "0", "ant0": '""', "bw0": "0", "sync": "", "num_mboards": "1"},
        (64, 440))
    uhd_check = device_check("sentinel_uhd", "uhd", "usrp_source", "Exception",
                             "no USRP found ({}); check the USB/Ethernet link, the device address and "
                             "`uhd_find_devices`")
    rtl_check = device_check("sentinel_rtlsdr", "osmosdr", "source", "RuntimeError",
                             "no RTL-SDR dongle found ({}); plug one in and check `rtl_test`")
    uhd_overflow, uhd_overflow_wires = overflow_display("usrp")
    graphs = {
        "sentinel_file.grc": variant(
            base, "sentinel_file", "gr-sentinel (recording)",
            "The sentinel flowgraph on a recording: a SigMF recording or a raw complex64 file (set its rate), "
            "looped at its own pace and resampled to 200 kHz. " + common,
            recording, "source", []),
        "sentinel_uhd.grc": variant(
            base, "sentinel_uhd", "gr-sentinel (USRP)",
            "The sentinel flowgraph on a USRP: centre frequency, gain and sample rate are GUI controls; a "
            "rational resampler brings the stream to the models' 200 kHz. Receiver overflows (counted from "
            "UHD's rx_time tags) and skipped windows are shown. " + common,
            sdr_controls(1e6, 100.0, 30, 76) + [uhd_check, uhd_source] + uhd_overflow, "resampler",
            [["usrp", "0", "resampler", "0"]] + uhd_overflow_wires),
        "sentinel_rtlsdr.grc": variant(
            base, "sentinel_rtlsdr", "gr-sentinel (RTL-SDR)",
            "The sentinel flowgraph on an RTL-SDR (gr-osmosdr): centre frequency, gain and sample rate are GUI "
            "controls; a rational resampler brings the stream to the models' 200 kHz. RTL-SDR drivers report "
            "overflows only as 'O' on the console; skipped windows are shown. " + common,
            sdr_controls(1.024e6, 100.0, 30, 50) + [rtl_check, rtl_source], "resampler",
            [["rtl", "0", "resampler", "0"]]),
    }
    wideband = yaml.safe_load((EXAMPLES / "sentinel_wideband_sim.grc").read_text())
    wide_common = ("The emitter channeliser finds every emitter, brings each to 8 samples per symbol and the "
                   "models label it; the emitter table shows each one. Realtime mode: what cannot keep up is "
                   "skipped and counted. Models and displays as in sentinel_wideband_sim.grc.")
    wide_layout = {"gui_hints": {"waterfall": "1,0,1,3", "table_label": "2,0,1,3", "load_label": "3,0,1,3"},
                   "values": {"samp_rate": "sdr_rate"}, "sim_only": WIDEBAND_SIM_ONLY, "sim_source": "band"}
    wide_uhd_overflow, wide_uhd_wires = overflow_display("usrp", counter_at=(40, 600), gui_hint="4,0,1,3",
                                                         probe_at=(880, 200), label_at=(1080, 200))
    graphs["sentinel_wideband_uhd.grc"] = variant(
        wideband, "sentinel_wideband_uhd", "gr-sentinel wideband (USRP)",
        "Wideband monitoring on a USRP at its own rate (2 Msps by default): centre frequency, gain and "
        "sample rate are GUI controls; receiver overflows are shown. " + wide_common,
        sdr_controls(2e6, 100.0, 30, 76, resampler=False)
        + [device_check("sentinel_wideband_uhd", "uhd", "usrp_source", "Exception",
                        "no USRP found ({}); check the USB/Ethernet link, the device address and "
                        "`uhd_find_devices`"), dict(uhd_source, states=dict(uhd_source["states"],
                                                                            coordinate=[40, 440]))]
        + wide_uhd_overflow, "usrp", wide_uhd_wires, **wide_layout)
    graphs["sentinel_wideband_rtlsdr.grc"] = variant(
        wideband, "sentinel_wideband_rtlsdr", "gr-sentinel wideband (RTL-SDR)",
        "Wideband monitoring on an RTL-SDR (gr-osmosdr) at its own rate (2.4 Msps by default): centre "
        "frequency, gain and sample rate are GUI controls. RTL-SDR drivers report overflows only as 'O' on "
        "the console. " + wide_common,
        sdr_controls(2.4e6, 100.0, 30, 50, resampler=False)
        + [device_check("sentinel_wideband_rtlsdr", "osmosdr", "source", "RuntimeError",
                        "no RTL-SDR dongle found ({}); plug one in and check `rtl_test`"),
           dict(rtl_source, states=dict(rtl_source["states"], coordinate=[40, 440]))],
        "rtl", [], **wide_layout)
    for name, graph in graphs.items():
        (EXAMPLES / name).write_text(yaml.dump(graph, Dumper=Dumper, sort_keys=False, width=100))
        print("wrote", EXAMPLES / name)


if __name__ == "__main__":
    main()
