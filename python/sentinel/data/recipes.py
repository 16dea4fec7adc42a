# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Dataset recipes: which classes and SNRs, and how one (class, SNR) unit of examples is made.

A unit is generated from its own seed sequence, derived from the dataset seed and
the unit's (class, SNR) position, so a dataset is the same whatever the number of
worker processes or the order they finish in.
"""

import numpy as np
from gnuradio import blocks, digital, gr

from . import channel, modulators, receiver


class Recipe:
    name = ""
    class_names = ()
    snrs = ()
    length = 0
    #: Names of the per-example draws make_unit returns as a third element (none here).
    draw_columns = ()

    def parameters(self):
        raise NotImplementedError

    def make_unit(self, class_index, snr_db, count, rng):
        """Return complex64 (count, length) noisy examples and their uint64 seeds (and, for a
        recipe with draw_columns, a float32 (count, len(draw_columns)) table of draws)."""
        raise NotImplementedError

    def splits(self, labels, rng):
        """Optional split column (0 train, 1 validation, 2 test); None when the recipe has none."""
        return None


class RadioML2016(Recipe):
    """RadioML 2016.10a's classes, SNRs, vector length and channel, without its flaws.

    Each example is cut at a random offset from a settled GNU Radio modulator
    stream, passes its own channel (own seed) and gets calibrated noise.
    """

    name = "rml2016"
    class_names = tuple(modulators.CLASSES)

    def __init__(self, length=128, snrs=tuple(range(-20, 20, 2)), classes=None, channel_config=None):
        if length < 16:
            raise ValueError("length: must be at least 16 samples, got {}".format(length))
        self.length = int(length)
        self.snrs = tuple(float(s) for s in snrs)
        if classes is not None:
            unknown = [c for c in classes if c not in modulators.CLASSES]
            if unknown:
                raise ValueError("classes: unknown {}; allowed: {}".format(
                    ", ".join(unknown), ", ".join(modulators.CLASSES)))
            self.class_names = tuple(classes)
        self.channel = channel_config or channel.ChannelConfig()

    def parameters(self):
        return {"length": self.length, "snrs_db": list(self.snrs),
                "snr_definition": "10*log10(mean|signal|^2 / mean|noise|^2) per complex sample "
                                  "after the channel (Es/N0 per sample; +9.03 dB per symbol at 8 sps)",
                "channel": self.channel.as_dict(), "modulators": modulators.generator_parameters()}

    def make_unit(self, class_index, snr_db, count, rng):
        name = self.class_names[class_index]
        segments = modulators.stream_segments(name, count, self.length + self.channel.guard_samples + 32, rng)
        seeds = rng.integers(0, 2 ** 63, count, dtype=np.uint64)
        received, _ = channel.apply_channel(segments, [int(s) for s in seeds], self.channel)
        out = np.empty((count, self.length), np.complex64)
        for i, x in enumerate(received):
            noise_rng = np.random.default_rng([int(seeds[i]), 1])
            out[i] = channel.add_calibrated_noise(x[:self.length], snr_db, noise_rng)
        return out, seeds


class LiveReceiver(RadioML2016):
    """RadioML 2016.10a's classes, SNRs and channel as received by a live SDR: each
    example gets its own roll-off (RRC classes), symbol-rate mismatch (digital
    classes), fractional timing offset, carrier offset with drift and phase, IQ
    imbalance, DC offset and an AGC + ADC, drawn from `receiver` (a ReceiverConfig;
    see data.receiver). The draws are stored per example in the `receiver` table."""

    name = "receiver"
    draw_columns = receiver.COLUMNS

    def __init__(self, length=128, snrs=tuple(range(-20, 20, 2)), classes=None, channel_config=None,
                 receiver_config=None):
        RadioML2016.__init__(self, length, snrs, classes, channel_config)
        self.receiver = receiver_config or receiver.ReceiverConfig()
        if self.receiver.sample_rate != self.channel.sample_rate:
            raise ValueError("receiver sample_rate {} differs from the channel's {}".format(
                self.receiver.sample_rate, self.channel.sample_rate))

    def parameters(self):
        return dict(RadioML2016.parameters(self), receiver=self.receiver.as_dict(),
                    receiver_columns=list(receiver.COLUMNS),
                    symbol_rate_mismatch_classes=list(modulators.DIGITAL_CLASSES),
                    rolloff_classes=sorted(modulators.LINEAR_CONSTELLATIONS))

    def make_unit(self, class_index, snr_db, count, rng):
        name = self.class_names[class_index]
        linear = name in modulators.LINEAR_CONSTELLATIONS
        seeds = rng.integers(0, 2 ** 63, count, dtype=np.uint64)
        draws = [receiver.draw(self.receiver, np.random.default_rng([int(s), 2]), linear) for s in seeds]
        if name not in modulators.DIGITAL_CLASSES:
            for d in draws:
                d["symbol_rate_ratio"] = 1.0
        segment = int(np.ceil((self.length + self.channel.guard_samples + 32) * self.receiver.max_rate_ratio)) + 8
        if linear and self.receiver.rolloff is not None:
            segments = modulators.linear_segments(name, segment, [d["rolloff"] for d in draws], rng)
        else:
            segments = modulators.stream_segments(name, count, segment, rng)
        received, _ = channel.apply_channel(segments, [int(s) for s in seeds], self.channel,
                                            rate_ratios=[d["symbol_rate_ratio"] for d in draws],
                                            timing_offsets=[d["timing_samples"] for d in draws])
        out = np.empty((count, self.length), np.complex64)
        for i, x in enumerate(received):
            if len(x) < self.length:
                raise RuntimeError("channel for {} left {} of {} samples".format(name, len(x), self.length))
            noisy = channel.add_calibrated_noise(x[:self.length], snr_db, np.random.default_rng([int(seeds[i]), 1]))
            out[i] = receiver.apply_receiver(noisy, draws[i], self.receiver)
        return out, seeds, np.array([receiver.as_row(d) for d in draws], np.float32)


class MAEPaper(Recipe):
    """The MAE paper's data: normal BPSK/QPSK/8PSK, anomalous QAM16/QAM64, AWGN only,
    SNR -5..10 dB, 1000 samples per vector at one sample per symbol (no pulse shaping,
    as the paper names none). Split as the paper: 32,000 / 6,000 / 10,000 of the
    48,000 normal vectors for training / validation / test; every anomalous vector is test."""

    name = "mae"
    class_names = ("BPSK", "QPSK", "8PSK", "QAM16", "QAM64")
    normal_classes = ("BPSK", "QPSK", "8PSK")
    split_fractions = (32 / 48, 6 / 48, 10 / 48)

    def __init__(self, length=1000, snrs=tuple(range(-5, 11))):
        self.length = int(length)
        self.snrs = tuple(float(s) for s in snrs)

    def parameters(self):
        return {"length": self.length, "snrs_db": list(self.snrs), "samples_per_symbol": 1,
                "pulse_shaping": "none", "channel": "AWGN",
                "normal_classes": list(self.normal_classes),
                "anomalous_classes": [c for c in self.class_names if c not in self.normal_classes],
                "split": "normal: 32000/6000/10000 of 48000 (train/validation/test); anomalous: test",
                "snr_definition": "10*log10(mean|signal|^2 / mean|noise|^2) per symbol (= Es/N0)"}

    def make_unit(self, class_index, snr_db, count, rng):
        points = modulators.LINEAR_CONSTELLATIONS[self.class_names[class_index]]
        symbols = rng.integers(0, len(points), count * self.length).astype(np.uint8)
        top = gr.top_block()
        sink = blocks.vector_sink_c()
        top.connect(blocks.vector_source_b(symbols, False), digital.chunks_to_symbols_bc(points), sink)
        top.run()
        clean = np.asarray(sink.data(), np.complex64).reshape(count, self.length)
        seeds = rng.integers(0, 2 ** 63, count, dtype=np.uint64)
        out = np.empty_like(clean)
        for i in range(count):
            out[i] = channel.add_calibrated_noise(clean[i], snr_db, np.random.default_rng([int(seeds[i]), 1]))
        return out, seeds

    def splits(self, labels, rng):
        split = np.full(len(labels), 2, np.uint8)
        normal = np.flatnonzero(np.isin(labels, [self.class_names.index(c) for c in self.normal_classes]))
        order = rng.permutation(normal)
        n_train = int(round(len(normal) * self.split_fractions[0]))
        n_valid = int(round(len(normal) * self.split_fractions[1]))
        split[order[:n_train]] = 0
        split[order[n_train:n_train + n_valid]] = 1
        return split


RECIPES = {"rml2016": RadioML2016, "receiver": LiveReceiver, "mae": MAEPaper}


def unit_rng(seed, class_index, snr_index):
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(class_index, snr_index)))
