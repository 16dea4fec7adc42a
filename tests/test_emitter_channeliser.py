# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""The wideband channeliser: every tracked emitter cut into chunks at 8 samples per symbol,
and the model blocks labelling each emitter on its chunks in a flowgraph."""

import collections

import numpy as np
import pmt
import pytest
from gnuradio import blocks, gr

from gnuradio import sentinel
from gnuradio.sentinel.wideband import EmitterTracker, simulate
from gnuradio.sentinel.wideband.chunker import EmitterChunker
from gnuradio.sentinel.wideband.history import SampleHistory

FS = 2.4e6
CHUNK = 2048


def test_history_keeps_the_last_samples_by_absolute_offset():
    history = SampleHistory(10)
    history.append(np.arange(7))
    history.append(np.arange(7, 16))          # wraps
    assert (history.start, history.end) == (6, 16)
    assert np.array_equal(history.read(6, 10).real, np.arange(6, 16))
    assert np.array_equal(history.read(9, 4).real, np.arange(9, 13))
    history.append(np.arange(16, 40))         # longer than the capacity
    assert np.array_equal(history.read(30, 10).real, np.arange(30, 40))
    with pytest.raises(ValueError, match=r"samples \[29, 31\) are not held; held: \[30, 40\)"):
        history.read(29, 2)


def _chunks(x, chunker, step=50000, cut=True):
    out = []
    for i in range(0, len(x), step):
        chunker.push(x[i:i + step])
        if cut:
            out += chunker.due()
    return out


def test_every_emitter_is_cut_into_chunks_that_tile_its_time_on_air():
    """4 emitters always on for 0.4 s: each gets within 2 of on_time * 8 * Rs / 2048 chunks
    (the first one starts at the tracker block that found it, the last needs its margin),
    its symbol rate within 1 %, and its chunks follow each other without a gap (less than
    one output sample)."""
    rng = np.random.default_rng(41)
    x, truth = simulate(0.4, FS, rng, emitters=4, snrs_db=(12.0, 20.0), always_on=True)
    chunker = EmitterChunker(EmitterTracker(FS), CHUNK)
    chunks = _chunks(x, chunker)
    by_id = collections.defaultdict(list)
    for info, samples in chunks:
        assert len(samples) == CHUNK
        by_id[info["id"]].append(info)
    assert len(by_id) == 4 and chunker.counts["dropped"] == 0
    for infos in by_id.values():
        emitter = min(truth, key=lambda e: abs(e.center_hz - infos[0]["center_hz"]))
        assert infos[0]["symbol_rate_hz"] == pytest.approx(emitter.symbol_rate, rel=0.01)
        expected = len(x) * 8 * emitter.symbol_rate / FS / CHUNK
        assert expected - 2 <= len(infos) <= expected + 1
        steps = np.array([i["wideband_step"] for i in infos])
        gaps = np.diff([i["wideband_offset"] for i in infos]) - steps[:-1] * CHUNK
        assert np.all(np.abs(gaps) <= steps[:-1])             # less than one output sample apart
        assert [i["chunk"] for i in infos] == list(range(len(infos)))


def test_chunks_are_centred_at_8_samples_per_symbol():
    """The symbol-rate line of |x|^2 of each chunk sits at 1/8 of its rate (25 kHz when
    read as a 200 kHz stream) and its spectrum's centroid within 1 % of the rate."""
    from gnuradio.sentinel.wideband import estimate_symbol_rate

    rng = np.random.default_rng(42)
    x, truth = simulate(0.2, FS, rng, emitters=3, labels=("QPSK", "8PSK"), snrs_db=(18.0, 20.0), always_on=True)
    chunks = _chunks(x, EmitterChunker(EmitterTracker(FS), CHUNK))
    for info, samples in chunks[::7]:
        spectrum = np.fft.fftshift(np.abs(np.fft.fft(samples)) ** 2)
        freqs = np.fft.fftshift(np.fft.fftfreq(CHUNK, 1 / 200e3))
        assert abs(np.sum(freqs * spectrum) / np.sum(spectrum)) < 0.01 * 200e3
    joined = np.concatenate([s for info, s in chunks if info["id"] == chunks[0][0]["id"]][:8])
    line, source = estimate_symbol_rate(joined, 200e3, 25e3)
    assert source == "spectral_line" and line == pytest.approx(25e3, rel=0.01)


def test_chunks_per_second_limits_the_rate_and_lost_chunks_are_counted():
    rng = np.random.default_rng(43)
    x, truth = simulate(0.5, FS, rng, emitters=1, snrs_db=(15.0, 15.0), always_on=True)
    limited = EmitterChunker(EmitterTracker(FS), CHUNK, chunks_per_second=20.0)
    assert 8 <= len(_chunks(x, limited)) <= 10                        # 0.5 s at 20 a second
    # a consumer that never asks: every chunk whose segment left the 0.1 s history is dropped, counted
    late = EmitterChunker(EmitterTracker(FS), CHUNK, history_s=0.1)
    _chunks(x, late, cut=False)
    kept = late.due()
    lane = next(iter(late.lanes.values()))
    total = len(x) * 8 * lane.symbol_rate / FS / CHUNK
    assert late.counts["dropped"] > 0.6 * total
    assert total - 3 <= late.counts["dropped"] + len(kept) <= total + 1


def test_bad_parameters_name_themselves():
    with pytest.raises(ValueError, match="chunk_length: 0; allowed: a whole number >= 16"):
        sentinel.emitter_channeliser(FS, chunk_length=0)
    with pytest.raises(ValueError, match="mode: unknown 'fast'; allowed: lossless, realtime"):
        sentinel.emitter_channeliser(FS, mode="fast")
    with pytest.raises(ValueError, match="samp_rate"):
        sentinel.emitter_channeliser(-1.0)


def _flowgraph(x, mode="lossless", amc_stride=256):
    top = gr.top_block()
    channeliser = sentinel.emitter_channeliser(FS, CHUNK, mode=mode)
    amc = sentinel.modulation_classifier("afnet", stride=amc_stride, samp_rate=200e3, mode=mode)
    mae = sentinel.mae_anomaly_scorer("mae", stride=2048, samp_rate=200e3, mode=mode)
    debug = {name: blocks.message_debug() for name in ("amc", "mae", "emitters")}
    top.connect(blocks.vector_source_c(x, False), channeliser, amc, blocks.null_sink(gr.sizeof_float))
    top.connect(channeliser, mae, blocks.null_sink(gr.sizeof_float))
    top.msg_connect(amc, "detections", debug["amc"], "store")
    top.msg_connect(mae, "detections", debug["mae"], "store")
    top.msg_connect(channeliser, "emitters", debug["emitters"], "store")
    top.run()
    messages = {name: [pmt.to_python(d.get_message(i)) for i in range(d.num_messages())]
                for name, d in debug.items()}
    return channeliser, amc, mae, messages


@pytest.mark.parametrize("mode", ["lossless", "realtime"])
def test_each_emitter_is_labelled_in_a_flowgraph(mode):
    """BPSK and PAM4 emitters (the classes afnet gets right at 15-20 dB) at random centres
    and rates: every emitter's majority label is its class; every chunk gives 8 afnet
    windows and 1 mae window, all scored, each detection carrying its emitter."""
    rng = np.random.default_rng(44)
    x, truth = simulate(0.4, FS, rng, emitters=3, labels=("BPSK", "PAM4"), snrs_db=(15.0, 20.0))
    channeliser, amc, mae, messages = _flowgraph(x, mode)
    chunks = channeliser.stats()["chunks"]
    assert chunks > 50 and channeliser.stats()["dropped"] == 0
    assert amc.stats() == {"seen": 8 * chunks, "scored": 8 * chunks, "skipped": 0, "flagged": 0}
    assert mae.stats()["seen"] == chunks and mae.stats()["scored"] == chunks
    assert amc.flag_counts()["mixed_emitters"] == 0
    labels = collections.defaultdict(collections.Counter)
    for record in messages["amc"]:
        labels[record["emitter"]["id"]][record["label"]] += 1
    assert len(labels) == len(truth)
    for emitter_id, counts in labels.items():
        info = next(r["emitter"] for r in messages["amc"] if r["emitter"]["id"] == emitter_id)
        emitter = min(truth, key=lambda e: abs(e.center_hz - info["center_hz"]))
        assert abs(info["center_hz"] - emitter.center_hz) <= 0.02 * emitter.bandwidth_hz
        assert counts.most_common(1)[0][0] == emitter.label
        offsets = [r["emitter"]["wideband_offset"] for r in messages["amc"] if r["emitter"]["id"] == emitter_id]
        assert emitter.start - 8192 <= min(offsets) and max(offsets) < emitter.stop
    updates = messages["emitters"]
    assert len(updates) == len(x) // channeliser.chunker.tracker.block_size
    appeared = {e["id"] for u in updates for e in u["events"] if e["event"] == "appeared"}
    assert appeared == set(labels)


def test_windows_across_two_emitters_chunks_are_flagged():
    """afnet at stride 200 on 2048-sample chunks: the windows whose 128 samples cross a
    chunk boundary are flagged mixed_emitters, exactly those."""
    rng = np.random.default_rng(45)
    x, truth = simulate(0.2, FS, rng, emitters=2, labels=("BPSK",), snrs_db=(15.0, 15.0), always_on=True)
    channeliser, amc, mae, messages = _flowgraph(x, amc_stride=200)
    starts = np.arange(amc.stats()["seen"]) * 200
    crossing = int(np.sum(starts % CHUNK + 128 > CHUNK))
    assert crossing > 0 and amc.flag_counts()["mixed_emitters"] == crossing
    assert sum("mixed_emitters" in r["flags"] for r in messages["amc"]) == crossing


def test_emitter_table_keeps_each_emitter_majority_label_and_latest_verdicts():
    table = sentinel.emitter_table()
    emitter = {"id": 3, "center_hz": 1e5, "bandwidth_hz": 2e4, "snr_db": 12.0, "first_seen": 0, "last_seen": 10}
    table.handle_emitters(pmt.to_pmt({"offset": 10, "emitters": [emitter], "events": []}))
    for label, confidence in [("QPSK", 0.9), ("8PSK", 0.5), ("QPSK", 0.7)]:
        table.keep({"emitter": {"id": 3}, "label": label, "confidence": confidence, "flags": []})
    table.keep({"emitter": {"id": 3}, "label": "reject", "rejected": True, "flags": []})
    table.keep({"emitter": {"id": 3}, "label": "normal", "score": 1.5, "anomalous": False, "flags": []})
    table.keep({"emitter": {"id": 3}, "label": "BPSK", "confidence": 1.0, "flags": ["skipped"]})   # not counted
    table.keep({"label": "BPSK", "confidence": 1.0, "flags": []})                                  # no emitter
    (row,) = table.rows()
    assert (row["label"], row["htrd"], row["anomaly_score"], row["anomalous"]) == ("QPSK", "reject", 1.5, False)
    assert row["confidence"] == pytest.approx(0.8)
    assert "QPSK" in table.text() and "100.0" in table.text()
    table.handle_emitters(pmt.to_pmt({"offset": 20, "emitters": [], "events": [{"event": "gone", "id": 3}]}))
    assert table.rows() == [] and table.text() == "no emitter"


def test_two_hosts_share_the_emitters_by_band():
    """Two channelisers on the same band, one serving below 0 Hz and one above: their lanes
    are disjoint, each lane's centre in its host's band, and together they serve every
    emitter."""
    rng = np.random.default_rng(46)
    x, truth = simulate(0.3, FS, rng, emitters=4, snrs_db=(15.0, 18.0), always_on=True)
    hosts = [EmitterChunker(EmitterTracker(FS), CHUNK, serve_band_hz=band) for band in ((-FS, 0.0), (0.0, FS))]
    for host in hosts:
        _chunks(x, host)
    below, above = ({lane.track.center_hz for lane in host.lanes.values()} for host in hosts)
    assert all(c < 0 for c in below) and all(c >= 0 for c in above)
    assert len(below) + len(above) == len(truth) == 4
    assert hosts[0].counts["elsewhere"] == len(above) and hosts[1].counts["elsewhere"] == len(below)
    with pytest.raises(ValueError, match=r"serve_band_hz: \(5, 1\); allowed: None \(every emitter\) or \(low, high\)"):
        EmitterChunker(EmitterTracker(FS), CHUNK, serve_band_hz=(5, 1))


def test_inference_hosts_take_their_share_over_zeromq():
    """The SDR host publishes the wideband IQ with gr-zeromq's pub_sink; two inference
    hosts subscribe (sub_source), each channelising its half of the band and labelling it.
    Every detection of a host belongs to an emitter in its half."""
    import socket
    import time

    from gnuradio import zeromq

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        address = "tcp://127.0.0.1:{}".format(s.getsockname()[1])
    rng = np.random.default_rng(47)
    rate = 1.024e6
    x, truth = simulate(3.0, rate, rng, emitters=4, labels=("BPSK", "PAM4"), snrs_db=(15.0, 18.0), always_on=True)
    top = gr.top_block()
    throttle = blocks.throttle(gr.sizeof_gr_complex, rate)
    top.connect(blocks.vector_source_c(x, False), throttle, zeromq.pub_sink(gr.sizeof_gr_complex, 1, address, 100))
    hosts = []
    for band in ((-rate, 0.0), (0.0, rate)):
        channeliser = sentinel.emitter_channeliser(rate, mode="realtime", chunks_per_second=10.0, serve_band_hz=band)
        amc = sentinel.modulation_classifier("afnet", stride=256, samp_rate=200e3, mode="realtime")
        debug = blocks.message_debug()
        top.connect(zeromq.sub_source(gr.sizeof_gr_complex, 1, address, 100), channeliser, amc,
                    blocks.null_sink(gr.sizeof_float))
        top.msg_connect(amc, "detections", debug, "store")
        hosts.append((band, channeliser, debug))
    top.start()
    time.sleep(2.5)
    top.stop()
    top.wait()
    for band, channeliser, debug in hosts:
        records = [pmt.to_python(debug.get_message(i)) for i in range(debug.num_messages())]
        centres = {r["emitter"]["id"]: r["emitter"]["center_hz"] for r in records}
        assert channeliser.stats()["lanes"] >= 1 and records
        assert all(band[0] <= c < band[1] for c in centres.values())
