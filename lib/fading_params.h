/*
 * Copyright 2026 The gr-sentinel authors.
 *
 * This file is part of gr-sentinel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_SENTINEL_FADING_PARAMS_H
#define INCLUDED_SENTINEL_FADING_PARAMS_H

#include <cmath>
#include <stdexcept>
#include <string>

namespace gr {
namespace sentinel {
namespace fading {

// Parameter checks shared by the fader core and the fading blocks; `who`
// names the block or class in the message.

constexpr int MAX_N = 1024;

inline void check_N(int N, const std::string& who)
{
    if (N < 1 || N > MAX_N) {
        throw std::invalid_argument(who + ": N must be in 1.." + std::to_string(MAX_N) +
                                    ", got " + std::to_string(N));
    }
}

inline void check_fDTs(double fDTs, const std::string& who)
{
    if (!(fDTs >= 0.0 && fDTs <= 0.5)) {
        throw std::invalid_argument(who + ": fDTs must be in [0, 0.5] (fD/fs), got " +
                                    std::to_string(fDTs));
    }
}

inline void check_K(double K, const std::string& who)
{
    if (!(K >= 0.0 && std::isfinite(K))) {
        throw std::invalid_argument(who + ": K must be finite and >= 0, got " +
                                    std::to_string(K));
    }
}

} // namespace fading
} // namespace sentinel
} // namespace gr

#endif /* INCLUDED_SENTINEL_FADING_PARAMS_H */
