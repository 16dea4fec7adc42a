# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""GNU Radio block: the channel autoencoder's transmitter (bits -> complex channel uses)."""

import numpy as np
from gnuradio import gr

from .autoencoder_modem import bits_to_messages, load_modem


class autoencoder_mod_bc(gr.basic_block):
    """k bits in (one per byte, LSB used; or packed, MSB first) -> n complex samples out
    per message, from the learned codebook (unit average energy per sample)."""

    def __init__(self, model="ae_7_4", packed=False, k=None, n=None):
        gr.basic_block.__init__(self, name="autoencoder_mod_bc", in_sig=[np.uint8], out_sig=[np.complex64])
        self.bundle, net = load_modem(model, k, n)
        self.k, self.n = net.k, net.n
        import torch
        with torch.no_grad():
            self.codebook = net.codebook().numpy().astype(np.complex64)
        self.packed = bool(packed)
        self._bits = np.zeros(0, np.uint8)  # reservoir of bits from consumed packed bytes
        self.set_relative_rate(self.n / self.k * (8 if packed else 1))
        self.set_output_multiple(self.n)  # whole messages only

    def forecast(self, noutput_items, ninputs):
        messages = -(-noutput_items // self.n)
        bits = messages * self.k - len(self._bits)
        return [max(1, -(-bits // 8) if self.packed else bits)]

    def general_work(self, input_items, output_items):
        data = input_items[0]
        out = output_items[0]
        room = len(out) // self.n
        if self.packed:
            need = max(0, room * self.k - len(self._bits))
            take = min(len(data), -(-need // 8))
            bits = np.concatenate([self._bits, np.unpackbits(np.asarray(data[:take], np.uint8))])
        else:
            take = min(len(data), room * self.k)
            bits = np.asarray(data[:take], np.uint8) & 1
        count = min(room, len(bits) // self.k)
        messages = bits_to_messages(bits[:count * self.k].reshape(count, self.k), self.k)
        out[:count * self.n] = self.codebook[messages].reshape(-1)
        if self.packed:
            self._bits = bits[count * self.k:]
        else:
            take = count * self.k
        self.consume(0, take)
        return count * self.n
