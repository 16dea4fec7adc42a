# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Wideband monitoring: finding and following the emitters in an SDR's band."""

from .tracking import EmitterTracker, Track

__all__ = ["EmitterTracker", "Track"]
