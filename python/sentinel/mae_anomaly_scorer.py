# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""GNU Radio block: the MAE anomaly scorer."""

import numpy as np

from .runtime.block import model_block, number_parameter, refuse_window_length
from .runtime.bundle import BundleError


def _mae():
    from .nn import mae  # torch is imported only when a model block is built
    return mae


class mae_anomaly_scorer(model_block):
    """Hybrid (Mahalanobis + reconstruction) anomaly score per window.

    Output 0: float32 hybrid score per window (higher = more anomalous); NaN for a
    window the stream bundle reads as an empty channel.
    detections: score, mahalanobis, reconstruction, threshold, anomalous (bool), state
    ("signal" or "empty"), snr_db (the stream bundle's estimate of the window's SNR),
    plus the runtime's offset / rx_time / flags. An empty window (estimated SNR below the
    card's empty_snr_db) is neither scored nor flagged: score None, anomalous False.
    `threshold` overrides the bundle's gamma; None keeps it; "wideband" takes the card's
    gamma_wideband (calibrated on chunks from the Emitter Channeliser, `sentinel eval wideband`). `samp_rate` must be the
    card's input.sample_rate when the card has one (the stream bundle `mae`: 200 kHz).
    """

    kind = "mae"
    tag_key = "mae_score"

    def __init__(self, model="mae_guarded", stride=0, mode="lossless", threshold=None, device="auto",
                 threads=0, backend="auto", max_batch=64, queue_depth=4, emit_tags=False, samp_rate=0.0):
        self._threshold_override = threshold
        model_block.__init__(self, "mae_anomaly_scorer", model, stride, mode, device, threads,
                             backend, max_batch, queue_depth, emit_tags, samp_rate)

    def configure(self, bundle):
        mae = _mae()
        features = bundle.choice("preprocessing", "features",
                                 allowed=mae.FEATURES + tuple(mae.STREAM_FEATURES.values()), default="iq")
        self._gamma = bundle.number("thresholds", "gamma", meaning="the anomaly threshold on the hybrid score")
        self._gamma_wideband = bundle.card.get("thresholds", {}).get("gamma_wideband")
        self.set_threshold(self._threshold_override)
        if features in mae.STREAM_FEATURES.values():
            self._configure_stream(bundle, features)
            return
        self.empty_snr_db = None
        low = bundle.number("preprocessing", "scale_min", meaning="the training features' minimum")
        high = bundle.number("preprocessing", "scale_max", above=low,
                             meaning="the training features' maximum, above scale_min")
        size = bundle.entry("architecture", "input_size", default=None)
        expected = {"sorted_amplitude": self.window_length, "iq": 2 * self.window_length,
                    "iq_density": mae.DENSITY_BINS ** 2}[features]
        if size is not None and size != expected and features == "iq_density":
            raise BundleError("model: {}: 'iq_density' features are {} cells, but the network takes "
                              "architecture.input_size {}; allowed: {}".format(bundle.card_path, expected, size,
                                                                              expected))
        if size is not None and size != expected:
            raise BundleError("model: {}: window_length {} gives {} '{}' features, but the network takes "
                              "architecture.input_size {}; allowed: window_length {}".format(
                                  bundle.card_path, self.window_length, expected, features, size,
                                  size if features == "sorted_amplitude" else "{} (input_size / 2)".format(size / 2)))
        self._features = lambda windows, scale=(low, high, features): mae.features(windows, *scale)

    def _configure_stream(self, bundle, features):
        from .nn import stream_mae

        name = bundle.card["architecture"].get("name")
        if _mae().STREAM_FEATURES.get(name) != features:
            raise BundleError("model: {}: features '{}' need architecture.name {}".format(
                bundle.card_path, features, " or ".join("'{}'".format(n) for n, f in _mae().STREAM_FEATURES.items()
                                                        if f == features)))
        length = bundle.entry("architecture", "length", default=None)
        refuse_window_length(bundle, length, "architecture.length")
        self.empty_snr_db = bundle.number("thresholds", "empty_snr_db",
                                          meaning="the estimated SNR below which a window is an empty channel")
        self._features = stream_mae.VIEWS[features]

    def build_model(self, bundle):
        return _mae().build(bundle.card["architecture"])

    def preprocess(self, windows):
        return self._features(windows)

    def describe(self, outputs):
        outputs = np.asarray(outputs, np.float64)
        values = outputs[:, 0].astype(np.float32)
        snrs = outputs[:, 3].tolist() if self.empty_snr_db is not None else [None] * len(outputs)
        fields = []
        for i, ((score, distance, error), snr) in enumerate(zip(outputs[:, :3].tolist(), snrs)):
            if snr is not None and snr < self.empty_snr_db:
                values[i] = np.nan
                fields.append({"score": None, "mahalanobis": None, "reconstruction": None,
                               "threshold": self.threshold, "anomalous": False, "label": "empty", "state": "empty",
                               "snr_db": snr})
                continue
            fields.append({"score": score, "mahalanobis": distance, "reconstruction": error,
                           "threshold": self.threshold, "anomalous": score > self.threshold,
                           "label": "anomalous" if score > self.threshold else "normal", "state": "signal"})
            if snr is not None:
                fields[-1]["snr_db"] = snr
        return values, fields

    def set_threshold(self, threshold):
        """A new threshold (a finite number); None restores the card's gamma; "wideband" the
        card's gamma_wideband."""
        if threshold is None:
            self.threshold = self._gamma
            return
        if isinstance(threshold, str) and threshold == "wideband":
            if self._gamma_wideband is None:
                raise ValueError("threshold: 'wideband', but the model's card has no thresholds.gamma_wideband; "
                                 "allowed: None, a number, or 'wideband' with a bundle calibrated by "
                                 "`sentinel eval wideband --update-card`")
            self.threshold = number_parameter("threshold", self._gamma_wideband, meaning="the card's gamma_wideband")
            return
        self.threshold = number_parameter("threshold", threshold,
                                          meaning="the anomaly threshold on the score; None = the card's gamma, "
                                                  "{:.6g}".format(self._gamma))
