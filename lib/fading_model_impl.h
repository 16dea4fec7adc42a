/*
 * Copyright 2026 The gr-sentinel authors.
 *
 * This file is part of gr-sentinel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_SENTINEL_FADING_MODEL_IMPL_H
#define INCLUDED_SENTINEL_FADING_MODEL_IMPL_H

#include <gnuradio/sentinel/fader_core.h>
#include <gnuradio/sentinel/fading_model.h>
#include <mutex>
#include <vector>

namespace gr {
namespace sentinel {

class fading_model_impl : public fading_model
{
private:
    fader_core d_fader;
    std::vector<gr_complex> d_gains;
    mutable std::mutex d_mutex;

public:
    fading_model_impl(int N, double fDTs, bool LOS, double K, uint64_t seed);

    int N() const override { return d_fader.N(); }
    double fDTs() const override;
    bool LOS() const override { return d_fader.LOS(); }
    double K() const override;
    uint64_t seed() const override { return d_fader.seed(); }

    void set_fDTs(double fDTs) override;
    void set_K(double K) override;

    int work(int noutput_items,
             gr_vector_const_void_star& input_items,
             gr_vector_void_star& output_items) override;
};

} // namespace sentinel
} // namespace gr

#endif /* INCLUDED_SENTINEL_FADING_MODEL_IMPL_H */
