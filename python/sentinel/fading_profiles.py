# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Standard channel profiles for selective_fading_model2.

The profiles (3GPP TS 36.104 EPA/EVA/ETU, ITU-R M.1225 Pedestrian and
Vehicular A/B) live in channel_profiles.json next to this file, in seconds and
dB. fading_profile() converts one to the keyword arguments of
selective_fading_model2 at a given sample rate:

    from gnuradio import sentinel
    channel = sentinel.selective_fading_model2(**sentinel.fading_profile("EVA70", 30.72e6))
"""

import json
import math
import operator
import pathlib
import re

PROFILES_FILE = pathlib.Path(__file__).with_name("channel_profiles.json")

#: Interpolation half-width of selective_fading_model2's fractional-delay
#: kernel: it needs ntaps >= max(delays + delays_maxdev) + this.
KERNEL_HALF_WIDTH = 4

SPEED_OF_LIGHT = 299792458.0

#: selective_fading_model2 takes its seed as a 64-bit unsigned integer
MAX_SEED = 2 ** 64 - 1
#: and N (sinusoids per fader) as a C int
MAX_SINUSOIDS = 2 ** 31 - 1

_cache = None


def _key(name):
    return re.sub(r"[\s_\-]", "", str(name)).lower()


def _integer(name, value, low, high):
    """int(value) when it is an integer in [low, high], else ValueError naming the parameter
    (rather than the binding's TypeError listing every constructor signature)."""
    try:
        number = None if isinstance(value, bool) else operator.index(value)
    except TypeError:
        number = int(value) if isinstance(value, float) and value.is_integer() else None
    if number is None or not low <= number <= high:
        raise ValueError("{}: an integer from {} to {}, got {!r}".format(name, low, high, value))
    return number


def validate_profiles(data):
    """Check the profile data; raise ValueError naming the profile and field."""
    profiles = data.get("profiles")
    if not isinstance(profiles, dict) or not profiles:
        raise ValueError("channel profiles: 'profiles' must be a non-empty object")
    seen = {}
    for name, p in profiles.items():
        where = "channel profile {}".format(name)
        if _key(name) in seen:
            raise ValueError("{}: name clashes with {}".format(where, seen[_key(name)]))
        seen[_key(name)] = name
        for field in ("title", "source", "delays_s", "powers_db", "doppler_hz"):
            if field not in p:
                raise ValueError("{}: missing '{}'".format(where, field))
        delays, powers = p["delays_s"], p["powers_db"]
        if not delays or len(delays) != len(powers):
            raise ValueError("{}: delays_s and powers_db must be non-empty and of equal "
                             "length ({} vs {})".format(where, len(delays), len(powers)))
        if any(not isinstance(v, (int, float)) or not math.isfinite(v)
               for v in list(delays) + list(powers)):
            raise ValueError("{}: delays and powers must be finite numbers".format(where))
        if delays[0] != 0.0:
            raise ValueError("{}: the first delay must be 0".format(where))
        if any(b <= a for a, b in zip(delays, delays[1:])):
            raise ValueError("{}: delays_s must be strictly increasing".format(where))
        if max(delays) > 1e-3:
            raise ValueError("{}: delays_s are in seconds; {} is implausible".format(
                where, max(delays)))
        if any(v > 0.0 for v in powers) or max(powers) != 0.0:
            raise ValueError("{}: powers_db must be <= 0 dB with the strongest path at "
                             "0 dB".format(where))
        if not (p["doppler_hz"] >= 0.0 and math.isfinite(p["doppler_hz"])):
            raise ValueError("{}: doppler_hz must be >= 0".format(where))
        if "speed_kmh" in p:
            derived = p["speed_kmh"] / 3.6 * p["carrier_hz"] / SPEED_OF_LIGHT
            if abs(derived - p["doppler_hz"]) > 0.01 * derived:
                raise ValueError("{}: doppler_hz {} does not match speed_kmh and "
                                 "carrier_hz ({:.3f} Hz)".format(where, p["doppler_hz"],
                                                                 derived))
    return profiles


def load_profiles():
    """The validated profiles, as a dict keyed by name."""
    global _cache
    if _cache is None:
        with open(PROFILES_FILE) as f:
            _cache = validate_profiles(json.load(f))
    return _cache


def fading_profile_names():
    """Names accepted by fading_profile()."""
    return list(load_profiles())


def lookup_profile(name):
    """The raw profile entry (delays in seconds, powers in dB) for a name.

    Names match ignoring case, spaces, dashes and underscores (EVA70, eva-70).
    """
    profiles = load_profiles()
    for key, profile in profiles.items():
        if _key(key) == _key(name):
            return profile
    raise ValueError("unknown channel profile {!r}; known: {}".format(
        name, ", ".join(profiles)))


def fading_profile(name, samp_rate, doppler_hz=None, N=8, seed=0, LOS=False, K=4.0,
                   delays_std=0.0, delays_maxdev=0.0, normalize=True, **extra):
    """Keyword arguments of selective_fading_model2 for a standard profile.

    name: a profile from channel_profiles.json (fading_profile_names()).
    samp_rate: sample rate in Hz; delays become samples (delay * samp_rate).
    doppler_hz: maximum Doppler in Hz; None or 0 uses the profile's own.
    N, seed, LOS, K: passed through (LOS makes the first path Rice); seed is an
        integer from 0 to 2**64 - 1, N an integer >= 1 (ValueError otherwise).
    delays_std, delays_maxdev: per-sample delay walk step and range in
        samples, the same for every path (0: fixed delays, as the standards
        specify).
    normalize: scale mags (linear amplitudes 10^(dB/20)) to unit total power.
    extra: further keyword arguments passed through (taps_interval,
        tap_update_interval, taps_tags, ...).

    Returns a dict with N, fDTs, LOS, K, seed, delays, delays_std,
    delays_maxdev, mags, ntaps and the extras; ntaps is the smallest the block
    accepts: ceil(max delay + delays_maxdev + 4).
    """
    if not samp_rate > 0:
        raise ValueError("samp_rate must be > 0, got {}".format(samp_rate))
    if delays_std < 0 or delays_maxdev < 0:
        raise ValueError("delays_std and delays_maxdev must be >= 0")
    seed = _integer("seed", seed, 0, MAX_SEED)
    N = _integer("N", N, 1, MAX_SINUSOIDS)
    profile = lookup_profile(name)
    doppler = profile["doppler_hz"] if not doppler_hz else float(doppler_hz)
    fDTs = doppler / samp_rate
    if fDTs > 0.5:
        raise ValueError("Doppler {} Hz is above half the sample rate {}".format(
            doppler, samp_rate))
    delays = [float(d) * samp_rate for d in profile["delays_s"]]
    mags = [10.0 ** (p / 20.0) for p in profile["powers_db"]]
    if normalize:
        total = math.sqrt(sum(m * m for m in mags))
        mags = [m / total for m in mags]
    paths = len(delays)
    ntaps = int(math.ceil(max(delays) + delays_maxdev + KERNEL_HALF_WIDTH))
    kwargs = dict(N=int(N), fDTs=fDTs, LOS=bool(LOS), K=float(K), seed=int(seed),
                  delays=delays, delays_std=[float(delays_std)] * paths,
                  delays_maxdev=[float(delays_maxdev)] * paths, mags=mags, ntaps=ntaps)
    kwargs.update(extra)
    return kwargs
