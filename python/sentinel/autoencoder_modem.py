# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the autoencoder modulator and demodulator blocks share: loading a modem bundle."""

import numpy as np

from .runtime.bundle import BundleError, ModelBundle


def load_modem(model, k=None, n=None):
    """(bundle, torch model) for a modem bundle; k and n, when given, must match the card."""
    from .nn import modem as modem_nn

    bundle = ModelBundle.load(model, expected_kind=modem_nn.KIND)
    arch = bundle.card["architecture"]
    for name, wanted in (("k", k), ("n", n)):
        if wanted is not None and arch.get(name) != wanted:
            raise BundleError("model: {} has {}={}, the block was configured for {}={}".format(
                bundle.path, name, arch.get(name), name, wanted))
    net = bundle.load_into(modem_nn.build(arch)).eval()
    return bundle, net


def message_bits(messages, k):
    """Message indices -> (len, k) bits, MSB first."""
    return ((np.asarray(messages)[:, None] >> np.arange(k - 1, -1, -1)) & 1).astype(np.uint8)


def bits_to_messages(bits, k):
    """(m, k) bits, MSB first -> message indices."""
    return (np.asarray(bits, np.int64) & 1) @ (1 << np.arange(k - 1, -1, -1))
