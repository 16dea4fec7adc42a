# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""The sentinel monitoring flowgraph: a source, a resampler to the models' rate, the
model blocks side by side, a detection collector, optionally a ZeroMQ publisher and
a short IQ capture for the report."""

import collections
import threading
import time

import numpy as np
import pmt
from gnuradio import blocks, gr

from .. import htrd_classifier, mae_anomaly_scorer, modulation_classifier
from . import scenario
from .sources import resampler_to

MODEL_RATE = scenario.SAMPLE_RATE
MODELS = ("amc", "htrd", "mae")


class detection_collector(gr.basic_block):
    """Keeps every detection dict, per model (and every emitter_channeliser update on
    port `emitters`), thread-safely."""

    def __init__(self):
        gr.basic_block.__init__(self, name="detection_collector", in_sig=None, out_sig=None)
        self._lock = threading.Lock()
        self._by_port = collections.defaultdict(list)
        for name in MODELS + ("emitters",):
            self.message_port_register_in(pmt.intern(name))
        # GNU Radio's Python gateway looks handlers up by name: bound methods, not lambdas.
        self.set_msg_handler(pmt.intern("amc"), self.handle_amc)
        self.set_msg_handler(pmt.intern("htrd"), self.handle_htrd)
        self.set_msg_handler(pmt.intern("mae"), self.handle_mae)
        self.set_msg_handler(pmt.intern("emitters"), self.handle_emitters)

    def handle_amc(self, message):
        self._keep("amc", message)

    def handle_htrd(self, message):
        self._keep("htrd", message)

    def handle_mae(self, message):
        self._keep("mae", message)

    def handle_emitters(self, message):
        self._keep("emitters", message)

    def _keep(self, name, message):
        try:   # never raise in a message handler: that would end the block's message thread
            record = pmt.to_python(message)
        except Exception:
            return
        if isinstance(record, dict):
            with self._lock:
                self._by_port[name].append(record)

    def snapshot(self, name):
        with self._lock:
            return list(self._by_port[name])

    def latest(self, name):
        with self._lock:
            items = self._by_port[name]
            return items[-1] if items else None


class capture_sink(gr.sync_block):
    """Keeps the first `limit` samples and consumes (discards) the rest, so it never
    stalls the other consumers of its input (a finished blocks.head would)."""

    def __init__(self, limit):
        gr.sync_block.__init__(self, name="capture_sink", in_sig=[np.complex64], out_sig=None)
        self.samples = np.zeros(int(limit), np.complex64)
        self.count = 0

    def work(self, input_items, output_items):
        chunk = input_items[0]
        take = min(len(chunk), len(self.samples) - self.count)
        if take > 0:
            self.samples[self.count:self.count + take] = chunk[:take]
            self.count += take
        return len(chunk)

    def data(self):
        return self.samples[:self.count].copy()


class SentinelSession:
    """Build with a Source; start(), poll status(), stop(); then results()."""

    def __init__(self, source, models=MODELS, mode=None, amc_model="afnet", mae_model="mae_guarded", htrd_model="htrd",
                 amc_stride=256, htrd_stride=1024, mae_stride=2048, threads=1, publish=None, capture_seconds=2.0):
        unknown = [m for m in models if m not in MODELS]
        if unknown or not models:
            raise ValueError("models: unknown {}; allowed: {}".format(", ".join(unknown) or "none given",
                                                                        ", ".join(MODELS)))
        self.source = source
        self.models = list(models)
        mode = mode or "realtime"
        self.top = gr.top_block("sentinel")
        chain = source.block
        self.resampler = resampler_to(source.sample_rate, MODEL_RATE)
        if self.resampler is not None:
            self.top.connect(chain, self.resampler)
            chain = self.resampler
        self.collector = detection_collector()
        self.blocks = {}
        if "amc" in self.models:
            self.blocks["amc"] = modulation_classifier(amc_model, stride=amc_stride, mode=mode, device="auto",
                                                      threads=threads, samp_rate=MODEL_RATE)
        if "htrd" in self.models:
            self.blocks["htrd"] = htrd_classifier(htrd_model, stride=htrd_stride, mode=mode, device="auto",
                                                  threads=threads, samp_rate=MODEL_RATE)
        if "mae" in self.models:
            self.blocks["mae"] = mae_anomaly_scorer(mae_model, stride=mae_stride, mode=mode, device="auto",
                                                   threads=threads, samp_rate=MODEL_RATE)
        self.sinks = []
        for name, block in self.blocks.items():
            sink = blocks.null_sink(gr.sizeof_float)
            self.sinks.append(sink)
            self.top.connect(chain, block, sink)
            self.top.msg_connect(block, "detections", self.collector, name)
        self.probe = blocks.probe_rate(gr.sizeof_gr_complex, 500.0, 0.15)
        self.top.connect(chain, self.probe)
        self.capture = capture_sink(int(capture_seconds * MODEL_RATE))
        self.top.connect(chain, self.capture)
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
        """A snapshot for the live table."""
        row = {"time": self.elapsed(), "rate_sps": float(self.probe.rate())}
        amc = self.collector.latest("amc")
        if amc:
            row["offset"] = amc["offset"]
            row["predicted"] = amc.get("label")
            row["confidence"] = amc.get("confidence")
            if self.source.truth:
                segments, total = self.source.truth
                row["truth"] = scenario.label_at(segments, amc["offset"], amc["length"], total)
        htrd = self.collector.latest("htrd")
        if htrd:
            row["htrd"] = htrd.get("label")
        mae = self.collector.latest("mae")
        if mae:
            row["anomaly_score"] = mae.get("score")
            row["anomalous"] = mae.get("anomalous")
            row["channel"] = mae.get("state", "signal")
        row["skipped"] = {name: b.windows_skipped() for name, b in self.blocks.items()}
        row["scored"] = {name: b.windows_scored() for name, b in self.blocks.items()}
        return row

    def results(self):
        return {name: self.collector.snapshot(name) for name in self.blocks}, self.capture.data()
