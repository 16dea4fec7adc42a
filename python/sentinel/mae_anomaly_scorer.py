# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""GNU Radio block: the MAE anomaly scorer."""

import numpy as np

from .runtime.block import model_block, number_parameter
from .runtime.bundle import BundleError


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
        mae = _mae()
        features = bundle.choice("preprocessing", "features", allowed=mae.FEATURES, default="iq")
        low = bundle.number("preprocessing", "scale_min", meaning="the training features' minimum")
        high = bundle.number("preprocessing", "scale_max", above=low,
                             meaning="the training features' maximum, above scale_min")
        size = bundle.entry("architecture", "input_size", default=None)
        expected = self.window_length * (1 if features == "sorted_amplitude" else 2)
        if size is not None and size != expected:
            raise BundleError("model: {}: window_length {} gives {} '{}' features, but the network takes "
                              "architecture.input_size {}; allowed: window_length {}".format(
                                  bundle.card_path, self.window_length, expected, features, size,
                                  size if features == "sorted_amplitude" else "{} (input_size / 2)".format(size / 2)))
        self._scale = (low, high, features)
        self._features = mae.features
        self._gamma = bundle.number("thresholds", "gamma", meaning="the anomaly threshold on the hybrid score")
        self.set_threshold(self._threshold_override)

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
        """A new threshold (a finite number); None restores the card's gamma."""
        if threshold is None:
            self.threshold = self._gamma
            return
        self.threshold = number_parameter("threshold", threshold,
                                          meaning="the anomaly threshold on the score; None = the card's gamma, "
                                                  "{:.6g}".format(self._gamma))
