/*
 * Copyright 2026 The gr-sentinel authors.
 *
 * This file is part of gr-sentinel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "prbs_sink_b_impl.h"
#include "bit_packing.h"
#include <gnuradio/io_signature.h>
#include <algorithm>
#include <limits>

namespace gr {
namespace sentinel {

namespace {
const pmt::pmt_t BER_PORT = pmt::mp("ber");
const pmt::pmt_t RESET_PORT = pmt::mp("reset");
} // namespace

pmt::pmt_t report_to_pmt(const prbs_report& r)
{
    pmt::pmt_t d = pmt::make_dict();
    auto add = [&d](const char* key, const pmt::pmt_t& value) {
        d = pmt::dict_add(d, pmt::mp(key), value);
    };
    add("event", pmt::mp(r.event));
    add("offset", pmt::from_uint64(r.offset));
    add("bits", pmt::from_uint64(r.bits));
    add("errors", pmt::from_uint64(r.errors));
    add("ber", pmt::from_double(r.ber));
    add("ber_low", pmt::from_double(r.ber_low));
    add("ber_high", pmt::from_double(r.ber_high));
    add("window_bits", pmt::from_uint64(r.window_bits));
    add("window_errors", pmt::from_uint64(r.window_errors));
    add("window_ber", pmt::from_double(r.window_ber));
    add("locked", pmt::from_bool(r.locked));
    add("inverted", pmt::from_bool(r.inverted));
    add("resyncs", pmt::from_uint64(r.resyncs));
    add("slips", pmt::from_uint64(r.slips));
    add("slipped_bits", pmt::from_long(r.slipped_bits));
    add("polarity_flips", pmt::from_uint64(r.polarity_flips));
    add("unchecked_bits", pmt::from_uint64(r.unchecked_bits));
    return d;
}

prbs_sink_b::sptr prbs_sink_b::make(const std::string& pattern,
                                    bool packed,
                                    unsigned sync_bits,
                                    unsigned loss_bits,
                                    double loss_threshold,
                                    uint64_t window_bits,
                                    uint64_t report_interval,
                                    unsigned degree,
                                    uint64_t mask)
{
    return gnuradio::make_block_sptr<prbs_sink_b_impl>(pattern,
                                                       packed,
                                                       sync_bits,
                                                       loss_bits,
                                                       loss_threshold,
                                                       window_bits,
                                                       report_interval,
                                                       degree,
                                                       mask);
}

prbs_sink_b_impl::prbs_sink_b_impl(const std::string& pattern,
                                   bool packed,
                                   unsigned sync_bits,
                                   unsigned loss_bits,
                                   double loss_threshold,
                                   uint64_t window_bits,
                                   uint64_t report_interval,
                                   unsigned degree,
                                   uint64_t mask)
    : gr::block("prbs_sink_b",
                gr::io_signature::make(1, 1, sizeof(uint8_t)),
                gr::io_signature::make(0, 1, sizeof(float))),
      d_packed(packed),
      d_checker(lookup_prbs_pattern(pattern, degree, mask),
                sync_bits,
                loss_bits,
                loss_threshold,
                window_bits,
                report_interval,
                [this](const prbs_report& r) { publish(r); }),
      d_out(nullptr),
      d_nout(0)
{
    // The output runs at one item per report: input tags have no place on it.
    set_tag_propagation_policy(TPP_DONT);
    message_port_register_out(BER_PORT);
    message_port_register_in(RESET_PORT);
    set_msg_handler(RESET_PORT, [this](const pmt::pmt_t& msg) { handle_reset(msg); });
}

void prbs_sink_b_impl::publish(const prbs_report& report)
{
    message_port_pub(BER_PORT, report_to_pmt(report));
    if (d_out && report.event == "report") {
        d_out[d_nout++] = report.locked ? static_cast<float>(report.window_ber)
                                        : std::numeric_limits<float>::quiet_NaN();
    }
}

bool prbs_sink_b_impl::check_topology(int, int noutputs)
{
    // Packed input with reports closer than 8 bits: one byte can hold up to 8
    // reports, so ask for room for 8 at a time.
    const bool dense = d_packed && d_checker.report_interval() < 8;
    set_output_multiple(noutputs > 0 && dense ? 8 : 1);
    return true;
}

void prbs_sink_b_impl::forecast(int, gr_vector_int& ninput_items_required)
{
    // Any input makes progress; general_work limits itself to the output room.
    ninput_items_required[0] = 1;
}

void prbs_sink_b_impl::handle_reset(const pmt::pmt_t&) { reset(); }

void prbs_sink_b_impl::reset()
{
    std::lock_guard<std::mutex> lock(d_mutex);
    d_checker.reset();
    publish(d_checker.report("reset"));
}

void prbs_sink_b_impl::check_unpacked(const uint8_t* in, int count)
{
    int i = 0;
    for (; i + 64 <= count; i += 64) {
        d_checker.feed(bits::pack64(in + i), 64);
    }
    if (i < count) {
        d_checker.feed(bits::pack_partial(in + i, count - i), count - i);
    }
}

void prbs_sink_b_impl::check_packed(const uint8_t* in, int count)
{
    int i = 0;
    for (; i + 8 <= count; i += 8) {
        d_checker.feed(bits::load_be64(in + i), 64);
    }
    for (; i < count; i++) {
        d_checker.feed(in[i], 8);
    }
}

int prbs_sink_b_impl::general_work(int noutput_items,
                                   gr_vector_int& ninput_items,
                                   gr_vector_const_void_star& input_items,
                                   gr_vector_void_star& output_items)
{
    auto in = static_cast<const uint8_t*>(input_items[0]);
    std::lock_guard<std::mutex> lock(d_mutex);
    int n = ninput_items[0];
    if (!output_items.empty()) {
        // Stop before the bit that would give report noutput_items + 1.
        const uint64_t interval = d_checker.report_interval();
        const uint64_t room = static_cast<uint64_t>(std::max(noutput_items, 0));
        uint64_t allowed = d_checker.bits_to_report() - 1;
        if (room > 0 &&
            interval > (std::numeric_limits<uint64_t>::max() - allowed) / room) {
            allowed = std::numeric_limits<uint64_t>::max();
        } else {
            allowed += room * interval;
        }
        n = static_cast<int>(std::min<uint64_t>(n, allowed / (d_packed ? 8 : 1)));
        d_out = static_cast<float*>(output_items[0]);
        d_nout = 0;
    }
    if (d_packed) {
        check_packed(in, n);
    } else {
        check_unpacked(in, n);
    }
    const int produced = d_nout;
    d_out = nullptr;
    d_nout = 0;
    consume_each(n);
    return produced;
}

#define SENTINEL_LOCKED_GETTER(type, name)          \
    type prbs_sink_b_impl::name() const             \
    {                                               \
        std::lock_guard<std::mutex> lock(d_mutex); \
        return d_checker.name();                    \
    }

SENTINEL_LOCKED_GETTER(uint64_t, bits)
SENTINEL_LOCKED_GETTER(uint64_t, errors)
SENTINEL_LOCKED_GETTER(double, ber)
SENTINEL_LOCKED_GETTER(bool, locked)
SENTINEL_LOCKED_GETTER(bool, inverted)
SENTINEL_LOCKED_GETTER(uint64_t, resyncs)
SENTINEL_LOCKED_GETTER(uint64_t, slips)
SENTINEL_LOCKED_GETTER(uint64_t, polarity_flips)
SENTINEL_LOCKED_GETTER(uint64_t, unchecked_bits)

#undef SENTINEL_LOCKED_GETTER

double prbs_sink_b_impl::window_ber() const
{
    std::lock_guard<std::mutex> lock(d_mutex);
    return d_checker.report().window_ber;
}

int64_t prbs_sink_b_impl::slipped_bits() const
{
    std::lock_guard<std::mutex> lock(d_mutex);
    return d_checker.report().slipped_bits;
}

pmt::pmt_t prbs_sink_b_impl::stats() const
{
    std::lock_guard<std::mutex> lock(d_mutex);
    return report_to_pmt(d_checker.report("stats"));
}

} // namespace sentinel
} // namespace gr
