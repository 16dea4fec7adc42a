# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Signal sources for `sentinel run`: the simulator, recordings, RTL-SDR and USRP.

Each returns a Source: a GNU Radio block with one complex output, its sample rate,
and the simulator's ground truth when there is one. A missing driver or device raises
SourceUnavailable with a message that names it and says what to install or check.
"""

import dataclasses
import math
import numbers
import pathlib

from gnuradio import analog, blocks, gr

from ..data.channel import ChannelConfig
from . import scenario

#: simulated_transmitter's seed: the noise source and the fading model take it as a C int
MAX_SEED = 2 ** 31 - 3
#: simulated_transmitter's SNR range in dB (beyond it the noise amplitude over- or underflows)
MAX_SNR_DB = 200.0
#: Mean output power of the demo's fading channel for a unit-power input: selective fading
#: model 2 keeps its paths' magnitudes, so their powers add (1 + 0.64 + 0.09, +2.4 dB).
CHANNEL_POWER = sum(m ** 2 for m in ChannelConfig().fading_mags)


class SourceUnavailable(RuntimeError):
    """The requested source cannot be opened here (no driver, no device, no file)."""


@dataclasses.dataclass
class Source:
    block: object
    sample_rate: float
    description: str
    truth: object = None          # (segments, total samples) for the simulator
    center_freq: float = 0.0
    receiver: dict = None         # the simulator's receiver impairments, as applied


class simulated_transmitter(gr.hier_block2):
    """The demo's transmitter: a scenario of `duration` seconds (the 11 classes and
    anomalous signals, switching every 0.2-0.5 s; looping) -> selective fading model 2
    -> AWGN at `snr_db` (per sample, against the channel's mean output power, as the data
    generator and every evaluation define it) -> with `receiver`, what a live SDR adds (a carrier
    offset within +-2 ppm of 433.92 MHz with slow drift, IQ imbalance, DC, an AGC and an
    8-bit ADC; drawn per seed, see data.receiver.demo_receiver; `self.receiver` says what
    was applied) -> throttle at 200 kHz (unless `throttle` is off).
    `segments` and `total` give the ground truth."""

    def __init__(self, snr_db=18.0, seed=1, duration=20.0, throttle=True, receiver=True):
        gr.hier_block2.__init__(self, "simulated_transmitter", gr.io_signature(0, 0, 0),
                                gr.io_signature(1, 1, gr.sizeof_gr_complex))
        from ..data.channel import _fading_block

        duration, snr_db = _real("duration", duration), _checked_snr(snr_db)
        if not (math.isfinite(duration) and duration > 0):
            raise ValueError("duration: the scenario's length in seconds, a finite number > 0 (up to 60 are "
                             "built, then it loops); got {!r}".format(duration))
        if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or not 0 <= seed <= MAX_SEED:
            raise ValueError("seed: an integer from 0 to {}; got {!r}".format(MAX_SEED, seed))
        seed = int(seed)
        samples, self.segments = scenario.build(min(duration, 60.0), seed)
        self.total = len(samples)
        self.receiver = None
        if receiver:
            from ..data import receiver as rx
            import numpy as np

            self.receiver = rx.demo_receiver(np.random.default_rng([seed, 3]))
            # The offset between the emitter's and the receiver's oscillators: applied to the
            # emitted samples (the selective channel is flat across a kHz).
            samples = rx.rotate(samples, self.receiver["cfo_hz"], scenario.SAMPLE_RATE, self.receiver["phase_rad"],
                                self.receiver["drift_hz_per_s"])

        self.source = blocks.vector_source_c(samples, True)
        self.fading = _fading_block(ChannelConfig(), seed + 1)
        self.noise = analog.noise_source_c(analog.GR_GAUSSIAN, self._noise_amplitude(snr_db), seed + 2)
        self.add = blocks.add_cc()
        chain = [self.source, self.fading, (self.add, 0)]
        self.connect(*chain)
        self.connect(self.noise, (self.add, 1))
        last = self.add
        if self.receiver:
            power = CHANNEL_POWER * (1.0 + 10 ** (-snr_db / 10))
            last = self._receiver_front_end(last, power)
        if throttle:
            self.throttle = blocks.throttle(gr.sizeof_gr_complex, scenario.SAMPLE_RATE)
            self.connect(last, self.throttle, self)
        else:
            self.connect(last, self)

    def set_snr_db(self, snr_db):
        """Change the SNR (dB per sample) while the flowgraph runs."""
        snr_db = _checked_snr(snr_db)
        self.noise.set_amplitude(self._noise_amplitude(snr_db))

    @staticmethod
    def _noise_amplitude(snr_db):
        """The noise source's amplitude for `snr_db` against the faded signal's mean power."""
        return math.sqrt(CHANNEL_POWER * 10 ** (-snr_db / 10))

    def _receiver_front_end(self, upstream, power):
        """IQ imbalance (Q' = g (Q cos phi - I sin phi)), the DC offset, then an AGC set for
        the stream's known power and GNU Radio's 8-bit conversion (float_to_char rounds and
        saturates). Returns the last block."""
        r = self.receiver
        g = 10 ** (r["iq_gain_db"] / 20)
        phi = math.radians(r["iq_phase_deg"])
        self.split = blocks.complex_to_float()
        self.q_from_q = blocks.multiply_const_ff(g * math.cos(phi))
        self.q_from_i = blocks.multiply_const_ff(-g * math.sin(phi))
        self.q_sum = blocks.add_ff()
        self.merge = blocks.float_to_complex()
        self.connect(upstream, self.split)
        self.connect((self.split, 0), (self.merge, 0))
        self.connect((self.split, 0), self.q_from_i, (self.q_sum, 0))
        self.connect((self.split, 1), self.q_from_q, (self.q_sum, 1))
        self.connect(self.q_sum, (self.merge, 1))
        dc = r["dc_relative"] * math.sqrt(power) * complex(math.cos(r["dc_angle"]), math.sin(r["dc_angle"]))
        self.dc = blocks.add_const_cc(dc)
        self.connect(self.merge, self.dc)
        levels = 2 ** (r["adc_bits"] - 1) - 1
        rail_rms = math.sqrt(power * (1 + r["dc_relative"] ** 2) / 2)
        gain = 10 ** (-r["agc_backoff_db"] / 20) / rail_rms * levels
        self.adc_split = blocks.complex_to_float()
        self.adc = [blocks.float_to_char(1, gain), blocks.float_to_char(1, gain)]
        self.dac = [blocks.char_to_float(1, levels), blocks.char_to_float(1, levels)]
        self.adc_merge = blocks.float_to_complex()
        self.connect(self.dc, self.adc_split)
        for rail in (0, 1):
            self.connect((self.adc_split, rail), self.adc[rail], self.dac[rail], (self.adc_merge, rail))
        return self.adc_merge


def _checked_snr(snr_db):
    snr_db = _real("snr_db", snr_db)
    if not -MAX_SNR_DB <= snr_db <= MAX_SNR_DB:
        raise ValueError("snr_db: SNR per sample in dB after the channel, a finite number from {:g} to {:g}; got "
                         "{!r}".format(-MAX_SNR_DB, MAX_SNR_DB, snr_db))
    return snr_db


def _real(name, value):
    """float(value), or ValueError naming the parameter (NaN and infinity pass: the caller bounds them)."""
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ValueError("{}: a number, got {!r}".format(name, value)) from None


def resampler_to(rate, output_rate=scenario.SAMPLE_RATE):
    """A rational resampler from `rate` to `output_rate`, or None when they are equal."""
    import fractions

    from gnuradio import filter as gr_filter

    if abs(rate - output_rate) <= 1e-6 * output_rate:
        return None
    ratio = fractions.Fraction(output_rate / rate).limit_denominator(1000)
    return gr_filter.rational_resampler_ccc(ratio.numerator, ratio.denominator)


class recording_source(gr.hier_block2):
    """A SigMF recording (its .sigmf-meta or .sigmf-data path, or the base name) or a raw
    complex64 file, paced at its own rate (`throttle`) and resampled to `output_rate`
    (None: kept at its own rate).
    A raw file needs `sample_rate`; a SigMF recording brings its own (a non-zero
    `sample_rate` overrides it)."""

    def __init__(self, path, sample_rate=0.0, repeat=True, throttle=True, output_rate=scenario.SAMPLE_RATE):
        gr.hier_block2.__init__(self, "recording_source", gr.io_signature(0, 0, 0),
                                gr.io_signature(1, 1, gr.sizeof_gr_complex))
        from ..data.sigmf_io import sigmf_source

        path = pathlib.Path(str(path))
        meta = path.with_suffix(".sigmf-meta") if path.suffix in (".sigmf-meta", ".sigmf-data") \
            else path.with_name(path.name + ".sigmf-meta")
        self.center_freq = 0.0
        if meta.is_file():
            self.source = sigmf_source(str(meta), repeat)
            rate = float(sample_rate or self.source.sample_rate)
            self.center_freq = self.source.center_freq
            if rate <= 0:
                raise ValueError("sample_rate: {} has no core:sample_rate; give one".format(meta))
        elif path.is_file():
            if sample_rate <= 0:
                raise ValueError("sample_rate: the raw complex64 file {} needs its sample rate".format(path))
            rate = float(sample_rate)
            self.source = blocks.file_source(gr.sizeof_gr_complex, str(path), repeat)
        else:
            raise ValueError("path: {} is neither a SigMF recording nor a file".format(path))
        self.sample_rate = rate
        chain = [self.source]
        if throttle:
            self.throttle = blocks.throttle(gr.sizeof_gr_complex, rate)
            chain.append(self.throttle)
        self.resampler = resampler_to(rate, output_rate) if output_rate else None
        if self.resampler is not None:
            chain.append(self.resampler)
        self.connect(*chain, self)


def open_source(spec, rate=None, freq=100e6, gain=30.0, snr_db=18.0, seed=0, duration=20.0, throttle=True,
                receiver=True):
    """spec: sim | rtlsdr | uhd | file:PATH | sigmf:PATH. receiver: the simulator's receiver
    impairments (ignored by the other sources, whose receiver is real)."""
    kind, _, argument = str(spec).partition(":")
    if kind == "sim":
        block = simulated_transmitter(snr_db, seed, duration, throttle, receiver)
        return Source(block, scenario.SAMPLE_RATE,
                      "simulated transmitter, selective fading model 2, {:.0f} dB SNR{}".format(
                          snr_db, ", simulated receiver" if receiver else ", ideal receiver"),
                      (block.segments, block.total), receiver=block.receiver)
    if kind in ("file", "sigmf"):
        try:
            block = recording_source(argument, rate or (scenario.SAMPLE_RATE if kind == "file" else 0.0),
                                     repeat=False, throttle=throttle)
        except ValueError as error:
            raise SourceUnavailable("{}: {}".format(kind, error)) from None
        return Source(block, scenario.SAMPLE_RATE, "{} recording {} ({:.0f} Hz)".format(
            "SigMF" if kind == "sigmf" else "raw complex64", argument, block.sample_rate),
            center_freq=block.center_freq)
    if kind == "rtlsdr":
        return _rtlsdr(rate or 1.024e6, freq, gain, argument)
    if kind == "uhd":
        return _uhd(rate or 1e6, freq, gain, argument)
    raise ValueError("source: unknown '{}'; allowed: sim, rtlsdr, uhd, file:PATH, sigmf:PATH".format(spec))


def _rtlsdr(rate, freq, gain, args):
    try:
        import osmosdr
    except ImportError:
        raise SourceUnavailable("rtlsdr: the gr-osmosdr package is not installed "
                                "(Debian/Ubuntu: sudo apt-get install gr-osmosdr)") from None
    try:
        block = osmosdr.source(args="numchan=1 rtl={}".format(args or "0"))
        block.set_sample_rate(rate)
        block.set_center_freq(freq)
        block.set_gain(gain)
    except RuntimeError as error:
        raise SourceUnavailable("rtlsdr: no RTL-SDR dongle found ({}); plug one in and check `rtl_test`".format(
            error)) from None
    return Source(block, float(rate), "RTL-SDR at {:.3f} MHz".format(freq / 1e6), center_freq=freq)


def _uhd(rate, freq, gain, args):
    try:
        from gnuradio import uhd
    except ImportError:
        raise SourceUnavailable("uhd: GNU Radio's UHD support is not installed "
                                "(Debian/Ubuntu: sudo apt-get install gnuradio libuhd-dev uhd-host)") from None
    try:
        # (uhd.find_devices is broken in GNU Radio 3.10.5's bindings; opening the device tells.)
        block = uhd.usrp_source(args or "", uhd.stream_args(cpu_format="fc32", channels=[0]))
        block.set_samp_rate(rate)
        block.set_center_freq(freq, 0)
        block.set_gain(gain, 0)
    except Exception as error:  # UHD raises RuntimeError, LookupError or KeyError
        raise SourceUnavailable("uhd: no USRP found{} ({}); check the USB/Ethernet link, the device address "
                                "and `uhd_find_devices`".format(" at '" + args + "'" if args else "",
                                                                str(error).strip().splitlines()[0][:120])) from None
    return Source(block, float(rate), "USRP at {:.3f} MHz".format(freq / 1e6), center_freq=freq)
