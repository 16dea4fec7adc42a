#!/usr/bin/env python3
# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Write examples/data/sentinel_capture.sigmf-{meta,data}: half a second of the simulated
transmitter (selective fading model 2, 18 dB SNR, seed 3) at 200 kHz, stored as ci8 so the
file stays small (200 kB). Each scenario segment is a SigMF annotation whose core:label
is the transmitted class, so the recording carries its own ground truth.

examples/sentinel_file.grc replays it by default. Run with the module installed:
    .venv/bin/python tools/make_example_recording.py
"""

import pathlib

import numpy as np
from gnuradio import blocks, gr, sentinel
import sigmf
from sigmf import SigMFFile

EXAMPLES_DATA = pathlib.Path(__file__).resolve().parents[1] / "examples" / "data"
BASE = EXAMPLES_DATA / "sentinel_capture"
SAMPLE_RATE = 200e3
SECONDS = 0.5
SEED = 3
SNR_DB = 18.0


def simulate(seconds, seed, snr_db):
    """(complex64 samples, ground-truth segments) of the simulated transmitter."""
    n = int(seconds * SAMPLE_RATE)
    tb = gr.top_block()
    transmitter = sentinel.simulated_transmitter(snr_db=snr_db, seed=seed, duration=seconds, throttle=False)
    head = blocks.head(gr.sizeof_gr_complex, n)
    sink = blocks.vector_sink_c()
    tb.connect(transmitter, head, sink)
    tb.run()
    return np.asarray(sink.data(), np.complex64), transmitter.segments


def to_ci8(samples):
    """Interleaved int8 I/Q, scaled so the largest component is 127."""
    iq = np.empty(2 * len(samples), np.float32)
    iq[0::2], iq[1::2] = samples.real, samples.imag
    return np.round(iq * (127.0 / np.max(np.abs(iq)))).astype(np.int8)


def main():
    samples, segments = simulate(SECONDS, SEED, SNR_DB)
    data_path = BASE.with_suffix(".sigmf-data")
    to_ci8(samples).tofile(data_path)
    meta = SigMFFile(data_file=str(data_path), global_info={
        SigMFFile.DATATYPE_KEY: "ci8",
        SigMFFile.VERSION_KEY: getattr(sigmf, "__specification__", sigmf.__version__),
        SigMFFile.SAMPLE_RATE_KEY: SAMPLE_RATE,
        SigMFFile.DESCRIPTION_KEY: (
            "gr-sentinel example: {:g} s of the simulated transmitter (seed {}, {:g} dB SNR per sample, "
            "selective fading model 2); annotations are the transmitted segments. Written by "
            "tools/make_example_recording.py".format(SECONDS, SEED, SNR_DB)),
        SigMFFile.RECORDER_KEY: "gr-sentinel",
        SigMFFile.LICENSE_KEY: "https://spdx.org/licenses/GPL-3.0-or-later.html",
    })
    meta.add_capture(0, metadata={SigMFFile.FREQUENCY_KEY: 0.0})
    for segment in segments:
        if segment.start >= len(samples):
            break
        meta.add_annotation(segment.start, min(segment.length, len(samples) - segment.start),
                            metadata={SigMFFile.LABEL_KEY: segment.label})
    meta.tofile(str(BASE.with_suffix(".sigmf-meta")))
    print("wrote {} ({} samples; segments: {})".format(
        data_path, len(samples), ", ".join(s.label for s in segments if s.start < len(samples))))


if __name__ == "__main__":
    main()
