/*
 * Copyright 2026 The gr-sentinel authors.
 *
 * This file is part of gr-sentinel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_SENTINEL_FRACTIONAL_DELAY_H
#define INCLUDED_SENTINEL_FRACTIONAL_DELAY_H

#include <gnuradio/sentinel/api.h>

#include <cstddef>

namespace gr {
namespace sentinel {
namespace fading {

/*
 * Band-limited fractional delay: a Kaiser-windowed sinc(pi (k - d)) over
 * |k - d| < KERNEL_HALF_WIDTH, scaled so that the sum of squared taps is 1 for
 * every d (a path's energy does not depend on where it sits between
 * samples). Kernels are tabulated at KERNEL_PHASES fractional delays and
 * interpolated linearly (relative energy error below 1e-5).
 *
 * Internal (not installed); exported for the C++ tests.
 */
constexpr int KERNEL_HALF_WIDTH = 4;
constexpr int KERNEL_TAPS = 2 * KERNEL_HALF_WIDTH;
constexpr int KERNEL_PHASES = 1024;
constexpr double KERNEL_KAISER_BETA = 3.0;

struct delay_kernel {
    int start;                // lag of taps[0], >= 0
    float taps[KERNEL_TAPS];  // taps for lags start .. start + KERNEL_TAPS - 1
};

//! Untabulated, unnormalised kernel value at t = k - d (for tests).
SENTINEL_API double windowed_sinc(double t);

/*!
 * The tabulated kernels for delays whose first \p shift taps (0 ..
 * KERNEL_HALF_WIDTH-1) fall at negative lags: (KERNEL_PHASES + 1) rows of
 * KERNEL_TAPS floats; row p is for fractional delay p / KERNEL_PHASES, holds
 * the taps for lags max(0, floor(d) - (KERNEL_HALF_WIDTH - 1)) onwards, and
 * has unit energy.
 */
SENTINEL_API const float* delay_kernel_table(int shift);

//! The same tables with every row reversed (tap m at lag start + TAPS-1-m).
SENTINEL_API const float* delay_kernel_table_reversed(int shift);

//! Where the kernel of delay d >= 0 sits in the tables.
struct kernel_position {
    int start;       // lag of the first tap
    const float* lo; // the table row at or below d
    float a;         // interpolation weight of the next row (lo + KERNEL_TAPS)
};

inline kernel_position locate_delay_kernel(double d, const float* const* tables)
{
    const int whole = static_cast<int>(d); // d >= 0
    const int start = whole - (KERNEL_HALF_WIDTH - 1);
    const int shift = start < 0 ? -start : 0;
    const double pos = (d - whole) * KERNEL_PHASES;
    int p = static_cast<int>(pos);
    if (p >= KERNEL_PHASES) {
        p = KERNEL_PHASES - 1;
    }
    return kernel_position{ start + shift,
                            tables[shift] + static_cast<size_t>(p) * KERNEL_TAPS,
                            static_cast<float>(pos - p) };
}

/*!
 * Kernel for delay \p d, 0 <= d <= ntaps - KERNEL_HALF_WIDTH (callers check
 * the bound). Taps at negative lags are dropped and the remaining taps
 * rescaled to unit energy.
 */
SENTINEL_API void make_delay_kernel(double d, delay_kernel& kernel);

} // namespace fading
} // namespace sentinel
} // namespace gr

#endif /* INCLUDED_SENTINEL_FRACTIONAL_DELAY_H */
