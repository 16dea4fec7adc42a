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
/* BINDTOOL_HEADER_FILE(prbs_source_b.h) */
/* BINDTOOL_HEADER_FILE_HASH(08854dfcdc14ac9ca4b87121b6df96df) */

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include "checked_int.h"

namespace py = pybind11;

#include <gnuradio/sentinel/prbs_source_b.h>

void bind_prbs_source_b(py::module& m)
{
    using prbs_source_b = ::gr::sentinel::prbs_source_b;

    py::class_<prbs_source_b,
               gr::sync_block,
               gr::block,
               gr::basic_block,
               std::shared_ptr<prbs_source_b>>(
        m, "prbs_source_b", "ITU-T O.150 pseudo-random bit sequence source.")
        .def(py::init([](const std::string& pattern,
                         bool packed,
                         bool invert,
                         const py::object& seed,
                         const py::object& degree,
                         const py::object& mask) {
                 using gr::sentinel::bindings::checked_int;
                 return prbs_source_b::make(
                     pattern,
                     packed,
                     invert,
                     checked_int<uint64_t>(
                         seed, "seed", "0..2^degree-1 (0: the all-ones register)"),
                     checked_int<unsigned>(degree, "degree", "2..64 (CUSTOM only)"),
                     checked_int<uint64_t>(mask, "mask", "0..2^64-1 (CUSTOM only)"));
             }),
             py::arg("pattern") = "PRBS31",
             py::arg("packed") = false,
             py::arg("invert") = false,
             py::arg("seed") = 0,
             py::arg("degree") = 0,
             py::arg("mask") = 0,
             "pattern: PRBS7/9/11/15/20/23/31 or CUSTOM; packed: 8 bits per byte MSB "
             "first; invert: complement the O.150 polarity; seed: 0 = all ones, else "
             "the register; degree, mask: CUSTOM polynomial (bit j-1 for x^j).")
        .def("pattern", &prbs_source_b::pattern)
        .def("degree", &prbs_source_b::degree)
        .def("mask", &prbs_source_b::mask)
        .def("period", &prbs_source_b::period)
        .def("complemented", &prbs_source_b::complemented)
        .def("bits_out", &prbs_source_b::bits_out);
}
