# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""The likelihood-ratio bound of the MAE recipe, against brute force and a closed form."""

import itertools
import math

import numpy as np
import pytest
from scipy.stats import norm

from gnuradio.sentinel.data import modulators
from gnuradio.sentinel.train import mae_bound


def test_log_likelihood_matches_brute_force_enumeration():
    """For 2-sample windows, log p(x | QPSK, s) equals the enumeration over all 16 symbol
    pairs of prod_n CN(x_n; c_k, sigma^2) / 16 (to 1e-9), at two SNRs."""
    rng = np.random.default_rng(0)
    x = (rng.standard_normal((5, 2)) + 1j * rng.standard_normal((5, 2))).astype(np.complex64)
    points = modulators.LINEAR_CONSTELLATIONS["QPSK"]
    ll = mae_bound.log_likelihoods(x, [points], [0.0, 6.0])
    for b in range(5):
        for j, snr in enumerate((0.0, 6.0)):
            s2 = 10 ** (-snr / 10)
            total = 0.0
            for pair in itertools.product(points, repeat=2):
                total += np.prod([math.exp(-abs(complex(x[b, n]) - pair[n]) ** 2 / s2) / (math.pi * s2)
                                  for n in range(2)]) / 16
            assert ll[b, 0, j] == pytest.approx(math.log(total), abs=1e-6)


def test_auroc_of_two_known_points_matches_the_closed_form():
    """Normal: every symbol is +a; anomalous: every symbol is -a (one-point constellations).
    The likelihood ratio is then linear in x and its AUROC is Phi(sqrt(N) |2a| / sigma): with
    a = 0.1, N = 50, sigma^2 = 1 that is 0.921; measured on 3000 windows of each to 0.015."""
    rng = np.random.default_rng(1)
    n, a, count = 50, 0.1, 3000
    noise = (rng.standard_normal((2 * count, n)) + 1j * rng.standard_normal((2 * count, n))) / math.sqrt(2)
    x = noise + np.concatenate([np.full((count, n), a), np.full((count, n), -a)])
    labels = np.repeat([False, True], count)
    score = mae_bound.scores(x, [[complex(a)]], [[complex(-a)]], [0.0])
    _, auroc = mae_bound.auroc_by_snr(score, labels, np.zeros(2 * count))
    expected = norm.cdf(math.sqrt(n) * 2 * a / 1.0)
    assert expected == pytest.approx(0.921, abs=1e-3)
    assert auroc == pytest.approx(expected, abs=0.015)


def test_bound_refuses_other_recipes():
    class Fake:
        parameters = {"snrs_db": [0.0]}
    with pytest.raises(ValueError, match="MAE recipe"):
        mae_bound.evaluate_bound(Fake(), np.ones(1, bool))


def test_normal_only_score_is_the_negative_normal_log_likelihood():
    """With one normal point +a and one SNR, -log p(x | normal) = sum |x - a|^2 / s2 + N log(pi s2)
    exactly (the anomalous constellation does not enter it)."""
    rng = np.random.default_rng(2)
    x = (rng.standard_normal((4, 30)) + 1j * rng.standard_normal((4, 30))).astype(np.complex64)
    a, s2 = 0.3, 10 ** (-3.0 / 10)
    _, normal_only = mae_bound.scores(x, [[complex(a)]], [[complex(-a)]], [3.0], with_normal_only=True)
    expected = np.sum(np.abs(x.astype(np.complex128) - a) ** 2, axis=1) / s2 + 30 * math.log(math.pi * s2)
    np.testing.assert_allclose(normal_only, expected, rtol=1e-5)
    _, other = mae_bound.scores(x, [[complex(a)]], [[complex(2.0)]], [3.0], with_normal_only=True)
    np.testing.assert_allclose(other, normal_only)
