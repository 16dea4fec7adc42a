# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""GNU Radio block: the channel autoencoder's receiver (complex channel uses -> bits)."""

import numpy as np
from gnuradio import gr

from .autoencoder_modem import load_modem, message_bits, packed_groups
from .runtime.block import end_on_error, integer_parameter

#: Largest max_batch: messages decoded in one forward.
MAX_BATCH = 1 << 20


class autoencoder_demod_cb(gr.basic_block):
    """n complex samples in -> k bits out per message: the decoder network's most likely
    message, one batched forward per work() call. Unpacked output is one bit per byte
    (0/1); packed output is 8 bits per byte, MSB first, in groups of lcm(k, 8) bits
    (whole bytes and whole messages), the mirror of autoencoder_mod_bc's packed input."""

    def __init__(self, model="ae_7_4", k=None, n=None, max_batch=8192, packed=False):
        self.max_batch = integer_parameter("max_batch", max_batch, 1, MAX_BATCH, "messages per batched forward")
        self._error = None
        gr.basic_block.__init__(self, name="autoencoder_demod_cb", in_sig=[np.complex64], out_sig=[np.uint8])
        self.bundle, self.net = load_modem(model, k, n)
        self.k, self.n = self.net.k, self.net.n
        self._messages_per_group, self._items_per_group = packed_groups(self.k, packed)
        self.packed = bool(packed)
        self.set_relative_rate(self._items_per_group / (self.n * self._messages_per_group))
        self.set_output_multiple(self._items_per_group)  # whole groups only

    def forecast(self, noutput_items, ninputs):
        return [-(-noutput_items // self._items_per_group) * self.n * self._messages_per_group]

    def general_work(self, input_items, output_items):
        try:
            return self._work(input_items, output_items)
        except Exception as error:  # never leave tb.run() hanging: end the flowgraph, logged
            return end_on_error(self, error)

    def error(self):
        """The text of the exception that ended the block, or None."""
        return self._error

    def _work(self, input_items, output_items):
        import torch

        x = input_items[0]
        out = output_items[0]
        groups = min(len(x) // (self.n * self._messages_per_group), len(out) // self._items_per_group,
                     max(1, self.max_batch // self._messages_per_group))
        if groups == 0:
            return 0
        count = groups * self._messages_per_group
        z = np.asarray(x[:count * self.n]).reshape(count, self.n)
        received = np.stack([z.real, z.imag], axis=2).reshape(count, 2 * self.n).astype(np.float32)
        with torch.inference_mode():
            decided = self.net(torch.from_numpy(received)).argmax(dim=1).numpy()
        bits = message_bits(decided, self.k).reshape(-1)
        produced = groups * self._items_per_group
        out[:produced] = np.packbits(bits) if self.packed else bits
        self.consume(0, count * self.n)
        return produced
