# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""How the shipped classifiers survive a receiver: every impairment swept one at a time on
fresh data, for every amc bundle and the HTRD bundle (correct / rejected / wrong-accepted).

Each condition is a `receiver`-recipe dataset with every receiver impairment off except
the swept one (the random carrier phase stays on: no receiver knows it), made with its
own seed derived from the sweep's seed, so no window is ever a training window. A second
part uses a generator that shares no code with gnuradio.sentinel.data (numpy RRC pulses
of our own, random phase, 8 samples per symbol) for the 6 linear classes.
"""

import json
import pathlib
import tempfile

import numpy as np

from ..nn import amc as amc_nn

CFO_SWEEP_HZ = (0.0, 250.0, 500.0, 1e3, 2e3, 5e3, 10e3)
#: (name, ReceiverConfig.off overrides) of every condition besides the carrier-offset sweep.
OTHER_CONDITIONS = (
    ("timing 0.5 sample", {"timing_samples": (0.5, 0.5)}),
    ("symbol rate +-5%", {"symbol_rate_deviation": (0.05, 0.05)}),
    ("symbol rate +-10%", {"symbol_rate_deviation": (0.10, 0.10)}),
    ("roll-off 0.2", {"rolloff": (0.2, 0.2)}),
    ("roll-off 0.5", {"rolloff": (0.5, 0.5)}),
    ("IQ 1 dB / 5 deg", {"iq_gain_db": (1.0, 1.0), "iq_phase_deg": (5.0, 5.0)}),
    ("DC 0.1 rms", {"dc_relative": (0.1, 0.1)}),
    ("8-bit ADC, -12 dBFS", {"adc_bits": 8, "agc_backoff_db": (12.0, 12.0)}),
    ("8-bit ADC, -3 dBFS (clipping)", {"adc_bits": 8, "agc_backoff_db": (3.0, 3.0)}),
    ("all (default receiver)", None),
    # last, so every earlier condition keeps its data seed (its place in this list)
    ("cfo uniform in +-5 kHz", {"cfo_hz": (0.0, 5e3)}),
)
LINEAR = ("BPSK", "QPSK", "8PSK", "PAM4", "QAM16", "QAM64")


def conditions():
    """[(name, ReceiverConfig)] in report order."""
    from ..data.receiver import ReceiverConfig

    out = [("cfo {:g} Hz".format(f), ReceiverConfig.off(phase=True, cfo_hz=(f, f))) for f in CFO_SWEEP_HZ]
    for name, overrides in OTHER_CONDITIONS:
        out.append((name, ReceiverConfig() if overrides is None else ReceiverConfig.off(phase=True, **overrides)))
    return out


class Classifier:
    """A shipped bundle as the sweep sees it: windows in, (class index or -1, label list) out."""

    def __init__(self, name):
        import torch

        from ..nn import htrd as htrd_nn
        from ..runtime.bundle import ModelBundle

        self.bundle = ModelBundle.load(name)
        self.name = self.bundle.card["name"]
        self.classes = self.bundle.classes
        self.rejects = self.bundle.kind == htrd_nn.KIND
        if self.rejects:
            model = self.bundle.load_into(htrd_nn.build(self.bundle.card["architecture"])).eval()
            self._decide = htrd_nn.Rejector.from_card(model, self.bundle.card).labels_and_decisions
            self._prepare = lambda w: amc_nn.preprocess_card(
                w, dict({"normalization": "power"}, **self.bundle.card["preprocessing"]))
        elif self.bundle.kind == amc_nn.KIND:
            model = self.bundle.load_into(amc_nn.build(self.bundle.card["architecture"])).eval()

            def decide(x):
                with torch.inference_mode():
                    labels = model(x).argmax(1).numpy()
                return labels, labels
            self._decide = decide
            self._prepare = lambda w: amc_nn.preprocess_card(w, self.bundle.card["preprocessing"])
        else:
            raise ValueError("model: {} is a '{}' bundle; allowed: amc or htrd bundles".format(name, self.bundle.kind))

    def __call__(self, windows, batch=2048):
        """Class index per window, or -1 where the model rejects it."""
        return self.labels_and_decisions(windows, batch)[1]

    def labels_and_decisions(self, windows, batch=2048):
        """(the model's class per window before any rejection, its decision); the same
        array twice for a model that never rejects."""
        import torch

        labels, decisions = [], []
        for i in range(0, len(windows), batch):
            label, decision = self._decide(torch.as_tensor(self._prepare(windows[i:i + batch])))
            labels.append(np.asarray(label))
            decisions.append(np.asarray(decision))
        return np.concatenate(labels), np.concatenate(decisions)


def score(classifier, windows, labels):
    """accuracy (correct over all windows); for a rejecting model also rejected and
    wrong_accepted (shares of all windows), accuracy_of_accepted, label_accuracy (its
    class before rejection) and wrong_accepted_floor: what a perfect rejector on the same
    labels would accept wrong at the same rejected share, max(0, 1 - label_accuracy -
    rejected), the least any rejection rule on this network can reach."""
    unrejected, predicted = classifier.labels_and_decisions(windows)
    correct = predicted == labels
    result = {"windows": int(len(labels)), "accuracy": float(np.mean(correct))}
    if classifier.rejects:
        rejected = predicted < 0
        label_accuracy = float(np.mean(unrejected == labels))
        result.update(rejected=float(np.mean(rejected)), wrong_accepted=float(np.mean(~rejected & ~correct)),
                      accuracy_of_accepted=float(np.mean(correct[~rejected])) if np.any(~rejected) else None,
                      label_accuracy=label_accuracy,
                      wrong_accepted_floor=max(0.0, 1.0 - label_accuracy - float(np.mean(rejected))))
    return result


def _check_classes(classifier, class_names):
    if list(classifier.classes) != list(class_names):
        raise ValueError("model: {} classes {} differ from the sweep's {}".format(
            classifier.name, classifier.classes, class_names))


def independent_linear(name, count, snr_db, cfo_hz, rng, length=128, sps=8, rolloff=0.35, fs=200e3):
    """Windows of a linear class from a generator that shares no code with
    gnuradio.sentinel.data: our own RRC formula, scipy's convolution, a random phase and
    window start, the offset with a random sign, and complex AWGN at the per-sample SNR."""
    from scipy import signal

    from ..data import independent

    points = {"BPSK": [1, -1], "QPSK": np.exp(1j * (np.pi / 4 + np.pi / 2 * np.arange(4))),
              "8PSK": np.exp(2j * np.pi * np.arange(8) / 8), "PAM4": np.array([-3, -1, 1, 3]) / np.sqrt(5),
              "QAM16": independent.square_qam(16), "QAM64": independent.square_qam(64)}[name]
    points = np.asarray(points, np.complex128)
    span = 8
    t = np.arange(-span * sps, span * sps + 1) / sps
    pulse = independent.rrc_pulse(t, rolloff)
    nsym = length // sps + 4 * span
    out = np.empty((count, length), np.complex64)
    for k in range(count):
        symbols = points[rng.integers(0, len(points), nsym)]
        up = np.zeros(nsym * sps, np.complex128)
        up[::sps] = symbols
        shaped = signal.fftconvolve(up, pulse)[2 * span * sps:]
        start = rng.integers(0, sps)
        x = shaped[start:start + length]
        n = np.arange(length)
        x = x * np.exp(1j * (rng.uniform(0, 2 * np.pi) + 2 * np.pi * rng.choice((-1, 1)) * cfo_hz * n / fs))
        power = np.mean(np.abs(x) ** 2)
        noise = (rng.standard_normal(length) + 1j * rng.standard_normal(length)) * np.sqrt(
            power / 10 ** (snr_db / 10) / 2)
        out[k] = x + noise
    return out


def evaluate(models, report_dir, count=100, snrs=(0.0, 10.0, 18.0), seed=2027, independent_count=300,
             workers=None, log=print, only=None, merge=False):
    """Sweep every condition for every model; returns the report dict and writes
    robustness.json, robustness_cfo.png and a markdown table into report_dir.
    only: a list of condition names to run (default all). Each condition's data seed comes
    from its place in the full list, so a condition's windows are the same whichever others
    run. merge: add (or replace) these models' columns in report_dir's existing report,
    which must have the same seed, count, SNRs, independent count and conditions."""
    from ..data import LiveReceiver, generate, load

    classifiers = [Classifier(m) for m in models]
    names = [c.name for c in classifiers]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:   # the report is keyed by the card's name: one would hide the other
        raise ValueError("models: {} name the same card name {}; allowed: bundles with distinct names (edit "
                         "the copy's card.json 'name')".format(", ".join(str(m) for m in models), ", ".join(twice)))
    report = {"seed": seed, "examples_per_class_snr": count, "snrs_db": list(snrs), "models": [c.name for c in classifiers],
              "independent_count": independent_count, "conditions": {}, "independent_linear": {}}
    chosen = [(index, n, c) for index, (n, c) in enumerate(conditions()) if only is None or n in only]
    if only is not None and len(chosen) != len(only):
        known = [n for n, _ in conditions()]
        raise ValueError("conditions: unknown {}; allowed: {}".format(sorted(set(only) - set(known)), known))
    existing = _report_to_merge(report_dir, report, chosen) if merge else None
    with tempfile.TemporaryDirectory(prefix="sentinel-robustness-") as tmp:
        for index, name, config in chosen:
            recipe = LiveReceiver(snrs=tuple(snrs), receiver_config=config)
            path = pathlib.Path(tmp) / "condition.h5"
            generate(recipe, path, count, seed=_condition_seed(seed, index), workers=workers, progress=False)
            ds = load(path)
            windows = ds.complex()
            entry = {"receiver": config.as_dict(), "data_seed": _condition_seed(seed, index), "results": {}}
            for classifier in classifiers:
                _check_classes(classifier, ds.class_names)
                predicted = {}
                for snr in snrs:
                    mask = ds.snr == snr
                    predicted[str(snr)] = score(classifier, windows[mask], ds.label[mask])
                entry["results"][classifier.name] = predicted
            report["conditions"][name] = entry
            log("{:<32} ".format(name) + "  ".join("{} {:.3f}".format(
                c.name, np.mean([entry["results"][c.name][str(s)]["accuracy"] for s in snrs])) for c in classifiers))
            path.unlink()
    rng = np.random.default_rng([seed, 7])
    classes = classifiers[0].classes if classifiers else []
    for cfo in (0.0, 1e3, 5e3):
        windows = np.concatenate([independent_linear(c, independent_count, 14.0, cfo, rng) for c in LINEAR])
        labels = np.repeat([classes.index(c) for c in LINEAR], independent_count)
        report["independent_linear"]["cfo {:g} Hz".format(cfo)] = {
            c.name: score(c, windows, labels) for c in classifiers}
    if existing is not None:
        report = _merged(existing, report)
    if report_dir:
        report_dir = pathlib.Path(report_dir)
        report_dir.mkdir(parents=True, exist_ok=True)
        (report_dir / "robustness.json").write_text(json.dumps(report, indent=2) + "\n")
        (report_dir / "robustness.md").write_text(format_tables(report) + "\n")
        plot_cfo(report, report_dir / "robustness_cfo.png")
        log("wrote {}".format(report_dir))
    return report


def _condition_seed(seed, index):
    """The data seed of the condition at `index` of conditions() in the sweep of `seed`."""
    return seed * 1000 + index


def _report_to_merge(report_dir, report, chosen):
    """The report in report_dir, checked (before any window is drawn) to be of the same
    sweep as `report` would be; chosen: the run's (index, name, config) conditions."""
    path = pathlib.Path(report_dir or "") / "robustness.json"
    if not report_dir or not path.is_file():
        raise ValueError("merge: no report to merge into at {}".format(path))
    existing = json.loads(path.read_text())
    existing.setdefault("independent_count", 300)   # reports written before it was recorded used the default
    for key in ("seed", "examples_per_class_snr", "snrs_db", "independent_count"):
        if existing[key] != report[key]:
            raise ValueError("merge: {} is {} in {}, {} here; allowed: the same sweep".format(
                key, existing[key], path, report[key]))
    names = [name for _, name, _ in chosen]
    if list(existing["conditions"]) != names:
        raise ValueError("merge: {} has conditions {}; this run has {}".format(
            path, list(existing["conditions"]), names))
    for index, name, _ in chosen:   # reports drawn before seeds followed the full list differ here
        if existing["conditions"][name]["data_seed"] != _condition_seed(report["seed"], index):
            raise ValueError("merge: condition '{}' was drawn with data seed {}, here {}".format(
                name, existing["conditions"][name]["data_seed"], _condition_seed(report["seed"], index)))
    return existing


def _merged(existing, new):
    """existing with new's models' results added, or replacing theirs (same column place)."""
    merged = dict(existing, models=list(existing["models"]) + [m for m in new["models"] if m not in existing["models"]])
    for name, entry in new["conditions"].items():
        merged["conditions"][name]["results"].update(entry["results"])
    for name, results in new["independent_linear"].items():
        merged["independent_linear"].setdefault(name, {}).update(results)
    return merged


def format_tables(report):
    """Markdown: accuracy per condition and SNR for every model; HTRD's rejected and wrong-accepted
    shares and the perfect rejector's floor;
    "-" where a model has no result (a column kept from a sweep without that condition)."""
    models = report["models"]
    snrs = [str(float(s)) for s in report["snrs_db"]]
    lines = ["| condition | SNR dB | " + " | ".join(models) + " |", "|---|---|" + "---|" * len(models)]
    for name, entry in report["conditions"].items():
        for snr in snrs:
            cells = []
            for m in models:
                r = entry["results"].get(m, {}).get(snr)
                if r is None:   # a model merged from a sweep without this condition
                    cells.append("-")
                    continue
                cell = "{:.3f}".format(r["accuracy"])
                if "rejected" in r:
                    cell += " (rej {:.2f}, wrong {:.2f}".format(r["rejected"], r["wrong_accepted"])
                    # a column merged from a report made before the floor was measured has none
                    cell += ", floor {:.2f})".format(r["wrong_accepted_floor"]) if "wrong_accepted_floor" in r else ")"
                cells.append(cell)
            lines.append("| {} | {:g} | ".format(name, float(snr)) + " | ".join(cells) + " |")
    lines += ["", "Independent RRC generator, 6 linear classes, 14 dB:", "",
              "| carrier offset | " + " | ".join(models) + " |", "|---|" + "---|" * len(models)]
    for name, results in report["independent_linear"].items():
        lines.append("| {} | ".format(name) + " | ".join(
            "{:.3f}".format(results[m]["accuracy"]) if m in results else "-" for m in models) + " |")
    return "\n".join(lines)


def plot_cfo(report, path):
    from ..data.plots import pyplot

    plt = pyplot()
    snrs = [str(float(s)) for s in report["snrs_db"]]
    fig, axes = plt.subplots(1, len(snrs), figsize=(4.2 * len(snrs), 4.0), sharey=True, squeeze=False)
    offsets = [f for f in CFO_SWEEP_HZ if "cfo {:g} Hz".format(f) in report["conditions"]]
    for ax, snr in zip(axes[0], snrs):
        for i, m in enumerate(report["models"]):
            acc = [report["conditions"]["cfo {:g} Hz".format(f)]["results"][m][snr]["accuracy"] for f in offsets]
            # the colour cycle has 10 colours: dashed lines from the 11th model on
            ax.plot([max(f, 50.0) for f in offsets], acc, marker="o", ms=3, label=m, linestyle="-" if i < 10 else "--",
                    linewidth=2.2 if m == "afnet" else 1.2)
        ax.set_xscale("log")
        ax.set_xlabel("carrier offset (Hz; 0 drawn at 50)")
        ax.set_title("{:g} dB".format(float(snr)))
        ax.grid(alpha=0.3)
        ax.set_ylim(0, 1)
    axes[0][0].set_ylabel("accuracy (HTRD: correct of all windows)")
    axes[0][-1].legend(fontsize=7)
    fig.suptitle("Accuracy vs carrier offset (fresh receiver-recipe data, 11 classes)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
