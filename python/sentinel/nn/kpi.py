# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Multi-scale convolutional LSTM for cell-KPI anomaly detection (Noonari et al. 2024).

A window of W steps x F KPIs goes through two multi-scale stages (parallel
convolutions with kernel sizes 3, 5 and 7; 32 filters per branch, then 64),
max-pooling by 2, two LSTM layers, and a linear layer to two logits
(normal, anomaly). The paper's summary gives the layer order and filter counts;
kernel sizes, the LSTM width and dropout are ours and recorded in the card.

Preprocessing (`features`): log1p of the non-negative KPIs, standardised per KPI
with the training set's mean and standard deviation, plus the standardised change
from the previous report as F more channels and the fraction of KPIs that repeat
the previous report exactly (ours: without them frozen counters went undetected,
recall 0.07 on network A; with the change channels alone 0.71).
"""

import numpy as np
import torch
from torch import nn

KIND = "kpi"
CLASSES = ["normal", "anomaly"]

DEFAULT_ARCHITECTURE = {"name": "multiscale_convlstm", "kernels": [3, 5, 7], "filters": [32, 64],
                        "lstm_hidden": 64, "lstm_layers": 2, "dropout": 0.2}


class MultiScaleConv(nn.Module):
    """Parallel same-length convolutions of several kernel sizes, concatenated."""

    def __init__(self, channels_in, filters, kernels):
        super().__init__()
        self.branches = nn.ModuleList(
            nn.Sequential(nn.Conv1d(channels_in, filters, k, padding=k // 2), nn.BatchNorm1d(filters), nn.ReLU())
            for k in kernels)

    def forward(self, x):
        return torch.cat([branch(x) for branch in self.branches], dim=1)


class MultiScaleConvLSTM(nn.Module):
    def __init__(self, kpis, kernels=(3, 5, 7), filters=(32, 64), lstm_hidden=64, lstm_layers=2, dropout=0.2):
        super().__init__()
        if any(k % 2 == 0 for k in kernels):
            raise ValueError("kernels: must be odd sizes, got {}".format(list(kernels)))
        stages = []
        channels = kpis
        for f in filters:
            stages.append(MultiScaleConv(channels, f, kernels))
            channels = f * len(kernels)
        self.frontend = nn.Sequential(*stages, nn.MaxPool1d(2))
        self.lstm = nn.LSTM(channels, lstm_hidden, num_layers=lstm_layers, batch_first=True,
                            dropout=dropout if lstm_layers > 1 else 0.0)
        self.head = nn.Linear(lstm_hidden, len(CLASSES))
        self.frontend_frozen = False

    def freeze_frontend(self, frozen=True):
        """Transfer learning: keep the convolutional front end (and its batch-norm
        statistics) fixed while the LSTM and the head adapt."""
        self.frontend_frozen = bool(frozen)
        for parameter in self.frontend.parameters():
            parameter.requires_grad_(not frozen)
        return self

    def train(self, mode=True):
        super().train(mode)
        if self.frontend_frozen:
            self.frontend.eval()
        return self

    def forward(self, x):
        """x: (B, W, F) standardised KPIs -> (B, 2) logits."""
        h = self.frontend(x.transpose(1, 2)).transpose(1, 2)
        out, _ = self.lstm(h)
        return self.head(out[:, -1])


def build(architecture, kpis):
    """The model for `kpis` KPIs (its input has 2 * kpis + 1 channels, see `features`)."""
    arch = dict(DEFAULT_ARCHITECTURE, **(architecture or {}))
    return MultiScaleConvLSTM(2 * kpis + 1, arch["kernels"], arch["filters"], arch["lstm_hidden"],
                              arch["lstm_layers"], arch["dropout"])


def fit_scaler(rows):
    """Per-KPI mean and std of log1p(rows), and the std of its report-to-report change.

    rows: (N, F) consecutive reports of one or more cells (the few cell boundaries
    barely move the change statistics)."""
    logged = np.log1p(np.maximum(np.asarray(rows, np.float64), 0.0))
    std = logged.std(axis=0)
    change = np.diff(logged, axis=0).std(axis=0) if len(logged) > 1 else np.ones(logged.shape[1])
    return (logged.mean(axis=0).astype(np.float32), np.where(std > 1e-6, std, 1.0).astype(np.float32),
            np.where(change > 1e-6, change, 1.0).astype(np.float32))


def scaler_from_card(card):
    """(mean, std, change_std) as a bundle card stores them."""
    pre = card["preprocessing"]
    return pre["mean"], pre["std"], pre["change_std"]


def features(windows, mean, std, change_std):
    """Raw KPI windows (B, W, F) -> float32 model input (B, W, 2F + 1): the standardised
    log KPIs, their standardised change from the previous report (0 on the first),
    and the fraction of KPIs whose report repeats the previous one exactly. The last
    channels make frozen counters and sudden drops visible to the first convolution."""
    windows = np.asarray(windows, np.float32)
    logged = np.log1p(np.maximum(windows, 0.0))
    level = (logged - np.asarray(mean, np.float32)) / np.asarray(std, np.float32)
    change = np.zeros_like(logged)
    change[:, 1:] = np.diff(logged, axis=1) / np.asarray(change_std, np.float32)
    repeated = np.zeros(logged.shape[:2] + (1,), np.float32)
    repeated[:, 1:, 0] = np.mean(windows[:, 1:] == windows[:, :-1], axis=2)
    return np.concatenate([level, change, repeated], axis=2).astype(np.float32)
