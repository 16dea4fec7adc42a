# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""An independent, literal model of the ITU-T O.150 shift registers, for tests.

O.150 describes each generator as an n-stage shift register whose first stage
is fed with the modulo-2 sum of the outputs of stage m and stage n. The block
emits that feedback bit; the register starts all ones unless seeded.
"""

import numpy as np

# name: (n, m, inverted per O.150)
O150 = {
    "PRBS7": (7, 6, False),
    "PRBS9": (9, 5, False),
    "PRBS11": (11, 9, False),
    "PRBS15": (15, 14, True),
    "PRBS20": (20, 3, False),
    "PRBS23": (23, 18, True),
    "PRBS31": (31, 28, True),
}


def shift_register_bits(n, m, count, inverted=False, stages=None):
    stages = list(stages) if stages is not None else [1] * n  # stages[0] is stage 1
    out = np.empty(count, dtype=np.uint8)
    for i in range(count):
        feedback = stages[m - 1] ^ stages[n - 1]
        stages = [feedback] + stages[:-1]
        out[i] = feedback ^ int(inverted)
    return out


def reference_bits(pattern, count):
    n, m, inverted = O150[pattern]
    return shift_register_bits(n, m, count, inverted)


def fast_sequence(n, m, count, inverted=False):
    """The same sequence from the recurrence s[k] = s[k-n] ^ s[k-m], vectorised in chunks."""
    s = np.ones(count + n, dtype=np.uint8)  # n ones of history, then the output
    k = n
    step = min(m, n)
    while k < count + n:
        end = min(k + step, count + n)
        s[k:end] = s[k - n:end - n] ^ s[k - m:end - m]
        k = end
    return s[n:] ^ np.uint8(inverted)
