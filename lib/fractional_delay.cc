/*
 * Copyright 2026 The gr-sentinel authors.
 *
 * This file is part of gr-sentinel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "fractional_delay.h"
#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

namespace gr {
namespace sentinel {
namespace fading {

namespace {

// Modified Bessel function of the first kind, order 0 (power series).
double bessel_i0(double x)
{
    const double q = 0.25 * x * x;
    double term = 1.0;
    double sum = 1.0;
    for (int k = 1; k < 60 && term > 1e-17 * sum; k++) {
        term *= q / (static_cast<double>(k) * k);
        sum += term;
    }
    return sum;
}

// Row p of table s holds the kernel for fractional delay f = p / PHASES with
// its first s taps dropped (a delay below HALF_WIDTH - 1 has taps at negative
// lags), renormalised to unit energy and shifted down by s: taps for
// t = m + s - (HALF_WIDTH - 1) - f, m = 0 .. TAPS-1-s, then zeros.
constexpr int SHIFTS = KERNEL_HALF_WIDTH;

struct kernel_table {
    std::vector<std::array<float, KERNEL_TAPS>> rows[SHIFTS];
    std::vector<std::array<float, KERNEL_TAPS>> reversed[SHIFTS];
    const float* flat[SHIFTS];
    const float* flat_reversed[SHIFTS];

    kernel_table()
    {
        for (int s = 0; s < SHIFTS; s++) {
            rows[s].resize(KERNEL_PHASES + 1);
            for (int p = 0; p <= KERNEL_PHASES; p++) {
                const double f = static_cast<double>(p) / KERNEL_PHASES;
                double values[KERNEL_TAPS] = {};
                double energy = 0.0;
                for (int m = 0; m + s < KERNEL_TAPS; m++) {
                    values[m] = windowed_sinc(m + s - (KERNEL_HALF_WIDTH - 1) - f);
                    energy += values[m] * values[m];
                }
                const double scale = 1.0 / std::sqrt(energy);
                for (int m = 0; m < KERNEL_TAPS; m++) {
                    rows[s][p][m] = static_cast<float>(values[m] * scale);
                }
            }
            reversed[s] = rows[s];
            for (auto& row : reversed[s]) {
                std::reverse(row.begin(), row.end());
            }
            flat[s] = rows[s][0].data();
            flat_reversed[s] = reversed[s][0].data();
        }
    }
};

const kernel_table& table()
{
    static const kernel_table t;
    return t;
}

} // namespace

double windowed_sinc(double t)
{
    const double u = t / KERNEL_HALF_WIDTH;
    if (std::abs(u) >= 1.0) {
        return 0.0;
    }
    const double window = bessel_i0(KERNEL_KAISER_BETA * std::sqrt(1.0 - u * u)) /
                          bessel_i0(KERNEL_KAISER_BETA);
    const double x = M_PI * t;
    const double sinc = std::abs(x) < 1e-12 ? 1.0 : std::sin(x) / x;
    return window * sinc;
}

const float* delay_kernel_table(int shift) { return table().flat[shift]; }

const float* delay_kernel_table_reversed(int shift) { return table().flat_reversed[shift]; }

void make_delay_kernel(double d, delay_kernel& kernel)
{
    const kernel_position k = locate_delay_kernel(d, table().flat);
    kernel.start = k.start;
    for (int m = 0; m < KERNEL_TAPS; m++) {
        kernel.taps[m] = k.lo[m] + k.a * (k.lo[m + KERNEL_TAPS] - k.lo[m]);
    }
}

} // namespace fading
} // namespace sentinel
} // namespace gr
