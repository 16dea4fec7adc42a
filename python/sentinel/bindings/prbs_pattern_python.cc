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
/* BINDTOOL_HEADER_FILE(prbs_pattern.h) */
/* BINDTOOL_HEADER_FILE_HASH(f3df4ccb7405398c044eefcfd619ec52) */

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

namespace py = pybind11;

#include <gnuradio/sentinel/prbs_pattern.h>

void bind_prbs_pattern(py::module& m)
{
    using prbs_pattern = ::gr::sentinel::prbs_pattern;

    py::class_<prbs_pattern>(m, "prbs_pattern", "A PRBS polynomial and its O.150 polarity.")
        .def_readonly("name", &prbs_pattern::name)
        .def_readonly("degree", &prbs_pattern::degree)
        .def_readonly("taps", &prbs_pattern::taps)
        .def_readonly("inverted", &prbs_pattern::inverted);

    m.def("lookup_prbs_pattern",
          &::gr::sentinel::lookup_prbs_pattern,
          py::arg("name"),
          py::arg("degree") = 0,
          py::arg("taps") = 0,
          "A named O.150 pattern, or CUSTOM with degree and taps.");
    m.def("prbs_pattern_names", &::gr::sentinel::prbs_pattern_names);
    m.def("prbs_initial_register",
          &::gr::sentinel::prbs_initial_register,
          py::arg("pattern"),
          py::arg("seed"),
          "The register a seed gives (0 means all ones); rejects invalid seeds.");
}
