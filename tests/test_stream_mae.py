# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""The stream MAE's pieces: the hybrid score against numpy, the SNR estimate against
known signals, the block's empty-channel state and its refusal of another sample rate."""

import numpy as np
import pytest
import torch

from gnuradio.sentinel.data import independent
from gnuradio.sentinel.nn import mae as mae_nn
from gnuradio.sentinel.nn import stream_mae

LENGTH = 256


@pytest.fixture(scope="module")
def stream_bundle(tmp_path_factory):
    """A small stream bundle, random weights, its SNR floor fitted on noise."""
    from gnuradio.sentinel.runtime import save_bundle

    torch.manual_seed(0)
    architecture = {"name": mae_nn.STREAM, "length": LENGTH, "channels": [8, 8, 8, 8], "dense": 16, "latent": 4}
    model = mae_nn.build(architecture)
    noise = stream_mae.iq_rows(independent.complex_noise(np.random.default_rng(1), (2000, LENGTH)))
    with torch.no_grad():
        model.snr.floor_bias.fill_(float(model.snr.ratio(torch.as_tensor(noise)).median()))
    card = {"name": "tiny_stream", "kind": "mae", "window_length": LENGTH,
            "input": {"sample_rate": 200e3, "samples_per_symbol": 8},
            "preprocessing": {"features": "iq_rows"}, "architecture": architecture,
            "outputs": {"score": "hybrid"}, "thresholds": {"gamma": 1e9, "empty_snr_db": -6.0},
            "training": {"command": "test"}, "metrics": {}}
    return save_bundle(tmp_path_factory.mktemp("bundle") / "tiny_stream", card, model)


def test_hybrid_score_pieces_match_numpy():
    rng = np.random.default_rng(4)
    model = mae_nn.build({"name": mae_nn.STREAM, "length": LENGTH, "channels": [8, 8, 8, 8], "dense": 16,
                          "latent": 3})
    z_train = rng.standard_normal((500, 3)) @ np.array([[2.0, 0.0, 0.0], [0.5, 1.0, 0.0], [0.0, 0.3, 0.2]])
    model.fit_latent(torch.as_tensor(z_train, dtype=torch.float32))
    z = rng.standard_normal((7, 3))
    mean, cov = z_train.mean(axis=0), np.cov(z_train.T)
    expected = np.sqrt(np.einsum("bi,ij,bj->b", z - mean, np.linalg.inv(cov), z - mean))
    got = model.mahalanobis(torch.as_tensor(z, dtype=torch.float32)).detach().numpy()
    assert got == pytest.approx(expected, rel=1e-3)
    psi, zeta = rng.gamma(2.0, 3.0, 400), rng.gamma(2.0, 0.01, 400)
    model.fit_weights(torch.as_tensor(psi), torch.as_tensor(zeta))
    assert float(model.alpha) == pytest.approx(1 / np.std(psi, ddof=1), rel=1e-5)
    assert float(model.beta) == pytest.approx(1 / np.std(zeta, ddof=1), rel=1e-5)
    x = torch.as_tensor(stream_mae.iq_rows(independent.complex_noise(rng, (5, LENGTH))))
    with torch.no_grad():
        out = model(x).numpy()
        x_hat, latent = model.reconstruct(x)
    mse = ((x - x_hat) ** 2).flatten(1).mean(1).numpy()
    assert out[:, 2] == pytest.approx(mse, rel=1e-5)
    assert out[:, 0] == pytest.approx(float(model.alpha) * out[:, 1] + float(model.beta) * out[:, 2], rel=1e-5)


def test_snr_estimate_reads_noise_as_empty_and_a_signal_at_its_snr():
    """A band-limited signal in white noise at per-sample SNR s: mean PSD / floor - 1 is s
    (the floor is the noise's own level), within 1 dB from 0 to 20 dB at 1024 samples."""
    rng = np.random.default_rng(6)
    estimator = stream_mae.PeriodogramSNR()
    noise = stream_mae.iq_rows(independent.complex_noise(rng, (2000, 1024)))
    with torch.no_grad():
        estimator.floor_bias.fill_(float(estimator.ratio(torch.as_tensor(noise)).median()))
        fresh = estimator(torch.as_tensor(stream_mae.iq_rows(independent.complex_noise(rng, (500, 1024)))))
    assert np.quantile(fresh.numpy(), 0.99) < -5.0
    qpsk = np.exp(1j * np.pi / 4 * np.array([1, 3, 5, 7]))
    for snr in (0.0, 10.0, 20.0):
        signal = independent.shaped_symbols(qpsk, 200, 1024, rng, 8)
        noisy = signal + independent.complex_noise(rng, signal.shape, 10 ** (-snr / 10))
        with torch.no_grad():
            estimate = estimator(torch.as_tensor(stream_mae.iq_rows(noisy))).numpy()
        assert np.median(estimate) == pytest.approx(snr, abs=1.0)


def test_stream_network_exports_with_the_window_length_it_was_built_for():
    with pytest.raises(ValueError, match="length: 1000; allowed: a multiple of 64"):
        mae_nn.build({"name": mae_nn.STREAM, "length": 1000})
    model = mae_nn.build({"name": mae_nn.STREAM, "length": 1024})
    with torch.no_grad():
        assert model(torch.zeros(3, 2, 1024) + 0.5).shape == (3, 4)


def test_block_reports_an_empty_channel_as_such_and_scores_a_signal(stream_bundle):
    from gnuradio.sentinel import mae_anomaly_scorer

    block = mae_anomaly_scorer(model=str(stream_bundle), samp_rate=200e3)
    rng = np.random.default_rng(8)
    noise = independent.complex_noise(rng, (20, LENGTH)).astype(np.complex64)
    values, fields = block.describe(block.engine(block.preprocess(noise)))
    assert np.all(np.isnan(values))
    assert {f["state"] for f in fields} == {"empty"} and not any(f["anomalous"] for f in fields)
    assert all(f["score"] is None and f["snr_db"] < -6.0 for f in fields)
    qpsk = np.exp(1j * np.pi / 4 * np.array([1, 3, 5, 7]))
    signal = independent.shaped_symbols(qpsk, 20, LENGTH, rng, 8) + 0.1 * noise
    values, fields = block.describe(block.engine(block.preprocess(signal)))
    assert np.all(np.isfinite(values)) and {f["state"] for f in fields} == {"signal"}
    assert all(f["snr_db"] > 5.0 for f in fields)


def test_block_refuses_a_sample_rate_the_bundle_was_not_trained_for(stream_bundle):
    from gnuradio.sentinel import mae_anomaly_scorer

    with pytest.raises(ValueError, match=r"samp_rate: 1.024e\+06 Hz, but model tiny_stream expects 200000 Hz.*"
                                         r"allowed: 200000"):
        mae_anomaly_scorer(model=str(stream_bundle), samp_rate=1.024e6)
    mae_anomaly_scorer(model=str(stream_bundle), samp_rate=200.5e3)   # within 1 %


def test_a_stream_whose_rx_rate_tag_differs_is_flagged_and_counted(stream_bundle):
    from gnuradio import blocks, gr
    import pmt

    from gnuradio.sentinel import mae_anomaly_scorer

    rng = np.random.default_rng(9)
    samples = (independent.complex_noise(rng, 4 * LENGTH) + 3.0).astype(np.complex64).tolist()
    tag = gr.tag_utils.python_to_tag((0, pmt.intern("rx_rate"), pmt.from_double(1e6), pmt.intern("src")))
    top = gr.top_block()
    source = blocks.vector_source_c(samples, False, 1, [tag])
    scorer = mae_anomaly_scorer(model=str(stream_bundle))
    sink = blocks.vector_sink_f()
    detections = blocks.message_debug()
    top.connect(source, scorer, sink)
    top.msg_connect(scorer, "detections", detections, "store")
    top.run()
    assert len(sink.data()) == 4
    records = [pmt.to_python(detections.get_message(i)) for i in range(detections.num_messages())]
    assert len(records) == 4 and all("rate_mismatch" in r["flags"] for r in records)
    assert scorer.flag_counts()["rate_mismatch"] == 4
    assert scorer.stats()["scored"] == 4


def test_spectral_views_of_a_tone_put_it_where_it_is():
    """A 53.125 kHz tone at 200 kHz, 17 dB above the noise: its spectrogram peak in the centred
    bin 32 + 53.125 / 3.125 = 49 of every frame; constant envelope: log10 |x| = 0 falls in bin
    (0 + 2) / 3 * 32 = 21.3; its instantaneous frequency 2 pi 53.125 / 200 = 1.669 rad in bin
    (1.669 + pi) / (2 pi) * 32 = 24.5."""
    n = np.arange(1024)
    noise = independent.complex_noise(np.random.default_rng(2), 1024, 0.02)
    tone = (np.exp(2j * np.pi * 53.125e3 / 200e3 * n) + noise)[None, :].astype(np.complex64)
    views = stream_mae.spectral_views(tone)
    assert views.shape == (1, stream_mae.view_size(1024)) == (1, 8 * 64 + 64 + 2)
    spectrogram = views[0, :512].reshape(8, 64)
    assert np.all(spectrogram.argmax(axis=1) == 49)
    envelope, frequency = views[0, 512:544], views[0, 544:576]
    assert envelope.argmax() == 21 and envelope.sum() == pytest.approx(stream_mae.HISTOGRAM_SCALE)
    assert frequency.argmax() == 24 and frequency.sum() == pytest.approx(stream_mae.HISTOGRAM_SCALE)
    with pytest.raises(ValueError, match="window_length: 1000; allowed: a multiple of 512"):
        stream_mae.spectral_views(np.ones((1, 1000), np.complex64))


def test_spectral_network_reads_the_snr_from_the_ratio_column():
    model = mae_nn.build({"name": mae_nn.SPECTRAL, "length": 1024})
    rng = np.random.default_rng(10)
    noise = torch.as_tensor(stream_mae.spectral_views(independent.complex_noise(rng, (2000, 1024))))
    model.fit_floor(noise)
    assert float(torch.median(model.noise_ratio(noise))) == pytest.approx(1.0)
    qpsk = np.exp(1j * np.pi / 4 * np.array([1, 3, 5, 7]))
    signal = independent.shaped_symbols(qpsk, 100, 1024, rng, 8)
    noisy = signal + independent.complex_noise(rng, signal.shape, 0.1)
    with torch.no_grad():
        out = model(torch.as_tensor(stream_mae.spectral_views(noisy))).numpy()
    assert out.shape == (100, 4)
    assert np.median(out[:, 3]) == pytest.approx(10.0, abs=1.0)


def test_recalibration_keeps_the_network_and_sets_gamma_on_held_out_windows(tmp_path):
    """mae-recalibrate on a few fresh windows: the weights of the autoencoder are the
    source's, the card records the recalibration, and gamma is the 0.9 quantile of the
    held-out normal windows at >= 5 dB (so about 10 % of them lie above it)."""
    import json

    from gnuradio import sentinel
    from gnuradio.sentinel.train import stream_mae

    card = stream_mae.recalibrate("mae", tmp_path / "recal", count=8, snrs=(6.0, 18.0), seed=5, false_alarm=0.1,
                                  workers=1, log=lambda *a: None)
    assert card["training"]["recalibration"]["windows_per_class_snr"] == 8
    rates = card["metrics"]["recalibration_split"]["false_alarm_by_snr"]
    assert 0.03 <= (rates["6.0"] + rates["18.0"]) / 2 <= 0.17
    block = sentinel.mae_anomaly_scorer(str(tmp_path / "recal"), samp_rate=200e3)
    assert block.threshold == json.loads((tmp_path / "recal" / "card.json").read_text())["thresholds"]["gamma"]
    from safetensors.numpy import load_file

    before = load_file(str(sentinel.mae_anomaly_scorer("mae", samp_rate=200e3).bundle.path / "weights.safetensors"))
    after = load_file(str(tmp_path / "recal" / "weights.safetensors"))
    network = [k for k in before if k.startswith(("encode", "decode"))]
    assert network and all(np.array_equal(before[k], after[k]) for k in network)
    assert not np.array_equal(before["knot_mean"], after["knot_mean"])


def test_statistics_distance_is_the_nearest_class_mahalanobis_at_the_windows_knot():
    """fit_statistics on two synthetic classes at two SNR knots; statistics_distance equals a
    numpy brute force over (class, knot) Gaussians, each window at its own knot."""
    model = mae_nn.build({"name": mae_nn.SPECTRAL_STATISTICS, "length": 1024, "classes": 2}).eval()
    rng = np.random.default_rng(11)
    width = stream_mae.view_size(1024) + len(stream_mae.STATISTICS)
    start = stream_mae.FRAMES * stream_mae.PSD_BINS + 2 * stream_mae.HISTOGRAM_BINS
    x = np.zeros((400, width), np.float32)
    labels = np.repeat([0, 1], 200)
    snr = np.tile(np.repeat([4.0, 14.0], 100), 2)
    x[:, start:start + 7] = rng.normal(size=(400, 7)) * (1 + labels[:, None]) + 3 * labels[:, None] + snr[:, None] / 4
    x[:, -1] = 10 ** (snr / 10) + 1            # ratio column: floor_bias 1 gives the SNR back
    xt = torch.as_tensor(x)
    model.fit_statistics(xt, labels)
    assert np.allclose(model.calibration_snr(xt).numpy(), snr, atol=1e-3)
    scale = x[:, start:start + 7].astype(np.float64).std(axis=0, ddof=1)
    probe = rng.normal(size=(50, width)).astype(np.float32) * 2 + 2
    probe[:, -1] = 10 ** (np.where(np.arange(50) % 2, 14.0, 4.0) / 10) + 1
    probe[:, -2] = 0.0
    want = []
    for row in probe:
        s = row[start:start + 7] / scale
        knot_snr = 14.0 if row[-1] > 10 else 4.0
        best = np.inf
        for c in (0, 1):
            rows = x[(labels == c) & (snr == knot_snr), start:start + 7] / scale
            d = s - rows.mean(axis=0)
            best = min(best, d @ np.linalg.inv(np.cov(rows.T)) @ d)
        want.append(np.sqrt(best))
    with torch.no_grad():
        got = model.statistics_distance(torch.as_tensor(probe)).numpy()
    np.testing.assert_allclose(got, want, rtol=2e-3)


def _assert_block_scores_as_offline(folder, card, windows):
    """The block (torch and ONNX Runtime) scores `windows` as the network does offline, and
    flags exactly those above the card's gamma."""
    from gnuradio import sentinel

    from flowgraph_helpers import run_model_block

    block = sentinel.mae_anomaly_scorer(str(folder), samp_rate=200e3, device="cpu")
    out, detections = run_model_block(block, windows.astype(np.complex64).ravel())
    model = block.bundle.load_into(mae_nn.build(card["architecture"])).eval()
    with torch.no_grad():
        offline = model(torch.as_tensor(stream_mae.spectral_views_with_statistics(windows))).numpy()
    np.testing.assert_allclose(out, offline[:, 0], rtol=1e-3, atol=1e-3)
    assert [d["anomalous"] for d in detections] == list(offline[:, 0] > card["thresholds"]["gamma"])
    fast = sentinel.mae_anomaly_scorer(str(folder), samp_rate=200e3, device="cpu", backend="onnxruntime")
    np.testing.assert_allclose(np.asarray(fast.engine(fast.preprocess(windows.astype(np.complex64))))[:, 0],
                               offline[:, 0], rtol=1e-3, atol=1e-3)


def test_fused_bundle_scores_in_the_block_as_offline_and_refuses_another_source(tmp_path):
    from gnuradio.sentinel.train import stream_mae as stream_train

    card = stream_train.fuse("mae", tmp_path / "fused", count=6, snrs=(10.0,), seed=5, workers=1,
                             log=lambda *a: None)
    assert card["architecture"]["name"] == mae_nn.SPECTRAL_STATISTICS and card["thresholds"]["delta"] > 0
    assert card["preprocessing"]["features"] == "spectral_views_with_statistics"
    rng = np.random.default_rng(12)
    qpsk = np.exp(1j * np.pi / 4 * np.array([1, 3, 5, 7]))
    windows = independent.shaped_symbols(qpsk, 6, 1024, rng, 8) + independent.complex_noise(rng, (6, 1024), 0.3)
    _assert_block_scores_as_offline(tmp_path / "fused", card, windows)
    with pytest.raises(ValueError, match="allowed: a 'stream_spectral_mae' bundle"):
        stream_train.fuse("mae_paper", tmp_path / "bad", count=6, snrs=(10.0,), log=lambda *a: None)
    with pytest.raises(ValueError, match=r"count: 3; allowed: a whole number of windows per class and SNR >= 6"):
        stream_train.fuse("mae", tmp_path / "bad", count=3, snrs=(10.0,), log=lambda *a: None)


def test_guard_is_the_larger_of_the_score_and_the_standardised_statistics_distance():
    """fit_guard on synthetic statistics: the guard distance equals a numpy Mahalanobis
    distance of the log statistics (C42 as it is); for windows nearest the guarded class the
    score is max(calibrated score, (d - mean d) / std d), and unchanged when another class is
    guarded."""
    torch.manual_seed(3)
    model = mae_nn.build({"name": mae_nn.SPECTRAL_GUARDED, "length": 1024, "classes": 2}).eval()
    rng = np.random.default_rng(13)
    width = stream_mae.view_size(1024) + len(stream_mae.STATISTICS)
    start = stream_mae.FRAMES * stream_mae.PSD_BINS + 2 * stream_mae.HISTOGRAM_BINS
    x = rng.uniform(0, 1, (300, width)).astype(np.float32)
    x[:, start] = rng.normal(-0.5, 0.2, 300)                                   # C42 may be negative
    x[:, start + 1:start + 7] = np.exp(rng.normal(size=(300, 6)) * [0.1, 0.5, 1, 0.3, 0.2, 0.4] + 1)
    x[:, -1] = 11.0
    xt = torch.as_tensor(x)
    with torch.no_grad():
        z = model.encoder(xt)
    model.latent_mean[0] = z.mean(dim=0)
    model.latent_mean[1] = z.mean(dim=0) + 1e3                                 # every window is nearest class 0
    model.fit_guard(xt, np.zeros(300, np.int64), [0])
    logs = np.concatenate([x[:, start:start + 1], np.log(x[:, start + 1:start + 7])], axis=1).astype(np.float64)
    centred = logs - logs.mean(axis=0)
    want = np.sqrt(np.einsum("ij,jk,ik->i", centred, np.linalg.inv(np.cov(logs.T)), centred))
    with torch.no_grad():
        got = model.guard_distance(xt, torch.zeros(300, dtype=torch.long)).numpy()
        guarded = model(xt)[:, 0].numpy()
        plain = stream_mae.SpectralAutoencoder.forward(model, xt)[:, 0].numpy()
    np.testing.assert_allclose(got, want, rtol=2e-3)
    standard_distance = (want - want.mean()) / want.std(ddof=1)
    np.testing.assert_allclose(guarded, np.maximum(plain, standard_distance), rtol=2e-3, atol=2e-3)
    assert np.mean(standard_distance > plain) > 0.1                           # the guard decides for some windows
    model.fit_guard(xt, np.ones(300, np.int64), [1])
    with torch.no_grad():
        np.testing.assert_allclose(model(xt)[:, 0].numpy(), plain, rtol=1e-6, atol=1e-6)
    with pytest.raises(ValueError, match="guard: 10 windows of class 0; allowed: more than 14"):
        model.fit_guard(xt[:10], np.zeros(10, np.int64), [0])


def test_guarded_bundle_scores_in_the_block_as_offline_and_refuses_bad_classes(tmp_path):
    from gnuradio.sentinel.train import stream_mae as stream_train

    card = stream_train.guard("mae", tmp_path / "guarded", count=12, snrs=(6.0, 10.0, 14.0, 18.0), seed=5,
                              workers=1, log=lambda *a: None)
    assert card["architecture"]["name"] == mae_nn.SPECTRAL_GUARDED
    assert card["thresholds"]["guards"]["WBFM"]["weight"] > 0
    assert card["training"]["guard"]["classes"] == ["WBFM"]
    rng = np.random.default_rng(14)
    t = np.arange(1024) / 200e3
    chirp = np.exp(2j * np.pi * (-60e3 * t + 0.5 * 120e3 / t[-1] * t * t))[None, :]
    windows = np.concatenate([chirp, independent.complex_noise(rng, (3, 1024), 1.0) + chirp])
    _assert_block_scores_as_offline(tmp_path / "guarded", card, windows)
    with pytest.raises(ValueError, match="classes: FM; allowed: one or more of 8PSK"):
        stream_train.guard("mae", tmp_path / "bad", classes=("FM",), count=6, log=lambda *a: None)
    with pytest.raises(ValueError, match="allowed: a 'stream_spectral_mae' bundle"):
        stream_train.guard("mae_paper", tmp_path / "bad", count=6, log=lambda *a: None)
