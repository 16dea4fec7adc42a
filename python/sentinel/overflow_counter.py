# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""GNU Radio block: count receiver overflows from the rx_time tags an SDR source emits."""

import numpy as np
import pmt
from gnuradio import gr


class overflow_counter(gr.sync_block):
    """A sink that counts the samples it sees and the `rx_time` tags after the first:
    UHD's source tags the first sample after every overflow with a fresh rx_time, so
    each extra tag is one overflow (samples lost upstream). Getters: overflows(),
    samples()."""

    def __init__(self):
        gr.sync_block.__init__(self, name="overflow_counter", in_sig=[np.complex64], out_sig=None)
        self._time_tags = 0
        self._samples = 0

    def work(self, input_items, output_items):
        n = len(input_items[0])
        self._time_tags += len(self.get_tags_in_window(0, 0, n, pmt.intern("rx_time")))
        self._samples += n
        return n

    def overflows(self):
        return max(0, self._time_tags - 1)

    def samples(self):
        return self._samples
