/*
 * Copyright 2026 The gr-sentinel authors.
 *
 * This file is part of gr-sentinel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_SENTINEL_SELECTIVE_FADING_MODEL2_IMPL_H
#define INCLUDED_SENTINEL_SELECTIVE_FADING_MODEL2_IMPL_H

#include "fading_rng.h"
#include "fractional_delay.h"
#include <gnuradio/sentinel/fader_core.h>
#include <gnuradio/sentinel/selective_fading_model2.h>
#include <mutex>
#include <vector>

namespace gr {
namespace sentinel {

class selective_fading_model2_impl : public selective_fading_model2
{
private:
    // Path state at one sample, kept for the taps messages.
    struct snapshot {
        gr_complex gain;
        fading::delay_kernel kernel;
        double delay;
    };

    int d_N;
    double d_fDTs;
    bool d_LOS;
    double d_K;
    uint64_t d_seed;
    std::vector<double> d_start;
    std::vector<double> d_std;
    std::vector<double> d_maxdev;
    std::vector<double> d_mags;
    std::vector<double> d_lo; // walk bounds
    std::vector<double> d_hi;
    int d_ntaps;
    int d_hist; // lags 0 .. d_hist-1 are readable from the input
    int d_taps_interval;
    int d_update_interval;
    bool d_taps_tags;

    std::vector<fader_core> d_faders;
    std::vector<fading::xoshiro256> d_walks;
    std::vector<double> d_delay;
    std::vector<fading::delay_kernel> d_kernels;
    std::vector<gr_complex> d_gains;
    const float* d_reversed_tables[fading::KERNEL_HALF_WIDTH];

    std::vector<gr_complex> d_h;           // fader gains of one path
    std::vector<float> d_u;                // kernel-filtered input, re/im interleaved
    std::vector<int> d_msg_index;          // output indices of this call's messages
    std::vector<snapshot> d_snaps;         // [message][path]
    mutable std::mutex d_mutex;

    void step_delay(size_t j, double sigma);
    void filter_segment(const gr_complex* in, int a, int b, const fading::delay_kernel& k);
    void snap(size_t j, int message, const gr_complex& gain);
    void run_path_per_sample(size_t j, const gr_complex* in, gr_complex* out, int n, uint64_t n0);
    void run_path_held(size_t j, const gr_complex* in, gr_complex* out, int n, uint64_t n0);
    std::vector<gr_complex> assemble_taps(const snapshot* path_snaps) const;
    pmt::pmt_t taps_dict(uint64_t offset, const snapshot* path_snaps) const;
    std::vector<snapshot> current_snapshots() const;

public:
    selective_fading_model2_impl(int N,
                                 double fDTs,
                                 bool LOS,
                                 double K,
                                 uint64_t seed,
                                 const std::vector<double>& delays,
                                 const std::vector<double>& delays_std,
                                 const std::vector<double>& delays_maxdev,
                                 const std::vector<double>& mags,
                                 int ntaps,
                                 bool normalize_mags,
                                 int taps_interval,
                                 int tap_update_interval,
                                 bool taps_tags);

    int N() const override { return d_N; }
    double fDTs() const override;
    bool LOS() const override { return d_LOS; }
    double K() const override;
    uint64_t seed() const override { return d_seed; }
    int ntaps() const override { return d_ntaps; }
    int taps_interval() const override { return d_taps_interval; }
    int tap_update_interval() const override { return d_update_interval; }
    std::vector<double> mags() const override { return d_mags; }
    std::vector<double> start_delays() const override { return d_start; }
    std::vector<double> delays_std() const override;
    std::vector<double> delays_maxdev() const override { return d_maxdev; }
    std::vector<double> delays() const override;
    std::vector<gr_complex> taps() const override;
    std::vector<gr_complex> path_gains() const override;

    void set_fDTs(double fDTs) override;
    void set_K(double K) override;
    void set_delays_std(const std::vector<double>& delays_std) override;

    int work(int noutput_items,
             gr_vector_const_void_star& input_items,
             gr_vector_void_star& output_items) override;
};

} // namespace sentinel
} // namespace gr

#endif /* INCLUDED_SENTINEL_SELECTIVE_FADING_MODEL2_IMPL_H */
