/*
 * Copyright 2026 The gr-sentinel authors.
 *
 * This file is part of gr-sentinel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gnuradio/sentinel/lfsr.h>
#include <gnuradio/sentinel/prbs_checker.h>
#include <boost/test/unit_test.hpp>
#include <random>
#include <stdexcept>
#include <vector>

using namespace gr::sentinel;

namespace {

std::vector<uint8_t> prbs_bits(const prbs_pattern& p, size_t count)
{
    lfsr g(p.taps, prbs_initial_register(p, 0));
    std::vector<uint8_t> bits(count);
    for (auto& b : bits) {
        b = static_cast<uint8_t>(g.next_bit() ^ (p.inverted ? 1 : 0));
    }
    return bits;
}

void feed_bits(prbs_checker& c, const std::vector<uint8_t>& bits, size_t begin = 0)
{
    // Irregular chunk sizes exercise every boundary split.
    size_t i = begin;
    unsigned count = 1;
    while (i < bits.size()) {
        const unsigned take =
            static_cast<unsigned>(std::min<size_t>(count, bits.size() - i));
        uint64_t chunk = 0;
        for (unsigned k = 0; k < take; k++) {
            chunk = (chunk << 1) | bits[i + k];
        }
        c.feed(chunk, take);
        i += take;
        count = (count + 7) % 64 + 1; // 1..64
    }
}

prbs_checker make_checker(const prbs_pattern& p)
{
    return prbs_checker(p, 128, 1024, 0.2, 10000, 1000000);
}

} // namespace

BOOST_AUTO_TEST_CASE(locks_from_any_offset_and_counts_exactly)
{
    const prbs_pattern p = lookup_prbs_pattern("PRBS23");
    auto bits = prbs_bits(p, 200000);
    // Errors at every 97th bit from 10000 on; acquisition ends at bit
    // offset + degree + sync_bits, well before.
    uint64_t injected = 0;
    for (size_t i = 10000; i < bits.size(); i += 97) {
        bits[i] ^= 1;
        injected++;
    }
    prbs_checker c = make_checker(p);
    const size_t offset = 1234;
    feed_bits(c, bits, offset);
    BOOST_CHECK(c.locked());
    BOOST_CHECK(!c.inverted());
    const uint64_t acquisition = p.degree + 128;
    BOOST_CHECK_EQUAL(c.unchecked_bits(), acquisition);
    BOOST_CHECK_EQUAL(c.bits(), bits.size() - offset - acquisition);
    BOOST_CHECK_EQUAL(c.errors(), injected);
    // The last 10000 bits hold exactly the errors at positions in that range.
    uint64_t window_errors = 0;
    for (size_t i = bits.size() - 10000; i < bits.size(); i++) {
        window_errors += ((i >= 10000) && ((i - 10000) % 97 == 0)) ? 1 : 0;
    }
    const prbs_report r = c.report();
    BOOST_CHECK_EQUAL(r.window_bits, 10000u);
    BOOST_CHECK_EQUAL(r.window_errors, window_errors);
}

BOOST_AUTO_TEST_CASE(detects_inversion)
{
    const prbs_pattern p = lookup_prbs_pattern("PRBS31");
    auto bits = prbs_bits(p, 50000);
    for (auto& b : bits) {
        b ^= 1;
    }
    prbs_checker c = make_checker(p);
    feed_bits(c, bits);
    BOOST_CHECK(c.locked());
    BOOST_CHECK(c.inverted());
    BOOST_CHECK_EQUAL(c.errors(), 0u);
}

BOOST_AUTO_TEST_CASE(a_slip_costs_one_resync)
{
    const prbs_pattern p = lookup_prbs_pattern("PRBS15");
    for (int slip : { +1, -1, +5, -13 }) {
        auto bits = prbs_bits(p, 100000);
        if (slip > 0) {
            bits.insert(bits.begin() + 40000, slip, 1);
        } else {
            bits.erase(bits.begin() + 40000, bits.begin() + 40000 - slip);
        }
        prbs_checker c = make_checker(p);
        feed_bits(c, bits);
        BOOST_CHECK(c.locked());
        BOOST_CHECK_EQUAL(c.resyncs(), 1u);
        BOOST_CHECK_EQUAL(c.slips(), 1u);
        BOOST_CHECK_EQUAL(c.report().slipped_bits, slip);
        // A slip is not a bit error; it costs the hunt and the inserted bits.
        BOOST_CHECK_EQUAL(c.errors(), 0u);
        const unsigned inserted = slip > 0 ? slip : 0;
        BOOST_CHECK_EQUAL(c.unchecked_bits(), 2 * (p.degree + 128) + inserted);
        BOOST_CHECK_EQUAL(c.bits() + c.unchecked_bits(), bits.size());
    }
}

BOOST_AUTO_TEST_CASE(a_slip_at_every_phase_of_a_block_costs_no_errors)
{
    // One deleted bit at each of 64 positions spread over a 1024-bit block: the
    // slip errors in a block that still passes the loss check are taken back.
    const prbs_pattern p = lookup_prbs_pattern("PRBS23");
    const size_t acquisition = p.degree + 128;
    for (size_t phase = 0; phase < 1024; phase += 16) {
        auto bits = prbs_bits(p, 30000);
        const size_t at = acquisition + 10 * 1024 + phase;
        bits.erase(bits.begin() + at);
        prbs_checker c = make_checker(p);
        feed_bits(c, bits);
        BOOST_CHECK_EQUAL(c.errors(), 0u);
        BOOST_CHECK_EQUAL(c.slips(), 1u);
        BOOST_CHECK_EQUAL(c.report().slipped_bits, -1);
        BOOST_CHECK_EQUAL(c.unchecked_bits(), 2 * acquisition);
    }
}

BOOST_AUTO_TEST_CASE(a_polarity_flip_is_counted_as_a_flip)
{
    const prbs_pattern p = lookup_prbs_pattern("PRBS31");
    auto bits = prbs_bits(p, 60000);
    for (size_t i = 25000; i < bits.size(); i++) {
        bits[i] ^= 1;
    }
    prbs_checker c = make_checker(p);
    feed_bits(c, bits);
    BOOST_CHECK(c.locked());
    BOOST_CHECK(c.inverted());
    BOOST_CHECK_EQUAL(c.errors(), 0u);
    BOOST_CHECK_EQUAL(c.resyncs(), 1u);
    BOOST_CHECK_EQUAL(c.polarity_flips(), 1u);
    BOOST_CHECK_EQUAL(c.slips(), 0u);
}

BOOST_AUTO_TEST_CASE(sizes_are_bounded)
{
    const prbs_pattern p = lookup_prbs_pattern("PRBS9");
    const uint64_t window_limit = prbs_checker::max_window_bits;
    const unsigned block_limit = prbs_checker::max_block_bits;
    BOOST_CHECK_THROW(prbs_checker(p, 128, 1024, 0.2, ~uint64_t(0), 1000),
                      std::invalid_argument);
    BOOST_CHECK_THROW(prbs_checker(p, 128, 1024, 0.2, window_limit + 1, 1000),
                      std::invalid_argument);
    BOOST_CHECK_THROW(prbs_checker(p, block_limit + 1, 1024, 0.2, 100, 1000),
                      std::invalid_argument);
    BOOST_CHECK_THROW(prbs_checker(p, ~0u, 1024, 0.2, 100, 1000), std::invalid_argument);
    BOOST_CHECK_THROW(prbs_checker(p, 128, block_limit + 1, 0.2, 100, 1000),
                      std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(junk_never_locks)
{
    const prbs_pattern p = lookup_prbs_pattern("PRBS31");
    std::mt19937 rng(3);
    std::vector<uint8_t> random_bits(200000);
    for (auto& b : random_bits) {
        b = rng() & 1;
    }
    for (const auto& input : { std::vector<uint8_t>(50000, 0),
                               std::vector<uint8_t>(50000, 1),
                               random_bits }) {
        prbs_checker c = make_checker(p);
        feed_bits(c, input);
        BOOST_CHECK(!c.locked());
        BOOST_CHECK_EQUAL(c.bits(), 0u);
        BOOST_CHECK_EQUAL(c.unchecked_bits(), input.size());
    }
}

BOOST_AUTO_TEST_CASE(wilson_interval_brackets_the_estimate)
{
    const auto ci = wilson_interval(10, 1000);
    BOOST_CHECK_LT(ci.first, 0.01);
    BOOST_CHECK_GT(ci.second, 0.01);
    // Published Wilson bounds for k=10, n=1000 (z=1.96): 0.005441, 0.018309.
    BOOST_CHECK_CLOSE(ci.first, 0.0054408, 0.01);
    BOOST_CHECK_CLOSE(ci.second, 0.0183095, 0.01);
    const auto zero = wilson_interval(0, 100);
    BOOST_CHECK_EQUAL(zero.first, 0.0);
}
