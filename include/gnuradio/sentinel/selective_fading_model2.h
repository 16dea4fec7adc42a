/*
 * Copyright 2026 The gr-sentinel authors.
 *
 * This file is part of gr-sentinel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_SENTINEL_SELECTIVE_FADING_MODEL2_H
#define INCLUDED_SENTINEL_SELECTIVE_FADING_MODEL2_H

#include <gnuradio/sentinel/api.h>
#include <gnuradio/sync_block.h>
#include <pmt/pmt.h>
#include <cstdint>
#include <vector>

namespace gr {
namespace sentinel {

/*!
 * \brief Frequency-selective fading channel; a drop-in for
 * channels.selective_fading_model2.
 * \ingroup sentinel
 *
 * \details
 * Each path j is a fader_core (Rayleigh, or Rice for the first path when
 * \p LOS is set) of amplitude mags[j], placed at a fractional delay by a
 * Kaiser-windowed sinc(pi (k - d)) normalised to unit energy, so a path's
 * energy does not depend on its fractional delay. Each delay takes a Gaussian
 * random walk, clipped to [max(0, delays[j] - delays_maxdev[j]),
 * delays[j] + delays_maxdev[j]]. The output is
 *   y[n] = sum_k taps_n[k] x[n-k],  taps_n[k] = sum_j mags[j] h_j(n) g_j,n[k].
 *
 * Every random stream (each fader, each delay walk) is seeded independently
 * from \p seed (fading_stream_seed()): the same seed gives bit-identical
 * output, another seed changes everything including the delay walk.
 *
 * Message port \p taps (out): every \p taps_interval samples, a PMT dict
 * {offset: uint64 absolute sample from which the taps apply,
 *  taps: c32vector of ntaps taps, gains: c32vector of the paths' complex
 *  gains mags[j] h_j, delays: f64vector of the paths' current delays}.
 * With \p taps_tags the same dict is also attached as a "taps" stream tag on
 * that output sample.
 */
class SENTINEL_API selective_fading_model2 : virtual public gr::sync_block
{
public:
    typedef std::shared_ptr<selective_fading_model2> sptr;

    //! Largest ntaps (2^20).
    static constexpr int max_ntaps = 1 << 20;

    /*!
     * The first ten parameters have the order and meaning of GNU Radio's
     * channels.selective_fading_model2.
     *
     * \param N each path's fader sums 2N+1 sinusoids (N >= 1).
     * \param fDTs normalised maximum Doppler frequency fD/fs, in [0, 0.5].
     * \param LOS the first path is Rice (line of sight) instead of Rayleigh.
     * \param K Rice factor of the first path (>= 0).
     * \param seed seed of every random stream.
     * \param delays start delay of each path in samples (>= 0).
     * \param delays_std standard deviation of each delay's random-walk step
     *        per sample (>= 0; 0 keeps the delay fixed).
     * \param delays_maxdev how far each delay may walk from its start (>= 0).
     * \param mags amplitude of each path (>= 0).
     * \param ntaps FIR length, from max(delays + delays_maxdev) + 4 up to
     *        max_ntaps (2^20 = 1048576). The block keeps ntaps + 1 input
     *        samples of history and GNU Radio sizes the buffer in front of it
     *        to at least twice that (16 MiB at the limit); each taps message
     *        carries ntaps taps.
     * \param normalize_mags scale mags to unit total power.
     * \param taps_interval samples between taps messages (0: none).
     * \param tap_update_interval recompute the taps (path gains, delays,
     *        interpolation kernels) every M samples and hold them in between
     *        (>= 1; 1 updates every sample). The delay walk then steps once per
     *        update with standard deviation delays_std sqrt(M).
     * \param taps_tags also attach each taps dict as a "taps" stream tag.
         * \throws std::invalid_argument naming the parameter and its allowed range.
     */
    static sptr make(int N = 8,
                     double fDTs = 0.01,
                     bool LOS = false,
                     double K = 4.0,
                     uint64_t seed = 0,
                     const std::vector<double>& delays = { 1.0, 1.9, 2.7 },
                     const std::vector<double>& delays_std = { 1e-4, 1e-4, 1e-4 },
                     const std::vector<double>& delays_maxdev = { 0.5, 0.7, 0.9 },
                     const std::vector<double>& mags = { 1.0, 0.95, 0.8 },
                     int ntaps = 8,
                     bool normalize_mags = false,
                     int taps_interval = 1024,
                     int tap_update_interval = 1,
                     bool taps_tags = false);

    virtual int N() const = 0;
    virtual double fDTs() const = 0;
    virtual bool LOS() const = 0;
    virtual double K() const = 0;
    virtual uint64_t seed() const = 0;
    virtual int ntaps() const = 0;
    virtual int taps_interval() const = 0;
    virtual int tap_update_interval() const = 0;
    //! Path amplitudes in use (after normalize_mags).
    virtual std::vector<double> mags() const = 0;
    //! Start delays.
    virtual std::vector<double> start_delays() const = 0;
    //! Random-walk step standard deviations per sample.
    virtual std::vector<double> delays_std() const = 0;
    virtual std::vector<double> delays_maxdev() const = 0;
    //! Current delays (at the last sample produced).
    virtual std::vector<double> delays() const = 0;
    //! Current taps.
    virtual std::vector<gr_complex> taps() const = 0;
    //! Current complex path gains mags[j] h_j.
    virtual std::vector<gr_complex> path_gains() const = 0;

    //! Change the Doppler frequency of every path (phase-continuous).
    virtual void set_fDTs(double fDTs) = 0;
    //! Change the Rice factor (used by the first path when LOS is set).
    virtual void set_K(double K) = 0;
    //! Change the delay random-walk steps (one value per path, >= 0).
    virtual void set_delays_std(const std::vector<double>& delays_std) = 0;
};

} // namespace sentinel
} // namespace gr

#endif /* INCLUDED_SENTINEL_SELECTIVE_FADING_MODEL2_H */
