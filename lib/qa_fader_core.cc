/*
 * Copyright 2026 The gr-sentinel authors.
 *
 * This file is part of gr-sentinel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "fading_rng.h"
#include "fractional_delay.h"
#include <gnuradio/sentinel/fader_core.h>
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <vector>

using namespace gr::sentinel;

namespace {

double max_error(fader_core& f, size_t n)
{
    const uint64_t t0 = f.time();
    std::vector<gr_complex> h(n);
    f.generate(h.data(), n);
    double worst = 0.0;
    for (size_t i = 0; i < n; i++) {
        worst = std::max(worst, std::abs(std::complex<double>(h[i]) - f.gain_at(t0 + i)));
    }
    return worst;
}

} // namespace

BOOST_AUTO_TEST_CASE(rotators_match_the_double_precision_reference)
{
    // Float rotators re-anchored every 2048 outputs: error well below 1e-4.
    fader_core f(8, 0.01, true, 4.0, 7, 0);
    BOOST_CHECK_LT(max_error(f, 5000), 1e-4);
    f.advance(1000000000ULL);
    BOOST_CHECK_LT(max_error(f, 5000), 1e-4);
    f.set_time(~0ULL - 100000);
    BOOST_CHECK_LT(max_error(f, 5000), 1e-4);
}

BOOST_AUTO_TEST_CASE(next_strided_and_generate_agree)
{
    fader_core a(6, 0.003, false, 0.0, 3, 2);
    fader_core b(6, 0.003, false, 0.0, 3, 2);
    fader_core c(6, 0.003, false, 0.0, 3, 2);
    std::vector<gr_complex> block(3000);
    a.generate(block.data(), block.size());
    for (size_t i = 0; i < block.size(); i++) {
        BOOST_REQUIRE_LT(std::abs(block[i] - b.next()), 1e-5);
    }
    std::vector<gr_complex> strided(300);
    c.generate_strided(strided.data(), strided.size(), 10);
    BOOST_CHECK_EQUAL(c.time(), 3000u);
    for (size_t i = 0; i < strided.size(); i++) {
        BOOST_REQUIRE_LT(std::abs(strided[i] - block[10 * i]), 1e-5);
    }
}

BOOST_AUTO_TEST_CASE(every_realisation_has_unit_power)
{
    // Time average over 4e5 samples at fDTs = 0.01 (4000 Doppler periods):
    // cross terms between distinct frequencies average to ~1e-3.
    for (uint64_t seed : { 0ULL, 1ULL, 99ULL }) {
        for (bool los : { false, true }) {
            fader_core f(8, 0.01, los, 4.0, seed, 0);
            std::vector<gr_complex> h(400000);
            f.generate(h.data(), h.size());
            double power = 0.0;
            for (auto v : h) {
                power += std::norm(v);
            }
            power /= h.size();
            BOOST_CHECK_CLOSE(power, 1.0, 2.0);
        }
    }
}

BOOST_AUTO_TEST_CASE(seeds_and_streams_are_independent)
{
    fader_core a(8, 0.01, false, 0.0, 5, 0);
    fader_core b(8, 0.01, false, 0.0, 5, 0);
    fader_core c(8, 0.01, false, 0.0, 6, 0);
    fader_core d(8, 0.01, false, 0.0, 5, 1);
    for (int i = 0; i < 1000; i++) {
        const gr_complex va = a.next();
        BOOST_REQUIRE(va == b.next());
        const gr_complex vc = c.next();
        const gr_complex vd = d.next();
        BOOST_REQUIRE(va != vc);
        BOOST_REQUIRE(va != vd);
    }
    BOOST_CHECK_NE(fading_stream_seed(0, 0), fading_stream_seed(0, 1));
    BOOST_CHECK_NE(fading_stream_seed(0, 0), fading_stream_seed(1, 0));
}

BOOST_AUTO_TEST_CASE(set_fDTs_keeps_the_phase_continuous)
{
    fader_core f(8, 0.001, false, 0.0, 1, 0);
    f.advance(123456);
    const std::complex<double> before = f.gain_at(f.time());
    f.set_fDTs(0.002);
    BOOST_CHECK_LT(std::abs(f.gain_at(f.time()) - before), 1e-9);
    BOOST_CHECK_CLOSE(f.fDTs(), 0.002, 1e-12);
}

BOOST_AUTO_TEST_CASE(tiny_doppler_still_advances)
{
    // A float phase accumulator stops near fDTs = 4e-8; ours keeps moving.
    fader_core f(8, 1e-9, false, 0.0, 2, 0);
    const std::complex<double> h0 = f.gain_at(0);
    const std::complex<double> h1 = f.gain_at(100000000ULL); // 0.1 Doppler cycles
    BOOST_CHECK_GT(std::abs(h1 - h0), 1e-3);
}

BOOST_AUTO_TEST_CASE(invalid_arguments_are_rejected)
{
    BOOST_CHECK_THROW(fader_core(0, 0.01), std::invalid_argument);
    BOOST_CHECK_THROW(fader_core(8, -0.01), std::invalid_argument);
    BOOST_CHECK_THROW(fader_core(8, 0.6), std::invalid_argument);
    BOOST_CHECK_THROW(fader_core(8, 0.01, true, -1.0), std::invalid_argument);
    fader_core f;
    BOOST_CHECK_THROW(f.set_fDTs(-1.0), std::invalid_argument);
    BOOST_CHECK_THROW(f.set_K(-1.0), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(delay_kernels_have_unit_energy)
{
    using namespace gr::sentinel::fading;
    for (double d = 0.0; d < 12.0; d += 0.0625) {
        delay_kernel k;
        make_delay_kernel(d, k);
        BOOST_REQUIRE_GE(k.start, 0);
        double energy = 0.0;
        for (float v : k.taps) {
            energy += v * v;
        }
        BOOST_REQUIRE_CLOSE(energy, 1.0, 1e-3);
        // Away from the edges the table matches the exact windowed sinc.
        if (d >= 3.0) {
            double exact_energy = 0.0;
            for (int m = 0; m < KERNEL_TAPS; m++) {
                const double v = windowed_sinc(k.start + m - d);
                exact_energy += v * v;
            }
            for (int m = 0; m < KERNEL_TAPS; m++) {
                const double v = windowed_sinc(k.start + m - d) / std::sqrt(exact_energy);
                BOOST_REQUIRE_SMALL(k.taps[m] - v, 1e-5);
            }
        }
    }
    // An integer delay is a pure delay.
    delay_kernel k;
    make_delay_kernel(5.0, k);
    for (int m = 0; m < KERNEL_TAPS; m++) {
        BOOST_CHECK_SMALL(k.taps[m] - (k.start + m == 5 ? 1.0f : 0.0f), 1e-6f);
    }
}

BOOST_AUTO_TEST_CASE(ziggurat_normals_have_unit_variance)
{
    fading::xoshiro256 rng(11);
    const int n = 400000;
    double sum = 0.0, sum2 = 0.0, sum4 = 0.0;
    int tail = 0;
    for (int i = 0; i < n; i++) {
        const double z = rng.normal();
        sum += z;
        sum2 += z * z;
        sum4 += z * z * z * z;
        tail += std::abs(z) > 3.442619855899;
    }
    // Standard errors: mean 0.0016, variance 0.0022, fourth moment 0.015.
    BOOST_CHECK_SMALL(sum / n, 0.008);
    BOOST_CHECK_CLOSE(sum2 / n, 1.0, 1.2);
    BOOST_CHECK_CLOSE(sum4 / n, 3.0, 2.5);
    // P(|z| > R) = 5.76e-4: 230 expected, sd 15.
    BOOST_CHECK(tail > 170 && tail < 290);
}
