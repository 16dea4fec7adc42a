# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Training, transfer learning and evaluation of the KPI anomaly detector.

- Windows: W consecutive reports of one cell; the label is the last report's
  Unusual flag, so the detector scores "now" from the recent past.
- Split by cell (windows overlap in time, so a split by window would leak): 70%
  of the cells train, 10% validate (early stopping), 20% test.
- SMOTE (imbalanced-learn) oversamples the anomalous training windows only, on the
  flattened standardised windows. Validation and test windows are never resampled.
- Transfer learning: load network A's bundle, optionally freeze the convolutional
  front end, refit the input standardisation on the labelled part of network B, and
  fine-tune for a fixed number of epochs. The same command trains the same model
  from scratch on the same part of B and applies A's model to B unchanged, so the
  three are compared on the same test cells.
"""

import json
import pathlib

import numpy as np

from ..nn import kpi as kpi_nn
from .common import fit, predict_proba, set_seed

DEFAULT_WINDOW = 16
THRESHOLD = 0.5


def make_windows(table, window):
    """(x (n, W, F) raw float32, y (n,), kinds (n,), cell index (n,), row index of the label (n,))."""
    xs, ys, kinds, cells, rows = [], [], [], [], []
    for c, name in enumerate(table.cells()):
        idx = table.rows_of(name)
        if len(idx) < window:
            continue
        values = table.values[idx]
        ends = np.arange(window - 1, len(idx))
        xs.append(values[ends[:, None] - np.arange(window - 1, -1, -1)[None, :]])
        ys.append(table.unusual[idx][ends])
        kinds.append(table.anomaly_type[idx][ends])
        cells.append(np.full(len(ends), c))
        rows.append(idx[ends])
    if not xs:
        raise ValueError("window: no cell has {} reports; use a shorter window or more data".format(window))
    return (np.concatenate(xs).astype(np.float32), np.concatenate(ys).astype(np.int64),
            np.concatenate(kinds), np.concatenate(cells), np.concatenate(rows))


def split_cells(names, seed, test_fraction=0.2, valid_fraction=0.1):
    """Disjoint train / validation / test cell lists; each gets at least one cell when possible."""
    order = [names[i] for i in np.random.default_rng(seed).permutation(len(names))]
    n_test = max(1, int(round(len(order) * test_fraction))) if len(order) >= 3 else 0
    n_valid = max(1, int(round(len(order) * valid_fraction))) if len(order) >= 2 else 0
    return order[n_test + n_valid:], order[n_test:n_test + n_valid], order[:n_test]


def oversample(x, y, seed, ratio=1.0):
    """SMOTE on flattened windows: anomalous windows up to `ratio` x the normal count.

    Returns (x, y, synthetic count). Apply to training windows only."""
    from imblearn.over_sampling import SMOTE

    minority = int(np.sum(y == 1))
    if minority < 2 or minority >= ratio * np.sum(y == 0):
        return x, y, 0
    smote = SMOTE(sampling_strategy=ratio, k_neighbors=min(5, minority - 1), random_state=seed)
    flat, y_new = smote.fit_resample(x.reshape(len(x), -1), y)
    return flat.reshape((-1,) + x.shape[1:]).astype(np.float32), y_new.astype(np.int64), len(y_new) - len(y)


def metrics(probabilities, labels, kinds=None, threshold=THRESHOLD):
    """Accuracy; precision, recall and F1 per class; confusion; recall per anomaly type."""
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support, roc_auc_score

    predicted = (probabilities >= threshold).astype(np.int64)
    precision, recall, f1, support = precision_recall_fscore_support(
        labels, predicted, labels=[0, 1], zero_division=0)
    result = {
        "accuracy": float(np.mean(predicted == labels)), "threshold": float(threshold),
        "windows": int(len(labels)), "anomalous_windows": int(np.sum(labels == 1)),
        "per_class": {name: {"precision": float(precision[i]), "recall": float(recall[i]), "f1": float(f1[i]),
                             "support": int(support[i])} for i, name in enumerate(kpi_nn.CLASSES)},
        "confusion": confusion_matrix(labels, predicted, labels=[0, 1]).tolist(),
    }
    if 0 < np.sum(labels) < len(labels):
        result["auroc"] = float(roc_auc_score(labels, probabilities))
    if kinds is not None:
        result["recall_by_type"] = {str(k): float(np.mean(predicted[kinds == k] == 1))
                                    for k in np.unique(kinds) if k}
    return result


def anomaly_probability(model, x):
    return predict_proba(model, x)[:, 1]


def _prepare(table, cells, window, scaler):
    x, y, kinds, _, _ = make_windows(table.select_cells(cells), window)
    return kpi_nn.features(x, *scaler), y, kinds


def _datasets(table, fit_cells, valid_cells, test_cells, window, seed, smote, smote_ratio):
    """The scaler fitted on fit_cells' reports; windows of each part; SMOTE on the fit part
    only. Returns scaler, (x, y), (xv, yv), (xt, yt, kinds), the card's smote record."""
    scaler = kpi_nn.fit_scaler(table.select_cells(fit_cells).values)
    x, y, _ = _prepare(table, fit_cells, window, scaler)
    xv, yv, _ = _prepare(table, valid_cells, window, scaler)
    test = _prepare(table, test_cells, window, scaler)
    synthetic = 0
    if smote:
        x, y, synthetic = oversample(x, y, seed, smote_ratio)
    record = {"applied": bool(smote), "ratio": smote_ratio, "synthetic_windows": int(synthetic),
              "scope": "training windows only"}
    return scaler, (x, y), (xv, yv), test, record


def _card(name, description, window, scaler, architecture, training, metrics_, threshold=THRESHOLD):
    from ..data.kpi_csv import KPI_COLUMNS

    return {
        "name": name, "kind": kpi_nn.KIND, "description": description, "window_length": int(window),
        "input": {"dtype": "float32", "vlen": len(KPI_COLUMNS), "kpis": list(KPI_COLUMNS),
                  "report_interval_s": 900},
        "preprocessing": {"steps": ["log1p of each KPI (negative values clipped to 0)",
                                    "standardise with the training mean and std",
                                    "append the change from the previous report / change_std",
                                    "append the fraction of KPIs repeating the previous report"],
                          "mean": [float(v) for v in scaler[0]], "std": [float(v) for v in scaler[1]],
                          "change_std": [float(v) for v in scaler[2]]},
        "architecture": dict(kpi_nn.DEFAULT_ARCHITECTURE, **architecture),
        "outputs": {"classes": list(kpi_nn.CLASSES), "value": "anomaly probability of the window's last report"},
        "thresholds": {"probability": float(threshold)},
        "training": training,
        "metrics": metrics_,
    }


def _data_info(table, data_path):
    return {"data": str(data_path), "data_recipe": table.attrs.get("recipe", "csv"),
            "network": table.attrs.get("network"), "data_seed": table.attrs.get("seed"),
            "data_parameters": table.attrs.get("parameters"), "data_command": table.attrs.get("command")}


def train(data_path, output, window=DEFAULT_WINDOW, epochs=15, batch_size=256, lr=1e-3, patience=5, seed=1,
          split_seed=0, smote=True, smote_ratio=1.0, architecture=None, checkpoint_dir=None, threads=0,
          command="", log=print):
    """Train from scratch on one network's CSV; test on its held-out cells; save a bundle."""
    import torch

    from ..data.kpi_csv import read_csv
    from ..runtime.bundle import save_bundle

    if threads:
        torch.set_num_threads(threads)
    architecture = dict(architecture or {})
    table = read_csv(data_path)
    train_cells, valid_cells, test_cells = split_cells(table.cells(), split_seed)
    scaler, (x, y), (xv, yv), (xt, yt, kt), smote_record = _datasets(
        table, train_cells, valid_cells, test_cells, window, seed, smote, smote_ratio)
    log("train {} windows ({} synthetic), validation {}, test {}".format(
        len(x), smote_record["synthetic_windows"], len(xv), len(xt)))
    set_seed(seed)
    model = kpi_nn.build(architecture, table.values.shape[1])
    history = fit(model, x, y, xv, yv, epochs=epochs, batch_size=batch_size, lr=lr, patience=patience,
                  seed=seed, checkpoint_dir=checkpoint_dir, log=log)
    test = metrics(anomaly_probability(model, xt), yt, kt)
    log(format_metrics("test (held-out cells)", test))
    training = dict(_data_info(table, data_path), split_seed=split_seed,
                    split="by cell: {} train, {} validation, {} test".format(
                        len(train_cells), len(valid_cells), len(test_cells)),
                    test_cells=test_cells, seed=seed, epochs_max=epochs, epochs_run=len(history),
                    batch_size=batch_size, learning_rate=lr, optimizer="Adam", patience=patience,
                    loss="cross-entropy (2 classes)", smote=smote_record,
                    seconds_per_epoch=float(np.mean([h["seconds"] for h in history])), command=command)
    card = _card(pathlib.Path(output).name, "multi-scale ConvLSTM KPI anomaly detector trained from scratch",
                 window, scaler, architecture, training, {"test": test})
    save_bundle(output, card, model)
    log("saved {}".format(output))
    return card


def finetune(bundle_name, data_path, output, labelled_cells=4, epochs=20, freeze_frontend=False, batch_size=256,
             lr=1e-3, seed=1, split_seed=0, smote=True, smote_ratio=1.0, threads=0, command="", log=print):
    """Adapt a trained bundle to another network from a few labelled cells, and compare."""
    import torch

    from ..data.kpi_csv import read_csv
    from ..runtime.bundle import ModelBundle, save_bundle

    if threads:
        torch.set_num_threads(threads)
    source = ModelBundle.load(bundle_name, expected_kind=kpi_nn.KIND)
    window = source.window_length
    table = read_csv(data_path)
    pool, _, test_cells = split_cells(table.cells(), split_seed)
    if labelled_cells < 2 or labelled_cells > len(pool):
        raise ValueError("labelled_cells: must be between 2 and {} (the training cells of {}), got {}".format(
            len(pool), data_path, labelled_cells))
    fit_cells, valid_cells = pool[:labelled_cells - 1], pool[labelled_cells - 1:labelled_cells]
    kpis = table.values.shape[1]
    xt_a, yt, kt = _prepare(table, test_cells, window, kpi_nn.scaler_from_card(source.card))
    unchanged_model = source.load_into(kpi_nn.build(source.card["architecture"], kpis))
    results = {"unchanged": metrics(anomaly_probability(unchanged_model, xt_a), yt, kt)}

    scaler, (x, y), (xv, yv), (xt, _, _), smote_record = _datasets(
        table, fit_cells, valid_cells, test_cells, window, seed, smote, smote_ratio)
    log("labelled part of {}: {} cells, {} windows ({} synthetic); test {} windows".format(
        data_path, labelled_cells, len(x), smote_record["synthetic_windows"], len(xt)))
    histories = {}
    for variant in ("scratch", "finetuned"):
        set_seed(seed)
        model = kpi_nn.build(source.card["architecture"], kpis)
        if variant == "finetuned":
            source.load_into(model)
            model.freeze_frontend(freeze_frontend)
        log("-- {} --".format(variant))
        histories[variant] = fit(model, x, y, xv, yv, epochs=epochs, batch_size=batch_size, lr=lr,
                                 patience=epochs, seed=seed, log=log)
        results[variant] = metrics(anomaly_probability(model, xt), yt, kt)
    for variant, result in results.items():
        log(format_metrics(variant, result))
    training = dict(_data_info(table, data_path), base_bundle=str(bundle_name),
                    base_command=source.card["training"].get("command"), split_seed=split_seed,
                    labelled_cells=fit_cells + valid_cells, validation_cells=valid_cells, test_cells=test_cells,
                    seed=seed, epochs=epochs, batch_size=batch_size, learning_rate=lr, optimizer="Adam",
                    frontend_frozen=bool(freeze_frontend),
                    smote=smote_record,
                    seconds_per_epoch=float(np.mean([h["seconds"] for h in histories["finetuned"]])),
                    command=command)
    card = _card(pathlib.Path(output).name,
                 "multi-scale ConvLSTM KPI anomaly detector, {} fine-tuned on {} labelled cells of {}".format(
                     bundle_name, labelled_cells, table.attrs.get("network") or data_path),
                 window, scaler, source.card["architecture"], training,
                 {"test": results["finetuned"], "comparison_on_test_cells": results})
    save_bundle(output, card, model)
    log("saved {}".format(output))
    return card


def evaluate(bundles, data_path, report_dir=None, log=print):
    """Apply bundles to every cell of a (fresh) CSV; metrics, confusion PNGs, JSON."""
    from ..data.kpi_csv import read_csv
    from ..runtime.bundle import ModelBundle

    table = read_csv(data_path)
    results = {}
    traces = {}
    for name in bundles:
        bundle = ModelBundle.load(name, expected_kind=kpi_nn.KIND)
        x, y, kinds, cells, _ = make_windows(table, bundle.window_length)
        model = bundle.load_into(kpi_nn.build(bundle.card["architecture"], x.shape[2]))
        p = anomaly_probability(model, kpi_nn.features(x, *kpi_nn.scaler_from_card(bundle.card)))
        results[str(name)] = metrics(p, y, kinds, bundle.card["thresholds"].get("probability", THRESHOLD))
        traces[str(name)] = (p, y, cells)
        log(format_metrics(str(name), results[str(name)]))
    if report_dir:
        report = pathlib.Path(report_dir)
        report.mkdir(parents=True, exist_ok=True)
        (report / "kpi_eval.json").write_text(json.dumps({"data": str(data_path), "results": results}, indent=2))
        _plot_confusions(results, report / "kpi_confusion.png")
        _plot_trace(traces, report / "kpi_trace.png")
        log("report in {}".format(report))
    return results


def format_metrics(title, m):
    a = m["per_class"]["anomaly"]
    return "{}: accuracy {:.4f}  anomaly precision {:.3f} recall {:.3f} F1 {:.3f}  normal F1 {:.3f}{}".format(
        title, m["accuracy"], a["precision"], a["recall"], a["f1"], m["per_class"]["normal"]["f1"],
        "  by type " + ", ".join("{} {:.2f}".format(k, v) for k, v in m.get("recall_by_type", {}).items())
        if m.get("recall_by_type") else "")


def _plot_confusions(results, path):
    from ..data.plots import pyplot

    plt = pyplot()
    fig, axes = plt.subplots(1, len(results), figsize=(3.6 * len(results), 3.4), squeeze=False)
    for ax, (name, m) in zip(axes[0], results.items()):
        cm = np.array(m["confusion"])
        ax.imshow(cm / np.maximum(cm.sum(1, keepdims=True), 1), cmap="Blues", vmin=0, vmax=1)
        for i in range(2):
            for j in range(2):
                ax.text(j, i, str(cm[i, j]), ha="center", va="center")
        ax.set_xticks([0, 1], kpi_nn.CLASSES)
        ax.set_yticks([0, 1], kpi_nn.CLASSES)
        ax.set_xlabel("predicted")
        ax.set_ylabel("true")
        ax.set_title("{}\nacc {:.3f}, F1 {:.3f}".format(name, m["accuracy"], m["per_class"]["anomaly"]["f1"]),
                     fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _plot_trace(traces, path, steps=672):
    from ..data.plots import pyplot

    plt = pyplot()
    fig, ax = plt.subplots(figsize=(10, 3.2))
    for name, (p, y, cells) in traces.items():
        first = cells == cells[0]
        ax.plot(p[first][:steps], lw=0.8, label=name)
    y = next(iter(traces.values()))[1][next(iter(traces.values()))[2] == 0][:steps]
    ax.fill_between(np.arange(len(y)), 0, y, color="red", alpha=0.2, step="mid", label="labelled anomaly")
    ax.set_xlabel("report (15 min) of the first cell")
    ax.set_ylabel("anomaly probability")
    ax.legend(fontsize=8, loc="upper right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
