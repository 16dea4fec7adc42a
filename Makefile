# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# `make demo` and `make test` do all set-up themselves: system packages, the
# .venv, pinned requirements, the CMake build installed into .venv, and GRC's
# block path. Every step is skipped when already done.

VENV      := $(CURDIR)/.venv
PYTHON    := $(VENV)/bin/python
BUILD     := $(CURDIR)/build
JOBS      ?= $(shell nproc 2>/dev/null || echo 2)
SYSTEM_PY := /usr/bin/python3
# GRC_CONFIG=no skips adding the blocks to ~/.gnuradio/config.conf (e.g. a second checkout).
GRC_CONFIG ?= yes

export QT_QPA_PLATFORM ?= offscreen

.PHONY: all setup system venv build install demo test bench clean distclean

all: install

setup: install

system:
	@tools/install-system-packages.sh

$(VENV)/.created: | system
	$(SYSTEM_PY) -m venv --system-site-packages $(VENV)
	touch $@

$(VENV)/.requirements: requirements.txt $(VENV)/.created
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

venv: $(VENV)/.requirements

$(BUILD)/CMakeCache.txt: $(VENV)/.requirements CMakeLists.txt
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release \
	    -DCMAKE_INSTALL_PREFIX=$(VENV) \
	    -DPYTHON_EXECUTABLE=$(PYTHON) -DPython_EXECUTABLE=$(PYTHON) \
	    -DENABLE_DOXYGEN=OFF

build: $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

install: build
	cmake --install $(BUILD) > /dev/null
# GR_PYTHON_INSTALL writes the interpreter it saw at configure time into the launcher;
# a re-configure that CMake starts by itself (a new file) can see /usr/bin/python3.
	sed -i '1s|^#!.*|#!$(PYTHON)|' $(VENV)/bin/sentinel
	@tools/install-venv-launchers.sh $(VENV)
ifneq ($(GRC_CONFIG),no)
	@$(PYTHON) tools/configure_grc.py $(VENV)/share/gnuradio/grc/blocks
endif

test: install
	cd $(BUILD) && ctest --output-on-failure
	cd $(CURDIR) && $(PYTHON) -m pytest tests -q

demo: install
	$(VENV)/bin/sentinel demo

bench: install
	$(PYTHON) benchmarks/bench_prbs.py
	$(PYTHON) benchmarks/bench_fading.py
	$(PYTHON) benchmarks/bench_inference.py

clean:
	rm -rf $(BUILD)

distclean: clean
	rm -rf $(VENV)
