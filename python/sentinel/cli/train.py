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
    mae = train_sub.add_parser("mae", help="the MAE anomaly scorer (paper 000)")
    mae.add_argument("--data", required=True, help="a `sentinel data generate mae` file")
    mae.add_argument("-o", "--output", required=True, help="bundle folder to write")
    mae.add_argument("--epochs", type=int, default=35)
    mae.add_argument("--batch-size", type=int, default=128)
    mae.add_argument("--lr", type=float, default=3.33e-5)
    mae.add_argument("--features", default="sorted_amplitude", choices=["iq", "sorted_amplitude"],
                     help="iq: the paper's I/Q input; sorted_amplitude: the shipped default (see the card)")
    mae.add_argument("--seed", type=int, default=1)
    mae.add_argument("--checkpoint-dir", help="resume from / save to this folder every epoch")
    mae.add_argument("--threads", type=int, default=0)
    mae.set_defaults(run=run_train_mae)

    evaluate = sub.add_parser("eval", help="evaluate a bundle on fresh data and write a report")
    eval_sub = evaluate.add_subparsers(dest="model", metavar="MODEL")
    eval_sub.required = True
    mae_eval = eval_sub.add_parser("mae", help="Table III, ablations, Figs. 2-3")
    mae_eval.add_argument("--model", dest="bundle", default="mae", help="bundle name or folder")
    mae_eval.add_argument("--data", required=True, help="a mae file made with another seed")
    mae_eval.add_argument("--report", default="reports/mae", help="folder for JSON and PNGs")
    mae_eval.set_defaults(run=run_eval_mae)
    return train


def run_train_mae(args):
    from ..train import mae

    if args.epochs < 1:
        raise ValueError("--epochs must be at least 1")
    mae.train(args.data, args.output, epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
              seed=args.seed, checkpoint_dir=args.checkpoint_dir, threads=args.threads,
              command=_command_line(), feature_kind=args.features)


def run_eval_mae(args):
    from ..train import mae

    mae.evaluate(args.bundle, args.data, args.report)
