# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""White-box L2 PGD and the attack objectives of the HTRD paper.

Budgets follow the paper: eps = sqrt(PNR * ||x||^2 / (SNR + 1)), SNR and PNR as
linear ratios, per sample. Every attack returns perturbed inputs whose perturbation
norm is at most its budget (projected after every step).
"""

import torch
import torch.nn.functional as F


def attack_budget(x, snr_db, pnr_db):
    """Per-sample L2 budgets (B,) for inputs x (B, ...)."""
    energy = x.flatten(1).pow(2).sum(1)
    return torch.sqrt(10 ** (pnr_db / 10) * energy / (10 ** (snr_db / 10) + 1))


def project_l2(delta, eps):
    norms = delta.flatten(1).norm(dim=1).clamp_min(1e-12)
    factor = torch.clamp(eps / norms, max=1.0)
    return delta * factor.view(-1, *([1] * (delta.dim() - 1)))


def pgd_l2(objective, x, eps, steps=10, step_fraction=2.5, active=None):
    """Maximise objective(x') -> (B,) within ||x' - x||_2 <= eps (B,).

    active(x') -> bool (B,) optionally freezes samples that already reached the
    attacker's goal (the two-condition attack stops them there)."""
    eps = torch.as_tensor(eps, dtype=x.dtype)
    step = (step_fraction * eps / max(1, steps)).view(-1, *([1] * (x.dim() - 1)))
    delta = torch.zeros_like(x)
    for _ in range(steps):
        delta.requires_grad_(True)
        value = objective(x + delta)
        grad, = torch.autograd.grad(value.sum(), delta)
        grad = grad / grad.flatten(1).norm(dim=1).clamp_min(1e-12).view(-1, *([1] * (x.dim() - 1)))
        with torch.no_grad():
            moved = project_l2(delta + step * grad, eps)
            if active is not None:
                keep = active(x + delta).view(-1, *([1] * (x.dim() - 1)))
                moved = torch.where(keep, moved, delta)
        delta = moved.detach()
    return (x + delta).detach()


def _true_and_best_wrong(scores, y):
    true = scores.gather(1, y[:, None])[:, 0]
    wrong = scores.masked_fill(F.one_hot(y, scores.shape[1]).bool(), float("-inf")).max(1).values
    return true, wrong


def cross_entropy_objective(logits_fn, y):
    """Untargeted attack on a plain classifier: raise the loss of the true class."""
    return lambda xa: F.cross_entropy(logits_fn(xa), y, reduction="none")


def margin_objective(logits_fn, y):
    """Untargeted logit-difference attack: max_{j != y} g_j - g_y. Unlike cross-entropy
    it does not flatten out on networks trained with smoothed labels."""
    def objective(xa):
        true, wrong = _true_and_best_wrong(logits_fn(xa), y)
        return wrong - true
    return objective


LOSSES = {"cross_entropy": cross_entropy_objective, "margin": margin_objective}


SVM_MARGIN_WEIGHT = 10.0   # SVM scores span about a tenth of the CNN logits' range
SVM_MARGIN_CAP = 0.05      # past this SVM margin the head-agreement term takes the step


def rejection_escape_objective(outputs_fn, y, threshold, min_proximity=0.0, max_head_gap=None, target="svm"):
    """Eq. (5) against a rejecting classifier, adapted to every reject rule: the class k
    must beat the other SVM scores and the reject score S0. Without the head rule k is
    the best wrong class and the objective is max_{j != y} s_j - max(s_y, S0).

    outputs_fn(x) returns scores, (scores, proximity) or (scores, proximity, logits).
    - proximity below min_proximity is rejected too: the objective adds
      log(proximity / min_proximity) while below that floor (0 above it);
    - with max_head_gap (needs logits), the CNN head must keep k within max_head_gap of
      its top logit: the objective adds min(max_head_gap, g_k + max_head_gap - max_{j != k} g_j)
      to the SVM part (weighted, capped so that a won SVM margin leaves the step to
      the head term). target picks k: the best wrong class of the SVMs ("svm") or of
      the CNN head ("head")."""
    if target not in ("svm", "head"):
        raise ValueError("target: '{}'; allowed: svm, head".format(target))

    def objective(xa):
        out = outputs_fn(xa)
        scores, proximity, logits = ((out if isinstance(out, tuple) else (out,)) + (None, None))[:3]
        if max_head_gap is not None and logits is None:
            raise ValueError("outputs_fn: must return (scores, proximity, logits) when max_head_gap is set")
        if max_head_gap is None:
            true, wrong = _true_and_best_wrong(scores, y)
            value = wrong - torch.clamp(true, min=threshold)
        else:
            source = scores if target == "svm" else logits
            k = source.masked_fill(F.one_hot(y, scores.shape[1]).bool(), float("-inf")).argmax(1)
            chosen, others = _true_and_best_wrong(scores, k)
            value = chosen - torch.clamp(others, min=threshold)
        if proximity is not None and min_proximity > 0:
            value = value + torch.clamp(torch.log(proximity.clamp_min(1e-300) / min_proximity), max=0.0)
        if max_head_gap is None:
            return value
        head_chosen, head_others = _true_and_best_wrong(logits, k)
        head = torch.clamp(head_chosen + max_head_gap - head_others, max=max_head_gap)
        return SVM_MARGIN_WEIGHT * torch.clamp(value, max=SVM_MARGIN_CAP).to(head.dtype) + head
    return objective


def two_condition_objective(logits_fn, reconstruction_error_fn, y, threshold, scale=1.0, loss="cross_entropy"):
    """The paper's white-box attack on adversarial retraining + autoencoder detector:
    while the CNN is still right, raise its loss (`loss`: cross_entropy or margin, the
    paper allows either); once it is wrong, lower the detector's reconstruction error,
    with a soft term that keeps the wrong class ahead (without it the two conditions
    undo each other from step to step)."""
    if loss not in LOSSES:
        raise ValueError("loss: unknown '{}'; allowed: {}".format(loss, ", ".join(LOSSES)))

    def objective(xa):
        logits = logits_fn(xa)
        correct = logits.argmax(1) == y
        true, wrong = _true_and_best_wrong(logits, y)
        first = LOSSES[loss](lambda _: logits, y)(xa)
        escape = -scale * reconstruction_error_fn(xa) / threshold - F.softplus(true - wrong)
        return torch.where(correct, first, escape)
    return objective


def two_condition_active(logits_fn, reconstruction_error_fn, y, threshold):
    """Still attacking unless misclassified and below the detector threshold."""
    def active(xa):
        with torch.no_grad():
            done = (logits_fn(xa).argmax(1) != y) & (reconstruction_error_fn(xa) < threshold)
        return ~done
    return active

