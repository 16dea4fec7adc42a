#!/usr/bin/env python3
# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Add a folder to GNU Radio Companion's block path in ~/.gnuradio/config.conf.

Other settings in the file, and other folders already on the path, are kept.
"""

import configparser
import os
import pathlib
import sys


def add_block_path(blocks_dir, config_file):
    config = configparser.ConfigParser()
    config.read(config_file)
    if not config.has_section("grc"):
        config.add_section("grc")
    paths = [p for p in config.get("grc", "local_blocks_path", fallback="").split(os.pathsep) if p]
    if blocks_dir in paths:
        return False
    config.set("grc", "local_blocks_path", os.pathsep.join(paths + [blocks_dir]))
    config_file.parent.mkdir(parents=True, exist_ok=True)
    with open(config_file, "w") as handle:
        config.write(handle)
    return True


if __name__ == "__main__":
    blocks = str(pathlib.Path(sys.argv[1]).resolve())
    target = pathlib.Path.home() / ".gnuradio" / "config.conf"
    if add_block_path(blocks, target):
        print("GRC block path: added {} to {}".format(blocks, target))
