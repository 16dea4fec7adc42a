# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""GNU Radio block: find and follow every emitter in the band (wideband.EmitterTracker)."""

import numpy as np
import pmt
from gnuradio import gr

from .runtime.block import record_to_pmt
from .wideband import EmitterTracker


def tracker_message(tracker, end, emitters, events):
    """The `emitters` message of one tracker update (emitters: dicts)."""
    return {"offset": int(end), "floor_db": float(10 * np.log10(max(tracker.floor, 1e-30))),
            "emitters": emitters, "events": events}


class emitter_detector(gr.sync_block):
    """A complex sink at `samp_rate` with a message port `emitters`: after every
    fft_size * averages samples, one dict: `offset` (the absolute sample after the
    update), `floor_db` (the noise floor per bin), `emitters` (each confirmed live
    emitter: id, center_hz, bandwidth_hz, snr_db, power_db, first_seen, last_seen as
    absolute sample offsets, and first_seen_time / last_seen_time when the stream
    carries rx_time tags) and `events` ({"event": "appeared" | "gone", "id"}).
    Getters: emitters() (the latest list), updates(), samples()."""

    def __init__(self, samp_rate, fft_size=1024, averages=8, threshold_db=6.0, hysteresis_db=3.0,
                 min_bandwidth_hz=5e3, min_duration_s=0.02, hold_s=0.05):
        self.tracker = EmitterTracker(samp_rate, fft_size, averages, threshold_db, hysteresis_db,
                                      min_bandwidth_hz, min_duration_s, hold_s)
        gr.sync_block.__init__(self, name="emitter_detector", in_sig=[np.complex64], out_sig=None)
        self.set_output_multiple(self.tracker.block_size)
        self._port = pmt.intern("emitters")
        self.message_port_register_out(self._port)
        self._latest = []
        self._updates = 0
        self._rx_time = None   # (absolute offset, seconds)

    def _time_of(self, offset):
        if self._rx_time is None:
            return None
        tag_offset, seconds = self._rx_time
        return seconds + (offset - tag_offset) / self.tracker.samp_rate

    def work(self, input_items, output_items):
        samples = input_items[0]
        start = self.nitems_read(0)
        for tag in self.get_tags_in_window(0, 0, len(samples), pmt.intern("rx_time")):
            value = pmt.to_python(tag.value)
            self._rx_time = (tag.offset, float(value[0]) + float(value[1]))
        size = self.tracker.block_size
        blocks = len(samples) // size
        for b in range(blocks):
            end = start + (b + 1) * size
            emitters, events = self.tracker.update(samples[b * size:(b + 1) * size], end)
            self._latest = [t.as_dict(self._time_of) for t in emitters]
            self._updates += 1
            self.message_port_pub(self._port, record_to_pmt(tracker_message(self.tracker, end, self._latest, events)))
        return blocks * size

    def emitters(self):
        return list(self._latest)

    def updates(self):
        return self._updates

    def samples(self):
        return self.nitems_read(0)
