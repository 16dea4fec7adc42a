# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Generate a dataset from a recipe, in parallel, into an atomically written HDF5 file."""

import multiprocessing
import os

import numpy as np

from . import storage
from .recipes import RECIPES, unit_rng


def _make_unit(job):
    recipe, class_index, snr_index, count, seed = job
    rng = unit_rng(seed, class_index, snr_index)
    made = recipe.make_unit(class_index, recipe.snrs[snr_index], count, rng)
    examples, seeds, draws = made if len(made) == 3 else (made[0], made[1], None)
    return class_index, snr_index, examples, seeds, draws


def generate(recipe, path, count, seed=0, normalization="energy", workers=None, progress=True):
    """Write `count` examples per (class, SNR) of `recipe` to `path`; returns the path.

    Nothing is left at `path` unless generation completes.
    """
    if count <= 0:
        raise ValueError("count: must be a positive number of examples per (class, SNR), got {}".format(count))
    if normalization not in storage.NORMALIZATIONS:
        raise ValueError("normalization: unknown '{}'; allowed: {}".format(
            normalization, ", ".join(storage.NORMALIZATIONS)))
    storage.check_writable(path)
    workers = workers or min(2, os.cpu_count() or 1)
    jobs = [(recipe, c, s, count, seed)
            for c in range(len(recipe.class_names)) for s in range(len(recipe.snrs))]
    total = len(jobs) * count

    with storage.atomic_dataset(path, total, recipe.length, recipe.draw_columns) as f:
        labels = np.empty(total, np.int16)
        bar = _progress_bar(len(jobs), "{} -> {}".format(recipe.name, path), progress)
        for class_index, snr_index, examples, seeds, draws in _run_jobs(jobs, workers):
            unit = class_index * len(recipe.snrs) + snr_index
            rows = slice(unit * count, (unit + 1) * count)
            f["iq"][rows] = storage.to_rows(storage.normalize(examples, normalization))
            f["label"][rows] = class_index
            f["snr"][rows] = recipe.snrs[snr_index]
            f["seed"][rows] = seeds
            if draws is not None:
                f[storage.DRAWS][rows] = draws
            labels[rows] = class_index
            bar.update(1)
        bar.close()
        split = recipe.splits(labels, np.random.default_rng([seed, 2]))
        if split is not None:
            f.create_dataset("split", data=split)
        parameters = dict(recipe.parameters(), examples_per_class_snr=count)
        storage.write_metadata(f, recipe.name, recipe.class_names, normalization, seed, parameters)
    return path


def _run_jobs(jobs, workers):
    if workers == 1:
        for job in jobs:
            yield _make_unit(job)
        return
    # spawn: no GNU Radio or torch threads are inherited from the parent.
    context = multiprocessing.get_context("spawn")
    with context.Pool(workers) as pool:
        yield from pool.imap_unordered(_make_unit, jobs)


class _NoBar:
    def update(self, n):
        pass

    def close(self):
        pass


def _progress_bar(total, description, enabled):
    if not enabled:
        return _NoBar()
    from tqdm import tqdm
    return tqdm(total=total, desc=description, unit="unit")


def generate_named(recipe_name, path, count, seed=0, normalization="energy", workers=None,
                   progress=True, **recipe_options):
    try:
        recipe_class = RECIPES[recipe_name]
    except KeyError:
        raise ValueError("recipe: unknown '{}'; allowed: {}".format(recipe_name, ", ".join(RECIPES))) from None
    return generate(recipe_class(**recipe_options), path, count, seed, normalization, workers, progress)
