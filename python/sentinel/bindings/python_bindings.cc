/*
 * Copyright 2026 The gr-sentinel authors.
 *
 * This file is part of gr-sentinel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <pybind11/pybind11.h>

#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
#include <numpy/arrayobject.h>

namespace py = pybind11;

void bind_lfsr(py::module& m);
void bind_prbs_pattern(py::module& m);
void bind_prbs_source_b(py::module& m);
void bind_prbs_sink_b(py::module& m);
void bind_fader_core(py::module& m);
void bind_fading_model(py::module& m);
void bind_selective_fading_model2(py::module& m);

// import_array() is a macro that returns NULL on failure, hence the wrapper.
void* init_numpy()
{
    import_array();
    return NULL;
}

PYBIND11_MODULE(sentinel_python, m)
{
    init_numpy();
    // Base block methods come from gnuradio.gr.
    py::module::import("gnuradio.gr");

    bind_lfsr(m);
    bind_prbs_pattern(m);
    bind_prbs_source_b(m);
    bind_prbs_sink_b(m);
    bind_fader_core(m);
    bind_fading_model(m);
    bind_selective_fading_model2(m);
}
