# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Cutting fixed-length windows from a stream that arrives in arbitrary pieces.

Windows start at absolute sample offsets 0, stride, 2*stride, ... and are
`length` long. The windower keeps at most length + stride samples between
calls and never holds more input than the windows it may emit need, so a
block using it keeps GNU Radio's back-pressure.
"""

import numpy as np


class Windower:
    def __init__(self, length, stride, dtype=np.complex64, item_shape=()):
        """item_shape: the shape of one stream item, () for scalars, (vlen,) for vectors."""
        if length <= 0:
            raise ValueError("window length must be positive, got {}".format(length))
        if stride <= 0:
            raise ValueError("stride: must be a positive number of samples, got {}".format(stride))
        self.length = int(length)
        self.stride = int(stride)
        self.item_shape = tuple(item_shape)
        self._pending = np.zeros((0,) + self.item_shape, dtype)
        self._pending_start = 0   # absolute offset of _pending[0]
        self.next_start = 0       # absolute offset of the next window

    def take(self, chunk, chunk_start, max_windows):
        """Cut up to `max_windows` windows using `chunk` (which starts at absolute
        `chunk_start`, right after what was consumed before).

        Returns (windows (k, length, *item_shape) copy, offsets (k,), consumed): the caller
        must consume exactly `consumed` items of `chunk`.
        """
        chunk = np.asarray(chunk)
        end = chunk_start + len(chunk)
        if self.next_start + self.length > end:
            available = 0
        else:
            available = (end - self.next_start - self.length) // self.stride + 1
        k = int(max(0, min(available, max_windows)))
        offsets = self.next_start + self.stride * np.arange(k, dtype=np.int64)
        if k:
            lo = self.next_start
            hi = offsets[-1] + self.length
            data = np.ascontiguousarray(self._span(chunk, chunk_start, lo, hi))
            # a strided view of the k windows (they lie within data), copied once
            view = np.lib.stride_tricks.as_strided(
                data, shape=(k, self.length) + self.item_shape,
                strides=(self.stride * data.strides[0],) + data.strides, writeable=False)
            windows = np.array(view)
            self.next_start += k * self.stride
        else:
            windows = np.zeros((0, self.length) + self.item_shape,
                               chunk.dtype if chunk.size else self._pending.dtype)
        limited = k < available
        if limited:
            # Leave the rest in GNU Radio's buffer: consume only what no window needs.
            consumed = int(np.clip(self.next_start - chunk_start, 0, len(chunk)))
        else:
            consumed = len(chunk)
        self._keep(chunk[:consumed], chunk_start)
        return windows, offsets, consumed

    def _span(self, chunk, chunk_start, lo, hi):
        if lo >= chunk_start:
            return chunk[lo - chunk_start:hi - chunk_start]
        head = self._pending[lo - self._pending_start:]
        return np.concatenate([head, chunk[:max(0, hi - chunk_start)]])

    def _keep(self, consumed_part, chunk_start):
        """Remember consumed samples from next_start on; drop everything before it."""
        if len(self._pending) and self._pending_start + len(self._pending) != chunk_start:
            raise RuntimeError("windower fed a non-contiguous stream")
        joined_end = chunk_start + len(consumed_part)
        keep_from = self.next_start
        if keep_from >= joined_end:
            self._pending = self._pending[:0]
        elif keep_from >= chunk_start:
            self._pending = np.array(consumed_part[keep_from - chunk_start:])
        else:
            keep_from = max(keep_from, self._pending_start)
            self._pending = np.concatenate([self._pending[keep_from - self._pending_start:], consumed_part])
        self._pending_start = min(keep_from, joined_end) if len(self._pending) else joined_end
