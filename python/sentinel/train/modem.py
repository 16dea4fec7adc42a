# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Training and evaluation of the channel-autoencoder modem, against classic baselines.

Baselines, all at the same Eb/N0 (Es = 1 per complex channel use for the autoencoder,
BPSK per real dimension for the baselines):
- uncoded BPSK/QPSK: BER Q(sqrt(2 Eb/N0)), BLER 1 - (1 - BER)^k (theory; QPSK with
  Gray mapping has the same BER per Eb/N0 as BPSK);
- Hamming (7,4), BPSK: hard decision (theory: a block fails with 2 or more of 7 coded
  bits wrong at Ec/N0 = (4/7) Eb/N0) and maximum-likelihood soft decision (simulated:
  the codeword closest to the received vector).
"""

import math
import pathlib
import time

import numpy as np

from ..nn import modem as modem_nn
from .common import set_seed

HAMMING_74_G = np.array([[1, 0, 0, 0, 1, 1, 0],
                         [0, 1, 0, 0, 1, 0, 1],
                         [0, 0, 1, 0, 0, 1, 1],
                         [0, 0, 0, 1, 1, 1, 1]])


def q_function(x):
    return 0.5 * math.erfc(x / math.sqrt(2.0))


def uncoded_bler(k, ebn0_db):
    p = q_function(math.sqrt(2 * 10 ** (ebn0_db / 10)))
    return 1 - (1 - p) ** k


def hamming_hard_bler(ebn0_db):
    p = q_function(math.sqrt(2 * (4 / 7) * 10 ** (ebn0_db / 10)))
    return 1 - (1 - p) ** 7 - 7 * p * (1 - p) ** 6


def hamming_ml_bler(ebn0_db, blocks, rng):
    """Monte-Carlo BLER of Hamming (7,4) + BPSK with soft maximum-likelihood decoding."""
    messages = (np.arange(16)[:, None] >> np.arange(3, -1, -1)) & 1
    codewords = 1 - 2 * ((messages @ HAMMING_74_G) % 2)          # BPSK: 0 -> +1, 1 -> -1
    sigma = math.sqrt(1 / (2 * (4 / 7) * 10 ** (ebn0_db / 10)))
    errors = 0
    for start in range(0, blocks, 200_000):
        count = min(200_000, blocks - start)
        sent = rng.integers(0, 16, count)
        y = codewords[sent] + sigma * rng.standard_normal((count, 7))
        errors += int(np.sum(np.argmax(y @ codewords.T, axis=1) != sent))
    return errors / blocks


def simulate(model, ebn0_db, blocks, seed=0, gains=None):
    """(BLER, BER) of the autoencoder over AWGN at one Eb/N0, by Monte Carlo."""
    import torch

    generator = torch.Generator().manual_seed(seed)
    block_errors = bit_errors = 0
    weights = 2 ** torch.arange(model.k - 1, -1, -1)
    with torch.no_grad():
        codebook = model.codebook()
        book = torch.stack([codebook.real, codebook.imag], dim=2).reshape(model.m, 2 * model.n)
        for start in range(0, blocks, 100_000):
            count = min(100_000, blocks - start)
            sent = torch.randint(0, model.m, (count,), generator=generator)
            received = modem_nn.channel(book[sent], model.k, model.n, ebn0_db, generator=generator)
            decided = model(received).argmax(dim=1)
            block_errors += int((decided != sent).sum())
            diff = (decided ^ sent)[:, None] & weights
            bit_errors += int((diff != 0).sum())
    return block_errors / blocks, bit_errors / (blocks * model.k)


def crossing_db(ebn0, bler, target=1e-3):
    """Eb/N0 where a BLER curve crosses `target` (log-linear interpolation); None if it does not."""
    ebn0, bler = np.asarray(ebn0, float), np.asarray(bler, float)
    for i in range(len(ebn0) - 1):
        a, b = bler[i], bler[i + 1]
        if a >= target > b and a > 0 and b > 0:
            t = (math.log10(a) - math.log10(target)) / (math.log10(a) - math.log10(b))
            return float(ebn0[i] + t * (ebn0[i + 1] - ebn0[i]))
    return None


def train(k, n, output, channel="awgn", ebn0_db=7.0, steps=15000, batch_size=1024, lr=1e-3,
          normalization="average", seed=1, hidden=0, log=print, command="", eval_blocks=200_000,
          eval_points=None):
    import torch

    if channel not in ("awgn", "rayleigh"):
        raise ValueError("channel: unknown '{}'; allowed: awgn, rayleigh".format(channel))
    if k < 1 or n < 1:
        raise ValueError("k and n must be positive, got k={} n={}".format(k, n))
    set_seed(seed)
    architecture = {"k": k, "n": n, "hidden": hidden, "normalization": normalization}
    model = modem_nn.build(architecture)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(seed)
    fading = None
    if channel == "rayleigh":
        fading = _fader_gains(steps * batch_size // 8 + batch_size, seed)
    began = time.perf_counter()
    history = []
    for step in range(steps):
        if step == int(steps * 0.7):
            for group in optimizer.param_groups:
                group["lr"] = lr / 10
        sent = torch.randint(0, model.m, (batch_size,), generator=generator)
        gains = None
        if fading is not None:
            idx = torch.randint(0, len(fading), (batch_size,), generator=generator)
            gains = fading[idx]
        logits = model(modem_nn.channel(model.encode(sent), k, n, ebn0_db, gains, generator))
        loss = torch.nn.functional.cross_entropy(logits, sent)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step % 1000 == 0 or step == steps - 1:
            history.append({"step": step, "loss": loss.item()})
            log("step {:6d}  loss {:.5f}".format(step, loss.item()))
    model.eval()
    points = eval_points or list(np.arange(-2.0, 10.01, 1.0))
    curves = evaluate_curves(model, points, eval_blocks, seed + 100)
    metrics = {"curves": curves, "training_seconds": time.perf_counter() - began}
    metrics.update(compare(curves, k, n))
    codebook = model.codebook().detach().numpy()
    card = {
        "name": pathlib.Path(output).name, "kind": modem_nn.KIND,
        "description": "Channel-autoencoder modem ({}, {}): {} bits -> {} complex channel uses".format(n, k, k, n),
        "window_length": n,
        "input": {"bits_per_message": k, "channel_uses_per_message": n},
        "preprocessing": {"received": "n complex samples -> 2n reals, I and Q interleaved"},
        "architecture": architecture,
        "outputs": {"messages": 2 ** k, "bits": "message index, MSB first",
                    "codebook_mean_energy_per_use": float(np.mean(np.abs(codebook) ** 2))},
        "thresholds": {},
        "training": {"channel": channel, "ebn0_db": ebn0_db, "steps": steps, "batch_size": batch_size,
                     "learning_rate": lr, "lr_drop": "x0.1 after 70% of steps", "optimizer": "Adam",
                     "seed": seed, "command": command, "history": history},
        "metrics": metrics,
    }
    from ..runtime.bundle import save_bundle
    save_bundle(output, card, model)
    log(format_summary(card))
    return card


def _fader_gains(count, seed):
    """Flat Rayleigh gains from this module's fader core (the fading_model block's
    core), one per message: fDTs 0.01 sampled every 50 samples, half a Doppler period
    apart, so successive messages see nearly independent gains (block fading)."""
    import torch
    from gnuradio import sentinel

    core = sentinel.fader_core(8, 0.01, False, 0.0, seed)
    return torch.from_numpy(np.asarray(core.generate_strided(count, 50), np.complex64))


def evaluate_curves(model, points, blocks, seed):
    rng = np.random.default_rng(seed)
    out = {"ebn0_db": [float(p) for p in points], "autoencoder_bler": [], "autoencoder_ber": [],
           "uncoded_bler_theory": [], "uncoded_ber_theory": []}
    if (model.k, model.n) == (4, 7):
        out["hamming_hard_bler_theory"] = []
        out["hamming_ml_bler_sim"] = []
    for i, p in enumerate(points):
        bler, ber = simulate(model, p, blocks, seed + i)
        out["autoencoder_bler"].append(bler)
        out["autoencoder_ber"].append(ber)
        out["uncoded_bler_theory"].append(uncoded_bler(model.k, p))
        out["uncoded_ber_theory"].append(q_function(math.sqrt(2 * 10 ** (p / 10))))
        if "hamming_ml_bler_sim" in out:
            out["hamming_hard_bler_theory"].append(hamming_hard_bler(p))
            out["hamming_ml_bler_sim"].append(hamming_ml_bler(p, blocks, rng))
    return out


def compare(curves, k, n):
    """Eb/N0 at BLER 1e-3 for the autoencoder and its baselines, and the gaps."""
    e = curves["ebn0_db"]
    result = {"ebn0_at_bler_1e-3": {"autoencoder": crossing_db(e, curves["autoencoder_bler"]),
                                    "uncoded": crossing_db(e, curves["uncoded_bler_theory"])}}
    if "hamming_ml_bler_sim" in curves:
        result["ebn0_at_bler_1e-3"]["hamming_ml"] = crossing_db(e, curves["hamming_ml_bler_sim"])
        result["ebn0_at_bler_1e-3"]["hamming_hard"] = crossing_db(e, curves["hamming_hard_bler_theory"])
    return result


def format_summary(card):
    at = card["metrics"]["ebn0_at_bler_1e-3"]
    return "Eb/N0 at BLER 1e-3: " + ", ".join(
        "{} {}".format(name, "n/a" if v is None else "{:.2f} dB".format(v)) for name, v in at.items())


def plot(card, model, folder):
    """BLER curves against the baselines, and the learned constellation (PNG files)."""
    from ..data.plots import pyplot

    plt = pyplot()
    folder = pathlib.Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    c = card["metrics"]["curves"]
    k, n = card["architecture"]["k"], card["architecture"]["n"]
    fig, ax = plt.subplots(figsize=(5.6, 4.2))
    ax.semilogy(c["ebn0_db"], c["uncoded_bler_theory"], "k--", label="uncoded BPSK/QPSK, {} bits, theory".format(k))
    if "hamming_ml_bler_sim" in c:
        ax.semilogy(c["ebn0_db"], c["hamming_hard_bler_theory"], "g:", label="Hamming (7,4) hard, theory")
        ax.semilogy(c["ebn0_db"], c["hamming_ml_bler_sim"], "g-", label="Hamming (7,4) ML, simulated")
    ax.semilogy(c["ebn0_db"], c["autoencoder_bler"], "ro-", ms=3, label="autoencoder ({},{})".format(n, k))
    ax.set_xlabel("Eb/N0 (dB)")
    ax.set_ylabel("block error rate")
    ax.set_ylim(1e-5, 1)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=7)
    ax.set_title("Channel autoencoder ({},{}) over AWGN".format(n, k))
    fig.tight_layout()
    fig.savefig(folder / "modem_bler_{}_{}.png".format(n, k), dpi=110)
    plt.close(fig)

    codebook = model.codebook().detach().numpy()
    fig, ax = plt.subplots(figsize=(4.2, 4.2))
    for use in range(n):
        ax.plot(codebook[:, use].real, codebook[:, use].imag, "o", ms=4, label="use {}".format(use + 1))
    ax.set_aspect("equal")
    ax.grid(alpha=0.3)
    ax.set_title("Learned ({},{}) codewords, per channel use".format(n, k))
    if n <= 8:
        ax.legend(fontsize=6)
    fig.tight_layout()
    fig.savefig(folder / "modem_constellation_{}_{}.png".format(n, k), dpi=110)
    plt.close(fig)
