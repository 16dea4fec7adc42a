# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""The stream MAE: the MAE's hybrid score on a convolutional + dense autoencoder in the
manner of the unsupervised representation learning of O'Shea, Corgan and Clancy (T. J.
O'Shea, J. Corgan, T. C. Clancy, "Unsupervised representation learning of structured radio
communication signals", arXiv:1604.07078), with an estimate of the window's SNR so an
empty channel is reported as such instead of being scored. Two inputs:

- SpectralAutoencoder (the shipped `mae`; GuardedSpectralAutoencoder, `mae_guarded`, adds
  a statistics guard for WBFM): the window's views that normal traffic
  constrains and anomalies break: a log spectrogram relative to the noise floor (8 frames
  x 64 bins), the distribution of the envelope and of the instantaneous frequency;
  a 2-D convolutional encoder for the spectrogram and a dense one for the distributions.
- StreamAutoencoder: raw I/Q rows, as O'Shea et al.; kept for the measured comparison
  (docs/mae.md): an autoencoder cannot compress random symbols, so chirps and tones,
  being simpler than the traffic, reconstruct better than it and score lower.

Output (B, 4): the hybrid score standardised at the window's estimated SNR (CalibratedScore),
Mahalanobis distance, reconstruction MSE, estimated SNR in dB.

The raw-I/Q network's SNR estimate is a 64-bin averaged periodogram with a Hann window
(little leakage out of an emitter's band), computed as a matrix product (so it exports to
ONNX): noise floor = mean of its `floor_bins` lowest bins times `floor_bias` (set on noise
windows so that noise alone reads a ratio of 1), SNR = mean power / floor - 1. The spectral
network gets the same ratio from spectral_views().
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


#: spectral_views: frames x bins of the spectrogram, bins of each distribution.
FRAMES = 8
HISTOGRAM_BINS = 32
#: envelope distribution: log10 |x| (unit power) from -2 to 1, so impulses stay on the grid
LOG_ENVELOPE_RANGE = (-2.0, 1.0)
#: lowest time-averaged periodogram bins whose mean is the noise floor
FLOOR_BINS = 8
#: the distributions' shares (about 1 / HISTOGRAM_BINS each) scaled to the spectrogram's range
HISTOGRAM_SCALE = 8.0


def view_size(length):
    return FRAMES * PSD_BINS + 2 * HISTOGRAM_BINS + 2


def spectral_views(windows):
    """Complex windows (B, L), L a multiple of 8 * 64 -> float32 (B, 8*64 + 2*32 + 2):
    the log10 spectrogram (Hann, 64 bins, centred, each frame the mean of L/512 periodograms)
    over the noise floor (the mean of the 8 lowest bins of the window's mean periodogram),
    clipped to [-1, 4] and divided by 4; the envelope's distribution (log10 |x| at unit power,
    32 bins over -2..1); the instantaneous frequency's (32 bins over -pi..pi); both as shares x 8;
    then, not reconstructed, the moment (M2M4) SNR estimate S/N of a constant-envelope signal
    (S = sqrt(2 M2^2 - M4), N = M2 - S; 0 when 2 M2^2 < M4) and last, mean periodogram / floor
    (the spectral SNR estimate's ratio)."""
    import numpy as np

    x = np.asarray(windows, np.complex64)
    b, length = x.shape
    if length % (FRAMES * PSD_BINS):
        raise ValueError("window_length: {}; allowed: a multiple of {}".format(length, FRAMES * PSD_BINS))
    rms = np.sqrt(np.mean(np.abs(x) ** 2, axis=1, keepdims=True))
    x = x / np.where(rms > 0, rms, 1.0)
    hann = (0.5 - 0.5 * np.cos(2 * np.pi * (np.arange(PSD_BINS) + 0.5) / PSD_BINS)).astype(np.float32)
    segments = np.fft.fftshift(np.abs(np.fft.fft(x.reshape(b, -1, PSD_BINS) * hann, axis=2)) ** 2, axes=2)
    frames = segments.reshape(b, FRAMES, -1, PSD_BINS).mean(axis=2)
    psd = frames.mean(axis=1)
    floor = np.maximum(np.sort(psd, axis=1)[:, :FLOOR_BINS].mean(axis=1), 1e-12)
    spectrogram = np.clip(np.log10(frames / floor[:, None, None] + 1e-6), -1.0, 4.0) / 4.0

    def shares(values, low, high):
        cells = np.clip(((values - low) / (high - low) * HISTOGRAM_BINS).astype(np.int64), 0, HISTOGRAM_BINS - 1)
        counts = np.bincount((cells + np.arange(b)[:, None] * HISTOGRAM_BINS).ravel(), minlength=b * HISTOGRAM_BINS)
        return counts.reshape(b, HISTOGRAM_BINS) / values.shape[1] * HISTOGRAM_SCALE

    envelope = shares(np.log10(np.abs(x) + 1e-9), *LOG_ENVELOPE_RANGE)
    frequency = shares(np.angle(x[:, 1:] * np.conj(x[:, :-1])), -np.pi, np.pi)
    ratio = (psd.mean(axis=1) / floor)[:, None]
    power = np.abs(x.astype(np.complex128)) ** 2
    m2, m4 = power.mean(axis=1), (power ** 2).mean(axis=1)
    s = np.sqrt(np.maximum(2 * m2 ** 2 - m4, 0.0))
    moment = (s / np.maximum(m2 - s, 1e-6 * m2))[:, None]
    return np.ascontiguousarray(np.concatenate([spectrogram.reshape(b, -1), envelope, frequency, moment, ratio],
                                               axis=1), dtype=np.float32)


#: simple_statistics' names, in the order spectral_views_with_statistics() gives them
STATISTICS = ("c42", "envelope_m4", "largest_bin_share", "occupied_bins_99", "peak_to_average",
              "spectral_flatness", "spectral_variation")


def simple_statistics(windows):
    """{name: (N,) value} of statistics a careful engineer would try first, each on the
    window at unit mean power."""
    import numpy as np

    x = np.asarray(windows, np.complex128)
    rms = np.sqrt(np.mean(np.abs(x) ** 2, axis=1, keepdims=True))
    x = x / np.where(rms > 0, rms, 1.0)
    power = np.abs(x) ** 2
    segments = x[:, :x.shape[1] // PSD_BINS * PSD_BINS].reshape(len(x), -1, PSD_BINS)
    psd_segments = np.abs(np.fft.fft(segments, axis=2)) ** 2
    psd = psd_segments.mean(axis=1)
    share = np.sort(psd / np.maximum(psd.sum(axis=1, keepdims=True), 1e-12), axis=1)[:, ::-1]
    m2 = np.mean(x * x, axis=1)
    return {
        "envelope_m4": np.mean(power ** 2, axis=1),
        "peak_to_average": power.max(axis=1),
        "c42": np.mean(power ** 2, axis=1) - np.abs(m2) ** 2 - 2.0,
        "spectral_flatness": np.exp(np.mean(np.log(psd + 1e-12), axis=1)) / np.maximum(psd.mean(axis=1), 1e-12),
        "largest_bin_share": share[:, 0],
        "occupied_bins_99": np.argmax(np.cumsum(share, axis=1) >= 0.99, axis=1).astype(float),
        "spectral_variation": np.mean(np.std(psd_segments, axis=1) / (psd + 1e-12), axis=1),
    }


def spectral_views_with_statistics(windows):
    """spectral_views() with the window's simple statistics (STATISTICS order, not
    reconstructed) between the distributions and the two SNR columns:
    float32 (B, view_size + len(STATISTICS))."""
    import numpy as np

    views = spectral_views(windows)
    stats = simple_statistics(windows)
    columns = np.stack([stats[name] for name in STATISTICS], axis=1)
    return np.ascontiguousarray(np.concatenate([views[:, :-2], columns, views[:, -2:]], axis=1), dtype=np.float32)


#: preprocessing.features of a stream bundle -> the function that makes its input
VIEWS = {"iq_rows": iq_rows, "spectral_views": spectral_views,
         "spectral_views_with_statistics": spectral_views_with_statistics}


def snr_db(ratio, floor_bias):
    """The SNR estimate from mean periodogram / floor (floor_bias: that ratio for noise alone)."""
    return 10.0 * torch.log10(torch.clamp(ratio / floor_bias - 1.0, min=1e-4))


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
        return snr_db(self.ratio(x), 1.0)


#: estimated-SNR knots (dB) of the score's calibration
CALIBRATION_KNOTS = tuple(float(s) for s in range(-6, 26, 2))
MIN_PER_KNOT = 10


def knot_rows(mine, knot):
    """Per CALIBRATION_KNOTS index, the rows a per-knot fit uses: those of `mine` (bool per
    row) at the nearest knot that holds at least MIN_PER_KNOT of them (`knot`: each row's
    knot index); None when no knot does."""
    filled = [k for k in range(len(CALIBRATION_KNOTS)) if int((mine & (knot == k)).sum()) >= MIN_PER_KNOT]
    if not filled:
        return None
    return [mine & (knot == min(filled, key=lambda f: abs(f - k))) for k in range(len(CALIBRATION_KNOTS))]


class CalibratedScore(HybridScore):
    """The hybrid score with class-conditional latents, standardised by what normal windows
    of the nearest class score at the window's estimated SNR.

    - The normal traffic is 11 kinds of signal: the Mahalanobis distance is to the nearest
      class's training latents (one Gaussian per class, fit with the training labels).
    - The raw score xi grows with the SNR (noise is what an autoencoder cannot
      reconstruct) and differs between classes, so it is standardised as
      (xi - mean[c](snr)) / std[c](snr), c the nearest class, both interpolated between
      CALIBRATION_KNOTS and fit on normal validation windows: one threshold then means about
      one false-alarm rate for every class at every SNR.
    Subclasses give estimate_snr(x) (reported; decides an empty channel) and may give
    calibration_snr(x), the SNR the score is standardised at (default: the same)."""

    def calibration_snr(self, x):
        return self.estimate_snr(x)

    def _class_buffers(self, latent, classes):
        self.register_buffer("latent_mean", torch.zeros(classes, latent))
        self.register_buffer("latent_precision", torch.eye(latent).repeat(classes, 1, 1))
        self.register_buffer("alpha", torch.ones(()))
        self.register_buffer("beta", torch.ones(()))
        self.register_buffer("knots", torch.tensor(CALIBRATION_KNOTS))
        self.register_buffer("knot_mean", torch.zeros(classes, len(CALIBRATION_KNOTS)))
        self.register_buffer("knot_std", torch.ones(classes, len(CALIBRATION_KNOTS)))

    def nearest(self, z):
        """(Mahalanobis distance to the nearest class's latents, that class) for latents z."""
        d = z.unsqueeze(1) - self.latent_mean.unsqueeze(0)                      # (B, C, d)
        squared = torch.sum(torch.matmul(d.unsqueeze(2), self.latent_precision.unsqueeze(0)).squeeze(2) * d, dim=2)
        best = squared.min(dim=1)
        return torch.sqrt(torch.clamp(best.values, min=0.0)), best.indices

    def mahalanobis(self, z):
        return self.nearest(z)[0]

    @torch.no_grad()
    def fit_latent(self, z_train, labels=None):
        """Each class's latent mean and precision (labels: class index per row; None: one class)."""
        from .mae import stable_precision

        labels = torch.zeros(len(z_train), dtype=torch.long) if labels is None else torch.as_tensor(labels).long()
        if int(labels.max()) >= self.latent_mean.shape[0]:
            raise ValueError("labels: class {} but the network keeps {} latent Gaussians".format(
                int(labels.max()), self.latent_mean.shape[0]))
        for c in range(self.latent_mean.shape[0]):
            rows = z_train[labels == c] if bool((labels == c).any()) else z_train
            self.latent_mean[c] = rows.mean(dim=0)
            centred = rows - self.latent_mean[c]
            self.latent_precision[c] = stable_precision(centred.T @ centred / max(1, len(rows) - 1))

    def _interpolate(self, table, classes, snr):
        step = self.knots[1] - self.knots[0]
        position = torch.clamp((snr - self.knots[0]) / step, 0.0, len(CALIBRATION_KNOTS) - 1.0)
        low = torch.clamp(torch.floor(position), max=len(CALIBRATION_KNOTS) - 2.0)
        weight = position - low
        rows = table[classes]                                                   # (B, K)
        low = low.long().unsqueeze(1)
        return (torch.gather(rows, 1, low).squeeze(1) * (1 - weight)
                + torch.gather(rows, 1, low + 1).squeeze(1) * weight)

    @torch.no_grad()
    def fit_calibration(self, hybrid, snr, classes):
        """Per class and knot, mean and std of normal windows' raw hybrid scores (`classes`:
        each window's nearest class; nearest knot). A (class, knot) with fewer than
        MIN_PER_KNOT windows takes the class's nearest populated knot; a class with none, the
        pooled figures."""
        hybrid, snr = torch.as_tensor(hybrid, dtype=torch.float64), torch.as_tensor(snr, dtype=torch.float64)
        classes = torch.as_tensor(classes).long()
        knot = torch.argmin(torch.abs(snr[:, None] - self.knots[None, :].double()), dim=1)
        for c in range(self.knot_mean.shape[0]):
            mine = classes == c
            if int(mine.sum()) < MIN_PER_KNOT:
                mine = torch.ones_like(mine)
            rows = knot_rows(mine, knot) or [torch.ones_like(mine)] * len(CALIBRATION_KNOTS)
            for k in range(len(CALIBRATION_KNOTS)):
                chosen = hybrid[rows[k]]
                self.knot_mean[c, k] = float(chosen.mean())
                self.knot_std[c, k] = max(float(chosen.std()), 1e-6)

    def raw(self, x):
        """(B, 6): the uncalibrated hybrid score, Mahalanobis, MSE, reported SNR, calibration
        SNR, nearest class."""
        x_hat, z = self.reconstruct(x)
        psi, nearest = self.nearest(z)
        zeta = torch.mean((self.target(x) - x_hat).flatten(1) ** 2, dim=1)
        return torch.stack([self.alpha * psi + self.beta * zeta, psi, zeta, self.estimate_snr(x),
                            self.calibration_snr(x), nearest.to(psi.dtype)], dim=1)

    def standardised(self, out):
        """(B,) raw()'s hybrid score standardised for its nearest class at its calibration SNR."""
        nearest = out[:, 5].long()
        return (out[:, 0] - self._interpolate(self.knot_mean, nearest, out[:, 4])) / self._interpolate(
            self.knot_std, nearest, out[:, 4])

    def forward(self, x):
        out = self.raw(x)
        return torch.cat([self.standardised(out).unsqueeze(1), out[:, 1:4]], dim=1)


class StreamAutoencoder(CalibratedScore):
    def __init__(self, length=1024, channels=(32, 32, 64, 64), dense=128, latent=32, negative_slope=0.01,
                 floor_bins=8, classes=1):
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
        self._class_buffers(latent, classes)

    def reconstruct(self, x):
        z = self.encoder(x)
        h = self.expand(z).view(-1, *self.reduced)
        return self.decoder(h), z

    def target(self, x):
        return x

    @torch.no_grad()
    def fit_floor(self, noise):
        """Set the floor bias so that noise windows (model inputs) read a median ratio of 1."""
        self.snr.floor_bias.fill_(1.0)
        self.snr.floor_bias.fill_(float(torch.median(self.snr.ratio(noise))))

    def noise_ratio(self, x):
        return self.snr.ratio(x)

    def estimate_snr(self, x):
        return self.snr(x)


class SpectralAutoencoder(CalibratedScore):
    """Input (B, view_size): spectral_views(); reconstructs all but the last column."""

    def __init__(self, length=1024, latent=24, dense=128, negative_slope=0.01, classes=1):
        super().__init__()
        act = lambda: nn.LeakyReLU(negative_slope)  # noqa: E731
        self.spectrogram_size = FRAMES * PSD_BINS
        self.histogram_size = 2 * HISTOGRAM_BINS
        self.encode_spectrogram = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), act(), nn.Conv2d(16, 32, 3, stride=2, padding=1), act(),
            nn.Conv2d(32, 32, 3, stride=2, padding=1), act(), nn.Flatten())
        self.reduced = (32, FRAMES // 4, PSD_BINS // 4)
        flat = self.reduced[0] * self.reduced[1] * self.reduced[2]
        self.encode_histograms = nn.Sequential(nn.Linear(self.histogram_size, 64), act())
        self.encode_joint = nn.Sequential(nn.Linear(flat + 64, dense), act(), nn.Linear(dense, latent))
        self.decode_joint = nn.Sequential(nn.Linear(latent, dense), act(), nn.Linear(dense, flat + 64), act())
        self.decode_spectrogram = nn.Sequential(
            nn.ConvTranspose2d(32, 32, 4, stride=2, padding=1), act(),
            nn.ConvTranspose2d(32, 16, 4, stride=2, padding=1), act(), nn.Conv2d(16, 1, 3, padding=1))
        self.decode_histograms = nn.Linear(64, self.histogram_size)
        self.register_buffer("floor_bias", torch.ones(()))
        self.flat = flat
        self._class_buffers(latent, classes)

    def encoder(self, x):
        spectrogram = x[:, :self.spectrogram_size].reshape(-1, 1, FRAMES, PSD_BINS)
        histograms = x[:, self.spectrogram_size:self.spectrogram_size + self.histogram_size]
        return self.encode_joint(torch.cat([self.encode_spectrogram(spectrogram),
                                            self.encode_histograms(histograms)], dim=1))

    def reconstruct(self, x):
        """(reconstruction of x's first view_size - 1 columns, latent)."""
        z = self.encoder(x)
        h = self.decode_joint(z)
        spectrogram = self.decode_spectrogram(h[:, :self.flat].reshape(-1, *self.reduced)).flatten(1)
        return torch.cat([spectrogram, self.decode_histograms(h[:, self.flat:])], dim=1), z

    def target(self, x):
        return x[:, :self.spectrogram_size + self.histogram_size]

    def estimate_snr(self, x):
        return snr_db(x[:, -1], self.floor_bias)

    def calibration_snr(self, x):
        """The larger of the spectral and the moment estimate: the spectral one reads a signal
        as wide as the band (WBFM) too low, the moment one any signal whose envelope varies."""
        return torch.maximum(self.estimate_snr(x), 10.0 * torch.log10(torch.clamp(x[:, -2], min=1e-4)))

    @torch.no_grad()
    def fit_floor(self, noise):
        self.floor_bias.fill_(float(torch.median(noise[:, -1])))

    def noise_ratio(self, x):
        return x[:, -1] / self.floor_bias


class StatisticsSpectralAutoencoder(SpectralAutoencoder):
    """SpectralAutoencoder whose hybrid score also weighs the window's simple statistics:
    xi = alpha psi + beta zeta + delta d, d the Mahalanobis distance of the statistics
    (scaled by stat_scale) to the nearest normal class's Gaussian at the window's
    calibration-SNR knot (one Gaussian per class and knot). The statistics alone found OOK,
    FM, OFDM, noise bursts and pulsed jammers that the autoencoder missed, but only with the
    SNR known (docs/mae.md). Input: spectral_views_with_statistics()."""

    def __init__(self, length=1024, latent=24, dense=128, negative_slope=0.01, classes=1, statistics=len(STATISTICS)):
        super().__init__(length, latent, dense, negative_slope, classes)
        self.statistics_size = int(statistics)
        knots = len(CALIBRATION_KNOTS)
        self.register_buffer("stat_scale", torch.ones(self.statistics_size))
        self.register_buffer("stat_mean", torch.zeros(classes, knots, self.statistics_size))
        self.register_buffer("stat_precision", torch.eye(self.statistics_size).repeat(classes, knots, 1, 1))
        self.register_buffer("delta", torch.zeros(()))

    def statistics(self, x):
        start = self.spectrogram_size + self.histogram_size
        return x[:, start:start + self.statistics_size] / self.stat_scale

    def knot_of(self, snr):
        """The nearest CALIBRATION_KNOTS index of each SNR (dB)."""
        step = self.knots[1] - self.knots[0]
        return torch.clamp(torch.round((snr - self.knots[0]) / step), 0, len(CALIBRATION_KNOTS) - 1).long()

    def statistics_distance(self, x):
        """(B,) Mahalanobis distance of the statistics to the nearest class at the window's knot."""
        k = self.knot_of(self.calibration_snr(x))
        d = self.statistics(x).unsqueeze(1) - self.stat_mean.transpose(0, 1)[k]          # (B, C, S)
        precision = self.stat_precision.transpose(0, 1)[k]                                # (B, C, S, S)
        squared = torch.sum(torch.matmul(d.unsqueeze(2), precision).squeeze(2) * d, dim=2)
        return torch.sqrt(torch.clamp(squared.min(dim=1).values, min=0.0))

    def raw(self, x):
        out = super().raw(x)
        return torch.cat([(out[:, 0] + self.delta * self.statistics_distance(x)).unsqueeze(1), out[:, 1:]], dim=1)

    @torch.no_grad()
    def fit_statistics(self, x, classes):
        """Each class's and knot's Gaussian from normal inputs x (their knots from the
        calibration SNR) with class indices `classes`; a (class, knot) with fewer than
        MIN_PER_KNOT windows takes the class's nearest populated knot, a class with none the
        pooled windows. stat_scale: each statistic's standard deviation over x."""
        from .mae import stable_precision

        start = self.spectrogram_size + self.histogram_size
        raw = x[:, start:start + self.statistics_size].double()
        self.stat_scale.copy_(torch.clamp(raw.std(dim=0), min=1e-6).float())
        stats = self.statistics(x).double()
        knot = self.knot_of(self.calibration_snr(x))
        classes = torch.as_tensor(classes).long()
        for c in range(self.stat_mean.shape[0]):
            mine = classes == c
            if int(mine.sum()) < MIN_PER_KNOT:
                mine = torch.ones_like(mine)
            masks = knot_rows(mine, knot) or [mine] * len(CALIBRATION_KNOTS)
            for k in range(len(CALIBRATION_KNOTS)):
                rows = stats[masks[k]]
                centred = rows - rows.mean(dim=0)
                self.stat_mean[c, k] = rows.mean(dim=0).float()
                self.stat_precision[c, k] = stable_precision(centred.T @ centred / max(1, len(rows) - 1), 1e-4)

    @torch.no_grad()
    def fit_delta(self, x):
        """delta: the inverse standard deviation of the statistics' distance on normal inputs
        (as alpha and beta are for psi and zeta)."""
        self.delta.fill_(1.0 / max(float(self.statistics_distance(x).std()), 1e-6))


class GuardedSpectralAutoencoder(SpectralAutoencoder):
    """SpectralAutoencoder with a statistics guard on the classes whose SNR the estimators
    cannot read (WBFM fills the band and reads about 12 dB at any true SNR above it, so its
    per-SNR calibration is wide, and anomalies whose nearest class it is hide in it). For a
    window whose nearest latent class c is guarded, the score is the larger of the
    calibrated hybrid score and (d - centre[c]) * weight[c], d the Mahalanobis distance of
    its log statistics to class c's Gaussian, fit over all SNRs, and centre, weight the mean
    and inverse standard deviation of d on c's normal windows: a window must look like the
    class by its statistics too, whatever its SNR. Input: spectral_views_with_statistics()."""

    def __init__(self, length=1024, latent=24, dense=128, negative_slope=0.01, classes=1, statistics=len(STATISTICS)):
        super().__init__(length, latent, dense, negative_slope, classes)
        self.statistics_size = int(statistics)
        self.register_buffer("guard_mean", torch.zeros(classes, self.statistics_size))
        self.register_buffer("guard_precision", torch.eye(self.statistics_size).repeat(classes, 1, 1))
        self.register_buffer("guard_centre", torch.zeros(classes))
        self.register_buffer("guard_weight", torch.ones(classes))
        self.register_buffer("guarded", torch.zeros(classes))

    def log_statistics(self, x):
        """(B, S): the statistics, each but C42 (which may be negative) as log(max(v, 1e-3))."""
        start = self.spectrogram_size + self.histogram_size
        stats = x[:, start:start + self.statistics_size]
        return torch.cat([stats[:, :1], torch.log(torch.clamp(stats[:, 1:], min=1e-3))], dim=1)

    def guard_distance(self, x, classes):
        """(B,) Mahalanobis distance of each window's log statistics to the Gaussian of `classes` (B,)."""
        d = self.log_statistics(x) - self.guard_mean[classes]
        squared = torch.sum(torch.matmul(d.unsqueeze(1), self.guard_precision[classes]).squeeze(1) * d, dim=1)
        return torch.sqrt(torch.clamp(squared, min=0.0))

    def forward(self, x):
        out = self.raw(x)
        nearest = out[:, 5].long()
        standard = self.standardised(out)
        guard = (self.guard_distance(x, nearest) - self.guard_centre[nearest]) * self.guard_weight[nearest]
        score = torch.where(self.guarded[nearest] > 0, torch.maximum(standard, guard), standard)
        return torch.cat([score.unsqueeze(1), out[:, 1:4]], dim=1)

    @torch.no_grad()
    def fit_guard(self, x, classes, guarded):
        """For each class index in `guarded`: the Gaussian of its normal inputs' log statistics
        (x with class indices `classes`), and the mean and inverse standard deviation of their
        distances to it. Every other class is left unguarded."""
        from .mae import stable_precision

        classes = torch.as_tensor(classes).long()
        self.guarded.zero_()
        for c in guarded:
            rows = self.log_statistics(x[classes == c]).double()
            if len(rows) <= 2 * self.statistics_size:
                raise ValueError("guard: {} windows of class {}; allowed: more than {}".format(
                    len(rows), c, 2 * self.statistics_size))
            centred = rows - rows.mean(dim=0)
            self.guard_mean[c] = rows.mean(dim=0).float()
            self.guard_precision[c] = stable_precision(centred.T @ centred / (len(rows) - 1), 1e-4)
            d = self.guard_distance(x[classes == c], torch.full((len(rows),), c, dtype=torch.long))
            self.guard_centre[c] = float(d.mean())
            self.guard_weight[c] = 1.0 / max(float(d.std()), 1e-6)
            self.guarded[c] = 1.0
