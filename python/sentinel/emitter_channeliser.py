# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""GNU Radio block: find the emitters in a wideband stream and bring each to the models'
rate, as chunks of one stream that the model blocks take as it is (wideband.EmitterChunker)."""

import collections
import time

import numpy as np
import pmt
from gnuradio import gr

from .emitter_detector import tracker_message
from .runtime.block import MODES, WORK_DONE, end_on_error, record_to_pmt
from .wideband import EmitterTracker
from .wideband.chunker import EmitterChunker

#: realtime: chunks cut and waiting for output room; beyond, chunks stay in the history
#: (and are dropped, counted, if they leave it before there is room)
MAX_PENDING = 64
#: how long work() waits when it holds an unfinished burst and got no input
IDLE_WAIT_S = 0.005


class emitter_channeliser(gr.basic_block):
    """Complex in at `samp_rate`; complex out: every tracked emitter at 8 samples per
    symbol, in chunks of `chunk_length` samples, one emitter per chunk, each chunk's first
    item tagged `emitter` (a dict: the tracker's fields of emitter_detector, plus
    symbol_rate_hz, symbol_rate_source, chunk, chunks_dropped, wideband_offset, wideband_step,
    wideband_rate and rx_time when the input carries rx_time tags). Connect the model
    blocks to the output with samp_rate 200e3: their detections then carry the chunk's
    `emitter` dict. A model window stays within one chunk when chunk_length is a multiple
    of the block's stride and the window is no longer than the stride (afnet 128 / 256,
    htrd 128 / 1024, mae 1024 / 2048 all fit chunk_length 2048).
    Message port `emitters`: as emitter_detector, every emitter with its symbol rate.
    mode lossless: the input waits while chunks wait for output room; realtime: the input
    is always taken, and chunks that leave the history (history_s) before there is room are
    dropped and counted (stats()). Chunks are written in bursts of `burst` (or after
    `max_latency_s` of wall-clock time, or when no input comes), so that the model blocks
    run batches instead of a window or two per call. serve_band_hz (low, high): only the
    emitters appearing with their centre in that band are channelised here (`served` in
    the emitters message; the others are counted as `elsewhere`), so that several hosts
    given the same stream share the emitters."""

    def __init__(self, samp_rate, chunk_length=2048, chunks_per_second=0.0, mode="lossless", fft_size=1024,
                 averages=8, threshold_db=6.0, hysteresis_db=3.0, min_bandwidth_hz=5e3, min_duration_s=0.02,
                 hold_s=0.05, refill_noise=True, history_s=0.5, max_emitters=16, seed=0, burst=16,
                 max_latency_s=0.05, serve_band_hz=None):
        if mode not in MODES:
            raise ValueError("mode: unknown '{}'; allowed: {}".format(mode, ", ".join(MODES)))
        tracker = EmitterTracker(samp_rate, fft_size, averages, threshold_db, hysteresis_db, min_bandwidth_hz,
                                 min_duration_s, hold_s)
        self.chunker = EmitterChunker(tracker, chunk_length, chunks_per_second, history_s=history_s,
                                      refill_noise=refill_noise, max_emitters=max_emitters, seed=seed,
                                      time_of=self._time_of, serve_band_hz=serve_band_hz)
        if isinstance(burst, bool) or not isinstance(burst, int) or not 1 <= burst <= MAX_PENDING:
            raise ValueError("burst: {!r}; allowed: a whole number of chunks from 1 to {}".format(burst, MAX_PENDING))
        if isinstance(max_latency_s, bool) or not isinstance(max_latency_s, (int, float)) or \
                not 0 <= max_latency_s <= 10:
            raise ValueError("max_latency_s: {!r}; allowed: 0 to 10 seconds".format(max_latency_s))
        gr.basic_block.__init__(self, name="emitter_channeliser", in_sig=[np.complex64], out_sig=[np.complex64])
        self.set_min_output_buffer(2 * burst * self.chunker.chunk_length)
        self.mode = mode
        self.burst, self.max_latency_s = int(burst), float(max_latency_s)
        self._releasing = False         # a burst is being written: until pending is empty
        self._oldest = None             # monotonic time the oldest pending chunk was cut
        self.set_tag_propagation_policy(gr.TPP_DONT)
        self._port = pmt.intern("emitters")
        self.message_port_register_out(self._port)
        self._tag_key = pmt.intern("emitter")
        self._pending = collections.deque()      # [emitter dict, samples, items written]
        self._latest = []
        self._updates = 0
        self._rx_time = None
        self._error = None

    def _time_of(self, offset):
        if self._rx_time is None:
            return None
        tag_offset, seconds = self._rx_time
        return seconds + (offset - tag_offset) / self.chunker.samp_rate

    def forecast(self, noutput_items, ninputs):
        # while chunks wait, work() must be called without new input (the end of the stream too)
        return [0 if self._pending else 1] * ninputs

    def general_work(self, input_items, output_items):
        try:
            if self._error is not None:
                return WORK_DONE
            return self._work(input_items[0], output_items[0])
        except Exception as error:   # never leave the flowgraph hanging
            return end_on_error(self, error)

    def _work(self, samples, out):
        written = self._write(out, 0)
        if self.mode == "lossless" and self._releasing and self._pending:
            self.consume(0, 0)
            return written
        for tag in self.get_tags_in_window(0, 0, len(samples), pmt.intern("rx_time")):
            value = pmt.to_python(tag.value)
            self._rx_time = (tag.offset, float(value[0]) + float(value[1]))
        for end, emitters, events in self.chunker.push(samples):
            self._publish(end, emitters, events)
        self.consume(0, len(samples))
        room = None if self.mode == "lossless" else max(0, MAX_PENDING - len(self._pending))
        for info, chunk in self.chunker.due(room):
            if not self._pending:
                self._oldest = time.monotonic()
            self._pending.append([info, chunk, 0])
        if self._pending and not self._releasing:
            self._releasing = len(self._pending) >= self.burst or not len(samples) or \
                time.monotonic() - self._oldest >= self.max_latency_s
            if not self._releasing and not len(samples) and not written:
                time.sleep(IDLE_WAIT_S)     # no input, a burst still filling: do not spin
        return written + self._write(out, written)

    def _write(self, out, start):
        written = start
        while self._releasing and self._pending and written < len(out):
            entry = self._pending[0]
            info, chunk, done = entry
            if done == 0:
                self.add_item_tag(0, self.nitems_written(0) + written, self._tag_key, record_to_pmt(info))
            take = min(len(chunk) - done, len(out) - written)
            out[written:written + take] = chunk[done:done + take]
            entry[2] += take
            written += take
            if entry[2] == len(chunk):
                self._pending.popleft()
        if not self._pending:
            self._releasing = False
        return written - start

    def _publish(self, end, emitters, events):
        lanes = self.chunker.lanes
        self._latest = []
        for track in emitters:
            item = track.as_dict(self._time_of)
            item["served"] = track.id in lanes
            if track.id in lanes:
                item["symbol_rate_hz"] = lanes[track.id].symbol_rate
                item["symbol_rate_source"] = lanes[track.id].rate_source
            self._latest.append(item)
        self._updates += 1
        self.message_port_pub(self._port, record_to_pmt(tracker_message(self.chunker.tracker, end, self._latest,
                                                                        events)))

    # ---- getters --------------------------------------------------------------------
    def emitters(self):
        """The latest update's emitters (dicts)."""
        return list(self._latest)

    def updates(self):
        return self._updates

    def stats(self):
        """chunks (cut), dropped (left the history before there was output room), unserved
        (tracker updates in which an emitter had no lane: more than max_emitters), lanes
        (emitters given a lane so far), elsewhere (emitters outside serve_band_hz), pending
        (cut, waiting for output room)."""
        counts = dict(self.chunker.counts)
        counts["pending"] = len(self._pending)
        return counts

    def error(self):
        return self._error
