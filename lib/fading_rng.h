/*
 * Copyright 2026 The gr-sentinel authors.
 *
 * This file is part of gr-sentinel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_SENTINEL_FADING_RNG_H
#define INCLUDED_SENTINEL_FADING_RNG_H

#include <gnuradio/sentinel/api.h>
#include <cstdint>

namespace gr {
namespace sentinel {
namespace fading {

//! The splitmix64 output function: a bijective 64-bit mixer.
inline uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/*!
 * \brief xoshiro256** generator (Blackman and Vigna), seeded through splitmix64.
 *
 * Small, fast and with a 2^256-1 period; the state is filled from splitmix64
 * so any 64-bit seed (0 included) gives a valid, well-mixed state.
 * Internal (not installed); exported for the C++ tests.
 */
class SENTINEL_API xoshiro256
{
public:
    explicit xoshiro256(uint64_t seed = 0);

    void reseed(uint64_t seed)
    {
        for (auto& word : d_s) {
            seed += 0x9e3779b97f4a7c15ULL;
            word = mix64(seed);
        }
    }

    uint64_t next()
    {
        const uint64_t result = rotl(d_s[1] * 5, 7) * 9;
        const uint64_t t = d_s[1] << 17;
        d_s[2] ^= d_s[0];
        d_s[3] ^= d_s[1];
        d_s[1] ^= d_s[2];
        d_s[0] ^= d_s[3];
        d_s[2] ^= t;
        d_s[3] = rotl(d_s[3], 45);
        return result;
    }

    //! Uniform in [0, 1) with 53 random bits.
    double uniform() { return (next() >> 11) * (1.0 / 9007199254740992.0); }

    //! Standard normal deviate (ziggurat method, 128 layers).
    double normal()
    {
        // The common case (about 98.8%) inline: a point inside a layer's
        // rectangle; wedges and the tail go to normal_slow().
        const uint64_t r = next();
        const int i = static_cast<int>(r & 127);
        const double u = (r >> 11) * (1.0 / 9007199254740992.0);
        const double z = u * d_x[i];
        if (z < d_x[i + 1]) {
            return (r & 128) ? -z : z;
        }
        return normal_slow(i, z, (r & 128) != 0);
    }

private:
    double normal_slow(int layer, double z, bool negative);
    const double* d_x; // ziggurat layer edges, 129 entries
    static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    uint64_t d_s[4];
};

} // namespace fading
} // namespace sentinel
} // namespace gr

#endif /* INCLUDED_SENTINEL_FADING_RNG_H */
