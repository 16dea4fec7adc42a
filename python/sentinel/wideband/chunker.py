# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Follow the emitters of a wideband stream and cut each into chunks the models can take.

push() appends wideband samples and runs the tracker (EmitterTracker) once per
fft_size * averages samples. Each confirmed emitter gets a lane: its symbol rate is
estimated when it appears and again every `rate_update_s` (the lane uses the median of
its estimates), and its stream is cut into chunks of `chunk_length` samples at
MODEL_SPS samples per symbol (read as a MODEL_RATE stream by the model blocks). A chunk
is extracted from a wideband segment `margin` output samples longer at each end (the
extraction is circular, channelise.extract_band), so chunks are independent and a model
window inside one never sees another emitter. With chunks_per_second 0 an emitter's
chunks tile its time on air; otherwise at most that many a second are cut.

With serve_band_hz only the emitters appearing inside that band get a lane, so that
several hosts, each given the same wideband stream (gr-zeromq PUB/SUB) and its own band,
share the emitters between them.

A chunk is cut once its segment is in the history and the tracker saw the emitter up to
the chunk's end. A chunk whose segment left the history before it could be cut (the
consumer of the chunks fell behind) is dropped and counted, per lane and in total.
"""

import dataclasses
import math
import statistics

import numpy as np

from .channelise import MODEL_SPS, extract_band, symbol_rate_of
from .history import SampleHistory

#: output samples the symbol-rate estimate is made on (at 4x the emitter's bandwidth)
ESTIMATE_LENGTH = 4096
#: estimates a lane keeps for its median
KEPT_ESTIMATES = 9


@dataclasses.dataclass
class Lane:
    track: object                   # the latest Track seen (kept after the track went)
    symbol_rate: float
    rate_source: str
    next_start: int                 # absolute wideband offset of the next chunk's first sample
    last_estimate: int              # wideband offset of the latest symbol-rate estimate
    estimates: list = dataclasses.field(default_factory=list)
    chunks: int = 0
    dropped: int = 0
    gone: bool = False

    @property
    def seen_until(self):
        """The wideband offset up to which (exclusive) the tracker saw the emitter."""
        return self.track.last_seen + 1


class EmitterChunker:
    def __init__(self, tracker, chunk_length=2048, chunks_per_second=0.0, margin=128, history_s=0.5,
                 refill_noise=True, rate_update_s=1.0, max_emitters=16, seed=0, time_of=None, serve_band_hz=None):
        def check(name, value, ok, allowed):
            if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
                    or not math.isfinite(value) or not ok(value):
                raise ValueError("{}: {!r}; allowed: {}".format(name, value, allowed))

        check("chunk_length", chunk_length, lambda v: v >= 16 and float(v).is_integer(), "a whole number >= 16")
        check("chunks_per_second", chunks_per_second, lambda v: v >= 0, "0 (every chunk) or a rate > 0")
        check("margin", margin, lambda v: v >= 0 and float(v).is_integer(), "a whole number of samples >= 0")
        check("history_s", history_s, lambda v: v > 0, "seconds > 0")
        check("rate_update_s", rate_update_s, lambda v: v > 0, "seconds > 0")
        check("max_emitters", max_emitters, lambda v: v >= 1 and float(v).is_integer(), "a whole number >= 1")
        if serve_band_hz is not None:
            try:
                low, high = (float(v) for v in serve_band_hz)
            except (TypeError, ValueError):
                low, high = math.nan, math.nan
            if not (math.isfinite(low) and math.isfinite(high) and low < high):
                raise ValueError("serve_band_hz: {!r}; allowed: None (every emitter) or (low, high) in Hz from the "
                                 "tuned frequency, low < high".format(serve_band_hz))
            serve_band_hz = (low, high)
        #: (low, high): only emitters whose centre is in [low, high) when they appear get a
        #: lane (another host serves the rest); None: every emitter
        self.serve_band_hz = serve_band_hz
        self.tracker = tracker
        self.samp_rate = tracker.samp_rate
        self.chunk_length = int(chunk_length)
        self.chunks_per_second = float(chunks_per_second)
        self.margin = int(margin)
        self.refill_noise = bool(refill_noise)
        self.rate_update = int(rate_update_s * self.samp_rate)
        self.max_emitters = int(max_emitters)
        self.history = SampleHistory(max(int(history_s * self.samp_rate), 4 * tracker.block_size))
        self.lanes = {}
        self._rng = np.random.default_rng(seed)
        self._time_of = time_of
        self._next_update = tracker.block_size
        #: chunks cut, chunks dropped, tracker updates in which an emitter had no lane (max_emitters), lanes
        #: opened, emitters left to another host (outside serve_band_hz)
        self.counts = {"chunks": 0, "dropped": 0, "unserved": 0, "lanes": 0, "elsewhere": 0}
        self._elsewhere = set()

    # ---- input ----------------------------------------------------------------------
    def push(self, samples):
        """Append samples; returns the tracker's updates as [(end offset, [Track], events)]."""
        self.history.append(samples)
        updates = []
        while self._next_update <= self.history.end:
            end = self._next_update
            size = self.tracker.block_size
            emitters, events = self.tracker.update(self.history.read(end - size, size), end)
            self._follow(emitters, events, end)
            updates.append((end, emitters, events))
            self._next_update += size
        return updates

    def _follow(self, emitters, events, end):
        for event in events:
            if event["event"] == "gone" and event["id"] in self.lanes:
                self.lanes[event["id"]].gone = True
        for track in emitters:
            lane = self.lanes.get(track.id)
            if lane is None and track.id in self._elsewhere:
                continue
            if lane is None and not self.serves(track.center_hz):
                self._elsewhere.add(track.id)
                self.counts["elsewhere"] += 1
                continue
            if lane is None:
                if sum(not l.gone for l in self.lanes.values()) >= self.max_emitters:
                    self.counts["unserved"] += 1
                    continue
                lane = Lane(track, float(track.bandwidth_hz), "bandwidth", 0, end)
                self._estimate(lane, end)
                lane.next_start = max(track.first_seen, self.history.start + self._margin_span(lane))
                self.lanes[track.id] = lane
                self.counts["lanes"] += 1
            else:
                lane.track = track
                if end - lane.last_estimate >= self.rate_update:
                    self._estimate(lane, end)

    def serves(self, center_hz):
        """Whether an emitter appearing at center_hz gets a lane here."""
        return self.serve_band_hz is None or self.serve_band_hz[0] <= center_hz < self.serve_band_hz[1]

    def _estimate(self, lane, end):
        track = lane.track
        wanted = int(ESTIMATE_LENGTH * self.samp_rate / (4 * track.bandwidth_hz))
        start = max(track.first_seen, self.history.start, end - wanted)
        if end - start >= 64:
            rate, source = symbol_rate_of(self.history.read(start, end - start), self.samp_rate,
                                          track.center_hz, track.bandwidth_hz)
            lane.estimates = (lane.estimates + [(rate, source)])[-KEPT_ESTIMATES:]
        lines = [r for r, s in lane.estimates if s == "spectral_line"]
        if lines:
            lane.symbol_rate, lane.rate_source = float(statistics.median(lines)), "spectral_line"
        else:
            lane.symbol_rate, lane.rate_source = float(track.bandwidth_hz), "bandwidth"
        lane.last_estimate = end

    # ---- chunks ---------------------------------------------------------------------
    def _step(self, lane):
        """Wideband samples per output sample."""
        return self.samp_rate / (MODEL_SPS * lane.symbol_rate)

    def _margin_span(self, lane):
        return int(math.ceil(self.margin * self._step(lane)))

    def _span(self, lane):
        return max(1, int(round(self.chunk_length * self._step(lane))))

    def _period(self, lane):
        span = self._span(lane)
        return span if not self.chunks_per_second else max(span, int(round(self.samp_rate / self.chunks_per_second)))

    def due(self, limit=None):
        """Cut the chunks that are ready, oldest first, at most `limit`: [(emitter dict, samples)]."""
        out = []
        while limit is None or len(out) < limit:
            ready = []
            for lane in list(self.lanes.values()):
                self._drop_lost(lane)
                span = self._span(lane)
                if lane.next_start + span > lane.seen_until:
                    if lane.gone:
                        del self.lanes[lane.track.id]
                    continue
                if lane.next_start + span + self._margin_span(lane) <= self.history.end:
                    ready.append(lane)
            if not ready:
                break
            out.append(self._cut(min(ready, key=lambda lane: lane.next_start)))
        return out

    def _drop_lost(self, lane):
        margin = self._margin_span(lane)
        if lane.next_start - margin >= self.history.start:
            return
        period = self._period(lane)
        missed = int(math.ceil((self.history.start + margin - lane.next_start) / period))
        lane.next_start += missed * period
        lane.dropped += missed
        self.counts["dropped"] += missed

    def _cut(self, lane):
        from scipy import fft

        span, margin = self._span(lane), self._margin_span(lane)
        # a segment of a length the FFT is fast at, centred on the chunk: the margins grow a little
        length = fft.next_fast_len(span + 2 * margin)
        start = lane.next_start - (length - span) // 2
        if start < self.history.start:
            start = self.history.start
        length = min(length, self.history.end - start)
        segment = self.history.read(start, length)
        track = lane.track
        out_length = int(round(length / self._step(lane)))
        samples = extract_band(segment, self.samp_rate, track.center_hz, track.bandwidth_hz,
                               out_length * self.samp_rate / length,
                               self.tracker.floor if self.refill_noise else None, self._rng)
        first = int(round((lane.next_start - start) * out_length / length))
        info = track.as_dict(self._time_of)
        info.update({"symbol_rate_hz": lane.symbol_rate, "symbol_rate_source": lane.rate_source,
                     "chunk": lane.chunks, "chunks_dropped": lane.dropped, "wideband_offset": int(lane.next_start),
                     "wideband_step": float(length / out_length), "wideband_rate": self.samp_rate})
        if self._time_of is not None and self._time_of(lane.next_start) is not None:
            info["rx_time"] = self._time_of(lane.next_start)
        lane.chunks += 1
        lane.next_start += self._period(lane)
        self.counts["chunks"] += 1
        return info, samples[first:first + self.chunk_length]
