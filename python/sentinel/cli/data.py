# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""`sentinel data generate|info|plot|export`."""

import json
import shlex
import sys
import time

import numpy as np


#: `--rx-off` names and the ReceiverConfig fields they switch off.
RX_SWITCHES = {"cfo": {"cfo_hz": None}, "drift": {"drift_hz_per_s": None}, "phase": {"phase": False},
               "timing": {"timing_samples": None}, "symbol-rate": {"symbol_rate_deviation": None},
               "rolloff": {"rolloff": None}, "iq-imbalance": {"iq_gain_db": None, "iq_phase_deg": None},
               "dc": {"dc_relative": None}, "adc": {"adc_bits": None}}


def receiver_config(cfo_max=None, off=(), overrides_json=None):
    """A ReceiverConfig from the command line's receiver options."""
    from ..data.receiver import ReceiverConfig

    values = {}
    if cfo_max is not None:
        if not (np.isfinite(cfo_max) and cfo_max >= 0):
            raise ValueError("--cfo-max: a finite offset >= 0 Hz, got {}".format(cfo_max))
        values["cfo_hz"] = (0.0, float(cfo_max))
    for name in off:
        values.update(RX_SWITCHES[name])
    if overrides_json:
        try:
            extra = json.loads(overrides_json)
        except ValueError as error:
            raise ValueError("--receiver-json: not JSON ({})".format(error)) from None
        if not isinstance(extra, dict):
            raise ValueError("--receiver-json: a JSON object of ReceiverConfig fields")
        values.update(extra)
    return ReceiverConfig.from_dict(values)


def add_parser(sub):
    parser = sub.add_parser("data", help="generate, inspect and plot datasets")
    data_sub = parser.add_subparsers(dest="data_command", metavar="ACTION")
    data_sub.required = True

    gen = data_sub.add_parser("generate", help="generate a dataset (rml2016 and mae with GNU Radio)")
    gen.add_argument("recipe", choices=["rml2016", "receiver", "mae", "kpi"],
                     help="rml2016: RadioML 2016.10a's recipe; receiver: the same through a live SDR "
                          "(carrier offset, IQ imbalance, DC, 8-bit ADC, rate mismatch); mae: the MAE paper's")
    gen.add_argument("-o", "--output", required=True, help="HDF5 file to write (kpi: a CSV file)")
    gen.add_argument("-n", "--count", type=int, default=1000, help="examples per (class, SNR)")
    gen.add_argument("--seed", type=int, default=0)
    gen.add_argument("--length", type=int, help="samples per vector (128 rml2016, 1000 mae)")
    gen.add_argument("--snrs", type=float, nargs="+", metavar="DB", help="SNR labels in dB")
    gen.add_argument("--classes", nargs="+", help="rml2016 only: a subset of the 11 classes")
    gen.add_argument("--normalization", default="energy", choices=["energy", "l1", "none"])
    for impairment in ("sro", "cfo", "fading"):
        gen.add_argument("--no-" + impairment, dest=impairment, action="store_false",
                         help="rml2016 only: switch off the " + impairment.upper() + " impairment")
    gen.add_argument("--cfo-max", type=float, metavar="HZ",
                     help="receiver only: carrier offset uniform in +-HZ (default 10000)")
    gen.add_argument("--rx-off", nargs="+", default=[], choices=sorted(RX_SWITCHES), metavar="IMPAIRMENT",
                     help="receiver only: switch receiver impairments off: " + ", ".join(sorted(RX_SWITCHES)))
    gen.add_argument("--receiver-json", metavar="JSON",
                     help="receiver only: ReceiverConfig fields as JSON, e.g. '{\"cfo_hz\": [0, 5000]}'")
    gen.add_argument("--workers", type=int, default=0, help="processes (default: up to 2)")
    gen.add_argument("--quiet", action="store_true", help="no progress bar")
    gen.add_argument("--network", default="A", choices=["A", "B"], help="kpi only: which synthetic network")
    gen.add_argument("--cells", type=int, help="kpi only: number of cells (default: the network's)")
    gen.add_argument("--days", type=int, help="kpi only: days of 15-minute reports (default: the network's)")
    gen.set_defaults(run=run_generate)

    info = data_sub.add_parser("info", help="describe a dataset file")
    info.add_argument("file")
    info.set_defaults(run=run_info)

    plot = data_sub.add_parser("plot", help="PNG of constellations and spectra per class")
    plot.add_argument("file")
    plot.add_argument("--snr", type=float, default=18.0)
    plot.add_argument("-o", "--output", default="dataset.png")
    plot.set_defaults(run=run_plot)

    explore = data_sub.add_parser("explore", help="KPI CSV: distributions, class balance, example anomalies")
    explore.add_argument("file")
    explore.add_argument("-o", "--output", default="kpi_overview.png")
    explore.set_defaults(run=run_explore)

    export = data_sub.add_parser("export", help="write examples as annotated SigMF recordings")
    export.add_argument("file")
    export.add_argument("indices", type=int, nargs="+")
    export.add_argument("-o", "--output", default="sigmf_examples")
    export.set_defaults(run=run_export)
    return parser


def run_generate(args):
    if args.recipe == "kpi":
        return run_generate_kpi(args)
    from ..data import ChannelConfig, LiveReceiver, MAEPaper, RadioML2016, generate

    options = {}
    if args.length is not None:
        options["length"] = args.length
    if args.snrs:
        options["snrs"] = tuple(args.snrs)
    if args.recipe != "receiver" and (args.cfo_max is not None or args.rx_off or args.receiver_json):
        raise ValueError("--cfo-max, --rx-off and --receiver-json apply to the receiver recipe only")
    if args.recipe in ("rml2016", "receiver"):
        channel = ChannelConfig(sro=args.sro, cfo=args.cfo, fading=args.fading)
        if args.recipe == "rml2016":
            recipe = RadioML2016(classes=args.classes, channel_config=channel, **options)
        else:
            recipe = LiveReceiver(classes=args.classes, channel_config=channel,
                                  receiver_config=receiver_config(args.cfo_max, args.rx_off, args.receiver_json),
                                  **options)
    else:
        if args.classes:
            raise ValueError("--classes applies to rml2016 only")
        recipe = MAEPaper(**options)
    start = time.perf_counter()
    generate(recipe, args.output, args.count, args.seed, args.normalization,
             args.workers or None, progress=not args.quiet)
    print("wrote {} ({} examples) in {:.1f} s".format(
        args.output, args.count * len(recipe.class_names) * len(recipe.snrs), time.perf_counter() - start))


def run_generate_kpi(args):
    from ..data.kpi import generate_kpi
    from ..data.kpi_csv import write_csv

    table = generate_kpi(args.network, args.seed, args.cells, args.days)
    table.attrs["command"] = "sentinel " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    write_csv(table, args.output)
    print("wrote {} ({} reports of {} cells, {:.2%} unusual)".format(
        args.output, len(table), len(table.cells()), table.unusual.mean()))


def run_explore(args):
    from ..data.kpi_csv import read_csv
    from ..data.kpi_report import plot_overview

    summary = plot_overview(read_csv(args.file), args.output)
    print(json.dumps(summary, indent=2))
    print("wrote {}".format(args.output))


def run_info(args):
    from ..data.loaders import open_any

    ds = open_any(args.file)
    print("file:          {}".format(args.file))
    print("recipe:        {}".format(ds.attrs.get("recipe")))
    print("examples:      {}  shape {}".format(len(ds), ds.iq.shape))
    print("normalization: {}".format(ds.attrs.get("normalization")))
    print("seed:          {}".format(ds.attrs.get("seed", "n/a")))
    counts = np.bincount(ds.label, minlength=len(ds.class_names))
    print("classes:       " + ", ".join("{} ({})".format(n, c) for n, c in zip(ds.class_names, counts)))
    snrs = np.unique(ds.snr)
    print("SNRs (dB):     {} .. {} ({} values)".format(snrs.min(), snrs.max(), len(snrs)))
    if ds.parameters:
        print("parameters:    " + json.dumps(ds.parameters, sort_keys=True))


def run_plot(args):
    from ..data.loaders import open_any
    from ..data.plots import plot_classes

    plot_classes(open_any(args.file), args.snr, args.output)
    print("wrote {}".format(args.output))


def run_export(args):
    from ..data.loaders import open_any
    from ..data.sigmf_io import export_examples

    ds = open_any(args.file)
    bad = [i for i in args.indices if not 0 <= i < len(ds)]
    if bad:
        raise ValueError("indices: {} outside 0..{}".format(bad, len(ds) - 1))
    for path in export_examples(ds, args.indices, args.output):
        print(path)
