# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Loaders for the public RadioML files, for users who own them.

- RML2016.10a / 2016.04c: a pickle of {(modulation, snr): float32 (N, 2, 128)}.
  Pickles can execute code when loaded; this loader only accepts builtins and
  numpy arrays (a restricted unpickler), so a hostile file is refused.
- RML2018.01a: HDF5 with X (N, 1024, 2), Y one-hot (N, 24), Z SNR (N, 1).
Both return a storage.Dataset with (N, 2, L) float32 I/Q rows.
"""

import io
import pathlib
import pickle

import numpy as np

from .storage import Dataset

RML2018_CLASSES = ["OOK", "4ASK", "8ASK", "BPSK", "QPSK", "8PSK", "16PSK", "32PSK", "16APSK",
                   "32APSK", "64APSK", "128APSK", "16QAM", "32QAM", "64QAM", "128QAM", "256QAM",
                   "AM-SSB-WC", "AM-SSB-SC", "AM-DSB-WC", "AM-DSB-SC", "FM", "GMSK", "OQPSK"]

_ALLOWED_GLOBALS = {
    ("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
    ("numpy", "ndarray"), ("numpy", "dtype"), ("numpy.core.multiarray", "scalar"),
    ("numpy._core.multiarray", "scalar"), ("builtins", "tuple"), ("builtins", "bytes"),
    ("_codecs", "encode"),
}


class _ArrayOnlyUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) in _ALLOWED_GLOBALS:
            return super().find_class(module, name)
        raise pickle.UnpicklingError("refusing to load {}.{} from a dataset pickle".format(module, name))


def load_rml2016_pickle(path):
    """Load RML2016.10a or 2016.04c; classes sorted by name, as the dataset is usually used."""
    path = pathlib.Path(path)
    raw = path.read_bytes()
    try:
        table = _ArrayOnlyUnpickler(io.BytesIO(raw), encoding="latin1").load()
    except Exception as error:
        raise ValueError("dataset: {} is not a RadioML 2016 pickle ({})".format(path, error)) from None
    if not isinstance(table, dict) or not table or not all(
            isinstance(k, tuple) and len(k) == 2 for k in table):
        raise ValueError("dataset: {} is not a RadioML 2016 pickle: expected {{(mod, snr): array}}".format(path))
    decode = lambda m: m.decode() if isinstance(m, bytes) else str(m)  # noqa: E731
    classes = sorted({decode(m) for m, _ in table})
    iq, label, snr = [], [], []
    for (mod, s), x in sorted(table.items(), key=lambda kv: (decode(kv[0][0]), kv[0][1])):
        x = np.asarray(x, np.float32)
        if x.ndim != 3 or x.shape[1] != 2:
            raise ValueError("dataset: {}: entry ({}, {}) has shape {}, expected (N, 2, L)".format(
                path, decode(mod), s, x.shape))
        iq.append(x)
        label.append(np.full(len(x), classes.index(decode(mod)), np.int16))
        snr.append(np.full(len(x), float(s), np.float32))
    iq = np.concatenate(iq)
    attrs = {"recipe": "rml2016-pickle", "normalization": "l1", "source": str(path)}
    return Dataset(iq, np.concatenate(label), np.concatenate(snr),
                   np.zeros(len(iq), np.uint64), classes, attrs)


def load_rml2018_hdf5(path, limit=None):
    """Load RML2018.01a's X/Y/Z layout (optionally only the first `limit` examples)."""
    import h5py

    path = pathlib.Path(path)
    try:
        f = h5py.File(path, "r")
    except OSError as error:
        raise ValueError("dataset: {} is not an HDF5 file ({})".format(path, error)) from None
    with f:
        missing = [k for k in ("X", "Y", "Z") if k not in f]
        if missing:
            raise ValueError("dataset: {} lacks {}; an RML2018.01a file has X, Y and Z".format(
                path, ", ".join(missing)))
        sl = slice(None) if limit is None else slice(0, limit)
        x, y, z = f["X"][sl], f["Y"][sl], f["Z"][sl]
    if x.ndim != 3 or x.shape[2] != 2:
        raise ValueError("dataset: {}: X has shape {}, expected (N, L, 2)".format(path, x.shape))
    classes = RML2018_CLASSES if y.shape[1] == len(RML2018_CLASSES) else [
        "class{}".format(i) for i in range(y.shape[1])]
    iq = np.ascontiguousarray(np.transpose(x, (0, 2, 1))).astype(np.float32)
    attrs = {"recipe": "rml2018-hdf5", "normalization": "none", "source": str(path)}
    return Dataset(iq, np.argmax(y, axis=1).astype(np.int16), z.reshape(-1).astype(np.float32),
                   np.zeros(len(iq), np.uint64), classes, attrs)


def open_any(path, limit=None):
    """A gr-sentinel dataset, an RML2018.01a HDF5 file or an RML2016 pickle, by content."""
    from . import storage

    path = pathlib.Path(path)
    if not path.is_file():
        raise ValueError("dataset: {} does not exist".format(path))
    with open(path, "rb") as handle:
        magic = handle.read(8)
    if magic == b"\x89HDF\r\n\x1a\n":
        import h5py
        with h5py.File(path, "r") as f:
            ours = f.attrs.get("format") == storage.FORMAT
        return storage.load(path, limit) if ours else load_rml2018_hdf5(path, limit)
    if magic[:1] == b"\x80":
        return load_rml2016_pickle(path)
    raise ValueError("dataset: {} is neither a gr-sentinel/RML2018 HDF5 file nor an RML2016 pickle".format(path))
