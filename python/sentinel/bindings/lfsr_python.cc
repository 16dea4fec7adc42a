/*
 * Copyright 2026 The gr-sentinel authors.
 *
 * This file is part of gr-sentinel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Written in gr_modtool bind's layout; update_hashes.py keeps the hash current. */
/* BINDTOOL_GEN_AUTOMATIC(0) */
/* BINDTOOL_USE_PYGCCXML(0) */
/* BINDTOOL_HEADER_FILE(lfsr.h) */
/* BINDTOOL_HEADER_FILE_HASH(a1dcc9e0f48d454eec3f6a11daef82e7) */

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

namespace py = pybind11;

#include <gnuradio/sentinel/lfsr.h>

void bind_lfsr(py::module& m)
{
    using lfsr = ::gr::sentinel::lfsr;

    py::class_<lfsr, std::shared_ptr<lfsr>>(
        m, "lfsr", "Fibonacci LFSR producing up to 64 bits per step (the PRBS core).")
        .def(py::init<uint64_t, uint64_t>(),
             py::arg("taps"),
             py::arg("reg"),
             "taps: bit (j-1) set for each term x^j; reg: non-zero initial register.")
        .def("degree", &lfsr::degree)
        .def("taps", &lfsr::taps)
        .def("reg", &lfsr::reg)
        .def("reg_mask", &lfsr::reg_mask)
        .def("set_reg", &lfsr::set_reg, py::arg("reg"))
        .def("next_bits",
             &lfsr::next_bits,
             py::arg("count"),
             "The next count (1..64) bits, the first in bit count-1.")
        .def("next_bit", &lfsr::next_bit, "One serial step; returns the new bit.")
        .def("step_back", &lfsr::step_back, "Undo one serial step.")
        .def("advance", &lfsr::advance, py::arg("count"));
}
