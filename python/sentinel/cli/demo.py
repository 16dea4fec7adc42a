# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""`sentinel demo` (what `make demo` runs): the sentinel flowgraph on its simulated
transmitter for 20 s, with the live table and a report in sentinel_report/."""

from . import run as run_command


def add_parser(sub):
    parser = sub.add_parser("demo", help="the sentinel flowgraph on the simulated transmitter (make demo)",
                            usage=run_command.run_usage("demo"))
    run_command.add_arguments(parser, source_default="sim", duration_default=20.0)
    parser.set_defaults(run=run_command.run)
    return parser
