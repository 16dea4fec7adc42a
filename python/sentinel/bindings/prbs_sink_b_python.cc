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
/* BINDTOOL_HEADER_FILE(prbs_sink_b.h) */
/* BINDTOOL_HEADER_FILE_HASH(b42c0b0a0bef7e0482bb147d0a6d031f) */

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

namespace py = pybind11;

#include <gnuradio/sentinel/prbs_sink_b.h>

void bind_prbs_sink_b(py::module& m)
{
    using prbs_sink_b = ::gr::sentinel::prbs_sink_b;

    py::class_<prbs_sink_b,
               gr::sync_block,
               gr::block,
               gr::basic_block,
               std::shared_ptr<prbs_sink_b>>(
        m, "prbs_sink_b", "PRBS bit-error-rate tester with automatic sync.")
        .def(py::init(&prbs_sink_b::make),
             py::arg("pattern") = "PRBS31",
             py::arg("packed") = false,
             py::arg("sync_bits") = 128,
             py::arg("loss_bits") = 1024,
             py::arg("loss_threshold") = 0.2,
             py::arg("window_bits") = 1000000,
             py::arg("report_interval") = 1000000,
             py::arg("degree") = 0,
             py::arg("mask") = 0,
             "See the block's documentation (README, GRC) for each parameter.")
        .def("bits", &prbs_sink_b::bits, "Bits compared while locked.")
        .def("errors", &prbs_sink_b::errors, "Bit errors among them.")
        .def("ber", &prbs_sink_b::ber, "Cumulative BER.")
        .def("window_ber", &prbs_sink_b::window_ber, "BER over the rolling window.")
        .def("locked", &prbs_sink_b::locked)
        .def("inverted", &prbs_sink_b::inverted)
        .def("resyncs", &prbs_sink_b::resyncs)
        .def("slips", &prbs_sink_b::slips)
        .def("slipped_bits", &prbs_sink_b::slipped_bits)
        .def("unchecked_bits", &prbs_sink_b::unchecked_bits)
        .def("stats", &prbs_sink_b::stats, "The report dict as a PMT.")
        .def("reset", &prbs_sink_b::reset, "Clear the counts and restart acquisition.");
}
