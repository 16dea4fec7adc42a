/*
 * Copyright 2026 The gr-sentinel authors.
 *
 * This file is part of gr-sentinel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "selective_fading_model2_impl.h"
#include "fading_params.h"
#include <gnuradio/io_signature.h>
#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

namespace gr {
namespace sentinel {

namespace {

const std::string WHO = "selective_fading_model2";
const pmt::pmt_t TAPS_PORT = pmt::mp("taps");
const pmt::pmt_t KEY_OFFSET = pmt::mp("offset");
const pmt::pmt_t KEY_TAPS = pmt::mp("taps");
const pmt::pmt_t KEY_GAINS = pmt::mp("gains");
const pmt::pmt_t KEY_DELAYS = pmt::mp("delays");

constexpr uint64_t WALK_STREAM = uint64_t(1) << 32;

typedef float v8f __attribute__((vector_size(32)));
typedef int v8i __attribute__((vector_size(32)));
static_assert(fading::KERNEL_TAPS == 8, "walk_and_filter works on 8-tap kernels");

// Unaligned loads and stores; macros, so no 32-byte vector crosses a
// function boundary (which -Wpsabi flags for the non-AVX clone).
#define SENTINEL_LOAD8(v, p) __builtin_memcpy(&(v), (p), sizeof(v8f))

/*
 * One path over output samples [a, b) while its delay walks every sample:
 * step the delay (except before absolute sample 0), interpolate the kernel
 * from the reversed tables, filter, scale by the path gain and add to out.
 * x[i] of this call is at x + 2 (i + hist - 1). Returns the last delay.
 */
__attribute__((target_clones("arch=x86-64-v3", "default"))) double
walk_and_filter(const float* x,
                gr_complex* out,
                const gr_complex* h,
                float mag,
                int a,
                int b,
                bool step_first,
                double d,
                double sigma,
                double lo,
                double hi,
                fading::xoshiro256& rng,
                const float* const* reversed_tables,
                int hist)
{
    const v8i low_pairs = { 0, 0, 1, 1, 2, 2, 3, 3 };
    const v8i high_pairs = { 4, 4, 5, 5, 6, 6, 7, 7 };
    const v8i swap_pairs = { 2, 3, 0, 1, 6, 7, 4, 5 };
    for (int i = a; i < b; i++) {
        if (i > a || step_first) {
            d = std::min(std::max(d + sigma * rng.normal(), lo), hi);
        }
        const fading::kernel_position k = fading::locate_delay_kernel(d, reversed_tables);
        v8f g0, g1, x0, x1;
        SENTINEL_LOAD8(g0, k.lo);
        SENTINEL_LOAD8(g1, k.lo + fading::KERNEL_TAPS);
        const v8f g = g0 + k.a * (g1 - g0);
        // x[i - start - 7] .. x[i - start], oldest first, re/im interleaved.
        const float* src = x + 2 * (i + hist - 1 - k.start - (fading::KERNEL_TAPS - 1));
        SENTINEL_LOAD8(x0, src);
        SENTINEL_LOAD8(x1, src + 8);
        v8f acc = __builtin_shuffle(g, low_pairs) * x0 + __builtin_shuffle(g, high_pairs) * x1;
        acc += __builtin_shuffle(acc, swap_pairs);
        const float re = acc[0] + acc[4];
        const float im = acc[1] + acc[5];
        const float cr = mag * h[i].real(), ci = mag * h[i].imag();
        out[i] += gr_complex(cr * re - ci * im, cr * im + ci * re);
    }
    return d;
}

std::string format(double v)
{
    std::ostringstream s;
    s << v;
    return s.str();
}

void check_non_negative(const std::vector<double>& v, const char* name)
{
    for (size_t j = 0; j < v.size(); j++) {
        if (!(v[j] >= 0.0 && std::isfinite(v[j]))) {
            throw std::invalid_argument(WHO + ": " + name + "[" + std::to_string(j) +
                                        "] must be finite and >= 0, got " + format(v[j]));
        }
    }
}

// Multiples of `interval` in [n0, n0 + n), as output indices.
void multiples_in(uint64_t interval, uint64_t n0, int n, std::vector<int>& out)
{
    out.clear();
    uint64_t t = (n0 + interval - 1) / interval * interval;
    for (; t < n0 + static_cast<uint64_t>(n); t += interval) {
        out.push_back(static_cast<int>(t - n0));
    }
}

} // namespace

selective_fading_model2::sptr
selective_fading_model2::make(int N,
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
                              bool taps_tags)
{
    return gnuradio::make_block_sptr<selective_fading_model2_impl>(N,
                                                                   fDTs,
                                                                   LOS,
                                                                   K,
                                                                   seed,
                                                                   delays,
                                                                   delays_std,
                                                                   delays_maxdev,
                                                                   mags,
                                                                   ntaps,
                                                                   normalize_mags,
                                                                   taps_interval,
                                                                   tap_update_interval,
                                                                   taps_tags);
}

selective_fading_model2_impl::selective_fading_model2_impl(
    int N,
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
    bool taps_tags)
    : gr::sync_block("selective_fading_model2",
                     gr::io_signature::make(1, 1, sizeof(gr_complex)),
                     gr::io_signature::make(1, 1, sizeof(gr_complex))),
      d_N(N),
      d_fDTs(fDTs),
      d_LOS(LOS),
      d_K(K),
      d_seed(seed),
      d_start(delays),
      d_std(delays_std),
      d_maxdev(delays_maxdev),
      d_mags(mags),
      d_ntaps(ntaps),
      d_hist(0),
      d_taps_interval(taps_interval),
      d_update_interval(tap_update_interval),
      d_taps_tags(taps_tags)
{
    for (int s = 0; s < fading::KERNEL_HALF_WIDTH; s++) {
        d_reversed_tables[s] = fading::delay_kernel_table_reversed(s);
    }
    fading::check_N(N, WHO);
    fading::check_fDTs(fDTs, WHO);
    fading::check_K(K, WHO);
    const size_t paths = delays.size();
    if (paths == 0) {
        throw std::invalid_argument(WHO + ": delays must have at least one path");
    }
    if (delays_std.size() != paths || delays_maxdev.size() != paths ||
        mags.size() != paths) {
        throw std::invalid_argument(
            WHO + ": delays, delays_std, delays_maxdev and mags must have the same "
                  "length, got " +
            std::to_string(paths) + ", " + std::to_string(delays_std.size()) + ", " +
            std::to_string(delays_maxdev.size()) + ", " + std::to_string(mags.size()));
    }
    check_non_negative(delays, "delays");
    check_non_negative(delays_std, "delays_std");
    check_non_negative(delays_maxdev, "delays_maxdev");
    check_non_negative(mags, "mags");
    double reach = 0.0;
    for (size_t j = 0; j < paths; j++) {
        reach = std::max(reach, delays[j] + delays_maxdev[j]);
    }
    const double needed = reach + fading::KERNEL_HALF_WIDTH;
    if (ntaps < 1 || ntaps > max_ntaps) {
        throw std::invalid_argument(
            WHO + ": ntaps must be in 1.." + std::to_string(max_ntaps) +
            " (2^20; the block keeps ntaps + 1 samples of history), got " +
            std::to_string(ntaps));
    }
    if (static_cast<double>(ntaps) < needed) {
        throw std::invalid_argument(
            WHO + ": ntaps must be >= max(delays + delays_maxdev) + " +
            std::to_string(fading::KERNEL_HALF_WIDTH) + " (the interpolation half-width) = " +
            format(needed) + " and <= " + std::to_string(max_ntaps) + ", got " +
            std::to_string(ntaps));
    }
    if (taps_interval < 0) {
        throw std::invalid_argument(WHO + ": taps_interval must be >= 0 (0: no taps "
                                          "messages), got " +
                                    std::to_string(taps_interval));
    }
    if (tap_update_interval < 1) {
        throw std::invalid_argument(WHO + ": tap_update_interval must be >= 1, got " +
                                    std::to_string(tap_update_interval));
    }
    if (normalize_mags) {
        double power = 0.0;
        for (double m : mags) {
            power += m * m;
        }
        if (power <= 0.0) {
            throw std::invalid_argument(
                WHO + ": mags must not all be zero when normalize_mags is set");
        }
        for (double& m : d_mags) {
            m /= std::sqrt(power);
        }
    }

    for (size_t j = 0; j < paths; j++) {
        d_faders.emplace_back(N, fDTs, LOS && j == 0, K, seed, j);
        d_walks.emplace_back(fading_stream_seed(seed, WALK_STREAM + j));
        d_lo.push_back(std::max(0.0, delays[j] - delays_maxdev[j]));
        d_hi.push_back(delays[j] + delays_maxdev[j]);
        d_delay.push_back(delays[j]);
        fading::delay_kernel k;
        fading::make_delay_kernel(delays[j], k);
        d_kernels.push_back(k);
        d_gains.push_back(static_cast<float>(d_mags[j]) *
                          gr_complex(d_faders[j].gain_at(0)));
    }

    // One more lag than ntaps: a kernel at an integer delay ntaps - 4 has a
    // (zero) tap at lag ntaps.
    d_hist = std::max(ntaps, fading::KERNEL_TAPS) + 1;
    set_history(d_hist);
    message_port_register_out(TAPS_PORT);
}

double selective_fading_model2_impl::fDTs() const
{
    std::lock_guard<std::mutex> lock(d_mutex);
    return d_fDTs;
}

double selective_fading_model2_impl::K() const
{
    std::lock_guard<std::mutex> lock(d_mutex);
    return d_K;
}

std::vector<double> selective_fading_model2_impl::delays_std() const
{
    std::lock_guard<std::mutex> lock(d_mutex);
    return d_std;
}

std::vector<double> selective_fading_model2_impl::delays() const
{
    std::lock_guard<std::mutex> lock(d_mutex);
    return d_delay;
}

std::vector<gr_complex> selective_fading_model2_impl::path_gains() const
{
    std::lock_guard<std::mutex> lock(d_mutex);
    return d_gains;
}

std::vector<selective_fading_model2_impl::snapshot>
selective_fading_model2_impl::current_snapshots() const
{
    std::vector<snapshot> snaps(d_gains.size());
    for (size_t j = 0; j < snaps.size(); j++) {
        snaps[j] = snapshot{ d_gains[j], d_kernels[j], d_delay[j] };
    }
    return snaps;
}

std::vector<gr_complex> selective_fading_model2_impl::taps() const
{
    std::lock_guard<std::mutex> lock(d_mutex);
    const std::vector<snapshot> snaps = current_snapshots();
    return assemble_taps(snaps.data());
}

void selective_fading_model2_impl::set_fDTs(double fDTs)
{
    fading::check_fDTs(fDTs, WHO);
    std::lock_guard<std::mutex> lock(d_mutex);
    d_fDTs = fDTs;
    for (auto& fader : d_faders) {
        fader.set_fDTs(fDTs);
    }
}

void selective_fading_model2_impl::set_K(double K)
{
    fading::check_K(K, WHO);
    std::lock_guard<std::mutex> lock(d_mutex);
    d_K = K;
    for (auto& fader : d_faders) {
        fader.set_K(K);
    }
}

void selective_fading_model2_impl::set_delays_std(const std::vector<double>& delays_std)
{
    if (delays_std.size() != d_start.size()) {
        throw std::invalid_argument(WHO + ": delays_std must have one value per path (" +
                                    std::to_string(d_start.size()) + "), got " +
                                    std::to_string(delays_std.size()));
    }
    check_non_negative(delays_std, "delays_std");
    std::lock_guard<std::mutex> lock(d_mutex);
    d_std = delays_std;
}

void selective_fading_model2_impl::step_delay(size_t j, double sigma)
{
    double d = d_delay[j] + sigma * d_walks[j].normal();
    d = std::min(std::max(d, d_lo[j]), d_hi[j]);
    d_delay[j] = d;
    fading::make_delay_kernel(d, d_kernels[j]);
}

void selective_fading_model2_impl::filter_segment(const gr_complex* in,
                                                  int a,
                                                  int b,
                                                  const fading::delay_kernel& k)
{
    // d_u[2i], d_u[2i+1] = sum_m taps[m] x[i - start - m] for i in [a, b);
    // x[i] of this call is in[i + d_hist - 1].
    float* u = d_u.data() + 2 * a;
    const int count = 2 * (b - a);
    std::fill(u, u + count, 0.0f);
    const float* x = reinterpret_cast<const float*>(in);
    for (int m = 0; m < fading::KERNEL_TAPS; m++) {
        const float g = k.taps[m];
        if (g == 0.0f) {
            continue;
        }
        const float* src = x + 2 * (a + d_hist - 1 - k.start - m);
        for (int q = 0; q < count; q++) {
            u[q] += g * src[q];
        }
    }
}

void selective_fading_model2_impl::snap(size_t j, int message, const gr_complex& gain)
{
    d_snaps[message * d_gains.size() + j] = snapshot{ gain, d_kernels[j], d_delay[j] };
}

void selective_fading_model2_impl::run_path_per_sample(
    size_t j, const gr_complex* in, gr_complex* out, int n, uint64_t n0)
{
    const float mag = static_cast<float>(d_mags[j]);
    d_faders[j].generate(d_h.data(), n);
    const gr_complex* h = d_h.data();
    size_t next_msg = 0;

    if (d_std[j] > 0.0) {
        // The delay walks every sample; stop at each message to record it.
        const float* x = reinterpret_cast<const float*>(in);
        int a = 0;
        while (a < n) {
            const int b = next_msg < d_msg_index.size() ? d_msg_index[next_msg] + 1 : n;
            d_delay[j] = walk_and_filter(x,
                                         out,
                                         h,
                                         mag,
                                         a,
                                         b,
                                         n0 + a > 0,
                                         d_delay[j],
                                         d_std[j],
                                         d_lo[j],
                                         d_hi[j],
                                         d_walks[j],
                                         d_reversed_tables,
                                         d_hist);
            if (b <= n && next_msg < d_msg_index.size()) {
                fading::make_delay_kernel(d_delay[j], d_kernels[j]);
                snap(j, next_msg++, mag * h[b - 1]);
            }
            a = b;
        }
        fading::make_delay_kernel(d_delay[j], d_kernels[j]);
    } else {
        filter_segment(in, 0, n, d_kernels[j]);
        const float* u = d_u.data();
        for (int i = 0; i < n; i++) {
            const float cr = mag * h[i].real(), ci = mag * h[i].imag();
            out[i] += gr_complex(cr * u[2 * i] - ci * u[2 * i + 1],
                                 cr * u[2 * i + 1] + ci * u[2 * i]);
        }
        for (size_t msg = 0; msg < d_msg_index.size(); msg++) {
            snap(j, msg, mag * h[d_msg_index[msg]]);
        }
    }
    d_gains[j] = mag * h[n - 1];
}

void selective_fading_model2_impl::run_path_held(
    size_t j, const gr_complex* in, gr_complex* out, int n, uint64_t n0)
{
    const uint64_t M = static_cast<uint64_t>(d_update_interval);
    const float mag = static_cast<float>(d_mags[j]);
    const double sigma = d_std[j] * std::sqrt(static_cast<double>(M));

    // Update times in this call: the fader's clock sits on the next one.
    const uint64_t first = (n0 + M - 1) / M * M;
    const size_t updates =
        first < n0 + n ? static_cast<size_t>((n0 + n - 1 - first) / M + 1) : 0;
    if (updates > 0) {
        d_faders[j].generate_strided(d_h.data(), updates, M);
    }

    size_t next_msg = 0;
    int a = 0;
    size_t u_index = 0;
    while (a < n) {
        const uint64_t t = n0 + a;
        if (t % M == 0) {
            if (t > 0 && sigma > 0.0) {
                step_delay(j, sigma);
            }
            d_gains[j] = mag * d_h[u_index++];
        }
        const int b = static_cast<int>(std::min<uint64_t>(n0 + n, (t / M + 1) * M) - n0);
        filter_segment(in, a, b, d_kernels[j]);
        const gr_complex c = d_gains[j];
        const float cr = c.real(), ci = c.imag();
        const float* u = d_u.data();
        for (int i = a; i < b; i++) {
            out[i] += gr_complex(cr * u[2 * i] - ci * u[2 * i + 1],
                                 cr * u[2 * i + 1] + ci * u[2 * i]);
        }
        while (next_msg < d_msg_index.size() && d_msg_index[next_msg] < b) {
            snap(j, next_msg++, c);
        }
        a = b;
    }
}

std::vector<gr_complex>
selective_fading_model2_impl::assemble_taps(const snapshot* path_snaps) const
{
    std::vector<gr_complex> taps(d_ntaps, gr_complex(0.0f, 0.0f));
    for (size_t j = 0; j < d_gains.size(); j++) {
        const snapshot& s = path_snaps[j];
        for (int m = 0; m < fading::KERNEL_TAPS; m++) {
            const int lag = s.kernel.start + m;
            if (lag < d_ntaps) {
                taps[lag] += s.gain * s.kernel.taps[m];
            }
        }
    }
    return taps;
}

pmt::pmt_t selective_fading_model2_impl::taps_dict(uint64_t offset,
                                                   const snapshot* path_snaps) const
{
    const size_t paths = d_gains.size();
    std::vector<gr_complex> gains(paths);
    std::vector<double> delays(paths);
    for (size_t j = 0; j < paths; j++) {
        gains[j] = path_snaps[j].gain;
        delays[j] = path_snaps[j].delay;
    }
    pmt::pmt_t d = pmt::make_dict();
    d = pmt::dict_add(d, KEY_OFFSET, pmt::from_uint64(offset));
    d = pmt::dict_add(d, KEY_TAPS, pmt::init_c32vector(d_ntaps, assemble_taps(path_snaps)));
    d = pmt::dict_add(d, KEY_GAINS, pmt::init_c32vector(paths, gains));
    d = pmt::dict_add(d, KEY_DELAYS, pmt::init_f64vector(paths, delays));
    return d;
}

int selective_fading_model2_impl::work(int noutput_items,
                                       gr_vector_const_void_star& input_items,
                                       gr_vector_void_star& output_items)
{
    auto in = static_cast<const gr_complex*>(input_items[0]);
    auto out = static_cast<gr_complex*>(output_items[0]);
    const int n = noutput_items;
    const uint64_t n0 = nitems_written(0);
    const size_t paths = d_gains.size();

    std::lock_guard<std::mutex> lock(d_mutex);
    if (d_h.size() < static_cast<size_t>(n)) {
        d_h.resize(n);
        d_u.resize(2 * static_cast<size_t>(n));
    }
    if (d_taps_interval > 0) {
        multiples_in(static_cast<uint64_t>(d_taps_interval), n0, n, d_msg_index);
    } else {
        d_msg_index.clear();
    }
    d_snaps.resize(d_msg_index.size() * paths);

    std::fill(out, out + n, gr_complex(0.0f, 0.0f));
    for (size_t j = 0; j < paths; j++) {
        if (d_update_interval == 1) {
            run_path_per_sample(j, in, out, n, n0);
        } else {
            run_path_held(j, in, out, n, n0);
        }
    }

    for (size_t msg = 0; msg < d_msg_index.size(); msg++) {
        const uint64_t offset = n0 + d_msg_index[msg];
        const pmt::pmt_t dict = taps_dict(offset, &d_snaps[msg * paths]);
        message_port_pub(TAPS_PORT, dict);
        if (d_taps_tags) {
            add_item_tag(0, offset, KEY_TAPS, dict);
        }
    }
    return n;
}

} // namespace sentinel
} // namespace gr
