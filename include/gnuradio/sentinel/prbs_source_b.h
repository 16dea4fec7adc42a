/*
 * Copyright 2026 The gr-sentinel authors.
 *
 * This file is part of gr-sentinel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_SENTINEL_PRBS_SOURCE_B_H
#define INCLUDED_SENTINEL_PRBS_SOURCE_B_H

#include <gnuradio/sentinel/api.h>
#include <gnuradio/sync_block.h>
#include <cstdint>
#include <string>

namespace gr {
namespace sentinel {

/*!
 * \brief ITU-T O.150 pseudo-random bit sequence source.
 * \ingroup sentinel
 *
 * \details
 * Emits a continuous PRBS (never reset) from a Fibonacci LFSR. The first bit
 * out is the feedback of the initial register, so the register is the
 * sequence's history. The output has the polarity O.150 gives the pattern
 * (PRBS15, PRBS23 and PRBS31 are sent inverted); \p invert complements it.
 */
class SENTINEL_API prbs_source_b : virtual public gr::sync_block
{
public:
    typedef std::shared_ptr<prbs_source_b> sptr;

    /*!
     * \param pattern PRBS7, PRBS9, PRBS11, PRBS15, PRBS20, PRBS23, PRBS31 or CUSTOM.
     * \param packed false: one bit per byte (0/1); true: 8 bits per byte, MSB first.
     * \param invert complement the output relative to the O.150 polarity.
     * \param seed 0 for the all-ones register, else the register (1 .. 2^degree-1).
     * \param degree CUSTOM only: register length 2..64.
     * \param mask CUSTOM only: bit (j-1) set for each term x^j of the polynomial.
     */
    static sptr make(const std::string& pattern = "PRBS31",
                     bool packed = false,
                     bool invert = false,
                     uint64_t seed = 0,
                     unsigned degree = 0,
                     uint64_t mask = 0);

    //! Pattern name, e.g. "PRBS31".
    virtual std::string pattern() const = 0;
    //! Register length in bits.
    virtual unsigned degree() const = 0;
    //! Polynomial terms, bit (j-1) for x^j.
    virtual uint64_t mask() const = 0;
    //! Sequence period, 2^degree - 1 for a primitive polynomial.
    virtual uint64_t period() const = 0;
    //! Whether the output is complemented relative to the raw LFSR bits.
    virtual bool complemented() const = 0;
    //! Bits emitted so far.
    virtual uint64_t bits_out() const = 0;
};

} // namespace sentinel
} // namespace gr

#endif /* INCLUDED_SENTINEL_PRBS_SOURCE_B_H */
