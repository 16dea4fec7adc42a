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
/* BINDTOOL_HEADER_FILE(fading_model.h) */
/* BINDTOOL_HEADER_FILE_HASH(436fc1c4016d88b0efc6bc7e98d0da5e) */

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include "checked_int.h"

namespace py = pybind11;

#include <gnuradio/sentinel/fading_model.h>

void bind_fading_model(py::module& m)
{
    using fading_model = ::gr::sentinel::fading_model;

    py::class_<fading_model,
               gr::sync_block,
               gr::block,
               gr::basic_block,
               std::shared_ptr<fading_model>>(
        m, "fading_model", "Flat Rayleigh/Rice fading channel (drop-in for channels.fading_model).")
        .def(py::init([](const py::object& N,
                         double fDTs,
                         bool LOS,
                         double K,
                         const py::object& seed) {
                 using gr::sentinel::bindings::checked_int;
                 return fading_model::make(
                     checked_int<int>(N, "N", "1..1024"),
                     fDTs,
                     LOS,
                     K,
                     checked_int<uint64_t>(seed, "seed", "0..2^64-1"));
             }),
             py::arg("N") = 8,
             py::arg("fDTs") = 0.01,
             py::arg("LOS") = false,
             py::arg("K") = 4.0,
             py::arg("seed") = 0,
             "N: 2N+1 sinusoids are summed; fDTs: fD/fs in [0, 0.5]; LOS: "
             "Rice instead of Rayleigh; K: Rice factor; seed: random seed.")
        .def("N", &fading_model::N)
        .def("fDTs", &fading_model::fDTs)
        .def("LOS", &fading_model::LOS)
        .def("K", &fading_model::K)
        .def("seed", &fading_model::seed)
        .def("set_fDTs", &fading_model::set_fDTs, py::arg("fDTs"))
        .def("set_K", &fading_model::set_K, py::arg("K"));
}
