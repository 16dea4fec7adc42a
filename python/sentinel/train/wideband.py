# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""The shipped models behind the Emitter Channeliser, on fresh simulated bands
(`sentinel eval wideband`):

- afnet on channelised emitters against the same classes generated centred at 8 samples
  per symbol with the same in-band SNR (mean over classes of each class's accuracy);
- the stream MAE on channelised chunks: AUROC of each kind the models were not trained on
  (wideband.band.OTHER_KINDS) against the linear emitters' chunks, and the false alarms
  and detections at the card's gamma and at a wideband threshold: the 1 - false_alarm
  quantile of the normal chunks' scores of bands drawn with a calibration seed (the
  evaluation seed's bands are never used for it). --update-card records that threshold as
  thresholds.gamma_wideband, used by the MAE block with threshold="wideband".
"""

import collections
import json
import pathlib

import numpy as np

from ..data import independent
from ..wideband import EmitterTracker, band, simulate
from ..wideband.chunker import EmitterChunker

SAMPLE_RATE = 1.024e6
KINDS = tuple(band.LINEAR_POINTS) + band.OTHER_KINDS


def channelised_chunks(seed, snrs, bands, seconds=0.4, emitters=5, samp_rate=SAMPLE_RATE, labels=KINDS):
    """[(snr, truth Emitter, chunk)] from `bands` simulated bands per SNR (always-on
    emitters of `labels`), each emitter matched to the nearest true centre."""
    out = []
    for snr in snrs:
        rng = np.random.default_rng([seed, int(round(snr * 10)) + 1000])
        for b in range(bands):
            x, truth = simulate(seconds, samp_rate, rng, emitters=emitters, labels=labels, snrs_db=(snr, snr),
                                always_on=True)
            chunker = EmitterChunker(EmitterTracker(samp_rate), seed=b)
            for i in range(0, len(x), 65536):
                chunker.push(x[i:i + 65536])
                for info, chunk in chunker.due():
                    emitter = min(truth, key=lambda e: abs(e.center_hz - info["center_hz"]))
                    out.append((snr, emitter, chunk))
    return out


def _mae_scores(mae, chunks):
    windows = np.stack([c[:mae.window_length] for c in chunks]).astype(np.complex64)
    values, _ = mae._score(windows, np.arange(len(windows)) * mae.window_length)
    return np.asarray(values, float)


def _centred_accuracy(classifier, label, snr, rng, windows=200):
    clean = independent.shaped_symbols(band.LINEAR_POINTS[label], 1, 128 * windows, rng, 8)[0]
    noisy = (clean + independent.complex_noise(rng, len(clean), 8 / 10 ** (snr / 10))).astype(np.complex64)
    predicted = np.asarray(classifier.engine(classifier.preprocess(noisy.reshape(-1, 128)))).argmax(1)
    return float(np.mean(predicted == classifier.classes.index(label)))


def evaluate(report_dir=None, seed=2029, calibration_seed=2030, snrs=(6.0, 10.0, 14.0, 18.0), bands=6,
             false_alarm=0.02, amc_model="afnet", mae_model="mae", log=print):
    from sklearn.metrics import roc_auc_score

    from .. import mae_anomaly_scorer, modulation_classifier

    classifier = modulation_classifier(amc_model, samp_rate=200e3)
    mae = mae_anomaly_scorer(mae_model, samp_rate=200e3)
    calibration = channelised_chunks(calibration_seed, snrs, max(2, bands // 2))
    normal_cal = _mae_scores(mae, [c for _, e, c in calibration if not e.anomalous])
    gamma_wideband = float(np.quantile(normal_cal[np.isfinite(normal_cal)], 1 - false_alarm))
    log("calibration: {} normal chunks, gamma_wideband {:.4g} (card gamma {:.4g})".format(
        len(normal_cal), gamma_wideband, mae.threshold))
    chunks = channelised_chunks(seed, snrs, bands)
    scores = _mae_scores(mae, [c for _, _, c in chunks])
    report = {"amc_model": amc_model, "mae_model": mae_model, "seed": seed, "calibration_seed": calibration_seed,
              "samp_rate": SAMPLE_RATE, "snrs_db": list(snrs), "bands_per_snr": bands, "false_alarm": false_alarm,
              "gamma": mae.threshold, "gamma_wideband": gamma_wideband, "chunks": len(chunks), "per_snr": {}}
    rng = np.random.default_rng([seed, 7])
    for snr in snrs:
        rows = [i for i, (s, _, _) in enumerate(chunks) if s == snr]
        accuracy = collections.defaultdict(list)
        for i in rows:
            _, emitter, chunk = chunks[i]
            if not emitter.anomalous:
                predicted = np.asarray(classifier.engine(classifier.preprocess(chunk.reshape(-1, 128)))).argmax(1)
                accuracy[emitter.label].append(float(np.mean(predicted == classifier.classes.index(emitter.label))))
        labels = sorted(accuracy)
        entry = {"accuracy_channelised": float(np.mean([np.mean(accuracy[k]) for k in labels])),
                 "accuracy_centred": float(np.mean([_centred_accuracy(classifier, k, snr, rng) for k in labels])),
                 "accuracy_by_class": {k: float(np.mean(accuracy[k])) for k in labels}}
        normal = np.array([scores[i] for i in rows if not chunks[i][1].anomalous])
        normal = normal[np.isfinite(normal)]
        entry["normal_chunks"] = int(len(normal))
        entry["false_alarm_gamma"] = float(np.mean(normal > mae.threshold))
        entry["false_alarm_gamma_wideband"] = float(np.mean(normal > gamma_wideband))
        entry["kinds"] = {}
        for kind in band.OTHER_KINDS:
            values = np.array([scores[i] for i in rows if chunks[i][1].label == kind])
            values = values[np.isfinite(values)]
            if len(values) < 5:
                continue
            auroc = roc_auc_score(np.r_[np.zeros(len(normal)), np.ones(len(values))], np.r_[normal, values])
            entry["kinds"][kind] = {"chunks": int(len(values)), "auroc": float(auroc),
                                    "detected_gamma": float(np.mean(values > mae.threshold)),
                                    "detected_gamma_wideband": float(np.mean(values > gamma_wideband))}
        report["per_snr"][str(snr)] = entry
        log("{:>5.1f} dB: afnet channelised {:.3f} vs centred {:.3f}; MAE false alarms {:.3f} (gamma) / {:.3f} "
            "(wideband); {}".format(snr, entry["accuracy_channelised"], entry["accuracy_centred"],
                                    entry["false_alarm_gamma"], entry["false_alarm_gamma_wideband"],
                                    ", ".join("{} AUROC {:.2f} det {:.2f}".format(k, v["auroc"],
                                                                                v["detected_gamma_wideband"])
                                              for k, v in entry["kinds"].items())))
    if report_dir:
        folder = pathlib.Path(report_dir)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "wideband.json").write_text(json.dumps(report, indent=2))
        (folder / "wideband.md").write_text(markdown(report))
    return report


def markdown(report):
    kinds = list(band.OTHER_KINDS)
    lines = ["| SNR (dB) | afnet channelised | afnet centred | MAE false alarms (card γ) | MAE false alarms "
             "(wideband γ) | " + " | ".join("{} AUROC / detected".format(k) for k in kinds) + " |",
             "|---" * (5 + len(kinds)) + "|"]
    for snr, e in report["per_snr"].items():
        cells = ["{:.2f} / {:.2f}".format(e["kinds"][k]["auroc"], e["kinds"][k]["detected_gamma_wideband"])
                 if k in e["kinds"] else "-" for k in kinds]
        lines.append("| {} | {:.3f} | {:.3f} | {:.3f} | {:.3f} | {} |".format(
            snr, e["accuracy_channelised"], e["accuracy_centred"], e["false_alarm_gamma"],
            e["false_alarm_gamma_wideband"], " | ".join(cells)))
    return "\n".join(lines) + "\n"

