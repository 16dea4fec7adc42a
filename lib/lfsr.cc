/*
 * Copyright 2026 The gr-sentinel authors.
 *
 * This file is part of gr-sentinel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gnuradio/sentinel/lfsr.h>
#include <stdexcept>
#include <string>

namespace gr {
namespace sentinel {

namespace {

uint64_t mask_for_degree(unsigned degree)
{
    return degree >= 64 ? ~uint64_t(0) : (uint64_t(1) << degree) - 1;
}

unsigned serial_step(uint64_t& reg, uint64_t taps, uint64_t mask)
{
    const unsigned bit = __builtin_parityll(reg & taps);
    reg = ((reg << 1) | bit) & mask;
    return bit;
}

} // namespace

lfsr::lfsr(uint64_t taps, uint64_t reg) : d_taps(taps), d_reg(0)
{
    if (taps == 0) {
        throw std::invalid_argument("lfsr: taps must be non-zero (bit j-1 set for x^j)");
    }
    d_degree = 64 - __builtin_clzll(taps);
    if (d_degree < 2) {
        throw std::invalid_argument("lfsr: degree must be 2..64, got " +
                                    std::to_string(d_degree));
    }
    d_mask = mask_for_degree(d_degree);
    d_table_bytes = (d_degree + 7) / 8;

    // Column b of the linear map: the 64 bits that follow a register holding
    // only byte b. XOR of the columns gives the bits that follow any register.
    for (unsigned b = 0; b < d_table_bytes; b++) {
        for (unsigned v = 0; v < 256; v++) {
            uint64_t r = (uint64_t(v) << (8 * b)) & d_mask;
            uint64_t word = 0;
            for (int i = 0; i < 64; i++) {
                word = (word << 1) | serial_step(r, d_taps, d_mask);
            }
            d_table[b][v] = word;
        }
    }
    set_reg(reg);
}

void lfsr::set_reg(uint64_t reg)
{
    if (reg == 0 || (reg & ~d_mask) != 0) {
        throw std::invalid_argument("lfsr: register must be in 1.." +
                                    std::to_string(d_mask) + " for degree " +
                                    std::to_string(d_degree));
    }
    d_reg = reg;
}

uint64_t lfsr::word_from(uint64_t reg) const
{
    uint64_t word = 0;
    for (unsigned b = 0; b < d_table_bytes; b++) {
        word ^= d_table[b][(reg >> (8 * b)) & 0xff];
    }
    return word;
}

uint64_t lfsr::next_bits(unsigned count)
{
    const uint64_t word = word_from(d_reg);
    if (count >= 64) {
        // The newest bit is in bit 0 of the word, as in the register.
        d_reg = word & d_mask;
        return word;
    }
    const uint64_t out = word >> (64 - count);
    d_reg = ((d_reg << count) | out) & d_mask;
    return out;
}

unsigned lfsr::next_bit() { return serial_step(d_reg, d_taps, d_mask); }

void lfsr::step_back()
{
    // s[k-1-n] = s[k-1] ^ XOR of s[k-1-j] for the terms x^j with j < n.
    const uint64_t lower_taps = d_taps & (d_mask >> 1);
    const uint64_t oldest =
        (d_reg & 1) ^ __builtin_parityll(d_reg & (lower_taps << 1) & d_mask);
    d_reg = (d_reg >> 1) | (oldest << (d_degree - 1));
}

void lfsr::advance(uint64_t count)
{
    for (; count >= 64; count -= 64) {
        d_reg = word_from(d_reg) & d_mask;
    }
    if (count > 0) {
        next_bits(static_cast<unsigned>(count));
    }
}

} // namespace sentinel
} // namespace gr
