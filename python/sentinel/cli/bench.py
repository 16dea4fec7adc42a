# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""`sentinel bench modem`: BER of a learned modem through GNU Radio, next to QPSK."""

import json
import pathlib


def add_parser(sub):
    bench = sub.add_parser("bench", help="measure through GNU Radio flowgraphs")
    bench_sub = bench.add_subparsers(dest="bench_command", metavar="WHAT")
    bench_sub.required = True
    modem = bench_sub.add_parser("modem", help="BER vs Eb/N0: autoencoder modem and QPSK, "
                                 "each through the PRBS BER tester")
    modem.add_argument("--model", default="ae_7_4", help="modem bundle name or folder")
    modem.add_argument("--ebn0", type=float, nargs="+", default=[0, 2, 4, 6, 8], metavar="DB")
    modem.add_argument("--bits", type=int, default=400_000, help="bits per point")
    modem.add_argument("--seed", type=int, default=1)
    modem.add_argument("--report", default="reports/modem", help="folder for the JSON and PNG")
    modem.set_defaults(run=run_modem)
    return bench


def run_modem(args):
    from .. import ber_loopback

    results = []
    for i, ebn0 in enumerate(args.ebn0):
        for name in (args.model, "QPSK"):
            r = ber_loopback.run_point(name, ebn0, args.bits, seed=args.seed + i)
            r["modulation"] = name
            results.append(r)
    print("{:<12} {:>6} {:>10} {:>8} {:>10} {:>23} {:>10}".format(
        "modem", "Eb/N0", "bits", "errors", "BER", "95% CI", "theory"))
    for r in results:
        print("{:<12} {:>6.1f} {:>10d} {:>8d} {:>10.3e} [{:>9.3e}, {:>9.3e}] {:>10}".format(
            r["modulation"], r["ebn0_db"], r["bits"], r["errors"], r["ber"], r["ber_low"], r["ber_high"],
            "-" if r["theory"] is None else "{:.3e}".format(r["theory"])))
    folder = pathlib.Path(args.report)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "modem_bench.json").write_text(json.dumps(results, indent=2, default=float) + "\n")
    _plot(results, args.model, folder / "modem_ber_through_gnuradio.png")
    print("wrote {}".format(folder))


def _plot(results, model, path):
    from ..data.plots import pyplot

    plt = pyplot()
    fig, ax = plt.subplots(figsize=(5.6, 4.2))
    for name, style in ((model, "ro-"), ("QPSK", "bs-")):
        rows = [r for r in results if r["modulation"] == name and r["ber"] > 0]
        ax.semilogy([r["ebn0_db"] for r in rows], [r["ber"] for r in rows], style, ms=4,
                    label="{} (PRBS BER tester)".format(name))
    rows = [r for r in results if r["modulation"] == "QPSK"]
    ax.semilogy([r["ebn0_db"] for r in rows], [r["theory"] for r in rows], "k--", label="QPSK theory")
    ax.set_xlabel("Eb/N0 (dB)")
    ax.set_ylabel("bit error rate")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
