# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Training, calibration and evaluation of the MAE anomaly scorer (the paper's recipe).

Data: a `sentinel data generate mae` file. Its split column gives 32,000 / 6,000 /
10,000 normal vectors for training / validation / test. The autoencoder trains on
the training split; the latent mean and covariance come from it too; alpha and
beta from the validation split. The threshold gamma is chosen on that file's test
split (normal test vectors and all anomalous ones) by the ROC point farthest from
the diagonal. The reported metrics come from `evaluate` on a file generated with
another seed, never from the training file.
"""

import json
import pathlib
import time

import numpy as np

from ..data import storage
from ..nn import mae as mae_nn
from .common import Checkpoint, detection_metrics, reconstruction_epoch, set_seed, youden_threshold

PAPER_TABLE_III = {"TPR": 0.971, "TNR": 0.988, "PPV": 0.988, "FNR": 0.029, "F1": 0.979, "AUROC": 0.997}
ABLATIONS = {"hybrid": 0, "mahalanobis": 1, "reconstruction": 2}


def _load(path):
    import h5py
    from ..data import load

    ds = load(path)
    if ds.attrs.get("recipe") != "mae":
        raise ValueError("data: {} was made by recipe '{}', MAE needs 'mae'".format(path, ds.attrs.get("recipe")))
    with h5py.File(path, "r") as f:
        split = f["split"][:]
    normal = np.isin(np.array(ds.class_names)[ds.label], ds.parameters["normal_classes"])
    return ds, split, normal


def _scores(model, feats, batch=2048):
    import torch

    out = []
    with torch.inference_mode():
        for i in range(0, len(feats), batch):
            out.append(model(torch.from_numpy(feats[i:i + batch])).numpy())
    return np.concatenate(out) if out else np.zeros((0, 3), np.float32)


def train(data_path, output, epochs=35, batch_size=128, lr=3.33e-5, seed=1, checkpoint_dir=None,
          threads=0, log=print, command="", feature_kind="iq"):
    import torch

    if threads:
        torch.set_num_threads(threads)
    set_seed(seed)
    ds, split, normal = _load(data_path)
    x = ds.complex()
    raw = mae_nn.features(x, 0.0, 1.0, feature_kind)
    train_rows = normal & (split == 0)
    scale_min, scale_max = float(raw[train_rows].min()), float(raw[train_rows].max())
    feats = (raw - scale_min) / (scale_max - scale_min)
    architecture = {"input_size": feats.shape[1], "hidden": [1240, 245, 84], "latent": 12}
    model = mae_nn.build(architecture)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    checkpoint = Checkpoint(checkpoint_dir)
    start_epoch, history, _ = checkpoint.restore(model, optimizer)
    if start_epoch:
        log("resuming from epoch {}".format(start_epoch))
    x_train = torch.from_numpy(feats[train_rows])
    x_valid = torch.from_numpy(feats[normal & (split == 1)])
    generator = torch.Generator().manual_seed(seed)
    for epoch in range(start_epoch, epochs):
        began = time.perf_counter()
        train_mse = reconstruction_epoch(model, x_train, batch_size, optimizer, generator)
        model.eval()
        with torch.inference_mode():
            valid_loss = float(torch.mean((model.reconstruct(x_valid)[0] - x_valid) ** 2))
        history.append({"epoch": epoch, "train_mse": train_mse, "valid_mse": valid_loss,
                        "seconds": time.perf_counter() - began})
        log("epoch {:3d}  train mse {:.6f}  valid mse {:.6f}  {:.1f} s".format(
            epoch, history[-1]["train_mse"], valid_loss, history[-1]["seconds"]))
        checkpoint.save(epoch, model, optimizer, history)

    model.eval()
    with torch.inference_mode():
        model.fit_latent(model.encoder(x_train))
        valid_scores = _scores(model, feats[normal & (split == 1)])
    model.fit_weights(torch.from_numpy(valid_scores[:, 1]), torch.from_numpy(valid_scores[:, 2]))
    calib = _scores(model, feats[split == 2])
    calib_anomalous = ~normal[split == 2]
    thresholds, calibration = {}, {}
    for name, column in ABLATIONS.items():
        s_n, s_a = calib[~calib_anomalous, column], calib[calib_anomalous, column]
        thresholds[name] = youden_threshold(s_n, s_a)
        calibration[name] = detection_metrics(s_n, s_a, thresholds[name])

    card = {
        "name": pathlib.Path(output).name, "kind": mae_nn.KIND,
        "description": "Mahalanobis autoencoder anomaly scorer (Onyekwelu, Jang, Yoon). Normal: "
                       "BPSK/QPSK/8PSK; anomalous: anything else, e.g. QAM16/QAM64.",
        "window_length": int(x.shape[1]),
        "input": {"samples_per_symbol": 1, "dtype": "complex64",
                  "note": "windows of 1000 symbols at one sample per symbol, any gain"},
        "preprocessing": {"steps": ["unit RMS per window",
                                    {"iq": "concatenate I then Q", "sorted_amplitude": "sort |x| ascending",
                                     "iq_density": "share of the samples in each cell of a {0} x {0} grid over "
                                                   "+-{1:g} in I and Q".format(mae_nn.DENSITY_BINS,
                                                                             mae_nn.DENSITY_EXTENT)}[feature_kind],
                                    "min-max scale with the training set's min and max"],
                          "features": feature_kind, "scale_min": scale_min, "scale_max": scale_max},
        "architecture": architecture,
        "outputs": {"score": "hybrid = alpha * Mahalanobis(latent) + beta * reconstruction MSE; "
                             "higher is more anomalous",
                    "columns": list(mae_nn.SCORE_COLUMNS),
                    "alpha": float(model.alpha), "beta": float(model.beta)},
        "thresholds": {"gamma": thresholds["hybrid"], "ablations": thresholds,
                       "rule": "anomalous when score > gamma; gamma maximises TPR - FPR on the "
                               "training file's test split"},
        "training": {"data": str(data_path), "data_recipe": "mae",
                     "data_command": storage.generate_command(ds.attrs, data_path),
                     "data_seed": int(ds.attrs.get("seed", -1)), "seed": seed, "epochs": epochs,
                     "batch_size": batch_size, "learning_rate": lr, "optimizer": "Adam", "loss": "MSE",
                     "command": command, "history": history},
        "metrics": {"calibration_split": calibration},
    }
    from ..runtime.bundle import save_bundle
    save_bundle(output, card, model)
    log("saved bundle to {}".format(output))
    return card


def evaluate(model_name, data_path, report_dir=None, log=print, update_card=False, command="", bound=False,
             bound_per_cell=200):
    """Table III (and the ablations) on a fresh file's test split, with figures.

    update_card: record the results (and `command`) in the bundle's card as
    metrics.fresh_data, the figures the card reports.
    bound: also compute the likelihood-ratio bound (mae_bound) on up to bound_per_cell
    test windows per (class, SNR) and report it per SNR next to the model.
    """
    from ..runtime.bundle import ModelBundle, set_card_entry

    bundle = ModelBundle.load(model_name, expected_kind=mae_nn.KIND)
    model = bundle.load_into(mae_nn.build(bundle.card["architecture"])).eval()
    ds, split, normal = _load(data_path)
    if int(ds.attrs.get("seed", -1)) == bundle.card["training"].get("data_seed"):
        raise ValueError("data: {} has the training data's seed; evaluate on a file made with another seed".format(data_path))
    pre = bundle.card["preprocessing"]
    rows = split == 2
    scores = _scores(model, mae_nn.features(ds.complex()[rows], pre["scale_min"], pre["scale_max"],
                                            pre["features"]))
    anomalous = ~normal[rows]
    snr = ds.snr[rows]
    results = {}
    for name, column in ABLATIONS.items():
        threshold = bundle.card["thresholds"]["ablations"][name]
        results[name] = detection_metrics(scores[~anomalous, column], scores[anomalous, column], threshold)
    per_snr = {}
    for s in np.unique(snr):
        m = snr == s
        per_snr[float(s)] = detection_metrics(scores[m & ~anomalous, 0], scores[m & anomalous, 0],
                                              bundle.card["thresholds"]["gamma"])
    report = {"model": str(bundle.path), "data": str(data_path), "data_seed": int(ds.attrs.get("seed", -1)),
              "table_iii": results["hybrid"], "ablations": results, "paper_table_iii": PAPER_TABLE_III,
              "per_snr_hybrid": per_snr}
    log(format_table(results))
    if bound:
        from . import mae_bound

        report["bound"] = mae_bound.evaluate_bound(ds, rows, bound_per_cell, np.random.default_rng(0), log)
        log(format_bound(report))
    if update_card:
        set_card_entry(bundle.path, ("metrics", "fresh_data"),
                       dict(report, command=command, data_command=storage.generate_command(ds.attrs, data_path)))
    if report_dir:
        report_dir = pathlib.Path(report_dir)
        report_dir.mkdir(parents=True, exist_ok=True)
        (report_dir / "mae_eval.json").write_text(json.dumps(report, indent=2) + "\n")
        _figures(scores, anomalous, bundle.card["thresholds"]["gamma"], report_dir)
        log("wrote {}".format(report_dir))
    return report


def format_bound(report):
    """AUROC per SNR: the model's hybrid score next to the likelihood-ratio bound and the
    normal-only likelihood (the reference that, like the model, knows no anomaly)."""
    bound, normal_only = report["bound"]["auroc_by_snr"], report["bound"]["normal_only"]
    lines = ["{:>8}{:>10}{:>10}{:>13}".format("SNR dB", "model", "bound", "normal-only")]
    for s, b in sorted(bound.items()):
        lines.append("{:>8g}{:>10.3f}{:>10.3f}{:>13.3f}".format(s, report["per_snr_hybrid"][s]["AUROC"], b,
                                                              normal_only["auroc_by_snr"][s]))
    lines.append("{:>8}{:>10.3f}{:>10.3f}{:>13.3f}".format("pooled", report["table_iii"]["AUROC"],
                                                          report["bound"]["pooled_auroc"], normal_only["pooled_auroc"]))
    return "\n".join(lines)


def format_table(results):
    keys = ["TPR", "TNR", "PPV", "FNR", "F1", "AUROC"]
    lines = ["{:<16}".format("score") + "".join("{:>8}".format(k) for k in keys)]
    for name, r in results.items():
        lines.append("{:<16}".format(name) + "".join("{:>8.3f}".format(r[k]) for k in keys))
    lines.append("{:<16}".format("paper (MAE)") + "".join("{:>8.3f}".format(PAPER_TABLE_III[k]) for k in keys))
    return "\n".join(lines)


def _figures(scores, anomalous, gamma, folder):
    from sklearn.metrics import roc_curve
    from ..data.plots import pyplot

    plt = pyplot()
    hybrid = scores[:, 0]
    fig, ax = plt.subplots(figsize=(6, 4))
    bins = np.linspace(np.percentile(hybrid, 0.5), np.percentile(hybrid, 99.5), 120)
    ax.hist(hybrid[~anomalous], bins, alpha=0.6, label="normal (BPSK/QPSK/8PSK)", density=True)
    ax.hist(hybrid[anomalous], bins, alpha=0.6, label="anomalous (QAM16/QAM64)", density=True)
    ax.axvline(gamma, color="k", ls="--", lw=1, label="gamma")
    ax.set_xlabel("hybrid score")
    ax.set_ylabel("density")
    ax.set_title("MAE hybrid score, test data (cf. the paper's Fig. 2)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(folder / "mae_fig2_histogram.png", dpi=110)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(4.6, 4.4))
    y = anomalous.astype(int)
    for name, column in ABLATIONS.items():
        fpr, tpr, _ = roc_curve(y, scores[:, column])
        ax.plot(fpr, tpr, label=name)
    ax.plot([0, 1], [0, 1], "k:", lw=0.8)
    ax.set_xlabel("false positive rate")
    ax.set_ylabel("true positive rate")
    ax.set_title("ROC (cf. the paper's Fig. 3)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(folder / "mae_fig3_roc.png", dpi=110)
    plt.close(fig)
