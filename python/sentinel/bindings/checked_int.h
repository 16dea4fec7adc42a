/*
 * Copyright 2026 The gr-sentinel authors.
 *
 * This file is part of gr-sentinel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_SENTINEL_BINDINGS_CHECKED_INT_H
#define INCLUDED_SENTINEL_BINDINGS_CHECKED_INT_H

#include <pybind11/pybind11.h>
#include <limits>
#include <string>

namespace gr {
namespace sentinel {
namespace bindings {

/*!
 * \brief An integer constructor argument, converted to T.
 *
 * pybind11 answers an int outside T (a negative seed, ntaps = 2**31,
 * window_bits = 2**64) with a TypeError that lists the whole signature. Here a
 * value outside T raises ValueError and a non-integer TypeError, both naming
 * the parameter and \p allowed (its documented range). A value that fits T goes
 * on to the block, which checks the exact range and names it the same way.
 */
template <typename T>
T checked_int(const pybind11::object& value, const char* name, const char* allowed)
{
    namespace py = pybind11;
    PyObject* index = PyNumber_Index(value.ptr()); // int, numpy integers, bool; not float
    if (!index) {
        PyErr_Clear();
        throw py::type_error(std::string(name) + ": must be an integer in " + allowed +
                             ", got " + Py_TYPE(value.ptr())->tp_name);
    }
    const py::int_ v = py::reinterpret_steal<py::int_>(index);
    const py::int_ lo(std::numeric_limits<T>::min());
    const py::int_ hi(std::numeric_limits<T>::max());
    const int below = PyObject_RichCompareBool(v.ptr(), lo.ptr(), Py_LT);
    const int above = PyObject_RichCompareBool(v.ptr(), hi.ptr(), Py_GT);
    if (below < 0 || above < 0) {
        throw py::error_already_set();
    }
    if (below || above) {
        throw py::value_error(std::string(name) + ": must be in " + allowed + ", got " +
                              py::str(py::handle(v)).cast<std::string>());
    }
    return v.cast<T>();
}

} // namespace bindings
} // namespace sentinel
} // namespace gr

#endif /* INCLUDED_SENTINEL_BINDINGS_CHECKED_INT_H */
