# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Headless BER loopback: PRBS source -> modulator -> AWGN -> demodulator -> BER tester.

The modulator is a Gray-mapped constellation (BPSK, QPSK, 16QAM: chunks_to_symbols
and hard decisions) or a channel-autoencoder bundle (autoencoder_mod_bc /
autoencoder_demod_cb). Eb/N0 is set exactly: every complex sample has unit average
energy, so with r bits per complex sample the complex noise power is N0 = 1 / (r Eb/N0).
"""

import math

import pmt
from gnuradio import analog, blocks, digital, gr

from .sentinel_python import prbs_sink_b, prbs_source_b

_GRAY_2BIT_LEVELS = {0b00: -3.0, 0b01: -1.0, 0b11: 1.0, 0b10: 3.0}


def _gray_16qam_points():
    points = []
    for index in range(16):
        real = _GRAY_2BIT_LEVELS[index >> 2]
        imag = _GRAY_2BIT_LEVELS[index & 0b11]
        points.append(complex(real, imag) / math.sqrt(10.0))
    return points


#: Gray-mapped constellations with unit average energy; index = symbol's bits, MSB first.
CONSTELLATIONS = {
    "BPSK": [complex(-1, 0), complex(1, 0)],
    "QPSK": [complex(i, q) / math.sqrt(2.0) for q in (-1, 1) for i in (-1, 1)],
    "16QAM": _gray_16qam_points(),
}


def modulation_names():
    return list(CONSTELLATIONS)


def bits_per_symbol(modulation):
    return int(math.log2(len(_points(modulation))))


def _is_constellation(modulation):
    return modulation in CONSTELLATIONS


def _points(modulation):
    try:
        return CONSTELLATIONS[modulation]
    except KeyError:
        raise ValueError(
            "modulation: unknown '{}'; allowed: {} or a modem bundle (e.g. ae_7_4)".format(
                modulation, ", ".join(CONSTELLATIONS))
        ) from None


def _q(x):
    return 0.5 * math.erfc(x / math.sqrt(2.0))


def theory_ber(modulation, ebn0_db):
    """Bit error probability of the Gray-mapped constellation in AWGN.

    BPSK and QPSK: Q(sqrt(2 Eb/N0)). 16QAM: the exact Gray-mapped expression
    3/4 Q(a) + 1/2 Q(3a) - 1/4 Q(5a), a = sqrt(4/5 Eb/N0).
    """
    _points(modulation)
    gamma = 10.0 ** (ebn0_db / 10.0)
    if modulation in ("BPSK", "QPSK"):
        return _q(math.sqrt(2.0 * gamma))
    a = math.sqrt(0.8 * gamma)
    return 0.75 * _q(a) + 0.5 * _q(3 * a) - 0.25 * _q(5 * a)


def noise_amplitude(bits_per_sample, ebn0_db):
    """Amplitude for analog.noise_source_c (its total power is amplitude**2)."""
    return math.sqrt(1.0 / (bits_per_sample * 10.0 ** (ebn0_db / 10.0)))


class ber_loopback(gr.top_block):
    """PRBS -> symbols -> AWGN -> decisions -> prbs_sink_b, for a fixed number of bits."""

    def __init__(self, modulation="QPSK", ebn0_db=6.0, nbits=1_000_000, pattern="PRBS23",
                 seed=1, report_interval=1_000_000):
        gr.top_block.__init__(self, "ber_loopback", catch_exceptions=False)
        if nbits <= 0:
            raise ValueError("nbits: must be positive, got {}".format(nbits))
        if _is_constellation(modulation):
            points = _points(modulation)
            k = bits_per_symbol(modulation)
            bits_per_sample = k
            constellation = digital.constellation_calcdist(
                points, [], 1, 1, digital.constellation.NO_NORMALIZATION)
            tx = [blocks.pack_k_bits_bb(k), digital.chunks_to_symbols_bc(points)]
            rx = [digital.constellation_decoder_cb(constellation), blocks.unpack_k_bits_bb(k)]
        else:
            from .autoencoder_demod_cb import autoencoder_demod_cb
            from .autoencoder_mod_bc import autoencoder_mod_bc
            from .runtime.bundle import BundleError
            try:
                tx = [autoencoder_mod_bc(modulation)]
            except BundleError as error:
                raise ValueError("modulation: '{}' is neither {} nor a modem bundle ({})".format(
                    modulation, ", ".join(CONSTELLATIONS), error)) from None
            rx = [autoencoder_demod_cb(modulation)]
            k = tx[0].k
            bits_per_sample = tx[0].k / tx[0].n
        nbits -= nbits % k

        self.source = prbs_source_b(pattern, False, False, 0)
        self.head = blocks.head(gr.sizeof_char, nbits)
        self.noise = analog.noise_source_c(analog.GR_GAUSSIAN,
                                           noise_amplitude(bits_per_sample, ebn0_db), seed)
        self.channel = blocks.add_cc()
        self.sink = prbs_sink_b(pattern, False, report_interval=report_interval)
        self.tx, self.rx = tx, rx

        self.connect(self.source, self.head, *tx, (self.channel, 0))
        self.connect(self.noise, (self.channel, 1))
        self.connect(self.channel, *rx, self.sink)


def run_point(modulation, ebn0_db, nbits, pattern="PRBS23", seed=1):
    """Run one loopback; returns the sink's statistics as a Python dict."""
    top = ber_loopback(modulation, ebn0_db, nbits, pattern, seed)
    top.run()
    stats = pmt.to_python(top.sink.stats())
    stats["modulation"] = modulation
    stats["ebn0_db"] = ebn0_db
    stats["theory"] = theory_ber(modulation, ebn0_db) if _is_constellation(modulation) else None
    return stats


def sweep(modulations, ebn0_points, nbits, pattern="PRBS23", seed=1):
    """All (modulation, Eb/N0) points; each gets its own noise seed."""
    results = []
    for m_index, modulation in enumerate(modulations):
        for p_index, ebn0_db in enumerate(ebn0_points):
            results.append(run_point(modulation, ebn0_db, nbits, pattern,
                                     seed + 1000 * m_index + p_index))
    return results
