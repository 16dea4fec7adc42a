# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""GNU Radio block: the live table of emitters, from the Emitter Channeliser's updates and
the model blocks' detections (each carries its `emitter`)."""

import collections
import threading

import pmt
from gnuradio import gr

#: classifier detections per emitter the table's label is the majority of
RECENT = 32

HEADER = "{:>4} {:>10} {:>8} {:>6} {:>9} {:<10} {:>5} {:<8} {:>9} {:<4}".format(
    "id", "centre kHz", "bw kHz", "SNR", "kbaud", "label", "conf", "HTRD", "anomaly", "flag")


def format_row(row):
    return "{:>4} {:>10.1f} {:>8.1f} {:>6.1f} {:>9} {:<10} {:>5} {:<8} {:>9} {:<4}".format(
        row["id"], row["center_hz"] / 1e3, row["bandwidth_hz"] / 1e3, row["snr_db"],
        "{:.1f}".format(row["symbol_rate_hz"] / 1e3) if row.get("symbol_rate_hz") else "-",
        str(row.get("label") or "-")[:10],
        "{:.2f}".format(row["confidence"]) if row.get("confidence") is not None else "-",
        str(row.get("htrd") or "-")[:8],
        "{:.2f}".format(row["anomaly_score"]) if row.get("anomaly_score") is not None else "-",
        "yes" if row.get("anomalous") else "no" if "anomalous" in row else "-")


def kind_of(record):
    """"htrd", "mae" or "amc" from a detection's fields."""
    if "rejected" in record:
        return "htrd"
    if "anomalous" in record:
        return "mae"
    return "amc"


class emitter_table(gr.basic_block):
    """Message sink. Port `emitters`: the channeliser's updates; port `detections`: any
    model blocks' detections. rows(): one dict per live emitter (its tracker fields, the
    majority `label` of its last RECENT classifier windows with their mean `confidence`,
    the latest `htrd` verdict, `anomaly_score` and `anomalous`); text(): the table."""

    def __init__(self):
        gr.basic_block.__init__(self, name="emitter_table", in_sig=None, out_sig=None)
        self._lock = threading.Lock()
        self._emitters = []
        self._labels = collections.defaultdict(lambda: collections.deque(maxlen=RECENT))
        self._latest = collections.defaultdict(dict)
        for port, handler in (("emitters", self.handle_emitters), ("detections", self.handle_detection)):
            self.message_port_register_in(pmt.intern(port))
            self.set_msg_handler(pmt.intern(port), handler)

    def _python(self, message):
        try:   # never raise in a message handler: that would end the block's message thread
            value = pmt.to_python(message)
        except Exception:
            return None
        return value if isinstance(value, dict) else None

    def handle_emitters(self, message):
        update = self._python(message)
        if update is not None and isinstance(update.get("emitters"), list):
            with self._lock:
                self._emitters = [e for e in update["emitters"] if isinstance(e, dict) and "id" in e]
                live = {e["id"] for e in self._emitters}
                for gone in [i for i in self._latest if i not in live]:
                    self._latest.pop(gone, None)
                    self._labels.pop(gone, None)

    def handle_detection(self, record):
        self.keep(self._python(record))

    def keep(self, record):
        """Take one detection dict (also usable without a flowgraph)."""
        if record is None or not isinstance(record.get("emitter"), dict) or record.get("flags"):
            return
        emitter_id = record["emitter"].get("id")
        kind = kind_of(record)
        with self._lock:
            if kind == "amc" and record.get("label") is not None:
                self._labels[emitter_id].append((record["label"], record.get("confidence") or 0.0))
            elif kind == "htrd":
                self._latest[emitter_id]["htrd"] = record.get("label")
            elif kind == "mae":
                self._latest[emitter_id].update(anomaly_score=record.get("score"),
                                                anomalous=bool(record.get("anomalous")))

    def rows(self):
        with self._lock:
            out = []
            for emitter in self._emitters:
                row = dict(emitter)
                labels = list(self._labels.get(emitter["id"], ()))
                if labels:
                    counts = collections.Counter(label for label, _ in labels)
                    row["label"], count = counts.most_common(1)[0]
                    row["confidence"] = sum(c for label, c in labels if label == row["label"]) / count
                row.update(self._latest.get(emitter["id"], {}))
                out.append(row)
            return out

    def text(self):
        rows = sorted(self.rows(), key=lambda r: r["center_hz"])
        return "\n".join([HEADER] + [format_row(r) for r in rows]) if rows else "no emitter"
