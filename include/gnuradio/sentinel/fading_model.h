/*
 * Copyright 2026 The gr-sentinel authors.
 *
 * This file is part of gr-sentinel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_SENTINEL_FADING_MODEL_H
#define INCLUDED_SENTINEL_FADING_MODEL_H

#include <gnuradio/sentinel/api.h>
#include <gnuradio/sync_block.h>
#include <cstdint>

namespace gr {
namespace sentinel {

/*!
 * \brief Flat Rayleigh / Rice fading channel; a drop-in for
 * channels.fading_model.
 * \ingroup sentinel
 *
 * \details
 * Output y[n] = x[n] h[n], with h[n] from a fader_core (stream 0 of \p seed):
 * a sum of 2N+1 complex sinusoids with unit mean power, plus a line-of-sight
 * component of power K/(K+1) when \p LOS is set. Phases are double-precision
 * functions of the sample counter, so the statistics do not drift.
 */
class SENTINEL_API fading_model : virtual public gr::sync_block
{
public:
    typedef std::shared_ptr<fading_model> sptr;

    /*!
     * \param N sets the number of sinusoids, 2N+1 (>= 1).
     * \param fDTs normalised maximum Doppler frequency fD/fs, in [0, 0.5].
     * \param LOS Rice (line of sight) instead of Rayleigh.
     * \param K Rice factor, LOS power over scattered power (>= 0).
     * \param seed seed of the fader's random phases.
     */
    static sptr make(int N = 8,
                     double fDTs = 0.01,
                     bool LOS = false,
                     double K = 4.0,
                     uint64_t seed = 0);

    virtual int N() const = 0;
    virtual double fDTs() const = 0;
    virtual bool LOS() const = 0;
    virtual double K() const = 0;
    virtual uint64_t seed() const = 0;

    //! Change the Doppler frequency (phase-continuous).
    virtual void set_fDTs(double fDTs) = 0;
    //! Change the Rice factor (used when LOS is set).
    virtual void set_K(double K) = 0;
};

} // namespace sentinel
} // namespace gr

#endif /* INCLUDED_SENTINEL_FADING_MODEL_H */
