# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""gr-sentinel's dataset file: HDF5 written atomically, read back with its metadata.

Layout: `iq` float32 (N, 2, L) with I and Q rows; `label` int16 class index;
`snr` float32 in dB; `seed` uint64, each example's own seed; optionally `receiver`
float32 (N, K), each example's impairment draws, its column names in the
dataset's `columns` attribute (JSON). File attributes:
`format` = "gr-sentinel-dataset", `format_version`, `recipe`, `class_names`,
`normalization`, `seed`, `sentinel_version`, and `parameters` (JSON of
everything else the generator used).
"""

import contextlib
import json
import os
import pathlib
import shlex
import tempfile

import numpy as np

FORMAT = "gr-sentinel-dataset"
FORMAT_VERSION = 1
NORMALIZATIONS = ("energy", "l1", "none")
#: The optional table of per-example impairment draws.
DRAWS = "receiver"


def _h5py():
    try:
        import h5py
    except ImportError as error:  # pragma: no cover - requirements pin it
        raise RuntimeError("h5py is needed for datasets: pip install -r requirements.txt") from error
    return h5py


def normalize(iq, method):
    """Per-vector normalisation of complex vectors (N, L).

    energy: sum |x|^2 = 1 over the vector (the default); l1: RadioML's division by
    the sum of |I| + |Q|; none: as received.
    """
    if method == "energy":
        return iq / np.sqrt(np.sum(np.abs(iq) ** 2, axis=-1, keepdims=True))
    if method == "l1":
        return iq / np.sum(np.abs(iq.real) + np.abs(iq.imag), axis=-1, keepdims=True)
    if method == "none":
        return iq
    raise ValueError("normalization: unknown '{}'; allowed: {}".format(method, ", ".join(NORMALIZATIONS)))


def to_rows(iq):
    """Complex (N, L) -> float32 (N, 2, L), I then Q."""
    return np.stack([iq.real, iq.imag], axis=1).astype(np.float32)


def check_writable(path):
    path = pathlib.Path(path)
    folder = path.parent if str(path.parent) else pathlib.Path(".")
    if not folder.is_dir():
        raise ValueError("output: folder {} does not exist".format(folder))
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".sentinel-write-test-"):
            pass
    except OSError as error:
        raise ValueError("output: folder {} is not writable ({})".format(folder, error.strerror)) from None
    return path


@contextlib.contextmanager
def atomic_dataset(path, total, length, draw_columns=()):
    """Yield an open HDF5 file with the standard datasets; rename into place only on success."""
    h5py = _h5py()
    path = check_writable(path)
    fd, partial = tempfile.mkstemp(prefix="." + path.name + ".", suffix=".partial", dir=path.parent)
    os.close(fd)
    try:
        with h5py.File(partial, "w") as f:
            f.create_dataset("iq", (total, 2, length), dtype="float32", chunks=(min(total, 1024), 2, length))
            f.create_dataset("label", (total,), dtype="int16")
            f.create_dataset("snr", (total,), dtype="float32")
            f.create_dataset("seed", (total,), dtype="uint64")
            if draw_columns:
                table = f.create_dataset(DRAWS, (total, len(draw_columns)), dtype="float32")
                table.attrs["columns"] = json.dumps(list(draw_columns))
            f.attrs["format"] = FORMAT
            f.attrs["format_version"] = FORMAT_VERSION
            yield f
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(partial, 0o666 & ~umask)  # mkstemp creates 0600; give the usual mode
        os.replace(partial, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(partial)
        raise


def write_metadata(f, recipe, class_names, normalization, seed, parameters):
    from .. import __version__

    f.attrs["recipe"] = recipe
    f.attrs["class_names"] = json.dumps(list(class_names))
    f.attrs["normalization"] = normalization
    f.attrs["seed"] = int(seed)
    f.attrs["sentinel_version"] = __version__
    f.attrs["parameters"] = json.dumps(parameters, sort_keys=True)


class Dataset:
    """A loaded dataset: arrays plus metadata."""

    def __init__(self, iq, label, snr, seed, class_names, attrs, draws=None):
        self.iq = iq
        self.label = label
        self.snr = snr
        self.seed = seed
        self.class_names = class_names
        self.attrs = attrs
        #: {column: float32 array} of per-example impairment draws, or None.
        self.draws = draws

    def __len__(self):
        return len(self.label)

    @property
    def parameters(self):
        return json.loads(self.attrs.get("parameters", "{}"))

    def complex(self):
        return self.iq[:, 0, :] + 1j * self.iq[:, 1, :]

    def select(self, mask):
        draws = None if self.draws is None else {k: v[mask] for k, v in self.draws.items()}
        return Dataset(self.iq[mask], self.label[mask], self.snr[mask], self.seed[mask],
                       self.class_names, self.attrs, draws)


def load(path, limit=None):
    """Read a dataset written by this module; refuse anything else with a clear error."""
    h5py = _h5py()
    path = pathlib.Path(path)
    if not path.is_file():
        raise ValueError("dataset: {} does not exist".format(path))
    try:
        f = h5py.File(path, "r")
    except OSError as error:
        raise ValueError("dataset: {} is not an HDF5 file ({})".format(path, error)) from None
    with f:
        if f.attrs.get("format") != FORMAT:
            raise ValueError("dataset: {} is not a gr-sentinel dataset (no format={} attribute)".format(path, FORMAT))
        if int(f.attrs.get("format_version", -1)) != FORMAT_VERSION:
            raise ValueError("dataset: {} has format version {}, expected {}".format(
                path, f.attrs.get("format_version"), FORMAT_VERSION))
        sl = slice(None) if limit is None else slice(0, limit)
        attrs = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in f.attrs.items()}
        draws = None
        if DRAWS in f:
            table = f[DRAWS][sl]
            draws = {name: table[:, k] for k, name in enumerate(json.loads(f[DRAWS].attrs["columns"]))}
        return Dataset(f["iq"][sl], f["label"][sl], f["snr"][sl], f["seed"][sl],
                       json.loads(attrs["class_names"]), attrs, draws)


def generate_command(attrs, path):
    """The `sentinel data generate` command line that reproduces a dataset, from its metadata
    (recipe, count, seed, normalization, and a non-default SNR list, window length and
    receiver; the channel switches are not rebuilt: see the file's `parameters`)."""
    parameters = json.loads(attrs.get("parameters", "{}"))
    parts = ["sentinel data generate", attrs.get("recipe", "?"), "-o", pathlib.Path(path).name,
             "-n", str(parameters.get("examples_per_class_snr", "?")), "--seed", str(attrs.get("seed", "?")),
             "--normalization", attrs.get("normalization", "?")]
    snrs = parameters.get("snrs_db")
    if snrs is not None and list(snrs) != list(_default_snrs(attrs.get("recipe"))):
        parts += ["--snrs"] + ["{:g}".format(s) for s in snrs]
    length = parameters.get("length")
    if length is not None and length != _default(attrs.get("recipe"), "length"):
        parts += ["--length", str(length)]
    if attrs.get("recipe") == "receiver" and "receiver" in parameters:
        from .receiver import ReceiverConfig

        defaults = ReceiverConfig().as_dict()
        changed = {k: v for k, v in parameters["receiver"].items() if defaults.get(k) != v}
        if changed:
            parts += ["--receiver-json", shlex.quote(json.dumps(changed, separators=(",", ":")))]
    return " ".join(parts)


def _default_snrs(recipe_name):
    return _default(recipe_name, "snrs") or ()


def _default(recipe_name, argument):
    """A recipe's default for one of its constructor's arguments (None: unknown)."""
    import inspect

    from .recipes import RECIPES

    if recipe_name not in RECIPES:
        return None
    parameter = inspect.signature(RECIPES[recipe_name].__init__).parameters.get(argument)
    return None if parameter is None else parameter.default
