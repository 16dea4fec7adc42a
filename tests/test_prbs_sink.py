# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""prbs_sink_b: sync from any offset, exact counts, inversion, slips, junk, messages,
the optional BER output and the parameter limits."""

import time

import numpy as np
import pmt
import pytest
from gnuradio import blocks, gr, sentinel

from flowgraph_helpers import run_sink
from prbs_reference import O150, reference_bits

SYNC_BITS = 128
LOSS_BITS = 1024


def acquisition_bits(pattern):
    """Bits spent on a clean first lock: one register load plus the confirmation."""
    return O150[pattern][0] + SYNC_BITS


def make_sink(pattern="PRBS23", **kwargs):
    return sentinel.prbs_sink_b(pattern, sync_bits=SYNC_BITS, **kwargs)


@pytest.mark.parametrize("pattern", ["PRBS9", "PRBS23", "PRBS31"])
@pytest.mark.parametrize("offset", [0, 1, 777])
def test_clean_stream_locks_from_any_offset(pattern, offset):
    bits = reference_bits(pattern, 20_000 + offset)[offset:]
    sink = make_sink(pattern)
    run_sink(sink, bits)
    assert sink.locked() and not sink.inverted()
    assert sink.errors() == 0
    assert sink.unchecked_bits() == acquisition_bits(pattern)
    assert sink.bits() == len(bits) - acquisition_bits(pattern)


def test_bit_error_in_the_register_load_is_a_false_lock_not_a_resync():
    """PRBS31 with bit 5 flipped: the first candidate predicts a sparse error pattern
    (about 10 errors in the 128 confirmation bits) and passes confirmation, but its
    first 1024-bit block fails. That costs acquisition bits, not a loss or a resync."""
    bits = reference_bits("PRBS31", 60_000).copy()
    bits[5] ^= 1
    sink = make_sink("PRBS31")
    messages = run_sink(sink, bits)
    events = [m["event"] for m in messages if m["event"] != "report"]
    assert events == ["lock"]
    assert sink.resyncs() == 0 and sink.errors() == 0
    first_try = acquisition_bits("PRBS31") + LOSS_BITS
    assert sink.unchecked_bits() == first_try + acquisition_bits("PRBS31")
    assert sink.bits() == len(bits) - sink.unchecked_bits()


@pytest.mark.parametrize("window", [700, 1500, 3000, 10_000])
def test_window_holds_the_last_window_bits_at_every_report(window):
    """At every report while locked, window_errors is the number of errors among the
    last window_bits input bits, for windows shorter and longer than a loss block (the
    window is the final counts plus the blocks not yet final)."""
    bits = reference_bits("PRBS15", 60_000).copy()
    bits[5000::100] ^= 1
    errors = bits ^ reference_bits("PRBS15", 60_000)
    sink = sentinel.prbs_sink_b("PRBS15", report_interval=1001, window_bits=window)
    reports = [m for m in run_sink(sink, bits) if m["event"] == "report" and m["locked"]]
    assert len(reports) > 50
    for m in reports:
        assert m["window_bits"] == min(window, m["bits"])
        assert m["window_errors"] == errors[m["offset"] - m["window_bits"]:m["offset"]].sum()


@pytest.mark.parametrize("every", [10, 97, 1000])
def test_errors_at_a_known_rate_are_counted_exactly(every):
    """Every `every`-th bit after acquisition flipped: counts are exact, BER = 1/every."""
    pattern = "PRBS23"
    bits = reference_bits(pattern, 200_000).copy()
    start = acquisition_bits(pattern)
    bits[start::every] ^= 1
    sink = make_sink(pattern, window_bits=50_000)
    messages = run_sink(sink, bits)
    compared = len(bits) - start
    assert sink.bits() == compared
    assert sink.errors() == len(range(start, len(bits), every))
    assert sink.resyncs() == 0
    stats = pmt.to_python(sink.stats())
    window = bits[-50_000:] ^ reference_bits(pattern, 200_000)[-50_000:]
    assert stats["window_bits"] == 50_000
    assert stats["window_errors"] == int(window.sum())
    assert stats["ber_low"] < sink.ber() < stats["ber_high"]
    # Lock is published once the first loss-check block after acquisition passes.
    assert messages[0]["event"] == "lock" and messages[0]["offset"] == start + LOSS_BITS


def test_inverted_stream_is_detected_and_counted():
    """A complemented stream (BPSK phase flip) locks inverted, and errors still count."""
    bits = reference_bits("PRBS31", 50_000) ^ 1
    bits[1000::50] ^= 1
    sink = make_sink("PRBS31")
    run_sink(sink, bits)
    assert sink.locked() and sink.inverted()
    assert sink.errors() == len(range(1000, 50_000, 50))


@pytest.mark.parametrize("slip", [1, -1, 3, -7, 40])
def test_inserted_or_deleted_bits_cost_one_resync(slip):
    """A slip is one loss of sync and one resync, measured in bits. It adds no errors:
    its cost is the hunt (degree + sync_bits) and the inserted bits, as unchecked bits."""
    bits = reference_bits("PRBS23", 120_000)
    at = 60_000
    if slip > 0:
        bits = np.concatenate([bits[:at], np.ones(slip, np.uint8), bits[at:]])
    else:
        bits = np.concatenate([bits[:at], bits[at - slip:]])
    sink = make_sink("PRBS23")
    messages = run_sink(sink, bits)
    events = [m["event"] for m in messages if m["event"] != "report"]
    assert events == ["lock", "loss", "lock"]
    assert sink.locked()
    assert sink.resyncs() == 1 and sink.slips() == 1
    assert sink.slipped_bits() == slip
    assert sink.errors() == 0
    assert sink.unchecked_bits() == 2 * acquisition_bits("PRBS23") + max(slip, 0)
    assert sink.bits() + sink.unchecked_bits() == len(bits)


@pytest.mark.parametrize("kind", ["zeros", "ones", "random_bits", "random_bytes"])
def test_junk_never_locks(kind):
    rng = np.random.default_rng(11)
    data = {
        "zeros": np.zeros(100_000, np.uint8),
        "ones": np.ones(100_000, np.uint8),
        "random_bits": rng.integers(0, 2, 100_000, dtype=np.uint8),
        "random_bytes": rng.integers(0, 256, 100_000, dtype=np.uint8),
    }[kind]
    sink = make_sink("PRBS31")
    run_sink(sink, data)
    assert not sink.locked()
    assert sink.bits() == 0 and sink.errors() == 0
    assert sink.unchecked_bits() == len(data)


def test_packed_input():
    bits = reference_bits("PRBS15", 80_000)
    bits[5000::333] ^= 1
    sink = sentinel.prbs_sink_b("PRBS15", True, SYNC_BITS)
    run_sink(sink, np.packbits(bits))
    assert sink.locked()
    assert sink.bits() == 80_000 - acquisition_bits("PRBS15")
    assert sink.errors() == len(range(5000, 80_000, 333))


def test_source_to_sink_flowgraph():
    """prbs_source_b -> prbs_sink_b, unpacked and packed, error-free."""
    for packed in (False, True):
        top = gr.top_block()
        source = sentinel.prbs_source_b("PRBS31", packed)
        head = blocks.head(gr.sizeof_char, 1_000_000)
        sink = sentinel.prbs_sink_b("PRBS31", packed)
        top.connect(source, head, sink)
        top.run()
        total = 1_000_000 * (8 if packed else 1)
        assert sink.locked() and sink.errors() == 0
        assert sink.bits() == total - acquisition_bits("PRBS31")


def test_reports_and_reset():
    """A report every report_interval input bits; reset() clears the counts."""
    bits = reference_bits("PRBS9", 10_000)
    top = gr.top_block()
    source = blocks.vector_source_b(bits.tolist(), False)
    sink = sentinel.prbs_sink_b("PRBS9", report_interval=1000)
    debug = blocks.message_debug()
    top.connect(source, sink)
    top.msg_connect(sink, "ber", debug, "store")
    top.run()
    messages = [pmt.to_python(debug.get_message(i)) for i in range(debug.num_messages())]
    reports = [m for m in messages if m["event"] == "report"]
    assert [m["offset"] for m in reports] == list(range(1000, 10_001, 1000))
    assert reports[-1]["bits"] == 10_000 - acquisition_bits("PRBS9")
    expected_keys = {"event", "offset", "bits", "errors", "ber", "ber_low", "ber_high",
                     "window_bits", "window_errors", "window_ber", "locked", "inverted",
                     "resyncs", "slips", "slipped_bits", "polarity_flips", "unchecked_bits"}
    assert set(reports[-1]) == expected_keys
    sink.reset()
    assert sink.bits() == 0 and not sink.locked()


def test_reset_message_port_in_a_running_flowgraph():
    """Posting to the reset port while running restarts acquisition exactly once."""
    top = gr.top_block()
    source = sentinel.prbs_source_b("PRBS15")
    throttle = blocks.throttle(gr.sizeof_char, 2_000_000)
    sink = sentinel.prbs_sink_b("PRBS15", report_interval=10**9)
    debug = blocks.message_debug()
    strobe = blocks.message_strobe(pmt.intern("reset"), 300)
    top.connect(source, throttle, sink)
    top.msg_connect(strobe, "strobe", sink, "reset")
    top.msg_connect(sink, "ber", debug, "store")
    top.start()
    time.sleep(0.5)
    top.stop()
    top.wait()
    events = [pmt.to_python(debug.get_message(i))["event"] for i in range(debug.num_messages())]
    assert "reset" in events
    after_last_reset = events[len(events) - 1 - events[::-1].index("reset"):]
    assert after_last_reset[0] == "reset"
    assert sink.errors() == 0


@pytest.mark.parametrize("kwargs, message", [
    (dict(pattern="PRBS12"), "pattern"),
    (dict(sync_bits=8), "sync_bits"),
    (dict(loss_bits=0), "loss_bits"),
    (dict(loss_threshold=0.5), "loss_threshold"),
    (dict(loss_threshold=0.0), "loss_threshold"),
    (dict(window_bits=0), "window_bits"),
    (dict(report_interval=0), "report_interval"),
    (dict(pattern="CUSTOM", degree=70, mask=3), "degree"),
])
def test_bad_arguments_name_the_parameter(kwargs, message):
    with pytest.raises(ValueError, match=message):
        sentinel.prbs_sink_b(**kwargs)


# -- slips and polarity flips: counted as such, never as bit errors -------------------

# Ten slip points 37,813 bits apart: their phases within the 1024-bit loss blocks are
# spread, so some fall in the tail of a block that still passes the loss check.
SLIP_POSITIONS = [20_000 + 37_813 * k for k in range(10)]


def with_slips(bits, positions, kinds):
    """Delete (kind -1) or insert (kind +1, a copy of the previous bit) one bit at
    each position of the original stream."""
    pieces, last = [], 0
    for at, kind in zip(positions, kinds):
        pieces.append(bits[last:at])
        if kind > 0:
            pieces.append(bits[at - 1:at])
            last = at
        else:
            last = at + 1
    pieces.append(bits[last:])
    return np.concatenate(pieces)


def test_ten_single_bit_slips_count_as_slips_not_errors():
    """Ten single-bit slips (5 deleted, 5 inserted bits) on an error-free PRBS31 stream:
    exactly 0 errors, 10 slips, 10 resyncs, net slip 0. Each resync costs its hunt
    (degree + sync_bits = 159 bits) and each inserted bit is unchecked; every other bit
    is compared. (Before: 0 to 204 slip errors each, depending on where the slip fell.)"""
    kinds = [-1, +1] * 5
    bits = with_slips(reference_bits("PRBS31", 400_000), SLIP_POSITIONS, kinds)
    sink = make_sink("PRBS31", window_bits=1_000_000)
    messages = run_sink(sink, bits)
    events = [m["event"] for m in messages if m["event"] != "report"]
    assert events == ["lock"] + ["loss", "lock"] * 10
    assert sink.locked()
    assert sink.errors() == 0
    assert (sink.slips(), sink.resyncs(), sink.slipped_bits()) == (10, 10, 0)
    assert sink.polarity_flips() == 0
    assert sink.unchecked_bits() == 11 * acquisition_bits("PRBS31") + 5
    assert sink.bits() == len(bits) - sink.unchecked_bits()
    stats = pmt.to_python(sink.stats())
    assert stats["window_errors"] == 0 and stats["window_bits"] == sink.bits()
    # The lock that ends each loss carries the corrected counts.
    assert all(m["errors"] == 0 for m in messages if m["event"] == "lock")


def test_channel_errors_around_a_slip_are_still_counted():
    """Four bit errors near each of ten single-bit deletions (300 and 40 bits before,
    40 and 300 after: inside the blocks that are checked again) are counted exactly,
    40 errors in all, and the slips add none."""
    clean = reference_bits("PRBS31", 400_000)
    noisy = clean.copy()
    for at in SLIP_POSITIONS:
        noisy[[at - 300, at - 40, at + 40, at + 300]] ^= 1
    bits = with_slips(noisy, SLIP_POSITIONS, [-1] * 10)
    sink = make_sink("PRBS31", window_bits=45_000)
    run_sink(sink, bits)
    assert sink.errors() == 40
    assert (sink.slips(), sink.resyncs(), sink.slipped_bits()) == (10, 10, -10)
    assert sink.unchecked_bits() == 11 * acquisition_bits("PRBS31")
    assert sink.bits() + sink.unchecked_bits() == len(bits)
    # The last 45,000 compared bits span the last slip only: its 4 errors.
    stats = pmt.to_python(sink.stats())
    assert (stats["window_bits"], stats["window_errors"]) == (45_000, 4)


# Bit 30,747 is 900 bits into a loss block (the PRBS23 blocks start at 151 + 1024 k):
# the block passes with 124 flipped bits, so it used to count them as errors.
@pytest.mark.parametrize("at", [30_000, 30_747, 31_000])
def test_polarity_flip_counts_as_a_flip_not_errors(at):
    """The stream complemented from one bit on (the BPSK phase ambiguity jumping):
    exactly 0 errors, one resync, one polarity flip, no slip; the tester ends locked
    inverted, and the flip costs one hunt (degree + sync_bits = 151 bits)."""
    bits = reference_bits("PRBS23", 80_000).copy()
    bits[at:] ^= 1
    sink = make_sink("PRBS23")
    messages = run_sink(sink, bits)
    locks = [m for m in messages if m["event"] == "lock"]
    assert [m["inverted"] for m in locks] == [False, True]
    assert sink.errors() == 0
    assert (sink.resyncs(), sink.polarity_flips(), sink.slips()) == (1, 1, 0)
    assert sink.locked() and sink.inverted()
    assert sink.unchecked_bits() == 2 * acquisition_bits("PRBS23")
    assert sink.bits() == len(bits) - sink.unchecked_bits()


def test_slip_with_polarity_flip():
    """Three bits inserted and the polarity reversed at the same point: one slip of +3,
    one polarity flip, 0 errors; the inserted bits are unchecked."""
    clean = reference_bits("PRBS15", 60_000)
    bits = np.concatenate([clean[:25_000], np.array([0, 1, 1], np.uint8), clean[25_000:] ^ 1])
    sink = make_sink("PRBS15")
    run_sink(sink, bits)
    assert sink.errors() == 0
    assert (sink.slips(), sink.slipped_bits(), sink.polarity_flips()) == (1, 3, 1)
    assert sink.unchecked_bits() == 2 * acquisition_bits("PRBS15") + 3


def test_error_burst_at_the_same_alignment_is_a_loss_not_a_slip():
    """A 2000-bit burst of random bits (the alignment is unchanged): one loss and one
    resync that is neither a slip nor a flip. As on a hardware tester, the block that
    declared the loss and the hunt are not counted; the blocks before keep their
    errors, so bits + unchecked_bits is still every input bit."""
    bits = reference_bits("PRBS23", 80_000).copy()
    rng = np.random.default_rng(5)
    bits[40_000:42_000] = rng.integers(0, 2, 2000, dtype=np.uint8)
    sink = make_sink("PRBS23")
    run_sink(sink, bits)
    assert (sink.resyncs(), sink.slips(), sink.polarity_flips()) == (1, 0, 0)
    assert sink.locked() and not sink.inverted()
    assert sink.bits() + sink.unchecked_bits() == len(bits)
    assert 0 < sink.errors() <= 0.2 * LOSS_BITS


def test_inverted_is_false_while_unlocked():
    """Locked inverted, then the signal is lost (random bits): once unlocked, inverted()
    and the dicts' 'inverted' read False (it used to keep the last lock's polarity)."""
    rng = np.random.default_rng(2)
    bits = np.concatenate([reference_bits("PRBS31", 40_000) ^ 1,
                           rng.integers(0, 2, 20_000, dtype=np.uint8)])
    sink = make_sink("PRBS31")
    messages = run_sink(sink, bits)
    lock = next(m for m in messages if m["event"] == "lock")
    loss = next(m for m in messages if m["event"] == "loss")
    assert lock["inverted"] and lock["locked"]
    assert not loss["inverted"] and not loss["locked"]
    assert not sink.locked() and not sink.inverted()


# -- the optional float output -------------------------------------------------------

def run_with_ber_output(sink, data):
    top = gr.top_block()
    source = blocks.vector_source_b(np.asarray(data, dtype=np.uint8).tolist(), False)
    out = blocks.vector_sink_f()
    debug = blocks.message_debug()
    top.connect(source, sink, out)
    top.msg_connect(sink, "ber", debug, "store")
    top.run()
    messages = [pmt.to_python(debug.get_message(i)) for i in range(debug.num_messages())]
    return np.array(out.data(), dtype=np.float32), messages


@pytest.mark.parametrize("packed", [False, True])
def test_ber_output_gives_the_window_ber_once_per_report(packed):
    """With the float output connected: exactly one item per report (every 1001 input
    bits, not a whole number of bytes), equal to that report's window_ber, NaN while
    unlocked. Errors on every 100th bit after bit 5000 give 0.01 once the window is
    full of them."""
    bits = reference_bits("PRBS15", 60_000).copy()
    bits[5000::100] ^= 1
    sink = sentinel.prbs_sink_b("PRBS15", packed, report_interval=1001, window_bits=10_000)
    values, messages = run_with_ber_output(sink, np.packbits(bits) if packed else bits)
    reports = [m for m in messages if m["event"] == "report"]
    assert len(values) == len(reports) == 60_000 // 1001
    for value, report in zip(values, reports):
        if report["locked"]:
            assert value == np.float32(report["window_ber"])
        else:
            assert np.isnan(value)
    assert np.isnan(values[0])  # the first 1001 bits end before the lock is confirmed
    assert values[-1] == np.float32(0.01)


def test_ber_output_with_more_reports_than_output_room():
    """Packed input with a report every 3 bits (several reports per byte, 53,333 in
    all, far more than one output buffer holds): the item count is still exact."""
    bits = reference_bits("PRBS9", 160_000)
    sink = sentinel.prbs_sink_b("PRBS9", True, report_interval=3, window_bits=4096)
    values, messages = run_with_ber_output(sink, np.packbits(bits))
    reports = [m for m in messages if m["event"] == "report"]
    assert len(values) == len(reports) == 160_000 // 3
    locked = np.array([r["locked"] for r in reports])
    assert np.all(values[locked] == 0.0) and np.all(np.isnan(values[~locked]))


# -- parameter limits ----------------------------------------------------------------

@pytest.mark.parametrize("kwargs, message", [
    (dict(window_bits=2**64 - 1), r"window_bits: must be in 1\.\.4294967296"),
    (dict(window_bits=2**64 - 65), r"window_bits: must be in 1\.\.4294967296"),
    (dict(window_bits=2**32 + 1), r"window_bits: must be in 1\.\.4294967296"),
    (dict(sync_bits=2**20 + 1), r"sync_bits: must be in 16\.\.1048576"),
    (dict(sync_bits=2**32 - 1), r"sync_bits: must be in 16\.\.1048576"),
    (dict(loss_bits=2**20 + 1), r"loss_bits: must be in 16\.\.1048576"),
])
def test_sizes_beyond_the_documented_limits_are_refused(kwargs, message):
    """window_bits above 2^32 (2^64 - 1 used to segfault on the first input, 2^64 - 65
    raised std::bad_alloc) and sync_bits / loss_bits above 2^20 raise ValueError at
    construction, naming the parameter and the allowed range."""
    with pytest.raises(ValueError, match=message):
        sentinel.prbs_sink_b("PRBS9", **kwargs)


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(window_bits=2**64), ValueError, r"window_bits: must be in 1\.\.4294967296"),
    (dict(window_bits=-1), ValueError, r"window_bits: must be in 1\.\.4294967296"),
    (dict(sync_bits=2**32), ValueError, r"sync_bits: must be in 16\.\.1048576"),
    (dict(loss_bits=-16), ValueError, r"loss_bits: must be in 16\.\.1048576"),
    (dict(report_interval=-1), ValueError, "report_interval: must be in"),
    (dict(window_bits=1e6), TypeError, "window_bits: must be an integer"),
])
def test_integers_outside_their_type_name_the_parameter(kwargs, error, message):
    """Integers that do not fit the C++ type (-1, 2^64) raise ValueError naming the
    parameter and its range, not pybind11's TypeError listing the signature; a float
    raises TypeError naming the parameter."""
    with pytest.raises(error, match=message):
        sentinel.prbs_sink_b("PRBS9", **kwargs)


def test_numpy_integers_are_accepted():
    """The range-checked integer arguments still take numpy integers, as pybind11 did."""
    sink = sentinel.prbs_sink_b("PRBS9", False, np.uint32(128), np.int64(1024),
                                window_bits=np.uint64(5000), report_interval=np.int32(1000))
    run_sink(sink, reference_bits("PRBS9", 3000))
    assert sink.locked()


def test_sizes_at_the_limits_work():
    """sync_bits = loss_bits = 2^20 and a 2^26-bit window lock and count exactly."""
    n = 3 * 2**20 + 5000
    bits = reference_bits("PRBS9", 511 * 8)
    bits = np.tile(bits, n // len(bits) + 1)[:n]
    sink = sentinel.prbs_sink_b("PRBS9", True, 2**20, 2**20, window_bits=2**26,
                                report_interval=10**9)
    run_sink(sink, np.packbits(bits))
    assert sink.locked() and sink.errors() == 0
    assert sink.unchecked_bits() == 9 + 2**20
    assert sink.bits() == n - sink.unchecked_bits()
