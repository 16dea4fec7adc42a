# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Find the emitters in a band and follow them: averaged periodogram, a robust noise floor,
a CFAR threshold with hysteresis, adjacent bins merged into emitters, tracks with stable
ids. Pure numpy, so the GNU Radio block (sentinel.emitter_detector) and the tests share it.

One update per `fft_size * averages` samples:
1. PSD: the mean of `averages` Hann-windowed periodograms, centred (bin 0 = -fs/2).
2. Noise floor: the `floor_quantile` quantile of the PSD bins divided by that quantile of
   the Gamma(averages, 1/averages) law a noise-only bin follows (so it reads the noise
   level whatever the share of the band emitters occupy, up to 1 - floor_quantile).
3. Regions: runs of bins above floor * 10^((threshold_db - hysteresis_db)/10), gaps of up
   to `merge_bins` bins closed (a wide emitter's bins dip now and then), that hold at least
   one bin above floor * 10^(threshold_db/10); narrower than min_bandwidth_hz: dropped.
   Each region's centre is its power-weighted centroid (power above the floor), its
   bandwidth the span of its bins at least half its in-band level above the floor (the
   -3 dB width), its SNR the in-band mean over the floor.
4. Tracks: a region overlapping a live track's band updates it; otherwise it starts a
   tentative track. A track seen for min_duration_s is confirmed ("appeared" event); one
   not seen for hold_s is dropped ("gone" event, confirmed ones only).
"""

import dataclasses
import math

import numpy as np


def _gamma_quantile(q, k):
    from scipy import stats

    return float(stats.gamma.ppf(q, k, scale=1.0 / k))


@dataclasses.dataclass
class Track:
    id: int
    center_hz: float
    bandwidth_hz: float
    snr_db: float
    power_db: float
    first_seen: int
    last_seen: int
    confirmed: bool = False
    updates: int = 1

    def as_dict(self, time_of=None):
        out = {"id": self.id, "center_hz": self.center_hz, "bandwidth_hz": self.bandwidth_hz, "snr_db": self.snr_db,
               "power_db": self.power_db, "first_seen": self.first_seen, "last_seen": self.last_seen}
        if time_of is not None:
            first, last = time_of(self.first_seen), time_of(self.last_seen)
            if first is not None:
                out["first_seen_time"], out["last_seen_time"] = first, last
        return out


def _positive(name, value, integer=False, minimum=0.0, strict=True):
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool) \
        and math.isfinite(value) and (value > minimum if strict else value >= minimum)
    if integer:
        ok = ok and float(value).is_integer()
    if not ok:
        raise ValueError("{}: {!r}; allowed: a finite {} {} {}".format(
            name, value, "whole number" if integer else "number", ">" if strict else ">=", minimum))
    return int(value) if integer else float(value)


class EmitterTracker:
    def __init__(self, samp_rate, fft_size=1024, averages=8, threshold_db=6.0, hysteresis_db=3.0,
                 min_bandwidth_hz=5e3, min_duration_s=0.02, hold_s=0.05, floor_quantile=0.25, merge_bins=3):
        self.samp_rate = _positive("samp_rate", samp_rate)
        self.fft_size = _positive("fft_size", fft_size, integer=True, minimum=8, strict=False)
        self.averages = _positive("averages", averages, integer=True, minimum=1, strict=False)
        self.threshold_db = _positive("threshold_db", threshold_db)
        self.hysteresis_db = _positive("hysteresis_db", hysteresis_db, strict=False)
        if self.hysteresis_db >= self.threshold_db:
            raise ValueError("hysteresis_db: {}; allowed: 0 <= hysteresis_db < threshold_db ({})".format(
                hysteresis_db, threshold_db))
        self.min_bandwidth_hz = _positive("min_bandwidth_hz", min_bandwidth_hz, strict=False)
        self.min_duration_s = _positive("min_duration_s", min_duration_s, strict=False)
        self.hold_s = _positive("hold_s", hold_s, strict=False)
        self.floor_quantile = _positive("floor_quantile", floor_quantile)
        if not self.floor_quantile < 0.9:
            raise ValueError("floor_quantile: {}; allowed: 0 < quantile < 0.9".format(floor_quantile))
        self.merge_bins = _positive("merge_bins", merge_bins, integer=True, strict=False)
        self.block_size = self.fft_size * self.averages
        self.bin_hz = self.samp_rate / self.fft_size
        self.freqs = (np.arange(self.fft_size) - self.fft_size // 2) * self.bin_hz
        self._window = np.hanning(self.fft_size).astype(np.float32)
        self._window_power = float(np.sum(self._window ** 2))
        self._floor_bias = _gamma_quantile(self.floor_quantile, self.averages)
        self.tracks = {}
        self._next_id = 0
        self.floor = None

    # ---- one update --------------------------------------------------------------------------
    def psd(self, samples):
        """(fft_size,) mean periodogram of `samples` (block_size complex), centred, power per bin."""
        frames = np.asarray(samples, np.complex64).reshape(self.averages, self.fft_size) * self._window
        spectra = np.abs(np.fft.fft(frames, axis=1)) ** 2 / self._window_power
        return np.fft.fftshift(spectra.mean(axis=0))

    def regions(self, psd):
        """[(first bin, last bin)] of the emitters in one PSD, and the noise floor."""
        floor = float(np.quantile(psd, self.floor_quantile) / self._floor_bias)
        high = psd > floor * 10 ** (self.threshold_db / 10)
        low = psd > floor * 10 ** ((self.threshold_db - self.hysteresis_db) / 10)
        edges = np.flatnonzero(np.diff(np.r_[0, low.astype(np.int8), 0]))
        for start in edges[2::2][(edges[2::2] - edges[1:-1:2]) <= self.merge_bins]:
            low[edges[edges < start][-1]:start] = True          # close the short gap before `start`
        edges = np.flatnonzero(np.diff(np.r_[0, low.astype(np.int8), 0]))
        out = []
        for start, stop in zip(edges[::2], edges[1::2]):
            if high[start:stop].any() and (stop - start) * self.bin_hz >= self.min_bandwidth_hz:
                out.append((int(start), int(stop - 1)))
        return out, floor

    def measure(self, psd, region, floor):
        start, stop = region
        band = psd[start:stop + 1]
        excess = np.maximum(band - floor, 0.0)
        weights = excess if excess.sum() > 0 else np.ones_like(band)
        center = float(np.sum(self.freqs[start:stop + 1] * weights) / np.sum(weights))
        # the span of the bins at least half the in-band level over the floor: for a flat
        # emitter that is its bandwidth, whatever the window's leakage and the SNR
        level = np.median(np.sort(excess)[len(excess) // 2:])
        above = np.flatnonzero(excess >= 0.5 * level)
        span = (above[-1] - above[0] + 1) if len(above) else len(band)
        return {"center_hz": center, "bandwidth_hz": float(span * self.bin_hz),
                "snr_db": float(10 * np.log10(max(np.mean(band) / floor - 1.0, 1e-3))),
                "power_db": float(10 * np.log10(max(np.sum(excess), 1e-30)))}

    def update(self, samples, end_offset):
        """Process block_size samples ending at absolute offset `end_offset` (exclusive).
        Returns (emitters: [Track] confirmed and live, events: [dict])."""
        psd = self.psd(samples)
        found, self.floor = self.regions(psd)
        events, seen = [], set()
        last = end_offset - 1
        for region in found:
            m = self.measure(psd, region, self.floor)
            low, high = m["center_hz"] - m["bandwidth_hz"] / 2, m["center_hz"] + m["bandwidth_hz"] / 2
            match = None
            for track in self.tracks.values():
                if track.id in seen:
                    continue
                if low <= track.center_hz + track.bandwidth_hz / 2 and track.center_hz - track.bandwidth_hz / 2 <= high:
                    if match is None or abs(track.center_hz - m["center_hz"]) < abs(match.center_hz - m["center_hz"]):
                        match = track
            if match is None:
                match = Track(self._next_id, first_seen=end_offset - self.block_size, last_seen=last, **m)
                self.tracks[match.id] = match
                self._next_id += 1
            else:
                weight = 1.0 / min(match.updates + 1, 8)   # a running mean over the last ~8 updates
                for key, value in m.items():
                    setattr(match, key, (1 - weight) * getattr(match, key) + weight * value)
                match.last_seen = last
                match.updates += 1
            seen.add(match.id)
            if not match.confirmed and (last - match.first_seen + 1) >= self.min_duration_s * self.samp_rate:
                match.confirmed = True
                events.append({"event": "appeared", "id": match.id})
        for track in list(self.tracks.values()):
            if track.id not in seen and (last - track.last_seen) > self.hold_s * self.samp_rate:
                if track.confirmed:
                    events.append({"event": "gone", "id": track.id})
                del self.tracks[track.id]
        return [t for t in self.tracks.values() if t.confirmed], events
