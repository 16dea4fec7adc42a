# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""The last `capacity` samples of a stream, addressed by absolute sample offset."""

import numpy as np


class SampleHistory:
    def __init__(self, capacity, dtype=np.complex64):
        if not (isinstance(capacity, (int, np.integer)) and capacity > 0):
            raise ValueError("capacity: {!r}; allowed: a whole number of samples > 0".format(capacity))
        self.capacity = int(capacity)
        self._ring = np.zeros(self.capacity, dtype)
        self.end = 0            # absolute offset after the newest sample

    @property
    def start(self):
        """The oldest absolute offset still held."""
        return max(0, self.end - self.capacity)

    def append(self, samples):
        samples = np.asarray(samples, self._ring.dtype)
        if len(samples) > self.capacity:
            self.end += len(samples) - self.capacity
            samples = samples[-self.capacity:]
        first = self.end % self.capacity
        head = min(len(samples), self.capacity - first)
        self._ring[first:first + head] = samples[:head]
        self._ring[:len(samples) - head] = samples[head:]
        self.end += len(samples)

    def holds(self, start, length):
        return start >= self.start and start + length <= self.end

    def read(self, start, length):
        """A copy of samples [start, start + length); ValueError when they are not all held."""
        if not self.holds(start, length):
            raise ValueError("samples [{}, {}) are not held; held: [{}, {})".format(
                start, start + length, self.start, self.end))
        first = start % self.capacity
        head = min(length, self.capacity - first)
        return np.concatenate([self._ring[first:first + head], self._ring[:length - head]])
