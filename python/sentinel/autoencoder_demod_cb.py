# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""GNU Radio block: the channel autoencoder's receiver (complex channel uses -> bits)."""

import numpy as np
from gnuradio import gr

from .autoencoder_modem import load_modem, message_bits


class autoencoder_demod_cb(gr.basic_block):
    """n complex samples in -> k bits out (one per byte, 0/1) per message: the decoder
    network's most likely message, one batched forward per work() call."""

    def __init__(self, model="ae_7_4", k=None, n=None, max_batch=8192):
        gr.basic_block.__init__(self, name="autoencoder_demod_cb", in_sig=[np.complex64], out_sig=[np.uint8])
        self.bundle, self.net = load_modem(model, k, n)
        self.k, self.n = self.net.k, self.net.n
        self.max_batch = int(max_batch)
        self.set_relative_rate(self.k / self.n)
        self.set_output_multiple(self.k)  # whole messages only

    def forecast(self, noutput_items, ninputs):
        return [-(-noutput_items // self.k) * self.n]

    def general_work(self, input_items, output_items):
        import torch

        x = input_items[0]
        out = output_items[0]
        count = min(len(x) // self.n, len(out) // self.k, self.max_batch)
        if count == 0:
            return 0
        z = np.asarray(x[:count * self.n]).reshape(count, self.n)
        received = np.stack([z.real, z.imag], axis=2).reshape(count, 2 * self.n).astype(np.float32)
        with torch.inference_mode():
            decided = self.net(torch.from_numpy(received)).argmax(dim=1).numpy()
        out[:count * self.k] = message_bits(decided, self.k).reshape(-1)
        self.consume(0, count * self.n)
        return count * self.k
