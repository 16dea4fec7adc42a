# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""prbs_source_b: known answers, periods, polarity, packing, continuity, validation."""

import numpy as np
import pytest
from gnuradio import sentinel

from flowgraph_helpers import source_bits
from prbs_reference import O150, fast_sequence, reference_bits, shift_register_bits


def test_prbs7_known_answer():
    """PRBS7 from all ones continues the published 0xFE 0x04 0x18 0x51 0xE4 0x59 sequence."""
    published = np.unpackbits(np.array([0xFE, 0x04, 0x18, 0x51, 0xE4, 0x59], dtype=np.uint8))
    assert published[:7].tolist() == [1] * 7  # the all-ones register itself
    bits = source_bits(sentinel.prbs_source_b("PRBS7"), len(published) - 7)
    assert bits.tolist() == published[7:].tolist()


@pytest.mark.parametrize("pattern", list(O150))
def test_matches_o150_shift_register(pattern):
    """The first 3000 bits equal a literal O.150 shift register, polarity included."""
    bits = source_bits(sentinel.prbs_source_b(pattern), 3000)
    assert np.array_equal(bits, reference_bits(pattern, 3000))


@pytest.mark.parametrize("pattern", ["PRBS7", "PRBS9", "PRBS11", "PRBS15", "PRBS20"])
def test_period_and_runs(pattern):
    """Period is exactly 2^n - 1, with the run structure O.150 gives each polarity.

    A maximal-length sequence repeats after 2^n - 1 bits and after no proper
    divisor of it; its longest run is n equal bits of one value and n - 1 of the
    other. Sent inverted, the run of n is of zeros.
    """
    n, m, inverted = O150[pattern]
    period = 2 ** n - 1
    bits = source_bits(sentinel.prbs_source_b(pattern), 2 * period + 5)
    assert np.array_equal(bits[:period + 5], bits[period:2 * period + 5])
    for q in range(2, period):
        if period % q == 0:
            d = period // q
            assert not np.array_equal(bits[:period], bits[d:d + period])
    assert np.array_equal(bits[:period], fast_sequence(n, m, period, inverted))
    one_period = bits[:period]
    assert one_period.sum() == (2 ** (n - 1) - 1 if inverted else 2 ** (n - 1))

    def longest_run(value):
        padded = np.concatenate([[1 - value], one_period, one_period, [1 - value]])
        edges = np.flatnonzero(np.diff((padded == value).astype(np.int8)))
        return int(np.max(edges[1::2] - edges[0::2]))

    assert longest_run(0) == (n if inverted else n - 1)
    assert longest_run(1) == (n - 1 if inverted else n)


@pytest.mark.parametrize("pattern", ["PRBS9", "PRBS31"])
def test_packed_is_msb_first_packing_of_unpacked(pattern):
    """Packed output equals np.packbits (MSB first) of the unpacked output."""
    unpacked = source_bits(sentinel.prbs_source_b(pattern, False), 8 * 4099)
    packed = source_bits(sentinel.prbs_source_b(pattern, True), 4099)
    assert np.array_equal(packed, np.packbits(unpacked))


def test_invert_complements_the_output():
    plain = source_bits(sentinel.prbs_source_b("PRBS23"), 5000)
    inverted = source_bits(sentinel.prbs_source_b("PRBS23", invert=True), 5000)
    assert np.array_equal(plain ^ 1, inverted)
    assert sentinel.prbs_source_b("PRBS23").complemented()  # O.150 inverts PRBS23
    assert not sentinel.prbs_source_b("PRBS9").complemented()


def test_seed_sets_the_register():
    """A seed is the register: stage i holds bit i-1 of the seed (bit 0 = newest)."""
    seed = 0b101100111
    stages = [(seed >> i) & 1 for i in range(9)]
    bits = source_bits(sentinel.prbs_source_b("PRBS9", seed=seed), 2000)
    assert np.array_equal(bits, shift_register_bits(9, 5, 2000, False, stages))


def test_custom_polynomial():
    """CUSTOM with x^16 + x^15 + x^13 + x^4 + 1 (mask 0xD008) against a serial model."""
    taps = [16, 15, 13, 4]
    bits = source_bits(sentinel.prbs_source_b("CUSTOM", degree=16, mask=0xD008), 3000)
    history = [1] * 16
    expected = []
    for _ in range(3000):
        new = 0
        for j in taps:
            new ^= history[-j]
        history.append(new)
        expected.append(new)
    assert bits.tolist() == expected


def test_continuous_and_reproducible():
    """Long runs never reset, and the same arguments give the same bits."""
    n, m, inverted = O150["PRBS11"]
    bits = source_bits(sentinel.prbs_source_b("PRBS11"), 300_000)
    period = 2 ** n - 1
    assert np.array_equal(bits[: 300_000 - period], bits[period:])
    again = source_bits(sentinel.prbs_source_b("PRBS11"), 300_000)
    assert np.array_equal(bits, again)


@pytest.mark.parametrize("kwargs, message", [
    (dict(pattern="PRBS8"), "pattern"),
    (dict(pattern="PRBS9", seed=512), "seed"),
    (dict(pattern="CUSTOM", degree=1, mask=1), "degree"),
    (dict(pattern="CUSTOM", degree=65, mask=1), "degree"),
    (dict(pattern="CUSTOM", degree=9, mask=0x10), "mask"),
])
def test_bad_arguments_name_the_parameter(kwargs, message):
    with pytest.raises(ValueError, match=message):
        sentinel.prbs_source_b(**kwargs)


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(seed=-1), ValueError, r"seed: must be in 0\.\.2\^degree-1 .*got -1"),
    (dict(seed=2**64), ValueError, r"seed: must be in .*got 18446744073709551616"),
    (dict(pattern="CUSTOM", degree=2**32, mask=3), ValueError, r"degree: must be in 2\.\.64"),
    (dict(pattern="CUSTOM", degree=9, mask=-1), ValueError, "mask: must be in"),
    (dict(seed=1.5), TypeError, "seed: must be an integer"),
])
def test_integers_outside_their_type_name_the_parameter(kwargs, error, message):
    """Integers that do not fit the C++ type (a negative seed, 2^64) raise ValueError
    naming the parameter and its range, not pybind11's TypeError listing the signature;
    a float raises TypeError naming the parameter."""
    with pytest.raises(error, match=message):
        sentinel.prbs_source_b(**kwargs)


def test_lfsr_core_is_exposed():
    """The shared LFSR core steps forward and back exactly."""
    p = sentinel.lookup_prbs_pattern("PRBS31")
    assert (p.degree, p.taps, p.inverted) == (31, (1 << 30) | (1 << 27), True)
    g = sentinel.lfsr(p.taps, sentinel.prbs_initial_register(p, 0))
    word = g.next_bits(64)
    for _ in range(64):
        g.step_back()
    assert g.reg() == (1 << 31) - 1
    assert word >> 33 == int("".join(map(str, reference_bits("PRBS31", 31) ^ 1)), 2)
