# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""The realtime mode's inference thread: a bounded queue of window batches.

`submit` never blocks: when the queue is full the batch is refused and the
caller counts its windows as skipped. Results are delivered, in submission
order, by calling `on_result(batch_id, outputs)` on the worker thread.
"""

import queue
import threading


class InferenceWorker:
    def __init__(self, run, on_result, depth):
        if depth < 1:
            raise ValueError("queue_depth: must be at least 1, got {}".format(depth))
        self._run = run
        self._on_result = on_result
        self._queue = queue.Queue(maxsize=depth)
        self._thread = threading.Thread(target=self._loop, name="sentinel-inference", daemon=True)
        self._thread.start()

    def submit(self, batch_id, batch):
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
            try:
                outputs = self._run(batch)
            except Exception as error:  # reported per batch, the thread keeps serving
                outputs = error
            self._on_result(batch_id, outputs)

    def close(self, timeout=30.0):
        """Finish what is queued, then stop the thread."""
        self._queue.put(None)
        self._thread.join(timeout)
