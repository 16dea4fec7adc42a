# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""GNU Radio block: the multi-scale ConvLSTM cell-KPI anomaly detector."""

import numpy as np

from .runtime.block import model_block


def _kpi():
    from .nn import kpi  # torch is imported only when a model block is built
    return kpi


class kpi_anomaly_detector(model_block):
    """Anomaly probability of a cell's KPI reports.

    Input: float32 vectors of `vlen` KPIs, one per report (15 min), in the
    bundle's KPI order. Output 0: one probability per window of `window` reports
    (stride 1: one per report, for the window ending at it; the first window-1
    reports produce nothing). detections: only windows whose probability reaches
    `threshold` (and windows with NaN/Inf KPIs, flagged), with `probability`,
    `threshold`, `label`; `last_offset` is the absolute index of the scored report.
    `window` 0 takes the bundle's; another value must equal it.
    """

    kind = "kpi"
    tag_key = "kpi_anomaly"
    input_dtype = np.float32
    flag_zero_windows = False   # an outage reports zeros: that is an input to score

    def __init__(self, model="kpi", window=0, threshold=None, vlen=11, stride=1, mode="lossless",
                 device="auto", threads=0, backend="auto", max_batch=64, queue_depth=4, emit_tags=False):
        self._window_request = int(window)
        self._vlen_request = int(vlen)
        self._threshold_override = threshold
        model_block.__init__(self, "kpi_anomaly_detector", model, stride, mode, device, threads,
                             backend, max_batch, queue_depth, emit_tags, 0.0)

    def input_vlen(self, bundle):
        expected = int(bundle.card["input"].get("vlen", 0))
        if self._vlen_request != expected:
            raise ValueError("vlen: the bundle '{}' takes {} KPIs per report ({}), got vlen={}".format(
                bundle.card.get("name"), expected, ", ".join(bundle.card["input"].get("kpis", [])),
                self._vlen_request))
        if self._window_request not in (0, bundle.window_length):
            raise ValueError("window: the bundle '{}' was trained on {}-report windows, got {}; "
                             "use 0 or {}".format(bundle.card.get("name"), bundle.window_length,
                                                  self._window_request, bundle.window_length))
        return expected

    def configure(self, bundle):
        self._scaler = _kpi().scaler_from_card(bundle.card)
        self.set_threshold(self._threshold_override)

    def build_model(self, bundle):
        return _kpi().build(bundle.card["architecture"], bundle.card["input"]["vlen"])

    def preprocess(self, windows):
        return _kpi().features(windows, *self._scaler)

    def describe(self, outputs):
        logits = np.asarray(outputs, np.float64)
        probability = 1.0 / (1.0 + np.exp(logits[:, 0] - logits[:, 1]))
        fields = [{"probability": p, "threshold": self.threshold, "anomalous": p >= self.threshold,
                   "label": "anomaly" if p >= self.threshold else "normal"} for p in probability.tolist()]
        return probability.astype(np.float32), fields

    def publishes(self, value, record):
        return bool(record.get("anomalous"))

    def set_threshold(self, threshold):
        """A new probability threshold; None restores the card's."""
        if threshold is None:
            threshold = self.bundle.card["thresholds"].get("probability", 0.5)
        threshold = float(threshold)
        if not 0.0 < threshold < 1.0:
            raise ValueError("threshold: a probability strictly between 0 and 1, got {}".format(threshold))
        self.threshold = threshold
