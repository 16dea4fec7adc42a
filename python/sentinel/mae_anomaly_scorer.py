# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""GNU Radio block: the MAE anomaly scorer."""

import numpy as np

from .runtime.block import model_block


def _mae():
    from .nn import mae  # torch is imported only when a model block is built
    return mae


class mae_anomaly_scorer(model_block):
    """Hybrid (Mahalanobis + reconstruction) anomaly score per window.

    Output 0: float32 hybrid score per window (higher = more anomalous).
    detections: score, mahalanobis, reconstruction, threshold, anomalous (bool),
    plus the runtime's offset / rx_time / flags. `threshold` overrides the
    bundle's gamma; None keeps it.
    """

    kind = "mae"
    tag_key = "mae_score"

    def __init__(self, model="mae", stride=1000, mode="lossless", threshold=None, device="auto",
                 threads=0, backend="auto", max_batch=64, queue_depth=4, emit_tags=False, samp_rate=0.0):
        self._threshold_override = threshold
        model_block.__init__(self, "mae_anomaly_scorer", model, stride, mode, device, threads,
                             backend, max_batch, queue_depth, emit_tags, samp_rate)

    def configure(self, bundle):
        pre = bundle.card["preprocessing"]
        self._scale = (pre["scale_min"], pre["scale_max"], pre.get("features", "iq"))
        self._features = _mae().features
        gamma = bundle.card["thresholds"]["gamma"]
        self.threshold = float(gamma if self._threshold_override is None else self._threshold_override)

    def build_model(self, bundle):
        return _mae().build(bundle.card["architecture"])

    def preprocess(self, windows):
        return self._features(windows, *self._scale)

    def describe(self, outputs):
        values = outputs[:, 0]
        fields = [{"score": score, "mahalanobis": distance, "reconstruction": error,
                   "threshold": self.threshold, "anomalous": score > self.threshold,
                   "label": "anomalous" if score > self.threshold else "normal"}
                  for score, distance, error in np.asarray(outputs, np.float64)[:, :3].tolist()]
        return values, fields

    def set_threshold(self, threshold):
        """A new threshold; None restores the card's gamma."""
        self.threshold = float(self.bundle.card["thresholds"]["gamma"] if threshold is None else threshold)
