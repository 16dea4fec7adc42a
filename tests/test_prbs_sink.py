# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""prbs_sink_b: sync from any offset, exact counts, inversion, slips, junk, messages."""

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
    """A slip is one loss of sync and one resync, measured in bits; BER stays near 0."""
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
    # Errors after the slip are counted only in blocks that passed the loss check.
    assert sink.errors() <= 0.2 * 1024
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
                     "resyncs", "slips", "slipped_bits", "unchecked_bits"}
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
