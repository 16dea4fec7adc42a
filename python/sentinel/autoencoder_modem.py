# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the autoencoder modulator and demodulator blocks share: loading a modem bundle."""

import numbers

import numpy as np

from .runtime.bundle import BundleError, ModelBundle


#: Largest message size (bits; 2^k codewords) and codeword length (complex channel uses).
MAX_K = 16
MAX_N = 4096


def load_modem(model, k=None, n=None):
    """(bundle, torch model) for a modem bundle; k and n, when given, must match the card.

    Refused: k or n outside 1..MAX_K / 1..MAX_N, a window_length other than n, weights
    that do not match, and a network whose codebook or decoder output is not finite."""
    import torch

    from .nn import modem as modem_nn

    for name, wanted, limit in (("k", k, MAX_K), ("n", n, MAX_N)):
        if wanted is not None and (isinstance(wanted, bool) or not isinstance(wanted, numbers.Integral)
                                   or not 1 <= wanted <= limit):
            raise ValueError("{}: {!r}; allowed: None (the bundle's) or an integer from 1 to {}".format(
                name, wanted, limit))
    bundle = ModelBundle.load(model, expected_kind=modem_nn.KIND)
    arch = bundle.card["architecture"]
    card_k = bundle.number("architecture", "k", integer=True, minimum=1, meaning="bits per message, at most 16")
    card_n = bundle.number("architecture", "n", integer=True, minimum=1, meaning="channel uses per message")
    if card_k > MAX_K or card_n > MAX_N:
        raise BundleError("model: {}: architecture k={}, n={}; allowed: k from 1 to {}, n from 1 to {}".format(
            bundle.card_path, card_k, card_n, MAX_K, MAX_N))
    if bundle.window_length != card_n:
        raise BundleError("model: {}: window_length {} differs from architecture.n {}; allowed: window_length "
                          "{}".format(bundle.card_path, bundle.window_length, card_n, card_n))
    for name, wanted in (("k", k), ("n", n)):
        if wanted is not None and arch.get(name) != wanted:
            raise BundleError("model: {} has {}={}, the block was configured for {}={}".format(
                bundle.path, name, arch.get(name), name, wanted))
    net = bundle.instantiate(lambda: modem_nn.build(arch)).eval()
    with torch.no_grad():
        codebook = net.codebook()
        decided = net(torch.stack([codebook.real, codebook.imag], dim=2).reshape(len(codebook), -1))
    if not (bool(torch.isfinite(codebook).all()) and bool(torch.isfinite(decided).all())):
        raise BundleError("model: {}: the network's codebook or decoder output is NaN or Inf; allowed: a bundle "
                          "whose weights give finite outputs".format(bundle.card_path))
    return bundle, net


def message_bits(messages, k):
    """Message indices -> (len, k) bits, MSB first."""
    return ((np.asarray(messages)[:, None] >> np.arange(k - 1, -1, -1)) & 1).astype(np.uint8)


def bits_to_messages(bits, k):
    """(m, k) bits, MSB first -> message indices."""
    return (np.asarray(bits, np.int64) & 1) @ (1 << np.arange(k - 1, -1, -1))


def packed_groups(k, packed):
    """(messages, bytes) per group of a packed or unpacked bit stream of k-bit messages:
    packed streams go in groups of lcm(k, 8) bits (whole bytes and whole messages),
    unpacked ones one message (k bytes) at a time. Refuses a `packed` that is not a bool."""
    import math

    if not isinstance(packed, (bool, np.bool_)) and packed not in (0, 1):
        raise ValueError("packed: {!r}; allowed: False (one bit per byte) or True (8 bits per byte, MSB "
                         "first)".format(packed))
    if not packed:
        return 1, k
    group_bits = k * 8 // math.gcd(k, 8)
    return group_bits // k, group_bits // 8
