# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Wideband monitoring: finding and following the emitters in an SDR's band, and bringing
each to the models' rate."""

from .band import Emitter, simulate
from .channelise import MODEL_RATE, MODEL_SPS, channelise, estimate_symbol_rate, extract_band, symbol_rate_of
from .tracking import EmitterTracker, Track

__all__ = ["Emitter", "EmitterTracker", "MODEL_RATE", "MODEL_SPS", "Track", "channelise", "estimate_symbol_rate",
           "extract_band", "simulate", "symbol_rate_of"]
