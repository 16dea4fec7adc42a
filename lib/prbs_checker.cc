/*
 * Copyright 2026 The gr-sentinel authors.
 *
 * This file is part of gr-sentinel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gnuradio/sentinel/prbs_checker.h>
#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace gr {
namespace sentinel {

namespace {

uint64_t low_mask(unsigned count)
{
    return count >= 64 ? ~uint64_t(0) : (uint64_t(1) << count) - 1;
}

unsigned popcount(uint64_t x) { return static_cast<unsigned>(__builtin_popcountll(x)); }

} // namespace

std::pair<double, double> wilson_interval(uint64_t k, uint64_t n)
{
    if (n == 0) {
        return { 0.0, 1.0 };
    }
    const double z = 1.959963984540054;
    const double nn = static_cast<double>(n);
    const double p = static_cast<double>(k) / nn;
    const double denom = 1.0 + z * z / nn;
    const double centre = (p + z * z / (2.0 * nn)) / denom;
    const double half = z * std::sqrt(p * (1.0 - p) / nn + z * z / (4.0 * nn * nn)) / denom;
    if (k == 0) {
        return { 0.0, std::min(1.0, centre + half) };
    }
    return { std::max(0.0, centre - half), std::min(1.0, centre + half) };
}

prbs_checker::prbs_checker(const prbs_pattern& pattern,
                           unsigned sync_bits,
                           unsigned loss_bits,
                           double loss_threshold,
                           uint64_t window_bits,
                           uint64_t report_interval,
                           report_callback callback)
    : d_pattern(pattern),
      d_sync_bits(sync_bits),
      d_loss_bits(loss_bits),
      d_loss_threshold(loss_threshold),
      d_report_interval(report_interval),
      d_callback(std::move(callback)),
      d_upright(pattern.taps, 1),
      d_complement(d_upright),
      d_local(d_upright),
      d_flywheel(d_upright),
      d_window_len(window_bits)
{
    if (sync_bits < 16) {
        throw std::invalid_argument("sync_bits: must be at least 16, got " +
                                    std::to_string(sync_bits));
    }
    if (loss_bits < 16) {
        throw std::invalid_argument("loss_bits: must be at least 16, got " +
                                    std::to_string(loss_bits));
    }
    if (!(loss_threshold > 0.0 && loss_threshold < 0.5)) {
        throw std::invalid_argument(
            "loss_threshold: must be in (0, 0.5) (a random stream has error rate 0.5), got " +
            std::to_string(loss_threshold));
    }
    if (window_bits == 0) {
        throw std::invalid_argument("window_bits: must be positive");
    }
    if (report_interval == 0) {
        throw std::invalid_argument("report_interval: must be positive");
    }
    d_window.assign((window_bits + 63) / 64, 0);
    d_offset = 0;
    reset();
}

void prbs_checker::reset()
{
    d_state = state::loading;
    d_next_report = d_offset + d_report_interval;
    d_loaded = 0;
    d_load_count = 0;
    d_confirm_count = 0;
    d_confirm_errors_upright = 0;
    d_confirm_errors_inverted = 0;
    d_complemented = false;
    d_verified = false;
    d_block_bits = 0;
    d_block_errors = 0;
    d_committed_bits = 0;
    d_committed_errors = 0;
    d_flywheel_valid = false;
    d_resyncs = 0;
    d_slips = 0;
    d_slipped_bits = 0;
    d_unchecked_bits = 0;
    window_clear();
}

double prbs_checker::ber() const
{
    const uint64_t n = bits();
    return n ? static_cast<double>(errors()) / static_cast<double>(n) : 0.0;
}

prbs_report prbs_checker::report(const std::string& event) const
{
    prbs_report r;
    r.event = event;
    r.offset = d_offset;
    r.bits = bits();
    r.errors = errors();
    r.ber = ber();
    const auto ci = wilson_interval(r.errors, r.bits);
    r.ber_low = ci.first;
    r.ber_high = ci.second;
    r.window_bits = d_window_filled;
    r.window_errors = d_window_errors;
    r.window_ber = d_window_filled ? static_cast<double>(d_window_errors) /
                                         static_cast<double>(d_window_filled)
                                   : 0.0;
    r.locked = locked();
    r.inverted = inverted();
    r.resyncs = d_resyncs;
    r.slips = d_slips;
    r.slipped_bits = d_slipped_bits;
    r.unchecked_bits = d_unchecked_bits;
    return r;
}

void prbs_checker::publish(const std::string& event)
{
    if (d_callback) {
        d_callback(report(event));
    }
}

uint64_t prbs_checker::bits_to_boundary() const
{
    uint64_t left = d_next_report - d_offset;
    switch (d_state) {
    case state::loading:
        left = std::min<uint64_t>(left, d_pattern.degree - d_load_count);
        break;
    case state::confirming:
        left = std::min<uint64_t>(left, d_sync_bits - d_confirm_count);
        break;
    case state::locked:
        left = std::min<uint64_t>(left, d_loss_bits - d_block_bits);
        break;
    }
    return left;
}

void prbs_checker::feed(uint64_t chunk, unsigned count)
{
    if (count > 64) {
        throw std::invalid_argument("prbs_checker::feed: count must be 1..64");
    }
    while (count > 0) {
        const unsigned take =
            static_cast<unsigned>(std::min<uint64_t>(count, bits_to_boundary()));
        const uint64_t seg = (chunk >> (count - take)) & low_mask(take);
        count -= take;
        d_offset += take; // events raised by consume() report the offset after seg
        consume(seg, take);
        if (d_offset == d_next_report) {
            d_next_report += d_report_interval;
            publish("report");
        }
    }
}

void prbs_checker::consume(uint64_t seg, unsigned count)
{
    if (d_flywheel_valid) {
        d_flywheel.next_bits(count);
    }
    switch (d_state) {
    case state::loading:
        consume_loading(seg, count);
        break;
    case state::confirming:
        consume_confirming(seg, count);
        break;
    case state::locked:
        consume_locked(seg, count);
        break;
    }
}

void prbs_checker::consume_loading(uint64_t seg, unsigned count)
{
    d_unchecked_bits += count;
    d_loaded = count >= 64 ? seg : ((d_loaded << count) | seg);
    d_load_count += count;
    if (d_load_count < d_pattern.degree) {
        return;
    }
    const uint64_t mask = d_upright.reg_mask();
    const uint64_t reg = d_loaded & mask;
    // A zero register cannot be a PRBS state; seed such a generator with 1 so
    // it runs, and let the confirmation reject it by its error count.
    d_upright.set_reg(reg ? reg : 1);
    d_complement.set_reg((reg ^ mask) ? (reg ^ mask) : 1);
    d_load_count = 0;
    d_confirm_count = 0;
    d_confirm_errors_upright = reg ? 0 : d_sync_bits + 1;
    d_confirm_errors_inverted = (reg ^ mask) ? 0 : d_sync_bits + 1;
    d_state = state::confirming;
}

void prbs_checker::consume_confirming(uint64_t seg, unsigned count)
{
    d_unchecked_bits += count;
    const uint64_t ones = low_mask(count);
    d_confirm_errors_upright += popcount(d_upright.next_bits(count) ^ seg);
    d_confirm_errors_inverted += popcount(d_complement.next_bits(count) ^ seg ^ ones);
    d_confirm_count += count;
    if (d_confirm_count < d_sync_bits) {
        return;
    }
    const double limit = d_loss_threshold * d_sync_bits;
    if (d_confirm_errors_upright <= limit) {
        d_local = d_upright;
        declare_lock(false);
    } else if (d_confirm_errors_inverted <= limit) {
        d_local = d_complement;
        declare_lock(true);
    } else {
        d_state = state::loading;
        d_loaded = 0;
        d_load_count = 0;
    }
}

void prbs_checker::declare_lock(bool complemented)
{
    // Tentative until the first block passes the loss check: a register loaded
    // with a bit error predicts a sequence whose errors start sparse (for
    // PRBS31 about 10 in the first 128 bits) and only later approach 50%.
    d_state = state::locked;
    d_verified = false;
    d_complemented = complemented;
    d_block_bits = 0;
    d_block_errors = 0;
}

void prbs_checker::confirm_lock()
{
    d_verified = true;
    if (d_flywheel_valid) {
        d_resyncs++;
        // Find d with flywheel advanced by d == local: d > 0 means the stream
        // is d bits behind the old alignment (bits were inserted).
        lfsr ahead(d_flywheel);
        lfsr behind(d_flywheel);
        const uint64_t target = d_local.reg();
        for (int d = 0; d <= static_cast<int>(max_slip); d++) {
            if (ahead.reg() == target) {
                if (d != 0) {
                    d_slips++;
                    d_slipped_bits -= d;
                }
                break;
            }
            if (behind.reg() == target) {
                d_slips++;
                d_slipped_bits += d;
                break;
            }
            ahead.next_bit();
            behind.step_back();
        }
        d_flywheel_valid = false;
    }
    publish("lock");
}

void prbs_checker::consume_locked(uint64_t seg, unsigned count)
{
    const uint64_t expected =
        d_local.next_bits(count) ^ (d_complemented ? low_mask(count) : 0);
    const uint64_t error_bits = expected ^ seg;
    const unsigned errs = popcount(error_bits);
    d_block_bits += count;
    d_block_errors += errs;
    window_push(error_bits, count);
    if (d_block_bits < d_loss_bits) {
        return;
    }
    if (d_block_errors > d_loss_threshold * d_loss_bits) {
        if (d_verified) {
            declare_loss();
        } else {
            restart_hunt(); // a false lock: part of acquisition, not a loss
        }
        return;
    }
    d_committed_bits += d_block_bits;
    d_committed_errors += d_block_errors;
    d_block_bits = 0;
    d_block_errors = 0;
    if (!d_verified) {
        confirm_lock();
    }
}

void prbs_checker::restart_hunt()
{
    d_unchecked_bits += d_block_bits;
    d_block_bits = 0;
    d_block_errors = 0;
    d_state = state::loading;
    d_loaded = 0;
    d_load_count = 0;
}

void prbs_checker::declare_loss()
{
    d_flywheel = d_local;
    d_flywheel_valid = true;
    restart_hunt();
    publish("loss");
}

void prbs_checker::window_clear()
{
    std::fill(d_window.begin(), d_window.end(), 0);
    d_window_pos = 0;
    d_window_filled = 0;
    d_window_errors = 0;
}

void prbs_checker::window_push(uint64_t error_bits, unsigned count)
{
    // Bits are stored at ring positions; only their count matters, so the
    // order inside a word is free. Unfilled positions hold zeros.
    while (count > 0) {
        const uint64_t word = d_window_pos / 64;
        const unsigned bit = d_window_pos % 64;
        const unsigned room = static_cast<unsigned>(
            std::min<uint64_t>(64 - bit, d_window_len - d_window_pos));
        const unsigned take = std::min(count, room);
        const uint64_t piece = (error_bits >> (count - take)) & low_mask(take);
        const uint64_t field = low_mask(take) << bit;
        d_window_errors -= popcount(d_window[word] & field);
        d_window[word] = (d_window[word] & ~field) | (piece << bit);
        d_window_errors += popcount(piece);
        count -= take;
        d_window_pos += take;
        if (d_window_pos == d_window_len) {
            d_window_pos = 0;
        }
        d_window_filled = std::min(d_window_filled + take, d_window_len);
    }
}

} // namespace sentinel
} // namespace gr
