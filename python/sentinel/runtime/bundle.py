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
import os
import pathlib

CARD_SCHEMA_VERSION = 1
MODELS_DIR = pathlib.Path(__file__).resolve().parent.parent / "models"

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
    """Path of a bundle's card: a shipped name, a bundle folder, or a card file."""
    candidate = pathlib.Path(str(name_or_path))
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
    if card["window_length"] <= 0:
        raise BundleError("{}: window_length must be positive".format(source))
    if "classes" in card["outputs"]:
        classes = card["outputs"]["classes"]
        if not isinstance(classes, list) or not classes or not all(isinstance(c, str) for c in classes):
            raise BundleError("{}: outputs.classes must be a non-empty list of names".format(source))
    if "file" not in card["weights"]:
        raise BundleError("{}: weights.file is missing".format(source))


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class ModelBundle:
    """A validated card and its weights (a dict of CPU tensors)."""

    def __init__(self, card, tensors, path):
        self.card = card
        self.tensors = tensors
        self.path = path

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
        weights = card_path.parent / card["weights"]["file"]
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
        return cls(card, tensors, card_path.parent)

    def load_into(self, module):
        """Load the weights into `module`, refusing any missing, extra or mis-shaped tensor."""
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
        module.load_state_dict(self.tensors, strict=True)
        return module


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
