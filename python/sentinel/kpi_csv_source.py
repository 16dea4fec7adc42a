# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""GNU Radio block: replay one cell of a KPI CSV as a stream of KPI vectors."""

import numpy as np
import pmt
from gnuradio import gr

from .data.kpi_csv import KPI_COLUMNS, read_csv


class kpi_csv_source(gr.sync_block):
    """Reports of `cell` (empty: the file's first cell) from a KPI CSV in the public
    format, as float32 vectors of the 11 KPIs in KPI_COLUMNS order. The Unusual label
    of each report is attached as a `kpi_unusual` tag when `label_tags` is set, so a
    flowgraph can show ground truth next to the detector. Ends after the last report
    unless `repeat`."""

    def __init__(self, path, cell="", repeat=False, label_tags=True):
        gr.sync_block.__init__(self, name="kpi_csv_source", in_sig=None,
                               out_sig=[(np.float32, len(KPI_COLUMNS))])
        table = read_csv(path)
        cell = cell or table.cells()[0]
        if cell not in table.cells():
            raise ValueError("cell: '{}' is not in {}; cells there: {}".format(
                cell, path, ", ".join(table.cells()[:10]) + (" ..." if len(table.cells()) > 10 else "")))
        rows = table.rows_of(cell)
        self.cell = cell
        self.values = np.ascontiguousarray(table.values[rows], np.float32)
        self.labels = table.unusual[rows].astype(np.int64)
        self.repeat = bool(repeat)
        self.label_tags = bool(label_tags)
        self._position = 0

    def reports(self):
        return len(self.values)

    def work(self, input_items, output_items):
        out = output_items[0]
        n = len(self.values)
        if self._position >= n:
            if not self.repeat:
                return -1
            self._position = 0
        take = min(len(out), n - self._position)
        out[:take] = self.values[self._position:self._position + take]
        if self.label_tags:
            first = self.nitems_written(0)
            for i in range(take):
                self.add_item_tag(0, first + i, pmt.intern("kpi_unusual"),
                                  pmt.from_long(int(self.labels[self._position + i])))
        self._position += take
        return take
