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

import math

import torch
from torch import nn

KIND = "amc"


INPUT_SCALES = ("energy", "power")
#: Classical carrier-offset corrections applied before the network (card preprocessing.cfo_correction).
#: fourth_power_and_raw: the corrected window's I/Q rows, then the window's own (4 input rows),
#: so the network still sees what the correction changed (an SSB voice band's x^4 line looks
#: like a carried AM's; corrected, SSB becomes DSB).
CFO_CORRECTIONS = ("none", "fourth_power", "fourth_power_and_raw")
#: fourth_power: FFT size of the window's 4th power, and the peak-to-median power ratio
#: below which no spectral line is trusted (the window is left as it is).
FOURTH_POWER_FFT = 1024
FOURTH_POWER_MIN_PEAK = 10.0


def fourth_power_offsets(windows, fft_size=FOURTH_POWER_FFT, min_peak=FOURTH_POWER_MIN_PEAK):
    """Carrier offset of each complex window (B, L) in cycles per sample, from the line
    that x^4 shows at 4 f for BPSK, QPSK, PAM4, QAM and a carried AM (parabolic
    interpolation between FFT bins); 0 where the line is weaker than `min_peak` times the
    median bin (8PSK, FSK, FM: no such line). Unambiguous within +-1/8 cycle per sample; in
    a short window the cyclic lines at 4 f +- the symbol rate sometimes win (a wrong estimate
    off by a quarter of the symbol rate)."""
    import numpy as np

    windows = np.asarray(windows, np.complex64)
    spectrum = np.abs(np.fft.fft(windows.astype(np.complex128) ** 4, n=fft_size, axis=1)) ** 2
    peak = spectrum.argmax(axis=1)
    rows = np.arange(len(windows))
    left = spectrum[rows, (peak - 1) % fft_size]
    centre = spectrum[rows, peak]
    right = spectrum[rows, (peak + 1) % fft_size]
    denominator = left - 2 * centre + right
    shift = np.where(denominator < 0, 0.5 * (left - right) / np.where(denominator < 0, denominator, -1.0), 0.0)
    bins = peak + shift
    bins = np.where(bins > fft_size / 2, bins - fft_size, bins)
    offsets = bins / fft_size / 4.0
    trusted = centre > min_peak * np.median(spectrum, axis=1)
    return np.where(trusted, offsets, 0.0)


def correct_offsets(windows, offsets):
    """Each window times exp(-j 2 pi f n), f in cycles per sample."""
    import numpy as np

    n = np.arange(np.shape(windows)[1])
    return (np.asarray(windows) * np.exp(-2j * np.pi * np.outer(offsets, n))).astype(np.complex64)


def input_rows(cfo_correction):
    """How many I/Q rows preprocess() gives for a card's cfo_correction (2 or 4)."""
    return 4 if cfo_correction == "fourth_power_and_raw" else 2


def preprocess(windows, scale="energy", cfo_correction="none"):
    """Complex windows (B, L) -> float32 (B, input_rows, L), each window scaled so a receiver's
    gain does not matter: "energy" to unit energy (the dataset's default), "power" to
    unit average power per sample (= energy scaling times sqrt(L)). Networks without
    batch normalisation (VT-CNN2) stay at chance on unit-energy windows.
    cfo_correction "fourth_power" first removes the offset fourth_power_offsets finds;
    "fourth_power_and_raw" stacks the corrected rows on the uncorrected ones (B, 4, L)."""
    import numpy as np

    if scale not in INPUT_SCALES:
        raise ValueError("input scale: unknown '{}'; allowed: {}".format(scale, ", ".join(INPUT_SCALES)))
    if cfo_correction not in CFO_CORRECTIONS:
        raise ValueError("cfo correction: unknown '{}'; allowed: {}".format(
            cfo_correction, ", ".join(CFO_CORRECTIONS)))
    windows = np.asarray(windows, np.complex64)
    norm = np.sum(np.abs(windows) ** 2, axis=1, keepdims=True)
    if scale == "power":
        norm = norm / windows.shape[1]
    unit = windows / np.sqrt(np.where(norm > 0, norm, 1.0))
    views = [unit]
    if cfo_correction != "none":
        # a rotation keeps the energy, so both views share the scaling
        corrected = correct_offsets(unit, fourth_power_offsets(unit))
        views = [corrected, unit] if cfo_correction == "fourth_power_and_raw" else [corrected]
    return np.stack([part for view in views for part in (view.real, view.imag)], axis=1).astype(np.float32)


def preprocessing_section(normalization, cfo_correction="none"):
    """The model card's `preprocessing` entry for preprocess(windows, normalization, cfo_correction)."""
    steps = ["unit {} per window".format(normalization), "I and Q as two rows"]
    if cfo_correction == "fourth_power_and_raw":
        steps = ["unit {} per window".format(normalization), "I and Q of the window with its carrier offset removed "
                 "by the fourth_power estimate, then I and Q of the window as received (four rows)"]
    elif cfo_correction != "none":
        steps.insert(0, "carrier offset removed by the {} estimate".format(cfo_correction))
    return {"steps": steps, "normalization": normalization, "cfo_correction": cfo_correction}


def preprocess_card(windows, preprocessing):
    """preprocess() with a model card's `preprocessing` section (what the bundle was trained on)."""
    return preprocess(windows, preprocessing.get("normalization", "energy"),
                      preprocessing.get("cfo_correction", "none"))


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
                 reduction=16, pool_after=(3, 6), stem_kernel=7, in_channels=2):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv1d(in_channels, channels, stem_kernel, padding=stem_kernel // 2, bias=False),
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


class OffsetEstimator(nn.Module):
    """The RTN's parameter network: (B, 2, L) -> angular offset (rad/sample, within
    +-max_omega) and a unit phasor (cos phi, sin phi)."""

    def __init__(self, max_omega, channels=32):
        super().__init__()
        self.max_omega = float(max_omega)
        layers, width = [], 2
        for kernel, stride in ((7, 1), (5, 2), (5, 2), (3, 2)):
            layers += [nn.Conv1d(width, channels, kernel, stride=stride, padding=kernel // 2, bias=False),
                       nn.BatchNorm1d(channels), nn.ReLU(inplace=True)]
            width = channels
        self.body = nn.Sequential(*layers)
        self.head = nn.Sequential(nn.Linear(2 * channels, 64), nn.ReLU(inplace=True), nn.Linear(64, 3))
        # Start as the identity transform (no offset, phase 0), so a pretrained classifier
        # behind it starts from its own accuracy.
        with torch.no_grad():
            self.head[2].weight.mul_(0.01)
            self.head[2].bias.copy_(torch.tensor([0.0, 1.0, 0.0]))

    def forward(self, x):
        h = self.body(x)
        pooled = torch.cat([h.mean(dim=2), h.amax(dim=2)], dim=1)
        raw = self.head(pooled)
        omega = self.max_omega * torch.tanh(raw[:, 0])
        norm = torch.sqrt(raw[:, 1] ** 2 + raw[:, 2] ** 2 + 1e-6)
        return omega, raw[:, 1] / norm, raw[:, 2] / norm


def derotate(x, omega, cos_phi, sin_phi):
    """The RTN's fixed transform: x[n] exp(-j(omega (n - L/2) + phi)) on I/Q rows (B, 2, L),
    in real arithmetic (ONNX-exportable)."""
    n = torch.arange(x.shape[2], dtype=x.dtype, device=x.device) - (x.shape[2] - 1) / 2.0
    angle = omega.unsqueeze(1) * n.unsqueeze(0)
    # cos/sin of (angle + phi) by the angle-addition formulas.
    c = torch.cos(angle) * cos_phi.unsqueeze(1) - torch.sin(angle) * sin_phi.unsqueeze(1)
    s = torch.sin(angle) * cos_phi.unsqueeze(1) + torch.cos(angle) * sin_phi.unsqueeze(1)
    i, q = x[:, 0], x[:, 1]
    return torch.stack([i * c + q * s, q * c - i * s], dim=1)


def corrected_and_raw(x, offsets):
    """(B, 2, L) I/Q rows and each window's carrier offset (cycles per sample, as
    fourth_power_offsets gives) -> the fourth_power_and_raw input (B, 4, L): the rows with
    the offset removed (as correct_offsets), then the rows. Differentiable in x with the
    offsets held, so an attack on the received window can go through the x^4 view."""
    omega = 2 * math.pi * torch.as_tensor(offsets, dtype=x.dtype)
    centre = omega * (x.shape[2] - 1) / 2.0      # derotate() counts n from the window's centre
    return torch.cat([derotate(x, omega, torch.cos(centre), torch.sin(centre)), x], dim=1)


class RadioTransformer(nn.Module):
    """O'Shea & Hoydis' radio transformer network in front of a classifier: the estimator
    predicts the carrier offset and phase, derotate() undoes them, the classifier sees the
    canonicalised window; trained end to end (optionally with the known offset as an
    auxiliary target, see auxiliary_loss)."""

    def __init__(self, classifier, max_offset_hz=12.5e3, sample_rate=200e3, channels=32):
        super().__init__()
        self.max_omega = 2 * math.pi * max_offset_hz / sample_rate
        self.sample_rate = float(sample_rate)
        self.estimator = OffsetEstimator(self.max_omega, channels)
        self.classifier = classifier
        self._last_omega = None

    def canonical(self, x):
        omega, cos_phi, sin_phi = self.estimator(x)
        if self.training:
            self._last_omega = omega
        return derotate(x, omega, cos_phi, sin_phi)

    def features(self, x):
        return self.classifier.features(self.canonical(x))

    def forward(self, x):
        return self.classifier(self.canonical(x))

    def offset_hz(self, x):
        """The estimator's carrier offset per window, in Hz."""
        return self.estimator(x)[0] * self.sample_rate / (2 * math.pi)

    def auxiliary_loss(self, offsets_hz):
        """Mean squared error of the last training forward's offset, relative to the range."""
        target = offsets_hz.to(self._last_omega.dtype) * (2 * math.pi / self.sample_rate)
        return torch.mean(((self._last_omega - target) / self.max_omega) ** 2)


ARCHITECTURES = {"afnet": AFNet, "vtcnn2": VTCNN2, "resnet": ResNet1D}
FRONTENDS = {"rtn": RadioTransformer}


def build(architecture):
    """A classifier from a card's architecture; with a `frontend` entry ({"kind": "rtn",
    ...options}), the classifier behind that front-end."""
    arch = dict(architecture)
    name = arch.pop("name")
    frontend = arch.pop("frontend", None)
    try:
        model = ARCHITECTURES[name](**arch)
    except KeyError:
        raise ValueError("architecture: unknown '{}'; allowed: {}".format(name, ", ".join(ARCHITECTURES))) from None
    if frontend is None:
        return model
    options = dict(frontend)
    kind = options.pop("kind", None)
    if kind not in FRONTENDS:
        raise ValueError("architecture frontend: unknown kind '{}'; allowed: {}".format(kind, ", ".join(FRONTENDS)))
    return FRONTENDS[kind](model, **options)


def topk_confidence_weights(probabilities, k=3):
    """CW weights: w = 1 - H_k / log k, H_k the entropy of the renormalised top-k
    probabilities. 1 for a certain prediction, 0 for a uniform one over the top k."""
    if k < 2:
        raise ValueError("k: must be at least 2, got {}".format(k))
    top = torch.topk(probabilities, k, dim=1).values
    top = top / top.sum(dim=1, keepdim=True)
    entropy = -(top * torch.log(torch.clamp(top, min=1e-12))).sum(dim=1)
    return torch.clamp(1.0 - entropy / torch.log(torch.tensor(float(k))), 0.0, 1.0)
