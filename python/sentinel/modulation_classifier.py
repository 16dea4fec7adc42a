# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""GNU Radio block: the modulation classifier (AFNet by default, VT-CNN2 or any amc bundle)."""

import numpy as np

from .runtime.block import model_block, refuse_window_length
from .runtime.bundle import BundleError


def _amc():
    from .nn import amc  # torch is imported only when a model block is built
    return amc


class modulation_classifier(model_block):
    """Class index per window (as float32) and a detection with label, confidence and
    all class probabilities. `model` is "afnet", "vtcnn2", or a bundle folder."""

    kind = "amc"
    tag_key = "modulation"

    def __init__(self, model="afnet", stride=128, mode="lossless", device="auto", threads=0,
                 backend="auto", max_batch=256, queue_depth=4, emit_tags=False, samp_rate=0.0):
        model_block.__init__(self, "modulation_classifier", model, stride, mode, device, threads,
                             backend, max_batch, queue_depth, emit_tags, samp_rate)

    def configure(self, bundle):
        amc = _amc()
        self.classes = bundle.classes
        if not self.classes:
            raise BundleError("model: {} has no outputs.classes list".format(bundle.path))
        if bundle.card["architecture"].get("classes") != len(self.classes):
            raise BundleError("model: {} lists {} classes but its architecture has {}".format(
                bundle.path, len(self.classes), bundle.card["architecture"].get("classes")))
        length = bundle.entry("architecture", "length", default=None)
        refuse_window_length(bundle, length, "architecture.length")
        bundle.choice("preprocessing", "normalization", allowed=amc.INPUT_SCALES, default="energy")
        bundle.choice("preprocessing", "cfo_correction", allowed=amc.CFO_CORRECTIONS, default="none")

    def build_model(self, bundle):
        return _amc().build(bundle.card["architecture"])

    def preprocess(self, windows):
        return _amc().preprocess_card(windows, self.bundle.card["preprocessing"])

    def describe(self, logits):
        z = logits - logits.max(axis=1, keepdims=True)
        probabilities = np.exp(z)
        probabilities /= probabilities.sum(axis=1, keepdims=True)
        best = probabilities.argmax(axis=1)
        # tolist() once per batch: converting element by element costs more than the model.
        rows = probabilities.astype(np.float64).tolist()
        fields = [{"label": self.classes[b], "class_index": b, "confidence": row[b], "probabilities": row}
                  for b, row in zip(best.tolist(), rows)]
        return best.astype(np.float32), fields
