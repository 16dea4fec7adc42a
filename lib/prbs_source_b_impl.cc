/*
 * Copyright 2026 The gr-sentinel authors.
 *
 * This file is part of gr-sentinel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "prbs_source_b_impl.h"
#include "bit_packing.h"
#include <gnuradio/io_signature.h>

namespace gr {
namespace sentinel {

prbs_source_b::sptr prbs_source_b::make(const std::string& pattern,
                                        bool packed,
                                        bool invert,
                                        uint64_t seed,
                                        unsigned degree,
                                        uint64_t mask)
{
    return gnuradio::make_block_sptr<prbs_source_b_impl>(
        pattern, packed, invert, seed, degree, mask);
}

prbs_source_b_impl::prbs_source_b_impl(const std::string& pattern,
                                       bool packed,
                                       bool invert,
                                       uint64_t seed,
                                       unsigned degree,
                                       uint64_t mask)
    : gr::sync_block("prbs_source_b",
                     gr::io_signature::make(0, 0, 0),
                     gr::io_signature::make(1, 1, sizeof(uint8_t))),
      d_pattern(lookup_prbs_pattern(pattern, degree, mask)),
      d_packed(packed),
      d_polarity((d_pattern.inverted != invert) ? ~uint64_t(0) : 0),
      d_lfsr(d_pattern.taps, prbs_initial_register(d_pattern, seed)),
      d_spare(0),
      d_spare_count(0),
      d_bits_out(0)
{
}

uint64_t prbs_source_b_impl::next_word() { return d_lfsr.next_bits(64) ^ d_polarity; }

int prbs_source_b_impl::emit_unpacked(uint8_t* out, int noutput_items)
{
    int n = 0;
    // Bits left over from the previous call first.
    while (d_spare_count > 0 && n < noutput_items) {
        out[n++] = static_cast<uint8_t>(d_spare >> 63);
        d_spare <<= 1;
        d_spare_count--;
    }
    for (; n + 64 <= noutput_items; n += 64) {
        bits::unpack64(out + n, next_word());
    }
    if (n < noutput_items) {
        d_spare = next_word();
        d_spare_count = 64;
        while (n < noutput_items) {
            out[n++] = static_cast<uint8_t>(d_spare >> 63);
            d_spare <<= 1;
            d_spare_count--;
        }
    }
    return n;
}

int prbs_source_b_impl::emit_packed(uint8_t* out, int noutput_items)
{
    // d_spare_count is a multiple of 8 in packed mode.
    int n = 0;
    while (d_spare_count > 0 && n < noutput_items) {
        out[n++] = static_cast<uint8_t>(d_spare >> 56);
        d_spare <<= 8;
        d_spare_count -= 8;
    }
    for (; n + 8 <= noutput_items; n += 8) {
        bits::store_be64(out + n, next_word());
    }
    if (n < noutput_items) {
        d_spare = next_word();
        d_spare_count = 64;
        while (n < noutput_items) {
            out[n++] = static_cast<uint8_t>(d_spare >> 56);
            d_spare <<= 8;
            d_spare_count -= 8;
        }
    }
    return n;
}

int prbs_source_b_impl::work(int noutput_items,
                             gr_vector_const_void_star& input_items,
                             gr_vector_void_star& output_items)
{
    auto out = static_cast<uint8_t*>(output_items[0]);
    const int n =
        d_packed ? emit_packed(out, noutput_items) : emit_unpacked(out, noutput_items);
    d_bits_out += static_cast<uint64_t>(n) * (d_packed ? 8 : 1);
    return n;
}

} // namespace sentinel
} // namespace gr
