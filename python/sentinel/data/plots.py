# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""A PNG for a person to look at: constellation and spectrum of every class at one SNR."""

import warnings

import numpy as np


def pyplot():
    """matplotlib.pyplot on the Agg backend (headless), quietly.

    Debian's python3-matplotlib mpl_toolkits shadow the venv's and make
    matplotlib warn that 3-D axes are unavailable; no plot here needs them.
    """
    import matplotlib
    matplotlib.use("Agg")
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Unable to import Axes3D")
        warnings.filterwarnings("ignore", module="mpl_toolkits")
        import matplotlib.pyplot as plt
    return plt


def plot_classes(dataset, snr_db, path, examples=8, sample_rate=200e3):
    plt = pyplot()

    available = np.unique(dataset.snr)
    snr = float(available[np.argmin(np.abs(available - snr_db))])
    classes = sorted(set(int(c) for c in dataset.label))
    fig, axes = plt.subplots(2, len(classes), figsize=(2.2 * len(classes), 4.6), squeeze=False)
    x = dataset.complex()
    for col, c in enumerate(classes):
        idx = np.flatnonzero((dataset.label == c) & (dataset.snr == snr))[:examples]
        name = dataset.class_names[c]
        ax = axes[0, col]
        if len(idx):
            points = x[idx].reshape(-1)
            scale = np.sqrt(np.mean(np.abs(points) ** 2))
            ax.plot(points.real / scale, points.imag / scale, ".", ms=1.5, alpha=0.6)
            spectrum = np.mean(np.abs(np.fft.fftshift(np.fft.fft(x[idx], axis=1), axes=1)) ** 2, axis=0)
            freqs = np.fft.fftshift(np.fft.fftfreq(x.shape[1], 1 / sample_rate)) / 1e3
            axes[1, col].plot(freqs, 10 * np.log10(spectrum / spectrum.max() + 1e-12), lw=0.8)
        ax.set_title(name, fontsize=9)
        ax.set_xlim(-2.5, 2.5)
        ax.set_ylim(-2.5, 2.5)
        ax.set_aspect("equal")
        ax.tick_params(labelsize=6)
        axes[1, col].set_ylim(-40, 2)
        axes[1, col].tick_params(labelsize=6)
        axes[1, col].set_xlabel("kHz", fontsize=7)
    axes[0, 0].set_ylabel("Q (unit power)", fontsize=7)
    axes[1, 0].set_ylabel("dB", fontsize=7)
    fig.suptitle("{}: constellations and mean spectra at {:+.0f} dB".format(
        dataset.attrs.get("recipe", "dataset"), snr), fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
