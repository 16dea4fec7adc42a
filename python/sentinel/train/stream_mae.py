# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Training and evaluation of the stream MAE (nn.stream_mae): the anomaly scorer for what
the sentinel's flowgraphs feed it, 200 kHz of a live receiver.

Training sees normal traffic only: the 11 RadioML-style classes of the `receiver` recipe
(fading, carrier offset, IQ imbalance, DC, 8-bit ADC) in long windows. Validation sets
alpha and beta (eqs. 3-6 of the MAE paper) and the epoch kept; the held-out split sets
gamma at a false-alarm rate on normal windows at >= `gamma_min_snr_db`; noise windows set
the empty-channel threshold. The hybrid score is standardised at each window's estimated
SNR (nn.stream_mae.CalibratedScore, fit on the validation split), so gamma holds its
false-alarm rate at every SNR. The evaluation scores every family of data.stream_anomalies
against fresh normal windows, beside the best of a few simple statistics.
"""

import json
import pathlib
import tempfile
import time

import numpy as np

from ..data import independent, receiver, stream_anomalies
from ..nn import mae as mae_nn
from ..nn import stream_mae
from .common import Checkpoint, reconstruction_epoch, set_seed

#: --input -> the network's architecture (its preprocessing follows from the name)
ARCHITECTURES = {"spectral": {"name": mae_nn.SPECTRAL, "dense": 128, "latent": 24},
                 "iq": {"name": mae_nn.STREAM, "channels": [32, 32, 64, 64], "dense": 128, "latent": 32}}
EMPTY_QUANTILE = 0.999


def model_input(windows, architecture):
    """Complex windows -> the input of the stream network `architecture` names."""
    kind = mae_nn.STREAM_FEATURES[architecture["name"]]
    return stream_mae.VIEWS[kind](windows)


def _load(path):
    from ..data import load

    ds = load(path)
    if ds.attrs.get("recipe") != "receiver":
        raise ValueError("data: {} was made by recipe '{}'; the stream MAE needs 'receiver' (e.g. `sentinel data "
                         "generate receiver --length 1024 ...`)".format(path, ds.attrs.get("recipe")))
    if ds.complex().shape[1] % stream_mae.PSD_BINS:
        raise ValueError("data: {} has windows of {} samples; allowed: a multiple of {}".format(
            path, ds.complex().shape[1], stream_mae.PSD_BINS))
    return ds


def scores(model, x, batch=512, raw=False):
    """Model inputs -> (N, 4) outputs (hybrid score, Mahalanobis, MSE, SNR dB); raw: (N, 6),
    the hybrid score before its calibration, then the SNR it is calibrated at and the
    nearest class."""
    import torch

    out = []
    with torch.inference_mode():
        for i in range(0, len(x), batch):
            xb = torch.as_tensor(x[i:i + batch])
            out.append((model.raw(xb) if raw else model(xb)).numpy())
    return np.concatenate(out) if out else np.zeros((0, 6 if raw else 4), np.float32)


def empty_channel(count, length, rng, receiver_config=stream_anomalies.STREAM_RECEIVER):
    """Receiver noise alone (an empty channel) through the live receiver."""
    noise = independent.complex_noise(rng, (count, length)).astype(np.complex64)
    return np.stack([receiver.apply_receiver(x, receiver.draw(receiver_config, rng), receiver_config)
                     for x in noise])


def _network_keys(model):
    return {name for name, _ in model.named_parameters()}


def _latents(model, x, batch=512):
    import torch

    with torch.inference_mode():
        return torch.cat([model.encoder(torch.as_tensor(x[i:i + batch])) for i in range(0, len(x), batch)])


def train(data_path, output, epochs=20, batch_size=128, lr=1e-3, patience=4, seed=1, false_alarm=0.01,
          gamma_min_snr_db=5.0, split_seed=0, checkpoint_dir=None, threads=0, log=print, command="",
          input_kind="spectral"):
    import torch

    from ..data import storage
    from ..runtime.bundle import save_bundle
    from .amc import split_indices

    if input_kind not in ARCHITECTURES:
        raise ValueError("input: '{}'; allowed: {}".format(input_kind, ", ".join(ARCHITECTURES)))
    if not 0.0 < false_alarm < 0.5:
        raise ValueError("false_alarm: {}; allowed: 0 < rate < 0.5".format(false_alarm))
    if threads:
        torch.set_num_threads(threads)
    set_seed(seed)
    paths = [data_path] if isinstance(data_path, (str, pathlib.Path)) else list(data_path)
    sets = [_load(p) for p in paths]
    ds = sets[0]
    for other, path in zip(sets[1:], paths[1:]):
        if list(other.class_names) != list(ds.class_names) or other.complex().shape[1] != ds.complex().shape[1]:
            raise ValueError("data: {} has other classes or another window length than {}".format(path, paths[0]))
    windows = np.concatenate([s.complex() for s in sets])
    labels, snrs = np.concatenate([s.label for s in sets]), np.concatenate([s.snr for s in sets])
    length = windows.shape[1]
    architecture = dict(ARCHITECTURES[input_kind], length=length, classes=len(ds.class_names))
    x = model_input(windows, architecture)
    del windows
    train_rows, valid_rows, test_rows = split_indices(labels, snrs, split_seed)
    model = mae_nn.build(architecture)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    checkpoint = Checkpoint(checkpoint_dir, strict=False)
    start, history, best = checkpoint.restore(model, optimizer)
    if start:
        log("resuming from epoch {}".format(start))
    x_train, x_valid = torch.as_tensor(x[train_rows]), torch.as_tensor(x[valid_rows])
    best_loss = min((h["valid_mse"] for h in history), default=np.inf)
    generator = torch.Generator().manual_seed(seed)
    for _ in range(start):
        torch.randperm(len(x_train), generator=generator)
    for epoch in range(start, epochs):
        if history and epoch - min(history, key=lambda h: h["valid_mse"])["epoch"] > patience:
            log("early stop: no better validation MSE for {} epochs".format(patience))
            break
        began = time.perf_counter()
        train_mse = reconstruction_epoch(model, x_train, batch_size, optimizer, generator, model.target)
        model.eval()
        with torch.inference_mode():
            valid_loss = sum(float(((model.reconstruct(xb)[0] - model.target(xb)) ** 2).flatten(1).mean(1).sum())
                             for xb in torch.split(x_valid, 512)) / len(x_valid)
        history.append({"epoch": epoch, "train_mse": train_mse, "valid_mse": valid_loss,
                        "seconds": time.perf_counter() - began})
        if valid_loss < best_loss:
            best_loss, best = valid_loss, {k: v.clone() for k, v in model.state_dict().items()}
        log("epoch {:3d}  train mse {:.5f}  valid mse {:.5f}  {:.0f} s".format(
            epoch, history[-1]["train_mse"], valid_loss, history[-1]["seconds"]))
        checkpoint.save(epoch, model, optimizer, history, best)
    if best:   # (the score's buffers are fit below: only the network's weights matter here)
        model.load_state_dict({k: v for k, v in best.items() if k in _network_keys(model)}, strict=False)
    model.eval()
    model.fit_latent(_latents(model, x[train_rows]), labels[train_rows])
    valid = scores(model, x[valid_rows], raw=True)
    model.fit_weights(torch.as_tensor(valid[:, 1]), torch.as_tensor(valid[:, 2]))

    rng = np.random.default_rng([seed, 11])
    noise = torch.as_tensor(model_input(empty_channel(4000, length, rng), architecture))
    model.fit_floor(noise[:2000])
    with torch.no_grad():
        ratio = model.noise_ratio(noise[2000:]).numpy()
    empty_snr_db = float(10 * np.log10(max(np.quantile(ratio, EMPTY_QUANTILE) - 1.0, 1e-4)))
    valid = scores(model, x[valid_rows], raw=True)
    model.fit_calibration(valid[:, 0], valid[:, 4], valid[:, 5])

    held_out = scores(model, x[test_rows])
    snr = snrs[test_rows]
    signal = held_out[:, 3] >= empty_snr_db
    pool = held_out[(snr >= gamma_min_snr_db) & signal, 0]
    gamma = float(np.quantile(pool, 1.0 - false_alarm))
    calibration = {"false_alarm_by_snr": {str(float(s)): float(np.mean(held_out[(snr == s) & signal, 0] > gamma))
                                          for s in np.unique(snr)},
                   "read_as_empty_by_snr": {str(float(s)): float(np.mean(~signal[snr == s])) for s in np.unique(snr)},
                   "windows": int(len(test_rows))}
    log("gamma {:.4f} (false alarm {} at >= {} dB), empty below {:.2f} dB estimated SNR".format(
        gamma, false_alarm, gamma_min_snr_db, empty_snr_db))
    card = {
        "name": pathlib.Path(output).name, "kind": mae_nn.KIND,
        "description": "stream MAE: hybrid Mahalanobis + reconstruction score on a convolutional autoencoder of "
                       "{}, trained on the 11 RadioML-style classes through a live receiver at 200 kHz".format(
                           "raw I/Q" if input_kind == "iq" else "the spectrogram and the envelope and frequency "
                                                                "distributions"),
        "window_length": int(length),
        "input": {"sample_rate": float(ds.parameters.get("modulators", {}).get("sample_rate", 200e3)),
                  "samples_per_symbol": 8, "dtype": "complex64",
                  "note": "the sentinel's stream: 200 kHz, emitters at 25 kbaud (8 samples per symbol), any gain"},
        "preprocessing": {"features": mae_nn.STREAM_FEATURES[architecture["name"]], "steps": (
            ["unit mean power per window", "I and Q as two rows"] if input_kind == "iq" else
            ["unit mean power per window", "log10 spectrogram over the noise floor (8 frames x 64 bins, Hann)",
             "distributions of |x| and of the instantaneous frequency (32 bins each)",
             "mean periodogram / noise floor (the SNR estimate)"])},
        "architecture": architecture,
        "outputs": {"score": "hybrid xi = alpha * Mahalanobis(latent) + beta * reconstruction MSE, standardised "
                             "as (xi - mean) / std of normal validation windows at the window's estimated SNR; "
                             "higher is more anomalous; NaN for an empty channel",
                    "calibration_knots_db": list(stream_mae.CALIBRATION_KNOTS),
                    "columns": list(mae_nn.SCORE_COLUMNS) + ["snr_db"],
                    "alpha": float(model.alpha), "beta": float(model.beta)},
        "thresholds": {"gamma": gamma, "empty_snr_db": empty_snr_db,
                       "rule": "empty when the estimated SNR < empty_snr_db (not scored); otherwise anomalous when "
                               "score > gamma, gamma = the {:g} quantile of held-out normal windows at "
                               ">= {:g} dB".format(
                                   1.0 - false_alarm, gamma_min_snr_db)},
        "training": {"data": [str(p) for p in paths], "data_recipe": "receiver",
                     "data_command": " && ".join(storage.generate_command(s.attrs, p) for s, p in zip(sets, paths)),
                     "data_seed": int(ds.attrs.get("seed", -1)), "data_parameters": ds.parameters, "seed": seed,
                     "split_seed": split_seed, "epochs_max": epochs, "patience": patience,
                     "batch_size": batch_size, "learning_rate": lr, "optimizer": "Adam", "loss": "MSE",
                     "false_alarm": false_alarm, "gamma_min_snr_db": gamma_min_snr_db, "input": input_kind,
                     "command": command, "history": history},
        "metrics": {"calibration_split": calibration},
    }
    save_bundle(output, card, model)
    log("saved bundle to {}".format(output))
    return card


def _held_out_gamma(model, x, snr, classes, empty_db, snrs, false_alarm, gamma_min_snr_db):
    """gamma: the (1 - false_alarm) quantile of held-out normal inputs x at >= gamma_min_snr_db
    (empty ones left out); and the false alarms at gamma by SNR and by class (None where
    there is no such window)."""
    held_out = scores(model, x)
    signal = held_out[:, 3] >= empty_db
    gamma = float(np.quantile(held_out[(snr >= gamma_min_snr_db) & signal, 0], 1.0 - false_alarm))

    def flagged(rows):
        return float(np.mean(held_out[rows, 0] > gamma)) if np.any(rows) else None

    by_snr = {str(float(v)): flagged((snr == v) & signal) for v in snrs}
    by_class = {str(c): flagged((classes == c) & signal & (snr >= gamma_min_snr_db)) for c in np.unique(classes)}
    return gamma, {"false_alarm_by_snr": by_snr, "false_alarm_by_class": by_class, "windows": int(len(x))}


def _save_refit(card, model, output, gamma, section, details, metrics, log):
    """Write a refit bundle: gamma and its rule, training.<section> = details (what, source,
    ..., false_alarm, gamma_min_snr_db), metrics.<section>_split; the wideband gamma, set on
    the old score, is dropped (re-run eval wideband)."""
    from ..runtime.bundle import save_bundle

    card["thresholds"]["gamma"] = gamma
    card["thresholds"]["rule"] = ("empty when the estimated SNR < empty_snr_db (not scored); otherwise anomalous "
                                  "when score > gamma, gamma = the {:g} quantile of held-out normal windows at >= {:g} "
                                  "dB (training.{})".format(1.0 - details["false_alarm"], details["gamma_min_snr_db"],
                                                            section))
    card["thresholds"].pop("gamma_wideband", None)
    card["thresholds"].pop("wideband_rule", None)
    card["training"][section] = details
    card["metrics"] = {section + "_split": metrics}
    rates = metrics["false_alarm_by_snr"]
    log("gamma {:.4f}; false alarms by SNR {}".format(gamma, ", ".join(
        "{}: {}".format(k, "-" if v is None else "{:.3f}".format(v)) for k, v in rates.items())))
    save_bundle(output, card, model)
    log("saved bundle to {}".format(output))
    return card


def _refit_source(source, false_alarm, name=None):
    """(bundle, its network) for a refit, refusing a false-alarm rate outside (0, 0.5) and,
    with `name`, a network of another architecture."""
    from ..runtime.bundle import ModelBundle

    if not 0.0 < false_alarm < 0.5:
        raise ValueError("false_alarm: {}; allowed: 0 < rate < 0.5".format(false_alarm))
    bundle = ModelBundle.load(source, expected_kind=mae_nn.KIND)
    if name is not None and bundle.card["architecture"].get("name") != name:
        raise ValueError("from: {} is a '{}' network; allowed: a '{}' bundle (e.g. mae)".format(
            source, bundle.card["architecture"].get("name"), name))
    return bundle, bundle.load_into(mae_nn.build(bundle.card["architecture"])).eval()


def recalibrate(source, output, count=60, snrs=tuple(float(v) for v in range(-4, 31, 2)), seed=41,
                false_alarm=0.02, gamma_min_snr_db=5.0, workers=None, command="", log=print):
    """The `source` bundle with its score calibration (per class and SNR knot) refit on
    fresh normal windows of the live-receiver recipe spread evenly over `snrs` (count per
    class and SNR; half fit the calibration, half set gamma), the autoencoder and the latent
    Gaussians unchanged. A window whose SNR the estimators read too low (WBFM through the
    selective channel: about 12 dB at any true SNR above it) is then standardised against
    the windows that read the same, whatever their true SNR."""
    bundle, model = _refit_source(source, false_alarm)
    windows, snr, classes = _normal_windows(count, snrs, bundle.card["window_length"], seed, workers)
    order = np.random.default_rng([seed, 9]).permutation(len(windows))
    fit_rows, test_rows = order[:len(order) // 2], order[len(order) // 2:]
    x = model_input(windows, bundle.card["architecture"])
    raw = scores(model, x[fit_rows], raw=True)
    model.fit_calibration(raw[:, 0], raw[:, 4], raw[:, 5])
    gamma, metrics = _held_out_gamma(model, x[test_rows], snr[test_rows], classes[test_rows],
                                     bundle.card["thresholds"]["empty_snr_db"], snrs, false_alarm, gamma_min_snr_db)
    details = {"what": "per-class score calibration refit; autoencoder and latent Gaussians unchanged",
               "source": source, "data_recipe": "receiver (LiveReceiver, the stream MAE's receiver ranges)",
               "seed": seed, "snrs_db": list(snrs), "windows_per_class_snr": count,
               "split": "half calibration, half gamma", "false_alarm": false_alarm,
               "gamma_min_snr_db": gamma_min_snr_db, "command": command}
    return _save_refit(json.loads(json.dumps(bundle.card)), model, output, gamma, "recalibration", details, metrics,
                       log)


def fuse(source, output, count=60, snrs=tuple(float(v) for v in range(-4, 19, 2)), seed=43, false_alarm=0.02,
         gamma_min_snr_db=5.0, workers=None, command="", log=print):
    """The spectral `source` bundle with the simple statistics added to its score
    (nn.stream_mae.StatisticsSpectralAutoencoder): on fresh normal windows of the
    live-receiver recipe (count per class and SNR), a third fits the statistics' Gaussians
    per class and calibration-SNR knot, a third delta and the score calibration, a third
    gamma. The autoencoder, the latent Gaussians, alpha and beta are the source's."""
    import torch

    if isinstance(count, bool) or not isinstance(count, int) or count < 6:
        raise ValueError("count: {!r}; allowed: a whole number of windows per class and SNR >= 6 (a third each fits, "
                         "calibrates and sets gamma)".format(count))
    bundle, base = _refit_source(source, false_alarm, mae_nn.SPECTRAL)
    architecture = dict(bundle.card["architecture"], name=mae_nn.SPECTRAL_STATISTICS,
                        statistics=len(stream_mae.STATISTICS))
    model = mae_nn.build(architecture)
    missing, unexpected = model.load_state_dict(base.state_dict(), strict=False)
    if unexpected or set(missing) != {"stat_scale", "stat_mean", "stat_precision", "delta"}:
        raise ValueError("from: {} does not fit the statistics network (missing {}, unexpected {})".format(
            source, sorted(missing), sorted(unexpected)))
    model.eval()
    windows, snr, classes = _normal_windows(count, snrs, bundle.card["window_length"], seed, workers)
    names = sorted(set(classes))
    index = np.array([names.index(c) for c in classes])
    x = torch.as_tensor(stream_mae.spectral_views_with_statistics(windows))
    fit_rows, calibration_rows, gamma_rows = _thirds(len(x), seed)
    model.fit_statistics(x[fit_rows], index[fit_rows])
    model.fit_delta(x[calibration_rows])
    raw = scores(model, x[calibration_rows].numpy(), raw=True)
    model.fit_calibration(raw[:, 0], raw[:, 4], raw[:, 5])
    gamma, metrics = _held_out_gamma(model, x[gamma_rows].numpy(), snr[gamma_rows], classes[gamma_rows],
                                     bundle.card["thresholds"]["empty_snr_db"], snrs, false_alarm, gamma_min_snr_db)
    log("delta {:.4f}".format(float(model.delta)))
    card = _statistics_card(bundle, output, architecture)
    card["thresholds"]["delta"] = float(model.delta)
    card["outputs"]["score"] = ("hybrid xi = alpha * Mahalanobis(latent) + beta * reconstruction MSE + delta * "
                                "Mahalanobis(statistics, nearest class at the SNR knot), standardised per nearest "
                                "class and estimated SNR")
    details = {"what": "statistics' Gaussians per class and SNR knot, delta, score calibration and gamma fit; "
                       "autoencoder, latent Gaussians, alpha and beta from the source", "source": str(source),
               "data_recipe": "receiver (LiveReceiver, the stream MAE's receiver ranges)", "seed": seed,
               "snrs_db": list(snrs), "windows_per_class_snr": count, "split": "thirds: statistics, calibration, gamma",
               "false_alarm": false_alarm, "gamma_min_snr_db": gamma_min_snr_db, "command": command}
    return _save_refit(card, model, output, gamma, "fusion", details, metrics, log)


def guard(source, output, classes=("WBFM",), count=60, snrs=tuple(float(v) for v in range(-4, 19, 2)), seed=47,
          false_alarm=0.02, gamma_min_snr_db=5.0, workers=None, command="", log=print):
    """The spectral `source` bundle with a statistics guard on `classes`
    (nn.stream_mae.GuardedSpectralAutoencoder): on fresh normal windows of the live-receiver
    recipe (count per class and SNR), a third fits each guarded class's Gaussian of log
    statistics over all SNRs, a third the score calibration, a third gamma. The autoencoder,
    the latent Gaussians, alpha and beta are the source's."""
    import torch

    if isinstance(count, bool) or not isinstance(count, int) or count < 6:
        raise ValueError("count: {!r}; allowed: a whole number of windows per class and SNR >= 6 (a third each fits, "
                         "calibrates and sets gamma)".format(count))
    from ..data.modulators import CLASSES

    bundle, base = _refit_source(source, false_alarm, mae_nn.SPECTRAL)
    names = list(CLASSES)              # the latent Gaussians' order: the training recipe's classes
    if bundle.card["architecture"].get("classes") != len(names):
        raise ValueError("from: {} keeps {} latent Gaussians; allowed: one per class of the live-receiver recipe "
                         "({})".format(source, bundle.card["architecture"].get("classes"), len(names)))
    unknown = [c for c in classes if c not in names]
    if unknown or not classes:
        raise ValueError("classes: {}; allowed: one or more of {}".format(", ".join(unknown) or "none",
                                                                          ", ".join(names)))
    architecture = dict(bundle.card["architecture"], name=mae_nn.SPECTRAL_GUARDED,
                        statistics=len(stream_mae.STATISTICS))
    model = mae_nn.build(architecture)
    missing, unexpected = model.load_state_dict(base.state_dict(), strict=False)
    if unexpected or set(missing) != {"guard_mean", "guard_precision", "guard_centre", "guard_weight", "guarded"}:
        raise ValueError("from: {} does not fit the guarded network (missing {}, unexpected {})".format(
            source, sorted(missing), sorted(unexpected)))
    model.eval()
    windows, snr, labels = _normal_windows(count, snrs, bundle.card["window_length"], seed, workers)
    index = np.array([names.index(c) for c in labels])
    x = torch.as_tensor(stream_mae.spectral_views_with_statistics(windows))
    fit_rows, calibration_rows, gamma_rows = _thirds(len(x), seed)
    model.fit_guard(x[fit_rows], index[fit_rows], [names.index(c) for c in classes])
    raw = scores(model, x[calibration_rows].numpy(), raw=True)
    model.fit_calibration(raw[:, 0], raw[:, 4], raw[:, 5])
    gamma, metrics = _held_out_gamma(model, x[gamma_rows].numpy(), snr[gamma_rows], labels[gamma_rows],
                                     bundle.card["thresholds"]["empty_snr_db"], snrs, false_alarm, gamma_min_snr_db)
    guards = {c: {"centre": float(model.guard_centre[i]), "weight": float(model.guard_weight[i])}
              for c, i in ((c, names.index(c)) for c in classes)}
    log("guards {}".format(guards))
    card = _statistics_card(bundle, output, architecture)
    card["description"] = card.get("description", "stream MAE") + "; a statistics guard on {}".format(
        ", ".join(classes))
    card["thresholds"]["guards"] = guards
    card["outputs"]["score"] = ("hybrid xi = alpha * Mahalanobis(latent) + beta * reconstruction MSE, standardised "
                                "per nearest class and estimated SNR; when the nearest class is guarded ({}), the "
                                "larger of that and (d - centre) * weight, d the Mahalanobis distance of the log "
                                "statistics to the class's Gaussian over all SNRs".format(", ".join(classes)))
    details = {"what": "statistics guard on {} (a Gaussian of log statistics over all SNRs), score calibration and "
                       "gamma fit; autoencoder, latent Gaussians, alpha and beta from the source".format(
                           ", ".join(classes)), "source": str(source), "classes": list(classes),
               "data_recipe": "receiver (LiveReceiver, the stream MAE's receiver ranges)", "seed": seed,
               "snrs_db": list(snrs), "windows_per_class_snr": count, "split": "thirds: guard, calibration, gamma",
               "false_alarm": false_alarm, "gamma_min_snr_db": gamma_min_snr_db, "command": command}
    return _save_refit(card, model, output, gamma, "guard", details, metrics, log)


def _statistics_card(bundle, output, architecture):
    """A copy of the source bundle's card for a network that takes the simple statistics too:
    its name, architecture and preprocessing; the source's inference figures dropped (they
    were measured for the source network: re-run the benchmark)."""
    card = json.loads(json.dumps(bundle.card))
    card["name"] = pathlib.Path(output).name
    card["architecture"] = architecture
    card["preprocessing"]["features"] = "spectral_views_with_statistics"
    card["preprocessing"]["statistics"] = list(stream_mae.STATISTICS)
    card["preprocessing"]["steps"] = list(card["preprocessing"].get("steps", [])) + [
        "the window's simple statistics ({}) after the distributions, not reconstructed".format(
            ", ".join(stream_mae.STATISTICS))]
    card.pop("inference", None)
    return card


def _thirds(count, seed):
    """(fit, calibration, gamma) row indices: a seeded permutation of `count` rows in thirds."""
    order = np.random.default_rng([seed, 9]).permutation(count)
    third = count // 3
    return order[:third], order[third:2 * third], order[2 * third:]


# ---- simple statistics ----------------------------------------------------------------------
def _auroc(normal, anomalous):
    from sklearn.metrics import roc_auc_score

    y = np.concatenate([np.zeros(len(normal)), np.ones(len(anomalous))])
    return float(roc_auc_score(y, np.concatenate([normal, anomalous])))


def _best_statistic(normal_stats, anomalous_stats):
    """(name, AUROC) of the statistic that separates best, either way round."""
    best = ("", 0.5)
    for name in normal_stats:
        a = _auroc(normal_stats[name], anomalous_stats[name])
        a = max(a, 1.0 - a)
        if a > best[1]:
            best = (name, a)
    return best


def _normal_windows(count, snrs, length, seed, workers):
    from ..data import load
    from ..data.generate import generate
    from ..data.recipes import LiveReceiver

    with tempfile.TemporaryDirectory(prefix="sentinel-stream-mae-") as tmp:
        path = pathlib.Path(tmp) / "normal.h5"
        recipe = LiveReceiver(length=length, snrs=tuple(snrs), receiver_config=stream_anomalies.STREAM_RECEIVER)
        generate(recipe, path, count, seed=seed, normalization="none", workers=workers, progress=False)
        ds = load(path)
        return ds.complex(), ds.snr.copy(), np.array(ds.class_names)[ds.label]


def evaluate(model_name, report_dir=None, count=60, snrs=(0.0, 5.0, 10.0, 18.0), seed=2028, workers=None,
             log=print):
    """AUROC of the bundle's score per anomaly family and SNR against fresh normal windows
    (count per class and SNR; count * 11 / 2 anomalous windows per family and SNR), the
    best simple statistic beside it, detection and false-alarm rates at the card's gamma,
    and how empty channels and normal windows are read."""
    from ..runtime.bundle import ModelBundle

    bundle = ModelBundle.load(model_name, expected_kind=mae_nn.KIND)
    model = bundle.load_into(mae_nn.build(bundle.card["architecture"])).eval()
    gamma = bundle.card["thresholds"]["gamma"]
    empty_db = bundle.card["thresholds"]["empty_snr_db"]
    length = bundle.card["window_length"]
    normal, normal_snr, normal_class = _normal_windows(count, snrs, length, seed, workers)
    rng = np.random.default_rng([seed, 5])
    per_family = count * 11 // 2
    report = {"model": bundle.card["name"], "gamma": gamma, "empty_snr_db": empty_db, "snrs_db": list(snrs),
              "normal_windows_per_snr": int(count * 11), "anomalous_windows_per_family_snr": per_family,
              "seed": seed, "false_alarm_rate": {}, "normal_read_as_empty": {}, "families": {},
              "false_alarm_by_class": {}}
    for snr in snrs:
        rows = normal_snr == snr
        out = scores(model, model_input(normal[rows], bundle.card["architecture"]))
        signal = out[:, 3] >= empty_db
        flagged = signal & (out[:, 0] > gamma)
        key = str(float(snr))
        report["false_alarm_rate"][key] = float(flagged.mean())
        report["normal_read_as_empty"][key] = float(np.mean(~signal))
        report["false_alarm_by_class"][key] = {c: float(flagged[normal_class[rows] == c].mean())
                                              for c in np.unique(normal_class)}
        normal_stats = stream_mae.simple_statistics(normal[rows])
        for family, (_, group) in stream_anomalies.FAMILIES.items():
            windows = stream_anomalies.windows(family, per_family, snr, rng, length)
            a = scores(model, model_input(windows, bundle.card["architecture"]))
            a_signal = a[:, 3] >= empty_db
            name, simple = _best_statistic(normal_stats, stream_mae.simple_statistics(windows))
            entry = report["families"].setdefault(family, {"group": group, "by_snr": {}})
            lowest = min(out[:, 0].min(), a[:, 0].min()) - 1.0   # an empty window ranks below every score
            entry["by_snr"][key] = {
                "auroc": _auroc(np.where(signal, out[:, 0], lowest), np.where(a_signal, a[:, 0], lowest)),
                "detection_rate": float(np.mean(a_signal & (a[:, 0] > gamma))),
                "read_as_empty": float(np.mean(~a_signal)),
                "best_simple_statistic": name, "simple_auroc": simple}
        log("{:>5} dB: false alarms {:.3f}, ".format(snr, report["false_alarm_rate"][key]) + ", ".join(
            "{} {:.3f}".format(f, e["by_snr"][key]["auroc"]) for f, e in report["families"].items()))
    empty = scores(model, model_input(empty_channel(1000, length, rng), bundle.card["architecture"]))
    report["empty_channel"] = {"windows": 1000, "read_as_empty": float(np.mean(empty[:, 3] < empty_db)),
                               "flagged": float(np.mean((empty[:, 3] >= empty_db) & (empty[:, 0] > gamma)))}
    log("empty channel: {:.3f} read as empty".format(report["empty_channel"]["read_as_empty"]))
    if report_dir:
        folder = pathlib.Path(report_dir)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "stream_mae.json").write_text(json.dumps(report, indent=2) + "\n")
        (folder / "stream_mae.md").write_text(format_table(report) + "\n")
        log("wrote {}".format(folder))
    return report


def format_table(report):
    """Markdown: AUROC per family and SNR, the best simple statistic's AUROC in brackets."""
    snrs = [str(float(s)) for s in report["snrs_db"]]
    lines = ["| family | group | " + " | ".join("{:g} dB".format(float(s)) for s in snrs) + " |",
             "|---|---|" + "---|" * len(snrs)]
    for family, entry in report["families"].items():
        cells = ["{:.3f} ({:.3f} {})".format(entry["by_snr"][s]["auroc"], entry["by_snr"][s]["simple_auroc"],
                                             entry["by_snr"][s]["best_simple_statistic"]) for s in snrs]
        lines.append("| {} | {} | ".format(family, entry["group"]) + " | ".join(cells) + " |")
    lines.append("| false alarms at gamma | | " + " | ".join("{:.3f}".format(report["false_alarm_rate"][s])
                                                           for s in snrs) + " |")
    lines.append("| normal read as empty | | " + " | ".join("{:.3f}".format(report["normal_read_as_empty"][s])
                                                          for s in snrs) + " |")
    return "\n".join(lines)
