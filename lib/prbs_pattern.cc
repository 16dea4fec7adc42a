/*
 * Copyright 2026 The gr-sentinel authors.
 *
 * This file is part of gr-sentinel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gnuradio/sentinel/prbs_pattern.h>
#include <algorithm>
#include <cctype>
#include <sstream>
#include <stdexcept>

namespace gr {
namespace sentinel {

namespace {

uint64_t term(unsigned j) { return uint64_t(1) << (j - 1); }

// ITU-T O.150 clause 5: polynomials and the polarity each clause prescribes
// (2^15-1, 2^23-1 and 2^31-1 are sent inverted). PRBS7 is the common x^7+x^6+1.
const std::vector<prbs_pattern>& standard_patterns()
{
    static const std::vector<prbs_pattern> patterns = {
        { "PRBS7", 7, term(7) | term(6), false },
        { "PRBS9", 9, term(9) | term(5), false },
        { "PRBS11", 11, term(11) | term(9), false },
        { "PRBS15", 15, term(15) | term(14), true },
        { "PRBS20", 20, term(20) | term(3), false },
        { "PRBS23", 23, term(23) | term(18), true },
        { "PRBS31", 31, term(31) | term(28), true },
    };
    return patterns;
}

std::string upper(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) {
        return static_cast<char>(std::toupper(c));
    });
    return s;
}

} // namespace

std::vector<std::string> prbs_pattern_names()
{
    std::vector<std::string> names;
    for (const auto& p : standard_patterns()) {
        names.push_back(p.name);
    }
    names.push_back("CUSTOM");
    return names;
}

prbs_pattern lookup_prbs_pattern(const std::string& name, unsigned degree, uint64_t taps)
{
    const std::string key = upper(name);
    for (const auto& p : standard_patterns()) {
        if (p.name == key) {
            return p;
        }
    }
    if (key != "CUSTOM") {
        std::ostringstream msg;
        msg << "pattern: unknown pattern '" << name << "'; allowed:";
        for (const auto& n : prbs_pattern_names()) {
            msg << " " << n;
        }
        throw std::invalid_argument(msg.str());
    }
    if (degree < 2 || degree > 64) {
        throw std::invalid_argument("degree: must be 2..64 for a CUSTOM pattern, got " +
                                    std::to_string(degree));
    }
    const uint64_t top = term(degree);
    if ((taps & top) == 0 || (degree < 64 && (taps >> degree) != 0)) {
        std::ostringstream msg;
        msg << "mask: highest set bit must be bit " << degree - 1 << " (the x^" << degree
            << " term) for degree " << degree << ", got 0x" << std::hex << taps;
        throw std::invalid_argument(msg.str());
    }
    return { "CUSTOM", degree, taps, false };
}

uint64_t prbs_initial_register(const prbs_pattern& pattern, uint64_t seed)
{
    const uint64_t mask =
        pattern.degree >= 64 ? ~uint64_t(0) : (uint64_t(1) << pattern.degree) - 1;
    if (seed == 0) {
        return mask;
    }
    if ((seed & ~mask) != 0) {
        std::ostringstream msg;
        msg << "seed: must be 0 (all ones) or a register value in 1.." << mask << " for "
            << pattern.name << " (degree " << pattern.degree << "), got " << seed;
        throw std::invalid_argument(msg.str());
    }
    return seed;
}

} // namespace sentinel
} // namespace gr
