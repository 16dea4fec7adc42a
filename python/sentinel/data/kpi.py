# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Synthetic cell KPI time series with labelled anomalies, for two unlike networks.

Every 15 minutes each cell reports PRB usage UL/DL, mean and max throughput UL/DL
and mean and max active UEs. A cell's offered load is its own level times a daily
profile times a weekly factor times slow log-normal (AR(1)) noise; PRB usage
saturates with load, UEs grow with it, throughput is the cell's capacity shared by
the active UEs. Anomalies, labelled Unusual = 1 on every step they cover:

- outage: every KPI drops to zero (1-6 steps);
- congestion: PRB usage pinned at 92-100%, UEs x1.8-3.5, throughput x0.2-0.5 (2-8 steps);
- throughput collapse with normal load: throughput x0.1-0.45, PRB and UEs normal (2-8);
- stuck counters: 4 to all 11 KPIs repeat the last good report exactly (4-12 steps).

Network "A" is business-like (daytime peaks, quiet weekends, newer cells with more
capacity); network "B" is residential (evening peak, busy weekends), more loaded,
with less capacity, noisier, and with a different anomaly mix (mostly collapses and
stuck counters). A model trained on A is measurably worse on B.
"""

import dataclasses

import numpy as np

from .kpi_csv import KPI_COLUMNS, KpiTable

STEPS_PER_DAY = 96
ANOMALY_TYPES = ("outage", "congestion", "throughput_collapse", "stuck")
_DURATIONS = {"outage": (1, 6), "congestion": (2, 8), "throughput_collapse": (2, 8), "stuck": (4, 12)}


@dataclasses.dataclass(frozen=True)
class KpiNetwork:
    name: str
    cells: int
    days: int
    profile: str                 # "business" or "residential"
    load: tuple                  # per-cell load level range
    capacity_mbps: tuple         # per-cell DL capacity range
    max_ues: tuple               # per-cell UEs at full load
    noise: float                 # log-normal sigma of the load noise
    anomaly_rate: float          # fraction of steps inside an anomaly
    anomaly_mix: tuple           # probabilities, in ANOMALY_TYPES order
    start: str = "2026-01-05"    # a Monday

    def parameters(self):
        return dataclasses.asdict(self)


NETWORKS = {
    "A": KpiNetwork("A", cells=40, days=21, profile="business", load=(0.25, 0.75), capacity_mbps=(80, 160),
                    max_ues=(20, 60), noise=0.08, anomaly_rate=0.03, anomaly_mix=(0.3, 0.4, 0.2, 0.1)),
    "B": KpiNetwork("B", cells=30, days=21, profile="residential", load=(0.45, 1.0), capacity_mbps=(30, 80),
                    max_ues=(40, 110), noise=0.14, anomaly_rate=0.04, anomaly_mix=(0.1, 0.15, 0.4, 0.35)),
}


def daily_profile(hours, profile):
    """Relative load over the day (max 1)."""
    def bump(centre, width):
        return np.exp(-0.5 * ((hours - centre) / width) ** 2)

    if profile == "business":
        shape = 0.12 + bump(10.5, 2.2) + 0.9 * bump(15.5, 2.5)
    elif profile == "residential":
        shape = 0.15 + 0.35 * bump(12.5, 2.5) + bump(20.5, 2.8)
    else:
        raise ValueError("profile: unknown '{}'; allowed: business, residential".format(profile))
    return shape / shape.max()


def weekly_factor(weekdays, profile):
    weekend = weekdays >= 5
    if profile == "business":
        return np.where(weekend, 0.55, 1.0)
    return np.where(weekend, 1.1, 0.85)


def _cell_series(network, rng, steps, start_weekday):
    t = np.arange(steps)
    hours = (t % STEPS_PER_DAY) / 4.0
    weekdays = (start_weekday + t // STEPS_PER_DAY) % 7
    level = rng.uniform(*network.load)
    ar = np.zeros(steps)
    shocks = rng.normal(0.0, network.noise, steps)
    for i in range(1, steps):
        ar[i] = 0.8 * ar[i - 1] + shocks[i]
    load = np.clip(level * daily_profile(hours, network.profile) * weekly_factor(weekdays, network.profile)
                   * np.exp(ar), 0.0, 1.3)
    jitter = lambda sigma: np.exp(rng.normal(0.0, sigma, steps))  # noqa: E731
    ues_full = rng.uniform(*network.max_ues)
    mean_ue_dl = ues_full * load * jitter(0.05)
    mean_ue_ul = mean_ue_dl * rng.uniform(0.5, 0.7) * jitter(0.05)
    max_ue_dl = np.round(mean_ue_dl * rng.uniform(1.6, 2.0) * jitter(0.08) + rng.poisson(1.0, steps))
    max_ue_ul = np.round(mean_ue_ul * rng.uniform(1.6, 2.0) * jitter(0.08) + rng.poisson(1.0, steps))
    max_ue_both = np.round(max_ue_dl + 0.7 * max_ue_ul)
    prb_dl = np.clip(100.0 * (1.0 - np.exp(-1.6 * load)) * jitter(0.04), 0.0, 100.0)
    prb_ul = np.clip(prb_dl * rng.uniform(0.3, 0.5) * jitter(0.06), 0.0, 100.0)
    capacity = rng.uniform(*network.capacity_mbps)
    thr_dl = capacity * (prb_dl / 100.0) / (1.0 + 0.08 * mean_ue_dl) * jitter(0.1)
    thr_ul = thr_dl * rng.uniform(0.15, 0.3) * jitter(0.1)
    max_thr_dl = thr_dl * rng.uniform(2.5, 4.0) * jitter(0.12)
    max_thr_ul = thr_ul * rng.uniform(2.5, 4.0) * jitter(0.12)
    columns = {"PRBUsageUL": prb_ul, "PRBUsageDL": prb_dl, "meanThr_DL": thr_dl, "meanThr_UL": thr_ul,
               "maxThr_DL": max_thr_dl, "maxThr_UL": max_thr_ul, "meanUE_DL": mean_ue_dl,
               "meanUE_UL": mean_ue_ul, "maxUE_DL": max_ue_dl, "maxUE_UL": max_ue_ul, "maxUE_UL+DL": max_ue_both}
    return np.stack([columns[c] for c in KPI_COLUMNS], axis=1)


def _inject(values, rng, network):
    """Place non-overlapping anomaly events until about anomaly_rate of the steps are covered."""
    steps = len(values)
    kinds = np.full(steps, "", dtype=object)
    target = int(round(network.anomaly_rate * steps))
    covered = 0
    column = {c: i for i, c in enumerate(KPI_COLUMNS)}
    thr = [column[c] for c in ("meanThr_DL", "meanThr_UL", "maxThr_DL", "maxThr_UL")]
    ues = [column[c] for c in ("meanUE_DL", "meanUE_UL", "maxUE_DL", "maxUE_UL", "maxUE_UL+DL")]
    attempts = 0
    while covered < target and attempts < 10000:
        attempts += 1
        kind = ANOMALY_TYPES[rng.choice(len(ANOMALY_TYPES), p=network.anomaly_mix)]
        length = int(rng.integers(_DURATIONS[kind][0], _DURATIONS[kind][1] + 1))
        start = int(rng.integers(1, steps - length))
        if np.any(kinds[max(0, start - 3):start + length + 3] != ""):
            continue
        span = slice(start, start + length)
        if kind == "outage":
            values[span] = 0.0
        elif kind == "congestion":
            values[span, column["PRBUsageDL"]] = rng.uniform(92.0, 100.0, length)
            values[span, column["PRBUsageUL"]] = rng.uniform(60.0, 95.0, length)
            values[span][:, ues] *= rng.uniform(1.8, 3.5)
            values[span][:, thr] *= rng.uniform(0.2, 0.5)
        elif kind == "throughput_collapse":
            values[span][:, thr] *= rng.uniform(0.1, 0.45)
        else:
            frozen = rng.choice(len(KPI_COLUMNS), int(rng.integers(4, len(KPI_COLUMNS) + 1)), replace=False)
            values[span][:, frozen] = values[start - 1, frozen]
        kinds[span] = kind
        covered += length
    return kinds


def generate_kpi(network="A", seed=0, cells=None, days=None):
    """A KpiTable for `network` ("A", "B" or a KpiNetwork); cells/days override its size."""
    if isinstance(network, str):
        if network not in NETWORKS:
            raise ValueError("network: unknown '{}'; allowed: {}".format(network, ", ".join(NETWORKS)))
        network = NETWORKS[network]
    if cells is not None or days is not None:
        network = dataclasses.replace(network, cells=int(cells or network.cells), days=int(days or network.days))
    if network.cells < 1 or network.days < 1:
        raise ValueError("cells and days: must be at least 1, got {} and {}".format(network.cells, network.days))
    rng = np.random.default_rng(seed)
    steps = network.days * STEPS_PER_DAY
    start = np.datetime64(network.start + "T00:00")
    stamps = start + np.arange(steps) * np.timedelta64(15, "m")
    start_weekday = int((start.astype("datetime64[D]").view("int64") - 4) % 7)  # 1970-01-01 was a Thursday
    times, cells, values, kinds = [], [], [], []
    for c in range(network.cells):
        series = _cell_series(network, rng, steps, start_weekday)
        kinds.append(_inject(series, rng, network))
        values.append(np.round(series, 3))
        cells.extend(["{}{:03d}".format(network.name, c)] * steps)
        times.extend(str(s).replace("T", " ") for s in stamps)
    kinds = np.concatenate(kinds).astype(str)
    attrs = {"recipe": "kpi", "network": network.name, "seed": int(seed), "parameters": network.parameters()}
    return KpiTable(times, np.array(cells), np.concatenate(values).astype(np.float32),
                    (kinds != "").astype(np.int8), kinds, attrs)
