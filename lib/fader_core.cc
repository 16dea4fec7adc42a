/*
 * Copyright 2026 The gr-sentinel authors.
 *
 * This file is part of gr-sentinel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "fading_params.h"
#include "fading_rng.h"
#include <gnuradio/sentinel/fader_core.h>
#include <cmath>
#include <stdexcept>

namespace gr {
namespace sentinel {

namespace {

constexpr double TWO_PI = 6.283185307179586476925286766559;
constexpr double TWO_POW_32 = 4294967296.0;
constexpr size_t LANES = 8;    // rotators run in 8 interleaved lanes
// Outputs between re-anchoring from double phases. Chunks are aligned to
// absolute output indices, so every gain depends only on its time, not on
// how the calls were cut: output is bit-identical whatever the block sizes.
constexpr size_t CHUNK = 2048;

// (omega * t) mod 2 pi for any 64-bit t: t = hi 2^32 + lo, with omega_hi =
// (omega 2^32) mod 2 pi precomputed exactly. Error below ~5e-6 rad for all t.
double wrapped_product(double omega, double omega_hi, uint64_t t)
{
    const double hi = static_cast<double>(t >> 32);
    const double lo = static_cast<double>(t & 0xffffffffULL);
    return std::fmod(std::fmod(omega_hi * hi, TWO_PI) + std::fmod(omega * lo, TWO_PI),
                     TWO_PI);
}

typedef float v8f __attribute__((vector_size(32)));

// Unaligned loads and stores; macros, so no 32-byte vector crosses a
// function boundary (which -Wpsabi flags for the non-AVX clone).
#define SENTINEL_LOAD8(v, p) __builtin_memcpy(&(v), (p), sizeof(v8f))
#define SENTINEL_STORE8(p, v) __builtin_memcpy((p), &(v), sizeof(v8f))

// acc += the sum of two rotators over `count` outputs (a multiple of LANES).
// Lane l of a rotator holds outputs l, l + LANES, ...; each step multiplies
// by exp(j LANES w). `lanes` holds re0, im0, re1, im1 (8 floats each) and
// `steps` re0, im0, re1, im1. Two rotators per pass share the accumulator
// traffic and hide the multiply latency. Cloned for AVX2/FMA with a run-time
// dispatch; the default clone uses two SSE registers per vector.
__attribute__((target_clones("arch=x86-64-v3", "default"))) void
accumulate_rotator_pair(float* __restrict acc_re,
                        float* __restrict acc_im,
                        size_t count,
                        const float* lanes,
                        const float* steps)
{
    v8f r0, i0, r1, i1;
    SENTINEL_LOAD8(r0, lanes);
    SENTINEL_LOAD8(i0, lanes + LANES);
    SENTINEL_LOAD8(r1, lanes + 2 * LANES);
    SENTINEL_LOAD8(i1, lanes + 3 * LANES);
    const v8f sr0 = v8f{} + steps[0];
    const v8f si0 = v8f{} + steps[1];
    const v8f sr1 = v8f{} + steps[2];
    const v8f si1 = v8f{} + steps[3];
    for (size_t k = 0; k < count; k += LANES) {
        v8f ar, ai;
        SENTINEL_LOAD8(ar, acc_re + k);
        SENTINEL_LOAD8(ai, acc_im + k);
        ar += r0 + r1;
        ai += i0 + i1;
        SENTINEL_STORE8(acc_re + k, ar);
        SENTINEL_STORE8(acc_im + k, ai);
        const v8f nr0 = r0 * sr0 - i0 * si0;
        i0 = r0 * si0 + i0 * sr0;
        r0 = nr0;
        const v8f nr1 = r1 * sr1 - i1 * si1;
        i1 = r1 * si1 + i1 * sr1;
        r1 = nr1;
    }
}

} // namespace

uint64_t fading_stream_seed(uint64_t seed, uint64_t stream)
{
    const uint64_t a = fading::mix64(seed + 0x9e3779b97f4a7c15ULL);
    const uint64_t b = fading::mix64((stream + 1) * 0xd1b54a32d192ed03ULL);
    return fading::mix64(a ^ b);
}

fader_core::fader_core(
    int N, double fDTs, bool LOS, double K, uint64_t seed, uint64_t stream)
    : d_N(N),
      d_fDTs(fDTs),
      d_LOS(LOS),
      d_K(K),
      d_seed(seed),
      d_stream(stream),
      d_time(0),
      d_buf(CHUNK),
      d_buf_k0(0),
      d_buf_residue(0),
      d_buf_stride(0),
      d_acc_re(CHUNK),
      d_acc_im(CHUNK)
{
    fading::check_N(N, "fader_core");
    fading::check_fDTs(fDTs, "fader_core");
    fading::check_K(K, "fader_core");

    // 2N+1 arrival angles beta_m = (m + u) 2 pi / (2N+1) on the circle. An odd
    // count with u away from 0, 1/4, 1/2 and 3/4 (of a grid step) means no
    // two Doppler frequencies coincide or cancel (w_m != +-w_m', w_m != 0), so
    // every realisation has exact time-averaged power and a proper real part.
    // u = 1/8 + delta, delta in [-1/16, 1/16) from a golden-ratio sequence of
    // the stream number: different paths get different frequencies and
    // decorrelate over time.
    const double golden = 0.61803398874989484820;
    const double frac = std::fmod(static_cast<double>(stream % 1000003) * golden, 1.0);
    const double u = 0.125 + (frac - 0.5) / 8.0;
    const size_t scatter = 2 * static_cast<size_t>(N) + 1;
    const double step = TWO_PI / scatter;
    for (size_t m = 0; m < scatter; m++) {
        d_cos_angle.push_back(std::cos((m + u) * step));
    }
    // LOS at 7/16 of a grid step past a grid point, near 45 degrees: neither
    // its frequency nor its negative meets a scatter frequency for any u.
    const size_t q = scatter / 8;
    d_cos_angle.push_back(std::cos((q + u + 0.4375) * step));

    fading::xoshiro256 rng(fading_stream_seed(seed, stream));
    for (size_t s = 0; s < d_cos_angle.size(); s++) {
        d_phase.push_back(TWO_PI * rng.uniform());
    }
    d_omega.resize(d_cos_angle.size());
    d_omega_hi.resize(d_cos_angle.size());
    d_amp.resize(d_cos_angle.size());
    update_omegas();
    update_amplitudes();
}

void fader_core::update_omegas()
{
    for (size_t s = 0; s < d_cos_angle.size(); s++) {
        d_omega[s] = TWO_PI * d_fDTs * d_cos_angle[s];
        d_omega_hi[s] = std::fmod(d_omega[s] * TWO_POW_32, TWO_PI);
    }
}

void fader_core::update_amplitudes()
{
    const size_t scatter = 2 * static_cast<size_t>(d_N) + 1;
    const double scatter_power = d_LOS ? 1.0 / (d_K + 1.0) : 1.0;
    for (size_t m = 0; m < scatter; m++) {
        d_amp[m] = std::sqrt(scatter_power / scatter);
    }
    d_amp[scatter] = d_LOS ? std::sqrt(d_K / (d_K + 1.0)) : 0.0;
}

double fader_core::phase_at(size_t s, uint64_t t) const
{
    return d_phase[s] + wrapped_product(d_omega[s], d_omega_hi[s], t);
}

void fader_core::compute_chunk(gr_complex* out, uint64_t k0, uint64_t residue, uint64_t stride)
{
    // Outputs k0 .. k0+CHUNK-1, at times residue + k stride. The LOS entry is
    // skipped when its amplitude is zero.
    const size_t count = d_LOS ? d_amp.size() : d_amp.size() - 1;
    const uint64_t tc = residue + k0 * stride;
    std::fill(d_acc_re.begin(), d_acc_re.end(), 0.0f);
    std::fill(d_acc_im.begin(), d_acc_im.end(), 0.0f);
    for (size_t s = 0; s < count; s += 2) {
        // lanes: re, im of rotator s, then of rotator s+1 (zero if none).
        float lanes[4 * LANES] = {};
        float steps[4] = { 1.0f, 0.0f, 1.0f, 0.0f };
        for (size_t r = 0; r < 2 && s + r < count; r++) {
            const size_t idx = s + r;
            const double p0 = phase_at(idx, tc);
            const double w = wrapped_product(d_omega[idx], d_omega_hi[idx], stride);
            const std::complex<double> step = std::polar(1.0, w);
            std::complex<double> z = std::polar(d_amp[idx], p0);
            for (size_t l = 0; l < LANES; l++) {
                lanes[2 * r * LANES + l] = static_cast<float>(z.real());
                lanes[(2 * r + 1) * LANES + l] = static_cast<float>(z.imag());
                z *= step;
            }
            std::complex<double> step8 = step * step;
            step8 *= step8;
            step8 *= step8;
            steps[2 * r] = static_cast<float>(step8.real());
            steps[2 * r + 1] = static_cast<float>(step8.imag());
        }
        accumulate_rotator_pair(d_acc_re.data(), d_acc_im.data(), CHUNK, lanes, steps);
    }
    for (size_t i = 0; i < CHUNK; i++) {
        out[i] = gr_complex(d_acc_re[i], d_acc_im[i]);
    }
}

void fader_core::fill(gr_complex* out, size_t n, uint64_t t, uint64_t stride)
{
    const uint64_t residue = t % stride;
    uint64_t k = t / stride;
    while (n > 0) {
        const uint64_t k0 = k / CHUNK * CHUNK;
        const size_t offset = static_cast<size_t>(k - k0);
        const size_t take = std::min(CHUNK - offset, n);
        if (take == CHUNK) {
            compute_chunk(out, k0, residue, stride);
        } else {
            if (d_buf_stride != stride || d_buf_residue != residue || d_buf_k0 != k0) {
                compute_chunk(d_buf.data(), k0, residue, stride);
                d_buf_k0 = k0;
                d_buf_residue = residue;
                d_buf_stride = stride;
            }
            std::copy(d_buf.begin() + offset, d_buf.begin() + offset + take, out);
        }
        out += take;
        n -= take;
        k += take;
    }
}

void fader_core::generate(gr_complex* out, size_t n)
{
    fill(out, n, d_time, 1);
    d_time += n;
}

void fader_core::generate_strided(gr_complex* out, size_t n, uint64_t stride)
{
    if (stride == 0) {
        throw std::invalid_argument("fader_core: stride must be >= 1");
    }
    fill(out, n, d_time, stride);
    d_time += n * stride;
}

gr_complex fader_core::next()
{
    gr_complex h;
    fill(&h, 1, d_time, 1);
    d_time++;
    return h;
}

std::complex<double> fader_core::gain_at(uint64_t t) const
{
    std::complex<double> h(0.0, 0.0);
    for (size_t s = 0; s < d_amp.size(); s++) {
        h += std::polar(d_amp[s], phase_at(s, t));
    }
    return h;
}

void fader_core::set_time(uint64_t t) { d_time = t; }

void fader_core::set_fDTs(double fDTs)
{
    fading::check_fDTs(fDTs, "fader_core");
    // Keep every phase continuous at the current time.
    std::vector<double> now(d_phase.size());
    for (size_t s = 0; s < d_phase.size(); s++) {
        now[s] = phase_at(s, d_time);
    }
    d_fDTs = fDTs;
    update_omegas();
    for (size_t s = 0; s < d_phase.size(); s++) {
        d_phase[s] =
            std::fmod(now[s] - wrapped_product(d_omega[s], d_omega_hi[s], d_time), TWO_PI);
    }
    d_buf_stride = 0;
}

void fader_core::set_K(double K)
{
    fading::check_K(K, "fader_core");
    d_K = K;
    update_amplitudes();
    d_buf_stride = 0;
}

std::vector<double> fader_core::frequencies() const
{
    std::vector<double> f(d_cos_angle.size());
    for (size_t s = 0; s < f.size(); s++) {
        f[s] = d_fDTs * d_cos_angle[s];
    }
    return f;
}

std::vector<double> fader_core::amplitudes() const { return d_amp; }

} // namespace sentinel
} // namespace gr
