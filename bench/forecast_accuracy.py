"""Forecast accuracy on the real bank data across the year: every model, per origin and in total.

Run: .venv/bin/python bench/forecast_accuracy.py [--data anonbank|bank] [--quick | --every K] [--heldout] [--legacy]
Year-long evaluation (the default): the Anonymous Bank 1999 at 30 minutes, origins every 14 days from
1999-03-01 to 1999-12-17, 7-day horizon; the US bank 2003 at 30 minutes, weekly origins (Mondays) from
2003-05-05 to 2003-10-10, 5 business days; each with the site calendar (IL / NYSE) and without. At each origin
every model is fitted on the data before it; "chosen" is what `--model auto` picks there (its own rolling
backtest on that training data only), with its conformally calibrated 80 % band; its fit + forecast seconds are
timed. `--quick` keeps every 4th origin (development); `--legacy` runs the older fixed splits.
`--heldout` runs the same evaluation on test weeks that played no part in choosing the ensemble's members, the
choice rule or any constant (those were chosen by simulation on the origins above): the Anonymous Bank's other
half of the weeks (origins 1999-03-08 … 1999-12-13, every 14 days: 7-day windows disjoint from the main ones) and
the US bank's weeks before and after the main origins (2003-04-07 … 04-28, 2003-10-13 and 10-20).
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from forecasting.backtest import run_backtest  # noqa: E402
from forecasting.events import EventCalendar, read_events, site_holidays  # noqa: E402
from forecasting.grid import coarsen_frame  # noqa: E402
from forecasting.history import read_history  # noqa: E402
from forecasting.metrics import wape  # noqa: E402
from forecasting.models import ALIASES, BASELINES, DS, ID, Y_HAT, Y, make_model  # noqa: E402
from forecasting.pipeline import backtest_models, calibrated, predict_window, select_model, to_long  # noqa: E402
from forecasting.real_data import read_anonbank_6min, read_bank_calls  # noqa: E402

REAL = ROOT.parent / "shared" / "data" / "real"
DAY = pd.Timedelta(days=1)


def coarse(long: pd.DataFrame, minutes: int) -> pd.DataFrame:
    """The frame summed to `minutes` intervals."""
    return coarsen_frame(long, minutes, key=ID, ds=DS, value=Y)


def choose(train: pd.DataFrame, calendar: EventCalendar, horizon: int) -> str:
    """The auto choice as `wfm forecast --model auto` makes it: lowest WAPE in a backtest of 4 weekly origins
    at the end of the training data (horizon between 7 and 28 days)."""
    return backtest_models(train, ALIASES, horizon, calendar).chosen


def evaluate(
    name: str, long: pd.DataFrame, calendar: EventCalendar, origins: list[pd.Timestamp], horizon: int
) -> dict[str, float]:
    """Backtest every model over the split's origins; print WAPE/MASE/bias; return WAPE by model."""
    started = time.perf_counter()
    plain = [make_model(alias) for alias in BASELINES]
    for model in plain:
        model.alias = f"{model.alias} (plain)"
    models = plain + [make_model(alias, calendar) for alias in ALIASES]
    result = run_backtest(long, models, origins, horizon)
    first = pd.Timestamp(origins[0])
    chosen = choose(long[long[DS] < first], calendar, horizon)
    table = result.metrics[result.metrics["horizon"] == "all"].set_index("model")
    baseline = table.loc[[f"{b} (plain)" for b in BASELINES], "wape"].min()
    print(f"\n== {name}  (origins {origins[0].date()} … {origins[-1].date()}, {horizon}-day horizon)")
    print(f"{'model':28s} {'WAPE':>7s} {'MASE':>6s} {'bias':>7s} {'cover80':>7s}")
    for model, row in table.iterrows():
        mark = "  <- chosen" if model == chosen else ""
        print(
            f"{model:28s} {100 * row.wape:6.2f}% {row.mase:6.3f} {100 * row.bias:+6.2f}% "
            f"{100 * row.coverage:6.1f}%{mark}"
        )
    gain = 1 - table.loc[chosen, "wape"] / baseline
    mstl_gain = 1 - table.loc[chosen, "wape"] / table.loc["mstl", "wape"]
    print(
        f"chosen: {chosen}; vs best plain baseline {100 * baseline:.2f}%: {100 * gain:+.1f}% relative "
        f"(target ≥ +5%); vs MSTL: {100 * mstl_gain:+.1f}%  [{time.perf_counter() - started:.0f} s]"
    )
    return table["wape"].to_dict()


def bank_splits() -> None:
    """bank_calls_5min: 4-week holdout at 5 and 30 minutes; day-ahead over the last 20 days at 30 minutes."""
    long = to_long(read_bank_calls(REAL / "bank_calls_5min.csv"))
    calendar = site_holidays("NYSE", range(2002, 2005))
    test_start = pd.Timestamp("2003-09-26")
    evaluate("bank 5-min, 4-week holdout", long, calendar, [test_start], 29)
    long30 = coarse(long, 30)
    evaluate("bank 30-min, 4-week holdout", long30, calendar, [test_start], 29)
    days = sorted(long30[DS].dt.normalize().unique())[-20:]
    evaluate("bank 30-min, day-ahead, last 20 days", long30, calendar, [pd.Timestamp(d) for d in days], 1)
    timing(long, calendar)


def timing(long: pd.DataFrame, calendar: EventCalendar) -> None:
    """Fit + forecast of the whole 164-day 5-minute series (in-process, best of 3)."""
    for alias in ("calendar", "mstl"):
        best = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            make_model(alias, calendar).fit(long).forecast(20)
            best = min(best, time.perf_counter() - started)
        print(f"fit + 20-day forecast, 164 days × 169 five-minute intervals, {alias}: {best:.2f} s (best of 3)")


def anonbank_split() -> None:
    """anonbank 1999 at 30 minutes, Israeli calendar, weekly origins over the last 8 weeks of the year."""
    long = coarse(to_long(read_anonbank_6min(REAL / "anonbank_1999_6min_fullyear.csv")), 30)
    calendar = site_holidays("IL", range(1998, 2001), categories=("public", "optional"))
    last = pd.Timestamp("1999-12-31")
    origins = [last - 7 * DAY * k + DAY for k in range(8, 0, -1)]
    evaluate("anonbank 30-min, weekly origins, last 8 weeks of 1999", long, calendar, origins, 7)


def double_eleven() -> None:
    """The sample's 2025 Double 11 forecast a week ahead: peak-day WAPE with and without the event calendar."""
    history, events = ROOT / "data" / "history.csv.gz", ROOT / "data" / "events.csv"
    if not history.exists() or not events.exists():
        print("\n(sample data not found: skipping the Double 11 backtest)")
        return
    long = to_long(read_history(history))
    peak = pd.Timestamp("2025-11-11")
    if long[DS].max() < peak + DAY:
        print("\n(sample history ends before Double 11 2025: skipping)")
        return
    origin = peak - 7 * DAY
    train = long[long[DS] < origin]
    actual = long[(long[DS] >= peak) & (long[DS] < peak + DAY)]
    calendar = read_events(events) + site_holidays("CN", range(2023, 2027))
    print(f"\n== sample Double 11 ({peak.date()}), forecast from {origin.date()} (7 days ahead), all queues")
    for label, cal in (("without events", None), ("with events", calendar)):
        predicted = make_model("calendar", cal).fit(train).forecast(actual[[ID, DS]])
        print(
            f"calendar {label:15s}: peak-day WAPE {100 * wape(actual[Y], predicted[Y_HAT]):6.1f}%  "
            f"(forecast {predicted[Y_HAT].sum():8.0f} vs actual {actual[Y].sum():8.0f})"
        )


REFERENCE = "same_slot_mean (plain)"


@dataclass(frozen=True)
class YearSplit:
    """One data set of the year-long evaluation: its frame, origins, horizon and site calendar."""

    name: str
    long: pd.DataFrame
    origins: list[pd.Timestamp]
    horizon_days: int
    calendar: EventCalendar
    calendar_name: str


def main_origins(which: str) -> list[pd.Timestamp]:
    """The evaluation's origins: every 14 days through 1999 (anonbank), every Monday May–October 2003 (bank)."""
    if which == "anonbank":
        return list(pd.date_range("1999-03-01", "1999-12-17", freq="14D"))
    return list(pd.date_range("2003-05-05", "2003-10-10", freq="7D"))


def heldout_origins(which: str) -> list[pd.Timestamp]:
    """Origins whose test weeks were not used to choose anything (see the module docstring)."""
    if which == "anonbank":
        return list(pd.date_range("1999-03-08", "1999-12-24", freq="14D"))
    before = pd.date_range("2003-04-07", "2003-04-28", freq="7D")
    after = pd.date_range("2003-10-13", "2003-10-20", freq="7D")
    return [*before, *after]


def year_splits(which: str, every: int, heldout: bool = False) -> list[YearSplit]:
    """The year-long splits asked for (every `every`-th origin; the held-out origins if `heldout`)."""
    splits = []
    tag = " (held-out weeks)" if heldout else ""
    if which in ("all", "anonbank"):
        long = coarse(to_long(read_anonbank_6min(REAL / "anonbank_1999_6min_fullyear.csv")), 30)
        origins = (heldout_origins if heldout else main_origins)("anonbank")[::every]
        calendar = site_holidays("IL", range(1998, 2001), categories=("public", "optional"))
        splits.append(YearSplit(f"anonbank 1999, 30 min{tag}", long, origins, 7, calendar, "IL"))
    if which in ("all", "bank"):
        long = coarse(to_long(read_bank_calls(REAL / "bank_calls_5min.csv")), 30)
        origins = (heldout_origins if heldout else main_origins)("bank")[::every]
        calendar = site_holidays("NYSE", range(2002, 2005))
        splits.append(YearSplit(f"bank 2003, 30 min{tag}", long, origins, 7, calendar, "NYSE"))
    return splits


@dataclass
class Scores:
    """Absolute errors and actual sums per (origin, model), and the chosen model's band hits per origin."""

    abs_error: dict = field(default_factory=dict)
    actual: dict = field(default_factory=dict)
    chosen: dict = field(default_factory=dict)
    inside: dict = field(default_factory=dict)
    seconds: dict = field(default_factory=dict)


def auto_at(long: pd.DataFrame, origin: pd.Timestamp, test: pd.DataFrame, calendar: EventCalendar | None, horizon: int):
    """What `--model auto` does at an origin (backtest choice, fit, forecast, calibrated band) and its seconds."""
    train = long[long[DS] < origin]
    started = time.perf_counter()
    result, chosen, _ = select_model(train, "auto", horizon, calendar, backtest=False)
    fitted = make_model(chosen, calendar).fit(train)
    predicted = predict_window(fitted, origin, horizon).assign(model=chosen)
    predicted = calibrated(predicted, result, chosen, origin, long=train, calendar=calendar)
    seconds = time.perf_counter() - started
    merged = test[[ID, DS, Y]].merge(predicted, on=[ID, DS], how="left").fillna({Y_HAT: 0.0, "y_lo": 0.0, "y_hi": 0.0})
    reason = result.to_dict()["reason"] if result is not None else "no backtest"
    return chosen, merged, seconds, reason


def year_variant(split: YearSplit, calendar: EventCalendar | None, label: str, verbose: bool) -> dict:
    """Every model and the auto choice at each origin of a split, with or without the calendar; prints the table."""
    plain = make_model("same_slot_mean")
    plain.alias = REFERENCE
    models = [plain] + [make_model(alias, calendar) for alias in ALIASES]
    names = [m.alias for m in models]
    result = run_backtest(split.long, models, split.origins, split.horizon_days)
    frame = result.forecasts
    frame["err"] = (frame[Y] - frame[Y_HAT]).abs()
    per = frame.groupby(["origin", "model"]).agg(err=("err", "sum"), act=(Y, "sum"))
    rows, chosen_err, chosen_act, inside, count, seconds, wins = [], 0.0, 0.0, 0, 0, [], 0
    print(f"\n== {split.name}, {label}: {len(split.origins)} origins, {split.horizon_days}-day horizon")
    header = " ".join(f"{n.replace(' (plain)', '*')[:10]:>10s}" for n in names)
    print(f"{'origin':10s} {header} {'chosen':>16s} {'WAPE':>6s} {'ratio':>6s} {'cover':>6s} {'auto s':>6s}")
    for origin in split.origins:
        origin = pd.Timestamp(origin)
        test = frame[(frame["origin"] == origin) & (frame["model"] == REFERENCE)]
        if test.empty:
            continue
        alias, merged, spent, reason = auto_at(split.long, origin, test, calendar, split.horizon_days)
        err = float((merged[Y] - merged[Y_HAT]).abs().sum())
        act = float(merged[Y].sum())
        hit = int(((merged[Y] >= merged["y_lo"]) & (merged[Y] <= merged["y_hi"])).sum())
        chosen_err, chosen_act, inside, count = chosen_err + err, chosen_act + act, inside + hit, count + len(merged)
        seconds.append(spent)
        ref = per.loc[(origin, REFERENCE)]
        ratio = (err / act) / (ref.err / ref.act)
        wins += ratio <= 1.0
        cells = " ".join(f"{100 * per.loc[(origin, n)].err / per.loc[(origin, n)].act:9.2f}%" for n in names)
        print(
            f"{origin.date()!s:10s} {cells} {alias:>16s} {100 * err / act:5.2f}% {ratio:6.3f} "
            f"{100 * hit / len(merged):5.1f}% {spent:6.2f}"
        )
        if verbose:
            print(f"           why: {reason}")
        rows.append(ratio)
    totals = per.groupby("model").sum()
    ref_wape = totals.loc[REFERENCE, "err"] / totals.loc[REFERENCE, "act"]
    cells = " ".join(f"{100 * totals.loc[n, 'err'] / totals.loc[n, 'act']:9.2f}%" for n in names)
    chosen_wape = chosen_err / chosen_act
    print(
        f"{'total':10s} {cells} {'chosen':>16s} {100 * chosen_wape:5.2f}% {chosen_wape / ref_wape:6.3f} "
        f"{100 * inside / count:5.1f}% {np.mean(seconds):6.2f}"
    )
    print(
        f"chosen / same-slot mean WAPE: {chosen_wape / ref_wape:.3f} in total (target ≤ 0.90); chosen ≤ baseline at "
        f"{wins}/{len(rows)} origins ({100 * wins / max(len(rows), 1):.0f} %, target ≥ 90 %); 80 % band covers "
        f"{100 * inside / count:.1f} % (target 78–82 %); auto fit + forecast {np.mean(seconds):.2f} s per origin "
        f"(max {np.max(seconds):.2f} s)"
    )
    return {"wape": chosen_wape, "ratio": chosen_wape / ref_wape, "wins": wins / max(len(rows), 1)}


def year_long(which: str, every: int, verbose: bool, heldout: bool = False) -> None:
    """The year-long evaluation of every split, with the site calendar and without."""
    started = time.perf_counter()
    for split in year_splits(which, every, heldout):
        with_cal = year_variant(split, split.calendar, f"site calendar {split.calendar_name}", verbose)
        without = year_variant(split, None, "no calendar", verbose)
        verdict = "better or equal" if with_cal["wape"] <= without["wape"] else "WORSE"
        print(
            f"{split.name}: chosen WAPE with {split.calendar_name} {100 * with_cal['wape']:.3f} % vs without "
            f"{100 * without['wape']:.3f} %: the site calendar is {verdict}"
        )
    print(f"\n[{time.perf_counter() - started:.0f} s]")


def main(argv: list[str] | None = None) -> None:
    """Parse the options and run the year-long evaluation (or the legacy splits)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", choices=("all", "anonbank", "bank"), default="all")
    parser.add_argument("--quick", action="store_true", help="every 4th origin only (development)")
    parser.add_argument("--every", type=int, default=1, help="keep every K-th origin")
    parser.add_argument("--why", action="store_true", help="print why auto chose its model at each origin")
    parser.add_argument("--heldout", action="store_true", help="test weeks not used for choosing anything")
    parser.add_argument("--legacy", action="store_true", help="the older fixed splits and the Double 11 check")
    args = parser.parse_args(argv)
    if args.legacy:
        bank_splits()
        anonbank_split()
        double_eleven()
        return
    year_long(args.data, 4 if args.quick else max(1, args.every), args.why, args.heldout)


if __name__ == "__main__":
    main()
