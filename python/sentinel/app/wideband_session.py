# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""The wideband sentinel flowgraph: a source at its own rate, the emitter channeliser, the
model blocks on its chunks (every detection carries its emitter), a collector, optionally
a ZeroMQ publisher, and a waterfall of the whole run and a short wideband capture for the SigMF file."""

import time

import numpy as np
from gnuradio import blocks, gr

from .. import emitter_channeliser, emitter_table, htrd_classifier, mae_anomaly_scorer, modulation_classifier
from ..wideband import MODEL_RATE
from .session import MODELS, capture_sink, detection_collector

#: the channeliser's chunk: a multiple of every default stride (afnet 256, htrd 1024, mae 2048)
CHUNK_LENGTH = 2048
#: chunks a second per emitter: each gives 8 afnet labels, 2 HTRD verdicts and 1 anomaly
#: score (0: every chunk, the emitter's whole time on air, which at 100 kbaud is 400 a second)
CHUNKS_PER_SECOND = 10.0


class waterfall_rows(gr.sync_block):
    """One averaged power spectrum (dB, centred) per `row_seconds` of the whole run, from up
    to `frames` Hann-windowed FFTs of each row's samples (the rest are only counted)."""

    def __init__(self, samp_rate, fft_size=1024, row_seconds=0.05, frames=4):
        gr.sync_block.__init__(self, name="waterfall_rows", in_sig=[np.complex64], out_sig=None)
        self.fft_size, self.frames = int(fft_size), int(frames)
        self.row_samples = max(self.fft_size, int(row_seconds * samp_rate))
        self._window = np.hanning(self.fft_size).astype(np.float32)
        self._rows, self._sum, self._count, self._filled = [], np.zeros(self.fft_size), 0, 0

    def work(self, input_items, output_items):
        x = input_items[0]
        position = 0
        while position < len(x):
            take = min(len(x) - position, self.row_samples - self._filled)
            chunk = x[position:position + take]
            while self._count < self.frames and len(chunk) >= self.fft_size:
                frame, chunk = chunk[:self.fft_size], chunk[self.fft_size:]
                self._sum += np.abs(np.fft.fft(frame * self._window)) ** 2
                self._count += 1
            self._filled += take
            position += take
            if self._filled == self.row_samples:
                if self._count:
                    self._rows.append(10 * np.log10(np.fft.fftshift(self._sum / self._count) + 1e-12))
                self._sum, self._count, self._filled = np.zeros(self.fft_size), 0, 0
        return len(x)

    def rows(self):
        """(rows, fft_size) float array, oldest first, and the samples per row."""
        return (np.array(self._rows) if self._rows else np.zeros((0, self.fft_size))), self.row_samples


def check_strides(chunk_length, strides, windows):
    """ValueError unless every model window stays inside one chunk."""
    for name, stride in strides.items():
        if not (chunk_length % stride == 0 or stride % chunk_length == 0) or windows[name] > min(stride, chunk_length):
            raise ValueError("{}_stride: {}; allowed: a divisor or a multiple of the chunk length {}, at least the "
                             "{}-sample window, so that no window mixes two emitters".format(
                                 name, stride, chunk_length, windows[name]))


class WidebandSession:
    """Build with a wideband Source; start(), poll status(), stop(); then results()."""

    def __init__(self, source, models=MODELS, mode=None, amc_model="afnet", mae_model="mae", htrd_model="htrd",
                 amc_stride=256, htrd_stride=1024, mae_stride=2048, threads=1, publish=None, capture_seconds=2.0,
                 chunks_per_second=CHUNKS_PER_SECOND):
        unknown = [m for m in models if m not in MODELS]
        if unknown or not models:
            raise ValueError("models: unknown {}; allowed: {}".format(", ".join(unknown) or "none given",
                                                                        ", ".join(MODELS)))
        self.source = source
        self.models = list(models)
        mode = mode or "realtime"
        self.top = gr.top_block("sentinel_wideband")
        self.channeliser = emitter_channeliser(source.sample_rate, CHUNK_LENGTH, chunks_per_second, mode=mode)
        self.top.connect(source.block, self.channeliser)
        self.collector = detection_collector()
        self.top.msg_connect(self.channeliser, "emitters", self.collector, "emitters")
        self.table = emitter_table()
        self.top.msg_connect(self.channeliser, "emitters", self.table, "emitters")
        makers = {"amc": (modulation_classifier, amc_model, amc_stride),
                  "htrd": (htrd_classifier, htrd_model, htrd_stride),
                  "mae": (mae_anomaly_scorer, mae_model, mae_stride)}
        self.blocks = {}
        for name in self.models:
            make, model, stride = makers[name]
            self.blocks[name] = make(model, stride=stride, mode=mode, device="auto", threads=threads,
                                     samp_rate=MODEL_RATE)
        if "mae" in self.blocks and self.blocks["mae"].bundle.card.get("thresholds", {}).get("gamma_wideband"):
            self.blocks["mae"].set_threshold("wideband")   # calibrated on channelised chunks
        check_strides(CHUNK_LENGTH, {n: b.stride for n, b in self.blocks.items()},
                      {n: b.window_length for n, b in self.blocks.items()})
        self.sinks = []
        for name, block in self.blocks.items():
            sink = blocks.null_sink(gr.sizeof_float)
            self.sinks.append(sink)
            self.top.connect(self.channeliser, block, sink)
            self.top.msg_connect(block, "detections", self.collector, name)
            self.top.msg_connect(block, "detections", self.table, "detections")
        self.probe = blocks.probe_rate(gr.sizeof_gr_complex, 500.0, 0.15)
        self.top.connect(source.block, self.probe)
        self.capture = capture_sink(int(capture_seconds * source.sample_rate))
        self.top.connect(source.block, self.capture)
        self.waterfall = waterfall_rows(source.sample_rate)
        self.top.connect(source.block, self.waterfall)
        self.publisher = None
        if publish:
            from ..detection_publisher import detection_publisher
            self.publisher = detection_publisher(publish)
            for block in self.blocks.values():
                self.top.msg_connect(block, "detections", self.publisher, "detections")
        self.started = None

    def start(self):
        self.started = time.monotonic()
        self.top.start()

    def stop(self):
        self.top.stop()
        self.top.wait()
        if self.publisher:
            self.publisher.close()

    def elapsed(self):
        return time.monotonic() - self.started if self.started else 0.0

    def status(self):
        """A snapshot for the live table: the emitter table's rows (emitter_table)."""
        return {"time": self.elapsed(), "rate_sps": float(self.probe.rate()), "emitters": self.table.rows(),
                "channeliser": self.channeliser.stats(),
                "skipped": {name: b.windows_skipped() for name, b in self.blocks.items()}}

    def results(self):
        detections = {name: self.collector.snapshot(name) for name in self.blocks}
        return detections, self.collector.snapshot("emitters"), self.capture.data(), self.waterfall.rows()
