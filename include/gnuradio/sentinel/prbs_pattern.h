/*
 * Copyright 2026 The gr-sentinel authors.
 *
 * This file is part of gr-sentinel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_SENTINEL_PRBS_PATTERN_H
#define INCLUDED_SENTINEL_PRBS_PATTERN_H

#include <gnuradio/sentinel/api.h>
#include <cstdint>
#include <string>
#include <vector>

namespace gr {
namespace sentinel {

/*!
 * \brief A PRBS definition: feedback polynomial and output polarity.
 * \ingroup sentinel
 *
 * \p taps has bit (j-1) set for every term x^j of the feedback polynomial
 * (the constant term is implied), so x^31 + x^28 + 1 is 0x48000000 and the
 * generated sequence obeys s[k] = s[k-31] ^ s[k-28]. \p inverted is the
 * polarity that ITU-T O.150 prescribes for the pattern.
 */
struct SENTINEL_API prbs_pattern {
    std::string name;
    unsigned degree;
    uint64_t taps;
    bool inverted;
};

/*!
 * \brief Look up a named pattern, or build a custom one.
 *
 * \param name PRBS7, PRBS9, PRBS11, PRBS15, PRBS20, PRBS23, PRBS31 (ITU-T O.150
 *        polynomials and polarity; PRBS7 is x^7+x^6+1), or CUSTOM.
 * \param degree CUSTOM only: register length, 2..64.
 * \param taps CUSTOM only: polynomial terms as above; bit (degree-1) must be set.
 * \throws std::invalid_argument naming the parameter and the allowed values.
 */
SENTINEL_API prbs_pattern lookup_prbs_pattern(const std::string& name,
                                              unsigned degree = 0,
                                              uint64_t taps = 0);

//! Names accepted by lookup_prbs_pattern().
SENTINEL_API std::vector<std::string> prbs_pattern_names();

/*!
 * \brief Validate a seed for a pattern and turn it into a register value.
 *
 * seed == 0 gives the all-ones register. Any other seed is the register itself
 * and must lie in 1 .. 2^degree - 1.
 */
SENTINEL_API uint64_t prbs_initial_register(const prbs_pattern& pattern, uint64_t seed);

} // namespace sentinel
} // namespace gr

#endif /* INCLUDED_SENTINEL_PRBS_PATTERN_H */
