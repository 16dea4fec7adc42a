# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""The 11 RadioML 2016.10a classes, each modulated by a GNU Radio flowgraph of in-tree blocks.

All run at 8 samples per symbol at 200 kHz (the RML2016 rate); linear classes use
a root-raised-cosine pulse with roll-off 0.35. Every class comes out with unit
average power.
"""

import contextlib
import io
import math

import numpy as np
from gnuradio import analog, blocks, digital, filter as gr_filter, gr
from gnuradio.filter import firdes

from .audio import programme_audio

SAMPLE_RATE = 200e3
SPS = 8
ROLLOFF = 0.35
RRC_SPAN_SYMBOLS = 11
AUDIO_RATE = 50e3
GFSK_BT = 0.35
GFSK_INDEX = 0.5
CPFSK_INDEX = 0.75
AM_INDEX = 0.7

CLASSES = ["8PSK", "AM-DSB", "AM-SSB", "BPSK", "CPFSK", "GFSK", "PAM4", "QAM16", "QAM64",
           "QPSK", "WBFM"]


def _psk(m, offset=0.0):
    return [complex(math.cos(2 * math.pi * k / m + offset), math.sin(2 * math.pi * k / m + offset))
            for k in range(m)]


def _qam(m):
    side = int(round(math.sqrt(m)))
    levels = np.arange(side) * 2 - (side - 1)
    points = [complex(i, q) for q in levels for i in levels]
    scale = math.sqrt(np.mean([abs(p) ** 2 for p in points]))
    return [p / scale for p in points]


LINEAR_CONSTELLATIONS = {
    "BPSK": _psk(2),
    "QPSK": _psk(4, math.pi / 4),
    "8PSK": _psk(8),
    "QAM16": _qam(16),
    "QAM64": _qam(64),
    "PAM4": [complex(v / math.sqrt(5.0), 0.0) for v in (-3, -1, 1, 3)],
}

#: Samples at the start of a modulator's output that are still filter transient.
SETTLE_SAMPLES = 1024
#: The audio classes' filters settle longer: AM-SSB's 257-tap Hilbert filter at the audio
#: rate spans 1028 samples at 200 kHz, before the audio resampler's own.
AUDIO_SETTLE_SAMPLES = 2048
#: Parallel chains per top_block: amortises scheduler start-up without a thread explosion.
CHAINS_PER_FLOWGRAPH = 32
#: Classes whose emitter has a symbol clock (a symbol-rate mismatch applies to them).
DIGITAL_CLASSES = ("8PSK", "BPSK", "CPFSK", "GFSK", "PAM4", "QAM16", "QAM64", "QPSK")
#: Classes whose source is programme audio (speech- or music-like, one draw per stream).
AUDIO_CLASSES = ("AM-DSB", "AM-SSB", "WBFM")
#: Independent audio programmes per dataset unit (one class at one SNR) of an audio class.
PROGRAMMES_PER_UNIT = 32


def generator_parameters():
    """Everything that shapes the clean signals, for the dataset's metadata."""
    return {
        "sample_rate": SAMPLE_RATE, "samples_per_symbol": SPS, "rrc_rolloff": ROLLOFF,
        "rrc_span_symbols": RRC_SPAN_SYMBOLS, "audio_rate": AUDIO_RATE,
        "gfsk_bt": GFSK_BT, "gfsk_modulation_index": GFSK_INDEX,
        "cpfsk_modulation_index": CPFSK_INDEX, "am_modulation_index": AM_INDEX,
        "wbfm_max_deviation_hz": 75e3, "wbfm_tau_s": 75e-6,
        "analog_audio": "synthetic speech-like or music-like, 5 kHz band",
        "audio_programmes_per_unit": PROGRAMMES_PER_UNIT,
    }


def _quiet():
    """Some in-tree hier blocks (wfm_tx) print their filter length on construction."""
    return contextlib.redirect_stdout(io.StringIO())


def _run(top, sink):
    top.run()
    return np.asarray(sink.data(), dtype=np.complex64)


def _linear(name, nsamples, rng):
    points = LINEAR_CONSTELLATIONS[name]
    nsymbols = nsamples // SPS + RRC_SPAN_SYMBOLS + 1
    symbols = rng.integers(0, len(points), nsymbols).astype(np.uint8)
    taps = firdes.root_raised_cosine(SPS, SPS, 1.0, ROLLOFF, RRC_SPAN_SYMBOLS * SPS + 1)
    top = gr.top_block()
    sink = blocks.vector_sink_c()
    top.connect(blocks.vector_source_b(symbols, False), digital.chunks_to_symbols_bc(points),
                gr_filter.interp_fir_filter_ccf(SPS, taps), sink)
    return _run(top, sink)


def _packed_bits(nsamples, rng):
    nbytes = nsamples // (8 * SPS) + 8
    return rng.integers(0, 256, nbytes).astype(np.uint8)


def _gfsk(nsamples, rng):
    top = gr.top_block()
    sink = blocks.vector_sink_c()
    with _quiet():
        mod = digital.gfsk_mod(samples_per_symbol=SPS, sensitivity=math.pi * GFSK_INDEX / SPS,
                               bt=GFSK_BT, verbose=False, log=False)
    top.connect(blocks.vector_source_b(_packed_bits(nsamples, rng), False), mod, sink)
    return _run(top, sink)


def _cpfsk(nsamples, rng):
    bits = rng.integers(0, 2, nsamples // SPS + 8).astype(np.uint8)
    top = gr.top_block()
    sink = blocks.vector_sink_c()
    top.connect(blocks.vector_source_b(bits, False), analog.cpfsk_bc(CPFSK_INDEX, 1.0, SPS), sink)
    return _run(top, sink)


def _audio_source(nsamples, rng):
    naudio = int(nsamples * AUDIO_RATE / SAMPLE_RATE) + 64
    return blocks.vector_source_f(programme_audio(naudio, AUDIO_RATE, rng), False)


def _wbfm(nsamples, rng):
    top = gr.top_block()
    sink = blocks.vector_sink_c()
    with _quiet():
        tx = analog.wfm_tx(audio_rate=int(AUDIO_RATE), quad_rate=int(SAMPLE_RATE), tau=75e-6,
                           max_dev=75e3)
    top.connect(_audio_source(nsamples, rng), tx, sink)
    return _run(top, sink)


def _upsampled_audio(top, nsamples, rng):
    interp = int(SAMPLE_RATE / AUDIO_RATE)
    resampler = gr_filter.rational_resampler_fff(interp, 1)
    top.connect(_audio_source(nsamples, rng), resampler)
    return resampler


def _am_dsb(nsamples, rng):
    top = gr.top_block()
    sink = blocks.vector_sink_c()
    audio = _upsampled_audio(top, nsamples, rng)
    scale = blocks.multiply_const_ff(AM_INDEX)
    carrier = blocks.add_const_ff(1.0)
    top.connect(audio, scale, carrier, blocks.float_to_complex(), sink)
    return _run(top, sink)


def _am_ssb(nsamples, rng):
    # The analytic signal (upper sideband) is formed at the audio rate, where a
    # 257-tap Hilbert filter resolves the audio's low end, then upsampled.
    top = gr.top_block()
    sink = blocks.vector_sink_c()
    interp = int(SAMPLE_RATE / AUDIO_RATE)
    top.connect(_audio_source(nsamples, rng), gr_filter.hilbert_fc(257),
                gr_filter.rational_resampler_ccf(interp, 1), sink)
    return _run(top, sink)


_MODULATORS = {"GFSK": _gfsk, "CPFSK": _cpfsk, "WBFM": _wbfm, "AM-DSB": _am_dsb,
               "AM-SSB": _am_ssb}


def linear_segments(name, nsamples, rolloffs, rng):
    """One segment of `nsamples` settled samples of linear class `name` per roll-off in
    `rolloffs`, each from its own chain (symbols -> constellation -> RRC interpolator)
    and at unit average power; chains run CHAINS_PER_FLOWGRAPH to a flowgraph."""
    points = LINEAR_CONSTELLATIONS[name]
    settle = RRC_SPAN_SYMBOLS * SPS + SPS
    nsymbols = (nsamples + settle) // SPS + RRC_SPAN_SYMBOLS + 2
    segments = []
    for start in range(0, len(rolloffs), CHAINS_PER_FLOWGRAPH):
        top = gr.top_block()
        sinks = []
        for rolloff in rolloffs[start:start + CHAINS_PER_FLOWGRAPH]:
            if not 0.0 < rolloff <= 1.0:
                raise ValueError("rolloff: within (0, 1], got {}".format(rolloff))
            symbols = rng.integers(0, len(points), nsymbols).astype(np.uint8)
            taps = firdes.root_raised_cosine(SPS, SPS, 1.0, float(rolloff), RRC_SPAN_SYMBOLS * SPS + 1)
            sink = blocks.vector_sink_c()
            top.connect(blocks.vector_source_b(symbols, False), digital.chunks_to_symbols_bc(points),
                        gr_filter.interp_fir_filter_ccf(SPS, taps), sink)
            sinks.append(sink)
        top.run()
        for sink in sinks:
            x = np.asarray(sink.data(), dtype=np.complex64)[settle:settle + nsamples]
            if len(x) < nsamples:
                raise RuntimeError("modulator for {} produced {} of {} samples".format(name, len(x), nsamples))
            segments.append((x / np.sqrt(np.mean(np.abs(x) ** 2))).astype(np.complex64))
    return segments


def stream_segments(name, count, segment, rng, slack=64):
    """`count` segments of `segment` samples of class `name`, each cut at a random offset
    within its own slot of segment + slack samples of a continuous stream. An audio
    class's segments come from up to PROGRAMMES_PER_UNIT streams, one audio programme
    each, so the windows of a unit do not all share one programme; any other class's
    from one stream."""
    if count == 0:
        return []
    slot = segment + slack
    groups = min(count, PROGRAMMES_PER_UNIT) if name in AUDIO_CLASSES else 1
    segments = []
    for size in map(len, np.array_split(np.arange(count), groups)):
        stream = modulate(name, size * slot, rng)
        starts = np.arange(size) * slot + rng.integers(0, slack + 1, size)
        segments += [stream[s:s + segment] for s in starts]
    return segments


def modulate(name, nsamples, rng):
    """`nsamples` settled samples of class `name` at unit average power."""
    if name not in CLASSES:
        raise ValueError("class: unknown '{}'; allowed: {}".format(name, ", ".join(CLASSES)))
    settle = AUDIO_SETTLE_SAMPLES if name in AUDIO_CLASSES else SETTLE_SAMPLES
    total = nsamples + settle
    if name in LINEAR_CONSTELLATIONS:
        x = _linear(name, total, rng)
    else:
        x = _MODULATORS[name](total, rng)
    if len(x) < total:
        raise RuntimeError("modulator for {} produced {} of {} samples".format(name, len(x), total))
    x = x[settle:total]
    return (x / np.sqrt(np.mean(np.abs(x) ** 2))).astype(np.complex64)
