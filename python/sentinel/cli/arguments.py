# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""argparse types for the sub-commands: a bad value ends in argparse's one error line,
`sentinel run: error: argument --rate: ...`, that names the option and what it allows,
never in a traceback, a binding's signature dump or a silent default."""

import argparse
import math


def _bounds(low, high, low_open):
    if math.isfinite(low) and math.isfinite(high) and not low_open:
        return "from {:g} to {:g}".format(low, high)
    parts = []
    if math.isfinite(low):
        parts.append("{} {:g}".format(">" if low_open else ">=", low))
    if math.isfinite(high):
        parts.append("<= {:g}".format(high))
    return " and ".join(parts)


def real(low=-math.inf, high=math.inf, low_open=False, what="a finite number", note=""):
    """A finite float in [low, high] ((low, high] with `low_open`); the error says
    "<what> <bounds> (<note>), got '<text>'"."""
    allowed = " ".join(p for p in (what, _bounds(low, high, low_open)) if p)
    if note:
        allowed += " ({})".format(note)

    def parse(text):
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        inside = value > low if low_open else value >= low
        if not (math.isfinite(value) and inside and value <= high):
            raise argparse.ArgumentTypeError("{}, got '{}'".format(allowed, text))
        return value

    parse.__name__ = "real"
    return parse


def integer(low=0, high=None, what="an integer", note=""):
    """An integer in [low, high]."""
    allowed = "{} from {} to {}".format(what, low, high) if high is not None else "{} >= {}".format(what, low)
    if note:
        allowed += " ({})".format(note)

    def parse(text):
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or value < low or (high is not None and value > high):
            raise argparse.ArgumentTypeError("{}, got '{}'".format(allowed, text))
        return value

    parse.__name__ = "integer"
    return parse


def endpoint(bind):
    """A ZeroMQ endpoint (detection_publisher.check_endpoint): to bind, or to connect to."""
    from ..detection_publisher import check_endpoint

    def parse(text):
        try:
            return check_endpoint(text, "endpoint", bind=bind)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error).partition(": ")[2]) from None

    parse.__name__ = "endpoint"
    return parse
