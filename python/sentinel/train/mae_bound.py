# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""The best any detector can do on the MAE paper's recipe: the likelihood-ratio detector.

Each window holds N i.i.d. symbols, one sample per symbol, in complex AWGN of per-sample
power sigma^2 = 10^(-snr/10) (the recipe's constellations have unit power). It knows
the five constellations and marginalises over what it does not know: the modulation
(equal priors within the normal and within the anomalous set) and the SNR (equal
priors over the recipe's SNRs):

    p(x | m, s) = prod_n (1/M_m) sum_k exp(-|x_n - c_k|^2 / sigma_s^2) / (pi sigma_s^2)
    score(x)    = log sum_{m anomalous, s} p(x | m, s) - log sum_{m normal, s} p(x | m, s)

(the constant prior ratio does not change a ROC). By the Neyman-Pearson lemma no other
score of the window has a higher AUROC against these two hypotheses.

The bound knows the anomalous constellations; an anomaly detector trained on normal data
does not. As a reference for that case the report adds the normal-only score
-log sum_{m normal, s} p(x | m, s): the exact normal likelihood, no model of the anomalies.
It is not a bound (a detector can be luckier or worse), only what knowing the normal
hypothesis exactly gives by itself.
"""

import math

import numpy as np


def log_likelihoods(windows, constellations, snrs_db, elements=4_000_000):
    """log p(x | m, s) of complex windows (B, N): an array (B, len(constellations), len(snrs_db)).
    `elements`: the largest (windows x samples x points x SNRs) block computed at once."""
    import torch

    x = torch.as_tensor(np.asarray(windows, np.complex64))
    sigma2 = torch.tensor([10 ** (-s / 10) for s in snrs_db], dtype=torch.float64)
    out = torch.empty((x.shape[0], len(constellations), len(snrs_db)), dtype=torch.float64)
    n = x.shape[1]
    for m, points in enumerate(constellations):
        c = torch.as_tensor(np.asarray(points, np.complex64))
        chunk = max(1, elements // (n * len(points) * len(snrs_db)))
        for start in range(0, x.shape[0], chunk):
            block = x[start:start + chunk]
            # |x - c|^2 for every sample and point: (b, N, K), float64 for the sum over N.
            d2 = (torch.abs(block.unsqueeze(2) - c.view(1, 1, -1)) ** 2).to(torch.float64)
            per_snr = torch.logsumexp(-d2.unsqueeze(-1) / sigma2, dim=2).sum(dim=1)
            out[start:start + chunk, m] = per_snr - n * torch.log(math.pi * sigma2) - n * math.log(len(points))
    return out.numpy()


def scores(windows, normal, anomalous, snrs_db, with_normal_only=False):
    """The log likelihood ratio (anomalous over normal) of each window; `normal` and
    `anomalous` are lists of constellations (lists of complex points). with_normal_only:
    also return the normal-only score -log p(x | normal)."""
    from scipy.special import logsumexp

    ll = log_likelihoods(windows, list(normal) + list(anomalous), snrs_db)
    k = len(normal)
    normal_ll = logsumexp(ll[:, :k].reshape(len(ll), -1), axis=1)
    ratio = logsumexp(ll[:, k:].reshape(len(ll), -1), axis=1) - normal_ll
    return (ratio, -normal_ll) if with_normal_only else ratio


def auroc_by_snr(score, anomalous, snr):
    """{snr: AUROC} and the pooled AUROC."""
    from sklearn.metrics import roc_auc_score

    per = {float(s): float(roc_auc_score(anomalous[snr == s], score[snr == s])) for s in np.unique(snr)}
    return per, float(roc_auc_score(anomalous, score))


def evaluate_bound(ds, rows, per_cell=None, rng=None, log=print):
    """The bound on the MAE recipe's dataset `ds` (its test rows `rows`, a boolean mask),
    at most `per_cell` windows per (class, SNR) (None: all). Returns a report dict."""
    from ..data import modulators

    params = ds.parameters
    normal_names = params.get("normal_classes")
    anomalous_names = params.get("anomalous_classes")
    if not normal_names or not anomalous_names or params.get("samples_per_symbol") != 1:
        raise ValueError("data: the bound needs the MAE recipe (one sample per symbol, normal and anomalous "
                         "classes in its metadata)")
    snrs = [float(s) for s in params["snrs_db"]]
    chosen = np.flatnonzero(rows)
    if per_cell:
        rng = rng or np.random.default_rng(0)
        picked = []
        keys = ds.label[chosen].astype(np.int64) * 1000 + np.round(ds.snr[chosen]).astype(np.int64)
        for key in np.unique(keys):
            members = chosen[keys == key]
            picked.append(rng.choice(members, min(per_cell, len(members)), replace=False))
        chosen = np.sort(np.concatenate(picked))
    names = list(ds.class_names)
    anomalous = np.isin(ds.label[chosen], [names.index(c) for c in anomalous_names])
    score, normal_only = scores(ds.complex()[chosen], [modulators.LINEAR_CONSTELLATIONS[c] for c in normal_names],
                                [modulators.LINEAR_CONSTELLATIONS[c] for c in anomalous_names], snrs, True)
    per_snr, pooled = auroc_by_snr(score, anomalous, ds.snr[chosen])
    normal_per_snr, normal_pooled = auroc_by_snr(normal_only, anomalous, ds.snr[chosen])
    log("likelihood-ratio bound: AUROC {:.4f} pooled over {} windows (normal-only likelihood: {:.4f})".format(
        pooled, len(chosen), normal_pooled))
    return {"pooled_auroc": pooled, "auroc_by_snr": per_snr, "windows": int(len(chosen)),
            "normal_only": {"pooled_auroc": normal_pooled, "auroc_by_snr": normal_per_snr,
                            "detector": "-log p(x | normal): the exact normal likelihood, equal priors over the "
                                        "normal modulations and the SNRs; no model of the anomalies"},
            "windows_per_class_snr": per_cell, "normal_classes": list(normal_names),
            "anomalous_classes": list(anomalous_names), "snrs_db": snrs,
            "detector": "log-likelihood ratio, known constellations, equal priors over the modulations of "
                        "each hypothesis and over the SNRs, i.i.d. symbols in calibrated complex AWGN"}
