# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""The `sentinel` command line. Each sub-command lives in its own module."""

import argparse
import sys

from . import bench, data, demo, train

_COMMANDS = (bench, data, demo, train)


def build_parser():
    parser = argparse.ArgumentParser(
        prog="sentinel", description="gr-sentinel: link test and neural monitoring for GNU Radio.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for module in _COMMANDS:
        module.add_parser(sub)
    return parser


def main(argv=None):
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(line_buffering=True)  # progress lines reach logs as they happen
    args = build_parser().parse_args(argv)
    try:
        return args.run(args) or 0
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except (ValueError, RuntimeError) as error:
        print("sentinel {}: error: {}".format(args.command, error), file=sys.stderr)
        return 2
