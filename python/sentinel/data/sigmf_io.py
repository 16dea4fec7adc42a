# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""SigMF recordings: write IQ with annotations, read them back, replay them in a flowgraph.

Detections become SigMF annotations with core:sample_start, core:sample_count,
core:label and core:comment, plus `sentinel:` keys for the scores; the
`sentinel` extension is declared in the recording's global object.
"""

import pathlib

import numpy as np
from gnuradio import blocks, gr

SENTINEL_EXTENSION = {"name": "sentinel", "version": "0.1.0", "optional": True}


def _sigmf():
    try:
        import sigmf
        from sigmf import SigMFFile, sigmffile
    except ImportError as error:  # pragma: no cover - requirements pin it
        raise RuntimeError("the sigmf package is needed: pip install -r requirements.txt") from error
    return sigmf, SigMFFile, sigmffile


def _base(path):
    path = pathlib.Path(path)
    if path.suffix in (".sigmf-data", ".sigmf-meta"):
        path = path.with_suffix("")
    return path


def detection_annotation(detection):
    """One detection dict (sample_start, sample_count, label, optional confidence/score/
    snr_db/flags and freq_lower_edge/freq_upper_edge in Hz) as SigMF annotation metadata."""
    meta = {"core:label": str(detection["label"])}
    for key in ("confidence", "score", "snr_db"):
        if key in detection and detection[key] is not None:
            meta["sentinel:" + key] = float(detection[key])
    for key in ("freq_lower_edge", "freq_upper_edge"):
        if detection.get(key) is not None:
            meta["core:" + key] = float(detection[key])
    if detection.get("flags"):
        meta["core:comment"] = ", ".join(detection["flags"])
    return meta


def write_recording(path, samples, sample_rate, center_freq=0.0, detections=(), description=""):
    """Write samples (complex) as cf32_le with one capture and one annotation per detection.

    Returns the path of the .sigmf-meta file.
    """
    sigmf, SigMFFile, _ = _sigmf()
    base = _base(path)
    if not base.parent.is_dir():
        raise ValueError("output: folder {} does not exist".format(base.parent))
    data_path = base.with_suffix(".sigmf-data")
    np.asarray(samples, np.complex64).tofile(data_path)
    meta = SigMFFile(data_file=str(data_path), global_info={
        SigMFFile.DATATYPE_KEY: "cf32_le",
        SigMFFile.VERSION_KEY: sigmf.__specification__ if hasattr(sigmf, "__specification__") else sigmf.__version__,
        SigMFFile.SAMPLE_RATE_KEY: float(sample_rate),
        SigMFFile.DESCRIPTION_KEY: description,
        SigMFFile.EXTENSIONS_KEY: [SENTINEL_EXTENSION],
        SigMFFile.RECORDER_KEY: "gr-sentinel",
    })
    meta.add_capture(0, metadata={SigMFFile.FREQUENCY_KEY: float(center_freq)})
    for d in detections:
        meta.add_annotation(int(d["sample_start"]), int(d["sample_count"]),
                            metadata=detection_annotation(d))
    meta_path = base.with_suffix(".sigmf-meta")
    meta.tofile(str(meta_path))
    return meta_path


def read_recording(path):
    """Return (complex64 samples, global dict, list of annotation dicts)."""
    _, _, sigmffile = _sigmf()
    base = _base(path)
    meta_path = base.with_suffix(".sigmf-meta")
    if not meta_path.is_file():
        raise ValueError("recording: {} does not exist".format(meta_path))
    try:
        handle = sigmffile.fromfile(str(meta_path))
    except Exception as error:
        raise ValueError("recording: {} is not a valid SigMF recording ({})".format(meta_path, error)) from None
    samples = np.asarray(handle.read_samples(autoscale=True), np.complex64)
    return samples, handle.get_global_info(), handle.get_annotations()


class sigmf_source(gr.hier_block2):
    """Replay a SigMF recording as a complex64 stream (optionally looping).

    cf32_le recordings stream straight from disk; other sample types are
    converted to complex64 in memory first. `sample_rate` and `center_freq`
    attributes carry the recording's metadata.
    """

    def __init__(self, path, repeat=False):
        gr.hier_block2.__init__(self, "sigmf_source", gr.io_signature(0, 0, 0),
                                gr.io_signature(1, 1, gr.sizeof_gr_complex))
        _, _, sigmffile = _sigmf()
        base = _base(path)
        meta_path = base.with_suffix(".sigmf-meta")
        if not meta_path.is_file():
            raise ValueError("path: SigMF metadata {} does not exist".format(meta_path))
        handle = sigmffile.fromfile(str(meta_path))
        info = handle.get_global_info()
        self.sample_rate = float(info.get("core:sample_rate", 0.0))
        captures = handle.get_captures()
        self.center_freq = float(captures[0].get("core:frequency", 0.0)) if captures else 0.0
        if info.get("core:datatype") == "cf32_le":
            source = blocks.file_source(gr.sizeof_gr_complex, str(base.with_suffix(".sigmf-data")), repeat)
        else:
            samples = np.asarray(handle.read_samples(autoscale=True), np.complex64)
            source = blocks.vector_source_c(samples, repeat)
        self.connect(source, self)


def export_examples(dataset, indices, folder, sample_rate=200e3):
    """Write chosen dataset examples as SigMF recordings, each annotated with its class and SNR."""
    folder = pathlib.Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    x = dataset.complex()
    paths = []
    for i in indices:
        name = dataset.class_names[int(dataset.label[i])]
        detection = {"sample_start": 0, "sample_count": x.shape[1], "label": name,
                     "snr_db": float(dataset.snr[i])}
        base = folder / "example_{:06d}_{}_{:+.0f}dB".format(int(i), name, float(dataset.snr[i]))
        paths.append(write_recording(base, x[i], sample_rate, detections=[detection],
                                     description="gr-sentinel dataset example {}".format(int(i))))
    return paths
