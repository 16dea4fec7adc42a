# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Modulation classifiers on (B, 2, L) I/Q windows: AFNet, VT-CNN2 and a ResNet baseline.

AFNet (Shi, Peng, Zhuang, arXiv 2203.03140) uses a 1-D layout: I and Q are the two
input channels, which measured about 7x faster on a 2-core CPU than the same
network laid out in 2-D. Its AF unit has two parallel branches, a small and a
large receptive field (grouped convolutions, the second dilated), fused by
selective-kernel attention: sum -> global average pool -> FC (reduction r) ->
one FC per branch -> softmax across branches, scaled by lambda. With lambda = 1
the unit fuses its two branches; a second fusion with lambda = 2 blends the
unit's output with its input (an adaptive skip that equals a plain residual sum
when the attention is even). The text lost kernel sizes, dilations, groups and
pooling positions; the defaults below were chosen by the ablation recorded in
the shipped model card.
"""

import torch
from torch import nn

KIND = "amc"


INPUT_SCALES = ("energy", "power")


def preprocess(windows, scale="energy"):
    """Complex windows (B, L) -> float32 (B, 2, L), each window scaled so a receiver's
    gain does not matter: "energy" to unit energy (the dataset's default), "power" to
    unit average power per sample (= energy scaling times sqrt(L)). Networks without
    batch normalisation (VT-CNN2) stay at chance on unit-energy windows."""
    import numpy as np

    if scale not in INPUT_SCALES:
        raise ValueError("input scale: unknown '{}'; allowed: {}".format(scale, ", ".join(INPUT_SCALES)))
    windows = np.asarray(windows, np.complex64)
    norm = np.sum(np.abs(windows) ** 2, axis=1, keepdims=True)
    if scale == "power":
        norm = norm / windows.shape[1]
    unit = windows / np.sqrt(np.where(norm > 0, norm, 1.0))
    return np.stack([unit.real, unit.imag], axis=1).astype(np.float32)


def to_complex(rows):
    """(B, 2, L) I and Q rows (numpy or torch) -> complex64 windows (B, L)."""
    import numpy as np

    rows = np.asarray(rows)
    return (rows[:, 0] + 1j * rows[:, 1]).astype(np.complex64)


class SelectiveFusion(nn.Module):
    """lambda * softmax-weighted sum of two same-shaped inputs (per channel)."""

    def __init__(self, channels, reduction=16, scale=1.0):
        super().__init__()
        hidden = max(channels // reduction, 4)
        self.squeeze = nn.Sequential(nn.Linear(channels, hidden), nn.ReLU(inplace=True))
        self.select_a = nn.Linear(hidden, channels)
        self.select_b = nn.Linear(hidden, channels)
        self.scale = scale

    def forward(self, a, b):
        s = self.squeeze((a + b).mean(dim=2))
        weights = torch.softmax(torch.stack([self.select_a(s), self.select_b(s)], dim=0), dim=0)
        return self.scale * (weights[0].unsqueeze(2) * a + weights[1].unsqueeze(2) * b)


class AFUnit(nn.Module):
    def __init__(self, channels, kernel=3, dilation=2, groups=8, reduction=16):
        super().__init__()

        def branch(d):
            return nn.Sequential(
                nn.Conv1d(channels, channels, kernel, padding=d * (kernel - 1) // 2, dilation=d,
                          groups=groups, bias=False),
                nn.BatchNorm1d(channels), nn.ReLU(inplace=True))

        self.small = branch(1)
        self.large = branch(dilation)
        self.fuse_branches = SelectiveFusion(channels, reduction, scale=1.0)
        self.fuse_skip = SelectiveFusion(channels, reduction, scale=2.0)

    def forward(self, x):
        y = self.fuse_branches(self.small(x), self.large(x))
        return self.fuse_skip(y, x)


class AFNet(nn.Module):
    def __init__(self, classes=11, channels=48, units=9, kernel=3, dilation=2, groups=8,
                 reduction=16, pool_after=(3, 6), stem_kernel=7):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv1d(2, channels, stem_kernel, padding=stem_kernel // 2, bias=False),
                                  nn.BatchNorm1d(channels), nn.ReLU(inplace=True))
        layers = []
        for i in range(units):
            layers.append(AFUnit(channels, kernel, dilation, groups, reduction))
            if i + 1 in pool_after:
                layers.append(nn.MaxPool1d(2))
        self.body = nn.Sequential(*layers)
        self.head = nn.Linear(channels, classes)

    def features(self, x):
        return self.body(self.stem(x)).mean(dim=2)

    def forward(self, x):
        return self.head(self.features(x))


class VTCNN2(nn.Module):
    """O'Shea 2016's CNN exactly: 2,830,427 parameters for 11 classes and L = 128."""

    def __init__(self, classes=11, length=128, dropout=0.5):
        super().__init__()
        self.conv = nn.Sequential(
            nn.ZeroPad2d((2, 2, 0, 0)), nn.Conv2d(1, 256, (1, 3)), nn.ReLU(inplace=True), nn.Dropout(dropout),
            nn.ZeroPad2d((2, 2, 0, 0)), nn.Conv2d(256, 80, (2, 3)), nn.ReLU(inplace=True), nn.Dropout(dropout),
            nn.Flatten())
        self.dense = nn.Sequential(nn.Linear(80 * (length + 4), 256), nn.ReLU(inplace=True), nn.Dropout(dropout))
        self.head = nn.Linear(256, classes)

    def features(self, x):
        return self.dense(self.conv(x.unsqueeze(1)))

    def forward(self, x):
        return self.head(self.features(x))


class ResidualStack(nn.Module):
    def __init__(self, in_channels, channels, kernel=3):
        super().__init__()
        self.project = nn.Sequential(nn.Conv1d(in_channels, channels, 1, bias=False), nn.BatchNorm1d(channels))
        self.units = nn.ModuleList([nn.Sequential(
            nn.Conv1d(channels, channels, kernel, padding=kernel // 2, bias=False), nn.BatchNorm1d(channels),
            nn.ReLU(inplace=True),
            nn.Conv1d(channels, channels, kernel, padding=kernel // 2, bias=False), nn.BatchNorm1d(channels))
            for _ in range(2)])
        self.pool = nn.MaxPool1d(2)

    def forward(self, x):
        x = self.project(x)
        for unit in self.units:
            x = torch.relu(x + unit(x))
        return self.pool(x)


class ResNet1D(nn.Module):
    """O'Shea, Roy, Clancy 2018 style: residual stacks (1x1 conv, two residual units,
    max-pool), then SELU dense layers; four stacks for 128-sample windows. Batch
    normalisation in every convolution: without it this baseline stayed at chance on
    unit-energy windows (12 epochs, Adam 1e-3)."""

    def __init__(self, classes=11, length=128, channels=32, stacks=4, dense=128, dropout=0.3):
        super().__init__()
        blocks = [ResidualStack(2 if i == 0 else channels, channels) for i in range(stacks)]
        self.stacks = nn.Sequential(*blocks)
        self.dense = nn.Sequential(nn.Flatten(), nn.Linear(channels * (length >> stacks), dense), nn.SELU(),
                                   nn.AlphaDropout(dropout), nn.Linear(dense, dense), nn.SELU(),
                                   nn.AlphaDropout(dropout))
        self.head = nn.Linear(dense, classes)

    def features(self, x):
        return self.dense(self.stacks(x))

    def forward(self, x):
        return self.head(self.features(x))


ARCHITECTURES = {"afnet": AFNet, "vtcnn2": VTCNN2, "resnet": ResNet1D}


def build(architecture):
    arch = dict(architecture)
    name = arch.pop("name")
    try:
        return ARCHITECTURES[name](**arch)
    except KeyError:
        raise ValueError("architecture: unknown '{}'; allowed: {}".format(name, ", ".join(ARCHITECTURES))) from None


def topk_confidence_weights(probabilities, k=3):
    """CW weights: w = 1 - H_k / log k, H_k the entropy of the renormalised top-k
    probabilities. 1 for a certain prediction, 0 for a uniform one over the top k."""
    if k < 2:
        raise ValueError("k: must be at least 2, got {}".format(k))
    top = torch.topk(probabilities, k, dim=1).values
    top = top / top.sum(dim=1, keepdim=True)
    entropy = -(top * torch.log(torch.clamp(top, min=1e-12))).sum(dim=1)
    return torch.clamp(1.0 - entropy / torch.log(torch.tensor(float(k))), 0.0, 1.0)
