/*
 * Copyright 2026 The gr-sentinel authors.
 *
 * This file is part of gr-sentinel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_SENTINEL_PRBS_SOURCE_B_IMPL_H
#define INCLUDED_SENTINEL_PRBS_SOURCE_B_IMPL_H

#include <gnuradio/sentinel/lfsr.h>
#include <gnuradio/sentinel/prbs_pattern.h>
#include <gnuradio/sentinel/prbs_source_b.h>

namespace gr {
namespace sentinel {

class prbs_source_b_impl : public prbs_source_b
{
private:
    prbs_pattern d_pattern;
    bool d_packed;
    uint64_t d_polarity; // XOR applied to the raw LFSR bits
    lfsr d_lfsr;
    uint64_t d_spare;       // bits generated but not yet emitted, first in the MSB
    unsigned d_spare_count; // how many
    uint64_t d_bits_out;

    uint64_t next_word();
    int emit_unpacked(uint8_t* out, int noutput_items);
    int emit_packed(uint8_t* out, int noutput_items);

public:
    prbs_source_b_impl(const std::string& pattern,
                       bool packed,
                       bool invert,
                       uint64_t seed,
                       unsigned degree,
                       uint64_t mask);

    std::string pattern() const override { return d_pattern.name; }
    unsigned degree() const override { return d_pattern.degree; }
    uint64_t mask() const override { return d_pattern.taps; }
    uint64_t period() const override { return d_lfsr.reg_mask(); }
    bool complemented() const override { return d_polarity != 0; }
    uint64_t bits_out() const override { return d_bits_out; }

    int work(int noutput_items,
             gr_vector_const_void_star& input_items,
             gr_vector_void_star& output_items) override;
};

} // namespace sentinel
} // namespace gr

#endif /* INCLUDED_SENTINEL_PRBS_SOURCE_B_IMPL_H */
