# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""The realtime mode's inference thread: a bounded queue of window batches.

`submit` never blocks: when the queue is full (or the worker is closed) the batch is
refused and the caller counts its windows as skipped. Results are delivered, in
submission order, by calling `on_result(batch_id, outputs)` on the worker thread
(`outputs` is the exception when the model raised). A batch for which `skip(batch_id)`
is true when its turn comes is not run and gets no result.
"""

import queue
import threading


class InferenceWorker:
    def __init__(self, run, on_result, depth, skip=None):
        if depth < 1:
            raise ValueError("queue_depth: must be at least 1, got {}".format(depth))
        self._run = run
        self._on_result = on_result
        self._skip = skip or (lambda batch_id: False)
        self._queue = queue.Queue(maxsize=depth)
        self.closed = False
        self._thread = threading.Thread(target=self._loop, name="sentinel-inference", daemon=True)
        self._thread.start()

    def has_room(self):
        """Whether submit() would take a batch now (only this thread submits)."""
        return not self.closed and not self._queue.full()

    def submit(self, batch_id, batch):
        if self.closed:
            return False
        try:
            self._queue.put_nowait((batch_id, batch))
            return True
        except queue.Full:
            return False

    def _loop(self):
        while True:
            item = self._queue.get()
            if item is None:
                return
            batch_id, batch = item
            if self._skip(batch_id):
                continue
            try:
                outputs = self._run(batch)
            except Exception as error:  # reported per batch; the block decides what follows
                outputs = error
            self._on_result(batch_id, outputs)

    def close(self, timeout=30.0):
        """Finish what is queued (results delivered), then stop the thread."""
        self.closed = True
        self._queue.put(None)
        self._thread.join(timeout)
