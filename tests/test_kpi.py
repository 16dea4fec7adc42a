# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""KPI anomaly detector: data generator, CSV loader, SMOTE hygiene, shipped weights on
fresh data, transfer learning, the block and its bad input."""

import subprocess
import sys

import numpy as np
import pmt
import pytest
from gnuradio import blocks, gr

from gnuradio import sentinel
from gnuradio.sentinel.data import kpi as kpi_data
from gnuradio.sentinel.data.kpi_csv import KPI_COLUMNS, read_csv, write_csv
from gnuradio.sentinel.nn import kpi as kpi_nn
from gnuradio.sentinel.runtime.bundle import ModelBundle
from gnuradio.sentinel.train import kpi as kpi_train

from conftest import REPO

WINDOW = 16


@pytest.fixture(scope="module")
def fresh_a():
    return kpi_data.generate_kpi("A", seed=101, cells=8, days=14)


@pytest.fixture(scope="module")
def fresh_b():
    return kpi_data.generate_kpi("B", seed=102, cells=8, days=14)


def _evaluate(bundle_name, table):
    bundle = ModelBundle.load(bundle_name, expected_kind="kpi")
    x, y, kinds, _, _ = kpi_train.make_windows(table, bundle.window_length)
    model = bundle.load_into(kpi_nn.build(bundle.card["architecture"], x.shape[2]))
    p = kpi_train.anomaly_probability(model, kpi_nn.features(x, *kpi_nn.scaler_from_card(bundle.card)))
    return kpi_train.metrics(p, y, kinds), p


# ---- data -----------------------------------------------------------------------------
def test_generator_labels_every_anomaly_type_at_a_minority_rate():
    table = kpi_data.generate_kpi("A", seed=5, cells=10, days=14)
    assert len(table) == 10 * 14 * 96
    assert 0.02 <= table.unusual.mean() <= 0.05
    assert set(np.unique(table.anomaly_type)) == {"", *kpi_data.ANOMALY_TYPES}
    np.testing.assert_array_equal(table.unusual == 1, table.anomaly_type != "")
    assert np.all(table.values[table.anomaly_type == "outage"] == 0)
    stuck = np.flatnonzero(table.anomaly_type == "stuck")
    repeated = np.sum(table.values[stuck] == table.values[stuck - 1], axis=1)
    assert np.all(repeated >= 4)
    normal = table.unusual == 0
    prb = table.values[:, KPI_COLUMNS.index("PRBUsageDL")]
    assert np.all((prb >= 0) & (prb <= 100))
    assert np.mean(prb[table.anomaly_type == "congestion"]) > np.percentile(prb[normal], 99)
    # the same seed gives the same table
    again = kpi_data.generate_kpi("A", seed=5, cells=10, days=14)
    np.testing.assert_array_equal(again.values, table.values)


def test_networks_a_and_b_differ_in_profile_load_and_mix():
    a = kpi_data.generate_kpi("A", seed=3, cells=10, days=14)
    b = kpi_data.generate_kpi("B", seed=3, cells=10, days=14)

    def peak_hour(table):
        prb = table.values[:, KPI_COLUMNS.index("PRBUsageDL")].reshape(10, 14, 96)
        return int(np.argmax(np.median(prb, axis=(0, 1)))) / 4

    assert 9 <= peak_hour(a) <= 17          # business: daytime peak
    assert 18 <= peak_hour(b) <= 23         # residential: evening peak
    ue = KPI_COLUMNS.index("meanUE_DL")
    assert np.median(b.values[:, ue]) > 1.5 * np.median(a.values[:, ue])
    share = lambda t, k: np.mean(t.anomaly_type[t.unusual == 1] == k)  # noqa: E731
    assert share(b, "stuck") > 2 * share(a, "stuck")


def test_csv_loader_reads_the_public_format(tmp_path):
    path = tmp_path / "public.csv"
    header = "Time,CellName,PRBUsageUL,PRBUsageDL,meanThr_DL,meanThr_UL,maxThr_DL,maxThr_UL,meanUE_DL," \
             "meanUE_UL,maxUE_DL,maxUE_UL,maxUE_UL+DL,Unusual\n"
    rows = ["10:45,3BLTE,11.642,1.393,0.37,0.041,15.655,0.644,1.114,1.025,4,3,7,1\n",
            "9:45,1BLTE,21.791,2.752,0.72,0.092,26.668,1.713,1.25,1.066,5,3,8,0\n",
            "11:00,3BLTE,12.5,2.0,0.5,0.05,14.0,0.7,1.2,1.0,4,3,7,0\n"]
    path.write_text(header + "".join(rows))
    table = read_csv(path)
    assert table.cells() == ["3BLTE", "1BLTE"]
    np.testing.assert_array_equal(table.unusual, [1, 0, 0])
    np.testing.assert_allclose(table.values[0], [11.642, 1.393, 0.37, 0.041, 15.655, 0.644, 1.114, 1.025, 4, 3, 7],
                               rtol=1e-6)
    np.testing.assert_array_equal(table.rows_of("3BLTE"), [0, 2])
    path.write_text(header.replace(",Unusual", "") + "10:45,3BLTE,1,1,1,1,1,1,1,1,1,1,1\n")
    with pytest.raises(ValueError, match="missing column.*Unusual"):
        read_csv(path)
    path.write_text(header + rows[0] + "11:00,3BLTE,12.5,n/a,0.5,0.05,14.0,0.7,1.2,1.0,4,3,7,0\n")
    with pytest.raises(ValueError, match="line 3: column PRBUsageDL"):
        read_csv(path)


def test_generated_csv_round_trips(tmp_path):
    table = kpi_data.generate_kpi("B", seed=4, cells=2, days=2)
    write_csv(table, tmp_path / "b.csv")
    back = read_csv(tmp_path / "b.csv")
    assert back.cells() == table.cells()
    np.testing.assert_allclose(back.values, table.values, atol=1e-3)
    np.testing.assert_array_equal(back.anomaly_type, table.anomaly_type)


def test_exploratory_report(tmp_path):
    from gnuradio.sentinel.data.kpi_report import plot_overview

    summary = plot_overview(kpi_data.generate_kpi("A", seed=6, cells=4, days=7), tmp_path / "eda.png")
    assert (tmp_path / "eda.png").stat().st_size > 10_000
    assert summary["rows"] == 4 * 7 * 96
    assert sum(summary["by_type"].values()) == summary["unusual"]


# ---- windows, split, SMOTE --------------------------------------------------------------
def test_windows_end_at_the_labelled_report():
    table = kpi_data.generate_kpi("A", seed=8, cells=3, days=1)
    x, y, kinds, cells, rows = kpi_train.make_windows(table, WINDOW)
    assert len(x) == 3 * (96 - WINDOW + 1)
    np.testing.assert_array_equal(x[:, -1], table.values[rows])
    np.testing.assert_array_equal(y, table.unusual[rows])
    np.testing.assert_array_equal(x[1, :-1], x[0, 1:])


def test_features_mark_frozen_counters():
    windows = np.abs(np.random.default_rng(0).normal(5, 1, (1, 4, 11))).astype(np.float32)
    windows[0, 3] = windows[0, 2]
    f = kpi_nn.features(windows, np.zeros(11), np.ones(11), np.ones(11))
    assert f.shape == (1, 4, 23)
    np.testing.assert_allclose(f[0, :, -1], [0, 0, 0, 1])
    np.testing.assert_allclose(f[0, 3, 11:22], 0)


def test_split_is_by_cell_and_disjoint():
    names = ["c{}".format(i) for i in range(20)]
    train, valid, test = kpi_train.split_cells(names, seed=0)
    assert (len(train), len(valid), len(test)) == (14, 2, 4)
    assert sorted(train + valid + test) == sorted(names)


def test_oversample_balances_and_keeps_the_originals():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 4, 3)).astype(np.float32)
    y = (np.arange(200) < 20).astype(np.int64)
    x2, y2, synthetic = kpi_train.oversample(x, y, seed=0)
    assert synthetic == 160 and np.sum(y2 == 1) == np.sum(y2 == 0) == 180
    np.testing.assert_array_equal(x2[:200], x)


def test_smote_touches_training_windows_only_and_training_runs_end_to_end(tmp_path, monkeypatch):
    table = kpi_data.generate_kpi("A", seed=9, cells=10, days=3)
    path = tmp_path / "tiny.csv"
    write_csv(table, path)
    train_cells, valid_cells, test_cells = kpi_train.split_cells(table.cells(), 0)
    seen = []
    real = kpi_train.oversample

    def spy(x, y, seed, ratio=1.0):
        seen.append((len(x), int(y.sum())))
        return real(x, y, seed, ratio)

    monkeypatch.setattr(kpi_train, "oversample", spy)
    card = kpi_train.train(path, tmp_path / "bundle", epochs=1, patience=1, log=lambda *_: None)
    expected = lambda cells: kpi_train.make_windows(table.select_cells(cells), WINDOW)[1]  # noqa: E731
    y_train, y_test = expected(train_cells), expected(test_cells)
    assert seen == [(len(y_train), int(y_train.sum()))]
    test = card["metrics"]["test"]
    assert test["windows"] == len(y_test) and test["anomalous_windows"] == int(y_test.sum())
    assert card["training"]["smote"]["synthetic_windows"] == int(np.sum(y_train == 0) - np.sum(y_train == 1))
    assert card["training"]["test_cells"] == test_cells
    bundle = ModelBundle.load(tmp_path / "bundle", expected_kind="kpi")
    assert bundle.window_length == WINDOW and bundle.classes == ["normal", "anomaly"]


def test_finetune_runs_end_to_end_and_compares(tmp_path):
    a = tmp_path / "a.csv"
    b = tmp_path / "b.csv"
    write_csv(kpi_data.generate_kpi("A", seed=10, cells=6, days=2), a)
    write_csv(kpi_data.generate_kpi("B", seed=10, cells=8, days=2), b)
    kpi_train.train(a, tmp_path / "a_bundle", epochs=1, log=lambda *_: None)
    card = kpi_train.finetune(tmp_path / "a_bundle", b, tmp_path / "b_bundle", labelled_cells=3, epochs=1,
                              freeze_frontend=True, log=lambda *_: None)
    assert set(card["metrics"]["comparison_on_test_cells"]) == {"unchanged", "scratch", "finetuned"}
    assert card["training"]["frontend_frozen"] is True
    assert not set(card["training"]["labelled_cells"]) & set(card["training"]["test_cells"])
    with pytest.raises(ValueError, match="labelled_cells"):
        kpi_train.finetune(tmp_path / "a_bundle", b, tmp_path / "x", labelled_cells=1, epochs=1)


def test_frozen_frontend_does_not_change():
    import torch

    model = kpi_nn.build({}, 11).freeze_frontend()
    before = {k: v.clone() for k, v in model.frontend.state_dict().items()}
    optimizer = torch.optim.Adam(model.parameters(), lr=0.1)
    model.train()
    loss = model(torch.randn(8, WINDOW, 23)).sum()
    loss.backward()
    optimizer.step()
    for k, v in model.frontend.state_dict().items():
        assert torch.equal(v, before[k]), k


# ---- shipped weights on fresh data (new seeds) ----------------------------------------------
def test_shipped_network_a_model_on_fresh_a(fresh_a):
    m, _ = _evaluate("kpi", fresh_a)
    assert m["per_class"]["anomaly"]["recall"] >= 0.9
    assert m["accuracy"] >= 0.98


def test_finetuned_model_on_fresh_b_and_transfer_advantage(fresh_b):
    finetuned, _ = _evaluate("kpi_b", fresh_b)
    unchanged, _ = _evaluate("kpi", fresh_b)
    assert finetuned["per_class"]["anomaly"]["recall"] >= 0.9
    assert finetuned["accuracy"] >= 0.95
    assert finetuned["per_class"]["anomaly"]["f1"] > unchanged["per_class"]["anomaly"]["f1"] + 0.05
    assert finetuned["accuracy"] > unchanged["accuracy"]


# ---- the block ------------------------------------------------------------------------------
def _run_block(block, rows):
    top = gr.top_block()
    source = blocks.vector_source_f(np.asarray(rows, np.float32).ravel().tolist(), False, rows.shape[1])
    sink = blocks.vector_sink_f()
    debug = blocks.message_debug()
    top.connect(source, block, sink)
    top.msg_connect(block, "detections", debug, "store")
    top.run()
    return np.array(sink.data()), [pmt.to_python(debug.get_message(i)) for i in range(debug.num_messages())]


def test_block_scores_every_report_like_the_offline_model(fresh_b):
    cell = fresh_b.select_cells([fresh_b.cells()[0]])
    detector = sentinel.kpi_anomaly_detector("kpi_b", device="cpu", threads=1)
    out, detections = _run_block(detector, cell.values)
    _, offline = _evaluate("kpi_b", cell)
    assert len(out) == len(cell) - WINDOW + 1
    np.testing.assert_allclose(out, offline, atol=1e-4)
    above = np.flatnonzero(out >= detector.threshold)
    assert [d["last_offset"] for d in detections] == list(above + WINDOW - 1)
    assert all(d["label"] == "anomaly" and d["probability"] >= 0.5 for d in detections)
    labelled = cell.unusual[WINDOW - 1:] == 1
    assert np.mean(out[labelled] >= 0.5) >= 0.8
    assert detector.stats() == {"seen": len(out), "scored": len(out), "skipped": 0, "flagged": 0}


def test_block_bad_input_is_refused_or_counted():
    with pytest.raises(ValueError, match="vlen: .* takes 11 KPIs"):
        sentinel.kpi_anomaly_detector("kpi", vlen=10)
    with pytest.raises(ValueError, match="window: .* 16-report windows, got 8"):
        sentinel.kpi_anomaly_detector("kpi", window=8)
    with pytest.raises(ValueError, match="threshold"):
        sentinel.kpi_anomaly_detector("kpi", threshold=1.5)
    custom = sentinel.kpi_anomaly_detector("kpi", threshold=0.9)
    assert custom.threshold == 0.9
    custom.set_threshold(None)
    assert custom.threshold == custom.bundle.card["thresholds"]["probability"]
    with pytest.raises(Exception, match="'mae' bundle"):
        sentinel.kpi_anomaly_detector("mae")
    rows = kpi_data.generate_kpi("A", seed=12, cells=1, days=1).values
    rows[40, 3] = np.nan
    detector = sentinel.kpi_anomaly_detector("kpi", device="cpu", threads=1)
    out, detections = _run_block(detector, rows)
    nan_windows = np.arange(40 - WINDOW + 1, 41)
    assert np.all(np.isnan(out[nan_windows])) and np.isfinite(np.delete(out, nan_windows)).all()
    assert detector.windows_flagged() == WINDOW
    assert sum("nonfinite" in d["flags"] for d in detections) == WINDOW


def test_replay_example_runs_on_the_sample_recording(compiled_examples, tmp_path):
    output = tmp_path / "p.f32"
    result = subprocess.run([sys.executable, str(compiled_examples["kpi_replay.grc"]),
                             "--csv", str(REPO / "examples" / "data" / "kpi_sample.csv"),
                             "--probabilities", str(output)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    sample = read_csv(REPO / "examples" / "data" / "kpi_sample.csv")
    reports = len(sample.rows_of(sample.cells()[0]))
    assert output.stat().st_size == 4 * (reports - WINDOW + 1)
    assert "probability" in result.stdout


def test_binary_or_non_csv_file_is_a_value_error_naming_the_path(tmp_path):
    """A binary file given as KPI CSV (to read_csv or kpi_csv_source) is a ValueError that
    names the path and says it is not UTF-8 text, not a UnicodeDecodeError."""
    binary = tmp_path / "capture.bin"
    binary.write_bytes(bytes(range(256)) * 40)
    message = r"^path: {} is not a KPI CSV: it is not UTF-8 text \(byte 0x80\); expected a CSV with columns " \
        r"Time, CellName, ".format(binary)
    with pytest.raises(ValueError, match=message):
        read_csv(binary)
    with pytest.raises(ValueError, match=message):
        sentinel.kpi_csv_source(str(binary))
    late = tmp_path / "late.csv"   # valid for 20 kB, then a stray byte: still a clear message
    header = ",".join(("Time", "CellName", *KPI_COLUMNS, "Unusual")) + "\n"
    row = ",".join(["10:00", "A"] + ["1.0"] * len(KPI_COLUMNS) + ["0"]) + "\n"
    late.write_bytes((header + row * 500).encode() + b"\xff\n")
    with pytest.raises(ValueError, match="not UTF-8 text"):
        read_csv(late)
