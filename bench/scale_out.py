"""Scale-out: the per-queue forecast and the per-team roster on 1 process vs a local Dask cluster of 2 workers.

Run: .venv/bin/python bench/scale_out.py [--queues 500] [--agents 2000] [--teams 10] [--team-time-limit 10]
     [--skip-forecast] [--skip-roster] [--csv history.csv.gz]   # (the last writes the generated history too)

Forecast: a seeded history of 500 queues × 2 years of 30-minute intervals (17.5 million rows, generated here in
memory; `--csv` writes it for `wfm forecast`), forecast 14 days with `--model calendar` and its backtest (4
origins), as `wfm forecast --model calendar --backtest` does: in one process (`forecasting.pipeline.build_forecast`,
what `--engine local` runs), then with `forecasting.engines.build_forecast_on` on a Dask LocalCluster of 1 and of 2
single-threaded worker processes (4 batches of queues per worker). The cluster start and the workers' imports are
timed apart; the run is timed from the call to the result. The distributed results are checked equal (bit for bit)
to the one-process result; peak RSS per worker is each worker process's high-water mark.

Roster: 2,000 seeded agents (wfm.roster.synthetic) in 10 teams of 200 × 28 days, 15-minute grid, three queues that
every team shares (so each queue's requirement is split among the teams by the largest-remainder rule), each team
solved with `--team-time-limit` seconds (wfm.roster.teams.solve_team), then merged and its breaks and lunches placed
on the whole roster (10 % of the limit, 3–15 s), as `wfm roster --by team` does: the teams in one process one after
the other, then on 2 Dask workers. Printed: wall times, the summed objective, summed bound and summed gap, merged
under-coverage after the breaks.

Extrapolation to 20 workers (stated in the output): the forecast's time outside the engine (split, choice,
metrics, AHT check, contract frame) and the scatter of the data are serial; the time inside the engine's maps
scales as 1 / (workers × e), e the parallel efficiency measured from 1 to 2 workers (at most 1), held constant
(optimistic: it ignores network transfer on a real cluster and the scheduler's own load). The roster's teams are
indivisible jobs of about one time limit each: wall(w) = ⌈teams / w⌉ × (mean team wall) + the measured fixed
part, so beyond 10 workers nothing is gained for 10 teams.
"""

from __future__ import annotations

import argparse
import math
import os
import time
from dataclasses import replace

import numpy as np
import pandas as pd

from forecasting.engines import build_forecast_on
from forecasting.pipeline import build_forecast
from wfm.engines import LocalEngine, open_engine, peak_rss_mib
from wfm.roster.activities import place_activities, placement_seconds
from wfm.roster.domain import Config, Instance
from wfm.roster.synthetic import synthetic_instance
from wfm.roster.teams import merge_teams, solve_teams, split_by_team

START = pd.Timestamp("2026-11-02")
FORECAST_DAYS = 14


def synthetic_history(queues: int, seed: int = 7, years: int = 2) -> pd.DataFrame:
    """`queues` queues × `years` years of 30-minute history before START: daily hump(s), weekday factor, slow
    trend, yearly wave, queue sizes 1–80 contacts per peak interval, some queues closed at night, Poisson counts;
    AHT per queue and hour with noise."""
    rng = np.random.default_rng(seed)
    stamps = pd.date_range(START - pd.DateOffset(years=years), START, freq="30min", inclusive="left")
    hour = (stamps.hour + stamps.minute / 60).to_numpy()
    weekday = stamps.weekday.to_numpy()
    days = ((stamps - stamps[0]) / pd.Timedelta(days=1)).to_numpy()
    size = rng.uniform(1, 80, queues)[:, None]
    peak = rng.uniform(10, 15, queues)[:, None]
    evening = rng.uniform(0, 0.8, queues)[:, None]
    weekend = rng.uniform(0.3, 1.1, queues)[:, None]
    trend = 1 + rng.uniform(-0.2, 0.4, queues)[:, None] * days / days[-1]
    shape = np.exp(-(((hour - peak) / 3) ** 2)) + evening * np.exp(-(((hour - 20) / 2) ** 2))
    night = rng.random(queues)[:, None] < 0.4
    shape = np.where(night & ((hour < 7) | (hour >= 23)), 0.0, shape + 0.03)
    wave = 1 + 0.1 * np.sin(2 * np.pi * days / 365.25)
    mean = size * shape * np.where(weekday >= 5, weekend, 1.0) * trend * wave
    offered = rng.poisson(mean).astype(float)
    aht = rng.uniform(150, 600, queues)[:, None] * (1 + 0.1 * np.sin(hour / 24 * 2 * np.pi)) + rng.normal(
        0, 20, offered.shape
    )
    names = np.array([f"queue_{q:03d}" for q in range(queues)], dtype=object)
    return pd.DataFrame(
        {
            "queue": np.repeat(names, len(stamps)),
            "interval_start": np.tile(stamps.to_numpy(), queues),
            "offered": offered.ravel(),
            "aht_seconds": np.round(np.where(offered > 0, aht, np.nan), 1).ravel(),
        }
    )


class TimedEngine:
    """An engine that adds up the time spent in its map and put calls (the parallel part and the scatter)."""

    def __init__(self, engine: object) -> None:
        self.engine = engine
        self.map_seconds = 0.0
        self.put_seconds = 0.0

    @property
    def workers(self) -> int:
        return self.engine.workers  # type: ignore[attr-defined]

    def put(self, parts: list) -> list:
        started = time.perf_counter()
        try:
            return self.engine.put(parts)  # type: ignore[attr-defined]
        finally:
            self.put_seconds += time.perf_counter() - started

    def map(self, fn, parts, **kwargs):
        started = time.perf_counter()
        try:
            return self.engine.map(fn, parts, **kwargs)  # type: ignore[attr-defined]
        finally:
            self.map_seconds += time.perf_counter() - started


def bench_forecast(queues: int, seed: int) -> None:
    """One process vs Dask with 1 and 2 workers; equality; peak RSS per worker; extrapolation."""
    began = time.perf_counter()
    history = synthetic_history(queues, seed)
    print(
        f"history: {queues} queues × {history['interval_start'].nunique():,} intervals = {len(history):,} rows, "
        f"generated in {time.perf_counter() - began:.1f} s"
    )
    options = {"model": "calendar", "backtest": True}
    began = time.perf_counter()
    expected = build_forecast(history, START, FORECAST_DAYS, **options)
    local_seconds = time.perf_counter() - began
    local = TimedEngine(LocalEngine())
    began = time.perf_counter()
    build_forecast_on(local, history, START, FORECAST_DAYS, batches=4, **options)
    batched_seconds = time.perf_counter() - began
    print(
        f"1 process: {local_seconds:.1f} s ({len(expected.frame):,} forecast rows, bench process peak RSS "
        f"{peak_rss_mib():,.0f} MiB with the history); the same in 4 batches in-process: {batched_seconds:.1f} s "
        f"(of which {local.map_seconds:.1f} s in the batches)"
    )
    runs = {}
    for workers in (1, 2):
        began = time.perf_counter()
        with open_engine("dask", workers=workers) as engine:
            engine.client.run(lambda: __import__("forecasting.engines"))  # type: ignore[attr-defined]
            started = time.perf_counter() - began
            timed = TimedEngine(engine)
            began = time.perf_counter()
            got = build_forecast_on(timed, history, START, FORECAST_DAYS, **options)
            seconds = time.perf_counter() - began
            peaks = engine.peak_memory_mib()  # type: ignore[attr-defined]
        pd.testing.assert_frame_equal(expected.frame, got.frame, check_exact=True)
        pd.testing.assert_frame_equal(expected.backtest.metrics, got.backtest.metrics, check_exact=True)
        runs[workers] = (seconds, timed.map_seconds, timed.put_seconds)
        print(
            f"dask, {workers} worker(s): {seconds:.1f} s (scatter {timed.put_seconds:.1f} s, in the workers' maps "
            f"{timed.map_seconds:.1f} s, here {seconds - timed.map_seconds - timed.put_seconds:.1f} s); cluster "
            f"start + imports {started:.1f} s; peak RSS per worker "
            + ", ".join(f"{v:,.0f} MiB" for v in sorted(peaks.values()))
            + "; result identical to 1 process: yes"
        )
    (t1, map1, _), (t2, map2, put2) = runs[1], runs[2]
    measured = map1 / (2 * map2)
    efficiency = min(1.0, measured)  # above 1 is noise (the machine's load changed between the runs)
    serial = t2 - map2 - put2
    t20 = serial + put2 + map1 / (20 * efficiency)
    print(
        f"ratio: 1 process / 2 workers = {local_seconds / t2:.2f}; dask 1 worker / 2 workers = {t1 / t2:.2f}; "
        f"parallel efficiency of the maps e = {measured:.2f}" + (" (taken as 1.00)" if measured > 1 else "")
    )
    print(
        f"extrapolated to 20 workers: {serial:.1f} s serial here + {put2:.1f} s scatter + {map1:.1f} s / (20 × "
        f"{efficiency:.2f}) = {t20:.1f} s (speed-up {local_seconds / t20:.1f} × over 1 process)"
    )


def teamed_instance(agents: int, teams: int, days: int, seed: int) -> Instance:
    """The seeded synthetic instance with every agent put in one of `teams` teams (round robin)."""
    base = synthetic_instance(n_agents=agents, days=days, seed=seed)
    members = tuple(replace(a, team=f"T{i % teams + 1:02d}") for i, a in enumerate(base.agents))
    return replace(base, agents=members)


def bench_roster(agents: int, teams: int, days: int, limit: float, seed: int) -> None:
    """Teams one after the other in this process vs on 2 Dask workers: wall time and summed gap."""
    instance = teamed_instance(agents, teams, days, seed)
    config = Config()
    parts = split_by_team(instance, "synthetic agents")
    print(
        f"roster: {agents} agents in {len(parts)} teams × {days} days, {len(instance.queues)} queues shared by every "
        f"team, {instance.interval_minutes}-minute grid, {limit:g} s per team"
    )
    walls = {}
    for name, workers in (("1 process", None), ("dask, 2 workers", 2)):
        began = time.perf_counter()
        with open_engine("local" if workers is None else "dask", workers=workers) as engine:
            if workers:
                engine.client.run(lambda: __import__("wfm.roster.teams"))  # type: ignore[attr-defined]
            started = time.perf_counter() - began
            began = time.perf_counter()
            results = solve_teams(engine, parts, config, limit, seed)
            wall = time.perf_counter() - began
        began = time.perf_counter()
        solution = merge_teams(instance, parts, results, wall, name)
        activities = place_activities(instance, config, solution.assignments, (), placement_seconds(limit), seed=seed)
        finish = time.perf_counter() - began
        stats = solution.stats
        under = np.clip(instance.required - activities.scheduled, 0, None).sum() * instance.interval_minutes / 60
        team_walls = [r.seconds for r in results]
        walls[name] = (wall + finish, float(np.mean(team_walls)))
        no_bound = sum(1 for r in results if r.solution.stats is None or r.solution.stats.lower_bound <= 0)
        print(
            f"{name}: teams {wall:.1f} s (engine start {started:.1f} s apart), each {min(team_walls):.1f}–"
            f"{max(team_walls):.1f} s; merge + breaks on the whole roster {finish:.1f} s; summed objective "
            f"{stats.objective / 60:,.1f}, summed bound {stats.lower_bound / 60:,.1f} "
            f"({no_bound} of {len(results)} teams without an LP bound in time), "
            f"summed gap {stats.gap:.1%}; merged under-coverage {under:,.0f} agent-h"
        )
    one, two = walls["1 process"], walls["dask, 2 workers"]
    fixed = max(0.0, two[0] - math.ceil(teams / 2) * two[1])
    t20 = math.ceil(teams / 20) * two[1] + fixed
    print(f"ratio (teams + merge + breaks): 1 process / 2 workers = {one[0] / two[0]:.2f}")
    print(
        f"extrapolated to 20 workers: ⌈{teams} / 20⌉ × {two[1]:.1f} s (mean team wall on 2 workers) + {fixed:.1f} s "
        f"fixed (merge, breaks, scheduling) = {t20:.1f} s (no gain past {teams} workers: a team is one job)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queues", type=int, default=500)
    parser.add_argument("--agents", type=int, default=2000)
    parser.add_argument("--teams", type=int, default=10)
    parser.add_argument("--days", type=int, default=28)
    parser.add_argument("--team-time-limit", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip-forecast", action="store_true")
    parser.add_argument("--skip-roster", action="store_true")
    parser.add_argument("--csv", help="also write the generated history here (e.g. history.csv.gz)")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the start")
    if args.csv:
        synthetic_history(args.queues, args.seed + 7).to_csv(args.csv, index=False)
        print(f"wrote {args.csv}")
    if not args.skip_forecast:
        bench_forecast(args.queues, args.seed + 7)
    print(f"load average {os.getloadavg()[0]:.1f}")
    if not args.skip_roster:
        bench_roster(args.agents, args.teams, args.days, args.team_time_limit, args.seed)
    print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
