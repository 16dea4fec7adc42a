# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""BER loopback through GNU Radio's mapper, AWGN and hard decisions, against theory."""

import math

import pytest
from scipy.stats import norm

from gnuradio.sentinel import ber_loopback

EBN0_POINTS = [0.0, 2.0, 4.0, 6.0]
MODULATIONS = ["BPSK", "QPSK"]
NBITS = 1_000_000
# Eight points tested together: Bonferroni gives each a 1 - 0.05/8 interval, so
# the family sits inside a simultaneous 95% confidence band.
Z_FAMILY = norm.ppf(1 - 0.05 / (2 * len(EBN0_POINTS) * len(MODULATIONS)))


def wilson(k, n, z):
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return centre - half, centre + half


@pytest.mark.parametrize("modulation", MODULATIONS)
def test_measured_ber_matches_theory(modulation):
    results = ber_loopback.sweep([modulation], EBN0_POINTS, NBITS, seed=5)
    for r in results:
        assert r["locked"] and r["resyncs"] == 0
        low, high = wilson(r["errors"], r["bits"], Z_FAMILY)
        assert low <= r["theory"] <= high, r


def test_theory_values():
    """Q(sqrt(2 Eb/N0)) at 0 dB is 0.0786496; Gray 16QAM at 10 dB is 1.754e-3."""
    assert ber_loopback.theory_ber("BPSK", 0.0) == pytest.approx(0.0786496, rel=1e-5)
    assert ber_loopback.theory_ber("16QAM", 10.0) == pytest.approx(1.7537e-3, rel=1e-3)


def test_constellations_are_gray_with_unit_energy():
    for name, points in ber_loopback.CONSTELLATIONS.items():
        assert sum(abs(p) ** 2 for p in points) / len(points) == pytest.approx(1.0)
        dmin = min(abs(a - b) for i, a in enumerate(points) for b in points[i + 1:])
        for i, a in enumerate(points):
            for j, b in enumerate(points):
                if i < j and abs(abs(a - b) - dmin) < 1e-9:
                    assert bin(i ^ j).count("1") == 1, (name, i, j)


def test_sixteen_qam_point():
    r = ber_loopback.run_point("16QAM", 8.0, 400_000, seed=9)
    low, high = wilson(r["errors"], r["bits"], norm.ppf(0.975))
    assert low <= r["theory"] <= high


def test_bad_modulation():
    with pytest.raises(ValueError, match="modulation"):
        ber_loopback.run_point("8PSK", 4.0, 1000)


def test_demo_command_prints_a_table(capsys):
    from gnuradio.sentinel.cli import main
    assert main(["loopback", "--modulations", "QPSK", "--ebn0", "4", "--bits", "100000"]) == 0
    out = capsys.readouterr().out
    assert "QPSK" in out and "theory" in out
