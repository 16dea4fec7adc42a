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
/* BINDTOOL_HEADER_FILE(fader_core.h) */
/* BINDTOOL_HEADER_FILE_HASH(d47969bcebe4c3a25e410f63d9f03f44) */

#include <pybind11/complex.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

namespace py = pybind11;

#include <gnuradio/sentinel/fader_core.h>

void bind_fader_core(py::module& m)
{
    using fader_core = ::gr::sentinel::fader_core;

    m.def("fading_stream_seed",
          &::gr::sentinel::fading_stream_seed,
          py::arg("seed"),
          py::arg("stream"),
          "Seed of one random stream derived from a user seed (fader of path j: "
          "stream j; delay walk of path j: stream 2**32 + j).");

    py::class_<fader_core, std::shared_ptr<fader_core>>(
        m,
        "fader_core",
        "Sum-of-sinusoids Rayleigh/Rice fading gain generator shared by the fading "
        "blocks.")
        .def(py::init<int, double, bool, double, uint64_t, uint64_t>(),
             py::arg("N") = 8,
             py::arg("fDTs") = 0.01,
             py::arg("LOS") = false,
             py::arg("K") = 4.0,
             py::arg("seed") = 0,
             py::arg("stream") = 0,
             "N: 2N+1 sinusoids are summed; fDTs: fD/fs in [0, 0.5]; LOS: "
             "Rice; K: Rice factor; seed: user seed; stream: stream number.")
        .def(
            "generate",
            [](fader_core& self, size_t n) {
                py::array_t<std::complex<float>> out(n);
                {
                    py::gil_scoped_release release;
                    self.generate(reinterpret_cast<gr_complex*>(out.mutable_data()), n);
                }
                return out;
            },
            py::arg("n"),
            "The next n gains as a complex64 array; advances time() by n.")
        .def(
            "generate_strided",
            [](fader_core& self, size_t n, uint64_t stride) {
                py::array_t<std::complex<float>> out(n);
                {
                    py::gil_scoped_release release;
                    self.generate_strided(
                        reinterpret_cast<gr_complex*>(out.mutable_data()), n, stride);
                }
                return out;
            },
            py::arg("n"),
            py::arg("stride"),
            "Gains at time(), time()+stride, ...; advances time() by n*stride.")
        .def("next", &fader_core::next, "The next gain.")
        .def("gain_at",
             &fader_core::gain_at,
             py::arg("t"),
             "Reference gain at absolute sample t, in double precision.")
        .def("time", &fader_core::time)
        .def("set_time", &fader_core::set_time, py::arg("t"))
        .def("advance", &fader_core::advance, py::arg("n"), "Skip n samples (no cost).")
        .def("N", &fader_core::N)
        .def("fDTs", &fader_core::fDTs)
        .def("LOS", &fader_core::LOS)
        .def("K", &fader_core::K)
        .def("seed", &fader_core::seed)
        .def("stream", &fader_core::stream)
        .def("set_fDTs", &fader_core::set_fDTs, py::arg("fDTs"))
        .def("set_K", &fader_core::set_K, py::arg("K"))
        .def("frequencies",
             &fader_core::frequencies,
             "Normalised frequency of each sinusoid, LOS last.")
        .def("amplitudes", &fader_core::amplitudes, "Amplitude of each sinusoid, LOS last.");
}
