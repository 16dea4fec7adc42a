# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Per-example channel: sample-rate offset, carrier offset and selective fading in GNU
Radio flowgraphs, then AWGN calibrated to the example's measured power.

SNR definition (recorded in every dataset's metadata): the label is
10*log10(Ps / Pn), Ps the mean power of the example's noiseless samples after the
channel and Pn the mean power of the noise added to those same samples, both
per complex sample over the full sampled band. This is Es/N0 with Es the energy
of one sample; for the linear classes at 8 samples per symbol, Es/N0 per symbol
is the label + 9.03 dB. The noise vector is scaled so that its measured power,
not only its expectation, gives the label exactly.
"""

import dataclasses
import math

import numpy as np
from gnuradio import blocks, filter as gr_filter, gr

from .modulators import CHAINS_PER_FLOWGRAPH, SAMPLE_RATE


@dataclasses.dataclass
class ChannelConfig:
    """RadioML 2016.10a's channel, each impairment switchable.

    Offsets are drawn per example from a normal distribution with the given
    standard deviation and clipped at the maximum deviation RML's
    dynamic_channel_model clips its random walks at.
    """

    sample_rate: float = SAMPLE_RATE
    sro: bool = True
    sro_std_hz: float = 1.0
    sro_max_hz: float = 50.0
    cfo: bool = True
    cfo_std_hz: float = 10.0
    cfo_max_hz: float = 500.0
    fading: bool = True
    fading_doppler_hz: float = 1.0
    fading_los: bool = True
    fading_k: float = 4.0
    fading_sinusoids: int = 8
    fading_delays: tuple = (0.0, 0.9, 1.7)
    fading_mags: tuple = (1.0, 0.8, 0.3)
    fading_ntaps: int = 8

    def as_dict(self):
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in dataclasses.asdict(self).items()}

    @property
    def guard_samples(self):
        """Samples to discard at the start of each channel run (resampler and fading FIR)."""
        return 64 + self.fading_ntaps


def _fading_block(config, seed):
    from gnuradio import sentinel  # the module's own, statistically correct fader

    n = len(config.fading_delays)
    return sentinel.selective_fading_model2(
        config.fading_sinusoids, config.fading_doppler_hz / config.sample_rate, config.fading_los,
        config.fading_k, int(seed % (2 ** 31)), list(config.fading_delays), [0.0] * n, [0.0] * n,
        list(config.fading_mags), config.fading_ntaps)


def _draw_offset(rng, std, limit):
    return float(np.clip(rng.normal(0.0, std), -limit, limit))


def apply_channel(segments, seeds, config, rate_ratios=None, timing_offsets=None):
    """Run each segment through its own channel chain, seeded by its own seed.

    rate_ratios: per segment, the emitter's symbol rate over the nominal one (the
    waveform is resampled by it, so a ratio above 1 leaves fewer samples per
    symbol); timing_offsets: per segment, a fractional delay in [0, 1) samples.
    Both are applied by the same MMSE resampler as the sample-rate offset.
    Returns a list of complex64 arrays (each `config.guard_samples` shorter than
    its input when no ratio is given) and the per-example offsets that were drawn.
    """
    outputs = [None] * len(segments)
    offsets = [None] * len(segments)
    for start in range(0, len(segments), CHAINS_PER_FLOWGRAPH):
        top = gr.top_block()
        sinks = []
        for i in range(start, min(start + CHAINS_PER_FLOWGRAPH, len(segments))):
            rng = np.random.default_rng(seeds[i])
            sro_hz = _draw_offset(rng, config.sro_std_hz, config.sro_max_hz) if config.sro else 0.0
            cfo_hz = _draw_offset(rng, config.cfo_std_hz, config.cfo_max_hz) if config.cfo else 0.0
            offsets[i] = (sro_hz, cfo_hz)
            chain = [blocks.vector_source_c(segments[i], False)]
            extra_ratio = 1.0 if rate_ratios is None else float(rate_ratios[i])
            mu = 0.0 if timing_offsets is None else float(timing_offsets[i])
            if config.sro or extra_ratio != 1.0 or mu:
                # The receiver's clock runs sro_hz fast: resample by fs / (fs + sro).
                ratio = config.sample_rate / (config.sample_rate + sro_hz) * extra_ratio
                chain.append(gr_filter.mmse_resampler_cc(mu, ratio))
            if config.cfo:
                chain.append(blocks.rotator_cc(2 * math.pi * cfo_hz / config.sample_rate))
            if config.fading:
                chain.append(_fading_block(config, seeds[i]))
            sink = blocks.vector_sink_c()
            chain.append(sink)
            top.connect(*chain)
            sinks.append((i, sink))
        top.run()
        for i, sink in sinks:
            outputs[i] = np.asarray(sink.data(), dtype=np.complex64)[config.guard_samples:]
    return outputs, offsets


def add_calibrated_noise(x, snr_db, rng):
    """x plus complex white Gaussian noise whose measured power is mean|x|^2 / 10^(snr/10)."""
    signal_power = float(np.mean(np.abs(x) ** 2))
    noise = (rng.standard_normal(x.shape) + 1j * rng.standard_normal(x.shape))
    noise *= math.sqrt(signal_power / 10 ** (snr_db / 10) / np.mean(np.abs(noise) ** 2))
    return (x + noise).astype(np.complex64)
