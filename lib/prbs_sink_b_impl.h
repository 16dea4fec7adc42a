/*
 * Copyright 2026 The gr-sentinel authors.
 *
 * This file is part of gr-sentinel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_SENTINEL_PRBS_SINK_B_IMPL_H
#define INCLUDED_SENTINEL_PRBS_SINK_B_IMPL_H

#include <gnuradio/sentinel/prbs_checker.h>
#include <gnuradio/sentinel/prbs_sink_b.h>
#include <mutex>

namespace gr {
namespace sentinel {

class prbs_sink_b_impl : public prbs_sink_b
{
private:
    bool d_packed;
    prbs_checker d_checker;
    mutable std::mutex d_mutex; // guards d_checker against getters and reset()
    float* d_out;               // the BER output during general_work, else null
    int d_nout;                 // items written to it

    void publish(const prbs_report& report);
    void handle_reset(const pmt::pmt_t& msg);
    void check_unpacked(const uint8_t* in, int count);
    void check_packed(const uint8_t* in, int count);

public:
    prbs_sink_b_impl(const std::string& pattern,
                     bool packed,
                     unsigned sync_bits,
                     unsigned loss_bits,
                     double loss_threshold,
                     uint64_t window_bits,
                     uint64_t report_interval,
                     unsigned degree,
                     uint64_t mask);

    uint64_t bits() const override;
    uint64_t errors() const override;
    double ber() const override;
    double window_ber() const override;
    bool locked() const override;
    bool inverted() const override;
    uint64_t resyncs() const override;
    uint64_t slips() const override;
    int64_t slipped_bits() const override;
    uint64_t polarity_flips() const override;
    uint64_t unchecked_bits() const override;
    pmt::pmt_t stats() const override;
    void reset() override;

    bool check_topology(int ninputs, int noutputs) override;
    void forecast(int noutput_items, gr_vector_int& ninput_items_required) override;
    int general_work(int noutput_items,
                     gr_vector_int& ninput_items,
                     gr_vector_const_void_star& input_items,
                     gr_vector_void_star& output_items) override;
};

//! The PMT dict form of a report, as published on the ber port.
pmt::pmt_t report_to_pmt(const prbs_report& report);

} // namespace sentinel
} // namespace gr

#endif /* INCLUDED_SENTINEL_PRBS_SINK_B_IMPL_H */
