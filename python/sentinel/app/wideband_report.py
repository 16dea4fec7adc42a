# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""The wideband run report: summary.json listing every emitter seen (its band, symbol rate,
times, majority label and label shares, HTRD and anomaly figures, and against the
simulator's truth where there is one), a waterfall with each emitter's box and label,
per-emitter label timelines, and a SigMF capture annotated with each emitter's band."""

import collections
import json
import pathlib

import numpy as np

from ..data.plots import pyplot

#: the files write_wideband_report() writes into its folder
WIDEBAND_REPORT_FILES = ("summary.json", "waterfall.png", "emitter_timelines.png", "capture.sigmf-meta",
                         "capture.sigmf-data")


def emitters_seen(updates):
    """{id: the emitter's latest dict}, with first_seen / last_seen over all updates."""
    seen = {}
    for update in updates:
        for emitter in update.get("emitters", []):
            previous = seen.get(emitter["id"])
            merged = dict(emitter)
            if previous is not None:
                merged["first_seen"] = min(previous["first_seen"], emitter["first_seen"])
                merged["last_seen"] = max(previous["last_seen"], emitter["last_seen"])
                for key in ("symbol_rate_hz", "symbol_rate_source"):
                    if key not in merged and key in previous:
                        merged[key] = previous[key]
            seen[emitter["id"]] = merged
    return seen


def _matching_truth(emitter, truth):
    """The simulated emitter whose band holds this one's centre and whose time overlaps it."""
    candidates = [t for t in truth if abs(t.center_hz - emitter["center_hz"]) <= 0.675 * t.symbol_rate
                  and t.start <= emitter["last_seen"] and emitter["first_seen"] < t.stop]
    return min(candidates, key=lambda t: abs(t.center_hz - emitter["center_hz"])) if candidates else None


def emitter_summary(detections, updates, samp_rate, truth=None):
    """[one dict per emitter seen], ordered by id."""
    by_id = collections.defaultdict(lambda: collections.defaultdict(list))
    for name, items in detections.items():
        for d in items:
            if "emitter" in d and not d.get("flags"):
                by_id[d["emitter"]["id"]][name].append(d)
    out = []
    for emitter_id, emitter in sorted(emitters_seen(updates).items()):
        row = {key: emitter.get(key) for key in ("id", "center_hz", "bandwidth_hz", "snr_db", "power_db",
                                                  "symbol_rate_hz", "symbol_rate_source", "first_seen",
                                                  "last_seen")}
        row["first_seen_s"], row["last_seen_s"] = emitter["first_seen"] / samp_rate, emitter["last_seen"] / samp_rate
        mine = by_id.get(emitter_id, {})
        labels = collections.Counter(d["label"] for d in mine.get("amc", []) if d.get("label"))
        row["windows"] = int(sum(labels.values()))
        if labels:
            row["label"] = labels.most_common(1)[0][0]
            row["label_shares"] = {k: v / row["windows"] for k, v in labels.most_common()}
            row["confidence"] = float(np.mean([d.get("confidence") or 0.0 for d in mine["amc"]
                                               if d.get("label") == row["label"]]))
        if mine.get("htrd"):
            verdicts = collections.Counter(d.get("label") for d in mine["htrd"])
            row["htrd"] = {"windows": len(mine["htrd"]), "rejected": verdicts.get("reject", 0) / len(mine["htrd"]),
                           "label": verdicts.most_common(1)[0][0]}
        if mine.get("mae"):
            scored = [d for d in mine["mae"] if d.get("score") is not None]
            row["anomaly"] = {"windows": len(mine["mae"]), "empty": sum(d.get("state") == "empty" for d in mine["mae"]),
                              "flagged": float(np.mean([bool(d.get("anomalous")) for d in scored])) if scored else None,
                              "mean_score": float(np.mean([d["score"] for d in scored])) if scored else None}
        if truth:
            match = _matching_truth(emitter, truth)
            if match is not None:
                row["truth"] = {"label": match.label, "center_hz": match.center_hz, "symbol_rate_hz": match.symbol_rate,
                                "anomalous": match.anomalous, "start": match.start, "stop": match.stop}
                if labels and not match.anomalous:
                    row["truth"]["accuracy_windows"] = labels.get(match.label, 0) / row["windows"]
        out.append(row)
    return out


def truth_summary(rows, truth):
    """How the run did against the simulated band: emitters found, label accuracy on the
    linear classes (windows, and emitters by majority), anomalies flagged."""
    found = {id(t) for t in truth for r in rows if r.get("truth", {}).get("start") == t.start
             and r["truth"]["center_hz"] == t.center_hz}
    linear = [r for r in rows if "truth" in r and not r["truth"]["anomalous"] and r.get("windows")]
    anomalous = [r for r in rows if "truth" in r and r["truth"]["anomalous"] and r.get("anomaly", {}).get("flagged")
                 is not None]
    normal = [r for r in rows if "truth" in r and not r["truth"]["anomalous"] and r.get("anomaly", {}).get("flagged")
              is not None]
    windows = sum(r["windows"] for r in linear)
    return {"emitters_simulated": len(truth), "emitters_found": len(found), "tracks": len(rows),
            "accuracy_windows": sum(r["truth"]["accuracy_windows"] * r["windows"] for r in linear) / windows
            if windows else None,
            "accuracy_emitters": float(np.mean([r["label"] == r["truth"]["label"] for r in linear]))
            if linear else None,
            "anomalous_flagged": float(np.mean([r["anomaly"]["flagged"] for r in anomalous])) if anomalous else None,
            "normal_flagged": float(np.mean([r["anomaly"]["flagged"] for r in normal])) if normal else None}


def write_wideband_report(folder, source, detections, updates, capture, waterfall, stats, seconds, publish=None):
    """waterfall: (rows of dB spectra, samples per row) of the whole run."""
    folder = pathlib.Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rate = source.sample_rate
    rows = emitter_summary(detections, updates, rate, source.truth)
    summary = {"source": source.description, "wideband": True, "seconds": round(seconds, 2), "sample_rate": rate,
               "center_freq": source.center_freq, "windows": stats, "published_to": publish, "emitters": rows,
               "receiver": dict(source.receiver, applied=True) if source.receiver else {"applied": False}}
    if source.truth:
        summary["truth"] = truth_summary(rows, source.truth)
    plt = pyplot()
    _waterfall(plt, waterfall, rate, rows, folder / "waterfall.png")
    _timelines(plt, detections.get("amc", []), rows, rate, folder / "emitter_timelines.png")
    summary["recording"] = _recording(folder, capture, rows, source)
    (folder / "summary.json").write_text(json.dumps(summary, indent=2))
    return summary


def _waterfall(plt, waterfall, rate, rows, path):
    spectra, row_samples = waterfall
    fig, ax = plt.subplots(figsize=(10, 5))
    end = len(spectra) * row_samples
    if len(spectra):
        ax.imshow(spectra, aspect="auto", origin="lower", cmap="viridis",
                  extent=[-rate / 2e3, rate / 2e3, 0, end / rate])
        for r in rows:
            if r["first_seen"] >= end:
                continue
            low = (r["center_hz"] - r["bandwidth_hz"] / 2) / 1e3
            t0, t1 = r["first_seen"] / rate, min(r["last_seen"], end) / rate
            ax.add_patch(plt.Rectangle((low, t0), r["bandwidth_hz"] / 1e3, t1 - t0, fill=False, ec="w", lw=1))
            ax.text(low, t1, " {} {}".format(r["id"], r.get("label", "?")), color="w", fontsize=7, va="top")
    ax.set_xlabel("frequency offset (kHz)")
    ax.set_ylabel("time (s)")
    ax.set_title("waterfall with each emitter's band, id and majority label", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _timelines(plt, amc, rows, rate, path):
    from ..data.modulators import CLASSES

    fig, ax = plt.subplots(figsize=(10, 1.2 + 0.35 * max(len(rows), 1)))
    ids = [r["id"] for r in rows]
    colours = plt.get_cmap("tab20")
    for d in amc:
        e = d.get("emitter")
        if e is None or e["id"] not in ids or d.get("label") not in CLASSES:
            continue
        ax.plot(e["wideband_offset"] / rate, ids.index(e["id"]), "|", ms=8,
                color=colours(CLASSES.index(d["label"]) % 20))
    ax.set_yticks(range(len(rows)), ["{} {:.0f} kHz".format(r["id"], r["center_hz"] / 1e3) for r in rows], fontsize=7)
    for i, label in enumerate(CLASSES):
        ax.plot([], [], "s", color=colours(i % 20), label=label)
    ax.legend(fontsize=6, ncol=6, loc="upper center", bbox_to_anchor=(0.5, -0.35 if rows else -0.1))
    ax.set_xlabel("time (s)")
    ax.set_title("label of each emitter's windows over time", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _recording(folder, capture, rows, source):
    """The wideband capture with one annotation per emitter seen in it: its time span and
    its band (core:freq_lower_edge / core:freq_upper_edge, absolute when the centre
    frequency is known)."""
    from ..data.sigmf_io import write_recording

    if not len(capture):
        return None
    notes = []
    for r in rows:
        if r["first_seen"] >= len(capture):
            continue
        stop = min(r["last_seen"] + 1, len(capture))
        notes.append({"sample_start": r["first_seen"], "sample_count": stop - r["first_seen"],
                      "label": "e{} {}".format(r["id"], r.get("label", "?"))[:20],   # SigMF: at most 20
                      "confidence": r.get("confidence"), "snr_db": r.get("snr_db"),
                      "freq_lower_edge": source.center_freq + r["center_hz"] - r["bandwidth_hz"] / 2,
                      "freq_upper_edge": source.center_freq + r["center_hz"] + r["bandwidth_hz"] / 2})
    meta = write_recording(folder / "capture", capture, source.sample_rate, source.center_freq, notes,
                           "gr-sentinel wideband run: " + source.description)
    return {"meta": meta.name, "samples": int(len(capture)), "annotations": len(notes)}
