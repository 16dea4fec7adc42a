# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Exploratory PNG of a KPI table: distributions, class balance, one example per anomaly type."""

import numpy as np

from .kpi_csv import KPI_COLUMNS
from .plots import pyplot

_SHOWN = ("PRBUsageDL", "meanThr_DL", "meanUE_DL", "maxThr_UL")


def summarize(table):
    """Counts a person (or a test) checks first."""
    kinds, counts = np.unique(table.anomaly_type[table.unusual == 1], return_counts=True)
    return {"rows": len(table), "cells": len(table.cells()), "unusual": int(table.unusual.sum()),
            "unusual_fraction": float(table.unusual.mean()),
            "by_type": {str(k) or "unlabelled": int(c) for k, c in zip(kinds, counts)}}


def plot_overview(table, path, context=48):
    plt = pyplot()
    summary = summarize(table)
    types = [k for k in summary["by_type"] if k != "unlabelled"]
    fig = plt.figure(figsize=(13, 8.5))
    grid = fig.add_gridspec(3, 4)
    for i, name in enumerate(_SHOWN):
        ax = fig.add_subplot(grid[0, i])
        column = table.values[:, KPI_COLUMNS.index(name)]
        bins = np.linspace(0, np.percentile(column, 99.5) or 1.0, 40)
        ax.hist(column[table.unusual == 0], bins, density=True, alpha=0.6, label="normal")
        ax.hist(column[table.unusual == 1], bins, density=True, alpha=0.6, label="unusual")
        ax.set_title(name, fontsize=9)
        ax.legend(fontsize=7)
    ax = fig.add_subplot(grid[1, 0])
    ax.bar(["normal", "unusual"], [len(table) - summary["unusual"], summary["unusual"]], color=["C0", "C1"])
    ax.set_yscale("log")
    ax.set_title("class balance ({:.1%} unusual)".format(summary["unusual_fraction"]), fontsize=9)
    if summary["by_type"]:
        ax = fig.add_subplot(grid[1, 1])
        ax.bar(list(summary["by_type"]), list(summary["by_type"].values()), color="C1")
        ax.tick_params(axis="x", labelrotation=30, labelsize=7)
        ax.set_title("unusual reports by type", fontsize=9)
    ax = fig.add_subplot(grid[1, 2:])
    first = table.rows_of(table.cells()[0])[:7 * 96]
    ax.plot(table.values[first, KPI_COLUMNS.index("PRBUsageDL")], lw=0.8)
    ax.set_title("PRBUsageDL, first week of {}".format(table.cells()[0]), fontsize=9)
    for i, kind in enumerate(types[:4]):
        ax = fig.add_subplot(grid[2, i])
        row = int(np.flatnonzero(table.anomaly_type == kind)[0])
        cell_rows = table.rows_of(table.cell[row])
        at = int(np.searchsorted(cell_rows, row))
        span = cell_rows[max(0, at - context):at + context]
        for name in _SHOWN[:3]:
            series = table.values[span, KPI_COLUMNS.index(name)]
            ax.plot(series / max(1e-9, series.max()), lw=0.8, label=name)
        ax.fill_between(np.arange(len(span)), 0, table.unusual[span], color="red", alpha=0.15, step="mid")
        ax.set_title("example: " + kind, fontsize=9)
        ax.legend(fontsize=6)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return summary
