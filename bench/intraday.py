"""Intraday reforecast benchmark: rest-of-day WAPE of the day-ahead forecast vs the reforecast, and the sample's
Double 11 gap and actions at 10:00.

Real data: the Anonymous Bank's 1999 calls (6-minute counts summed to 30 minutes). Every full working day
(Sunday–Thursday, the centre's full days; days it was closed are skipped) from 1 October to 31 December 1999 is
forecast the day before by the `calendar` model with the Israeli holiday calendar, as `wfm forecast --model
calendar --holidays IL --days 1` would; the reforecast's weights are learned from the 20 working days before each
day, from those days' own day-ahead forecasts (no look-ahead). WAPE = Σ|actual − forecast| / Σ actual over the
intervals that have not ended by the cut-off, pooled over the days.

    .venv/bin/python bench/intraday.py [--first 1999-10-01 --last 1999-12-31] [--learn-days 20] [--skip-sample]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from forecasting.events import read_events, site_holidays  # noqa: E402
from forecasting.history import read_history  # noqa: E402
from forecasting.intraday import (  # noqa: E402
    BAND_BLOCK_MINUTES,
    BAND_BLOCKS,
    day_ahead_forecasts,
    learn_weights,
    reforecast,
)
from forecasting.real_data import read_anonbank_6min  # noqa: E402

REAL = ROOT.parent / "shared" / "data" / "real"
CUTOFFS = ("10:00", "12:00", "14:00")
WORKING_DAYS = (6, 0, 1, 2, 3)  # Sunday–Thursday


def coarse(history: pd.DataFrame, minutes: int) -> pd.DataFrame:
    """History summed to `minutes`-minute intervals."""
    stamps = pd.to_datetime(history["interval_start"]).dt.floor(f"{minutes}min")
    out = history.assign(interval_start=stamps).groupby(["queue", "interval_start"], as_index=False)["offered"].sum()
    return out


def anonbank(first: str, last: str, learn_days: int) -> None:
    """Rest-of-day WAPE per cut-off over every working day of the period."""
    history = coarse(read_anonbank_6min(REAL / "anonbank_1999_6min_fullyear.csv"), 30)
    calendar = site_holidays("IL", range(1998, 2001), categories=("public", "optional"))
    totals = history.groupby(history["interval_start"].dt.normalize())["offered"].sum()
    open_days = [d for d in totals.index if totals[d] > 0 and d.weekday() in WORKING_DAYS]
    targets = [d for d in open_days if pd.Timestamp(first) <= d <= pd.Timestamp(last)]
    first_target = open_days.index(targets[0])
    needed = open_days[max(0, first_target - learn_days) :]
    needed = [d for d in needed if d <= targets[-1]]
    started = time.monotonic()
    backcasts = day_ahead_forecasts(history, needed, model="calendar", calendar=calendar, aht_seconds=180.0)
    print(f"{len(needed)} day-ahead forecasts in {time.monotonic() - started:.0f} s", file=sys.stderr)
    backcasts["day"] = pd.to_datetime(backcasts["interval_start"]).dt.normalize()
    rows, blocks = [], []
    for cut in CUTOFFS:
        hour, minute = (int(p) for p in cut.split(":"))
        cutoff = hour * 60 + minute
        err_f = err_r = err_o = volume = inside = 0.0
        n_intervals = 0
        by_block = np.zeros((2, BAND_BLOCKS))  # inside, intervals per block ahead of the cut-off
        per_day = []
        for day in targets:
            k = open_days.index(day)
            past_days = open_days[max(0, k - learn_days) : k]
            past = backcasts[backcasts["day"].isin(past_days)]
            weights = learn_weights(past.drop(columns="day"), cutoff)
            today = backcasts[backcasts["day"] == day].drop(columns="day")
            until = day + pd.Timedelta(minutes=cutoff)
            refc = reforecast(today, until, weights)
            rest = refc[refc["rest_of_day"]]
            actual = today.set_index(["queue", "interval_start"])["actual"]
            a = actual.reindex(pd.MultiIndex.from_frame(rest[["queue", "interval_start"]])).fillna(0).to_numpy()
            ef, er = np.abs(a - rest["forecast"].to_numpy()).sum(), np.abs(a - rest["reforecast"].to_numpy()).sum()
            err_f, err_r, volume = err_f + ef, err_r + er, volume + a.sum()
            # the bound: the forecast's profile scaled to the true rest-of-day total (a perfect level update)
            oracle = rest["forecast"].to_numpy() * a.sum() / max(rest["forecast"].sum(), 1e-9)
            err_o += np.abs(a - oracle).sum()
            hit = (a >= rest["volume_lo"].to_numpy()) & (a <= rest["volume_hi"].to_numpy())
            inside += hit.sum()
            n_intervals += len(a)
            ahead = ((pd.to_datetime(rest["interval_start"]) - until) / pd.Timedelta(minutes=1)).to_numpy()
            block = np.clip(ahead // BAND_BLOCK_MINUTES, 0, BAND_BLOCKS - 1).astype(int)
            np.add.at(by_block[0], block, hit)
            np.add.at(by_block[1], block, 1)
            per_day.append((ef, er, (weights.day_weight, weights.recent_weight)))
        wape_f, wape_r = err_f / volume, err_r / volume
        better = sum(er < ef for ef, er, _ in per_day)
        mean_w = np.mean([w for *_, w in per_day], axis=0)
        rows.append(
            (cut, wape_f, wape_r, 1 - wape_r / wape_f, err_o / volume, inside / max(n_intervals, 1), better, mean_w)
        )
        blocks.append((cut, by_block[0] / np.maximum(by_block[1], 1)))
    print(
        f"\nAnonymous Bank 30-min, {len(targets)} working days {targets[0].date()}–{targets[-1].date()}, "
        f"weights learned from the {learn_days} working days before each day"
    )
    print(
        "| cut-off | day-ahead WAPE | reforecast WAPE | change | true-level bound | 80 % band coverage | days better "
        "| mean weights (day, recent) |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for cut, wf, wr, gain, bound, cover, better, w in rows:
        change = f"−{gain:.1%}" if gain >= 0 else f"+{-gain:.1%}"
        print(
            f"| {cut} | {wf:.2%} | {wr:.2%} | {change} | {bound:.2%} (−{1 - bound / wf:.1%}) | {cover:.1%} | "
            f"{better}/{len(targets)} | "
            f"{w[0]:.2f}, {w[1]:.2f} |"
        )
    hours = BAND_BLOCK_MINUTES // 60
    names = [f"{hours * b}–{hours * (b + 1)} h" for b in range(BAND_BLOCKS - 1)] + [f"{hours * (BAND_BLOCKS - 1)} h +"]
    print("\n80 % band coverage (conformally calibrated) by hours ahead of the cut-off:")
    print("| cut-off | " + " | ".join(names) + " |")
    print("|---" * (BAND_BLOCKS + 1) + "|")
    for cut, share in blocks:
        print(f"| {cut} | " + " | ".join(f"{x:.1%}" for x in share) + " |")


def double_eleven() -> None:
    """The sample's Double 11 2025: reforecast, rest-of-day gap and suggested actions at 10:00."""
    import tempfile

    from wfm.intraday.session import IntradayInputs, run_intraday

    data = ROOT / "data"
    day = pd.Timestamp("2025-11-11")
    history = read_history(data / "history.csv.gz")
    stamps = pd.to_datetime(history["interval_start"])
    calendar = read_events(data / "events.csv") + site_holidays("CN", range(2023, 2027))
    until = day + pd.Timedelta(hours=10)
    actuals = history[(stamps >= day) & (stamps < until)]
    with tempfile.TemporaryDirectory() as tmp:
        roster_file = Path(tmp) / "roster.csv"
        _sample_roster(history[stamps < day], day, calendar, roster_file)
        started = time.monotonic()
        result = run_intraday(
            IntradayInputs(
                history=history[stamps < day],
                actuals=actuals,
                until=until,
                roster=roster_file,
                agents=data / "agents.csv",
                queues=data / "queues.csv",
                shifts=data / "shifts.csv",
                rules=data / "rules.toml",
                time_off=data / "time_off.csv",
                calendar=calendar,
            ),
            progress=lambda line: print(line, file=sys.stderr),
        )
        seconds = time.monotonic() - started
    refc = result.reforecast
    day_rows = history[(stamps >= day) & (stamps < day + pd.Timedelta(days=1))]
    truth = day_rows.groupby("queue")["offered"].sum()
    rest = refc[refc["rest_of_day"]]
    print(f"\nSample Double 11 ({day.date()}) at 10:00 (intraday run {seconds:.0f} s, roster built for the day)")
    w = result.weights
    print(f"weights: day {w.day_weight:.2f}, recent {w.recent_weight:.2f}, AHT {w.aht_weight:.2f}")
    print(
        "| queue | day-ahead day total | actual day total | reforecast day total | rest WAPE day-ahead "
        "| rest WAPE reforecast |"
    )
    print("|---|---|---|---|---|---|")
    actual_rest = day_rows.set_index(["queue", "interval_start"])["offered"]
    for queue, part in rest.groupby("queue"):
        so_far = refc[(refc["queue"] == queue) & ~refc["rest_of_day"]]["actual"].sum()
        a = actual_rest.reindex(pd.MultiIndex.from_frame(part[["queue", "interval_start"]])).fillna(0).to_numpy()
        print(
            f"| {queue} | {refc[refc['queue'] == queue]['forecast'].sum():,.0f} | {truth.get(queue, 0):,.0f} | "
            f"{so_far + part['reforecast'].sum():,.0f} | {np.abs(a - part['forecast']).sum() / a.sum():.1%} | "
            f"{np.abs(a - part['reforecast']).sum() / a.sum():.1%} |"
        )
    gap = result.gap
    print("\nRest-of-day gap per queue (agent-intervals short / over, volume-weighted projected service level):")
    summary = (
        gap.assign(
            short=(-gap["gap"]).clip(lower=0), over=gap["gap"].clip(lower=0), ait=gap["volume"] * gap["service_level"]
        )
        .groupby("queue")[["volume", "short", "over", "ait"]]
        .sum()
    )
    for queue, row in summary.iterrows():
        level = row["ait"] / max(row["volume"], 1e-9)
        print(f"  {queue}: short {row['short']:.0f}, over {row['over']:.0f}, SL {level:.1%}")
    print(f"\n{len(result.actions)} suggested actions (each passed the roster checker), in the greedy order:")
    print("| # | kind | action | alone: answered in time | in sequence | cumulative SL | cumulative cost |")
    print("|---|---|---|---|---|---|---|")
    for action in result.actions[:15]:
        step = (
            f"{action.joint_answered_in_target_change:+.1f} | {action.cumulative_service_level:.1%} | "
            f"{action.cumulative_cost:+.0f}"
            if action.sequence
            else "— | — | —"
        )
        print(
            f"| {action.action_id} | {action.kind} | {action.description} | "
            f"{action.answered_in_target_change:+.1f} | {step} |"
        )
    before = result.actions[0].service_level_before if result.actions else float("nan")
    print(f"rest-of-day service level before any action: {before:.1%}")
    for line in result.notes:
        print(f"  note: {line}")


def _sample_roster(history: pd.DataFrame, day: pd.Timestamp, calendar, out: Path) -> None:
    """A one-day roster for the day from its day-ahead forecast (calendar model with the events)."""
    from forecasting.pipeline import build_forecast
    from wfm.csvio import write_csv
    from wfm.roster.activities import place_activities
    from wfm.roster.inputs import load_instance
    from wfm.roster.outputs import roster_frame
    from wfm.roster.solve import SolveSettings, solve_roster
    from wfm.staffing.queues import read_queues
    from wfm.staffing.requirements import build_requirements

    data = ROOT / "data"
    forecast = build_forecast(history, day, 1, model="calendar", calendar=calendar).frame
    requirements = build_requirements(forecast, read_queues(data / "queues.csv"))
    req_file = out.with_name("requirements.csv")
    write_csv(requirements, req_file)
    instance, config = load_instance(
        requirements=req_file,
        agents=data / "agents.csv",
        shifts=data / "shifts.csv",
        time_off=data / "time_off.csv",
        rules=data / "rules.toml",
        start=day.date(),
        days=1,
    )
    solution = solve_roster(instance, config, SolveSettings(time_limit_seconds=20))
    plan = place_activities(instance, config, solution.assignments, (), 5.0)
    write_csv(roster_frame(instance, solution.assignments, plan), out)


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--first", default="1999-10-01")
    parser.add_argument("--last", default="1999-12-31")
    parser.add_argument("--learn-days", type=int, default=20)
    parser.add_argument("--skip-sample", action="store_true")
    parser.add_argument("--skip-real", action="store_true")
    args = parser.parse_args()
    print("command: .venv/bin/python bench/intraday.py " + " ".join(sys.argv[1:]))
    if not args.skip_real:
        anonbank(args.first, args.last, args.learn_days)
    if not args.skip_sample:
        double_eleven()


if __name__ == "__main__":
    main()
