# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""What a live receiver does to a signal, drawn per example from seeded ranges.

Transmitter side (applied by the recipe's GNU Radio chains): RRC roll-off and a
symbol-rate mismatch (the emitter's clock is not ours), and a fractional timing
offset (the window does not start on a sample of the transmitter's grid).
Receiver side (applied here, numpy, after the channel and the thermal noise, in
the order the hardware applies them): the LO's carrier offset with slow drift and
a random phase, IQ amplitude/phase imbalance of the analogue mixer, a DC offset
(LO leakage: the RTL-SDR's centre spike), then an AGC and an 8-bit ADC.

Every impairment is a range of magnitudes (low, high), uniform, with a random
sign where the impairment has one; `None` switches it off. A fixed value is a
range with low == high (what the robustness sweep uses).
"""

import dataclasses
import math

import numpy as np

#: Per-example draws recorded in the dataset (`receiver` table), in this order.
COLUMNS = ("cfo_hz", "drift_hz_per_s", "phase_rad", "timing_samples", "symbol_rate_ratio",
           "rolloff", "iq_gain_db", "iq_phase_deg", "dc_relative", "agc_backoff_db")

_RANGE_FIELDS = ("cfo_hz", "drift_hz_per_s", "timing_samples", "symbol_rate_deviation", "rolloff",
                 "iq_gain_db", "iq_phase_deg", "dc_relative", "agc_backoff_db")


@dataclasses.dataclass
class ReceiverConfig:
    """Ranges of each impairment (see the module docstring); defaults model an RTL-SDR
    that is not tuned onto the emitter: a signal up to 10 kHz off centre at 200 kHz."""

    sample_rate: float = 200e3
    cfo_hz: tuple = (0.0, 10e3)
    drift_hz_per_s: tuple = (0.0, 2e3)
    phase: bool = True
    timing_samples: tuple = (0.0, 1.0)
    symbol_rate_deviation: tuple = (0.0, 0.10)
    rolloff: tuple = (0.2, 0.5)
    iq_gain_db: tuple = (0.0, 1.0)
    iq_phase_deg: tuple = (0.0, 5.0)
    dc_relative: tuple = (0.0, 0.1)
    adc_bits: int = 8
    agc_backoff_db: tuple = (8.0, 16.0)

    def __post_init__(self):
        for name in _RANGE_FIELDS:
            value = getattr(self, name)
            if value is None:
                continue
            try:
                low, high = (float(v) for v in value)
            except (TypeError, ValueError):
                raise ValueError("receiver {}: a (low, high) range or None, got {!r}".format(name, value)) from None
            if not (math.isfinite(low) and math.isfinite(high) and 0.0 <= low <= high):
                raise ValueError("receiver {}: need 0 <= low <= high, finite; got ({}, {})".format(name, low, high))
            setattr(self, name, (low, high))
        if self.rolloff is not None and not (0.0 < self.rolloff[0] and self.rolloff[1] <= 1.0):
            raise ValueError("receiver rolloff: within (0, 1], got {}".format(self.rolloff))
        if self.symbol_rate_deviation is not None and self.symbol_rate_deviation[1] >= 0.5:
            raise ValueError("receiver symbol_rate_deviation: below 0.5, got {}".format(self.symbol_rate_deviation))
        if self.timing_samples is not None and self.timing_samples[1] > 1.0:
            raise ValueError("receiver timing_samples: within [0, 1], got {}".format(self.timing_samples))
        if self.adc_bits is not None and not (isinstance(self.adc_bits, int) and 2 <= self.adc_bits <= 16):
            raise ValueError("receiver adc_bits: an integer 2..16 or None, got {!r}".format(self.adc_bits))
        if self.adc_bits is not None and self.agc_backoff_db is None:
            raise ValueError("receiver agc_backoff_db: the ADC needs an AGC level range")
        if not self.sample_rate > 0:
            raise ValueError("receiver sample_rate: must be positive, got {}".format(self.sample_rate))

    def as_dict(self):
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in dataclasses.asdict(self).items()}

    @classmethod
    def from_dict(cls, values):
        fields = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - fields)
        if unknown:
            raise ValueError("receiver: unknown field(s) {}; allowed: {}".format(
                ", ".join(unknown), ", ".join(sorted(fields))))
        return cls(**{k: (tuple(v) if isinstance(v, list) else v) for k, v in values.items()})

    @classmethod
    def off(cls, **overrides):
        """Every impairment off, then `overrides` on: one impairment at a time."""
        base = {name: None for name in _RANGE_FIELDS}
        base.update(phase=False, adc_bits=None)
        base.update(overrides)
        return cls(**base)

    @property
    def max_rate_ratio(self):
        return 1.0 + (self.symbol_rate_deviation[1] if self.symbol_rate_deviation else 0.0)


def _magnitude(rng, bounds, signed=True):
    if bounds is None:
        return 0.0
    value = rng.uniform(bounds[0], bounds[1]) if bounds[1] > bounds[0] else bounds[0]
    return float(value * rng.choice((-1.0, 1.0))) if signed else float(value)


def draw(config, rng, linear=True):
    """One example's impairments, as a dict keyed by COLUMNS (0 / 1 / NaN when off).

    `linear`: the class has an RRC pulse (its roll-off is drawn; NaN otherwise)."""
    values = {
        "cfo_hz": _magnitude(rng, config.cfo_hz),
        "drift_hz_per_s": _magnitude(rng, config.drift_hz_per_s),
        "phase_rad": float(rng.uniform(0.0, 2 * math.pi)) if config.phase else 0.0,
        "timing_samples": _magnitude(rng, config.timing_samples, signed=False),
        "symbol_rate_ratio": 1.0 + _magnitude(rng, config.symbol_rate_deviation),
        "rolloff": (_magnitude(rng, config.rolloff, signed=False) if linear and config.rolloff else float("nan")),
        "iq_gain_db": _magnitude(rng, config.iq_gain_db),
        "iq_phase_deg": _magnitude(rng, config.iq_phase_deg),
        "dc_relative": _magnitude(rng, config.dc_relative, signed=False),
        "agc_backoff_db": (_magnitude(rng, config.agc_backoff_db, signed=False)
                           if config.adc_bits is not None else float("nan")),
    }
    values["dc_angle"] = float(rng.uniform(0.0, 2 * math.pi))
    return values


def rotate(x, cfo_hz, sample_rate, phase_rad=0.0, drift_hz_per_s=0.0):
    """x times exp(j(phase + 2 pi integral of f(t) dt)), f(t) = cfo + drift * t."""
    n = np.arange(len(x), dtype=np.float64)
    t = n / sample_rate
    angle = phase_rad + 2 * math.pi * (cfo_hz * t + 0.5 * drift_hz_per_s * t * t)
    return (x * np.exp(1j * angle)).astype(np.complex64)


def iq_imbalance(x, gain_db, phase_deg):
    """The Q branch of the mixer has gain g = 10^(gain_db/20) and a phase error phi:
    I' = I, Q' = g (Q cos phi - I sin phi). A tone at f gets an image at -f of
    relative power |1 - g e^{j phi}|^2 / |1 + g e^{-j phi}|^2 (see image_rejection_db)."""
    g = 10 ** (gain_db / 20)
    phi = math.radians(phase_deg)
    i, q = x.real, x.imag
    return (i + 1j * g * (q * math.cos(phi) - i * math.sin(phi))).astype(np.complex64)


def image_rejection_db(gain_db, phase_deg):
    """Power of the wanted tone over its image after iq_imbalance, in dB."""
    g = 10 ** (gain_db / 20)
    phi = math.radians(phase_deg)
    wanted = abs(1 + g * np.exp(-1j * phi)) ** 2
    image = abs(1 - g * np.exp(1j * phi)) ** 2
    return float(10 * math.log10(wanted / image)) if image > 0 else float("inf")


def quantize(x, bits, backoff_db):
    """AGC to an RMS of -backoff_db dB full scale per rail, clip to [-1, 1], and the
    ADC's 2^bits levels, read back as the RTL-SDR driver does: (code - mid) / mid,
    mid = (2^bits - 1) / 2. Returns values in the ADC's own full-scale units."""
    rms = math.sqrt(float(np.mean(x.real ** 2 + x.imag ** 2)) / 2)
    scale = 10 ** (-backoff_db / 20) / rms if rms > 0 else 1.0
    mid = (2 ** bits - 1) / 2
    out = []
    for rail in (x.real, x.imag):
        code = np.clip(np.round(rail * scale * mid + mid), 0, 2 ** bits - 1)
        out.append((code - mid) / mid)
    return (out[0] + 1j * out[1]).astype(np.complex64)


def adc_levels(bits):
    """The values quantize() can output on each rail."""
    mid = (2 ** bits - 1) / 2
    return (np.arange(2 ** bits) - mid) / mid


def apply_receiver(x, values, config):
    """The receiver-side impairments of one noisy example, in hardware order."""
    y = np.asarray(x, np.complex64)
    if values["cfo_hz"] or values["drift_hz_per_s"] or values["phase_rad"]:
        y = rotate(y, values["cfo_hz"], config.sample_rate, values["phase_rad"], values["drift_hz_per_s"])
    if values["iq_gain_db"] or values["iq_phase_deg"]:
        y = iq_imbalance(y, values["iq_gain_db"], values["iq_phase_deg"])
    if values["dc_relative"]:
        rms = math.sqrt(float(np.mean(np.abs(y) ** 2)))
        y = (y + values["dc_relative"] * rms * np.exp(1j * values["dc_angle"])).astype(np.complex64)
    if config.adc_bits is not None:
        y = quantize(y, config.adc_bits, values["agc_backoff_db"])
    return y


#: The demo's simulated receiver: tuned to 433.92 MHz with a +-2 ppm crystal (an RTL-SDR with a
#: TCXO is specified at +-1 ppm, an uncalibrated USRP at a few), warming slowly, with a mild
#: IQ imbalance, the DC spike and an 8-bit ADC behind an AGC.
DEMO_CARRIER_HZ = 433.92e6
DEMO_PPM = 2.0
DEMO_DRIFT_HZ_PER_S = 5.0


def demo_receiver(rng):
    """One run's simulated receiver, drawn from `rng`: a dict for apply and for the report."""
    ppm = float(rng.uniform(-DEMO_PPM, DEMO_PPM))
    return {"carrier_hz": DEMO_CARRIER_HZ, "crystal_ppm": ppm, "cfo_hz": ppm * 1e-6 * DEMO_CARRIER_HZ,
            "drift_hz_per_s": float(rng.uniform(-DEMO_DRIFT_HZ_PER_S, DEMO_DRIFT_HZ_PER_S)),
            "phase_rad": float(rng.uniform(0, 2 * math.pi)),
            "iq_gain_db": float(rng.uniform(-0.5, 0.5)), "iq_phase_deg": float(rng.uniform(-3.0, 3.0)),
            "dc_relative": float(rng.uniform(0.02, 0.05)), "dc_angle": float(rng.uniform(0, 2 * math.pi)),
            "adc_bits": 8, "agc_backoff_db": 12.0}


def describe(values):
    """One line for the live table."""
    return ("carrier offset {:+.1f} Hz ({:+.2f} ppm at {:.2f} MHz), drift {:+.1f} Hz/s, IQ {:+.2f} dB / {:+.1f} deg, "
            "DC {:.3f} rms, {}-bit ADC at -{:g} dBFS").format(
        values["cfo_hz"], values["crystal_ppm"], values["carrier_hz"] / 1e6, values["drift_hz_per_s"],
        values["iq_gain_db"], values["iq_phase_deg"], values["dc_relative"], values["adc_bits"],
        values["agc_backoff_db"])


def as_row(values):
    return [values[c] for c in COLUMNS]
