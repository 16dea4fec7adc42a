# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""GNU Radio block: the HTRD modulation classifier, which rejects adversarial and
unknown inputs (a CAT-trained CNN, AFNet or VT-CNN2, + RBF-SVM neural rejection)."""

import math

import numpy as np

from .runtime.block import model_block, refuse_window_length
from .runtime.bundle import BundleError


def _nn():
    from .nn import amc, htrd  # torch is imported only when a model block is built
    return amc, htrd


class htrd_classifier(model_block):
    """Class index per window, or -1 (reject) when the window's proximity to the
    training features is below the card's floor, when the CNN's own head disagrees with
    the SVMs' class by more than the card's max_head_gap, or when the top SVM score is
    not above S0.

    detections: label (a class name or "reject"), class_index (-1 on reject),
    best_class (the top SVM class even when rejected), score (the top SVM score),
    scores (all 11), S0, proximity (kernel value to the nearest support vector, 0..1),
    min_proximity, head_gap (logits by which the CNN head puts best_class below its own
    top class; 0 when they agree), max_head_gap (None: no such rule), rejected,
    reject_reason ("far_from_training", "head_disagrees", "low_score", in that order of
    precedence, or None). `reject_rate()` is the fraction of scored windows rejected so far.
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
        self.classes = bundle.classes
        if not self.classes or len(self.classes) != bundle.card["architecture"].get("classes", 11):
            raise BundleError("model: {} must list as many outputs.classes as its architecture has".format(
                bundle.path))
        length = bundle.number("architecture", "length", default=128, integer=True, minimum=1)
        refuse_window_length(bundle, length, "architecture.length")
        self.threshold = bundle.number("thresholds", "S0", meaning="the rejection threshold on the SVM score")
        floor = bundle.card["thresholds"].get("min_proximity", 0.0)
        if isinstance(floor, bool) or not isinstance(floor, (int, float)) or not 0.0 <= floor < 1.0:
            raise BundleError("model: {} has thresholds.min_proximity {!r}; allowed: a number, 0 <= floor < 1 "
                              "(0 = no floor)".format(bundle.path, floor))
        self.min_proximity = float(floor)
        gap = bundle.card["thresholds"].get("max_head_gap")
        if gap is not None and (isinstance(gap, bool) or not isinstance(gap, (int, float))
                                or not 0.0 <= gap < math.inf):
            raise BundleError("model: {} has thresholds.max_head_gap {!r}; allowed: a number >= 0, or null "
                              "(no head-agreement rule)".format(bundle.path, gap))
        self.max_head_gap = None if gap is None else float(gap)
        bundle.choice("preprocessing", "normalization", allowed=_nn()[0].INPUT_SCALES, default="power")
        bundle.choice("preprocessing", "cfo_correction", allowed=_nn()[0].CFO_CORRECTIONS, default="none")

    def build_model(self, bundle):
        return _nn()[1].build(bundle.card["architecture"], decision_columns=True)

    def preprocess(self, windows):
        return _nn()[0].preprocess_card(windows, dict({"normalization": "power"}, **self.bundle.card["preprocessing"]))

    def describe(self, outputs):
        outputs = np.asarray(outputs, np.float64)
        scores, proximity, gap = outputs[:, :-2], outputs[:, -2], outputs[:, -1]
        best = scores.argmax(axis=1)
        top = scores.max(axis=1)
        reasons = _nn()[1].reject_reasons(scores, self.threshold, proximity, self.min_proximity, gap,
                                          self.max_head_gap).tolist()
        rejected = [why is not None for why in reasons]
        with self._lock:
            self._rejected += sum(rejected)
            self._decided += len(rejected)
        values = np.where(rejected, -1, best).astype(np.float32)
        fields = [{"label": "reject" if r else self.classes[b], "class_index": -1 if r else b,
                   "best_class": self.classes[b], "score": t, "scores": s, "S0": self.threshold,
                   "proximity": p, "min_proximity": self.min_proximity, "head_gap": g,
                   "max_head_gap": self.max_head_gap, "rejected": r, "reject_reason": why}
                  for b, t, s, p, g, r, why in zip(best.tolist(), top.tolist(), scores.tolist(), proximity.tolist(),
                                                   gap.tolist(), rejected, reasons)]
        return values, fields

    def reject_rate(self):
        with self._lock:
            return self._rejected / self._decided if self._decided else 0.0

    def windows_rejected(self):
        with self._lock:
            return self._rejected
