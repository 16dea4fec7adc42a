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
/* BINDTOOL_HEADER_FILE(selective_fading_model2.h) */
/* BINDTOOL_HEADER_FILE_HASH(e2e5f3c08a06e0b80d7d2cd5e5f2a997) */

#include <pybind11/complex.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include "checked_int.h"

namespace py = pybind11;

#include <gnuradio/sentinel/selective_fading_model2.h>

void bind_selective_fading_model2(py::module& m)
{
    using selective_fading_model2 = ::gr::sentinel::selective_fading_model2;

    py::class_<selective_fading_model2,
               gr::sync_block,
               gr::block,
               gr::basic_block,
               std::shared_ptr<selective_fading_model2>>(
        m,
        "selective_fading_model2",
        "Frequency-selective fading channel (drop-in for "
        "channels.selective_fading_model2).")
        .def(py::init([](const py::object& N,
                         double fDTs,
                         bool LOS,
                         double K,
                         const py::object& seed,
                         const std::vector<double>& delays,
                         const std::vector<double>& delays_std,
                         const std::vector<double>& delays_maxdev,
                         const std::vector<double>& mags,
                         const py::object& ntaps,
                         bool normalize_mags,
                         const py::object& taps_interval,
                         const py::object& tap_update_interval,
                         bool taps_tags) {
                 using gr::sentinel::bindings::checked_int;
                 return selective_fading_model2::make(
                     checked_int<int>(N, "N", "1..1024"),
                     fDTs,
                     LOS,
                     K,
                     checked_int<uint64_t>(seed, "seed", "0..2^64-1"),
                     delays,
                     delays_std,
                     delays_maxdev,
                     mags,
                     checked_int<int>(ntaps,
                                      "ntaps",
                                      "max(delays + delays_maxdev) + 4 .. 1048576 (2^20)"),
                     normalize_mags,
                     checked_int<int>(taps_interval, "taps_interval", "0..2147483647"),
                     checked_int<int>(
                         tap_update_interval, "tap_update_interval", "1..2147483647"),
                     taps_tags);
             }),
             py::arg("N") = 8,
             py::arg("fDTs") = 0.01,
             py::arg("LOS") = false,
             py::arg("K") = 4.0,
             py::arg("seed") = 0,
             py::arg("delays") = std::vector<double>{ 1.0, 1.9, 2.7 },
             py::arg("delays_std") = std::vector<double>{ 1e-4, 1e-4, 1e-4 },
             py::arg("delays_maxdev") = std::vector<double>{ 0.5, 0.7, 0.9 },
             py::arg("mags") = std::vector<double>{ 1.0, 0.95, 0.8 },
             py::arg("ntaps") = 8,
             py::arg("normalize_mags") = false,
             py::arg("taps_interval") = 1024,
             py::arg("tap_update_interval") = 1,
             py::arg("taps_tags") = false,
             "The first ten parameters match channels.selective_fading_model2; see "
             "docs/fading.md for every parameter.")
        .def("N", &selective_fading_model2::N)
        .def("fDTs", &selective_fading_model2::fDTs)
        .def("LOS", &selective_fading_model2::LOS)
        .def("K", &selective_fading_model2::K)
        .def("seed", &selective_fading_model2::seed)
        .def("ntaps", &selective_fading_model2::ntaps)
        .def("taps_interval", &selective_fading_model2::taps_interval)
        .def("tap_update_interval", &selective_fading_model2::tap_update_interval)
        .def("mags", &selective_fading_model2::mags, "Path amplitudes in use.")
        .def("start_delays", &selective_fading_model2::start_delays)
        .def("delays_std", &selective_fading_model2::delays_std)
        .def("delays_maxdev", &selective_fading_model2::delays_maxdev)
        .def("delays", &selective_fading_model2::delays, "Current path delays.")
        .def("taps", &selective_fading_model2::taps, "Current taps.")
        .def("path_gains",
             &selective_fading_model2::path_gains,
             "Current complex path gains mags[j] h_j.")
        .def("set_fDTs", &selective_fading_model2::set_fDTs, py::arg("fDTs"))
        .def("set_K", &selective_fading_model2::set_K, py::arg("K"))
        .def("set_delays_std", &selective_fading_model2::set_delays_std, py::arg("delays_std"));
}
