# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Sources for `sentinel run --wideband`: the simulated band, recordings at their own rate
and the SDRs at a wideband rate (sources.Source, without resampling to 200 kHz)."""

import numpy as np
from gnuradio import blocks, gr

from ..wideband import band
from .sources import MAX_SEED, Source, SourceUnavailable, _rtlsdr, _uhd, recording_source

#: the simulated band: an RTL-SDR's 1.024 Msps, six emitters of which a third are of the
#: kinds the models were not trained on
SIM_RATE = 1.024e6
SIM_EMITTERS = 6
SIM_LABELS = tuple(band.LINEAR_POINTS) * 2 + band.OTHER_KINDS
#: SDR rates when none is given: RTL-SDR's fastest stable rate, a USRP B2x0's common one
RTLSDR_RATE, UHD_RATE = 2.4e6, 2e6


class simulated_band(gr.hier_block2):
    """A wideband band from wideband.band.simulate (`emitters` at random centres, 10-100 kbaud,
    `snrs_db` in-band, on and off at random times, through a live receiver unless
    receiver=False), played once and paced at `samp_rate`. `emitters_truth` and `receiver`
    say what was simulated."""

    def __init__(self, samp_rate=SIM_RATE, duration=10.0, seed=1, emitters=SIM_EMITTERS, snrs_db=(10.0, 20.0),
                 receiver=True, throttle=True):
        gr.hier_block2.__init__(self, "simulated_band", gr.io_signature(0, 0, 0),
                                gr.io_signature(1, 1, gr.sizeof_gr_complex))
        from ..data.receiver import demo_receiver

        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
            raise ValueError("seed: an integer from 0 to {}; got {!r}".format(MAX_SEED, seed))
        if not (isinstance(duration, (int, float)) and 0 < duration <= 120):
            raise ValueError("duration: {!r}; allowed: 0 < seconds <= 120 (the band is built in memory)".format(
                duration))
        rng = np.random.default_rng([seed, 23])
        self.receiver = demo_receiver(rng) if receiver else None
        samples, self.emitters_truth = band.simulate(duration, samp_rate, rng, emitters, SIM_LABELS,
                                                     snrs_db=snrs_db, receiver=self.receiver)
        self.total = len(samples)
        self.source = blocks.vector_source_c(samples, False)
        if throttle:
            self.throttle = blocks.throttle(gr.sizeof_gr_complex, samp_rate)
            self.connect(self.source, self.throttle, self)
        else:
            self.connect(self.source, self)


def open_wideband_source(spec, rate=None, freq=100e6, gain=30.0, seed=1, duration=10.0, throttle=True,
                         receiver=True):
    """spec: sim | rtlsdr | uhd | file:PATH | sigmf:PATH, at its own rate. The simulator's
    Source has truth = its emitters."""
    kind, _, argument = str(spec).partition(":")
    if kind == "sim":
        rate = rate or SIM_RATE
        block = simulated_band(rate, duration, seed, receiver=receiver, throttle=throttle)
        return Source(block, float(rate), "simulated band, {} emitters at {:.3f} Msps{}".format(
            len(block.emitters_truth), rate / 1e6, ", simulated receiver" if receiver else ", ideal receiver"),
            block.emitters_truth, receiver=block.receiver)
    if kind in ("file", "sigmf"):
        try:
            block = recording_source(argument, rate or 0.0, repeat=False, throttle=throttle, output_rate=None)
        except ValueError as error:
            raise SourceUnavailable("{}: {}".format(kind, error)) from None
        return Source(block, block.sample_rate, "{} recording {} ({:.0f} Hz)".format(
            "SigMF" if kind == "sigmf" else "raw complex64", argument, block.sample_rate),
            center_freq=block.center_freq)
    if kind == "rtlsdr":
        return _rtlsdr(rate or RTLSDR_RATE, freq, gain, argument)
    if kind == "uhd":
        return _uhd(rate or UHD_RATE, freq, gain, argument)
    raise ValueError("source: unknown '{}'; allowed: sim, rtlsdr, uhd, file:PATH, sigmf:PATH".format(spec))
