# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""`python -m gnuradio.sentinel.cli` is the `sentinel` command."""

import sys

from . import main

sys.exit(main())
