/*
 * Copyright 2026 The gr-sentinel authors.
 *
 * This file is part of gr-sentinel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gnuradio/sentinel/lfsr.h>
#include <gnuradio/sentinel/prbs_pattern.h>
#include <boost/test/unit_test.hpp>
#include <random>
#include <vector>

using namespace gr::sentinel;

namespace {

std::vector<uint64_t> prime_factors(uint64_t n)
{
    std::vector<uint64_t> factors;
    for (uint64_t p = 2; p * p <= n; p++) {
        if (n % p == 0) {
            factors.push_back(p);
            while (n % p == 0) {
                n /= p;
            }
        }
    }
    if (n > 1) {
        factors.push_back(n);
    }
    return factors;
}

const char* const standard[] = { "PRBS7",  "PRBS9",  "PRBS11", "PRBS15",
                                 "PRBS20", "PRBS23", "PRBS31" };

} // namespace

BOOST_AUTO_TEST_CASE(table_path_matches_serial_steps)
{
    std::mt19937_64 rng(7);
    std::vector<uint64_t> taps_list;
    for (auto name : standard) {
        taps_list.push_back(lookup_prbs_pattern(name).taps);
    }
    // x^64 + x^63 + x^61 + x^60 + 1, a degree-64 custom polynomial.
    taps_list.push_back((1ULL << 63) | (1ULL << 62) | (1ULL << 60) | (1ULL << 59));
    for (uint64_t taps : taps_list) {
        lfsr probe(taps, 1);
        const uint64_t reg = (rng() & probe.reg_mask()) | 1;
        lfsr fast(taps, reg);
        lfsr slow(taps, reg);
        for (int round = 0; round < 200; round++) {
            const unsigned count = 1 + rng() % 64;
            const uint64_t word = fast.next_bits(count);
            uint64_t expected = 0;
            for (unsigned i = 0; i < count; i++) {
                expected = (expected << 1) | slow.next_bit();
            }
            BOOST_REQUIRE_EQUAL(word, expected);
            BOOST_REQUIRE_EQUAL(fast.reg(), slow.reg());
        }
    }
}

BOOST_AUTO_TEST_CASE(step_back_undoes_a_step)
{
    for (auto name : standard) {
        lfsr g(lookup_prbs_pattern(name).taps, 0x5a5 & ((1ULL << 7) - 1));
        const uint64_t start = g.reg();
        for (int i = 0; i < 100; i++) {
            g.next_bit();
        }
        for (int i = 0; i < 100; i++) {
            g.step_back();
        }
        BOOST_CHECK_EQUAL(g.reg(), start);
    }
}

BOOST_AUTO_TEST_CASE(every_standard_pattern_has_period_2n_minus_1)
{
    for (auto name : standard) {
        const prbs_pattern p = lookup_prbs_pattern(name);
        const uint64_t period = (1ULL << p.degree) - 1;
        const uint64_t start = prbs_initial_register(p, 0);
        lfsr g(p.taps, start);
        g.advance(period);
        BOOST_CHECK_MESSAGE(g.reg() == start, name << " does not repeat after 2^n-1");
        // The true period divides 2^n-1; it is 2^n-1 unless it divides some
        // (2^n-1)/q for a prime factor q.
        for (uint64_t q : prime_factors(period)) {
            lfsr h(p.taps, start);
            h.advance(period / q);
            BOOST_CHECK_MESSAGE(h.reg() != start, name << " repeats after " << period / q);
        }
    }
}

BOOST_AUTO_TEST_CASE(invalid_arguments_are_rejected)
{
    BOOST_CHECK_THROW(lookup_prbs_pattern("PRBS8"), std::invalid_argument);
    BOOST_CHECK_THROW(lookup_prbs_pattern("CUSTOM", 1, 1), std::invalid_argument);
    BOOST_CHECK_THROW(lookup_prbs_pattern("CUSTOM", 65, 1), std::invalid_argument);
    BOOST_CHECK_THROW(lookup_prbs_pattern("CUSTOM", 9, 0x10), std::invalid_argument);
    BOOST_CHECK_NO_THROW(lookup_prbs_pattern("custom", 9, 0x110));
    const prbs_pattern p9 = lookup_prbs_pattern("PRBS9");
    BOOST_CHECK_THROW(prbs_initial_register(p9, 512), std::invalid_argument);
    BOOST_CHECK_EQUAL(prbs_initial_register(p9, 0), 511u);
    BOOST_CHECK_THROW(lfsr(p9.taps, 0), std::invalid_argument);
}
