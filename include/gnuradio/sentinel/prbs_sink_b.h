/*
 * Copyright 2026 The gr-sentinel authors.
 *
 * This file is part of gr-sentinel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_SENTINEL_PRBS_SINK_B_H
#define INCLUDED_SENTINEL_PRBS_SINK_B_H

#include <gnuradio/sentinel/api.h>
#include <gnuradio/block.h>
#include <pmt/pmt.h>
#include <cstdint>
#include <string>

namespace gr {
namespace sentinel {

/*!
 * \brief PRBS bit-error-rate tester with automatic sync.
 * \ingroup sentinel
 *
 * \details
 * Locks on a PRBS from any offset and in either polarity, counts bits and
 * errors exactly, detects loss of sync (a bit slip, a polarity flip, a broken
 * link) and re-acquires. See prbs_checker for the state machine and for how
 * the bits around a loss are counted: a slip or a polarity flip is counted in
 * slips() / polarity_flips(), never as bit errors (10 single-bit slips on an
 * error-free stream: 0 errors, 10 slips, 10 resyncs); an error burst or a
 * broken link takes the failing block out of the counts.
 *
 * Stream ports:
 * - in 0: received bits, one per byte (LSB) or packed, MSB first.
 * - out 0 (optional, float): one item per periodic report (every
 *   \p report_interval input bits): the BER over the rolling window, or NaN
 *   while unlocked. Leave it unconnected to use the block as a plain sink.
 *
 * Message ports:
 * - out \p ber: a PMT dict every \p report_interval input bits and on every
 *   lock, loss and reset, with keys event, offset, bits, errors, ber,
 *   ber_low, ber_high (95% Wilson), window_bits, window_errors, window_ber,
 *   locked, inverted, resyncs, slips, slipped_bits, polarity_flips,
 *   unchecked_bits.
 * - in \p reset: any message clears the counts and restarts acquisition.
 */
class SENTINEL_API prbs_sink_b : virtual public gr::block
{
public:
    typedef std::shared_ptr<prbs_sink_b> sptr;

    /*!
     * \param pattern PRBS7, PRBS9, PRBS11, PRBS15, PRBS20, PRBS23, PRBS31 or CUSTOM.
     * \param packed false: one bit per byte (LSB used); true: 8 bits per byte, MSB first.
     * \param sync_bits bits compared to confirm a candidate lock, 16 .. 2^20.
     * \param loss_bits block length for the loss-of-sync check, 16 .. 2^20.
     * \param loss_threshold error fraction above which a block means loss of
     *        sync, and at or below which a candidate locks; in (0, 0.5).
     * \param window_bits length of the rolling BER window, 1 .. 2^32 bits (the
     *        window is allocated at construction: window_bits / 8 bytes).
     * \param report_interval input bits between reports on the ber port (>= 1).
     * \param degree CUSTOM only: register length 2..64.
     * \param mask CUSTOM only: bit (j-1) set for each term x^j of the polynomial.
     * \throws std::invalid_argument naming the parameter and its allowed range.
     */
    static sptr make(const std::string& pattern = "PRBS31",
                     bool packed = false,
                     unsigned sync_bits = 128,
                     unsigned loss_bits = 1024,
                     double loss_threshold = 0.2,
                     uint64_t window_bits = 1000000,
                     uint64_t report_interval = 1000000,
                     unsigned degree = 0,
                     uint64_t mask = 0);

    //! Bits compared while locked.
    virtual uint64_t bits() const = 0;
    //! Bit errors among them.
    virtual uint64_t errors() const = 0;
    //! Cumulative BER (0 before any bit is compared).
    virtual double ber() const = 0;
    //! BER over the rolling window.
    virtual double window_ber() const = 0;
    //! Whether the tester is locked.
    virtual bool locked() const = 0;
    //! Whether the tester is locked to the complement of the pattern's O.150
    //! polarity (false while unlocked).
    virtual bool inverted() const = 0;
    //! Locks regained after a loss of sync.
    virtual uint64_t resyncs() const = 0;
    //! Resyncs explained by an inserted or deleted bit (up to 64 either way).
    virtual uint64_t slips() const = 0;
    //! Net slip in bits: positive for inserted, negative for deleted.
    virtual int64_t slipped_bits() const = 0;
    //! Resyncs that found the stream's polarity reversed (the BPSK/QPSK phase
    //! ambiguity jumping), with or without a slip.
    virtual uint64_t polarity_flips() const = 0;
    //! Bits not counted: spent acquiring, inserted by a slip, or discarded at
    //! a loss of sync that was not a slip or a flip.
    virtual uint64_t unchecked_bits() const = 0;
    //! All of the above as the PMT dict published on the ber port.
    virtual pmt::pmt_t stats() const = 0;
    //! Clear the counts and restart acquisition.
    virtual void reset() = 0;
};

} // namespace sentinel
} // namespace gr

#endif /* INCLUDED_SENTINEL_PRBS_SINK_B_H */
