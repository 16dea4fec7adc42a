# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""The machinery every model block shares: bundles, windowing, inference, the block base."""

from .bundle import BundleError, ModelBundle, save_bundle, shipped_bundles
from .windowing import Windower

__all__ = ["BundleError", "ModelBundle", "Windower", "save_bundle", "shipped_bundles"]
