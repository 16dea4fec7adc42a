# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared training pieces: seeding, resumable checkpoints, detection metrics."""

import os
import pathlib
import random

import numpy as np


def set_seed(seed):
    import torch

    random.seed(seed)
    np.random.seed(seed % (2 ** 32))
    torch.manual_seed(seed)


class Checkpoint:
    """Save after every epoch, resume from the last one. Loads with weights_only=True."""

    def __init__(self, folder, name="checkpoint.pt"):
        self.path = pathlib.Path(folder) / name if folder else None

    def save(self, epoch, model, optimizer, history, best=None):
        """best: an optional state dict to keep alongside (e.g. the best epoch's weights)."""
        import torch

        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(".partial")
        torch.save({"epoch": epoch, "model": model.state_dict(), "optimizer": optimizer.state_dict(),
                    "history": history, "best": best or {}}, partial)
        os.replace(partial, self.path)

    def restore(self, model, optimizer):
        """Returns (next epoch, history, best state dict or None); (0, [], None) when there
        is nothing to resume."""
        import torch

        if self.path is None or not self.path.is_file():
            return 0, [], None
        state = torch.load(self.path, map_location="cpu", weights_only=True)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        return int(state["epoch"]) + 1, list(state["history"]), (state.get("best") or None)


def youden_threshold(normal_scores, anomalous_scores):
    """The threshold whose ROC point lies farthest from the diagonal (max TPR - FPR).

    Scores above the threshold are called anomalous.
    """
    from sklearn.metrics import roc_curve

    y = np.concatenate([np.zeros(len(normal_scores)), np.ones(len(anomalous_scores))])
    fpr, tpr, thresholds = roc_curve(y, np.concatenate([normal_scores, anomalous_scores]))
    best = int(np.argmax(tpr - fpr))
    # roc_curve's thresholds are inclusive (>=); step just below to keep the point with '>'.
    return float(np.nextafter(thresholds[best], -np.inf)) if np.isfinite(thresholds[best]) else float(np.max(normal_scores))


def detection_metrics(normal_scores, anomalous_scores, threshold):
    """Table III of the MAE paper: anomalies are the positive class."""
    from sklearn.metrics import roc_auc_score

    tp = int(np.sum(anomalous_scores > threshold))
    fn = len(anomalous_scores) - tp
    tn = int(np.sum(normal_scores <= threshold))
    fp = len(normal_scores) - tn
    tpr = tp / max(1, tp + fn)
    ppv = tp / max(1, tp + fp)
    y = np.concatenate([np.zeros(len(normal_scores)), np.ones(len(anomalous_scores))])
    auroc = roc_auc_score(y, np.concatenate([normal_scores, anomalous_scores]))
    return {"TPR": tpr, "TNR": tn / max(1, tn + fp), "PPV": ppv, "FNR": fn / max(1, tp + fn),
            "F1": 2 * ppv * tpr / max(1e-12, ppv + tpr), "AUROC": float(auroc),
            "threshold": float(threshold), "normal": len(normal_scores), "anomalous": len(anomalous_scores)}
