#!/usr/bin/env bash
# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Put a gnuradio-companion launcher in the venv, so flowgraphs that GRC
# generates run with the venv's Python (and so find gnuradio.sentinel and torch).
set -euo pipefail
venv="$1"
grc="$(command -v gnuradio-companion || true)"
[ -n "$grc" ] || exit 0
launcher="$venv/bin/gnuradio-companion"
cat > "$launcher" <<LAUNCH
#!/bin/sh
exec "$venv/bin/python" "$grc" "\$@"
LAUNCH
chmod +x "$launcher"
