# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""HTRD (Zhang et al., IEEE WCL 2022): a CNN whose last feature layer feeds one-vs-all
RBF-SVMs; the input is rejected when the top SVM score is not above S0. The paper's CNN
is VT-CNN2; any classifier of nn.amc with features() and head() can take its place
(the card's architecture.backbone).
Two rules of ours come before it (each off when its card threshold is absent):
- far_from_training: the proximity (the kernel value to the nearest support vector)
  is below a floor; far from every support vector each score tends to its intercept,
  and an intercept above S0 would accept what is unlike all training data;
- head_disagrees: the CNN's own head puts the SVMs' class more than max_head_gap
  below its top logit; an attacker then has to carry both heads to one wrong class.

The SVMs are fitted with scikit-learn and re-expressed here as buffers (support
vectors, dual coefficients, intercepts, gamma), so the block needs no scikit-learn
and a white-box attack gets gradients through the SVMs and the CNN:
    S_c(z) = sum_i a_ci exp(-gamma ||z - v_i||^2) + b_c
"""

import numpy as np
import torch
from torch import nn

from . import amc as amc_nn

KIND = "htrd"
REJECT = -1


class RBFSVMScores(nn.Module):
    """One-vs-all RBF-SVM decision scores from stacked support vectors, in float64."""

    def __init__(self, support_vectors, classes, features):
        super().__init__()
        self.register_buffer("support_vectors", torch.zeros(support_vectors, features, dtype=torch.float64))
        self.register_buffer("dual_coef", torch.zeros(classes, support_vectors, dtype=torch.float64))
        self.register_buffer("intercept", torch.zeros(classes, dtype=torch.float64))
        self.register_buffer("gamma", torch.zeros((), dtype=torch.float64))

    @classmethod
    def from_sklearn(cls, machines, gamma):
        """machines: one fitted binary sklearn SVC per class (class c = positive)."""
        vectors = [m.support_vectors_ for m in machines]
        total = sum(len(v) for v in vectors)
        head = cls(total, len(machines), vectors[0].shape[1])
        head.support_vectors.copy_(torch.as_tensor(np.concatenate(vectors), dtype=torch.float64))
        start = 0
        for c, m in enumerate(machines):
            n = len(m.support_vectors_)
            # sklearn's decision_function is positive for classes_[1], which is True (class c)
            sign = 1.0 if bool(m.classes_[1]) else -1.0
            head.dual_coef[c, start:start + n] = torch.as_tensor(sign * m.dual_coef_[0], dtype=torch.float64)
            head.intercept[c] = float(sign * m.intercept_[0])
            start += n
        head.gamma.fill_(float(gamma))
        return head

    def scores_and_proximity(self, z):
        """(scores (B, C), proximity (B,)): proximity = max_i exp(-gamma ||z - v_i||^2)."""
        z = z.to(torch.float64)
        distance = (z * z).sum(1, keepdim=True) - 2.0 * z @ self.support_vectors.T \
            + (self.support_vectors * self.support_vectors).sum(1)[None, :]
        kernel = torch.exp(-self.gamma * distance.clamp_min(0.0))
        return kernel @ self.dual_coef.T + self.intercept[None, :], kernel.max(1).values

    def forward(self, z):
        return self.scores_and_proximity(z)[0]


def head_gap(scores, logits):
    """How far (in logits) the CNN head puts the SVMs' top class below its own top class:
    0 when both heads agree. (B,)"""
    chosen = logits.gather(1, scores.argmax(1, keepdim=True))[:, 0]
    return logits.max(1).values - chosen


class HTRD(nn.Module):
    """CNN features -> SVM scores (B, C); with `decision_columns`, (B, C + 2):
    the scores, the proximity and the head gap (one output tensor for the block's
    inference backends). `logits` gives the CNN's own head. backbone: an nn.amc
    architecture dict (None: the paper's VT-CNN2 for `classes` and `length`)."""

    def __init__(self, classes=11, length=128, support_vectors=1, features=256, decision_columns=False,
                 backbone=None):
        super().__init__()
        self.cnn = amc_nn.VTCNN2(classes, length) if backbone is None else amc_nn.build(backbone)
        self.svm = RBFSVMScores(support_vectors, classes, features)
        self.decision_columns = decision_columns

    def forward(self, x):
        if not self.decision_columns:
            return self.svm(self.cnn.features(x))
        scores, proximity, logits = self.outputs(x)
        return torch.cat([scores, proximity[:, None], head_gap(scores, logits)[:, None].to(scores.dtype)], 1)

    def outputs(self, x):
        """(SVM scores (B, C), proximity (B,), CNN logits (B, C)) from one feature pass."""
        z = self.cnn.features(x)
        scores, proximity = self.svm.scores_and_proximity(z)
        return scores, proximity, self.cnn.head(z)

    def logits(self, x):
        return self.cnn(x)


def build(architecture, decision_columns=False):
    """An HTRD from a card's architecture (no `backbone` entry: VT-CNN2, the bundles made before it)."""
    arch = dict(architecture)
    backbone = arch.get("backbone")
    if backbone is not None and (not isinstance(backbone, dict) or backbone.get("name") not in amc_nn.ARCHITECTURES
                                 or "frontend" in backbone):
        raise ValueError("architecture.backbone: {!r}; allowed: an nn.amc architecture named one of {} without a "
                         "front-end, e.g. {{\"name\": \"afnet\", \"in_channels\": 4}}".format(
                             backbone, ", ".join(amc_nn.ARCHITECTURES)))
    return HTRD(arch.get("classes", 11), arch.get("length", 128), arch["support_vectors"], arch.get("features", 256),
                decision_columns, backbone)


REASONS = ("far_from_training", "head_disagrees", "low_score")


def reject_reasons(scores, threshold, proximity=None, min_proximity=0.0, gap=None, max_head_gap=None):
    """Why each window is rejected, the first rule that applies in REASONS order, or
    None when it is accepted. A rule is off when its input or threshold is None. Each
    rule fails closed: a NaN score, proximity or gap rejects."""
    scores = np.asarray(scores)
    applies = {"low_score": ~(scores.max(axis=1) > threshold)}
    if gap is not None and max_head_gap is not None:
        applies["head_disagrees"] = ~(np.asarray(gap) <= max_head_gap)
    if proximity is not None:
        applies["far_from_training"] = ~(np.asarray(proximity) >= min_proximity)
    reasons = np.full(len(scores), None, dtype=object)
    for reason in reversed(REASONS):   # the first in REASONS is written last and wins
        if reason in applies:
            reasons[applies[reason]] = reason
    return reasons


def decide(scores, threshold, proximity=None, min_proximity=0.0, gap=None, max_head_gap=None):
    """SVM scores (B, C) -> class index, or REJECT when a rule of reject_reasons applies."""
    rejected = reject_reasons(scores, threshold, proximity, min_proximity, gap, max_head_gap) != None  # noqa: E711
    return np.where(rejected, REJECT, np.asarray(scores).argmax(axis=1))


class Rejector:
    """An HTRD-style model with its thresholds: decisions, and the attack's view of them.
    max_head_gap None: no head-agreement rule (bundles made before it)."""

    def __init__(self, model, threshold, min_proximity=0.0, max_head_gap=None):
        self.model = model
        self.threshold = float(threshold)
        self.min_proximity = float(min_proximity)
        self.max_head_gap = None if max_head_gap is None else float(max_head_gap)

    @classmethod
    def from_card(cls, model, card):
        thresholds = card["thresholds"]
        return cls(model, thresholds["S0"], thresholds.get("min_proximity", 0.0), thresholds.get("max_head_gap"))

    def __call__(self, x):
        """Class index per window, or REJECT (no gradients)."""
        return self.labels_and_decisions(x)[1]

    def labels_and_decisions(self, x):
        """(the SVMs' class per window before any rule, the decision: that class or REJECT)."""
        with torch.no_grad():
            scores, proximity, logits = self.model.outputs(x)
            gap = head_gap(scores, logits)
        scores = scores.numpy()
        return scores.argmax(axis=1), decide(scores, self.threshold, proximity.numpy(), self.min_proximity,
                                             gap.numpy(), self.max_head_gap)
