# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""The `sentinel` command line. Each sub-command lives in its own module."""

import argparse
import os
import sys

from . import bench, data, demo, loopback, run, train, watch

_COMMANDS = (bench, data, demo, loopback, run, train, watch)


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
    except Exception as error:  # never a traceback for the user; SENTINEL_DEBUG=1 shows it
        if os.environ.get("SENTINEL_DEBUG"):
            raise
        print("sentinel {}: unexpected error: {}: {} (run with SENTINEL_DEBUG=1 for the traceback)".format(
            args.command, type(error).__name__, error), file=sys.stderr)
        return 3
