# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""The channel autoencoder of O'Shea and Hoydis: k bits -> n complex channel uses -> k bits.

Encoder: one-hot message (M = 2^k) -> dense ReLU -> dense to 2n reals -> power
normalisation, either "average" (the codebook's mean energy per complex channel use is
1) or "symbol" (every complex channel use has unit magnitude). Decoder: 2n reals ->
dense ReLU -> dense to M logits. The channel between them is a layer: AWGN at an
Eb/N0 (rate R = k/n, Es = 1 per complex use, so N0 = 1 / (R Eb/N0)), optionally
multiplied by a flat-fading gain per message.
"""

import math

import torch
from torch import nn

KIND = "modem"
NORMALIZATIONS = ("average", "symbol")


class ChannelAutoencoder(nn.Module):
    def __init__(self, k=4, n=7, hidden=0, normalization="average"):
        super().__init__()
        if normalization not in NORMALIZATIONS:
            raise ValueError("normalization: unknown '{}'; allowed: {}".format(normalization, ", ".join(NORMALIZATIONS)))
        self.k, self.n, self.m = k, n, 2 ** k
        hidden = hidden or max(self.m, 64)
        self.normalization = normalization
        self.encoder = nn.Sequential(nn.Linear(self.m, hidden), nn.ReLU(), nn.Linear(hidden, 2 * n))
        self.decoder = nn.Sequential(nn.Linear(2 * n, hidden), nn.ReLU(), nn.Linear(hidden, hidden),
                                     nn.ReLU(), nn.Linear(hidden, self.m))

    def normalize(self, x):
        """(B, 2n) reals -> normalised (B, 2n); "average" uses the batch's mean energy."""
        if self.normalization == "symbol":
            z = x.view(-1, self.n, 2)
            return (z / torch.clamp(z.norm(dim=2, keepdim=True), min=1e-9)).view(-1, 2 * self.n)
        energy = torch.mean(torch.sum(x ** 2, dim=1))
        return x * math.sqrt(self.n) / torch.sqrt(energy)

    def codebook(self):
        """All M codewords as complex (M, n), normalised over the whole (uniform) codebook."""
        x = self.normalize(self.encoder(torch.eye(self.m)))
        z = x.view(self.m, self.n, 2)
        return torch.complex(z[..., 0], z[..., 1])

    def encode(self, messages):
        return self.normalize(self.encoder(nn.functional.one_hot(messages, self.m).float()))

    def forward(self, received):
        """(B, 2n) received reals (I, Q interleaved per channel use) -> (B, M) logits."""
        return self.decoder(received)


def noise_std(k, n, ebn0_db):
    """Per-real-dimension noise standard deviation for unit Es per complex channel use."""
    n0 = 1.0 / ((k / n) * 10 ** (ebn0_db / 10.0))
    return math.sqrt(n0 / 2.0)


def channel(x, k, n, ebn0_db, gains=None, generator=None):
    """AWGN (and optional flat-fading complex gains, one per message) on (B, 2n) reals."""
    if gains is not None:
        z = torch.complex(x[:, 0::2], x[:, 1::2]) * gains[:, None]
        x = torch.stack([z.real, z.imag], dim=2).reshape(x.shape)
    noise = torch.randn(x.shape, generator=generator) * noise_std(k, n, ebn0_db)
    return x + noise


def build(architecture):
    return ChannelAutoencoder(**architecture)
