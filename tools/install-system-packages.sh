#!/usr/bin/env bash
# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Install the Debian/Ubuntu packages gr-sentinel builds and runs with.
# Does nothing when they are all present, so it is safe to run every time.
set -euo pipefail

# --no-install-recommends below keeps the install small, so what GNU Radio Companion's GUI
# needs is named here: the GTK 3 typelib its launcher imports (without it: "Namespace Gtk
# not available") and the SVG loader for GTK's icons. xvfb and xauth give the GUI test
# (tests/test_grc_gui.py) a virtual display on headless machines.
packages=(
    gnuradio gnuradio-dev gr-osmosdr pybind11-dev libboost-test-dev
    cmake g++ make pkg-config python3-dev python3-venv
    gir1.2-gtk-3.0 librsvg2-common xvfb xauth
)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing system packages: ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
