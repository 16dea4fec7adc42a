/*
 * Copyright 2026 The gr-sentinel authors.
 *
 * This file is part of gr-sentinel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_SENTINEL_FADER_CORE_H
#define INCLUDED_SENTINEL_FADER_CORE_H

#include <gnuradio/gr_complex.h>
#include <gnuradio/sentinel/api.h>
#include <complex>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace gr {
namespace sentinel {

/*!
 * \brief Seed of one random stream, derived from a user seed.
 * \ingroup sentinel
 *
 * splitmix64-style mixing of (seed, stream): every stream of every block is
 * seeded independently from the one user seed, and a different seed changes
 * every stream. Stream numbers used by the fading blocks: the fader of path j
 * is stream j (the flat fader is stream 0), the delay walk of path j is
 * stream 2^32 + j.
 */
SENTINEL_API uint64_t fading_stream_seed(uint64_t seed, uint64_t stream);

/*!
 * \brief Sum-of-sinusoids Rayleigh / Rice fading gain generator.
 * \ingroup sentinel
 *
 * \details
 * The DSP core shared by fading_model and selective_fading_model2; the blocks
 * only move samples. The gain at sample t is, with S = 2N+1,
 *
 *   h(t) = sqrt(1/((K+1) S)) sum_{m=0}^{S-1} exp(j(w_m t + phi_m))
 *          + sqrt(K/(K+1)) exp(j(w_L t + phi_L))            (LOS only)
 *
 * with w_m = 2 pi fDTs cos(beta_m) and S arrival angles
 * beta_m = (m + u) 2 pi / S evenly spaced on the circle. The odd count and
 * u = 1/8 + delta, delta in [-1/16, 1/16), mean that no two frequencies
 * coincide or cancel, so every realisation (not just the ensemble) has unit
 * time-averaged power, a real-part autocorrelation equal to J0(2 pi fDTs tau)
 * up to 2|J_2S| (below 1e-11 for N = 8 and lags up to 2/fDTs) and a real /
 * imaginary cross-correlation below 2|J_S| (0.02 for N = 8). delta follows a
 * golden-ratio sequence of the stream number, so the paths of a selective
 * channel use different Doppler frequencies and decorrelate over time. The
 * phases phi_m are uniform, drawn from the stream's own generator. The LOS
 * component arrives near 45 degrees, between grid points.
 *
 * Phases are kept as absolute double-precision functions of the sample
 * counter (phase error below 1e-5 rad at any time), so the statistics do not
 * drift however long it runs, and tiny fDTs still advance. Samples are made
 * by single-precision rotators (one complex multiply per sinusoid and
 * sample), re-anchored from the double-precision phase every 2048 outputs at
 * absolute multiples of 2048: a gain depends only on its time, so output is
 * bit-identical however the calls are cut.
 */
class SENTINEL_API fader_core
{
public:
    /*!
     * \param N sets the number of scattered sinusoids, 2N+1 (N >= 1).
     * \param fDTs normalised maximum Doppler frequency fD/fs, in [0, 0.5].
     * \param LOS add a line-of-sight component (Rice) instead of Rayleigh.
     * \param K Rice factor, LOS power over scattered power (>= 0).
     * \param seed user seed.
     * \param stream stream number (see fading_stream_seed()).
     */
    fader_core(int N = 8,
               double fDTs = 0.01,
               bool LOS = false,
               double K = 4.0,
               uint64_t seed = 0,
               uint64_t stream = 0);

    //! The next \p n gains; advances time() by n.
    void generate(gr_complex* out, size_t n);

    /*!
     * \brief Gains at time(), time()+stride, ...; advances time() by n*stride.
     */
    void generate_strided(gr_complex* out, size_t n, uint64_t stride);

    //! The next gain; advances time() by 1.
    gr_complex next();

    //! Reference gain at absolute sample \p t, evaluated in double precision.
    std::complex<double> gain_at(uint64_t t) const;

    //! Sample counter: the time of the next gain.
    uint64_t time() const { return d_time; }
    //! Jump to sample \p t (forwards or backwards); costs nothing.
    void set_time(uint64_t t);
    //! Skip \p n samples; costs nothing.
    void advance(uint64_t n) { set_time(d_time + n); }

    int N() const { return d_N; }
    double fDTs() const { return d_fDTs; }
    bool LOS() const { return d_LOS; }
    double K() const { return d_K; }
    uint64_t seed() const { return d_seed; }
    uint64_t stream() const { return d_stream; }

    //! Change the Doppler frequency; the phases stay continuous at time().
    void set_fDTs(double fDTs);
    //! Change the Rice factor (used when LOS is set).
    void set_K(double K);

    //! Normalised frequency (cycles per sample) of each sinusoid, LOS last.
    std::vector<double> frequencies() const;
    //! Amplitude of each sinusoid, LOS last.
    std::vector<double> amplitudes() const;

private:
    double phase_at(size_t s, uint64_t t) const;
    void update_omegas();
    void update_amplitudes();
    void compute_chunk(gr_complex* out, uint64_t k0, uint64_t residue, uint64_t stride);
    void fill(gr_complex* out, size_t n, uint64_t t, uint64_t stride);

    int d_N;
    double d_fDTs;
    bool d_LOS;
    double d_K;
    uint64_t d_seed;
    uint64_t d_stream;
    uint64_t d_time;

    std::vector<double> d_cos_angle; // cos(beta_m), LOS last
    std::vector<double> d_omega;     // rad/sample
    std::vector<double> d_omega_hi;  // omega * 2^32 mod 2 pi
    std::vector<double> d_phase;     // phase at t = 0
    std::vector<double> d_amp;

    // The last partly used chunk: outputs d_buf_k0 .. at times
    // d_buf_residue + k d_buf_stride (d_buf_stride 0: none).
    std::vector<gr_complex> d_buf;
    uint64_t d_buf_k0;
    uint64_t d_buf_residue;
    uint64_t d_buf_stride;

    std::vector<float> d_acc_re;
    std::vector<float> d_acc_im;
};

} // namespace sentinel
} // namespace gr

#endif /* INCLUDED_SENTINEL_FADER_CORE_H */
