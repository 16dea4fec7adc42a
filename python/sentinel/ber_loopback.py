# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Headless BER loopback: PRBS source -> Gray mapping -> AWGN -> hard decisions -> BER tester.

Eb/N0 is set exactly: symbols have unit average energy Es, so with k bits per
symbol the complex noise power is N0 = 1 / (k * Eb/N0).
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


def _points(modulation):
    try:
        return CONSTELLATIONS[modulation]
    except KeyError:
        raise ValueError(
            "modulation: unknown '{}'; allowed: {}".format(modulation, ", ".join(CONSTELLATIONS))
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


def noise_amplitude(modulation, ebn0_db):
    """Amplitude for analog.noise_source_c (its total power is amplitude**2)."""
    k = bits_per_symbol(modulation)
    return math.sqrt(1.0 / (k * 10.0 ** (ebn0_db / 10.0)))


class ber_loopback(gr.top_block):
    """PRBS -> symbols -> AWGN -> decisions -> prbs_sink_b, for a fixed number of bits."""

    def __init__(self, modulation="QPSK", ebn0_db=6.0, nbits=1_000_000, pattern="PRBS23",
                 seed=1, report_interval=1_000_000):
        gr.top_block.__init__(self, "ber_loopback", catch_exceptions=False)
        if nbits <= 0:
            raise ValueError("nbits: must be positive, got {}".format(nbits))
        points = _points(modulation)
        k = bits_per_symbol(modulation)
        nbits -= nbits % k

        self.source = prbs_source_b(pattern, False, False, 0)
        self.head = blocks.head(gr.sizeof_char, nbits)
        self.pack = blocks.pack_k_bits_bb(k)
        self.mapper = digital.chunks_to_symbols_bc(points)
        self.noise = analog.noise_source_c(analog.GR_GAUSSIAN,
                                           noise_amplitude(modulation, ebn0_db), seed)
        self.channel = blocks.add_cc()
        constellation = digital.constellation_calcdist(
            points, [], 1, 1, digital.constellation.NO_NORMALIZATION)
        self.decider = digital.constellation_decoder_cb(constellation)
        self.unpack = blocks.unpack_k_bits_bb(k)
        self.sink = prbs_sink_b(pattern, False, report_interval=report_interval)

        self.connect(self.source, self.head, self.pack, self.mapper, (self.channel, 0))
        self.connect(self.noise, (self.channel, 1))
        self.connect(self.channel, self.decider, self.unpack, self.sink)


def run_point(modulation, ebn0_db, nbits, pattern="PRBS23", seed=1):
    """Run one loopback; returns the sink's statistics as a Python dict."""
    top = ber_loopback(modulation, ebn0_db, nbits, pattern, seed)
    top.run()
    stats = pmt.to_python(top.sink.stats())
    stats["modulation"] = modulation
    stats["ebn0_db"] = ebn0_db
    stats["theory"] = theory_ber(modulation, ebn0_db)
    return stats


def sweep(modulations, ebn0_points, nbits, pattern="PRBS23", seed=1):
    """All (modulation, Eb/N0) points; each gets its own noise seed."""
    results = []
    for m_index, modulation in enumerate(modulations):
        for p_index, ebn0_db in enumerate(ebn0_points):
            results.append(run_point(modulation, ebn0_db, nbits, pattern,
                                     seed + 1000 * m_index + p_index))
    return results
