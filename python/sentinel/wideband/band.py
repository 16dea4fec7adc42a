# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""A simulated wideband band: several emitters at random centres, symbol rates (10-100
kbaud), powers and on/off times, in receiver noise, with the truth the detector and the
channeliser are measured against. Emitters are of the linear classes (RRC, roll-off 0.35)
or, for the anomaly scorer, of kinds the models were never trained on (OTHER_KINDS: a
chirp sweeping the band, OFDM, band-limited noise, analog FM), each occupying about
1.35 x its `symbol_rate` like the RRC emitters. Optionally the whole band then goes
through a live receiver (data.receiver: carrier offset and drift, IQ imbalance, DC, AGC
and an 8-bit ADC). Numpy only (data.independent)."""

import dataclasses
import fractions

import numpy as np

from ..data import independent

LINEAR_POINTS = {"BPSK": [1, -1], "QPSK": np.exp(1j * (np.pi / 4 + np.pi / 2 * np.arange(4))),
                 "8PSK": np.exp(2j * np.pi * np.arange(8) / 8), "PAM4": np.array([-3, -1, 1, 3]) / np.sqrt(5),
                 "QAM16": independent.square_qam(16), "QAM64": independent.square_qam(64)}


#: anomalous / analog kinds: no symbol rate of their own; `symbol_rate` sets their width
OTHER_KINDS = ("chirp", "OFDM", "noise", "FM")
#: occupied bandwidth of every emitter, as a multiple of its symbol_rate (RRC roll-off 0.35)
OCCUPANCY = 1.35


@dataclasses.dataclass
class Emitter:
    label: str
    center_hz: float
    symbol_rate: float
    snr_db: float          # over the noise in its -3 dB band (= symbol rate)
    start: int             # sample offsets
    stop: int
    rolloff: float = 0.35

    @property
    def bandwidth_hz(self):
        """The -3 dB width of an RRC emitter: its symbol rate."""
        return self.symbol_rate

    @property
    def anomalous(self):
        return self.label not in LINEAR_POINTS


def _other_kind(kind, count, rng):
    """`count` samples of an anomalous / analog kind at 8 samples per `symbol rate`, so that it
    occupies about +-OCCUPANCY / 16 of the rate (like an RRC emitter at 8 sps)."""
    from scipy import signal

    half = OCCUPANCY / 16                                   # cycles per sample at the band edge
    n = np.arange(count)
    if kind == "chirp":                                     # a linear sweep across the band every 512 samples
        frac = (n % 512) / 512
        return np.exp(2j * np.pi * np.cumsum(half * (2 * frac - 1)))
    if kind == "OFDM":                                      # 64 QPSK subcarriers, cyclic prefix of a quarter
        size = int(round(64 / (2 * half)))                  # the IFFT size that makes 64 bins the band
        symbols = count // (size + size // 4) + 1
        grid = np.zeros((symbols, size), complex)
        grid[:, np.arange(-32, 32) % size] = np.exp(1j * np.pi / 4 * (2 * rng.integers(0, 4, (symbols, 64)) + 1))
        body = np.fft.ifft(grid, axis=1)
        return np.concatenate([body[:, -(size // 4):], body], axis=1).ravel()[:count]
    if kind == "noise":
        taps = signal.firwin(129, 2 * half)
        return signal.lfilter(taps, 1.0, independent.complex_noise(rng, count + 128))[128:]
    if kind == "FM":                                        # a smooth random message, Carson width ~ the band
        message = signal.lfilter(signal.firwin(257, 0.004), 1.0, rng.standard_normal(count + 256))[256:]
        message /= np.max(np.abs(message)) + 1e-12
        return np.exp(2j * np.pi * np.cumsum(0.8 * half * message))
    raise ValueError("label: unknown '{}'; allowed: {}".format(kind, ", ".join(list(LINEAR_POINTS) +
                                                                                list(OTHER_KINDS))))


def emitter_samples(emitter, samp_rate, rng):
    """The emitter alone at samp_rate, unit power while on, zero outside [start, stop)."""
    from scipy import signal

    length = emitter.stop - emitter.start
    ratio = fractions.Fraction(samp_rate / (8 * emitter.symbol_rate)).limit_denominator(4000)
    symbols_needed = int(length / samp_rate * emitter.symbol_rate) + 64
    if emitter.label in LINEAR_POINTS:
        base = independent.shaped_symbols(LINEAR_POINTS[emitter.label], 1, symbols_needed * 8, rng, 8,
                                          emitter.rolloff)[0]
    else:
        base = _other_kind(emitter.label, symbols_needed * 8, rng)
    x = signal.resample_poly(base, ratio.numerator, ratio.denominator)[:length]
    x = x / np.sqrt(np.mean(np.abs(x) ** 2))
    x = x * np.exp(2j * np.pi * (emitter.center_hz / samp_rate * np.arange(length) + rng.uniform()))
    return x


def simulate(seconds, samp_rate, rng, emitters=4, labels=tuple(LINEAR_POINTS), rates=(10e3, 100e3),
             snrs_db=(6.0, 20.0), guard=0.05, always_on=False, receiver=None):
    """(complex64 samples, [Emitter]): receiver noise of power 1 per sample and `emitters`
    emitters without overlapping bands (each band +-(1 + rolloff) * rate / 2 plus a guard of
    `guard` x samp_rate), each on for a random stretch of at least a quarter of the run
    (always_on: the whole run). labels: linear classes and OTHER_KINDS. receiver: a dict of
    data.receiver values (e.g. data.receiver.demo_receiver) applied to the whole band."""
    n = int(seconds * samp_rate)
    x = independent.complex_noise(rng, n).astype(np.complex128)
    placed = []
    for _ in range(emitters):
        for _attempt in range(200):
            rate = float(rng.uniform(*rates))
            half = 1.35 * rate / 2
            edge = samp_rate / 2 - half - guard * samp_rate
            center = float(rng.uniform(-edge, edge))
            if all(abs(center - p.center_hz) > half + 1.35 * p.symbol_rate / 2 + guard * samp_rate for p in placed):
                break
        else:
            break
        start = 0 if always_on else int(rng.uniform(0, 0.5) * n)
        stop = n if always_on else int(min(n, start + rng.uniform(0.25, 1.0) * n))
        emitter = Emitter(str(rng.choice(labels)), center, rate, float(rng.uniform(*snrs_db)), start, stop)
        amplitude = np.sqrt(10 ** (emitter.snr_db / 10) * rate / samp_rate)
        x[start:stop] += amplitude * emitter_samples(emitter, samp_rate, rng)
        placed.append(emitter)
    if receiver is not None:
        from ..data import receiver as rx

        x = rx.apply_receiver(x, receiver, rx.ReceiverConfig(sample_rate=samp_rate, adc_bits=receiver.get("adc_bits")))
    return x.astype(np.complex64), placed
