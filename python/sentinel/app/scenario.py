# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""The simulated transmitter: segments of the 11 RadioML classes, of anomalous signals
(six families of data.stream_anomalies: a linear chirp, OFDM, a tone, noise bursts on a
signal, a swept jammer on a signal, two overlapping emitters) and of adversarial windows
saved from the HTRD attack suite, switching every few hundred milliseconds. Segment
lengths are whole 128-sample windows, so window-aligned content (the adversarial
windows) stays aligned."""

import dataclasses

import numpy as np

from ..data import stream_anomalies
from ..data.modulators import CLASSES, modulate

SAMPLE_RATE = 200e3
ANOMALY_PREFIX = "ANOMALY-"
#: The demo's anomalous segments: families every window of which is anomalous. (White
#: noise alone is not among them: to a receiver it is an empty channel.)
ANOMALY_FAMILIES = ("linear_chirp", "ofdm", "tone", "noise_burst", "swept_jammer", "overlapping")
ANOMALIES = tuple(ANOMALY_PREFIX + f.upper() for f in ANOMALY_FAMILIES)
#: Samples per generated piece of an anomalous segment (the default stream MAE's window,
#: mae_guarded's 4096: one piece is what the evaluation calls one anomalous window).
ANOMALY_PIECE = 4096
ADVERSARIAL_PREFIX = "ADV-"
WINDOW = 128


@dataclasses.dataclass
class Segment:
    label: str
    start: int
    length: int

    @property
    def anomalous(self):
        return self.label in ANOMALIES

    @property
    def adversarial(self):
        return self.label.startswith(ADVERSARIAL_PREFIX)

    @property
    def transmitted(self):
        """The class a correct classifier names (adversarial segments: the original class)."""
        return self.label[len(ADVERSARIAL_PREFIX):] if self.adversarial else self.label


def load_adversarial_windows():
    """(windows (N, 128) complex64, class names) saved from the HTRD attack suite with the
    shipped htrd bundle, or None when that bundle or file is absent."""
    from ..runtime.bundle import MODELS_DIR

    path = MODELS_DIR / "htrd" / "adversarial_examples.safetensors"
    if not path.is_file():
        return None
    from safetensors.numpy import load_file

    tensors = load_file(str(path))
    from ..nn.amc import to_complex

    return to_complex(tensors["x"]), [CLASSES[i] for i in tensors["y"]]


def family_of(label):
    """The data.stream_anomalies family of an anomalous segment's label (None otherwise)."""
    return label[len(ANOMALY_PREFIX):].lower() if label in ANOMALIES else None


def _anomaly(label, n, rng):
    """n samples of the label's family, in ANOMALY_PIECE-sample pieces drawn afresh, at unit power."""
    make = stream_anomalies.FAMILIES[family_of(label)][0]
    x = np.asarray(make(-(-n // ANOMALY_PIECE), ANOMALY_PIECE, rng)).reshape(-1)[:n]
    return (x / np.sqrt(np.mean(np.abs(x) ** 2))).astype(np.complex64)


def _adversarial(windows, names, n, rng):
    """One class's saved adversarial windows, back to back, each at unit power."""
    classes = sorted(set(names))
    name = classes[int(rng.integers(len(classes)))]
    pool = windows[[i for i, c in enumerate(names) if c == name]]
    picked = pool[rng.integers(0, len(pool), n // WINDOW)]
    picked = picked / np.sqrt(np.mean(np.abs(picked) ** 2, axis=1, keepdims=True))
    return ADVERSARIAL_PREFIX + name, picked.reshape(-1).astype(np.complex64)


def build(duration_s, seed=0, segment_s=(0.2, 0.5), anomaly_share=0.15, adversarial_share=0.15,
          adversarial=None):
    """(complex64 samples at unit power, list of Segment) for about `duration_s` seconds.

    Every class appears before any repeats (shuffled rounds), so even a short run
    covers them. `adversarial`: (windows, names) as from load_adversarial_windows(),
    which is the default; without them there are no adversarial segments. At least one
    segment is built, however short `duration_s`."""
    if not (isinstance(duration_s, (int, float, np.floating, np.integer)) and np.isfinite(duration_s)
            and duration_s > 0):
        raise ValueError("duration_s: the scenario's length in seconds, a finite number > 0; got {!r}".format(
            duration_s))
    rng = np.random.default_rng(seed)
    if adversarial is None:
        adversarial = load_adversarial_windows()
    total = max(1, int(duration_s * SAMPLE_RATE))
    segments, pieces, position, pool = [], [], 0, []
    while position < total:
        if not pool:
            pool = list(rng.permutation(CLASSES))
        n = WINDOW * int(rng.uniform(*segment_s) * SAMPLE_RATE / WINDOW)
        draw = rng.random()
        if adversarial is not None and draw < adversarial_share:
            label, x = _adversarial(*adversarial, n, rng)
        elif draw < adversarial_share + anomaly_share:
            label = str(rng.choice(ANOMALIES))
            x = _anomaly(label, n, rng)
        else:
            label = pool.pop()
            x = modulate(label, n, rng)
        pieces.append(x)
        segments.append(Segment(label, position, n))
        position += n
    return np.concatenate(pieces).astype(np.complex64), segments


def segment_at(segments, offset, length, total):
    """Index of the segment holding all of [offset, offset + length) (modulo the scenario
    length when it repeats), or None when the window straddles a switch."""
    start = offset % total
    for i, s in enumerate(segments):
        if s.start <= start < s.start + s.length:
            return i if start + length <= s.start + s.length else None
    return None


def label_at(segments, offset, length, total):
    """The label of segment_at(...), or None."""
    index = segment_at(segments, offset, length, total)
    return None if index is None else segments[index].label
