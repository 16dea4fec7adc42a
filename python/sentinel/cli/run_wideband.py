# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""`sentinel run --wideband` / `sentinel demo --wideband`: every emitter in the band found,
channelised and labelled, with a live table of emitters and a wideband report."""

import json

from ..emitter_table import HEADER, format_row
from .run import check_run_arguments, poll

def format_status(status):
    lines = ["t={:.1f} s  {} emitters  {:.0f} ksps  chunks {} (dropped {})  skipped {}".format(
        status["time"], len(status["emitters"]), status["rate_sps"] / 1e3, status["channeliser"]["chunks"],
        status["channeliser"]["dropped"], "/".join("{}={}".format(k, v) for k, v in status["skipped"].items()))]
    if status["emitters"]:
        lines.append(HEADER)
        lines += [format_row(row) for row in sorted(status["emitters"], key=lambda r: r["center_hz"])]
    return "\n".join(lines)


def run_wideband(args):
    from ..app.wideband_report import write_wideband_report
    from ..app.wideband_session import WidebandSession
    from ..app.wideband_sources import open_wideband_source

    check_run_arguments(args)
    source = open_wideband_source(args.source, rate=args.rate, freq=args.freq, gain=args.gain, seed=args.seed,
                                  duration=args.duration, receiver=args.receiver)
    session = WidebandSession(source, models=args.models, mode=args.mode, publish=args.publish,
                              amc_model=args.amc_model, htrd_model=args.htrd_model, mae_model=args.mae_model or "mae",
                              chunks_per_second=args.chunks_per_second)
    print("gr-sentinel wideband: {} -> emitter channeliser -> {} for {:.0f} s{}".format(
        source.description, " + ".join(args.models), args.duration,
        "; detections on " + args.publish if args.publish else ""))
    if source.receiver:
        from ..data.receiver import describe
        print("simulated receiver: " + describe(source.receiver))
    interrupted = poll(session, args.duration, args.interval, lambda status: print(format_status(status), flush=True))
    seconds = session.elapsed()
    session.stop()
    stats = {name: block.stats() for name, block in session.blocks.items()}
    stats["channeliser"] = session.channeliser.stats()
    detections, updates, capture, waterfall = session.results()
    summary = write_wideband_report(args.report, source, detections, updates, capture, waterfall, stats, seconds,
                                    publish=args.publish)
    print("windows: " + json.dumps(stats))
    print("emitters seen: {}".format(len(summary["emitters"])))
    truth = summary.get("truth")
    if truth:
        print("against the simulated band: {} of {} emitters found; label accuracy {} of windows, {} of emitters "
              "(majority); anomalous emitters' windows flagged {}, normal ones' {}".format(
                  truth["emitters_found"], truth["emitters_simulated"], _share(truth["accuracy_windows"]),
                  _share(truth["accuracy_emitters"]), _share(truth["anomalous_flagged"]),
                  _share(truth["normal_flagged"])))
    print("report: {}".format(args.report))
    return 130 if interrupted else 0


def _share(value):
    return "n/a" if value is None else "{:.3f}".format(value)
