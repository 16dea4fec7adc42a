# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""`sentinel train MODEL ...` and `sentinel eval MODEL ...`."""

import shlex
import sys


def _command_line():
    return "sentinel " + " ".join(shlex.quote(a) for a in sys.argv[1:])


def add_parser(sub):
    train = sub.add_parser("train", help="train a model and write a bundle")
    train_sub = train.add_subparsers(dest="model", metavar="MODEL")
    train_sub.required = True
    mae = train_sub.add_parser("mae", help="the MAE anomaly scorer (Onyekwelu, Jang, Yoon: Deep Learning-Based Anomaly Detection using Hybrid Loss)")
    mae.add_argument("--data", required=True, help="a `sentinel data generate mae` file")
    mae.add_argument("-o", "--output", required=True, help="bundle folder to write")
    mae.add_argument("--epochs", type=int, default=35)
    mae.add_argument("--batch-size", type=int, default=128)
    mae.add_argument("--lr", type=float, default=3.33e-5)
    mae.add_argument("--features", default="sorted_amplitude", choices=["iq", "sorted_amplitude", "iq_density"],
                     help="iq: the paper's I/Q input; sorted_amplitude: the shipped default (see the card)")
    mae.add_argument("--seed", type=int, default=1)
    mae.add_argument("--checkpoint-dir", help="resume from / save to this folder every epoch")
    mae.add_argument("--threads", type=int, default=0)
    mae.set_defaults(run=run_train_mae)
    stream = train_sub.add_parser("mae-stream", help="the stream MAE: the hybrid score on a convolutional "
                                                     "autoencoder of raw I/Q at the sentinel's 200 kHz (the `mae` "
                                                     "bundle)")
    stream.add_argument("--data", required=True, nargs="+",
                        help="`sentinel data generate receiver --length 1024` files (their windows together)")
    stream.add_argument("-o", "--output", required=True, help="bundle folder to write")
    stream.add_argument("--epochs", type=int, default=20)
    stream.add_argument("--patience", type=int, default=4, help="epochs without a better validation MSE")
    stream.add_argument("--batch-size", type=int, default=128)
    stream.add_argument("--lr", type=float, default=1e-3)
    stream.add_argument("--false-alarm", type=float, default=0.01,
                        help="gamma's false-alarm rate on held-out normal windows at >= --gamma-min-snr dB")
    stream.add_argument("--gamma-min-snr", type=float, default=5.0)
    stream.add_argument("--input", choices=("spectral", "iq"), default="spectral",
                        help="spectral: spectrogram and envelope / frequency distributions (the shipped mae); "
                             "iq: raw I/Q rows, as O'Shea et al. (the measured comparison)")
    stream.add_argument("--seed", type=int, default=1)
    stream.add_argument("--checkpoint-dir", help="resume from / save to this folder every epoch")
    stream.add_argument("--threads", type=int, default=0)
    stream.set_defaults(run=run_train_mae_stream)

    _refit_parser(train_sub, "mae-recalibrate", "refit the stream MAE's score calibration and gamma on fresh normal "
                  "windows over a wide SNR range (autoencoder unchanged)", "the stream MAE bundle", range(-4, 31, 2),
                  41, run_train_mae_recalibrate)
    _refit_parser(train_sub, "mae-fuse", "add the simple statistics (per class and SNR knot) to a spectral stream "
                  "MAE's score, on fresh normal windows (autoencoder unchanged)", "the spectral stream MAE bundle",
                  range(-4, 19, 2), 43, run_train_mae_fuse)
    guard = _refit_parser(train_sub, "mae-guard", "add a statistics guard to a spectral stream MAE for the classes "
                          "whose SNR it cannot read (WBFM), on fresh normal windows (autoencoder unchanged)",
                          "the spectral stream MAE bundle", range(-4, 19, 2), 47, run_train_mae_guard)
    guard.add_argument("--classes", nargs="+", default=["WBFM"], help="the guarded classes (default: WBFM)")
    amc = train_sub.add_parser("amc", help="a modulation classifier (AFNet: Shi, Peng, Zhuang, arXiv:2203.03140; VT-CNN2 and ResNet baselines)")
    amc.add_argument("--model", dest="architecture", default="afnet", choices=["afnet", "vtcnn2", "resnet"])
    amc.add_argument("--data", required=True, help="a `sentinel data generate rml2016` file")
    amc.add_argument("-o", "--output", required=True, help="bundle folder to write")
    amc.add_argument("--epochs", type=int, default=30)
    amc.add_argument("--batch-size", type=int, default=512)
    amc.add_argument("--lr", type=float, default=1e-3)
    amc.add_argument("--patience", type=int, default=15)
    amc.add_argument("--cw", action="store_true", help="confidence-weighted two-stage training")
    amc.add_argument("--cw-k", type=int, default=3)
    amc.add_argument("--cw-weights-from", help="bundle whose predictions give the CW weights")
    amc.add_argument("--arch", default="{}", help="JSON of architecture options, e.g. '{\"groups\": 4}'")
    amc.add_argument("--per-cell", type=int, help="use only N examples per (class, SNR) (CPU budget)")
    amc.add_argument("--input-scale", default="energy", choices=["energy", "power"],
                     help="per-window scaling of the input (power for networks without batch norm)")
    amc.add_argument("--extra-train", type=int, default=0,
                     help="with --per-cell: add the next N examples of every cell to training only "
                          "(the held-out split stays the same)")
    amc.add_argument("--init-from", help="start from this bundle's weights (same architecture)")
    amc.add_argument("--frontend", default="none", choices=["none", "rtn", "fourth_power", "fourth_power_and_raw"],
                     help="rtn: a radio transformer network (learned offset/phase correction) before the "
                          "classifier; fourth_power: the classical x^4 carrier-offset correction; "
                          "fourth_power_and_raw: afnet sees the corrected and the received window (4 rows)")
    amc.add_argument("--rtn-max-offset", type=float, metavar="HZ",
                     help="rtn: largest carrier offset the estimator can output (default 12500)")
    amc.add_argument("--aux-weight", type=float, default=0.0,
                     help="rtn: weight of the known-offset auxiliary loss (needs receiver-recipe data; 0: "
                          "end to end only)")
    amc.add_argument("--extra-data", nargs="+", default=[], metavar="FILE",
                     help="more dataset files whose every example joins the training set only")
    amc.add_argument("--augment-cfo", type=float, default=0.0, metavar="HZ",
                     help="give every training window of a dataset without receiver offsets (the RadioML-2016 "
                          "recipe) a carrier offset uniform in +-HZ, drawn once from --seed (0: off)")
    amc.add_argument("--augment-fraction", type=float, default=1.0, metavar="SHARE",
                     help="with --augment-cfo: the share of those windows that get an offset, in (0, 1] (default 1)")
    amc.add_argument("--stage1-output", help="with --cw: also save the stage-1 (plain CE) model here")
    amc.add_argument("--seed", type=int, default=1)
    amc.add_argument("--split-seed", type=int, default=0)
    amc.add_argument("--checkpoint-dir")
    amc.add_argument("--threads", type=int, default=0)
    amc.set_defaults(run=run_train_amc)

    modem = train_sub.add_parser("modem", help="a channel-autoencoder modem (O'Shea, Hoydis, arXiv:1702.00832)")
    modem.add_argument("--k", type=int, default=4, help="bits per message")
    modem.add_argument("--n", type=int, default=7, help="complex channel uses per message")
    modem.add_argument("--channel", default="awgn", choices=["awgn", "rayleigh"])
    modem.add_argument("--ebn0", type=float, default=7.0, help="training Eb/N0 in dB")
    modem.add_argument("--steps", type=int, default=15000)
    modem.add_argument("--batch-size", type=int, default=1024)
    modem.add_argument("--lr", type=float, default=1e-3)
    modem.add_argument("--normalization", default="average", choices=["average", "symbol"])
    modem.add_argument("--eval-blocks", type=int, default=200_000, help="Monte-Carlo blocks per Eb/N0 point")
    modem.add_argument("--seed", type=int, default=1)
    modem.add_argument("-o", "--output", required=True)
    modem.add_argument("--report", help="folder for the BLER and constellation PNGs")
    modem.set_defaults(run=run_train_modem)

    kpi = train_sub.add_parser("kpi", help="multi-scale ConvLSTM KPI anomaly detector, from scratch")
    kpi.add_argument("--data", required=True, help="a KPI CSV (`sentinel data generate kpi` or the public format)")
    kpi.add_argument("-o", "--output", required=True, help="bundle folder to write")
    kpi.add_argument("--window", type=int, default=16, help="reports per window (16 = 4 hours)")
    kpi.add_argument("--epochs", type=int, default=15)
    kpi.add_argument("--patience", type=int, default=5)
    kpi.add_argument("--batch-size", type=int, default=256)
    kpi.add_argument("--lr", type=float, default=1e-3)
    kpi.add_argument("--no-smote", dest="smote", action="store_false", help="train on the imbalanced windows")
    kpi.add_argument("--smote-ratio", type=float, default=1.0, help="anomalous / normal after SMOTE")
    kpi.add_argument("--seed", type=int, default=1)
    kpi.add_argument("--split-seed", type=int, default=0)
    kpi.add_argument("--checkpoint-dir")
    kpi.add_argument("--threads", type=int, default=0)
    kpi.set_defaults(run=run_train_kpi)

    htrd = train_sub.add_parser("htrd", help="HTRD (CAT-trained CNN + SVM rejection) and its baselines")
    htrd.add_argument("--data", required=True, help="a `sentinel data generate rml2016` or `receiver` file")
    htrd.add_argument("-o", "--output", required=True, help="the HTRD bundle folder to write")
    htrd.add_argument("--baselines", required=True,
                      help="folder for the baseline bundles (undefended, lsgna_nr, adversarial, twofold_detector)")
    htrd.add_argument("--per-cell", type=int, default=100, help="examples per (class, SNR) (CPU budget)")
    htrd.add_argument("--min-snr", type=float, default=0.0, help="train on SNR >= this (dB)")
    htrd.add_argument("--epochs", type=int, default=8)
    htrd.add_argument("--eps-max-pnr", type=float, default=-5.0, help="CAT / retraining budget as PNR at 10 dB SNR")
    htrd.add_argument("--smoothing-c", type=float,
                      help="CAT label smoothing c: weight c*eps_i on the Dirichlet target (c*eps_max <= 1; "
                           "default 0.156)")
    htrd.add_argument("--cat-attack-loss", choices=("cross_entropy", "margin"),
                      help="loss of CAT's inner PGD (default cross_entropy)")
    htrd.add_argument("--cat-clean-fraction", type=float,
                      help="share of each CAT batch trained on clean windows with hard labels (0 <= f < 1; default 0)")
    htrd.add_argument("--svm-samples", type=int,
                      help="training windows the rejection SVMs are fitted on (default 2000)")
    htrd.add_argument("--svm-background", type=int,
                      help="noise windows the rejection SVMs learn to reject (default 1000; 0: none)")
    htrd.add_argument("--svm-class-weight", choices=("none", "balanced"),
                      help="balanced: weigh each SVM's class like all the others together, so inputs far from "
                           "every training feature are rejected (costs benign accuracy; default none)")
    htrd.add_argument("--proximity-reject-rate", type=float,
                      help="share of benign calibration windows rejected for lying far from every support vector "
                           "(0 <= rate < 0.1; S0 rejects the rest of the 10%%; default 0.01; 0: no floor)")
    htrd.add_argument("--head-reject-rate", type=float,
                      help="share of benign calibration windows rejected because the CNN's own head disagrees "
                           "with the SVMs' class (0 <= rate < 0.1 - proximity rate; default 0.05; 0: no such rule)")
    htrd.add_argument("--cfo-correction", choices=("none", "fourth_power", "fourth_power_and_raw"),
                      help="remove each window's carrier offset (fourth_power: the x^4 spectral estimate) "
                           "before every network, in training and in the block; fourth_power_and_raw: the "
                           "corrected rows and the window's own (4 input rows; default none)")
    htrd.add_argument("--backbone", choices=("vtcnn2", "afnet"),
                      help="the CNN of every network: the paper's VT-CNN2 (default) or AFNet")
    htrd.add_argument("--init-from", metavar="BUNDLE",
                      help="start every network from this amc bundle's weights; --backbone and --cfo-correction "
                           "must be the bundle's (e.g. afnet: --backbone afnet --cfo-correction fourth_power_and_raw)")
    htrd.add_argument("--lr", type=float, help="Adam learning rate (default 1e-3)")
    htrd.add_argument("--seed", type=int, default=1)
    htrd.add_argument("--split-seed", type=int, default=0)
    htrd.add_argument("--checkpoint-dir")
    htrd.add_argument("--threads", type=int, default=0)
    htrd.set_defaults(run=run_train_htrd)

    finetune = sub.add_parser("finetune", help="adapt a trained bundle to another network (transfer learning)")
    finetune_sub = finetune.add_subparsers(dest="model", metavar="MODEL")
    finetune_sub.required = True
    kpi_ft = finetune_sub.add_parser("kpi", help="fine-tune on a few labelled cells; compare with scratch "
                                     "and with the unchanged model")
    kpi_ft.add_argument("--model", dest="bundle", default="kpi", help="bundle name or folder to start from")
    kpi_ft.add_argument("--data", required=True, help="KPI CSV of the new network")
    kpi_ft.add_argument("-o", "--output", required=True)
    kpi_ft.add_argument("--labelled-cells", type=int, default=6,
                        help="cells of the new network with labels (the last one validates)")
    kpi_ft.add_argument("--epochs", type=int, default=20)
    kpi_ft.add_argument("--freeze-frontend", action="store_true", help="train only the LSTM and the head")
    kpi_ft.add_argument("--batch-size", type=int, default=256)
    kpi_ft.add_argument("--lr", type=float, default=1e-3)
    kpi_ft.add_argument("--no-smote", dest="smote", action="store_false")
    kpi_ft.add_argument("--seed", type=int, default=1)
    kpi_ft.add_argument("--split-seed", type=int, default=0)
    kpi_ft.add_argument("--threads", type=int, default=0)
    kpi_ft.set_defaults(run=run_finetune_kpi)

    evaluate = sub.add_parser("eval", help="evaluate a bundle on fresh data and write a report")
    eval_sub = evaluate.add_subparsers(dest="model", metavar="MODEL")
    eval_sub.required = True
    mae_eval = eval_sub.add_parser("mae", help="Table III, ablations, Figs. 2-3")
    mae_eval.add_argument("--model", dest="bundle", default="mae_paper", help="bundle name or folder")
    mae_eval.add_argument("--data", required=True, help="a mae file made with another seed")
    mae_eval.add_argument("--report", default="reports/mae", help="folder for JSON and PNGs")
    mae_eval.add_argument("--update-card", action="store_true",
                          help="record the results in the bundle's card (metrics.fresh_data)")
    mae_eval.add_argument("--bound", action="store_true",
                          help="also compute the likelihood-ratio detector (the best possible AUROC) per SNR")
    mae_eval.add_argument("--bound-per-cell", type=int, default=200, metavar="N",
                          help="test windows per (class, SNR) the bound is computed on (0: all)")
    mae_eval.set_defaults(run=run_eval_mae)
    stream_eval = eval_sub.add_parser("mae-stream", help="the stream MAE against every anomaly family, per SNR, "
                                                         "beside the best simple statistic")
    stream_eval.add_argument("--model", dest="bundle", default="mae", help="bundle name or folder")
    stream_eval.add_argument("-n", "--count", type=int, default=60, help="normal windows per class and SNR")
    stream_eval.add_argument("--snrs", type=float, nargs="+", default=[0.0, 5.0, 10.0, 18.0])
    stream_eval.add_argument("--seed", type=int, default=2028, help="a seed no bundle was trained on")
    stream_eval.add_argument("--report", default="reports/mae_stream", help="folder for JSON and Markdown")
    stream_eval.add_argument("--update-card", action="store_true",
                             help="record the results in the bundle's card (metrics.fresh_data)")
    stream_eval.set_defaults(run=run_eval_mae_stream)
    amc_eval = eval_sub.add_parser("amc", help="accuracy vs SNR, confusion matrices, tables")
    amc_eval.add_argument("--models", nargs="+", default=["afnet", "vtcnn2"], help="bundle names or folders")
    amc_eval.add_argument("--data", required=True)
    amc_eval.add_argument("--split-seed", type=int, default=0)
    amc_eval.add_argument("--per-cell", type=int, help="the same subsample the models were trained with")
    amc_eval.add_argument("--report", default="reports/amc")
    amc_eval.set_defaults(run=run_eval_amc)
    htrd_eval = eval_sub.add_parser("htrd", help="white-box attacks: Figs. 4-5 and the benign table")
    htrd_eval.add_argument("--model", dest="bundle", default="htrd")
    htrd_eval.add_argument("--baselines", required=True, help="the folder `sentinel train htrd` wrote")
    htrd_eval.add_argument("--data", required=True, help="fresh rml2016 data with 10 dB examples")
    htrd_eval.add_argument("--samples", type=int, default=300, help="attacked windows per PNR")
    htrd_eval.add_argument("--steps", type=int, default=10, help="PGD iterations")
    htrd_eval.add_argument("--pnr", type=float, nargs="+", default=[-20, -15, -10, -5, 0], metavar="DB")
    htrd_eval.add_argument("--threads", type=int, default=0)
    htrd_eval.add_argument("--report", default="reports/htrd")
    htrd_eval.add_argument("--update-card", action="store_true",
                           help="record the results and this command in the HTRD bundle's card")
    htrd_eval.set_defaults(run=run_eval_htrd)
    robust = eval_sub.add_parser("robustness", help="every receiver impairment swept on fresh data, for every "
                                 "shipped classifier (HTRD: correct / rejected / wrong-accepted, and a perfect "
                                 "rejector's floor at the same rejected share)")
    robust.add_argument("--models", nargs="+", help="bundle names or folders (default: every shipped amc and "
                        "htrd bundle)")
    robust.add_argument("-n", "--count", type=int, default=100, help="examples per (class, SNR, condition)")
    robust.add_argument("--snrs", type=float, nargs="+", default=[0.0, 10.0, 18.0], metavar="DB")
    robust.add_argument("--seed", type=int, default=2027, help="data seed (never a training seed)")
    robust.add_argument("--conditions", nargs="+", metavar="NAME", help="only these conditions (default all)")
    robust.add_argument("--independent-count", type=int, default=300,
                        help="windows per class of the independent RRC generator")
    robust.add_argument("--threads", type=int, default=0)
    robust.add_argument("--report", default="reports/robustness")
    robust.add_argument("--merge", action="store_true",
                        help="add these models' columns to the report already in --report (same seed, -n, SNRs, "
                        "conditions: the windows are the same), replacing any of the same name")
    robust.set_defaults(run=run_eval_robustness)
    wide_eval = eval_sub.add_parser("wideband", help="the models behind the Emitter Channeliser on fresh simulated "
                                    "bands: afnet channelised vs centred, the MAE per kind, a wideband MAE threshold")
    wide_eval.add_argument("--seed", type=int, default=2029, help="evaluation bands' seed (never a training seed)")
    wide_eval.add_argument("--calibration-seed", type=int, default=2030, help="seed of the bands the wideband "
                           "threshold is calibrated on")
    wide_eval.add_argument("--snrs", type=float, nargs="+", default=[6.0, 10.0, 14.0, 18.0], metavar="DB")
    wide_eval.add_argument("--bands", type=int, default=6, help="simulated bands per SNR (5 emitters each)")
    wide_eval.add_argument("--false-alarm", type=float, default=0.02, help="the wideband threshold's false-alarm "
                           "rate on the calibration bands' normal chunks")
    wide_eval.add_argument("--report", default="reports/wideband")
    wide_eval.add_argument("--mae-model", default="mae", help="the MAE bundle scored on the chunks")
    wide_eval.add_argument("--update-card", action="store_true", help="record thresholds.gamma_wideband and the "
                           "results (metrics.wideband) in the MAE bundle's card")
    wide_eval.set_defaults(run=run_eval_wideband)
    kpi_eval = eval_sub.add_parser("kpi", help="per-class metrics, confusion matrices, a probability trace")
    kpi_eval.add_argument("--models", nargs="+", default=["kpi", "kpi_b"], help="bundle names or folders")
    kpi_eval.add_argument("--data", required=True, help="a KPI CSV not used in training (fresh seed)")
    kpi_eval.add_argument("--report", default="reports/kpi")
    kpi_eval.set_defaults(run=run_eval_kpi)
    return train


def run_train_mae(args):
    from ..train import mae

    if args.epochs < 1:
        raise ValueError("--epochs must be at least 1")
    mae.train(args.data, args.output, epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
              seed=args.seed, checkpoint_dir=args.checkpoint_dir, threads=args.threads,
              command=_command_line(), feature_kind=args.features)


def run_train_mae_stream(args):
    from ..train import stream_mae

    if args.epochs < 1:
        raise ValueError("--epochs must be at least 1")
    stream_mae.train(args.data, args.output, epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
                     patience=args.patience, seed=args.seed, false_alarm=args.false_alarm,
                     gamma_min_snr_db=args.gamma_min_snr, checkpoint_dir=args.checkpoint_dir,
                     threads=args.threads, command=_command_line(), input_kind=args.input)


def run_eval_mae_stream(args):
    from ..runtime.bundle import ModelBundle, set_card_entry
    from ..train import stream_mae

    if args.count < 2:
        raise ValueError("--count: at least 2 normal windows per class and SNR, got {}".format(args.count))
    report = stream_mae.evaluate(args.bundle, args.report, count=args.count, snrs=args.snrs, seed=args.seed)
    if args.update_card:
        set_card_entry(ModelBundle.load(args.bundle).path, ("metrics", "fresh_data"),
                       dict(report, command=_command_line()))


def _refit_parser(sub, name, help_text, source_help, snrs, seed, run):
    """A command that refits part of a stream MAE bundle on fresh normal windows."""
    refit = sub.add_parser(name, help=help_text)
    refit.add_argument("--from", dest="source", default="mae", help=source_help)
    refit.add_argument("-o", "--output", required=True, help="bundle folder to write")
    refit.add_argument("-n", "--count", type=int, default=60, help="normal windows per class and SNR")
    refit.add_argument("--snrs", type=float, nargs="+", default=[float(v) for v in snrs], metavar="DB")
    refit.add_argument("--seed", type=int, default=seed)
    refit.add_argument("--false-alarm", type=float, default=0.02)
    refit.set_defaults(run=run)
    return refit


def run_train_mae_guard(args):
    from ..train import stream_mae

    stream_mae.guard(args.source, args.output, classes=tuple(args.classes), count=args.count, snrs=args.snrs,
                     seed=args.seed, false_alarm=args.false_alarm, command=_command_line())


def run_train_mae_fuse(args):
    from ..train import stream_mae

    stream_mae.fuse(args.source, args.output, count=args.count, snrs=args.snrs, seed=args.seed,
                    false_alarm=args.false_alarm, command=_command_line())


def run_train_mae_recalibrate(args):
    from ..train import stream_mae

    if args.count < 4:
        raise ValueError("--count: at least 4 windows per class and SNR, got {}".format(args.count))
    stream_mae.recalibrate(args.source, args.output, count=args.count, snrs=args.snrs, seed=args.seed,
                           false_alarm=args.false_alarm, command=_command_line())


def run_eval_wideband(args):
    from ..runtime.bundle import ModelBundle, set_card_entry
    from ..train import wideband

    if args.bands < 1:
        raise ValueError("--bands: at least 1 simulated band per SNR, got {}".format(args.bands))
    if not 0 < args.false_alarm < 0.5:
        raise ValueError("--false-alarm: a rate between 0 and 0.5, got {}".format(args.false_alarm))
    report = wideband.evaluate(args.report, seed=args.seed, calibration_seed=args.calibration_seed,
                               snrs=args.snrs, bands=args.bands, false_alarm=args.false_alarm,
                               mae_model=args.mae_model)
    if args.update_card:
        path = ModelBundle.load(args.mae_model).path
        set_card_entry(path, ("thresholds", "gamma_wideband"), report["gamma_wideband"])
        set_card_entry(path, ("thresholds", "wideband_rule"),
                       "chunks from the Emitter Channeliser: anomalous when score > gamma_wideband, the {:g} quantile "
                       "of the normal chunks' scores of simulated bands (seed {}), metrics.wideband".format(
                           1 - args.false_alarm, args.calibration_seed))
        set_card_entry(path, ("metrics", "wideband"), dict(report, command=_command_line()))


def run_eval_mae(args):
    from ..train import mae

    if args.bound_per_cell < 0:
        raise ValueError("--bound-per-cell: 0 (all windows) or a positive count, got {}".format(args.bound_per_cell))
    mae.evaluate(args.bundle, args.data, args.report, update_card=args.update_card,
                 command=_command_line(), bound=args.bound, bound_per_cell=args.bound_per_cell or None)


def run_train_amc(args):
    import json

    from ..train import amc

    try:
        arch = json.loads(args.arch)
    except ValueError as error:
        raise ValueError("--arch must be a JSON object: {}".format(error)) from None
    amc.train(args.architecture, args.data, args.output, epochs=args.epochs, batch_size=args.batch_size,
              lr=args.lr, patience=args.patience, seed=args.seed, split_seed=args.split_seed, cw=args.cw,
              cw_k=args.cw_k, cw_weights_from=args.cw_weights_from, architecture=arch,
              checkpoint_dir=args.checkpoint_dir, threads=args.threads, command=_command_line(),
              per_cell=args.per_cell, stage1_output=args.stage1_output, input_scale=args.input_scale,
              extra_train=args.extra_train, init_from=args.init_from, frontend=args.frontend,
              frontend_options=({"max_offset_hz": args.rtn_max_offset} if args.rtn_max_offset else None),
              aux_weight=args.aux_weight, extra_data=tuple(args.extra_data), augment_cfo_hz=args.augment_cfo,
              augment_fraction=args.augment_fraction)


def run_eval_amc(args):
    from ..train import amc

    amc.evaluate(args.models, args.data, args.split_seed, args.report, per_cell=args.per_cell)


def run_train_modem(args):
    from ..train import modem

    card = modem.train(args.k, args.n, args.output, channel=args.channel, ebn0_db=args.ebn0,
                       steps=args.steps, batch_size=args.batch_size, lr=args.lr,
                       normalization=args.normalization, seed=args.seed, command=_command_line(),
                       eval_blocks=args.eval_blocks)
    if args.report:
        from ..autoencoder_modem import load_modem
        _, net = load_modem(args.output)
        modem.plot(card, net, args.report)


def run_train_kpi(args):
    from ..train import kpi

    kpi.train(args.data, args.output, window=args.window, epochs=args.epochs, batch_size=args.batch_size,
              lr=args.lr, patience=args.patience, seed=args.seed, split_seed=args.split_seed, smote=args.smote,
              smote_ratio=args.smote_ratio, checkpoint_dir=args.checkpoint_dir, threads=args.threads,
              command=_command_line())


def run_finetune_kpi(args):
    from ..train import kpi

    kpi.finetune(args.bundle, args.data, args.output, labelled_cells=args.labelled_cells, epochs=args.epochs,
                 freeze_frontend=args.freeze_frontend, batch_size=args.batch_size, lr=args.lr, seed=args.seed,
                 split_seed=args.split_seed, smote=args.smote, threads=args.threads, command=_command_line())


def run_eval_robustness(args):
    import torch

    from ..runtime.bundle import ModelBundle, shipped_bundles
    from ..train import robustness

    if args.count < 1 or args.independent_count < 1:
        raise ValueError("--count and --independent-count: at least 1")
    if args.threads:
        torch.set_num_threads(args.threads)
    models = args.models or [name for name in shipped_bundles()
                             if ModelBundle.load(name).kind in ("amc", "htrd")]
    robustness.evaluate(models, args.report, count=args.count, snrs=tuple(args.snrs), seed=args.seed,
                        independent_count=args.independent_count, only=args.conditions, merge=args.merge)


def run_eval_kpi(args):
    from ..train import kpi

    kpi.evaluate(args.models, args.data, args.report)


def run_train_htrd(args):
    from ..train import htrd

    config = {"per_cell": args.per_cell, "min_snr_db": args.min_snr, "epochs": args.epochs,
              "eps_max_pnr_db": args.eps_max_pnr}
    for key in ("smoothing_c", "cat_attack_loss", "cat_clean_fraction", "svm_samples", "svm_background",
                "proximity_reject_rate", "head_reject_rate", "cfo_correction", "backbone", "init_from", "lr"):
        if getattr(args, key) is not None:
            config[key] = getattr(args, key)
    if args.svm_class_weight is not None:
        config["svm_class_weight"] = None if args.svm_class_weight == "none" else args.svm_class_weight
    htrd.train_all(args.data, args.baselines, args.output, config=config, seed=args.seed,
                   split_seed=args.split_seed, checkpoint_dir=args.checkpoint_dir, threads=args.threads,
                   command=_command_line())


def run_eval_htrd(args):
    import torch

    from ..train import htrd

    if args.threads:
        torch.set_num_threads(args.threads)
    htrd.evaluate(args.bundle, args.baselines, args.data, args.report, pnrs=tuple(args.pnr),
                  attack_samples=args.samples, steps=args.steps, update_card=args.update_card,
                  command=_command_line())
