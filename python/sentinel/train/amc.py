# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Training and evaluation of the modulation classifiers, with the confidence-weighted
(CW) two-stage recipe of AFNet's paper.

Baseline: cross-entropy, Adam 1e-3, batch 512, early stopping on validation loss.
CW: stage 1 trains with CE; each training example then gets w = 1 - H_k / log k
from the stage-1 model's renormalised top-k entropy; stage 2 retrains from
scratch with the weighted CE, mean(w * CE). Weights computed with one model (AFNet)
can be applied to another (the paper's Table II).

The 8:2 split is by example, stratified by (class, SNR), from the split seed; 10%
of the training part is held out for early stopping.
"""

import json
import pathlib

import numpy as np

from ..nn import amc as amc_nn
from .common import fit, predict_proba  # noqa: F401 (part of this module's API)


#: --frontend values: none, the learned RTN, or one of the classical corrections of nn.amc
FRONTENDS = ("none", "rtn", "fourth_power", "fourth_power_and_raw")


def _cell_keys(labels, snrs):
    """One integer per (class, SNR) cell."""
    return labels.astype(np.int64) * 1000 + np.round(snrs).astype(np.int64)


def split_indices(labels, snrs, seed, test_fraction=0.2, valid_fraction=0.1):
    """Stratified train / validation / test indices."""
    rng = np.random.default_rng(seed)
    train, valid, test = [], [], []
    keys = _cell_keys(labels, snrs)
    for key in np.unique(keys):
        idx = rng.permutation(np.flatnonzero(keys == key))
        n_test = int(round(len(idx) * test_fraction))
        rest = idx[n_test:]
        n_valid = int(round(len(rest) * valid_fraction))
        test.append(idx[:n_test])
        valid.append(rest[:n_valid])
        train.append(rest[n_valid:])
    return np.concatenate(train), np.concatenate(valid), np.concatenate(test)


def accuracy_by_snr(probabilities, labels, snrs):
    pred = probabilities.argmax(1)
    return {float(s): float(np.mean(pred[snrs == s] == labels[snrs == s])) for s in np.unique(snrs)}


def confusion(probabilities, labels, classes):
    m = np.zeros((classes, classes), np.int64)
    np.add.at(m, (labels, probabilities.argmax(1)), 1)
    return m


def _cell_slice(ds, first, count):
    """Mask of examples first .. first+count-1 of every (class, SNR) cell."""
    keep = np.zeros(len(ds), bool)
    keys = _cell_keys(ds.label, ds.snr)
    for key in np.unique(keys):
        keep[np.flatnonzero(keys == key)[first:first + count]] = True
    return keep


def random_offsets(windows, max_offset_hz, sample_rate, rng, fraction=1.0):
    """Each window times exp(j 2 pi f n / fs) with its own f uniform in +-max_offset_hz:
    a receiver's carrier offset drawn afresh on a dataset recorded without one. With
    fraction < 1, a random share 1 - fraction of the windows keeps f = 0."""
    f = rng.uniform(-max_offset_hz, max_offset_hz, size=(len(windows), 1))
    f[rng.random(len(windows)) >= fraction] = 0.0
    n = np.arange(windows.shape[1])
    return (windows * np.exp(2j * np.pi * f * n / sample_rate)).astype(np.complex64), f[:, 0]


def _offset_free(ds):
    """True for a dataset without a receiver section (no carrier offsets of its own)."""
    return ds.draws is None or "cfo_hz" not in ds.draws


def _model_input(ds, input_scale, cfo_correction="none", augment=None):
    """ds's windows as the network's rows; augment = (max_offset_hz, fraction, rng) first gives
    that share of an offset-free dataset's windows a random carrier offset (training data only)."""
    x = ds.iq.astype(np.float32)
    if augment is not None and augment[0] > 0 and _offset_free(ds):
        from ..data.modulators import SAMPLE_RATE   # the recipes' rate, for datasets that record none

        channel = ds.parameters.get("channel")
        sample_rate = float(channel.get("sample_rate", SAMPLE_RATE) if isinstance(channel, dict) else SAMPLE_RATE)
        shifted, _ = random_offsets(ds.complex(), augment[0], sample_rate, augment[2], augment[1])
        return amc_nn.preprocess(shifted, input_scale, cfo_correction)
    if ds.attrs.get("normalization") != "energy" or cfo_correction != "none":
        return amc_nn.preprocess(ds.complex(), input_scale, cfo_correction)
    if input_scale == "power":
        return x * np.float32(np.sqrt(x.shape[2]))
    return x


def _index_mask(size, indices):
    keep = np.zeros(size, bool)
    keep[indices] = True
    return keep


def load_split(data_path, split_seed, per_cell=None, input_scale="energy", cfo_correction="none"):
    """Load a dataset and its stratified split; per_cell keeps only the first N examples
    of every (class, SNR) cell (for a CPU budget), the same ones for every model."""
    from ..data import load

    ds = load(data_path)
    if per_cell:
        ds = ds.select(_cell_slice(ds, 0, per_cell))
    train, valid, test = split_indices(ds.label, ds.snr, split_seed)
    return ds, _model_input(ds, input_scale, cfo_correction), train, valid, test


def _offsets_hz(ds, source):
    """Each example's known carrier offset (the receiver table's cfo_hz) for the RTN's
    auxiliary target; a dataset without receiver draws has none."""
    if ds.draws is None or "cfo_hz" not in ds.draws:
        raise ValueError("aux_weight: {} has no per-example carrier offsets (generate it with the "
                         "receiver recipe) ; use aux_weight 0 for end-to-end training alone".format(source))
    return ds.draws["cfo_hz"].astype(np.float32)


def load_extra_data(paths, classes, input_scale, cfo_correction, with_offsets, augment=None):
    """Every example of other dataset files, for training only (e.g. the RadioML-2016
    recipe next to the receiver recipe); their classes must be the split's."""
    from ..data import load

    xs, ys, offsets = [], [], []
    for path in paths:
        extra = load(path)
        if list(extra.class_names) != list(classes):
            raise ValueError("extra_data: {} has classes {}, the training data {}".format(
                path, extra.class_names, classes))
        xs.append(_model_input(extra, input_scale, cfo_correction, augment))
        ys.append(extra.label)
        if with_offsets:
            offsets.append(_offsets_hz(extra, path) if extra.draws is not None
                           else np.zeros(len(extra), np.float32))
    return xs, ys, offsets


def load_extra_training(data_path, per_cell, extra, input_scale="energy", cfo_correction="none", augment=None):
    """Examples per_cell .. per_cell+extra-1 of every cell: never in any model's split,
    so they can only ever add training data and the held-out test split stays the same."""
    from ..data import load

    if not per_cell:
        raise ValueError("extra training examples need per_cell (the split's subsample)")
    ds = load(data_path)
    ds = ds.select(_cell_slice(ds, per_cell, extra))
    return _model_input(ds, input_scale, cfo_correction, augment), ds.label


def _inherited_stage_name(name, init_from):
    """A starting bundle's stage, named once by the bundle it came from (a chain of warm
    starts keeps the first suffix)."""
    if str(name).endswith(", the starting point)"):
        return name
    return "{} (of {}, the starting point)".format(name, init_from)


def train(model_name, data_path, output, epochs=30, batch_size=512, lr=1e-3, patience=15, seed=1,
          split_seed=0, cw=False, cw_k=3, cw_weights_from=None, architecture=None, checkpoint_dir=None,
          threads=0, log=print, command="", per_cell=None, stage1_output=None, input_scale="energy",
          extra_train=0, init_from=None, frontend="none", frontend_options=None, aux_weight=0.0,
          extra_data=(), augment_cfo_hz=0.0, augment_fraction=1.0):
    """Train one classifier (optionally with the CW two-stage recipe) and save a bundle.

    cw_weights_from: a bundle whose model supplies the stage-1 probabilities (e.g.
    AFNet's, applied to a baseline); otherwise stage 1 is this model.
    extra_train: per cell, examples beyond per_cell added to training only.
    init_from: a bundle of the same architecture to start from (warm start); with a
    front-end, its weights start the classifier behind it.
    frontend: "none"; "rtn" (the radio transformer network, options in frontend_options,
    aux_weight > 0 adds the known offset as an auxiliary target); "fourth_power" (the
    classical x^4 offset correction in preprocessing); "fourth_power_and_raw" (AFNet sees
    the corrected and the received window, 4 input rows; a 2-row init_from bundle starts
    it with zero weights on the received rows, i.e. as the bundle's own network).
    extra_data: further dataset files whose every example joins the training set.
    augment_cfo_hz: every training window of an offset-free dataset (no receiver section)
    gets a carrier offset uniform in +-augment_cfo_hz, drawn once from the seed; the
    validation and test windows stay as recorded. augment_fraction: the share of those
    windows that get one (the others keep theirs, about none).
    """
    import torch

    if frontend not in FRONTENDS:
        raise ValueError("frontend: unknown '{}'; allowed: {}".format(frontend, ", ".join(FRONTENDS)))
    if aux_weight and frontend != "rtn":
        raise ValueError("aux_weight: only the rtn front-end has an auxiliary target")
    if not np.isfinite(augment_cfo_hz) or augment_cfo_hz < 0:
        raise ValueError("augment_cfo_hz: must be a finite offset >= 0 Hz, got {}".format(augment_cfo_hz))
    if augment_cfo_hz and aux_weight:
        raise ValueError("augment_cfo_hz: not combined with aux_weight (the drawn offsets are no target)")
    if not 0.0 < augment_fraction <= 1.0:
        raise ValueError("augment_fraction: must be in (0, 1], got {}".format(augment_fraction))
    if augment_fraction != 1.0 and not augment_cfo_hz:
        raise ValueError("augment_fraction: only with augment_cfo_hz > 0 (the offsets it shares out)")
    augment = (augment_cfo_hz, augment_fraction, np.random.default_rng(seed + 7919)) if augment_cfo_hz else None
    if threads:
        torch.set_num_threads(threads)
    cfo_correction = frontend if frontend in amc_nn.CFO_CORRECTIONS else "none"
    ds, x, train_idx, valid_idx, test_idx = load_split(data_path, split_seed, per_cell, input_scale,
                                                       cfo_correction)
    classes = list(ds.class_names)
    x_train, y_train = x[train_idx], ds.label[train_idx]
    if augment is not None:
        x_train = _model_input(ds.select(_index_mask(len(ds), train_idx)), input_scale, cfo_correction, augment)
        y_train = ds.label[np.sort(train_idx)]
    aux_train = _offsets_hz(ds, data_path)[train_idx] if aux_weight else None
    if extra_data:
        xs, ys, offsets = load_extra_data(extra_data, classes, input_scale, cfo_correction, bool(aux_weight),
                                          augment)
        x_train, y_train = np.concatenate([x_train] + xs), np.concatenate([y_train] + ys)
        if aux_weight:
            aux_train = np.concatenate([aux_train] + offsets)
        log("training on {} examples ({} from {})".format(len(x_train), sum(len(v) for v in ys),
                                                          ", ".join(str(p) for p in extra_data)))
    if extra_train:
        if aux_weight:
            raise ValueError("extra_train: not combined with aux_weight")
        x_extra, y_extra = load_extra_training(data_path, per_cell, extra_train, input_scale, cfo_correction,
                                               augment)
        x_train, y_train = np.concatenate([x_train, x_extra]), np.concatenate([y_train, y_extra])
        log("training on {} examples ({} from beyond the first {} per cell)".format(
            len(x_train), len(x_extra), per_cell))
    initial = None
    if init_from:
        from ..runtime.bundle import ModelBundle
        if architecture:
            raise ValueError("architecture: comes from the init_from bundle; give one or the other")
        initial = ModelBundle.load(init_from, expected_kind=amc_nn.KIND)
        if initial.card["architecture"].get("name") != model_name:
            raise ValueError("init_from: bundle '{}' is a {}, not a {}".format(
                init_from, initial.card["architecture"].get("name"), model_name))
        trained_scale = initial.card.get("preprocessing", {}).get("normalization", "energy")
        if trained_scale != input_scale:
            raise ValueError("input_scale: bundle '{}' was trained on unit-{} windows, not unit-{}".format(
                init_from, trained_scale, input_scale))
        if initial.card["architecture"].get("frontend") is not None and frontend == "rtn":
            raise ValueError("init_from: bundle '{}' already has a front-end".format(init_from))
        architecture = dict(initial.card["architecture"])
    architecture = dict(architecture or {}, name=model_name, classes=len(classes))
    rows = amc_nn.input_rows(cfo_correction)
    if rows != 2:
        if model_name != "afnet":
            raise ValueError("frontend: {} gives {} input rows; only afnet takes more than 2".format(frontend, rows))
        architecture["in_channels"] = rows
    if frontend == "rtn":
        architecture["frontend"] = dict({"kind": "rtn", "max_offset_hz": 12.5e3, "sample_rate": 200e3,
                                         "channels": 32}, **(frontend_options or {}))
    elif frontend_options:
        raise ValueError("frontend_options: only for the rtn front-end")
    ckpt = pathlib.Path(checkpoint_dir) if checkpoint_dir else None
    # a warm start's card keeps the history of the bundle it started from (its learning curve)
    stages = [dict(s, stage=_inherited_stage_name(s.get("stage"), init_from))
              for s in (initial.card.get("training", {}).get("stages", []) if initial is not None else [])]
    inherited = len(stages)

    def run_stage(name, weights):
        model = amc_nn.build(architecture)
        if initial is not None:
            warm_start(initial, model.classifier if frontend == "rtn" else model)
        history = fit(model, x_train, y_train, x[valid_idx], ds.label[valid_idx], weights,
                      epochs, batch_size, lr, patience, seed, ckpt / name if ckpt else None, log,
                      aux_train=aux_train, aux_weight=aux_weight)
        stages.append({"stage": name, "epochs_run": len(history), "history": history,
                       "training_examples": int(len(x_train)), "initialised_from": init_from})
        return model

    cw_info = None
    if cw:
        if cw_weights_from:
            from ..runtime.bundle import ModelBundle
            source = ModelBundle.load(cw_weights_from, expected_kind=amc_nn.KIND)
            teacher = source.load_into(amc_nn.build(source.card["architecture"]))
            teacher_name = source.card["name"]
        else:
            teacher = run_stage("stage1_ce", None)
            teacher_name = model_name + " stage 1"
        w = amc_nn.topk_confidence_weights(torch.as_tensor(predict_proba(teacher, x_train)), cw_k).numpy()
        cw_info = {"k": cw_k, "weights_from": teacher_name, "mean_weight": float(w.mean()),
                   "weight_quartiles": [float(q) for q in np.percentile(w, [25, 50, 75])]}
        model = run_stage("stage2_cw", w)
    else:
        model = run_stage("ce", None)

    def test_metrics(m):
        probabilities = predict_proba(m, x[test_idx])
        labels, snrs = ds.label[test_idx], ds.snr[test_idx]
        by_snr = accuracy_by_snr(probabilities, labels, snrs)
        return {"test_examples": int(len(test_idx)),
                "accuracy": float(np.mean(probabilities.argmax(1) == labels)),
                "average_accuracy": float(np.mean(list(by_snr.values()))),
                "max_accuracy": float(max(by_snr.values())),
                "accuracy_by_snr": by_snr}

    if stage1_output and cw and not cw_weights_from:
        _save(stage1_output, model_name, False, x, architecture, classes, ds, data_path, split_seed, seed,
              epochs, batch_size, lr, patience, None, stages[:inherited + 1], command, per_cell, test_metrics(teacher), log,
              teacher, input_scale, extra_train)
    extras = {"cfo_correction": cfo_correction, "aux_weight": aux_weight, "augment_cfo_hz": float(augment_cfo_hz),
              "augment_fraction": float(augment_fraction) if augment_cfo_hz else 0.0,
              "extra_data": [_describe_data(p) for p in extra_data]}
    return _save(output, model_name, cw, x, architecture, classes, ds, data_path, split_seed, seed, epochs,
                 batch_size, lr, patience, cw_info, stages, command, per_cell, test_metrics(model), log, model,
                 input_scale, extra_train, extras)


def warm_start(bundle, model):
    """Load a bundle's weights into `model`; a stem with more input rows than the bundle's
    gets the bundle's stem on its first rows and zeros on the others (same outputs as the
    bundle's network on those rows)."""
    import torch

    stem = "stem.0.weight"
    own = model.state_dict()
    if stem in own and stem in bundle.tensors and own[stem].shape[1] > bundle.tensors[stem].shape[1]:
        narrow = amc_nn.build(dict(bundle.card["architecture"]))
        bundle.load_into(narrow)
        state = narrow.state_dict()
        wide = torch.zeros_like(own[stem])
        wide[:, :state[stem].shape[1]] = state[stem]
        state[stem] = wide
        model.load_state_dict(state, strict=True)
        return model
    return bundle.load_into(model)


def _describe_data(path):
    from ..data import load, storage

    ds = load(path, limit=1)
    return {"data": str(path), "data_recipe": ds.attrs.get("recipe"), "data_seed": int(ds.attrs.get("seed", -1)),
            "data_command": storage.generate_command(ds.attrs, path)}


def _save(output, model_name, cw, x, architecture, classes, ds, data_path, split_seed, seed, epochs,
          batch_size, lr, patience, cw_info, stages, command, per_cell, metrics, log, model, x_scale,
          extra_train=0, extras=None):
    from ..data import storage

    extras = extras or {}
    cfo_correction = extras.get("cfo_correction", "none")
    card = {
        "name": pathlib.Path(output).name, "kind": amc_nn.KIND,
        "description": "{} modulation classifier{} on gr-sentinel's RadioML-2016.10a-style data".format(
            model_name, " with confidence-weighted two-stage training" if cw else ""),
        "window_length": int(x.shape[2]),
        "input": {"sample_rate": 200e3, "samples_per_symbol": 8, "dtype": "complex64"},
        "preprocessing": amc_nn.preprocessing_section(x_scale, cfo_correction),
        "architecture": architecture,
        "outputs": {"classes": classes, "value": "class index (float)"},
        "thresholds": {},
        "training": {"data": str(data_path), "data_recipe": ds.attrs.get("recipe"),
                     "data_command": storage.generate_command(ds.attrs, data_path),
                     "examples_per_cell": per_cell or ds.parameters.get("examples_per_class_snr"),
                     "extra_training_examples_per_cell": extra_train,
                     "data_seed": int(ds.attrs.get("seed", -1)), "data_parameters": ds.parameters,
                     "split_seed": split_seed, "split": "8:2 train:test stratified by (class, SNR); "
                     "10% of train for early stopping", "seed": seed, "epochs_max": epochs,
                     "batch_size": batch_size, "learning_rate": lr, "optimizer": "Adam",
                     "patience": patience, "loss": "CW two-stage" if cw else "cross-entropy",
                     "cw": cw_info, "stages": stages, "command": command,
                     "rtn_aux_weight": extras.get("aux_weight", 0.0),
                     "augment_cfo_hz": extras.get("augment_cfo_hz", 0.0),
                     "augment_fraction": extras.get("augment_fraction", 0.0),
                     "extra_data": extras.get("extra_data", [])},
        "metrics": metrics,
    }
    from ..runtime.bundle import save_bundle
    save_bundle(output, card, model)
    log("test accuracy {:.4f}, average over SNR {:.4f}; saved {}".format(
        metrics["accuracy"], metrics["average_accuracy"], output))
    return card


def evaluate(bundles, data_path, split_seed=0, report_dir=None, log=print, per_cell=None):
    """Accuracy-vs-SNR for several bundles on the same held-out split, confusion matrices
    at -10, 0 and 10 dB for the first, and the paper-style average/maximum table."""
    from ..runtime.bundle import ModelBundle

    ds, _, _, _, test_idx = load_split(data_path, split_seed, per_cell)
    labels, snrs = ds.label[test_idx], ds.snr[test_idx]
    results, cards = {}, {}
    for name in bundles:
        bundle = ModelBundle.load(name, expected_kind=amc_nn.KIND)
        cards[bundle.card["name"]] = bundle.card
        x = amc_nn.preprocess_card(ds.complex(), bundle.card["preprocessing"])
        if bundle.classes != list(ds.class_names):
            raise ValueError("model: {} classes {} differ from the data's {}".format(
                name, bundle.classes, ds.class_names))
        model = bundle.load_into(amc_nn.build(bundle.card["architecture"]))
        p = predict_proba(model, x[test_idx])
        by_snr = accuracy_by_snr(p, labels, snrs)
        results[bundle.card["name"]] = {
            "bundle": bundle.card["name"], "accuracy_by_snr": by_snr,
            "average_accuracy": float(np.mean(list(by_snr.values()))),
            "max_accuracy": float(max(by_snr.values())),
            "confusion": {str(s): confusion(p[snrs == s], labels[snrs == s], len(ds.class_names)).tolist()
                          for s in (-10.0, 0.0, 10.0) if np.any(snrs == s)}}
    log(format_table(results))
    if report_dir:
        report_dir = pathlib.Path(report_dir)
        report_dir.mkdir(parents=True, exist_ok=True)
        report = {"data": str(data_path), "split_seed": split_seed, "classes": list(ds.class_names),
                  "results": results}
        (report_dir / "amc_eval.json").write_text(json.dumps(report, indent=2) + "\n")
        _plot_curves(results, report_dir / "amc_accuracy_vs_snr.png")
        first = next(iter(results))
        _plot_confusions(results[first]["confusion"], ds.class_names, first,
                         report_dir / "amc_confusion_{}.png".format(first))
        for name, card in cards.items():
            plot_learning_curve(card, report_dir / "learning_curve_{}.png".format(name))
        log("wrote {}".format(report_dir))
    return results


def format_table(results):
    lines = ["{:<28}{:>10}{:>10}".format("model", "average", "maximum")]
    for name, r in results.items():
        lines.append("{:<28}{:>10.4f}{:>10.4f}".format(name, r["average_accuracy"], r["max_accuracy"]))
    return "\n".join(lines)


def plot_learning_curve(card, path):
    """Validation accuracy and training / validation loss per epoch of every training stage
    the card records (stages one after another; none recorded: no figure)."""
    from ..data.plots import pyplot

    epochs = [h for stage in card.get("training", {}).get("stages", []) for h in stage.get("history", [])]
    if not epochs:
        return
    plt = pyplot()
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(6.4, 5.0), sharex=True)
    n = range(1, len(epochs) + 1)
    top.plot(n, [h.get("valid_accuracy") for h in epochs], marker="o", ms=3)
    top.set_ylabel("validation accuracy")
    top.grid(alpha=0.3)
    bottom.plot(n, [h.get("train_loss") for h in epochs], marker="o", ms=3, label="training loss")
    bottom.plot(n, [h.get("valid_loss") for h in epochs], marker="o", ms=3, label="validation loss")
    bottom.set_xlabel("epoch")
    bottom.set_ylabel("cross-entropy")
    bottom.grid(alpha=0.3)
    bottom.legend(fontsize=8)
    top.set_title("{}: learning curve".format(card.get("name")))
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _plot_curves(results, path):
    from ..data.plots import pyplot

    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7.2, 4.6))
    colours = plt.get_cmap("tab20").colors  # distinct for up to 20 models
    for i, (name, r) in enumerate(results.items()):
        s = sorted(r["accuracy_by_snr"], key=float)
        ax.plot([float(k) for k in s], [r["accuracy_by_snr"][k] for k in s], marker="o", ms=3, label=name,
                color=colours[(2 * i) % 20 + (i // 10) % 2], linewidth=2.0 if i == 0 else 1.2)
    ax.set_xlabel("SNR (dB, per sample)")
    ax.set_ylabel("accuracy")
    ax.set_ylim(0, 1)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title("Modulation classification accuracy vs SNR")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _plot_confusions(confusions, classes, name, path):
    from ..data.plots import pyplot

    plt = pyplot()
    fig, axes = plt.subplots(1, len(confusions), figsize=(4.4 * len(confusions), 4.4), squeeze=False)
    for ax, (snr, m) in zip(axes[0], confusions.items()):
        m = np.asarray(m, float)
        m = m / np.maximum(m.sum(axis=1, keepdims=True), 1)
        ax.imshow(m, cmap="Blues", vmin=0, vmax=1)
        ax.set_xticks(range(len(classes)))
        ax.set_yticks(range(len(classes)))
        ax.set_xticklabels(classes, rotation=90, fontsize=7)
        ax.set_yticklabels(classes, fontsize=7)
        ax.set_title("{} at {} dB".format(name, snr), fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
