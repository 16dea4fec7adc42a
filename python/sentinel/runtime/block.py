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
  the subclass's fields, and `flags` (e.g. "nonfinite", "zero", "nonfinite_power",
  "error", "skipped").
- Optional stream tags on each output item (key = the block's tag key), in both modes.
- mode "lossless": one batched forward per work() call, back-pressure upstream,
  every window scored. mode "realtime": work() cuts every window its input holds,
  hands batches to an inference thread through a bounded queue and never waits for
  it; a batch that does not fit is skipped whole and counted. Every window still gets
  its output item, in order (NaN when skipped), also at the end of the stream; at most
  `max_lag` windows wait for their output item (see `model_block.max_lag`).
- Windows containing NaN/Inf, (unless a subclass allows it) only zeros, or whose power
  is not representable in float32 (`nonfinite_power`) are not run through the model:
  they output NaN, carry a flag and are counted.
- An exception in the model flags that batch's windows `error`, logs it and ends the
  flowgraph (the next work() call returns WORK_DONE); `error()` returns its text.
- A subclass may publish only some windows' detections (`publishes`); the output
  stream and the counters still cover every window.
"""

import bisect
import collections
import math
import numbers
import threading
import traceback

import numpy as np
import pmt
from gnuradio import gr

from .bundle import BundleError, ModelBundle
from .inference import InferenceEngine
from .windowing import Windower

MODES = ("lossless", "realtime")
#: GNU Radio's "this block is done" return value of work().
WORK_DONE = -1
#: Bounds of the size parameters (what one batch or queue may hold).
MAX_BATCH = 1 << 16
MAX_QUEUE_DEPTH = 1024
MAX_THREADS = 1024
#: realtime: windows that may wait for their output item:
#: max_lag = max(MIN_LAG, LAG_BATCHES * (queue_depth + 1) * max_batch). The floor keeps a
#: small batch's inference time from being shorter than the bound allows at high rates.
LAG_BATCHES = 8
MIN_LAG = 4096
#: realtime: how long work() waits for the inference thread when it has nothing else to do.
IDLE_WAIT_S = 0.005
#: The runtime's own flags, each counted by flag_counts().
RUNTIME_FLAGS = ("nonfinite", "zero", "nonfinite_power", "error", "skipped", "late", "rate_mismatch",
                 "mixed_emitters")
#: How far a stream's sample rate may be from the one a bundle was trained at (relative).
RATE_TOLERANCE = 0.01
_F32 = np.finfo(np.float32)


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


def integer_parameter(name, value, minimum, maximum=None, meaning=""):
    """An int parameter within [minimum, maximum], or a ValueError naming it and the range."""
    ok = isinstance(value, numbers.Integral) and not isinstance(value, bool)
    if not ok and isinstance(value, float) and value.is_integer():
        ok, value = True, int(value)
    if ok and value >= minimum and (maximum is None or value <= maximum):
        return int(value)
    allowed = "an integer >= {}".format(minimum) if maximum is None else \
        "an integer from {} to {}".format(minimum, maximum)
    raise ValueError("{}: {!r}; allowed: {}{}".format(name, value, allowed, " ({})".format(meaning) if meaning else ""))


def number_parameter(name, value, minimum=None, meaning=""):
    """A finite float parameter (>= minimum), or a ValueError naming it."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)
    if ok and (minimum is None or value >= minimum):
        return float(value)
    allowed = "a finite number" + (" >= {}".format(minimum) if minimum is not None else "")
    raise ValueError("{}: {!r}; allowed: {}{}".format(name, value, allowed, " ({})".format(meaning) if meaning else ""))


def end_on_error(block, error):
    """For a Python block's general_work: log `error` with its traceback, keep its text
    in block._error and return WORK_DONE, so the flowgraph ends instead of hanging."""
    text = "{}: {}".format(type(error).__name__, error)
    if getattr(block, "_error", None) is None:
        block._error = text
    gr.logger(block.name()).error("{}: work() raised {}; the flowgraph ends\n{}".format(
        block.name(), text, traceback.format_exc()))
    return WORK_DONE


def refuse_window_length(bundle, trained, source):
    """BundleError when the card's window_length differs from `trained` (None: unknown)."""
    if trained is not None and trained != bundle.window_length:
        raise BundleError("model: {}: window_length {} differs from the {}-sample windows the network was "
                          "trained on (card {}); allowed: window_length {}".format(
                              bundle.card_path, bundle.window_length, trained, source, trained))


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
        max_batch = integer_parameter("max_batch", max_batch, 1, MAX_BATCH, "windows per batched forward")
        queue_depth = integer_parameter("queue_depth", queue_depth, 1, MAX_QUEUE_DEPTH, "batches (realtime)")
        threads = integer_parameter("threads", threads, 0, MAX_THREADS, "0 = torch's default; process-wide")
        stride = integer_parameter("stride", stride, 0, None, "samples between window starts; 0 = the window length")
        self.samp_rate = number_parameter("samp_rate", samp_rate, 0.0, "samples per second; 0 = unknown")
        self.bundle = ModelBundle.load(model, expected_kind=self.kind)
        self._check_trained_window_length(self.bundle)
        self.trained_rate = self._trained_rate(self.bundle)
        if self.samp_rate and self._rate_differs(self.samp_rate):
            raise ValueError("samp_rate: {:g} Hz, but model {} expects {:g} Hz (its card's input.sample_rate); "
                             "allowed: {:g} (within {:g} %); resample the stream to it or choose a bundle trained "
                             "for this rate".format(self.samp_rate, self.bundle.card.get("name", model),
                                                    self.trained_rate, self.trained_rate, 100 * RATE_TOLERANCE))
        vlen = int(self.input_vlen(self.bundle))
        item_shape = (vlen,) if vlen > 1 else ()
        gr.basic_block.__init__(self, name=name, in_sig=[(self.input_dtype, vlen) if vlen > 1 else self.input_dtype],
                                out_sig=[np.float32])
        self.window_length = self.bundle.window_length
        stride = stride or self.window_length
        self.windower = Windower(self.window_length, stride, self.input_dtype, item_shape)
        self.stride = stride
        self.mode = mode
        self.max_batch = max_batch
        self.queue_depth = queue_depth
        #: realtime: the most windows that wait for their output item at once.
        self.max_lag = max(MIN_LAG, LAG_BATCHES * (queue_depth + 1) * max_batch)
        self.emit_tags = bool(emit_tags)
        self.configure(self.bundle)
        module = self.bundle.instantiate(lambda: self.build_model(self.bundle)).eval()
        self._check_outputs_finite(module, item_shape)
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
        self._flag_counts = collections.Counter()
        self._error = None
        self._logger = gr.logger(name)
        self._rx_time = None   # (absolute offset, seconds)
        self._emitter_tags = []   # (absolute offset, dict), from emitter_channeliser
        self._last_detection = {}
        self._rx_rate = self.samp_rate or None
        self._model_name = self.bundle.card.get("name", str(model))
        # realtime: batches waiting to be written to the output stream, in window order
        self._pending = collections.deque()
        self._batches = {}
        self._next_batch = 0
        self._waiting = 0          # windows seen whose output item is not written yet
        self._peak_waiting = 0
        self._progress = threading.Event()
        self._worker = None
        if mode == "realtime":
            self._worker = self._new_worker()

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

    # ---- construction checks ----------------------------------------------------------
    def _check_trained_window_length(self, bundle):
        refuse_window_length(bundle, bundle.trained_window_length(), "training")

    def _probe_windows(self, item_shape):
        """A few windows the model must answer with finite outputs: ones and seeded noise."""
        shape = (2, self.window_length) + item_shape
        rng = np.random.default_rng(0)
        if np.issubdtype(self.input_dtype, np.complexfloating):
            noise = rng.standard_normal(shape) + 1j * rng.standard_normal(shape)
        else:
            noise = np.abs(rng.standard_normal(shape)) * 10.0
        return np.concatenate([np.ones((1,) + shape[1:]), noise]).astype(self.input_dtype)

    def _check_outputs_finite(self, module, item_shape):
        """The network must take the card's windows and answer them with finite numbers."""
        import torch

        try:
            batch = self.preprocess(self._probe_windows(item_shape))
            with torch.inference_mode():
                outputs = module(torch.as_tensor(np.ascontiguousarray(batch)))
        except Exception as error:
            raise BundleError("model: {}: the network does not accept the card's windows (window_length {}): "
                              "{}: {}".format(self.bundle.card_path, self.window_length, type(error).__name__,
                                              error)) from None
        outputs = outputs if isinstance(outputs, (tuple, list)) else (outputs,)
        if not all(bool(torch.isfinite(o).all()) for o in outputs):
            raise BundleError("model: {}: the network's output on test windows is NaN or Inf; allowed: a bundle "
                              "whose weights and card values give finite outputs".format(self.bundle.card_path))

    # ---- counters -------------------------------------------------------------------
    def _count(self, **increments):
        with self._lock:
            self._counts.update(increments)

    def stats(self):
        """Counts of windows seen, scored, skipped (realtime) and flagged (bad input or a
        model error); seen == scored + skipped + flagged once the stream has ended."""
        with self._lock:
            return {k: int(self._counts[k]) for k in ("seen", "scored", "skipped", "flagged")}

    def flag_counts(self):
        """Windows per runtime flag: nonfinite, zero, nonfinite_power, error (these four
        make up `flagged`), skipped (all skipped windows) and late (skipped because the
        realtime output lag reached max_lag)."""
        with self._lock:
            return {k: int(self._flag_counts[k]) for k in RUNTIME_FLAGS}

    def output_dropped(self):
        """realtime: windows whose output item was not written (their detection was still
        published): the downstream left no room for max_lag windows, or the flowgraph was
        stopped before they were written. Always 0 in lossless mode."""
        with self._lock:
            return int(self._counts["output_dropped"])

    def output_lag(self):
        """realtime: (windows waiting for their output item now, the most that waited at
        the end of a work() call); never more than max_lag. (0, 0) in lossless mode."""
        with self._lock:
            return int(self._waiting), int(self._peak_waiting)

    def error(self):
        """The text of the (first) exception that ended the block, or None."""
        return self._error

    def errors(self):
        """How many exceptions were caught (each logged): model batches that raised, or work()."""
        with self._lock:
            return int(self._counts["errors"])

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
        # realtime: while windows wait for their output item, ask for no input, so that
        # GNU Radio calls work() at the end of the stream too and the items get written;
        # after an error, so that work() gets to return WORK_DONE.
        if self._waiting or self._error is not None:
            return [0] * ninputs
        return [1] * ninputs

    def general_work(self, input_items, output_items):
        try:
            if self.mode == "realtime":
                return self._work_realtime(input_items[0], output_items[0])
            if self._error is not None:
                return WORK_DONE
            return self._work_lossless(input_items[0], output_items[0])
        except Exception as error:  # a bug: never leave the flowgraph hanging
            self._fail("work() raised {}: {}\n{}".format(type(error).__name__, error, traceback.format_exc()))
            return WORK_DONE

    def _fail(self, message):
        if self._error is None:
            self._error = message.strip().splitlines()[0]
        self._count(errors=1)
        self._logger.error("{}: {}; the flowgraph ends".format(self.name(), message))

    def _work_lossless(self, chunk, out):
        nread = self.nitems_read(0)
        windows, offsets, consumed = self.windower.take(chunk, nread, min(len(out), self.max_batch))
        self._track_time_tags(nread, consumed)
        produced = 0
        if len(windows):
            self._count(seen=len(windows))
            values, records = self._score(windows, offsets)
            out[:len(values)] = values
            self._publish(records, self.nitems_written(0))
            produced = len(values)
        self.consume(0, consumed)
        return produced

    def start(self):
        # Subscriptions are made before blocks start (and asking from work() can deadlock).
        self._subscribed = not pmt.is_null(self.message_subscribers(self._detections_port))
        if self.mode == "realtime" and self._worker.closed:
            self._worker = self._new_worker()   # a flowgraph started again after stop()
        return True

    def stop(self):
        """realtime: finish the queued batches (their detections are published) and end the
        inference thread; windows still without an output item count as output_dropped."""
        if self._worker is not None and not self._worker.closed:
            self._worker.close()
            with self._lock:
                self._counts["output_dropped"] += self._waiting
                self._waiting = 0
                self._pending.clear()
                self._batches.clear()
        return True

    # ---- scoring --------------------------------------------------------------------
    def _validity(self, windows):
        """Per window: (finite samples, not all zero, power representable in float32)."""
        axes = tuple(range(1, windows.ndim))
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            if windows.dtype == np.complex64 and windows.flags.c_contiguous:
                # |x|^2 summed over each window as float32, without temporaries
                flat = windows.view(np.float32).reshape(len(windows), -1)
                energy = np.einsum("ij,ij->i", flat, flat)
            else:
                squares = windows.real * windows.real + windows.imag * windows.imag if np.iscomplexobj(windows) \
                    else windows * windows
                energy = np.sum(squares, axis=axes, dtype=np.float32)
            power = energy / np.float32(np.prod(windows.shape[1:]))
        # One pass: a finite energy means finite samples, a positive one a non-zero window;
        # only the other windows are looked at sample by sample.
        finite = np.isfinite(energy)
        if not finite.all():
            finite[~finite] = np.all(np.isfinite(windows[~finite]), axis=axes)
        anything = energy > 0
        unsure = finite & ~anything
        if unsure.any():
            anything[unsure] = np.any(windows[unsure] != 0, axis=axes)
        nonzero = anything if self.flag_zero_windows else np.ones(len(windows), bool)
        # The preprocessing sums |x|^2 in float32: it overflows above ~3.4e38, and below
        # float32's smallest normal number (1.18e-38) it has lost its precision.
        representable = np.isfinite(energy) | ~finite
        if self.flag_zero_windows:
            representable &= (power >= _F32.tiny) | ~anything
        return finite, nonzero, representable

    def _flags(self, finite, nonzero, representable, context):
        mismatch = ["rate_mismatch"] if self._rx_rate and self._rate_differs(self._rx_rate) else []
        flags = []
        for f, z, r, c in zip(finite.tolist(), nonzero.tolist(), representable.tolist(), context):
            flags.append((["nonfinite"] if not f else ["zero"] if not z else ["nonfinite_power"] if not r else [])
                         + mismatch + c.get("flags", []))
        return flags

    @staticmethod
    def _trained_rate(bundle):
        rate = bundle.card.get("input", {}).get("sample_rate")
        if rate is None:
            return None
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 < rate < float("inf"):
            raise BundleError("model: {} has input.sample_rate {!r}; allowed: a positive number of samples per "
                              "second, or no entry (any rate)".format(bundle.card_path, rate))
        return float(rate)

    def _rate_differs(self, rate):
        """Whether a stream at `rate` is not what the bundle was trained on (unknown: never)."""
        return self.trained_rate is not None and abs(rate - self.trained_rate) > RATE_TOLERANCE * self.trained_rate

    def _records(self, offsets, context, values, fields, flags):
        records = []
        for i, offset in enumerate(offsets.tolist()):
            record = {"offset": offset, "last_offset": offset + self.window_length - 1,
                      "length": self.window_length,
                      "window": offset // self.stride, "model": self._model_name}
            record.update(fields[i] if fields is not None else {})
            record["flags"] = flags[i] + list(record.get("flags", []))
            for key in ("rx_time", "emitter"):
                if key in context[i]:
                    record[key] = context[i][key]
            records.append((float(values[i]), record))
        return records

    def _tally(self, flags, **counts):
        """Count runtime flags and stats increments under one lock."""
        with self._lock:
            for window_flags in flags:
                self._flag_counts.update(f for f in window_flags if f in RUNTIME_FLAGS)
            self._counts.update(counts)

    def _run_model(self, batch):
        """describe(engine(batch)), or (None, error text) when the model raises."""
        try:
            return self.describe(self.engine(batch)), None
        except Exception as error:
            return None, "{}: {}".format(type(error).__name__, error)

    def _score(self, windows, offsets):
        finite, nonzero, representable = self._validity(windows)
        context = self._context(offsets)
        flags = self._flags(finite, nonzero, representable, context)
        good = finite & nonzero & representable
        values = np.full(len(windows), np.nan, np.float32)
        fields = [{} for _ in range(len(windows))]
        scored = 0
        if np.any(good):
            result, error = self._run_model(self.preprocess(windows if good.all() else windows[good]))
            if error is None:
                values[good] = result[0]
                for j, i in enumerate(np.flatnonzero(good)):
                    fields[i] = result[1][j]
                scored = int(good.sum())
            else:
                for i in np.flatnonzero(good):
                    flags[i] = ["error"]
                self._fail("the model raised {}".format(error))
        self._tally(flags, scored=scored, flagged=len(windows) - scored)
        return values, self._records(offsets, context, values, fields, flags)

    def _tag(self, records, first_output_index):
        """realtime: the published detections as tags on their output items."""
        key = pmt.intern(self.tag_key)
        for i, (value, record) in enumerate(records):
            if record["flags"] or self.publishes(value, record):
                self.add_item_tag(0, first_output_index + i, key, record_to_pmt(record))

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
    def _new_worker(self):
        from .worker import InferenceWorker
        return InferenceWorker(self.engine, self._on_batch_done, self.queue_depth, skip=self._abandoned)

    def _work_realtime(self, chunk, out):
        self._progress.clear()
        written = self._emit_ready(out, 0)
        consumed = 0
        if self._error is None:
            consumed = self._cut_all(chunk)
        else:
            self._abandon_all()
        written += self._emit_ready(out, written)
        written += self._bound_lag(out, written)
        if not written and not consumed and self._waiting:
            # Nothing to write yet and no new input: wait a little for the inference
            # thread instead of spinning (GNU Radio calls again right away).
            self._progress.wait(IDLE_WAIT_S)
            written += self._emit_ready(out, written)
        with self._lock:
            self._peak_waiting = max(self._peak_waiting, self._waiting)
        if self._error is not None and not self._waiting:
            return written or WORK_DONE
        return written

    def _cut_all(self, chunk):
        """Cut every window the input holds (batches of max_batch) and consume it all, so
        a slow model never holds the source back."""
        nread = self.nitems_read(0)
        position = 0
        while True:
            windows, offsets, consumed = self.windower.take(chunk[position:], nread + position, self.max_batch)
            self._track_time_tags(nread + position, consumed)
            position += consumed
            if len(windows):
                self._count(seen=len(windows))
                self._submit(windows, offsets)
            if len(windows) < self.max_batch:
                break
        self.consume(0, position)
        return position

    def _submit(self, windows, offsets):
        finite, nonzero, representable = self._validity(windows)
        good = finite & nonzero & representable
        context = self._context(offsets)
        entry = {"offsets": offsets, "context": context, "good": good,
                 "flags": self._flags(finite, nonzero, representable, context), "records": None, "written": 0}
        with self._lock:
            batch_id = self._next_batch
            self._next_batch += 1
            self._batches[batch_id] = entry
            self._pending.append(batch_id)
            self._waiting += len(offsets)
        # (preprocessing only a batch the queue has room for)
        if np.any(good) and self._worker.has_room() and \
                self._worker.submit(batch_id, self.preprocess(windows if good.all() else windows[good])):
            return
        with self._lock:
            records = self._give_up(entry, late=False)
        self._publish(records, None)

    def _give_up(self, entry, late):
        """(under the lock) Records for a batch the model will not score: NaN, skipped."""
        good = entry["good"]
        extra = ["skipped", "late"] if late else ["skipped"]
        flags = [entry["flags"][i] + extra if good[i] else entry["flags"][i] for i in range(len(good))]
        values = np.full(len(good), np.nan, np.float32)
        records = self._records(entry["offsets"], entry["context"], values, None, flags)
        for window_flags in flags:
            self._flag_counts.update(f for f in window_flags if f in RUNTIME_FLAGS)
        skipped = int(good.sum())
        self._counts.update(skipped=skipped, flagged=len(good) - skipped)
        entry["records"] = records
        entry["abandoned"] = True
        return records

    def _abandoned(self, batch_id):
        """Whether the inference thread should not run a batch: given up, or after an error
        (work() then gives the batch up too)."""
        with self._lock:
            entry = self._batches.get(batch_id)
            return entry is None or entry.get("abandoned", False) or self._error is not None

    def _on_batch_done(self, batch_id, outputs):
        """On the inference thread: the batch's records, published, then ready to write.
        Never raises: a bug here still leaves the batch written (skipped) and ends the block."""
        try:
            self._finish_batch(batch_id, outputs)
        except Exception as error:
            self._fail("the inference thread raised {}: {}\n{}".format(type(error).__name__, error,
                                                                      traceback.format_exc()))
            with self._lock:
                entry = self._batches.get(batch_id)
                records = self._give_up(entry, late=False) if entry and entry["records"] is None else None
            if records is not None:
                self._publish(records, None)
            self._progress.set()

    def _finish_batch(self, batch_id, outputs):
        with self._lock:
            entry = self._batches.get(batch_id)
            if entry is None or entry.get("abandoned"):
                return
        good = entry["good"]
        flags = [list(f) for f in entry["flags"]]
        values = np.full(len(good), np.nan, np.float32)
        fields = [{} for _ in range(len(good))]
        if isinstance(outputs, Exception):
            result, error = None, "{}: {}".format(type(outputs).__name__, outputs)
        else:
            try:
                result, error = self.describe(outputs), None
            except Exception as failure:
                result, error = None, "{}: {}".format(type(failure).__name__, failure)
        if error is None:
            values[good] = result[0]
            for j, i in enumerate(np.flatnonzero(good)):
                fields[i] = result[1][j]
        else:
            for i in np.flatnonzero(good):
                flags[i] = ["error"]
        records = self._records(entry["offsets"], entry["context"], values, fields, flags)
        with self._lock:
            if entry.get("abandoned"):
                return   # given up while it ran: already counted and published as skipped
            entry["published"] = True
        self._publish(records, None)
        scored = int(good.sum()) if error is None else 0
        self._tally(flags, scored=scored, flagged=len(good) - scored)
        if error is not None:
            self._fail("the model raised {}".format(error))
        with self._lock:
            entry["records"] = records
        self._progress.set()

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
                done = entry["written"]
                take = min(len(records) - done, len(out) - written)
                for i in range(take):
                    out[written + i] = records[done + i][0]
                if self.emit_tags:
                    self._tag(records[done:done + take], self.nitems_written(0) + written)
                entry["written"] = done + take
                self._waiting -= take
                if entry["written"] == len(records):
                    del self._batches[self._pending.popleft()]
            written += take
        return written - start

    def _bound_lag(self, out, written):
        """Keep at most max_lag windows waiting for their output item: give up the oldest
        batch still with the model (its windows become skipped, flag late), or, when it is
        the downstream that has no room, drop the oldest finished items (output_dropped)."""
        extra = 0
        while self._waiting > self.max_lag:
            published = None
            with self._lock:
                entry = self._batches[self._pending[0]]
                if entry["records"] is None and not entry.get("published"):
                    published = self._give_up(entry, late=True)
                elif entry["records"] is not None:
                    drop = min(len(entry["records"]) - entry["written"], self._waiting - self.max_lag)
                    entry["written"] += drop
                    self._waiting -= drop
                    self._counts["output_dropped"] += drop
                    if entry["written"] == len(entry["records"]):
                        del self._batches[self._pending.popleft()]
                    continue
            if published is not None:
                self._publish(published, None)
                extra += self._emit_ready(out, written + extra)
                continue
            # published by the inference thread a moment ago: its records follow at once
            self._progress.wait(IDLE_WAIT_S)
        return extra

    def _abandon_all(self):
        """After a model error: the batches still queued are not run (skipped)."""
        with self._lock:
            given_up = [self._give_up(entry, late=False) for entry in self._batches.values()
                        if entry["records"] is None and not entry.get("published")]
        for records in given_up:
            self._publish(records, None)

    # ---- time and emitter tags -------------------------------------------------------
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
            elif key == "emitter":
                value = pmt.to_python(tag.value)
                if isinstance(value, dict):
                    self._emitter_tags.append((tag.offset, value))

    def _context(self, offsets):
        """Per window start: a dict with rx_time (from the latest rx_time / rx_rate tags), or,
        after `emitter` tags (emitter_channeliser), `emitter`: the latest tag's dict with its
        wideband_offset and rx_time moved to the window's start, and flag mixed_emitters
        when another emitter's tag falls inside the window."""
        if not self._emitter_tags:
            if self._rx_time is None or not self._rx_rate:
                return [{} for _ in offsets]
            tag_offset, seconds = self._rx_time
            return [{"rx_time": seconds + (int(offset) - tag_offset) / self._rx_rate} for offset in offsets]
        starts = [offset for offset, _ in self._emitter_tags]
        out = []
        for offset in (int(o) for o in offsets):
            i = bisect.bisect_right(starts, offset) - 1
            if i < 0:
                out.append({})
                continue
            tag_offset, info = self._emitter_tags[i]
            emitter = dict(info)
            step, delta = emitter.get("wideband_step"), offset - tag_offset
            if isinstance(step, float) and isinstance(emitter.get("wideband_offset"), int):
                emitter["wideband_offset"] += int(round(delta * step))
                if isinstance(emitter.get("rx_time"), float) and emitter.get("wideband_rate"):
                    emitter["rx_time"] += delta * step / emitter["wideband_rate"]
            context = {"emitter": emitter}
            if "rx_time" in emitter:
                context["rx_time"] = emitter["rx_time"]
            if i + 1 < len(starts) and starts[i + 1] < offset + self.window_length:
                context["flags"] = ["mixed_emitters"]
            out.append(context)
        # tags before the one the last window starts in are not needed again
        last = bisect.bisect_right(starts, int(offsets[-1])) - 1 if len(offsets) else -1
        if last > 0:
            del self._emitter_tags[:last]
        return out
