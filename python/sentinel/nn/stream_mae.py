# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""The stream MAE: the MAE's hybrid score on a convolutional + dense autoencoder of raw I/Q,
the unsupervised representation learning of O'Shea, Corgan and Clancy (T. J. O'Shea,
J. Corgan, T. C. Clancy, "Unsupervised representation learning of structured radio
communication signals", arXiv:1604.07078), with an estimate of the window's SNR so an
empty channel is reported as such instead of being scored.

Input: (B, 2, L) I and Q rows of a window at unit mean power. Output (B, 4): hybrid score,
Mahalanobis distance, reconstruction MSE, estimated SNR in dB.

The SNR estimate is a 64-bin averaged periodogram with a Hann window (little leakage out of
an emitter's band), computed as a matrix product (so it exports to ONNX): noise floor = mean of its `floor_bins` lowest bins times `floor_bias`
(set on noise windows so that noise alone reads a ratio of 1), SNR = mean power / floor - 1.
"""

import math

import torch
from torch import nn

from .mae import HybridScore

PSD_BINS = 64


def iq_rows(windows):
    """Complex windows (B, L) -> float32 (B, 2, L) at unit mean power per window."""
    import numpy as np

    windows = np.asarray(windows, np.complex64)
    rms = np.sqrt(np.mean(np.abs(windows) ** 2, axis=1, keepdims=True))
    unit = windows / np.where(rms > 0, rms, 1.0)
    return np.ascontiguousarray(np.stack([unit.real, unit.imag], axis=1), dtype=np.float32)


class PeriodogramSNR(nn.Module):
    def __init__(self, floor_bins=8):
        super().__init__()
        k = torch.arange(PSD_BINS, dtype=torch.float64)
        angle = 2 * math.pi * torch.outer(k, k) / PSD_BINS
        hann = (0.5 - 0.5 * torch.cos(2 * math.pi * (k + 0.5) / PSD_BINS)).unsqueeze(1)
        self.register_buffer("cos", (hann * torch.cos(angle)).float())
        self.register_buffer("sin", (hann * torch.sin(angle)).float())
        self.register_buffer("floor_bias", torch.ones(()))
        self.floor_bins = floor_bins

    def ratio(self, x):
        """(B, 2, L) -> (B,) mean periodogram bin / noise floor estimate (1 for noise alone)."""
        b, _, length = x.shape
        segments = length // PSD_BINS
        re = x[:, 0, :segments * PSD_BINS].reshape(b, segments, PSD_BINS)
        im = x[:, 1, :segments * PSD_BINS].reshape(b, segments, PSD_BINS)
        power = (re @ self.cos + im @ self.sin) ** 2 + (im @ self.cos - re @ self.sin) ** 2
        psd = power.mean(dim=1)
        lowest = torch.topk(psd, self.floor_bins, dim=1, largest=False).values.mean(dim=1)
        return psd.mean(dim=1) / torch.clamp(lowest * self.floor_bias, min=1e-12)

    def forward(self, x):
        return 10.0 * torch.log10(torch.clamp(self.ratio(x) - 1.0, min=1e-4))


class StreamAutoencoder(HybridScore):
    def __init__(self, length=1024, channels=(32, 32, 64, 64), dense=128, latent=32, negative_slope=0.01,
                 floor_bins=8):
        super().__init__()
        if length % 16 or length % PSD_BINS:
            raise ValueError("length: {}; allowed: a multiple of 64".format(length))
        act = lambda: nn.LeakyReLU(negative_slope)  # noqa: E731
        layers, previous = [], 2
        for i, c in enumerate(channels):
            layers += [nn.Conv1d(previous, c, 7 if i == 0 else 5, stride=2, padding=3 if i == 0 else 2), act()]
            previous = c
        self.reduced = (channels[-1], length // 2 ** len(channels))
        flat = self.reduced[0] * self.reduced[1]
        self.encoder = nn.Sequential(*layers, nn.Flatten(), nn.Linear(flat, dense), act(), nn.Linear(dense, latent))
        self.expand = nn.Sequential(nn.Linear(latent, dense), act(), nn.Linear(dense, flat), act())
        back, outs = [], list(reversed(channels[:-1])) + [2]
        previous = channels[-1]
        for i, c in enumerate(outs):
            back.append(nn.ConvTranspose1d(previous, c, 4, stride=2, padding=1))
            if i < len(outs) - 1:
                back.append(act())
            previous = c
        self.decoder = nn.Sequential(*back)
        self.snr = PeriodogramSNR(floor_bins)
        self._score_buffers(latent)

    def reconstruct(self, x):
        z = self.encoder(x)
        h = self.expand(z).view(-1, *self.reduced)
        return self.decoder(h), z

    def forward(self, x):
        x_hat, z = self.reconstruct(x)
        return torch.cat([self.hybrid(x, x_hat, z), self.snr(x).unsqueeze(1)], dim=1)
