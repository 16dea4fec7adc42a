# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""HTRD and its baselines: training (CAT, LS-GNA, adversarial retraining + autoencoder
detector, undefended), neural rejection, and the white-box security evaluation.

Every network is the `backbone` classifier: the paper's VT-CNN2, or AFNet, started from
an amc bundle's weights (`init_from`, e.g. the shipped afnet) when given.

- Undefended: the backbone with cross-entropy.
- CAT: per-sample eps_i, grown by eta after every visit on which the sample's PGD
  example is still classified correctly, capped at eps_max; the example is taken
  within eps_i by L2 PGD; soft label (1 - c*eps_i)*y + c*eps_i*u, u ~ Dirichlet(1).
- LS-GNA: label smoothing plus Gaussian noise augmentation.
- Two-fold: PGD adversarial retraining (half clean, half adversarial batches) plus an
  autoencoder detector that rejects on reconstruction error.
- Neural rejection on the CAT CNN (HTRD) and on the LS-GNA CNN: one-vs-all RBF-SVMs
  (gamma 0.01) on the last feature layer; the reject rules together (S0 and the two
  below) reject 10% of benign windows at the evaluation SNR (10 dB), taken from the
  held-out split, which no network trained on. The two-fold detector's threshold is
  set to the same 10% on the same windows.
  The SVMs also see `svm_background` noise windows (white and band-limited, unit power:
  an empty channel after the block's power normalisation) as a class of their own, so
  noise is rejected instead of labelled (without them every noise window was "WBFM").
  A window is also rejected when its proximity (kernel value to the nearest support
  vector) is below a floor set on `proximity_reject_rate` of the calibration windows
  (far from all support vectors every score tends to its intercept, and one intercept
  above S0 accepted such windows as a class), or when the CNN's own head puts the SVMs'
  class more than max_head_gap below its top logit, set on `head_reject_rate` of them
  (an attacker must then carry both heads to one wrong class); S0 rejects the rest of
  `reject_rate`.

Inputs are power-normalised (unit mean power per complex sample, ||x||^2 = 128), so
eps budgets are in those units: PNR 0 dB at 10 dB SNR is eps = sqrt(128/11) = 3.41.
"""

import json
import pathlib
import time

import numpy as np

from ..nn import amc as amc_nn
from ..nn import htrd as htrd_nn
from . import attacks
from .common import Checkpoint, set_seed

CONFIG = {
    "per_cell": 100, "min_snr_db": 0.0, "epochs": 8, "batch_size": 256, "lr": 1e-3,
    "pgd_steps_train": 2, "cat_attack_loss": "cross_entropy", "cat_clean_fraction": 0.0,
    "eps_max_pnr_db": -5.0, "eps_reference_snr_db": 10.0, "eta_fraction": 0.2,
    "smoothing_c": 0.156, "ls_alpha": 0.1, "gna_sigma": 0.3, "svm_gamma": 0.01, "svm_C": 1.0,
    "svm_samples": 2000, "svm_background": 1000, "svm_class_weight": None,
    "reject_rate": 0.1, "proximity_reject_rate": 0.01, "head_reject_rate": 0.05, "ae_epochs": 20,
    "calibration_snr_db": 10.0, "cfo_correction": "none", "backbone": "vtcnn2", "init_from": None,
}
#: The classifiers HTRD can be built on, and how a fresh one is made for (rows, length) inputs.
BACKBONES = {
    "vtcnn2": lambda rows, length: {"name": "vtcnn2", "classes": 11, "length": length},
    "afnet": lambda rows, length: {"name": "afnet", "classes": 11, "in_channels": rows},
}
BACKBONE_NAMES = {"vtcnn2": "VT-CNN2", "afnet": "AFNet"}


class AutoencoderDetector:
    """A small dense autoencoder on the (rows, 128) model input; error = mean squared reconstruction error."""

    @staticmethod
    def build(length=128, hidden=64, code=16, rows=2):
        from torch import nn

        return nn.Sequential(nn.Flatten(), nn.Linear(rows * length, hidden), nn.ReLU(), nn.Linear(hidden, code),
                             nn.ReLU(), nn.Linear(code, hidden), nn.ReLU(), nn.Linear(hidden, rows * length),
                             nn.Unflatten(1, (rows, length)))

    @staticmethod
    def error(model, x):
        return (model(x) - x).pow(2).flatten(1).mean(1)


def load_data(data_path, config, split_seed=0):
    from .amc import load_split

    ds, x, train, valid, test = load_split(data_path, split_seed, config["per_cell"], input_scale="power",
                                          cfo_correction=config["cfo_correction"])
    keep = lambda idx: idx[ds.snr[idx] >= config["min_snr_db"]]  # noqa: E731
    train, valid, test = keep(train), keep(valid), keep(test)
    return ds, x, ds.label.astype(np.int64), train, valid, test


def eps_max(config, energy=128.0):
    """The CAT / retraining budget for inputs of this energy (||x||^2: 128 for a power-normalised
    128-sample window as two rows, twice that as four)."""
    pnr, snr = 10 ** (config["eps_max_pnr_db"] / 10), 10 ** (config["eps_reference_snr_db"] / 10)
    return float(np.sqrt(pnr * energy / (snr + 1)))


def _soft_cross_entropy(logits, targets):
    import torch

    return -(targets * torch.log_softmax(logits, dim=1)).sum(1).mean()


def received_rows(x):
    """The I/Q rows of the window as received: rows 2-3 of a fourth_power_and_raw input
    (rows 0-1 are derived from them), else the two rows there are."""
    return x[:, 2:4] if x.shape[1] == 4 else x


class HeldCorrection:
    """A four-row (fourth_power_and_raw) network seen from the received rows, the x^4
    offset estimate held at each clean window's: the attacks then perturb the window a
    receiver would get, not its four rows independently. forward / outputs / logits as the
    wrapped model's, on (B, 2, L) windows in the order of `offsets`."""

    def __init__(self, model, offsets):
        self.model = model
        self.offsets = offsets

    def view(self, x):
        return amc_nn.corrected_and_raw(x, self.offsets)

    def __call__(self, x):
        return self.model(self.view(x))

    def outputs(self, x):
        return self.model.outputs(self.view(x))

    def logits(self, x):
        return self.model.logits(self.view(x))


def input_energy(x):
    """||x||^2 of every power-normalised model input (rows/2 times the window length)."""
    return float(x.shape[1] * x.shape[2] / 2)


def initial_weights(config, rows, length):
    """The backbone's architecture, and the state of `init_from` (None: a fresh network).
    The bundle must be an amc bundle of that backbone with the same input rows and carrier
    offset correction; an energy-normalised one has its first layer's weights divided by
    sqrt(length), so that on power-normalised windows it computes what it did before."""
    import torch

    from ..runtime.bundle import ModelBundle

    architecture = BACKBONES[config["backbone"]](rows, length)
    if not config["init_from"]:
        return architecture, None
    bundle = ModelBundle.load(config["init_from"])
    card_arch = dict(bundle.card["architecture"])
    preprocessing = bundle.card.get("preprocessing", {})
    if bundle.kind != amc_nn.KIND or card_arch.get("name") != config["backbone"] or "frontend" in card_arch:
        raise ValueError("init_from: {} is a '{}' bundle of '{}'; allowed: an 'amc' bundle of the backbone '{}' "
                         "without a front-end (use --backbone {} for this bundle)".format(
                             bundle.path, bundle.kind, card_arch.get("name"), config["backbone"],
                             card_arch.get("name")))
    if preprocessing.get("cfo_correction", "none") != config["cfo_correction"]:
        raise ValueError("init_from: {} was trained with cfo_correction '{}'; use --cfo-correction {}".format(
            bundle.path, preprocessing.get("cfo_correction", "none"), preprocessing.get("cfo_correction", "none")))
    model = bundle.load_into(amc_nn.build(card_arch))
    if preprocessing.get("normalization", "energy") == "energy":
        first = next(m for m in model.modules() if isinstance(m, (torch.nn.Conv1d, torch.nn.Conv2d, torch.nn.Linear)))
        with torch.no_grad():
            first.weight.div_(np.sqrt(length))
    return card_arch, model.state_dict()


def train_cnn(kind, x, y, train, valid, config, seed=1, checkpoint_dir=None, log=print):
    """kind: undefended | cat | lsgna | adversarial. Returns (the backbone network, history)."""
    import torch
    import torch.nn.functional as F

    set_seed(seed)
    architecture, state = initial_weights(config, x.shape[1], x.shape[2])
    model = amc_nn.build(architecture)
    if state is not None:
        model.load_state_dict(state)
    optimizer = torch.optim.Adam(model.parameters(), lr=config["lr"])
    checkpoint = Checkpoint(checkpoint_dir, "{}.pt".format(kind))
    start, history, extra = checkpoint.restore(model, optimizer)
    eps_cap = eps_max(config, input_energy(x))
    eps_i = extra["eps"] if extra and "eps" in extra else torch.zeros(len(train))
    xt = torch.as_tensor(x[train])
    yt = torch.as_tensor(y[train])
    xv = torch.as_tensor(x[valid])
    yv = torch.as_tensor(y[valid])
    classes = 11
    generator = torch.Generator().manual_seed(seed)
    dirichlet = torch.distributions.Dirichlet(torch.ones(classes))
    for epoch in range(start, config["epochs"]):
        began = time.perf_counter()
        model.train()
        order = torch.randperm(len(xt), generator=torch.Generator().manual_seed(seed + epoch))
        total = 0.0
        for i in range(0, len(xt), config["batch_size"]):
            idx = order[i:i + config["batch_size"]]
            xb, yb = xt[idx], yt[idx]
            onehot = F.one_hot(yb, classes).float()
            if kind == "undefended":
                inputs, targets = xb, onehot
            elif kind == "lsgna":
                inputs = xb + config["gna_sigma"] * torch.randn(xb.shape, generator=generator)
                targets = (1 - config["ls_alpha"]) * onehot + config["ls_alpha"] / classes
            elif kind == "cat":
                model.eval()
                clean = int(round(config["cat_clean_fraction"] * len(xb)))
                attacked = idx[clean:]
                eps_b = eps_i[attacked]
                adv = attacks.pgd_l2(attacks.LOSSES[config["cat_attack_loss"]](model, yb[clean:]), xb[clean:],
                                     eps_b, steps=config["pgd_steps_train"])
                with torch.no_grad():
                    still_right = model(adv).argmax(1) == yb[clean:]
                eps_i[attacked] = torch.where(still_right, torch.clamp(eps_b + config["eta_fraction"] * eps_cap,
                                                                       max=eps_cap), eps_b)
                model.train()
                smooth = torch.cat([torch.zeros(clean), (config["smoothing_c"] * eps_b).clamp(max=1.0)])[:, None]
                inputs = torch.cat([xb[:clean], adv])
                targets = (1 - smooth) * onehot + smooth * dirichlet.sample((len(yb),))
            elif kind == "adversarial":
                model.eval()
                half = len(xb) // 2
                adv = attacks.pgd_l2(attacks.cross_entropy_objective(model, yb[half:]), xb[half:],
                                     torch.full((len(xb) - half,), eps_cap), steps=config["pgd_steps_train"])
                model.train()
                inputs, targets = torch.cat([xb[:half], adv]), onehot
            else:
                raise ValueError("kind: unknown '{}'; allowed: undefended, cat, lsgna, adversarial".format(kind))
            loss = _soft_cross_entropy(model(inputs), targets)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(idx)
        model.eval()
        with torch.no_grad():
            valid_acc = float((torch.cat([model(xv[j:j + 1024]) for j in range(0, len(xv), 1024)]).argmax(1)
                               == yv).float().mean())
        history.append({"epoch": epoch, "train_loss": total / len(xt), "valid_accuracy": valid_acc,
                        "mean_eps": float(eps_i.mean()) if kind == "cat" else None,
                        "seconds": time.perf_counter() - began})
        log("{} epoch {:2d}  loss {:.4f}  valid acc {:.4f}{}  {:.0f} s".format(
            kind, epoch, history[-1]["train_loss"], valid_acc,
            "  mean eps {:.2f}".format(history[-1]["mean_eps"]) if kind == "cat" else "", history[-1]["seconds"]))
        checkpoint.save(epoch, model, optimizer, history, {"eps": eps_i} if kind == "cat" else None)
    return model.eval(), history


def features(cnn, x, batch=1024):
    import torch

    with torch.no_grad():
        return torch.cat([cnn.features(torch.as_tensor(x[i:i + batch])) for i in range(0, len(x), batch)]).numpy()


def far_field_decision(model, threshold, min_proximity=0.0):
    """What is decided for features far from every support vector, where each score is
    its intercept and the proximity 0: "reject" when there is a proximity floor or every
    intercept is <= S0, else the accepted class. (The head-agreement rule is left out:
    what the CNN head says there depends on the window, not on the SVMs.)"""
    from ..data.modulators import CLASSES

    intercepts = model.svm.intercept.numpy()
    return "reject" if min_proximity > 0 or intercepts.max() <= threshold else CLASSES[int(intercepts.argmax())]


def fit_rejection(cnn, x_train, y_train, x_calibration, config, seed=1, backbone=None):
    """One-vs-all RBF-SVMs on the CNN's features, with `svm_background` noise windows as
    negatives of every machine. Returns (model, S0, min_proximity, max_head_gap): the
    proximity floor rejects `proximity_reject_rate` of x_calibration, the head-agreement
    rule `head_reject_rate` (max_head_gap None when 0: no rule), and S0 the rest of
    `reject_rate`.
    svm_class_weight "balanced" weighs each machine's one class like its ten others.
    backbone: the cnn's architecture (None: VT-CNN2)."""
    import torch
    from sklearn.svm import SVC

    from ..data import unknown

    rng = np.random.default_rng(seed)
    pick = rng.permutation(len(x_train))[:config["svm_samples"]]
    background = amc_nn.preprocess(unknown.background_windows(config["svm_background"], x_train.shape[2], rng),
                                   "power", config["cfo_correction"])
    z = features(cnn, np.concatenate([x_train[pick], background])).astype(np.float64)
    labels = np.concatenate([y_train[pick], np.full(len(background), -1)])
    machines = [SVC(kernel="rbf", gamma=config["svm_gamma"], C=config["svm_C"],
                    class_weight=config["svm_class_weight"]).fit(z, labels == c) for c in range(11)]
    head = htrd_nn.RBFSVMScores.from_sklearn(machines, config["svm_gamma"])
    model = htrd_nn.HTRD(11, x_train.shape[2], head.support_vectors.shape[0], z.shape[1], backbone=backbone)
    model.cnn.load_state_dict(cnn.state_dict())
    model.svm.load_state_dict(head.state_dict())
    model.eval()
    with torch.no_grad():
        scores, proximity, logits = model.outputs(torch.as_tensor(x_calibration))
        gap = htrd_nn.head_gap(scores, logits).numpy()
    top, proximity = scores.max(1).values.numpy(), proximity.numpy()
    floor = float(np.quantile(proximity, config["proximity_reject_rate"])) if config["proximity_reject_rate"] else 0.0
    kept = proximity >= floor
    max_head_gap = None
    if config["head_reject_rate"]:
        # gap > max_head_gap rejects at most head_reject_rate of all windows (ties at 0 reject fewer)
        max_head_gap = float(np.quantile(gap[kept], max(0.0, 1 - config["head_reject_rate"] / np.mean(kept))))
        kept &= gap <= max_head_gap
    rest = (config["reject_rate"] - np.mean(~kept)) / np.mean(kept)
    threshold = float(np.quantile(top[kept], min(max(rest, 0.0), 1.0)))
    return model, threshold, floor, max_head_gap


def train_detector(x, train, calibration, config, seed=1, log=print):
    import torch

    set_seed(seed)
    ae = AutoencoderDetector.build(x.shape[2], rows=x.shape[1])
    optimizer = torch.optim.Adam(ae.parameters(), lr=1e-3)
    xt = torch.as_tensor(x[train])
    for epoch in range(config["ae_epochs"]):
        order = torch.randperm(len(xt), generator=torch.Generator().manual_seed(seed + epoch))
        for i in range(0, len(xt), 256):
            loss = AutoencoderDetector.error(ae, xt[order[i:i + 256]]).mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    ae.eval()
    with torch.no_grad():
        errors = AutoencoderDetector.error(ae, torch.as_tensor(x[calibration])).numpy()
    threshold = float(np.quantile(errors, 1 - config["reject_rate"]))
    log("autoencoder detector: calibration error median {:.4f}, threshold {:.4f}".format(np.median(errors), threshold))
    return ae, threshold


def _card(name, kind, description, architecture, thresholds, training, metrics, cfo_correction="none"):
    from ..data.modulators import CLASSES

    return {"name": name, "kind": kind, "description": description, "window_length": 128,
            "input": {"sample_rate": 200e3, "samples_per_symbol": 8, "dtype": "complex64"},
            "preprocessing": amc_nn.preprocessing_section("power", cfo_correction),
            "architecture": architecture, "outputs": {"classes": list(CLASSES), "value": "class index, -1 = reject"},
            "thresholds": thresholds, "training": training, "metrics": metrics}


def check_config(config):
    """Refuse settings that cannot train, naming the allowed values."""
    if not 0.0 <= config["smoothing_c"] * eps_max(config) <= 1.0:
        raise ValueError("smoothing_c: {} gives a smoothing weight c*eps_max = {:.3f}; allowed: 0 to {:.3f} "
                         "(c*eps_max between 0 and 1)".format(config["smoothing_c"],
                                                             config["smoothing_c"] * eps_max(config),
                                                             1.0 / eps_max(config)))
    if config["cat_attack_loss"] not in attacks.LOSSES:
        raise ValueError("cat_attack_loss: '{}'; allowed: {}".format(config["cat_attack_loss"],
                                                                    ", ".join(sorted(attacks.LOSSES))))
    if not 0.0 <= config["cat_clean_fraction"] < 1.0:
        raise ValueError("cat_clean_fraction: {}; allowed: 0 <= fraction < 1".format(config["cat_clean_fraction"]))
    if isinstance(config["svm_samples"], bool) or not isinstance(config["svm_samples"], int) \
            or config["svm_samples"] < 11:
        raise ValueError("svm_samples: {!r}; allowed: a whole number of training windows >= 11".format(
            config["svm_samples"]))
    if isinstance(config["svm_background"], bool) or not isinstance(config["svm_background"], int) \
            or config["svm_background"] < 0:
        raise ValueError("svm_background: {!r}; allowed: a whole number of noise windows >= 0".format(
            config["svm_background"]))
    if not 0.0 <= config["proximity_reject_rate"] < config["reject_rate"]:
        raise ValueError("proximity_reject_rate: {}; allowed: 0 <= rate < reject_rate ({})".format(
            config["proximity_reject_rate"], config["reject_rate"]))
    if not 0.0 <= config["head_reject_rate"] < config["reject_rate"] - config["proximity_reject_rate"]:
        raise ValueError("head_reject_rate: {}; allowed: 0 <= rate < reject_rate - proximity_reject_rate ({:g})".format(
            config["head_reject_rate"], config["reject_rate"] - config["proximity_reject_rate"]))
    if config["cfo_correction"] not in amc_nn.CFO_CORRECTIONS:
        raise ValueError("cfo_correction: {!r}; allowed: {}".format(config["cfo_correction"],
                                                                    ", ".join(amc_nn.CFO_CORRECTIONS)))
    if not (isinstance(config["lr"], (int, float)) and 0.0 < config["lr"] < float("inf")):
        raise ValueError("lr: {!r}; allowed: a learning rate > 0".format(config["lr"]))
    if config["backbone"] not in BACKBONES:
        raise ValueError("backbone: {!r}; allowed: {}".format(config["backbone"], ", ".join(BACKBONES)))
    if config["svm_class_weight"] not in (None, "balanced"):
        raise ValueError("svm_class_weight: {!r}; allowed: None, 'balanced'".format(config["svm_class_weight"]))


def train_all(data_path, output_dir, htrd_output, config=None, seed=1, split_seed=0, checkpoint_dir=None,
              threads=0, command="", log=print):
    """Train the four CNNs, the rejection SVMs and the detector; write the bundles."""
    import torch

    from ..data import storage, unknown
    from ..runtime.bundle import save_bundle

    if threads:
        torch.set_num_threads(threads)
    config = dict(CONFIG, **(config or {}))
    check_config(config)
    ds, x, y, train, valid, test = load_data(data_path, config, split_seed)
    if len(valid) < 10 or len(train) < 10:
        raise ValueError("data: {} leaves {} training and {} validation windows; use more --per-cell".format(
            data_path, len(train), len(valid)))
    calibration = test[np.isclose(ds.snr[test], config["calibration_snr_db"])]
    if len(calibration) < 10:
        raise ValueError("data: {} has {} held-out windows at {} dB to set the reject thresholds".format(
            data_path, len(calibration), config["calibration_snr_db"]))
    backbone = initial_weights(config, x.shape[1], x.shape[2])[0]
    budget = eps_max(config, input_energy(x))
    if not 0.0 <= config["smoothing_c"] * budget <= 1.0:
        raise ValueError("smoothing_c: {} gives c*eps_max = {:.3f} on {}-row inputs; allowed: 0 to {:.3f}".format(
            config["smoothing_c"], config["smoothing_c"] * budget, x.shape[1], 1.0 / budget))
    log("data: {} train, {} validation, {} calibration windows (SNR >= {} dB, {} per cell); eps_max {:.2f}".format(
        len(train), len(valid), len(calibration), config["min_snr_db"], config["per_cell"], budget))
    output_dir = pathlib.Path(output_dir)
    training = {"data": str(data_path), "data_command": storage.generate_command(ds.attrs, data_path),
                "data_seed": int(ds.attrs.get("seed", -1)), "split_seed": split_seed, "seed": seed,
                "config": config, "eps_max": budget, "command": command,
                "train_windows": int(len(train)), "validation_windows": int(len(valid)),
                "calibration_windows": int(len(calibration))}
    cnns, histories = {}, {}
    for kind in ("undefended", "lsgna", "cat", "adversarial"):
        cnns[kind], histories[kind] = train_cnn(kind, x, y, train, valid, config, seed, checkpoint_dir, log)
    seconds = {k: float(np.mean([h["seconds"] for h in v])) for k, v in histories.items()}
    for kind in ("undefended", "adversarial"):
        card = _card(kind, amc_nn.KIND, "{}, {} (HTRD baseline)".format(BACKBONE_NAMES[config["backbone"]], kind),
                     backbone, {}, dict(training, stage=kind, history=histories[kind]), {}, config["cfo_correction"])
        save_bundle(output_dir / kind, card, cnns[kind])
    ae, ae_threshold = train_detector(x, train, calibration, config, seed, log)
    card = _card("twofold_detector", "autoencoder_detector", "autoencoder detector of the two-fold defence",
                 {"name": "dense_autoencoder", "hidden": 64, "code": 16, "rows": int(x.shape[1])},
                 {"reconstruction_error": ae_threshold, "benign_reject_rate": config["reject_rate"]}, training, {},
                 config["cfo_correction"])
    save_bundle(output_dir / "twofold_detector", card, ae)
    results = {}
    for kind, name, folder in (("lsgna", "lsgna_nr", output_dir / "lsgna_nr"), ("cat", "htrd", htrd_output)):
        model, threshold, floor, max_head_gap = fit_rejection(cnns[kind], x[train], y[train], x[calibration], config,
                                                              seed, backbone)
        rejector = htrd_nn.Rejector(model, threshold, floor, max_head_gap)
        arch = {"name": "htrd_{}_svm".format(config["backbone"]), "classes": 11, "length": int(x.shape[2]),
                "features": int(model.svm.support_vectors.shape[1]),
                "support_vectors": int(model.svm.support_vectors.shape[0]), "backbone": backbone}
        fresh_noise = amc_nn.preprocess(
            unknown.background_windows(1000, x.shape[2], np.random.default_rng([seed, 1])), "power",
            config["cfo_correction"])
        decided = rejector(torch.as_tensor(x[valid]))
        noise_decided = rejector(torch.as_tensor(fresh_noise))
        metrics = {"validation_reject_rate": float(np.mean(decided == htrd_nn.REJECT)),
                   "validation_accuracy_accepted": float(np.mean(decided[decided >= 0] == y[valid][decided >= 0])),
                   "validation_snr_db": "{} to 18".format(config["min_snr_db"]),
                   "noise_reject_rate": float(np.mean(noise_decided == htrd_nn.REJECT)),
                   "far_field_decision": far_field_decision(model, threshold, floor)}
        card = _card(name, htrd_nn.KIND, "{} trained with {} + RBF-SVM neural rejection".format(
            BACKBONE_NAMES[config["backbone"]], "CAT" if kind == "cat" else "LS-GNA"), arch,
            {"S0": threshold, "min_proximity": floor, "max_head_gap": max_head_gap,
             "benign_reject_rate": config["reject_rate"], "proximity_reject_rate": config["proximity_reject_rate"],
             "head_reject_rate": config["head_reject_rate"]},
            dict(training, stage=kind, history=histories[kind], seconds_per_epoch=seconds), metrics,
            config["cfo_correction"])
        save_bundle(folder, card, model)
        results[name] = metrics
        log("{}: S0 {:.4f}, min proximity {:.4f}, max head gap {}, validation reject {:.3f}, accuracy of accepted "
            "{:.3f}, fresh noise rejected {:.3f}, far from all features: {}".format(
                name, threshold, floor, "none" if max_head_gap is None else "{:.4f}".format(max_head_gap),
                metrics["validation_reject_rate"], metrics["validation_accuracy_accepted"],
                metrics["noise_reject_rate"], metrics["far_field_decision"]))
    return results


# ---- security evaluation --------------------------------------------------------------------
def _load_model(folder):
    """A plain amc bundle -> the model; an HTRD-kind bundle -> its htrd_nn.Rejector."""
    from ..runtime.bundle import ModelBundle

    bundle = ModelBundle.load(folder)
    if bundle.kind == htrd_nn.KIND:
        model = bundle.load_into(htrd_nn.build(bundle.card["architecture"])).eval()
        return htrd_nn.Rejector.from_card(model, bundle.card)
    return bundle.load_into(amc_nn.build(bundle.card["architecture"])).eval()


def evaluate(htrd_bundle, baselines_dir, data_path, report_dir, pnrs=(-20, -15, -10, -5, 0), attack_samples=300,
             steps=10, snr_db=10.0, log=print, update_card=False, command=""):
    """Figs. 4-5 and the benign table on a fresh 10 dB set (generate it with another seed).
    update_card: record the results (and `command`) in the HTRD bundle's card."""
    import torch

    from ..data import load, storage
    from ..runtime.bundle import ModelBundle

    ds = load(data_path)
    mask = np.isclose(ds.snr, snr_db)
    if not mask.any():
        raise ValueError("data: {} has no examples at SNR {} dB".format(data_path, snr_db))
    preprocessing = ModelBundle.load(htrd_bundle).card["preprocessing"]
    card_preprocessing = dict({"normalization": "power"}, **preprocessing)
    prepare = lambda windows: amc_nn.preprocess_card(windows, card_preprocessing)  # noqa: E731
    x_all = prepare(ds.complex()[mask])
    y_all = ds.label[mask].astype(np.int64)
    baselines = pathlib.Path(baselines_dir)
    htrd_rejector = _load_model(htrd_bundle)
    lsgna_rejector = _load_model(baselines / "lsgna_nr")
    htrd, lsgna = htrd_rejector.model, lsgna_rejector.model
    undefended = _load_model(baselines / "undefended")
    adversarial = _load_model(baselines / "adversarial")
    detector_bundle = ModelBundle.load(baselines / "twofold_detector")
    detector = detector_bundle.load_into(AutoencoderDetector.build(
        rows=detector_bundle.card["architecture"].get("rows", 2))).eval()
    ae_threshold = detector_bundle.card["thresholds"]["reconstruction_error"]
    ae_error = lambda xa: AutoencoderDetector.error(detector, xa)  # noqa: E731

    xt = torch.as_tensor(x_all)
    with torch.no_grad():
        benign = {
            "undefended": float((undefended(xt).argmax(1).numpy() == y_all).mean()),
            "htrd_without_nr": float((htrd.logits(xt).argmax(1).numpy() == y_all).mean()),
            "lsgna_without_nr": float((lsgna.logits(xt).argmax(1).numpy() == y_all).mean()),
            "twofold_reject_rate": float((ae_error(xt) > ae_threshold).float().mean()),
        }
    decisions = {"htrd_with_nr": htrd_rejector(xt), "lsgna_with_nr": lsgna_rejector(xt)}
    for name, decided in decisions.items():
        accepted = decided >= 0
        benign[name + "_accepted_accuracy"] = float((decided[accepted] == y_all[accepted]).mean())
        benign[name + "_reject_rate"] = float(1 - accepted.mean())
    log("benign: " + json.dumps({k: round(v, 4) for k, v in benign.items()}))

    rng = np.random.default_rng(0)
    pick = np.sort(rng.permutation(len(x_all))[:attack_samples])
    x = torch.as_tensor(x_all[pick])
    y = torch.as_tensor(y_all[pick])
    plain_rejectors = {"htrd": htrd_rejector, "lsgna_nr": lsgna_rejector}
    renormalise = None
    if x.shape[1] == 4:
        # attack the received rows through the x^4 view, its estimate held at the clean window's
        offsets = torch.as_tensor(amc_nn.fourth_power_offsets(amc_nn.to_complex(received_rows(x_all[pick]))))

        def through(model):
            return HeldCorrection(model, offsets)

        def seen(rejector):
            return htrd_nn.Rejector(through(rejector.model), rejector.threshold, rejector.min_proximity,
                                    rejector.max_head_gap)

        htrd_rejector, lsgna_rejector = seen(htrd_rejector), seen(lsgna_rejector)
        undefended, adversarial = through(undefended), through(adversarial)
        ae_error = lambda xa: AutoencoderDetector.error(detector, amc_nn.corrected_and_raw(xa, offsets))  # noqa: E731
        renormalise = lambda xa: prepare(amc_nn.to_complex(xa.numpy()))  # noqa: E731
        x = received_rows(x)
    defences = _attack_plan(htrd_rejector, lsgna_rejector, undefended, adversarial, ae_error, ae_threshold, y)
    curves = {name: [] for name in defences}
    paired = {name: {"difference": [], "standard_error": []} for name in defences if name != "htrd"}
    attack_curves = {name: {attack: [] for attack in plan[1]} for name, plan in defences.items()}
    norms_ok = True
    timings = {}
    saved = None
    for pnr in [None] + list(pnrs):
        eps = attacks.attack_budget(x, snr_db, pnr) if pnr is not None else torch.zeros(len(x))
        began = time.perf_counter()
        outcomes = {}
        for name, (defended, plan) in defences.items():
            survived = np.ones(len(x), dtype=bool)
            for attack, (objective, active) in plan.items():
                xa = x if pnr is None else attacks.pgd_l2(objective, x, eps, steps=steps, active=active)
                norms_ok &= bool(torch.all((xa - x).flatten(1).norm(dim=1) <= eps * (1 + 1e-4) + 1e-6))
                with torch.no_grad():
                    ok = defended(xa)
                attack_curves[name][attack].append(float(ok.mean()))
                survived &= ok
                if pnr == -10 and name == "undefended" and attack == "cross_entropy":
                    saved = received_rows(xa).numpy()
            curves[name].append(float(survived.mean()))
            outcomes[name] = survived
        for name, stats in paired.items():
            difference, error = paired_difference(outcomes["htrd"], outcomes[name])
            stats["difference"].append(difference)
            stats["standard_error"].append(error)
        timings[str(pnr)] = time.perf_counter() - began
        log("PNR {:>5}: ".format("none" if pnr is None else pnr) + "  ".join(
            "{} {:.3f}".format(k, v[-1]) for k, v in curves.items()))
    rejection = rejection_checks(plain_rejectors, undefended, x, y, snr_db, steps, prepare=prepare,
                                 attacked={"htrd": htrd_rejector, "lsgna_nr": lsgna_rejector}, renormalise=renormalise)
    log("rejection: " + json.dumps(rejection))
    result = {"data": str(data_path), "snr_db": snr_db, "attack_samples": int(len(x)), "pgd_steps": steps,
              "pnr_db": [None] + list(pnrs), "curves": curves, "attack_curves": attack_curves,
              "paired_vs_htrd": paired, "benign": benign,
              "budgets_respected": norms_ok, **rejection,
              "attack_seconds_per_pnr": timings, "S0": {"htrd": htrd_rejector.threshold,
                                                        "lsgna_nr": lsgna_rejector.threshold},
              "min_proximity": {"htrd": htrd_rejector.min_proximity, "lsgna_nr": lsgna_rejector.min_proximity},
              "max_head_gap": {"htrd": htrd_rejector.max_head_gap, "lsgna_nr": lsgna_rejector.max_head_gap},
              "twofold_threshold": ae_threshold}
    report = pathlib.Path(report_dir)
    report.mkdir(parents=True, exist_ok=True)
    (report / "htrd_eval.json").write_text(json.dumps(result, indent=2))
    if saved is not None:
        # the demo's adversarial segments (python/sentinel/models/htrd/adversarial_examples.safetensors)
        from safetensors.numpy import save_file

        save_file({"x": saved.astype(np.float32), "y": y.numpy().astype(np.int64),
                   "clean": received_rows(x).numpy().astype(np.float32)},
                  str(report / "adversarial_examples.safetensors"))
    _plot(result, report)
    if update_card:
        record_in_card(htrd_bundle, result, command, storage.generate_command(ds.attrs, data_path))
    return result


def paired_difference(defended_a, defended_b):
    """(mean of a - b, its standard error) over the same windows (per-window bools)."""
    difference = np.asarray(defended_a, float) - np.asarray(defended_b, float)
    if len(difference) < 2:
        return float(difference.mean()), None   # no spread to measure (JSON null)
    return float(difference.mean()), float(difference.std(ddof=1) / np.sqrt(len(difference)))


def record_in_card(htrd_bundle, result, command, data_command):
    """The card's metrics.security_evaluation: benign table, every curve, the command."""
    from ..runtime.bundle import ModelBundle, set_card_entry

    keys = ("snr_db", "attack_samples", "pgd_steps", "pnr_db", "benign", "curves", "attack_curves", "paired_vs_htrd",
            "budgets_respected", "S0", "min_proximity", "max_head_gap", "twofold_threshold", "unknown_inputs",
            "transferred")
    set_card_entry(ModelBundle.load(htrd_bundle).path, ("metrics", "security_evaluation"),
                   dict({k: result[k] for k in keys}, command=command, data_command=data_command))


def rejection_checks(rejecting, undefended, x, y, snr_db, steps, transfer_pnrs=(-10, 0, 10, 20),
                     unknown_windows=300, seed=2, prepare=None, attacked=None, renormalise=None):
    """What the rejecting defences ({name: htrd_nn.Rejector}) reject besides benign windows:
    - unknown_inputs: the fraction rejected of `unknown_windows` fresh windows of each
      data.unknown family, prepared as the blocks do (`prepare`: complex windows -> model
      input; default power normalisation);
    - transferred: margin PGD on the undefended network at each PNR (x, y: the attacked
      windows); of the windows it fools, the fraction each defence rejects, rejects or
      classifies correctly, and rejects once the window is power-normalised.
    attacked: the same rejectors as they see the attack's input x (default `rejecting`;
    four-row bundles: HeldCorrection views of the received rows); renormalise: the
    attacked x -> what the block would feed them (default: power normalisation of the two
    rows; four-row bundles: `prepare` again, the x^4 estimate included)."""
    import torch

    from ..data import unknown

    def rejected(rejector, windows):
        decided = rejector(windows)
        return decided == htrd_nn.REJECT, decided

    prepare = prepare or (lambda windows: amc_nn.preprocess(windows, "power"))
    attacked = attacked or rejecting
    renormalise = renormalise or (lambda xa: amc_nn.preprocess(amc_nn.to_complex(xa), "power"))
    rng = np.random.default_rng(seed)
    families = {name: torch.as_tensor(prepare(make(unknown_windows, x.shape[2], rng)))
                for name, make in unknown.FAMILIES.items()}
    unknown_inputs = {"windows_per_family": unknown_windows, "seed": seed, "rejected": {
        name: {family: float(rejected(rejector, windows)[0].mean()) for family, windows in families.items()}
        for name, rejector in rejecting.items()}}
    transferred = {"attack": "margin PGD on the undefended network, {} steps".format(steps),
                   "pnr_db": list(transfer_pnrs), "fooled": [],
                   **{name: {"rejected": [], "rejected_or_correct": [], "rejected_power_normalised": []}
                      for name in rejecting}}
    for pnr in transfer_pnrs:
        xa = attacks.pgd_l2(attacks.margin_objective(undefended, y), x, attacks.attack_budget(x, snr_db, pnr),
                            steps=steps)
        normalised = torch.as_tensor(renormalise(xa))
        with torch.no_grad():
            fooled = (undefended(xa).argmax(1) != y).numpy()
        transferred["fooled"].append(float(fooled.mean()))

        def share(flags):
            return float(flags[fooled].mean()) if fooled.any() else None

        for name, rejector in rejecting.items():
            out, decided = rejected(attacked[name], xa)
            safe = out | (decided == y.numpy())
            transferred[name]["rejected"].append(share(out))
            transferred[name]["rejected_or_correct"].append(share(safe))
            transferred[name]["rejected_power_normalised"].append(share(rejected(rejector, normalised)[0]))
    return {"unknown_inputs": unknown_inputs, "transferred": transferred}


def _attack_plan(htrd, lsgna, undefended, adversarial, ae_error, ae_threshold, y):
    """{defence: (defended(x') -> bool per window, {attack: (objective, active)})}.

    A window counts as defended only when it survives every attack in its defence's list
    (rejected or correctly classified each time): cross-entropy PGD alone overstates
    networks trained on smoothed labels, whose loss flattens while the logit margin
    still falls, so every network also meets the logit-difference (margin) attack."""
    def plain(model):
        def defended(xa):
            return (model(xa).argmax(1) == y).numpy()
        return defended

    def rejecting(rejector):
        def defended(xa):
            decided = rejector(xa)
            return (decided == htrd_nn.REJECT) | (decided == y.numpy())
        return defended

    def twofold(xa):
        return (ae_error(xa) > ae_threshold).numpy() | (adversarial(xa).argmax(1) == y).numpy()

    def on_logits(model):
        return {loss: (factory(model, y), None) for loss, factory in attacks.LOSSES.items()}

    def on_scores(rejector):
        # eq. (5) as written (the best wrong SVM score above the true one); eq. (5) that
        # must also pass every reject rule (S0, the proximity floor, the head agreement),
        # aiming at the SVMs' or the CNN head's best wrong class; the CNN head's margin attack
        model = rejector.model

        def escape(target):
            return attacks.rejection_escape_objective(model.outputs, y, rejector.threshold, rejector.min_proximity,
                                                      rejector.max_head_gap, target)
        plan = {"eq5_as_written": (attacks.margin_objective(model, y), None), "eq5": (escape("svm"), None),
                "margin_on_cnn": (attacks.margin_objective(model.logits, y), None)}
        if rejector.max_head_gap is not None:   # without the head rule the target makes no difference
            plan["eq5_head_target"] = (escape("head"), None)
        return plan

    two_condition = {"two_condition_" + loss: (
        attacks.two_condition_objective(adversarial, ae_error, y, ae_threshold, loss=loss),
        attacks.two_condition_active(adversarial, ae_error, y, ae_threshold)) for loss in attacks.LOSSES}
    return {
        "cat_dnn": (plain(htrd.model.logits), on_logits(htrd.model.logits)),
        "lsgna_dnn": (plain(lsgna.model.logits), on_logits(lsgna.model.logits)),
        "undefended": (plain(undefended), on_logits(undefended)),
        "htrd": (rejecting(htrd), on_scores(htrd)),
        "lsgna_nr": (rejecting(lsgna), on_scores(lsgna)),
        # the two-condition attack with either first-stage loss, and the detector-blind one
        "twofold": (twofold, dict(two_condition, margin_on_cnn=(attacks.margin_objective(adversarial, y), None))),
    }


def _plot(result, report):
    from ..data.plots import pyplot

    plt = pyplot()
    pnrs = result["pnr_db"][1:]
    for filename, names, title in (
            ("htrd_fig4.png", (("cat_dnn", "CAT DNN"), ("lsgna_dnn", "LS-GNA DNN")), "Fig. 4: DNNs without NR"),
            ("htrd_fig5.png", (("htrd", "HTRD (CAT + NR)"), ("lsgna_nr", "LS-GNA NR"),
                               ("twofold", "two-fold (adv. retraining + AE)"), ("undefended", "undefended DNN")),
             "Fig. 5: rejection-based defences")):
        fig, ax = plt.subplots(figsize=(6, 4))
        for key, label in names:
            ax.plot(pnrs, result["curves"][key][1:], "o-", label=label)
        ax.set_xlabel("PNR (dB)")
        ax.set_ylabel("accuracy (correct or rejected)")
        ax.set_ylim(0, 1)
        ax.grid(alpha=0.3)
        ax.set_title("{} ({} white-box L2 PGD attacks, {} dB SNR)".format(title, result["attack_samples"],
                                                                       result["snr_db"]), fontsize=9)
        ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(report / filename, dpi=110)
        plt.close(fig)
