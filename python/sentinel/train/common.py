# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared training pieces: seeding, resumable checkpoints, the classifier training loop,
detection metrics."""

import os
import pathlib
import random
import time

import numpy as np


def set_seed(seed):
    import torch

    random.seed(seed)
    np.random.seed(seed % (2 ** 32))
    torch.manual_seed(seed)


class Checkpoint:
    """Save after every epoch, resume from the last one. Loads with weights_only=True."""

    def __init__(self, folder, name="checkpoint.pt", strict=True):
        """strict=False: restore the model's parameters and ignore its buffers (for models
        whose buffers are fit after training and may change shape between versions)."""
        self.path = pathlib.Path(folder) / name if folder else None
        self.strict = strict

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
        if self.strict:
            model.load_state_dict(state["model"])
        else:
            parameters = {name for name, _ in model.named_parameters()}
            model.load_state_dict({k: v for k, v in state["model"].items() if k in parameters}, strict=False)
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


def _batches(n, size, generator=None):
    import torch

    order = torch.randperm(n, generator=generator) if generator is not None else torch.arange(n)
    for i in range(0, n, size):
        yield order[i:i + size]


def reconstruction_epoch(model, x_train, batch_size, optimizer, generator, target=lambda x: x):
    """One epoch of an autoencoder's MSE training in shuffled batches; model.reconstruct(x)
    returns (reconstruction, latent), `target(x)` what it should reconstruct. Returns the
    mean training MSE."""
    import torch

    model.train()
    total = 0.0
    for idx in _batches(len(x_train), batch_size, generator):
        xb = x_train[idx]
        loss = torch.mean((model.reconstruct(xb)[0] - target(xb)) ** 2)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(xb)
    return total / len(x_train)


def predict_proba(model, x, batch=2048):
    import torch

    model.eval()
    out = []
    with torch.inference_mode():
        for i in range(0, len(x), batch):
            out.append(torch.softmax(model(torch.as_tensor(x[i:i + batch])), dim=1).numpy())
    return np.concatenate(out)


def fit(model, x_train, y_train, x_valid, y_valid, weights=None, epochs=30, batch_size=512, lr=1e-3,
        patience=15, seed=1, checkpoint_dir=None, log=print, aux_train=None, aux_weight=0.0):
    """Train with (weighted) cross-entropy and early stopping; returns history, restores the best epoch.

    aux_train: per training example, a target for the model's auxiliary_loss (e.g. the
    RTN's known carrier offset), added to the loss with weight aux_weight."""
    import torch

    set_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    checkpoint = Checkpoint(checkpoint_dir)
    start, history, best_state = checkpoint.restore(model, optimizer)
    best_state = best_state or {k: v.clone() for k, v in model.state_dict().items()}
    best_loss = min((h["valid_loss"] for h in history), default=float("inf"))
    generator = torch.Generator().manual_seed(seed + start)
    xt = torch.as_tensor(x_train)
    yt = torch.as_tensor(y_train, dtype=torch.long)
    wt = torch.as_tensor(weights, dtype=torch.float32) if weights is not None else None
    at = torch.as_tensor(aux_train, dtype=torch.float32) if aux_train is not None and aux_weight else None
    xv = torch.as_tensor(x_valid)
    yv = torch.as_tensor(y_valid, dtype=torch.long)
    for epoch in range(start, epochs):
        began = time.perf_counter()
        model.train()
        total = 0.0
        for idx in _batches(len(xt), batch_size, generator):
            losses = torch.nn.functional.cross_entropy(model(xt[idx]), yt[idx], reduction="none")
            loss = (losses * wt[idx]).mean() if wt is not None else losses.mean()
            if at is not None:
                loss = loss + aux_weight * model.auxiliary_loss(at[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(idx)
        model.eval()
        with torch.inference_mode():
            logits = torch.cat([model(xv[i:i + 2048]) for i in range(0, len(xv), 2048)])
            valid_loss = float(torch.nn.functional.cross_entropy(logits, yv))
            valid_acc = float((logits.argmax(1) == yv).float().mean())
        history.append({"epoch": epoch, "train_loss": total / len(xt), "valid_loss": valid_loss,
                        "valid_accuracy": valid_acc, "seconds": time.perf_counter() - began})
        log("epoch {:3d}  loss {:.4f}  valid loss {:.4f}  valid acc {:.4f}  {:.0f} s".format(
            epoch, history[-1]["train_loss"], valid_loss, valid_acc, history[-1]["seconds"]))
        if valid_loss < best_loss:
            best_loss = valid_loss
            best_state = {k: v.clone() for k, v in model.state_dict().items()}
        checkpoint.save(epoch, model, optimizer, history, best_state)
        best_epoch = min(history, key=lambda h: h["valid_loss"])["epoch"]
        if epoch - best_epoch >= patience:
            log("early stop: no better validation loss for {} epochs".format(patience))
            break
    model.load_state_dict(best_state)
    return history
