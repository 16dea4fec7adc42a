#!/usr/bin/env python3
# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Refresh BINDTOOL_HEADER_FILE_HASH in every binding after its header changed.

Run it after editing a header and its *_python.cc to match; the build refuses
bindings whose recorded hash differs from the header.
"""

import hashlib
import pathlib
import re

HERE = pathlib.Path(__file__).resolve().parent
INCLUDE = HERE.parents[2] / "include" / "gnuradio" / "sentinel"

for binding in sorted(HERE.glob("*_python.cc")):
    text = binding.read_text()
    header = re.search(r"BINDTOOL_HEADER_FILE\((.+?)\)", text)
    if not header:
        continue
    digest = hashlib.md5((INCLUDE / header.group(1)).read_bytes()).hexdigest()
    updated = re.sub(r"BINDTOOL_HEADER_FILE_HASH\([0-9a-f]*\)",
                     "BINDTOOL_HEADER_FILE_HASH({})".format(digest), text)
    if updated != text:
        binding.write_text(updated)
        print("updated", binding.name)
