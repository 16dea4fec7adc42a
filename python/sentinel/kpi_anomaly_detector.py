# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""GNU Radio block: the multi-scale ConvLSTM cell-KPI anomaly detector."""

import shlex

import numpy as np

from .runtime.block import integer_parameter, model_block, number_parameter
from .runtime.bundle import BundleError, ModelBundle


def _kpi():
    from .nn import kpi  # torch is imported only when a model block is built
    return kpi


class kpi_anomaly_detector(model_block):
    """Anomaly probability of a cell's KPI reports.

    Input: float32 vectors of `vlen` KPIs, one per report (15 min), in the
    bundle's KPI order. Output 0: one probability per window of `window` reports
    (stride 1: one per report, for the window ending at it; the first window-1
    reports produce nothing). detections: only windows whose probability reaches
    `threshold` (and windows with NaN/Inf KPIs, flagged), with `probability`,
    `threshold`, `label`; `last_offset` is the absolute index of the scored report.
    `window` 0 takes the bundle's; another value must equal it.
    """

    kind = "kpi"
    tag_key = "kpi_anomaly"
    input_dtype = np.float32
    flag_zero_windows = False   # an outage reports zeros: that is an input to score

    def __init__(self, model="kpi", window=0, threshold=None, vlen=11, stride=1, mode="lossless",
                 device="auto", threads=0, backend="auto", max_batch=64, queue_depth=4, emit_tags=False):
        self._window_request = integer_parameter("window", window, 0, None, "reports per window; 0 = the bundle's")
        self._vlen_request = integer_parameter("vlen", vlen, 1, None, "KPIs per report")
        self._threshold_override = threshold
        model_block.__init__(self, "kpi_anomaly_detector", model, stride, mode, device, threads,
                             backend, max_batch, queue_depth, emit_tags, 0.0)

    def input_vlen(self, bundle):
        expected = bundle.number("input", "vlen", integer=True, minimum=1, meaning="KPIs per report")
        kpis = bundle.entry("input", "kpis", default=[])
        if not isinstance(kpis, list) or len(kpis) not in (0, expected):
            raise BundleError("model: {}: card entry 'input.kpis' must list the {} KPI names of input.vlen".format(
                bundle.card_path, expected))
        if self._vlen_request != expected:
            raise ValueError("vlen: the bundle '{}' takes {} KPIs per report ({}), got vlen={}".format(
                bundle.card.get("name"), expected, ", ".join(map(str, kpis)), self._vlen_request))
        if self._window_request not in (0, bundle.window_length):
            raise ValueError("window: the bundle '{}' was trained on {}-report windows, got {}; "
                             "use 0 or {}".format(bundle.card.get("name"), bundle.window_length,
                                                  self._window_request, bundle.window_length))
        return expected

    def _check_trained_window_length(self, bundle):
        model_block._check_trained_window_length(self, bundle)
        trained = trained_kpi_window(bundle)
        if trained is not None and trained != bundle.window_length:
            raise BundleError("model: {}: window_length {} differs from the {}-report windows its training "
                              "command used ({}); allowed: window_length {}".format(
                                  bundle.card_path, bundle.window_length, trained,
                                  bundle.card["training"].get("command"), trained))

    def configure(self, bundle):
        vlen = self.windower.item_shape[0] if self.windower.item_shape else 1
        meaning = "per-KPI statistics of the training reports, one per KPI"
        mean = bundle.numbers("preprocessing", "mean", length=vlen, meaning=meaning)
        std = bundle.numbers("preprocessing", "std", length=vlen, above=0.0, meaning=meaning + ", all > 0")
        change_std = bundle.numbers("preprocessing", "change_std", length=vlen, above=0.0,
                                    meaning=meaning + ", all > 0")
        self._scaler = (mean, std, change_std)
        self._card_threshold = bundle.number("thresholds", "probability", default=0.5, above=0.0, below=1.0,
                                             meaning="the anomaly probability threshold")
        self.set_threshold(self._threshold_override)

    def build_model(self, bundle):
        return _kpi().build(bundle.card["architecture"], bundle.card["input"]["vlen"])

    def preprocess(self, windows):
        return _kpi().features(windows, *self._scaler)

    def describe(self, outputs):
        logits = np.asarray(outputs, np.float64)
        probability = 1.0 / (1.0 + np.exp(logits[:, 0] - logits[:, 1]))
        fields = [{"probability": p, "threshold": self.threshold, "anomalous": p >= self.threshold,
                   "label": "anomaly" if p >= self.threshold else "normal"} for p in probability.tolist()]
        return probability.astype(np.float32), fields

    def publishes(self, value, record):
        return bool(record.get("anomalous"))

    def set_threshold(self, threshold):
        """A new probability threshold; None restores the card's."""
        if threshold is None:
            threshold = self._card_threshold
        threshold = number_parameter("threshold", threshold,
                                     meaning="a probability strictly between 0 and 1; None = the card's")
        if not 0.0 < threshold < 1.0:
            raise ValueError("threshold: a probability strictly between 0 and 1, got {}".format(threshold))
        self.threshold = threshold


def trained_kpi_window(bundle, depth=0):
    """The window length a KPI card's training command used, for cards that do not record
    training.window_length: its `--window N`, `sentinel train kpi`'s default without one,
    or for `sentinel finetune kpi --model M` the window of M (which finetune keeps).
    None when the command does not say."""
    command = bundle.card["training"].get("command")
    try:
        words = shlex.split(command.split(";")[0]) if isinstance(command, str) else []
    except ValueError:
        return None
    for i, word in enumerate(words):
        value = word[len("--window="):] if word.startswith("--window=") else \
            words[i + 1] if word == "--window" and i + 1 < len(words) else None
        if value is not None:
            return int(value) if value.isdigit() else None
    if words[:3] == ["sentinel", "train", "kpi"]:
        from .train.kpi import DEFAULT_WINDOW
        return DEFAULT_WINDOW
    if words[:3] == ["sentinel", "finetune", "kpi"] and "--model" in words[:-1] and depth < 4:
        source = words[words.index("--model") + 1]
        for candidate in (source, source.rstrip("/").split("/")[-1]):
            try:
                parent = ModelBundle.load(candidate, expected_kind="kpi")
            except BundleError:
                continue
            if parent.trained_window_length() is not None:
                return parent.trained_window_length()
            return trained_kpi_window(parent, depth + 1) or parent.window_length
    return None
