# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""The sentinel application: sources, the monitoring flowgraph, live output and reports
behind `sentinel run` and `sentinel demo`."""
