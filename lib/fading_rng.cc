/*
 * Copyright 2026 The gr-sentinel authors.
 *
 * This file is part of gr-sentinel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "fading_rng.h"
#include <array>
#include <cmath>

namespace gr {
namespace sentinel {
namespace fading {

namespace {

// Ziggurat for the half-normal density f(x) = exp(-x^2/2) with 128 layers of
// equal area V (Marsaglia and Tsang, 2000). x[1] = R is where the tail starts;
// layer 0 is the rectangle [0, R] x [0, f(R)] plus the tail, drawn as a
// rectangle of width x[0] = V / f(R).
constexpr int LAYERS = 128;
constexpr double R = 3.442619855899;
constexpr double V = 9.91256303526217e-3;

struct ziggurat_tables {
    std::array<double, LAYERS + 1> x;
    std::array<double, LAYERS + 1> f;

    ziggurat_tables()
    {
        auto density = [](double v) { return std::exp(-0.5 * v * v); };
        x[0] = V / density(R);
        x[1] = R;
        for (int i = 1; i < LAYERS - 1; i++) {
            x[i + 1] = std::sqrt(-2.0 * std::log(V / x[i] + density(x[i])));
        }
        x[LAYERS] = 0.0;
        for (int i = 0; i <= LAYERS; i++) {
            f[i] = density(x[i]);
        }
    }
};

const ziggurat_tables& tables()
{
    static const ziggurat_tables t;
    return t;
}

} // namespace

xoshiro256::xoshiro256(uint64_t seed) : d_x(tables().x.data()) { reseed(seed); }

double xoshiro256::normal_slow(int layer, double z, bool negative)
{
    const ziggurat_tables& t = tables();
    for (;;) {
        if (layer == 0) {
            // Tail beyond R: Marsaglia's exponential rejection.
            double a, b;
            do {
                a = -std::log(1.0 - uniform()) / R;
                b = -std::log(1.0 - uniform());
            } while (b + b < a * a);
            return negative ? -(R + a) : R + a;
        }
        // Wedge between the layer's rectangle and the curve.
        const double y = t.f[layer] + uniform() * (t.f[layer + 1] - t.f[layer]);
        if (y < std::exp(-0.5 * z * z)) {
            return negative ? -z : z;
        }
        // Rejected: a fresh draw.
        const uint64_t r = next();
        layer = static_cast<int>(r & (LAYERS - 1));
        negative = (r >> 7) & 1;
        z = (r >> 11) * (1.0 / 9007199254740992.0) * t.x[layer];
        if (z < t.x[layer + 1]) {
            return negative ? -z : z;
        }
    }
}

} // namespace fading
} // namespace sentinel
} // namespace gr
