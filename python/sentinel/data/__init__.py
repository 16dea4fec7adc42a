# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Datasets made with GNU Radio: RadioML-2016.10a-style and MAE-paper recipes, loaders
for the public RadioML files, SigMF I/O.

    from gnuradio.sentinel import data
    data.generate_named("rml2016", "rml.h5", count=1000, seed=1)
    ds = data.load("rml.h5")
"""

from .channel import ChannelConfig
from .generate import generate, generate_named
from .receiver import ReceiverConfig
from .recipes import LiveReceiver, MAEPaper, RadioML2016, RECIPES
from .storage import Dataset, load

__all__ = ["ChannelConfig", "Dataset", "LiveReceiver", "MAEPaper", "RECIPES", "RadioML2016", "ReceiverConfig", "generate",
           "generate_named", "load"]
