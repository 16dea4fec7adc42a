# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""gr-sentinel: link test equipment and trained neural blocks for GNU Radio 3.10.

C++ blocks (PRBS BER tester, fading channels) come from the compiled bindings; Python blocks
are imported below, one per file.
"""

__version__ = "0.1.0"

try:
    from .sentinel_python import *  # noqa: F401,F403
except ImportError as error:  # pragma: no cover - a broken install
    raise ImportError(
        "gr-sentinel's compiled bindings failed to load ({}). Build and install "
        "the module with 'make install' (see README.md).".format(error)
    ) from error

from .fading_profiles import fading_profile, fading_profile_names, lookup_profile  # noqa: E402,F401
from .mae_anomaly_scorer import mae_anomaly_scorer  # noqa: E402,F401
from .modulation_classifier import modulation_classifier  # noqa: E402,F401
from .autoencoder_mod_bc import autoencoder_mod_bc  # noqa: E402,F401
from .autoencoder_demod_cb import autoencoder_demod_cb  # noqa: E402,F401
from .kpi_anomaly_detector import kpi_anomaly_detector  # noqa: E402,F401
from .kpi_csv_source import kpi_csv_source  # noqa: E402,F401
from .detection_publisher import detection_publisher  # noqa: E402,F401
from .htrd_classifier import htrd_classifier  # noqa: E402,F401
from .app.sources import simulated_transmitter  # noqa: E402,F401
from .app.sources import recording_source  # noqa: E402,F401
from .overflow_counter import overflow_counter  # noqa: E402,F401
from .emitter_detector import emitter_detector  # noqa: E402,F401
from .emitter_channeliser import emitter_channeliser  # noqa: E402,F401
from .emitter_table import emitter_table  # noqa: E402,F401
from .app.wideband_sources import simulated_band  # noqa: E402,F401
