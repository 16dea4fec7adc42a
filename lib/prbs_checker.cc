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

// Bit arrays stored from the most significant bit down: bit i is bit
// (63 - i % 64) of word i / 64.

// Bits [pos, pos + count) (count 1..64), the first of them in bit (count-1).
uint64_t msb_get(const std::vector<uint64_t>& w, uint64_t pos, unsigned count)
{
    const uint64_t word = pos / 64;
    const unsigned off = pos % 64;
    uint64_t v = w[word] << off;
    if (off + count > 64) {
        v |= w[word + 1] >> (64 - off);
    }
    return v >> (64 - count);
}

// Set bits among [begin, end).
uint64_t msb_count(const std::vector<uint64_t>& w, uint64_t begin, uint64_t end)
{
    uint64_t n = 0;
    while (begin < end) {
        const unsigned take =
            static_cast<unsigned>(std::min<uint64_t>(64 - begin % 64, end - begin));
        n += popcount(msb_get(w, begin, take));
        begin += take;
    }
    return n;
}

unsigned msb_bit(const std::vector<uint64_t>& w, uint64_t i)
{
    return static_cast<unsigned>(w[i / 64] >> (63 - i % 64)) & 1u;
}

// Append count bits (1..64, the first in bit (count-1)) at bit position pos of
// a zeroed array.
void msb_put(std::vector<uint64_t>& w, uint64_t pos, uint64_t value, unsigned count)
{
    const uint64_t word = pos / 64;
    const unsigned off = pos % 64;
    const uint64_t top = count >= 64 ? value : value << (64 - count);
    w[word] |= top >> off;
    if (off + count > 64) {
        w[word + 1] |= top << (64 - off);
    }
}

} // namespace

void prbs_checker::block_record::start(uint64_t reg, bool comp)
{
    std::fill(err.begin(), err.end(), 0);
    bits = 0;
    errors = 0;
    start_reg = reg;
    complemented = comp;
}

void prbs_checker::block_record::append(uint64_t error_bits, unsigned count)
{
    msb_put(err, bits, error_bits, count);
    bits += count;
    errors += popcount(error_bits);
}

uint64_t prbs_checker::block_record::count(uint64_t begin, uint64_t end) const
{
    return msb_count(err, begin, end);
}

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
    if (sync_bits < 16 || sync_bits > max_block_bits) {
        throw std::invalid_argument("sync_bits: must be in 16..1048576 (2^20), got " +
                                    std::to_string(sync_bits));
    }
    if (loss_bits < 16 || loss_bits > max_block_bits) {
        throw std::invalid_argument("loss_bits: must be in 16..1048576 (2^20), got " +
                                    std::to_string(loss_bits));
    }
    if (!(loss_threshold > 0.0 && loss_threshold < 0.5)) {
        throw std::invalid_argument(
            "loss_threshold: must be in (0, 0.5) (a random stream has error rate 0.5), got " +
            std::to_string(loss_threshold));
    }
    if (window_bits == 0 || window_bits > max_window_bits) {
        throw std::invalid_argument(
            "window_bits: must be in 1..4294967296 (2^32 bits, a 512 MiB window), got " +
            std::to_string(window_bits));
    }
    if (report_interval == 0) {
        throw std::invalid_argument("report_interval: must be at least 1, got 0");
    }
    d_window.assign((window_bits + 63) / 64, 0);
    const size_t block_words = (loss_bits + 63) / 64 + 1;
    d_block.err.assign(block_words, 0);
    d_pending.err.assign(block_words, 0);
    d_failed.err.assign(block_words, 0);
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
    d_block.start(0, false);
    d_pending.start(0, false);
    d_pending_valid = false;
    d_failed.start(0, false);
    d_committed_bits = 0;
    d_committed_errors = 0;
    d_flywheel_valid = false;
    d_resyncs = 0;
    d_slips = 0;
    d_slipped_bits = 0;
    d_polarity_flips = 0;
    d_unchecked_bits = 0;
    window_clear();
}

uint64_t prbs_checker::bits() const
{
    return d_committed_bits + (d_pending_valid ? d_pending.bits : 0) +
           (locked() ? d_block.bits : 0);
}

uint64_t prbs_checker::errors() const
{
    return d_committed_errors + (d_pending_valid ? d_pending.errors : 0) +
           (locked() ? d_block.errors : 0);
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
    window_report(r.window_bits, r.window_errors);
    r.window_ber = r.window_bits ? static_cast<double>(r.window_errors) /
                                       static_cast<double>(r.window_bits)
                                 : 0.0;
    r.locked = locked();
    r.inverted = inverted();
    r.resyncs = d_resyncs;
    r.slips = d_slips;
    r.slipped_bits = d_slipped_bits;
    r.polarity_flips = d_polarity_flips;
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
        left = std::min<uint64_t>(left, d_loss_bits - d_block.bits);
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
    d_block.start(d_local.reg(), complemented);
}

void prbs_checker::confirm_lock()
{
    d_verified = true;
    if (d_flywheel_valid) {
        d_resyncs++;
        // Find d with flywheel advanced by d == local: d > 0 means the stream
        // is d bits ahead of the old alignment (bits were deleted); flywheel
        // stepped back by d == local means d bits were inserted.
        lfsr ahead(d_flywheel);
        lfsr behind(d_flywheel);
        const uint64_t target = d_local.reg();
        bool found = false;
        int slip = 0; // > 0 inserted, < 0 deleted
        for (int d = 0; d <= static_cast<int>(max_slip); d++) {
            if (ahead.reg() == target) {
                found = true;
                slip = -d;
                break;
            }
            if (behind.reg() == target) {
                found = true;
                slip = d;
                break;
            }
            ahead.next_bit();
            behind.step_back();
        }
        const bool flipped = found && d_complemented != d_failed.complemented;
        if (found && slip != 0) {
            d_slips++;
            d_slipped_bits += slip;
        }
        if (flipped) {
            d_polarity_flips++;
        }
        if (slip != 0 || flipped) {
            resolve_loss(slip, flipped);
        }
        // Otherwise the failing block stays out of the counts and the pending
        // block is kept as it was checked.
        d_flywheel_valid = false;
    }
    commit_pending();
    publish("lock");
}

void prbs_checker::resolve_loss(int slip, bool flipped)
{
    // The slip point lies in the last passed block (its tail may hold up to
    // loss_threshold * loss_bits slip errors) or in the failing block. Check
    // both again: bits before the slip point against the old alignment, bits
    // after it against the new one, inserted bits not at all.
    const block_record empty;
    const block_record& first = d_pending_valid ? d_pending : empty;
    const block_record& second = d_failed;
    const uint64_t n = uint64_t(first.bits) + second.bits;
    const uint64_t words = (n + 63) / 64 + 1;
    std::vector<uint64_t> old_err(words, 0);
    std::vector<uint64_t> new_err(words, 0);

    lfsr old_gen(d_flywheel);
    old_gen.set_reg(d_pending_valid ? first.start_reg : second.start_reg);
    lfsr new_gen(old_gen); // new[i] = old[i - slip]
    for (int k = 0; k < slip; k++) {
        new_gen.step_back();
    }
    if (slip < 0) {
        new_gen.advance(static_cast<uint64_t>(-slip));
    }
    for (uint64_t i = 0; i < n;) {
        const unsigned take = static_cast<unsigned>(std::min<uint64_t>(64, n - i));
        uint64_t e;
        if (i + take <= first.bits) {
            e = msb_get(first.err, i, take);
        } else if (i >= first.bits) {
            e = msb_get(second.err, i - first.bits, take);
        } else {
            const unsigned a = static_cast<unsigned>(first.bits - i);
            e = (msb_get(first.err, i, a) << (take - a)) |
                msb_get(second.err, 0, take - a);
        }
        const uint64_t o = old_gen.next_bits(take);
        const uint64_t w = new_gen.next_bits(take);
        msb_put(old_err, i, e, take);
        msb_put(new_err, i, e ^ o ^ w ^ (flipped ? low_mask(take) : 0), take);
        i += take;
    }

    // cost(s) = old errors in [0, s) + new errors in [s + gap, n); the first
    // s with the least cost.
    const uint64_t gap = slip > 0 ? static_cast<uint64_t>(slip) : 0;
    const uint64_t new_total = msb_count(new_err, 0, n);
    uint64_t old_prefix = 0;
    uint64_t new_prefix = msb_count(new_err, 0, std::min(gap, n));
    uint64_t best_s = 0;
    uint64_t best = new_total - new_prefix;
    for (uint64_t s = 1; s + gap <= n; s++) {
        old_prefix += msb_bit(old_err, s - 1);
        new_prefix += msb_bit(new_err, s + gap - 1);
        const uint64_t cost = old_prefix + (new_total - new_prefix);
        if (cost < best) {
            best = cost;
            best_s = s;
        }
    }
    const uint64_t split = std::min(best_s, n - std::min(gap, n));
    window_push_bits(old_err, 0, split);
    window_push_bits(new_err, split + gap, n);
    const uint64_t compared = n - std::min(gap, n);
    d_committed_bits += compared;
    d_committed_errors += best;
    // The failing block was counted as unchecked at the loss; now only the
    // inserted bits are.
    d_unchecked_bits = d_unchecked_bits - second.bits + (n - compared);
    d_pending_valid = false;
    d_failed.bits = 0;
    d_failed.errors = 0;
}

void prbs_checker::commit_pending()
{
    if (d_pending_valid) {
        window_push_bits(d_pending.err, 0, d_pending.bits);
        d_committed_bits += d_pending.bits;
        d_committed_errors += d_pending.errors;
    }
    std::swap(d_pending, d_block);
    d_pending_valid = true;
    d_block.start(d_local.reg(), d_complemented);
}

void prbs_checker::consume_locked(uint64_t seg, unsigned count)
{
    const uint64_t expected =
        d_local.next_bits(count) ^ (d_complemented ? low_mask(count) : 0);
    d_block.append(expected ^ seg, count);
    if (d_block.bits < d_loss_bits) {
        return;
    }
    if (d_block.errors > d_loss_threshold * d_loss_bits) {
        if (d_verified) {
            declare_loss();
        } else {
            restart_hunt(); // a false lock: part of acquisition, not a loss
        }
        return;
    }
    if (d_verified) {
        commit_pending();
    } else {
        confirm_lock();
    }
}

void prbs_checker::restart_hunt()
{
    d_unchecked_bits += d_block.bits;
    d_block.bits = 0;
    d_block.errors = 0;
    d_state = state::loading;
    d_loaded = 0;
    d_load_count = 0;
}

void prbs_checker::declare_loss()
{
    d_flywheel = d_local;
    d_flywheel_valid = true;
    // Keep the failing block until the re-lock tells what happened.
    std::swap(d_failed, d_block);
    d_block.bits = 0;
    d_block.errors = 0;
    d_unchecked_bits += d_failed.bits;
    d_verified = false;
    d_state = state::loading;
    d_loaded = 0;
    d_load_count = 0;
    publish("loss");
}

void prbs_checker::window_clear()
{
    std::fill(d_window.begin(), d_window.end(), 0);
    d_window_pos = 0;
    d_window_filled = 0;
    d_window_errors = 0;
}

void prbs_checker::window_push_bits(const std::vector<uint64_t>& words,
                                    uint64_t begin,
                                    uint64_t end)
{
    while (begin < end) {
        const unsigned take = static_cast<unsigned>(std::min<uint64_t>(64, end - begin));
        window_push(msb_get(words, begin, take), take);
        begin += take;
    }
}

uint64_t prbs_checker::window_count(uint64_t start, uint64_t count) const
{
    uint64_t n = 0;
    uint64_t pos = start;
    while (count > 0) {
        const uint64_t word = pos / 64;
        const unsigned bit = pos % 64;
        const unsigned take = static_cast<unsigned>(
            std::min<uint64_t>(std::min<uint64_t>(64 - bit, d_window_len - pos), count));
        n += popcount(d_window[word] & (low_mask(take) << (64 - bit - take)));
        count -= take;
        pos += take;
        if (pos == d_window_len) {
            pos = 0;
        }
    }
    return n;
}

void prbs_checker::window_report(uint64_t& bits, uint64_t& errors) const
{
    // The window is the ring followed by the pending block and the block in
    // progress: the last d_window_len bits of that sequence.
    const uint64_t tail_pending = d_pending_valid ? d_pending.bits : 0;
    const uint64_t tail_block = locked() ? d_block.bits : 0;
    const uint64_t tail = tail_pending + tail_block;
    if (tail >= d_window_len) {
        bits = d_window_len;
        if (d_window_len <= tail_block) {
            errors = d_block.count(tail_block - d_window_len, tail_block);
        } else {
            errors = (tail_block ? d_block.errors : 0) +
                     d_pending.count(tail - d_window_len, tail_pending);
        }
        return;
    }
    const uint64_t keep = std::min(d_window_filled, d_window_len - tail);
    const uint64_t oldest = d_window_filled < d_window_len ? 0 : d_window_pos;
    bits = keep + tail;
    errors = d_window_errors - window_count(oldest, d_window_filled - keep) +
             (tail_pending ? d_pending.errors : 0) + (tail_block ? d_block.errors : 0);
}

void prbs_checker::window_push(uint64_t error_bits, unsigned count)
{
    // Ring position p is bit (63 - p % 64) of word p / 64, in stream order, so
    // window_count() can count any stretch of it. Unfilled positions hold zeros.
    while (count > 0) {
        const uint64_t word = d_window_pos / 64;
        const unsigned bit = d_window_pos % 64;
        const unsigned room = static_cast<unsigned>(
            std::min<uint64_t>(64 - bit, d_window_len - d_window_pos));
        const unsigned take = std::min(count, room);
        const uint64_t piece = (error_bits >> (count - take)) & low_mask(take);
        const unsigned shift = 64 - bit - take;
        const uint64_t field = low_mask(take) << shift;
        d_window_errors -= popcount(d_window[word] & field);
        d_window[word] = (d_window[word] & ~field) | (piece << shift);
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
