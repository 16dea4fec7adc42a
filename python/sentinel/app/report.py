# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""The run report: JSON summary (accuracy against the simulator's truth), timeline,
anomaly-score trace and confusion PNGs, and a short SigMF recording annotated with
the detections."""

import collections
import errno
import json
import os
import pathlib
import tempfile

import numpy as np

from ..data.modulators import CLASSES
from ..data.plots import pyplot
from . import scenario


#: the files write_report() writes into its folder
REPORT_FILES = ("summary.json", "timeline.png", "anomaly_scores.png", "confusion.png", "capture.sigmf-meta",
                "capture.sigmf-data")


def check_report_folder(folder):
    """Check that write_report() will be able to write `folder`, without creating it: its
    nearest existing ancestor must be a folder where a scratch file can be created (and is
    removed), and report files already there must be writable. Raises ValueError saying
    what is in the way."""
    path = pathlib.Path(folder)
    existing = path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    try:
        if not existing.is_dir():
            raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR))
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as error:
        raise ValueError("cannot write the report folder {} ({})".format(folder, error.strerror or error)) from None
    for name in REPORT_FILES:
        if (path / name).exists() and not ((path / name).is_file() and os.access(path / name, os.W_OK)):
            raise ValueError("cannot overwrite {} in the report folder {}".format(name, folder))


def score_against_truth(amc_detections, truth):
    """Per-window and per-segment (majority vote) accuracy of the classifier on the
    simulator's modulated segments; windows that straddle a switch are left out."""
    segments, total = truth
    pairs, by_segment = [], collections.defaultdict(list)
    for d in amc_detections:
        if "skipped" in d.get("flags", []) or d.get("label") is None:
            continue
        index = scenario.segment_at(segments, d["offset"], d["length"], total)
        if index is None or segments[index].anomalous or segments[index].adversarial:
            continue
        label = segments[index].label
        pairs.append((label, d["label"]))
        by_segment[(d["offset"] // total, index)].append((label, d["label"]))
    correct = sum(t == p for t, p in pairs)
    votes = []
    for items in by_segment.values():
        predicted = collections.Counter(p for _, p in items).most_common(1)[0][0]
        votes.append(items[0][0] == predicted)
    confusion = np.zeros((len(CLASSES), len(CLASSES)), int)
    for t, p in pairs:
        if p in CLASSES:
            confusion[CLASSES.index(t), CLASSES.index(p)] += 1
    return {"windows_scored_against_truth": len(pairs),
            "accuracy_windows": correct / len(pairs) if pairs else None,
            "segments": len(votes), "accuracy_segments": float(np.mean(votes)) if votes else None,
            "confusion": confusion.tolist(), "classes": list(CLASSES)}


def adversarial_summary(detections, truth):
    """How the classifier and HTRD fare on clean vs adversarial segments, and how often
    HTRD rejects the anomalous ones (no class fits them)."""
    segments, total = truth
    out = {}
    for name in ("amc", "htrd"):
        groups, anomalies = collections.defaultdict(list), collections.defaultdict(list)
        for d in detections.get(name, []):
            if d.get("label") is None or d.get("flags"):
                continue
            label = scenario.label_at(segments, d["offset"], d["length"], total)
            if label is None:
                continue
            if label in scenario.ANOMALIES:
                anomalies[label.lower().replace("-", "_")].append(d["label"])
                continue
            adversarial = label.startswith(scenario.ADVERSARIAL_PREFIX)
            original = label[len(scenario.ADVERSARIAL_PREFIX):] if adversarial else label
            groups["adversarial" if adversarial else "clean"].append((original, d["label"]))
        for group, pairs in groups.items():
            key = "{}_{}".format(name, group)
            out[key + "_windows"] = len(pairs)
            out[key + "_correct"] = float(np.mean([t == p for t, p in pairs]))
            if name == "htrd":
                out[key + "_rejected"] = float(np.mean([p == "reject" for _, p in pairs]))
        if name == "htrd":   # no class fits an anomaly: only rejection counts
            for group, predicted in anomalies.items():
                out["htrd_{}_windows".format(group)] = len(predicted)
                out["htrd_{}_rejected".format(group)] = float(np.mean([p == "reject" for p in predicted]))
    return out


def anomaly_summary(mae_detections, truth):
    """The MAE's windows: scored, read as an empty channel, flagged; against the scenario's
    truth, detection_rate (anomalous windows flagged) and false_alarm_rate (normal windows
    flagged), each per family too. A window read as empty counts as not flagged; windows
    that straddle a switch and adversarial segments count in neither rate."""
    decided = [d for d in mae_detections if not d.get("flags") and d.get("state", "signal") in ("signal", "empty")]
    scored = [d for d in decided if d.get("score") is not None]
    out = {"windows": len(scored), "empty_windows": len(decided) - len(scored),
           "flagged_anomalous": int(sum(bool(d.get("anomalous")) for d in scored))}
    if not (truth and decided):
        return out
    segments, total = truth
    flagged, scores = collections.defaultdict(list), collections.defaultdict(list)
    for d in decided:
        label = scenario.label_at(segments, d["offset"], d["length"], total)
        if label is None or label.startswith(scenario.ADVERSARIAL_PREFIX):
            continue
        flagged[label].append(bool(d.get("anomalous")))
        if d.get("score") is not None:
            scores["anomalous segments" if label in scenario.ANOMALIES else "modulated segments"].append(d["score"])
    anomalous = [f for label, v in flagged.items() if label in scenario.ANOMALIES for f in v]
    normal = [f for label, v in flagged.items() if label not in scenario.ANOMALIES for f in v]
    rate = lambda values: float(np.mean(values)) if values else None  # noqa: E731
    out.update({
        "detection_rate": rate(anomalous), "anomalous_windows": len(anomalous),
        "false_alarm_rate": rate(normal), "normal_windows": len(normal),
        "detection_rate_by_family": {scenario.family_of(label): {"windows": len(v), "detection_rate": rate(v)}
                                     for label, v in sorted(flagged.items()) if label in scenario.ANOMALIES},
        "false_alarm_rate_by_class": {label: {"windows": len(v), "false_alarm_rate": rate(v)}
                                      for label, v in sorted(flagged.items()) if label not in scenario.ANOMALIES},
        "mean_score": {k: float(np.mean(v)) for k, v in scores.items()}})
    return out


def write_report(folder, source, detections, capture, stats, seconds, snr_db=None, publish=None):
    folder = pathlib.Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    summary = {"source": source.description, "seconds": round(seconds, 2), "sample_rate": 200e3,
               "windows": stats, "published_to": publish,
               "receiver": dict(source.receiver, applied=True) if source.receiver else {"applied": False}}
    if "amc" in detections and source.truth:
        summary["classifier"] = score_against_truth(detections["amc"], source.truth)
        summary["classifier"]["snr_db"] = snr_db
        if snr_db is not None and snr_db >= 10:
            summary["classifier"]["accuracy_high_snr_windows"] = summary["classifier"]["accuracy_windows"]
            summary["classifier"]["accuracy_high_snr_segments"] = summary["classifier"]["accuracy_segments"]
    if source.truth and any(s.adversarial for s in source.truth[0]):
        summary["adversarial"] = adversarial_summary(detections, source.truth)
    if "mae" in detections:
        summary["anomaly"] = anomaly_summary(detections["mae"], source.truth)
    plt = pyplot()
    if "amc" in detections:
        _timeline(plt, detections["amc"], source.truth, folder / "timeline.png")
    if "mae" in detections:
        _scores(plt, detections["mae"], source.truth, folder / "anomaly_scores.png")
    if "classifier" in summary:
        _confusion(plt, summary["classifier"], folder / "confusion.png")
    summary["recording"] = _recording(folder, capture, detections, source)
    (folder / "summary.json").write_text(json.dumps(summary, indent=2))
    return summary


def _timeline(plt, amc, truth, path):
    good = [d for d in amc if d.get("label") in CLASSES]
    fig, ax = plt.subplots(figsize=(11, 4))
    if truth:
        segments, total = truth
        for s in segments:
            if s.transmitted in CLASSES:
                ax.plot(np.array([s.start, s.start + s.length]) / 200e3, [CLASSES.index(s.transmitted)] * 2,
                        "-", color="orange" if s.adversarial else "k", lw=4, alpha=0.4)
            else:
                ax.axvspan(s.start / 200e3, (s.start + s.length) / 200e3, color="red", alpha=0.1)
    ax.plot([d["offset"] / 200e3 for d in good], [CLASSES.index(d["label"]) for d in good], ".", ms=2,
            label="predicted")
    ax.set_yticks(range(len(CLASSES)), CLASSES)
    ax.set_xlabel("time (s of signal)")
    ax.set_title("predicted class per window (dots) vs transmitted (grey; orange: adversarial); red: anomalous",
                 fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _scores(plt, mae, truth, path):
    scored = [d for d in mae if d.get("score") is not None]
    fig, ax = plt.subplots(figsize=(11, 3.4))
    ax.plot([d["offset"] / 200e3 for d in scored], [d["score"] for d in scored], lw=0.8, label="score")
    if scored:
        threshold = scored[0].get("threshold", 0)
        ax.axhline(threshold, color="k", ls="--", lw=0.8, label="threshold {:.3g}".format(threshold))
        ax.set_yscale("symlog", linthresh=max(abs(threshold), 1e-6))
    if truth:
        marked = False
        for s in truth[0]:
            if s.anomalous:
                ax.axvspan(s.start / 200e3, (s.start + s.length) / 200e3, color="red", alpha=0.15,
                           label=None if marked else "anomalous segment")
                ax.annotate(scenario.family_of(s.label), ((s.start + s.length / 2) / 200e3, 1.0),
                            xycoords=("data", "axes fraction"), ha="center", va="bottom", fontsize=6, rotation=30)
                marked = True
    ax.legend(loc="upper right", fontsize=7)
    ax.set_xlabel("time (s of signal)")
    ax.set_ylabel("MAE hybrid score")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _confusion(plt, classifier, path):
    cm = np.array(classifier["confusion"], float)
    fig, ax = plt.subplots(figsize=(6, 5.5))
    ax.imshow(cm / np.maximum(cm.sum(1, keepdims=True), 1), cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(CLASSES)), CLASSES, rotation=60, fontsize=7)
    ax.set_yticks(range(len(CLASSES)), CLASSES, fontsize=7)
    ax.set_xlabel("predicted")
    ax.set_ylabel("transmitted")
    acc = classifier["accuracy_windows"]
    ax.set_title("this run: window accuracy {}".format("n/a" if acc is None else "{:.3f}".format(acc)))
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _recording(folder, capture, detections, source):
    from ..data.sigmf_io import write_recording

    if not len(capture):
        return None
    notes = []
    for name, items in detections.items():
        for d in items:
            if d["offset"] + d["length"] <= len(capture) and d.get("label") is not None:
                notes.append({"sample_start": d["offset"], "sample_count": d["length"],
                              "label": "{}: {}".format(name, d["label"]), "confidence": d.get("confidence"),
                              "score": d.get("score"), "flags": d.get("flags")})
    meta = write_recording(folder / "capture", capture, 200e3, source.center_freq, notes,
                           "gr-sentinel run: " + source.description)
    return {"meta": meta.name, "samples": int(len(capture)), "annotations": len(notes)}
