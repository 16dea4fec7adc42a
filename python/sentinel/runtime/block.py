# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""The base of every gr-sentinel model block: the inference contract in one place.

- Input: a plain complex64 stream (a subclass may take another item type, e.g. a
  float32 vector of KPIs). Windows of the bundle's window length are cut every
  `stride` samples; window k starts at absolute sample k * stride.
- Output 0: float32, one value per window (what the value means is the subclass's).
- Message port `detections`: one PMT dict per window with `offset` (absolute
  sample), `last_offset` (its last sample), `length`, `window`, `model`, `rx_time` (seconds, when the stream
  carries rx_time tags and the rate is known from rx_rate tags or `samp_rate`),
  the subclass's fields, and `flags` (e.g. "nonfinite", "zero", "skipped").
- Optional stream tags on each output item (key = the block's tag key).
- mode "lossless": one batched forward per work() call, back-pressure upstream,
  every window scored. mode "realtime": work() hands batches to an inference
  thread through a bounded queue and never waits; a batch that does not fit is
  skipped whole and counted. Output items then lag by up to the queue depth and
  skipped windows output NaN.
- Windows containing NaN/Inf or (unless a subclass allows it) only zeros are not
  run through the model: they output NaN, carry a flag and are counted.
- A subclass may publish only some windows' detections (`publishes`); the output
  stream and the counters still cover every window.
"""

import collections
import threading

import numpy as np
import pmt
from gnuradio import gr

from .bundle import ModelBundle
from .inference import InferenceEngine
from .windowing import Windower

MODES = ("lossless", "realtime")


def record_to_pmt(value):
    """pmt.to_pmt for the types a detection holds, dispatched on the exact type (about
    twice as fast); anything else goes through pmt.to_pmt, with the same result."""
    kind = type(value)
    if kind is float:
        return pmt.from_double(value)
    if kind is int:
        return pmt.from_long(value)
    if kind is str:
        return pmt.string_to_symbol(value)
    if kind is list:
        vector = pmt.make_vector(len(value), pmt.PMT_NIL)
        for i, item in enumerate(value):
            pmt.vector_set(vector, i, record_to_pmt(item))
        return vector
    if kind is dict:
        result = pmt.make_dict()
        for key, item in value.items():
            result = pmt.dict_add(result, record_to_pmt(key), record_to_pmt(item))
        return result
    return pmt.to_pmt(value)


class model_block(gr.basic_block):
    """Subclasses set `kind`, `tag_key`, and implement build_model, preprocess and describe."""

    kind = None
    tag_key = "sentinel"
    input_dtype = np.complex64
    flag_zero_windows = True

    def __init__(self, name, model, stride=0, mode="lossless", device="auto", threads=0,
                 backend="auto", max_batch=64, queue_depth=4, emit_tags=False, samp_rate=0.0):
        if mode not in MODES:
            raise ValueError("mode: unknown '{}'; allowed: {}".format(mode, ", ".join(MODES)))
        if max_batch < 1:
            raise ValueError("max_batch: must be at least 1, got {}".format(max_batch))
        self.bundle = ModelBundle.load(model, expected_kind=self.kind)
        vlen = int(self.input_vlen(self.bundle))
        item_shape = (vlen,) if vlen > 1 else ()
        gr.basic_block.__init__(self, name=name, in_sig=[(self.input_dtype, vlen) if vlen > 1 else self.input_dtype],
                                out_sig=[np.float32])
        self.window_length = self.bundle.window_length
        stride = int(stride) or self.window_length
        self.windower = Windower(self.window_length, stride, self.input_dtype, item_shape)
        self.stride = stride
        self.mode = mode
        self.max_batch = int(max_batch)
        self.emit_tags = bool(emit_tags)
        self.samp_rate = float(samp_rate)
        self.configure(self.bundle)
        module = self.bundle.load_into(self.build_model(self.bundle)).eval()
        example = self.preprocess(np.ones((2, self.window_length) + item_shape, self.input_dtype))
        preferred = self.bundle.card.get("inference", {}).get("cpu_backend", "eager")
        self.engine = InferenceEngine(module, example, device, threads, backend, preferred)

        # GNU Radio sizes the upstream buffer from a consumer's decimation (2x it); a
        # window-long decimation would hand work() a handful of windows per call. Declare
        # a batch's worth so one call can fill max_batch windows. Output tags are the
        # block's own (detections), so input tags are not propagated with that rate.
        self.set_relative_rate(1.0 / (stride * min(self.max_batch, 256)))
        self.set_tag_propagation_policy(gr.TPP_DONT)
        self._detections_port = pmt.intern("detections")
        self._subscribed = True   # until start() finds out
        self.message_port_register_out(self._detections_port)
        self._lock = threading.Lock()
        self._counts = collections.Counter()
        self._rx_time = None   # (absolute offset, seconds)
        self._last_detection = {}
        self._rx_rate = self.samp_rate or None
        self._model_name = self.bundle.card.get("name", str(model))
        # realtime: ordered results waiting to be written to the output stream
        self._pending = collections.deque()
        self._batches = {}
        self._next_batch = 0
        self._worker = None
        if mode == "realtime":
            from .worker import InferenceWorker
            self._worker = InferenceWorker(self.engine, self._on_batch_done, queue_depth)

    # ---- subclass hooks -------------------------------------------------------------
    def input_vlen(self, bundle):
        """Items per input vector (1 = a plain stream); checked against the bundle here."""
        return 1

    def publishes(self, value, record):
        """Whether this window's detection goes out on the message port."""
        return True

    def configure(self, bundle):
        """Read card values (classes, thresholds) before the model is built."""

    def build_model(self, bundle):
        raise NotImplementedError

    def preprocess(self, windows):
        """Complex64 windows (k, L) -> the model's float32 input batch."""
        raise NotImplementedError

    def describe(self, outputs):
        """Model outputs for k windows -> (values float32 (k,), list of k field dicts)."""
        raise NotImplementedError

    # ---- counters -------------------------------------------------------------------
    def _count(self, **increments):
        with self._lock:
            self._counts.update(increments)

    def stats(self):
        """Counts of windows seen, scored, skipped (realtime) and flagged (bad input)."""
        with self._lock:
            return {k: int(self._counts[k]) for k in ("seen", "scored", "skipped", "flagged")}

    def windows_seen(self):
        return self.stats()["seen"]

    def windows_scored(self):
        return self.stats()["scored"]

    def windows_skipped(self):
        return self.stats()["skipped"]

    def windows_flagged(self):
        return self.stats()["flagged"]

    def last_detection(self):
        """The most recently published detection dict ({} before the first): for GUI labels."""
        return dict(self._last_detection)

    # ---- scheduling -----------------------------------------------------------------
    def forecast(self, noutput_items, ninputs):
        return [1] * ninputs

    def general_work(self, input_items, output_items):
        chunk = input_items[0]
        out = output_items[0]
        nread = self.nitems_read(0)
        produced = self._emit_ready(out, 0) if self._worker else 0
        space = len(out) - produced
        budget = self.max_batch if self._worker else min(space, self.max_batch)
        windows, offsets, consumed = self.windower.take(chunk, nread, budget)
        self._track_time_tags(nread, consumed)
        if len(windows):
            self._count(seen=len(windows))
            if self._worker:
                self._submit(windows, offsets)
                produced += self._emit_ready(out, produced)
            else:
                values, records = self._score(windows, offsets)
                out[:len(values)] = values
                self._publish(records, self.nitems_written(0))
                produced += len(values)
        self.consume(0, consumed)
        return produced

    def start(self):
        # Subscriptions are made before blocks start (and asking from work() can deadlock).
        self._subscribed = not pmt.is_null(self.message_subscribers(self._detections_port))
        return True

    def stop(self):
        if self._worker:
            self._worker.close()
        return True

    # ---- scoring --------------------------------------------------------------------
    def _validity(self, windows):
        axes = tuple(range(1, windows.ndim))
        finite = np.all(np.isfinite(windows), axis=axes)
        nonzero = np.any(windows != 0, axis=axes) if self.flag_zero_windows else np.ones(len(windows), bool)
        return finite, nonzero

    def _records(self, offsets, values, fields, finite, nonzero):
        records = []
        for i, offset in enumerate(offsets):
            flags = []
            if not finite[i]:
                flags.append("nonfinite")
            elif not nonzero[i]:
                flags.append("zero")
            record = {"offset": int(offset), "last_offset": int(offset) + self.window_length - 1,
                      "length": self.window_length,
                      "window": int(offset // self.stride), "model": self._model_name}
            record.update(fields[i] if fields is not None else {})
            record["flags"] = flags + list(record.get("flags", []))
            when = self._time_of(int(offset))
            if when is not None:
                record["rx_time"] = when
            records.append((float(values[i]), record))
        return records

    def _score(self, windows, offsets):
        finite, nonzero = self._validity(windows)
        good = finite & nonzero
        values = np.full(len(windows), np.nan, np.float32)
        fields = [{"flags": []} for _ in range(len(windows))]
        if np.any(good):
            v, f = self.describe(self.engine(self.preprocess(windows[good])))
            values[good] = v
            for j, i in enumerate(np.flatnonzero(good)):
                fields[i] = f[j]
        self._count(scored=int(good.sum()), flagged=int((~good).sum()))
        return values, self._records(offsets, values, fields, finite, nonzero)

    def _publish(self, records, first_output_index):
        chosen = [(i, record) for i, (value, record) in enumerate(records)
                  if record["flags"] or self.publishes(value, record)]
        if not chosen:
            return
        self._last_detection = chosen[-1][1]
        tagging = self.emit_tags and first_output_index is not None
        # Converting to PMT costs as much as AFNet's inference; GNU Radio drops messages
        # on a port nobody subscribes to, so skip the work when that is the case.
        if not (tagging or self._subscribed):
            return
        for i, record in chosen:
            msg = record_to_pmt(record)
            self.message_port_pub(self._detections_port, msg)
            if tagging:
                self.add_item_tag(0, first_output_index + i, pmt.intern(self.tag_key), msg)

    # ---- realtime -------------------------------------------------------------------
    def _submit(self, windows, offsets):
        finite, nonzero = self._validity(windows)
        good = finite & nonzero
        batch_id = self._next_batch
        self._next_batch += 1
        entry = {"offsets": offsets, "finite": finite, "nonzero": nonzero, "good": good,
                 "records": None}
        with self._lock:
            self._batches[batch_id] = entry
            self._pending.append(batch_id)
        accepted = bool(np.any(good)) and self._worker.submit(batch_id, self.preprocess(windows[good]))
        if not accepted:
            skipped = int(good.sum())
            values = np.full(len(windows), np.nan, np.float32)
            fields = [{"flags": ["skipped"] if good[i] else []} for i in range(len(windows))]
            records = self._records(offsets, values, fields, finite, nonzero)
            self._count(skipped=skipped, flagged=int((~good).sum()))
            self._publish(records, None)
            with self._lock:
                entry["records"] = records

    def _on_batch_done(self, batch_id, outputs):
        with self._lock:
            entry = self._batches[batch_id]
        good = entry["good"]
        values = np.full(len(good), np.nan, np.float32)
        fields = [{"flags": []} for _ in range(len(good))]
        if isinstance(outputs, Exception):
            for i in np.flatnonzero(good):
                fields[i] = {"flags": ["error: {}".format(outputs)]}
            self._count(flagged=len(good))
        else:
            v, f = self.describe(outputs)
            values[good] = v
            for j, i in enumerate(np.flatnonzero(good)):
                fields[i] = f[j]
            self._count(scored=int(good.sum()), flagged=int((~good).sum()))
        records = self._records(entry["offsets"], values, fields, entry["finite"], entry["nonzero"])
        self._publish(records, None)
        with self._lock:
            entry["records"] = records

    def _emit_ready(self, out, start):
        """Write finished realtime results to the output stream, in window order."""
        written = start
        while written < len(out):
            with self._lock:
                if not self._pending:
                    break
                entry = self._batches[self._pending[0]]
                records = entry["records"]
                if records is None:
                    break
                done = entry.setdefault("written", 0)
                take = min(len(records) - done, len(out) - written)
                for i in range(take):
                    out[written + i] = records[done + i][0]
                entry["written"] = done + take
                if entry["written"] == len(records):
                    del self._batches[self._pending.popleft()]
            written += take
        return written - start

    # ---- time tags ------------------------------------------------------------------
    def _track_time_tags(self, nread, consumed):
        if consumed <= 0:
            return
        for tag in self.get_tags_in_range(0, nread, nread + consumed):
            key = pmt.symbol_to_string(tag.key)
            if key == "rx_time":
                t = pmt.to_python(tag.value)
                self._rx_time = (tag.offset, float(t[0]) + float(t[1]))
            elif key == "rx_rate":
                self._rx_rate = float(pmt.to_python(tag.value))

    def _time_of(self, offset):
        if self._rx_time is None or not self._rx_rate:
            return None
        tag_offset, seconds = self._rx_time
        return seconds + (offset - tag_offset) / self._rx_rate
