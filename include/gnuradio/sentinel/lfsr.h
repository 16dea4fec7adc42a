/*
 * Copyright 2026 The gr-sentinel authors.
 *
 * This file is part of gr-sentinel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_SENTINEL_LFSR_H
#define INCLUDED_SENTINEL_LFSR_H

#include <gnuradio/sentinel/api.h>
#include <array>
#include <cstdint>

namespace gr {
namespace sentinel {

/*!
 * \brief Fibonacci LFSR that produces 64 bits per step.
 * \ingroup sentinel
 *
 * The register holds the last \p degree output bits, the most recent in bit 0.
 * Each new bit is the parity of (register & taps), i.e. s[k] = XOR of s[k-j]
 * over the polynomial terms x^j. Because the map from register to the next 64
 * bits is linear, next_bits() evaluates it with one table look-up per register
 * byte instead of 64 serial steps. The serial step is kept as next_bit() and
 * is the reference the tests hold the table path against.
 */
class SENTINEL_API lfsr
{
public:
    /*!
     * \param taps polynomial terms, bit (j-1) for x^j; its highest set bit
     *        gives the degree (2..64).
     * \param reg initial register, non-zero, below 2^degree.
     */
    lfsr(uint64_t taps, uint64_t reg);

    unsigned degree() const { return d_degree; }
    uint64_t taps() const { return d_taps; }
    uint64_t reg() const { return d_reg; }
    //! Mask of the register's valid bits (2^degree - 1).
    uint64_t reg_mask() const { return d_mask; }
    void set_reg(uint64_t reg);

    /*!
     * \brief The next \p count bits (1..64), the first in bit (count-1).
     */
    uint64_t next_bits(unsigned count);

    //! One serial step; returns the new bit.
    unsigned next_bit();

    //! Undo one serial step (the polynomial's constant term makes this exact).
    void step_back();

    //! Advance by any number of bits.
    void advance(uint64_t count);

private:
    uint64_t word_from(uint64_t reg) const;

    uint64_t d_taps;
    unsigned d_degree;
    uint64_t d_mask;
    uint64_t d_reg;
    unsigned d_table_bytes;
    std::array<std::array<uint64_t, 256>, 8> d_table;
};

} // namespace sentinel
} // namespace gr

#endif /* INCLUDED_SENTINEL_LFSR_H */
