# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""GNU Radio block: the channel autoencoder's transmitter (bits -> complex channel uses)."""

import numpy as np
from gnuradio import gr

from .autoencoder_modem import bits_to_messages, load_modem, packed_groups
from .runtime.block import end_on_error


class autoencoder_mod_bc(gr.basic_block):
    """k bits in (one per byte, LSB used; or packed, MSB first) -> n complex samples out
    per message, from the learned codebook (unit average energy per sample).

    Packed input is taken in groups of lcm(k, 8) bits (whole bytes and whole messages),
    so no bits wait inside the block; trailing bits that do not fill a group (or, unpacked,
    a message) at the end of a finite stream are not sent.
    """

    def __init__(self, model="ae_7_4", packed=False, k=None, n=None):
        self._error = None
        gr.basic_block.__init__(self, name="autoencoder_mod_bc", in_sig=[np.uint8], out_sig=[np.complex64])
        self.bundle, net = load_modem(model, k, n)
        self.k, self.n = net.k, net.n
        import torch
        with torch.no_grad():
            self.codebook = net.codebook().numpy().astype(np.complex64)
        self._messages_per_group, self._items_per_group = packed_groups(self.k, packed)
        self.packed = bool(packed)
        self.set_relative_rate(self.n * self._messages_per_group / self._items_per_group)
        self.set_output_multiple(self.n * self._messages_per_group)  # whole groups only

    def forecast(self, noutput_items, ninputs):
        groups = -(-noutput_items // (self.n * self._messages_per_group))
        return [groups * self._items_per_group]

    def general_work(self, input_items, output_items):
        try:
            return self._work(input_items, output_items)
        except Exception as error:  # never leave tb.run() hanging: end the flowgraph, logged
            return end_on_error(self, error)

    def error(self):
        """The text of the exception that ended the block, or None."""
        return self._error

    def _work(self, input_items, output_items):
        data = np.asarray(input_items[0], np.uint8)
        out = output_items[0]
        groups = min(len(data) // self._items_per_group,
                     len(out) // (self.n * self._messages_per_group))
        take = groups * self._items_per_group
        bits = np.unpackbits(data[:take]) if self.packed else data[:take] & 1
        count = groups * self._messages_per_group
        messages = bits_to_messages(bits.reshape(count, self.k), self.k)
        out[:count * self.n] = self.codebook[messages].reshape(-1)
        self.consume(0, take)
        return count * self.n
