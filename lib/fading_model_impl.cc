/*
 * Copyright 2026 The gr-sentinel authors.
 *
 * This file is part of gr-sentinel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "fading_model_impl.h"
#include "fading_params.h"
#include <gnuradio/io_signature.h>

namespace gr {
namespace sentinel {

fading_model::sptr fading_model::make(int N, double fDTs, bool LOS, double K, uint64_t seed)
{
    return gnuradio::make_block_sptr<fading_model_impl>(N, fDTs, LOS, K, seed);
}

namespace {
// Checked before the fader is built, so the message names this block.
int checked_N(int N)
{
    fading::check_N(N, "fading_model");
    return N;
}
} // namespace

fading_model_impl::fading_model_impl(int N, double fDTs, bool LOS, double K, uint64_t seed)
    : gr::sync_block("fading_model",
                     gr::io_signature::make(1, 1, sizeof(gr_complex)),
                     gr::io_signature::make(1, 1, sizeof(gr_complex))),
      d_fader((fading::check_fDTs(fDTs, "fading_model"),
               fading::check_K(K, "fading_model"),
               checked_N(N)),
              fDTs,
              LOS,
              K,
              seed,
              0)
{
}

double fading_model_impl::fDTs() const
{
    std::lock_guard<std::mutex> lock(d_mutex);
    return d_fader.fDTs();
}

double fading_model_impl::K() const
{
    std::lock_guard<std::mutex> lock(d_mutex);
    return d_fader.K();
}

void fading_model_impl::set_fDTs(double fDTs)
{
    fading::check_fDTs(fDTs, "fading_model");
    std::lock_guard<std::mutex> lock(d_mutex);
    d_fader.set_fDTs(fDTs);
}

void fading_model_impl::set_K(double K)
{
    fading::check_K(K, "fading_model");
    std::lock_guard<std::mutex> lock(d_mutex);
    d_fader.set_K(K);
}

int fading_model_impl::work(int noutput_items,
                            gr_vector_const_void_star& input_items,
                            gr_vector_void_star& output_items)
{
    auto in = static_cast<const gr_complex*>(input_items[0]);
    auto out = static_cast<gr_complex*>(output_items[0]);
    std::lock_guard<std::mutex> lock(d_mutex);
    if (d_gains.size() < static_cast<size_t>(noutput_items)) {
        d_gains.resize(noutput_items);
    }
    d_fader.generate(d_gains.data(), noutput_items);
    // A plain loop (vectorised by the compiler): the same arithmetic for every
    // sample whatever the call size, so output is bit-identical across runs.
    const gr_complex* h = d_gains.data();
    for (int i = 0; i < noutput_items; i++) {
        const float a = in[i].real(), b = in[i].imag();
        const float c = h[i].real(), d = h[i].imag();
        out[i] = gr_complex(a * c - b * d, a * d + b * c);
    }
    return noutput_items;
}

} // namespace sentinel
} // namespace gr
