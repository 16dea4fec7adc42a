# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Small flowgraph runners shared by the tests."""

import numpy as np
import pmt
from gnuradio import blocks, gr


def source_bits(source, count):
    """Run a source block for `count` items and return them as uint8."""
    top = gr.top_block()
    head = blocks.head(gr.sizeof_char, count)
    sink = blocks.vector_sink_b()
    top.connect(source, head, sink)
    top.run()
    return np.array(sink.data(), dtype=np.uint8)


def run_sink(sink_block, data):
    """Feed bytes into a sink block through a flowgraph; returns the ber messages."""
    top = gr.top_block()
    source = blocks.vector_source_b(np.asarray(data, dtype=np.uint8).tolist(), False)
    debug = blocks.message_debug()
    top.connect(source, sink_block)
    top.msg_connect(sink_block, "ber", debug, "store")
    top.run()
    return [pmt.to_python(debug.get_message(i)) for i in range(debug.num_messages())]


def run_model_block(block, samples, tags=()):
    """complex samples -> model block -> (float outputs, detections as Python dicts)."""
    top = gr.top_block()
    source = blocks.vector_source_c(np.asarray(samples, np.complex64), False, 1, list(tags))
    sink = blocks.vector_sink_f()
    debug = blocks.message_debug()
    top.connect(source, block, sink)
    top.msg_connect(block, "detections", debug, "store")
    top.run()
    messages = [pmt.to_python(debug.get_message(i)) for i in range(debug.num_messages())]
    return np.array(sink.data()), messages
