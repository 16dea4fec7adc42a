# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Model bundles: a JSON model card plus safetensors weights. Loading never executes code.

A bundle is a folder holding `card.json` and the weights file the card names.
Shipped bundles live in gnuradio/sentinel/models/<name>/ and are found by name;
any other folder or card path works too.
"""

import hashlib
import json
import math
import numbers
import os
import pathlib

CARD_SCHEMA_VERSION = 1
MODELS_DIR = pathlib.Path(__file__).resolve().parent.parent / "models"
#: Largest card window_length accepted (samples, or reports for KPI cards): 2^20. A block
#: holds a few windows of this length per batch entry; 10^9 would need tens of GiB.
MAX_WINDOW_LENGTH = 1 << 20
_MISSING = object()

REQUIRED_CARD_KEYS = {
    "schema_version": int, "name": str, "kind": str, "window_length": int, "input": dict,
    "preprocessing": dict, "architecture": dict, "outputs": dict, "thresholds": dict,
    "training": dict, "metrics": dict, "weights": dict,
}


class BundleError(ValueError):
    """A bundle that is missing, corrupt, or does not match what it is used for."""


def shipped_bundles():
    return sorted(p.parent.name for p in MODELS_DIR.glob("*/card.json"))


def resolve(name_or_path):
    """Path of a bundle's card: a shipped name, a bundle folder, or a card file (~ expanded)."""
    candidate = pathlib.Path(str(name_or_path)).expanduser()
    if candidate.is_dir():
        candidate = candidate / "card.json"
    if candidate.is_file():
        return candidate
    shipped = MODELS_DIR / str(name_or_path) / "card.json"
    if shipped.is_file():
        return shipped
    raise BundleError("model: no bundle '{}'; shipped bundles: {}; or give a bundle folder / card.json path".format(
        name_or_path, ", ".join(shipped_bundles()) or "none"))


def validate_card(card, source="card"):
    if not isinstance(card, dict):
        raise BundleError("{}: a model card is a JSON object".format(source))
    for key, kind in REQUIRED_CARD_KEYS.items():
        if key not in card:
            raise BundleError("{}: missing '{}'".format(source, key))
        if not isinstance(card[key], kind):
            raise BundleError("{}: '{}' must be {}, got {}".format(source, key, kind.__name__, type(card[key]).__name__))
    if card["schema_version"] != CARD_SCHEMA_VERSION:
        raise BundleError("{}: schema_version {} is not supported (expected {})".format(
            source, card["schema_version"], CARD_SCHEMA_VERSION))
    length = card["window_length"]
    if isinstance(length, bool) or not 1 <= length <= MAX_WINDOW_LENGTH:
        raise BundleError("{}: window_length {!r}; allowed: an integer from 1 to {} (2^20)".format(
            source, length, MAX_WINDOW_LENGTH))
    if "classes" in card["outputs"]:
        classes = card["outputs"]["classes"]
        if not isinstance(classes, list) or not classes or not all(isinstance(c, str) for c in classes):
            raise BundleError("{}: outputs.classes must be a non-empty list of names".format(source))
    if "file" not in card["weights"]:
        raise BundleError("{}: weights.file is missing".format(source))
    weights_file(card, source)


def weights_file(card, source="card"):
    """The card's weights.file as a relative path that stays inside the bundle folder."""
    name = card["weights"]["file"]
    if not isinstance(name, str) or not name:
        raise BundleError("{}: weights.file {!r}; allowed: a file name inside the bundle folder".format(source, name))
    relative = pathlib.PurePosixPath(name.replace("\\", "/"))
    if relative.is_absolute() or pathlib.PureWindowsPath(name).drive or ".." in relative.parts:
        raise BundleError("{}: weights.file {!r} points outside the bundle folder; allowed: a file name (or a "
                          "path without '..') inside the folder that holds card.json".format(source, name))
    return pathlib.Path(*relative.parts)


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class ModelBundle:
    """A validated card and its weights (a dict of CPU tensors)."""

    def __init__(self, card, tensors, path, card_path=None):
        self.card = card
        self.tensors = tensors
        self.path = path
        self.card_path = card_path or pathlib.Path(path) / "card.json"

    @property
    def kind(self):
        return self.card["kind"]

    @property
    def window_length(self):
        return self.card["window_length"]

    @property
    def classes(self):
        return self.card["outputs"].get("classes")

    @classmethod
    def load(cls, name_or_path, expected_kind=None):
        card_path = resolve(name_or_path)
        try:
            card = json.loads(card_path.read_text())
        except (OSError, ValueError) as error:
            raise BundleError("model: {} is not a readable JSON model card ({})".format(card_path, error)) from None
        validate_card(card, str(card_path))
        if expected_kind is not None and card["kind"] != expected_kind:
            raise BundleError("model: {} is a '{}' bundle, this block needs '{}'".format(
                card_path, card["kind"], expected_kind))
        weights = card_path.parent / weights_file(card, str(card_path))
        if not weights.is_file():
            raise BundleError("model: weights file {} is missing".format(weights))
        expected_hash = card["weights"].get("sha256")
        if expected_hash and sha256(weights) != expected_hash:
            raise BundleError("model: {} does not match the sha256 in its card (corrupt or replaced)".format(weights))
        try:
            from safetensors.torch import load_file
            tensors = load_file(str(weights), device="cpu")
        except Exception as error:  # safetensors raises its own error types
            raise BundleError("model: cannot read {} as safetensors ({})".format(weights, error)) from None
        for key, tensor in tensors.items():
            if tensor.is_floating_point() and not bool(tensor.isfinite().all()):
                raise BundleError("model: {}: tensor '{}' holds NaN or Inf values; allowed: finite weights "
                                  "(retrain, or restore the bundle)".format(weights, key))
        return cls(card, tensors, card_path.parent, card_path)

    # ---- card values, checked with messages that name the entry and the bundle -------
    def entry(self, *path, default=_MISSING):
        """card[path[0]][path[1]]...; a missing entry raises BundleError naming it (or gives `default`)."""
        value = self.card
        for depth, key in enumerate(path):
            if not isinstance(value, dict) or key not in value:
                if default is not _MISSING:
                    return default
                where = ".".join(path[:depth]) or "the card"
                raise BundleError("model: {}: card entry '{}' is missing (no '{}' in {})".format(
                    self.card_path, ".".join(path), key, where))
            value = value[key]
        return value

    def number(self, *path, default=_MISSING, minimum=None, above=None, below=None, integer=False, meaning=""):
        """A finite number from the card (an int when `integer`), within the given bounds."""
        value = self.entry(*path, default=default)
        allowed = ["an integer" if integer else "a finite number"]
        if minimum is not None:
            allowed.append(">= {}".format(minimum))
        if above is not None:
            allowed.append("> {}".format(above))
        if below is not None:
            allowed.append("< {}".format(below))
        ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)
        if ok and integer:
            ok = float(value).is_integer()
        if ok:
            ok = ((minimum is None or value >= minimum) and (above is None or value > above)
                  and (below is None or value < below))
        if not ok:
            raise BundleError("model: {}: card entry '{}' is {!r}; allowed: {}{}".format(
                self.card_path, ".".join(path), value, ", ".join(allowed), " ({})".format(meaning) if meaning else ""))
        return int(value) if integer else float(value)

    def numbers(self, *path, length=None, above=None, meaning=""):
        """A list of finite numbers from the card (of `length` items, each > `above` when given)."""
        value = self.entry(*path)
        ok = isinstance(value, list) and (length is None or len(value) == length) and all(
            isinstance(v, numbers.Real) and not isinstance(v, bool) and math.isfinite(v)
            and (above is None or v > above) for v in value)
        if not ok:
            allowed = "a list of {}finite numbers{}".format("{} ".format(length) if length is not None else "",
                                                           " > {}".format(above) if above is not None else "")
            shown = value if not isinstance(value, list) or len(value) <= 12 else value[:12] + ["..."]
            raise BundleError("model: {}: card entry '{}' is {!r}; allowed: {}{}".format(
                self.card_path, ".".join(path), shown, allowed, " ({})".format(meaning) if meaning else ""))
        return [float(v) for v in value]

    def choice(self, *path, allowed, default=_MISSING):
        value = self.entry(*path, default=default)
        if value not in allowed:
            raise BundleError("model: {}: card entry '{}' is {!r}; allowed: {}".format(
                self.card_path, ".".join(path), value, ", ".join(map(str, allowed))))
        return value

    def trained_window_length(self):
        """The window length the card records for training (training.window_length or
        training.data_parameters.length), or None when it records none."""
        training = self.card["training"]
        if training.get("window_length") is not None:
            return training["window_length"]
        data = training.get("data_parameters")
        return data.get("length") if isinstance(data, dict) else None

    def instantiate(self, build):
        """build() -> the module with this bundle's weights loaded.

        The module is built on torch's meta device first (no memory) and its tensor shapes
        compared with the weights, so a card whose architecture does not match its weights
        (or asks for a huge network) is refused before anything is allocated. A module that
        cannot be built on the meta device is refused too (BundleError)."""
        import torch

        try:
            with torch.device("meta"):
                skeleton = build()
            self._check_names_and_shapes(skeleton)
            return self.load_into(build())
        except BundleError:
            raise
        except Exception as error:
            raise BundleError("model: {}: the card's architecture {} cannot be built ({}: {})".format(
                self.card_path, json.dumps(self.card["architecture"])[:200], type(error).__name__, error)) from None

    def load_into(self, module):
        """Load the weights into `module`, refusing any missing, extra or mis-shaped tensor."""
        self._check_names_and_shapes(module)
        module.load_state_dict(self.tensors, strict=True)
        return module

    def _check_names_and_shapes(self, module):
        own = module.state_dict()
        missing = sorted(set(own) - set(self.tensors))
        extra = sorted(set(self.tensors) - set(own))
        shapes = ["{} {} != {}".format(k, tuple(self.tensors[k].shape), tuple(v.shape))
                  for k, v in own.items() if k in self.tensors and tuple(self.tensors[k].shape) != tuple(v.shape)]
        if missing or extra or shapes:
            parts = []
            if missing:
                parts.append("missing " + ", ".join(missing[:5]))
            if extra:
                parts.append("unexpected " + ", ".join(extra[:5]))
            if shapes:
                parts.append("shape mismatch " + "; ".join(shapes[:5]))
            raise BundleError("model: weights in {} do not match the card's architecture: {}".format(
                self.path, " | ".join(parts)))


def set_card_entry(folder, path, value):
    """Set card[path[0]][path[1]]... = value in a bundle folder's card.json (creating the
    sections on the way) and write it back atomically; the weights are untouched."""
    if isinstance(path, str) or not path:
        raise ValueError("path: {!r}; allowed: a non-empty tuple of card keys, e.g. ('metrics', 'x')".format(path))
    card_path = pathlib.Path(folder) / "card.json"
    card = json.loads(card_path.read_text())
    section = card
    for key in path[:-1]:
        section = section.setdefault(key, {})
        if not isinstance(section, dict):
            raise ValueError("path: card entry '{}' of {} is not a section".format(key, card_path))
    section[path[-1]] = value
    _write_card(card_path, card)


def _write_card(card_path, card):
    """Validate and write a card atomically (a partial file, then a rename)."""
    validate_card(card, str(card_path))
    partial = card_path.with_suffix(".partial")
    partial.write_text(json.dumps(card, indent=2, sort_keys=True) + "\n")
    os.replace(partial, card_path)


def save_bundle(folder, card, module):
    """Write `module`'s weights as safetensors and the card (with the weights' sha256)."""
    from safetensors.torch import save_file

    folder = pathlib.Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    weights = folder / "weights.safetensors"
    save_file({k: v.detach().cpu().contiguous() for k, v in module.state_dict().items()}, str(weights))
    card = dict(card, schema_version=CARD_SCHEMA_VERSION)
    card["weights"] = {"file": weights.name, "sha256": sha256(weights), "format": "safetensors"}
    _write_card(folder / "card.json", card)
    return folder
