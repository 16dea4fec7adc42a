# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""The channel profile data file and sentinel.fading_profile()."""

import copy
import json
import math

import numpy as np
import pytest

from gnuradio import sentinel
from gnuradio.sentinel import fading_profiles

REQUIRED = ["EPA5", "EVA5", "EVA70", "ETU70", "ETU300", "PedA", "PedB", "VehA", "VehB"]


def raw():
    with open(fading_profiles.PROFILES_FILE) as f:
        return json.load(f)


def test_data_file_is_valid():
    """Every profile: equal lengths, first delay 0, strictly increasing delays, powers <= 0 dB
    with the strongest at 0 dB, Doppler >= 0 (and consistent with speed and carrier)."""
    profiles = fading_profiles.validate_profiles(raw())
    assert sorted(profiles) == sorted(REQUIRED)
    for name, p in profiles.items():
        assert len(p["delays_s"]) == len(p["powers_db"]) >= 4, name
        assert p["delays_s"][0] == 0.0
        assert all(b > a for a, b in zip(p["delays_s"], p["delays_s"][1:])), name
        assert max(p["powers_db"]) == 0.0 and all(v <= 0.0 for v in p["powers_db"]), name
        assert p["doppler_hz"] >= 0.0


def test_known_values():
    """Spot checks against 3GPP TS 36.104 Annex B and ITU-R M.1225."""
    p = fading_profiles.load_profiles()
    assert p["EPA5"]["delays_s"][-1] == pytest.approx(410e-9)
    assert p["EPA5"]["powers_db"][-1] == -20.8
    assert len(p["EVA70"]["delays_s"]) == 9 and p["EVA70"]["delays_s"][-1] == pytest.approx(2510e-9)
    assert p["ETU300"]["delays_s"][-1] == pytest.approx(5000e-9)
    assert p["ETU300"]["powers_db"][:3] == [-1.0, -1.0, -1.0]
    assert [p[n]["doppler_hz"] for n in ("EPA5", "EVA5", "EVA70", "ETU70", "ETU300")] == [
        5.0, 5.0, 70.0, 70.0, 300.0]
    assert p["PedB"]["powers_db"][-1] == -23.9
    assert p["VehB"]["delays_s"][-1] == pytest.approx(20e-6)
    assert p["VehB"]["powers_db"][:2] == [-2.5, 0.0]


@pytest.mark.parametrize("mutate, message", [
    (lambda p: p["EPA5"]["powers_db"].pop(), "equal length"),
    (lambda p: p["EPA5"]["delays_s"].reverse(), "first delay|increasing"),
    (lambda p: p["EVA5"]["powers_db"].__setitem__(1, 1.5), "<= 0 dB"),
    (lambda p: p["PedA"].__setitem__("doppler_hz", 50.0), "speed_kmh"),
    (lambda p: p["ETU70"].pop("source"), "source"),
    (lambda p: p["VehA"]["delays_s"].__setitem__(5, 2.51), "seconds"),
])
def test_validator_rejects_bad_data(mutate, message):
    """The validator names the profile and the problem."""
    data = copy.deepcopy(raw())
    mutate(data["profiles"])
    with pytest.raises(ValueError, match=message):
        fading_profiles.validate_profiles(data)


def test_conversion_to_block_arguments():
    """Delays become samples, powers linear amplitudes of unit total power, Doppler fD/fs,
    and ntaps the smallest the block accepts."""
    fs = 30.72e6
    kw = sentinel.fading_profile("EVA70", fs, seed=3)
    p = sentinel.lookup_profile("eva-70")
    assert np.allclose(kw["delays"], np.array(p["delays_s"]) * fs)
    amps = 10 ** (np.array(p["powers_db"]) / 20)
    assert np.allclose(kw["mags"], amps / np.linalg.norm(amps))
    assert kw["fDTs"] == pytest.approx(70.0 / fs)
    assert kw["ntaps"] == math.ceil(2510e-9 * fs + 4)
    assert kw["seed"] == 3 and kw["delays_std"] == [0.0] * 9
    sentinel.selective_fading_model2(**kw)
    with pytest.raises(ValueError, match="ntaps"):
        sentinel.selective_fading_model2(**dict(kw, ntaps=kw["ntaps"] - 1))
    assert sentinel.fading_profile("EPA5", 1e6, doppler_hz=30.0)["fDTs"] == pytest.approx(3e-5)
    raw_mags = sentinel.fading_profile("VehB", 1e6, normalize=False)["mags"]
    assert max(raw_mags) == 1.0


@pytest.mark.parametrize("name", REQUIRED)
@pytest.mark.parametrize("fs", [1e6, 30.72e6])
def test_every_profile_builds_a_block(name, fs):
    """Each profile at 1 Msps and 30.72 Msps constructs the block, with a walk too."""
    block = sentinel.selective_fading_model2(**sentinel.fading_profile(
        name, fs, delays_std=1e-4, delays_maxdev=0.5, taps_interval=0))
    assert len(block.mags()) == len(sentinel.lookup_profile(name)["delays_s"])


def test_bad_requests():
    """Unknown names, bad sample rates and a Doppler above fs/2 are refused."""
    with pytest.raises(ValueError, match="unknown channel profile"):
        sentinel.fading_profile("EPA6", 1e6)
    with pytest.raises(ValueError, match="samp_rate"):
        sentinel.fading_profile("EPA5", 0)
    with pytest.raises(ValueError, match="Doppler"):
        sentinel.fading_profile("EPA5", 100.0, doppler_hz=60.0)
    assert set(REQUIRED) <= set(sentinel.fading_profile_names())


@pytest.mark.parametrize("seed", [-1, 2 ** 64, 1.5, "3", None, True])
def test_bad_seed_or_N_is_a_value_error_naming_it(seed):
    """fading_profile(seed=-1) (the Fading Profile Channel's make) is a ValueError that
    names seed and its range, not the binding's TypeError listing every signature."""
    with pytest.raises(ValueError, match=r"^seed: an integer from 0 to 18446744073709551615, got "):
        sentinel.fading_profile("EVA70", 1e6, seed=seed)
    with pytest.raises(ValueError, match=r"^N: an integer from 1 to "):
        sentinel.fading_profile("EVA70", 1e6, N=0)


def test_largest_seed_builds_a_block():
    kw = sentinel.fading_profile("EVA70", 1e6, seed=2 ** 64 - 1)
    assert kw["seed"] == 2 ** 64 - 1
    assert sentinel.selective_fading_model2(**kw).seed() == 2 ** 64 - 1
