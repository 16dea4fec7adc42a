# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Mahalanobis autoencoder (MAE) of Onyekwelu, Jang and Yoon, and its hybrid score.

Architecture (the paper's Table I): 2000 -> 1240 -> 245 -> 84 -> 12 -> 84 -> 245 ->
1240 -> 2000 with LeakyReLU; the bottleneck is linear and the output a sigmoid,
because inputs are min-max scaled to [0, 1] (the paper leaves both unstated).

Hybrid score (eqs. 3-6): xi = alpha * psi + beta * zeta, psi the Mahalanobis
distance of the latent z to the training latents' mean and covariance, zeta
the reconstruction MSE, alpha and beta the inverse standard deviations of psi
and zeta on validation data. All of that lives in buffers, so one forward
returns the score.
"""

import numpy as np
import torch
from torch import nn

KIND = "mae"
SCORE_COLUMNS = ("hybrid", "mahalanobis", "reconstruction")


FEATURES = ("iq", "sorted_amplitude", "iq_density")
#: iq_density: the grid of the 2-D histogram, bins per axis over +-DENSITY_EXTENT, smoothed
#: by a Gaussian of DENSITY_SMOOTHING cells (1000 samples over 576 cells are sparse).
DENSITY_BINS = 24
DENSITY_EXTENT = 3.0
DENSITY_SMOOTHING = 1.0


def features(windows, scale_min, scale_max, kind="iq"):
    """Complex windows (B, L) -> float32 (B, F), min-max scaled to about [0, 1].

    Each window is first scaled to unit RMS, because a receiver's gain is
    unknown (the paper scales a simulated dataset as a whole). Then:
    - "iq" (the paper): I and Q concatenated, F = 2L;
    - "sorted_amplitude": the window's |x| in ascending order (its empirical
      amplitude distribution), F = L; PSK is constant-envelope, QAM is not,
      and sorting removes the symbol order an autoencoder cannot model;
    - "iq_density": the share of the window's samples in each cell of a
      DENSITY_BINS x DENSITY_BINS grid over +-DENSITY_EXTENT in I and Q (the
      empirical joint distribution, which for i.i.d. symbols keeps everything
      the likelihood-ratio bound uses up to the grid), F = DENSITY_BINS^2.
    Finally the training set's fitted min and max scale it.
    """
    windows = np.asarray(windows, np.complex64)
    rms = np.sqrt(np.mean(np.abs(windows) ** 2, axis=1, keepdims=True))
    unit = windows / np.where(rms > 0, rms, 1.0)
    if kind == "iq":
        flat = np.concatenate([unit.real, unit.imag], axis=1)
    elif kind == "sorted_amplitude":
        flat = np.sort(np.abs(unit), axis=1)
    elif kind == "iq_density":
        flat = iq_density(unit)
    else:
        raise ValueError("features: unknown '{}'; allowed: {}".format(kind, ", ".join(FEATURES)))
    return ((flat - scale_min) / (scale_max - scale_min)).astype(np.float32)


def iq_density(unit):
    """(B, L) complex at unit power -> (B, DENSITY_BINS^2) float32: the share of the samples per
    cell, Gaussian-smoothed, times the number of cells (1 on average)."""
    from scipy.ndimage import gaussian_filter

    cell = lambda v: np.clip(((v + DENSITY_EXTENT) / (2 * DENSITY_EXTENT) * DENSITY_BINS).astype(np.int64),  # noqa: E731
                             0, DENSITY_BINS - 1)
    index = cell(unit.real) * DENSITY_BINS + cell(unit.imag) + np.arange(len(unit))[:, None] * DENSITY_BINS ** 2
    counts = np.bincount(index.ravel(), minlength=len(unit) * DENSITY_BINS ** 2).reshape(
        len(unit), DENSITY_BINS, DENSITY_BINS) * (DENSITY_BINS ** 2 / unit.shape[1])
    smooth = gaussian_filter(counts.astype(np.float64), (0, DENSITY_SMOOTHING, DENSITY_SMOOTHING), mode="constant")
    return smooth.reshape(len(unit), -1).astype(np.float32)


def stable_precision(covariance, relative_floor=1e-6):
    """Inverse of a covariance via its eigendecomposition, eigenvalues floored
    at relative_floor times the largest (robust to a near-singular latent)."""
    values, vectors = torch.linalg.eigh(covariance.double())
    values = torch.clamp(values, min=float(values.max()) * relative_floor)
    return (vectors @ torch.diag(1.0 / values) @ vectors.T).float()


class HybridScore(nn.Module):
    """The MAE's score on top of any autoencoder: buffers for the training latents' mean and
    precision and for alpha, beta; subclasses set `latent_size` and give reconstruct()."""

    def _score_buffers(self, latent):
        self.register_buffer("latent_mean", torch.zeros(latent))
        self.register_buffer("latent_precision", torch.eye(latent))
        self.register_buffer("alpha", torch.ones(()))
        self.register_buffer("beta", torch.ones(()))

    def mahalanobis(self, z):
        d = z - self.latent_mean
        return torch.sqrt(torch.clamp(torch.sum((d @ self.latent_precision) * d, dim=1), min=0.0))

    def hybrid(self, x, x_hat, z):
        """(B, 3): hybrid score, Mahalanobis distance, reconstruction MSE."""
        psi = self.mahalanobis(z)
        zeta = torch.mean((x - x_hat).flatten(1) ** 2, dim=1)
        return torch.stack([self.alpha * psi + self.beta * zeta, psi, zeta], dim=1)

    @torch.no_grad()
    def fit_latent(self, z_train):
        self.latent_mean.copy_(z_train.mean(dim=0))
        centred = z_train - self.latent_mean
        covariance = centred.T @ centred / max(1, len(z_train) - 1)
        self.latent_precision.copy_(stable_precision(covariance))

    @torch.no_grad()
    def fit_weights(self, psi_valid, zeta_valid):
        self.alpha.fill_(1.0 / float(psi_valid.std()))
        self.beta.fill_(1.0 / float(zeta_valid.std()))


class MahalanobisAutoencoder(HybridScore):
    def __init__(self, input_size=2000, hidden=(1240, 245, 84), latent=12, negative_slope=0.01):
        super().__init__()
        sizes = [input_size, *hidden]
        enc = []
        for a, b in zip(sizes[:-1], sizes[1:]):
            enc += [nn.Linear(a, b), nn.LeakyReLU(negative_slope)]
        enc.append(nn.Linear(sizes[-1], latent))
        self.encoder = nn.Sequential(*enc)
        back = [latent, *reversed(hidden)]
        dec = []
        for a, b in zip(back[:-1], back[1:]):
            dec += [nn.Linear(a, b), nn.LeakyReLU(negative_slope)]
        dec += [nn.Linear(back[-1], input_size), nn.Sigmoid()]
        self.decoder = nn.Sequential(*dec)
        self._score_buffers(latent)

    def reconstruct(self, x):
        z = self.encoder(x)
        return self.decoder(z), z

    def forward(self, x):
        """(B, input_size) -> (B, 3): hybrid score, Mahalanobis distance, reconstruction MSE."""
        x_hat, z = self.reconstruct(x)
        return self.hybrid(x, x_hat, z)


STREAM = "stream_conv_mae"
SPECTRAL = "stream_spectral_mae"
SPECTRAL_STATISTICS = "stream_spectral_statistics_mae"
SPECTRAL_GUARDED = "stream_spectral_guarded_mae"
#: architecture name -> the preprocessing.features its input is
STREAM_FEATURES = {STREAM: "iq_rows", SPECTRAL: "spectral_views",
                   SPECTRAL_STATISTICS: "spectral_views_with_statistics",
                   SPECTRAL_GUARDED: "spectral_views_with_statistics"}


def build(architecture):
    """The network a card's `architecture` names: a stream MAE (name "stream_spectral_mae",
    "stream_spectral_statistics_mae", "stream_spectral_guarded_mae" or "stream_conv_mae") or,
    without a name, the paper's dense MAE."""
    options = dict(architecture)
    name = options.pop("name", None)
    if name == STREAM:
        from .stream_mae import StreamAutoencoder
        return StreamAutoencoder(**options)
    if name == SPECTRAL:
        from .stream_mae import SpectralAutoencoder
        return SpectralAutoencoder(**options)
    if name == SPECTRAL_STATISTICS:
        from .stream_mae import StatisticsSpectralAutoencoder
        return StatisticsSpectralAutoencoder(**options)
    if name == SPECTRAL_GUARDED:
        from .stream_mae import GuardedSpectralAutoencoder
        return GuardedSpectralAutoencoder(**options)
    return MahalanobisAutoencoder(**options)
