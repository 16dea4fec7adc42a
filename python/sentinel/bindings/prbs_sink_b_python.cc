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
/* BINDTOOL_HEADER_FILE_HASH(ec007fbed56c4f8a3bc68eb4950de186) */

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include "checked_int.h"

namespace py = pybind11;

#include <gnuradio/sentinel/prbs_sink_b.h>

void bind_prbs_sink_b(py::module& m)
{
    using prbs_sink_b = ::gr::sentinel::prbs_sink_b;

    py::class_<prbs_sink_b,
               gr::block,
               gr::basic_block,
               std::shared_ptr<prbs_sink_b>>(
        m, "prbs_sink_b", "PRBS bit-error-rate tester with automatic sync.")
        .def(py::init([](const std::string& pattern,
                         bool packed,
                         const py::object& sync_bits,
                         const py::object& loss_bits,
                         double loss_threshold,
                         const py::object& window_bits,
                         const py::object& report_interval,
                         const py::object& degree,
                         const py::object& mask) {
                 using gr::sentinel::bindings::checked_int;
                 return prbs_sink_b::make(
                     pattern,
                     packed,
                     checked_int<unsigned>(sync_bits, "sync_bits", "16..1048576 (2^20)"),
                     checked_int<unsigned>(loss_bits, "loss_bits", "16..1048576 (2^20)"),
                     loss_threshold,
                     checked_int<uint64_t>(
                         window_bits, "window_bits", "1..4294967296 (2^32 bits)"),
                     checked_int<uint64_t>(
                         report_interval, "report_interval", "1..2^64-1"),
                     checked_int<unsigned>(degree, "degree", "2..64 (CUSTOM only)"),
                     checked_int<uint64_t>(mask, "mask", "0..2^64-1 (CUSTOM only)"));
             }),
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
        .def("inverted",
             &prbs_sink_b::inverted,
             "Locked to the complemented polarity (False while unlocked).")
        .def("resyncs", &prbs_sink_b::resyncs)
        .def("slips", &prbs_sink_b::slips)
        .def("slipped_bits", &prbs_sink_b::slipped_bits)
        .def("polarity_flips", &prbs_sink_b::polarity_flips)
        .def("unchecked_bits", &prbs_sink_b::unchecked_bits)
        .def("stats", &prbs_sink_b::stats, "The report dict as a PMT.")
        .def("reset", &prbs_sink_b::reset, "Clear the counts and restart acquisition.");
}
