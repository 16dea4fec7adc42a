# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""GNU Radio block: the HTRD modulation classifier, which rejects adversarial and
unknown inputs (CAT-trained VT-CNN2 + RBF-SVM neural rejection)."""

import numpy as np

from .runtime.block import model_block


def _nn():
    from .nn import amc, htrd  # torch is imported only when a model block is built
    return amc, htrd


class htrd_classifier(model_block):
    """Class index per window, or -1 (reject) when the top SVM score is not above S0
    or the window's proximity to the training features is below the card's floor.

    detections: label (a class name or "reject"), class_index (-1 on reject),
    best_class (the top SVM class even when rejected), score (the top SVM score),
    scores (all 11), S0, proximity (kernel value to the nearest support vector, 0..1),
    min_proximity, rejected, reject_reason ("far_from_training" when the proximity is
    below its floor, else "low_score" when the top score is not above S0, else None).
    `reject_rate()` is the fraction of scored windows rejected so far.
    """

    kind = "htrd"
    tag_key = "htrd"

    def __init__(self, model="htrd", stride=128, mode="lossless", device="auto", threads=0,
                 backend="auto", max_batch=256, queue_depth=4, emit_tags=False, samp_rate=0.0):
        self._rejected = 0
        self._decided = 0
        model_block.__init__(self, "htrd_classifier", model, stride, mode, device, threads,
                             backend, max_batch, queue_depth, emit_tags, samp_rate)

    def configure(self, bundle):
        from .runtime.bundle import BundleError

        self.classes = bundle.classes
        if not self.classes or len(self.classes) != bundle.card["architecture"].get("classes"):
            raise BundleError("model: {} must list as many outputs.classes as its architecture has".format(
                bundle.path))
        if "S0" not in bundle.card["thresholds"]:
            raise BundleError("model: {} has no thresholds.S0 (the rejection threshold)".format(bundle.path))
        self.threshold = float(bundle.card["thresholds"]["S0"])
        floor = bundle.card["thresholds"].get("min_proximity", 0.0)
        if not isinstance(floor, (int, float)) or not 0.0 <= floor < 1.0:
            raise BundleError("model: {} has thresholds.min_proximity {!r}; allowed: a number, 0 <= floor < 1 "
                              "(0 = no floor)".format(bundle.path, floor))
        self.min_proximity = float(floor)

    def build_model(self, bundle):
        return _nn()[1].build(bundle.card["architecture"], proximity_column=True)

    def preprocess(self, windows):
        return _nn()[0].preprocess(windows, "power")

    def describe(self, outputs):
        outputs = np.asarray(outputs, np.float64)
        scores, proximity = outputs[:, :-1], outputs[:, -1]
        best = scores.argmax(axis=1)
        top = scores.max(axis=1)
        htrd = _nn()[1]
        rejected = htrd.decide(scores, self.threshold, proximity, self.min_proximity) == htrd.REJECT
        with self._lock:
            self._rejected += int(rejected.sum())
            self._decided += len(rejected)
        values = np.where(rejected, -1, best).astype(np.float32)
        reasons = np.where(proximity < self.min_proximity, "far_from_training",
                           np.where(rejected, "low_score", "")).tolist()
        fields = [{"label": "reject" if r else self.classes[b], "class_index": -1 if r else b,
                   "best_class": self.classes[b], "score": t, "scores": s, "S0": self.threshold,
                   "proximity": p, "min_proximity": self.min_proximity, "rejected": r, "reject_reason": why or None}
                  for b, t, s, p, r, why in zip(best.tolist(), top.tolist(), scores.tolist(), proximity.tolist(),
                                                rejected.tolist(), reasons)]
        return values, fields

    def reject_rate(self):
        with self._lock:
            return self._rejected / self._decided if self._decided else 0.0

    def windows_rejected(self):
        with self._lock:
            return self._rejected
