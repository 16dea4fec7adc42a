# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""`sentinel run --source sim|rtlsdr|uhd|file:PATH|sigmf:PATH`: the headless sentinel
flowgraph with a live table and a report; `sentinel demo` is its simulated default."""

import json
import signal
import time

from ..app.sources import MAX_SEED, MAX_SNR_DB
from .arguments import endpoint, integer, real

#: --rate: from audio-card rates to the fastest SDRs
MIN_RATE, MAX_RATE = 1e3, 1e9


def add_arguments(parser, source_default="sim", duration_default=20.0):
    parser.add_argument("--source", default=source_default,
                        help="sim, rtlsdr[:INDEX], uhd[:ARGS], file:PATH (raw complex64) or sigmf:PATH")
    parser.add_argument("--freq", type=real(0.0, what="a finite frequency in Hz"), default=100e6,
                        help="SDR centre frequency in Hz")
    parser.add_argument("--rate", type=real(MIN_RATE, MAX_RATE, what="a sample rate in Hz"),
                        help="SDR / raw-file sample rate in Hz (resampled to 200 kHz; --wideband: kept, "
                             "default 2.4 Msps RTL-SDR, 2 Msps USRP, 1.024 Msps sim)")
    parser.add_argument("--gain", type=real(what="a finite gain in dB"), default=30.0, help="SDR gain in dB")
    parser.add_argument("--duration", type=real(0.0, low_open=True, what="a finite number of seconds"),
                        default=duration_default, help="seconds to run")
    parser.add_argument("--models", nargs="+", default=["amc", "htrd", "mae"], choices=["amc", "htrd", "mae"])
    parser.add_argument("--amc-model", default="afnet", metavar="BUNDLE",
                        help="the classifier's bundle: a shipped name or a bundle folder of your own")
    parser.add_argument("--htrd-model", default="htrd", metavar="BUNDLE", help="the HTRD bundle (name or folder)")
    parser.add_argument("--mae-model", metavar="BUNDLE",
                        help="the anomaly scorer's bundle (name or folder; default mae_guarded, --wideband mae, whose "
                             "1024-sample windows fit the channeliser's chunks)")
    parser.add_argument("--snr", type=real(-MAX_SNR_DB, MAX_SNR_DB, what="an SNR in dB"), default=18.0,
                        help="sim: SNR in dB per sample")
    parser.add_argument("--seed", type=integer(0, MAX_SEED), default=1, help="sim: scenario seed")
    parser.add_argument("--no-receiver", dest="receiver", action="store_false",
                        help="sim: an ideal receiver (default: a carrier offset within +-2 ppm of 433.92 MHz, "
                             "slow drift, IQ imbalance, DC and an 8-bit ADC, drawn per seed)")
    parser.add_argument("--mode", default=None, choices=["lossless", "realtime"],
                        help="model blocks' mode (default: realtime, so the source never stalls)")
    parser.add_argument("--publish", metavar="ENDPOINT", type=endpoint(bind=True),
                        help="also publish detections, e.g. tcp://127.0.0.1:5557")
    parser.add_argument("--report", default="sentinel_report",
                        help="report folder (checked for writing before the run starts)")
    parser.add_argument("--interval", type=real(0.0, low_open=True, what="a finite number of seconds"),
                        default=1.0, help="seconds between live table rows")
    parser.add_argument("--wideband", action="store_true",
                        help="find every emitter in the band and label each one (sources at their own rate; "
                             "sim: a simulated 1.024 Msps band of six emitters)")
    parser.add_argument("--chunks-per-second", type=real(0.0, what="chunks a second, 0 = all"), default=10.0,
                        help="--wideband: 2048-sample chunks a second per emitter, each 8 classifier labels, 2 HTRD "
                             "verdicts and 1 anomaly score (0: every chunk, the emitter's whole time on air)")


def run_usage(command):
    """A one-line usage, so that a bad option's error line is not buried under the options."""
    return "sentinel {0} [options]   (sentinel {0} -h lists them)".format(command)


def add_parser(sub):
    parser = sub.add_parser("run", help="run the sentinel flowgraph on a source, live table and report",
                            usage=run_usage("run"))
    add_arguments(parser)
    parser.set_defaults(run=run)
    return parser


HEADER = "{:>6} {:>9} {:<14} {:<10} {:>5} {:<8} {:>10} {:<5} {:>17} {:>8}".format(
    "time", "offset", "transmitted", "predicted", "conf", "HTRD", "anomaly", "flag", "skipped amc/htrd/mae", "ksps")


def format_row(row):
    skipped = row.get("skipped", {})
    return "{:>6.1f} {:>9} {:<14} {:<10} {:>5} {:<8} {:>10} {:<5} {:>17} {:>8.1f}".format(
        row["time"], row.get("offset", "-"), str(row.get("truth") or "-")[:14], str(row.get("predicted") or "-"),
        "{:.2f}".format(row["confidence"]) if row.get("confidence") is not None else "-",
        str(row.get("htrd") or "-")[:8],
        "empty" if row.get("channel") == "empty" else
        "{:.2f}".format(row["anomaly_score"]) if row.get("anomaly_score") is not None else "-",
        "yes" if row.get("anomalous") else "no" if "anomalous" in row else "-",
        "/".join(str(skipped.get(m, "-")) for m in ("amc", "htrd", "mae")), row["rate_sps"] / 1e3)


def check_run_arguments(args):
    from ..app.report import check_report_folder

    if not args.duration > 0:
        raise ValueError("--duration: must be positive, got {}".format(args.duration))
    try:   # before the run, not after it: an unwritable folder would lose the results
        check_report_folder(args.report)
    except ValueError as error:
        raise ValueError("--report: {}; give a writable folder".format(error)) from None


def poll(session, duration, interval, show):
    """Run the session for `duration` seconds, calling show(session.status()) every
    `interval`; returns whether Ctrl-C ended it. Ctrl-C only sets a flag that the loop
    polls (no lock is taken in the handler): a KeyboardInterrupt raised inside library
    code could be swallowed there."""
    interrupts = []
    previous_handler = signal.signal(signal.SIGINT, lambda signum, frame: interrupts.append(signum))
    try:
        session.start()
        next_row = interval
        while session.elapsed() < duration and not interrupts:
            time.sleep(min(0.1, max(0.0, next_row - session.elapsed())))
            if session.elapsed() >= next_row and not interrupts:
                show(session.status())
                next_row += interval
    finally:
        signal.signal(signal.SIGINT, previous_handler)
    if interrupts:
        print("interrupted: stopping and writing the report", flush=True)
    return bool(interrupts)


def run(args):
    from ..app.report import write_report
    from ..app.session import SentinelSession
    from ..app.sources import open_source

    if args.wideband:
        from .run_wideband import run_wideband
        return run_wideband(args)
    check_run_arguments(args)
    source = open_source(args.source, rate=args.rate, freq=args.freq, gain=args.gain, snr_db=args.snr,
                         seed=args.seed, duration=args.duration, receiver=args.receiver)
    session = SentinelSession(source, models=args.models, mode=args.mode, publish=args.publish,
                              amc_model=args.amc_model, htrd_model=args.htrd_model,
                              mae_model=args.mae_model or "mae_guarded")
    print("gr-sentinel: {} -> {} for {:.0f} s{}".format(
        source.description, " + ".join(args.models), args.duration,
        "; detections on " + args.publish if args.publish else ""))
    if source.receiver:
        from ..data.receiver import describe
        print("simulated receiver: " + describe(source.receiver))
    print(HEADER)
    interrupted = poll(session, args.duration, args.interval, lambda row: print(format_row(row), flush=True))
    seconds = session.elapsed()
    session.stop()
    stats = {name: block.stats() for name, block in session.blocks.items()}
    detections, capture = session.results()
    summary = write_report(args.report, source, detections, capture, stats, seconds,
                           snr_db=args.snr if args.source == "sim" else None, publish=args.publish)
    classifier = summary.get("classifier", {})
    print("windows: " + json.dumps(stats))
    if classifier.get("accuracy_windows") is not None:
        print("classifier vs transmitted: {:.3f} of {} windows, {:.3f} of {} segments (majority)".format(
            classifier["accuracy_windows"], classifier["windows_scored_against_truth"],
            classifier["accuracy_segments"], classifier["segments"]))
    print("report: {}".format(args.report))
    return 130 if interrupted else 0
