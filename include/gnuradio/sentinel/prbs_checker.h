/*
 * Copyright 2026 The gr-sentinel authors.
 *
 * This file is part of gr-sentinel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_SENTINEL_PRBS_CHECKER_H
#define INCLUDED_SENTINEL_PRBS_CHECKER_H

#include <gnuradio/sentinel/api.h>
#include <gnuradio/sentinel/lfsr.h>
#include <gnuradio/sentinel/prbs_pattern.h>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace gr {
namespace sentinel {

//! One snapshot of a BER measurement, published on every event.
struct SENTINEL_API prbs_report {
    std::string event;      //!< "report", "lock", "loss" or "reset"
    uint64_t offset;        //!< input bits consumed so far (absolute, never reset)
    uint64_t bits;          //!< bits compared while locked
    uint64_t errors;        //!< errors among them
    double ber;             //!< errors / bits (0 when bits == 0)
    double ber_low;         //!< 95% Wilson interval, lower bound
    double ber_high;        //!< 95% Wilson interval, upper bound
    uint64_t window_bits;   //!< bits in the rolling window (up to its length)
    uint64_t window_errors; //!< errors in the rolling window
    double window_ber;      //!< window_errors / window_bits
    bool locked;
    bool inverted; //!< received stream is the complement of the pattern's polarity
    uint64_t resyncs;        //!< locks regained after a loss of sync
    uint64_t slips;          //!< resyncs explained by a bit slip
    int64_t slipped_bits;    //!< net slip: > 0 bits inserted, < 0 bits deleted
    uint64_t polarity_flips; //!< resyncs that found the stream's polarity reversed
    uint64_t unchecked_bits; //!< bits spent acquiring, inserted, or discarded at a loss
};

//! 95% Wilson score interval for k errors in n bits ({0, 1} when n == 0).
SENTINEL_API std::pair<double, double> wilson_interval(uint64_t k, uint64_t n);

/*!
 * \brief The BER tester's state machine, without any GNU Radio scheduling.
 * \ingroup sentinel
 *
 * Hunting: load \p degree received bits into a register, then run two local
 * generators, one seeded with the register and one with its complement, for
 * \p sync_bits bits. A generator whose errors stay at or below
 * loss_threshold * sync_bits (and whose register is non-zero) gives lock,
 * upright or inverted. Otherwise the next bits are loaded and it tries again.
 * The lock is confirmed (and published) only when the first \p loss_bits
 * block after it passes the loss check; a failing first block is a false lock
 * (a register loaded with a bit error), counted as acquisition, not as a loss.
 *
 * Locked: the local generator runs free, so channel errors do not propagate.
 * Bits are checked in blocks of \p loss_bits. A block with more than
 * loss_threshold * loss_bits errors declares loss of sync and hunting starts
 * again; the old alignment keeps running. How the bits around a loss are
 * counted is decided at the re-lock, when it is known what happened:
 *
 * - Slip or polarity flip: the new alignment is the old one moved by up to
 *   max_slip bits either way, or complemented, or both. A slip or a flip is
 *   not a bit error: the last block that passed and the failing block are
 *   checked again, the bits before the slip point against the old alignment
 *   and the bits after it against the new one, with the slip point that gives
 *   the fewest errors. Inserted bits are not compared (they count in
 *   unchecked_bits). So a slip or a flip on an error-free stream adds exactly
 *   0 errors, and channel errors in those blocks are still counted (one within
 *   a few bits of the slip point can be taken for part of the slip). The
 *   cost of a slip is its hunt: degree + sync_bits unchecked bits when the
 *   first candidate locks, plus the inserted bits.
 * - Same alignment and polarity (an error burst, a fade) or no alignment
 *   within max_slip (the link broke): as a hardware tester that stops
 *   counting while out of sync, the failing block is taken out of the counts
 *   (into unchecked_bits); the blocks before it keep their errors.
 *
 * Until the re-lock, the last passed block counts as first checked; the
 * "lock" report carries the corrected counts, so errors() can go down at a
 * resync (never below the errors the final counts hold).
 *
 * Once locked, counts include the block in progress. The rolling window covers
 * the last \p window_bits compared bits, with the same corrections.
 *
 * Limits: sync_bits and loss_bits 16 .. max_block_bits, window_bits
 * 1 .. max_window_bits (the window is a bit ring of window_bits / 8 bytes,
 * 512 MiB at the limit), report_interval >= 1.
 */
class SENTINEL_API prbs_checker
{
public:
    using report_callback = std::function<void(const prbs_report&)>;

    prbs_checker(const prbs_pattern& pattern,
                 unsigned sync_bits,
                 unsigned loss_bits,
                 double loss_threshold,
                 uint64_t window_bits,
                 uint64_t report_interval,
                 report_callback callback = nullptr);

    /*!
     * \brief Check \p count bits (1..64) held in the low bits of \p chunk,
     * the first of them in bit (count-1).
     */
    void feed(uint64_t chunk, unsigned count);

    //! Clear all counts and start hunting again.
    void reset();

    prbs_report report(const std::string& event = "report") const;

    uint64_t bits() const;
    uint64_t errors() const;
    double ber() const;
    bool locked() const { return d_state == state::locked && d_verified; }
    //! True while locked to the complement of the pattern's O.150 polarity;
    //! false while unlocked.
    bool inverted() const { return locked() && d_complemented != d_pattern.inverted; }
    uint64_t resyncs() const { return d_resyncs; }
    uint64_t slips() const { return d_slips; }
    uint64_t polarity_flips() const { return d_polarity_flips; }
    uint64_t unchecked_bits() const { return d_unchecked_bits; }
    uint64_t offset() const { return d_offset; }
    //! Input bits until the next periodic report (1 .. report_interval).
    uint64_t bits_to_report() const { return d_next_report - d_offset; }
    uint64_t report_interval() const { return d_report_interval; }
    const prbs_pattern& pattern() const { return d_pattern; }

    //! Largest slip, in bits either way, that a resync can attribute.
    static constexpr unsigned max_slip = 64;
    //! Largest sync_bits and loss_bits (2^20).
    static constexpr unsigned max_block_bits = 1u << 20;
    //! Largest window_bits (2^32 bits: a 512 MiB ring).
    static constexpr uint64_t max_window_bits = uint64_t(1) << 32;

private:
    enum class state { loading, confirming, locked };

    // A block of compared bits kept until its counts are final: its error
    // bits (bit i in word i / 64, from the most significant bit down) and the
    // alignment it was compared against.
    struct block_record {
        std::vector<uint64_t> err;
        unsigned bits = 0;
        unsigned errors = 0;
        uint64_t start_reg = 0; // d_local's register before the first bit
        bool complemented = false;
        void start(uint64_t reg, bool comp);
        void append(uint64_t error_bits, unsigned count);
        uint64_t count(uint64_t begin, uint64_t end) const; // errors in [begin, end)
    };

    uint64_t bits_to_boundary() const;
    void consume(uint64_t seg, unsigned count);
    void consume_loading(uint64_t seg, unsigned count);
    void consume_confirming(uint64_t seg, unsigned count);
    void consume_locked(uint64_t seg, unsigned count);
    void declare_lock(bool complemented);
    void confirm_lock();
    void declare_loss();
    void restart_hunt();
    void resolve_loss(int slip, bool flipped);
    void commit_pending();
    void publish(const std::string& event);
    void window_push(uint64_t error_bits, unsigned count);
    void
    window_push_bits(const std::vector<uint64_t>& words, uint64_t begin, uint64_t end);
    uint64_t window_count(uint64_t start, uint64_t count) const;
    void window_report(uint64_t& bits, uint64_t& errors) const;
    void window_clear();

    prbs_pattern d_pattern;
    unsigned d_sync_bits;
    unsigned d_loss_bits;
    double d_loss_threshold;
    uint64_t d_report_interval;
    report_callback d_callback;

    state d_state;
    uint64_t d_offset;
    uint64_t d_next_report;

    // hunting
    uint64_t d_loaded;
    unsigned d_load_count;
    unsigned d_confirm_count;
    unsigned d_confirm_errors_upright;
    unsigned d_confirm_errors_inverted;
    lfsr d_upright;
    lfsr d_complement;

    // locked
    lfsr d_local;        // raw LFSR bits, before any polarity
    bool d_complemented; // the stream is the complement of d_local's bits
    bool d_verified;     // the first block after a candidate lock has passed
    block_record d_block;   // the block in progress
    block_record d_pending; // the last block that passed, not yet in the window
    bool d_pending_valid;
    block_record d_failed; // the block that declared a loss, until the re-lock
    uint64_t d_committed_bits; // final counts, all in the window
    uint64_t d_committed_errors;

    // after a loss: the old alignment, kept running to measure a slip
    lfsr d_flywheel;
    bool d_flywheel_valid;

    uint64_t d_resyncs;
    uint64_t d_slips;
    int64_t d_slipped_bits;
    uint64_t d_polarity_flips;
    uint64_t d_unchecked_bits;

    // rolling window of final error bits, a ring of d_window_len bits; the
    // pending block and the block in progress are added when reporting
    uint64_t d_window_len;
    std::vector<uint64_t> d_window;
    uint64_t d_window_pos;
    uint64_t d_window_filled;
    uint64_t d_window_errors;
};

} // namespace sentinel
} // namespace gr

#endif /* INCLUDED_SENTINEL_PRBS_CHECKER_H */
