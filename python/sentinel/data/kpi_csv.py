# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Cell KPI tables in the public cellular-KPI CSV format.

Columns: Time, CellName, PRBUsageUL, PRBUsageDL, meanThr_DL, meanThr_UL, maxThr_DL,
maxThr_UL, meanUE_DL, meanUE_UL, maxUE_DL, maxUE_UL, maxUE_UL+DL, Unusual. Time is a
time of day ("10:45") or a date and time ("2026-01-05 10:45"); rows of one cell are
kept in file order, which is time order in that format. gr-sentinel's generator adds
an optional AnomalyType column (empty for normal rows); other extra columns are ignored.
How a generated file was made (network, seed, parameters, command) sits next to it in
`<file>.json`, which the loader reads when present.
"""

import csv
import dataclasses
import json
import pathlib

import numpy as np

KPI_COLUMNS = ("PRBUsageUL", "PRBUsageDL", "meanThr_DL", "meanThr_UL", "maxThr_DL", "maxThr_UL",
               "meanUE_DL", "meanUE_UL", "maxUE_DL", "maxUE_UL", "maxUE_UL+DL")
LABEL_COLUMN = "Unusual"
TYPE_COLUMN = "AnomalyType"


@dataclasses.dataclass
class KpiTable:
    """Rows of several cells. values: (N, 11) float32 in KPI_COLUMNS order."""

    time: list
    cell: np.ndarray
    values: np.ndarray
    unusual: np.ndarray
    anomaly_type: np.ndarray
    attrs: dict = dataclasses.field(default_factory=dict)

    def cells(self):
        """Cell names in order of first appearance."""
        _, first = np.unique(self.cell, return_index=True)
        return [str(c) for c in self.cell[np.sort(first)]]

    def rows_of(self, name):
        return np.flatnonzero(self.cell == name)

    def select_cells(self, names):
        keep = np.isin(self.cell, list(names))
        return KpiTable([t for t, k in zip(self.time, keep) if k], self.cell[keep], self.values[keep],
                        self.unusual[keep], self.anomaly_type[keep], dict(self.attrs))

    def __len__(self):
        return len(self.cell)


def write_csv(table, path):
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Time", "CellName", *KPI_COLUMNS, LABEL_COLUMN, TYPE_COLUMN])
        for i in range(len(table)):
            writer.writerow([table.time[i], table.cell[i], *("{:.3f}".format(v) for v in table.values[i]),
                             int(table.unusual[i]), table.anomaly_type[i]])
    if table.attrs:
        _sidecar(path).write_text(json.dumps(table.attrs, indent=2, sort_keys=True) + "\n")


def _sidecar(path):
    path = pathlib.Path(path)
    return path.with_name(path.name + ".json")


def read_csv(path):
    """Load a KPI CSV; raises ValueError naming the file, line and column on bad data
    (also for a file that is not UTF-8 text or not CSV at all)."""
    try:
        table = _read_csv(path)
    except UnicodeDecodeError as error:
        raise ValueError("path: {} is not a KPI CSV: it is not UTF-8 text (byte 0x{:02x}); expected a CSV with "
                         "columns {}".format(path, error.object[error.start], ", ".join(
                             ("Time", "CellName", *KPI_COLUMNS, LABEL_COLUMN)))) from None
    except csv.Error as error:
        raise ValueError("path: {} is not a KPI CSV ({})".format(path, error)) from None
    if _sidecar(path).is_file():
        table.attrs.update(json.loads(_sidecar(path).read_text()))
    return table


def _read_csv(path):
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        missing = [c for c in ("Time", "CellName", *KPI_COLUMNS, LABEL_COLUMN) if c not in header]
        if missing:
            raise ValueError("{}: not a KPI CSV, missing column(s) {}; expected {}".format(
                path, ", ".join(missing), ", ".join(("Time", "CellName", *KPI_COLUMNS, LABEL_COLUMN))))
        times, cells, values, labels, types = [], [], [], [], []
        for line, row in enumerate(reader, start=2):
            try:
                values.append([float(row[c]) for c in KPI_COLUMNS])
                labels.append(int(float(row[LABEL_COLUMN])))
            except (TypeError, ValueError):
                bad = next(c for c in (*KPI_COLUMNS, LABEL_COLUMN) if not _is_number(row.get(c)))
                raise ValueError("{} line {}: column {} is not a number: {!r}".format(
                    path, line, bad, row.get(bad))) from None
            if labels[-1] not in (0, 1):
                raise ValueError("{} line {}: {} must be 0 or 1, got {}".format(path, line, LABEL_COLUMN, labels[-1]))
            times.append(row["Time"])
            cells.append(row["CellName"])
            types.append(row.get(TYPE_COLUMN) or "")
    if not cells:
        raise ValueError("{}: no rows".format(path))
    return KpiTable(times, np.array(cells), np.array(values, np.float32), np.array(labels, np.int8),
                    np.array(types), {"source": str(path)})


def _is_number(text):
    try:
        float(text)
        return True
    except (TypeError, ValueError):
        return False
