"""Forecast accuracy on the real bank data (and a past Double 11 of the sample): WAPE, MASE, bias per model.

Run: .venv/bin/python bench/forecast_accuracy.py
Every split: the baselines as published (no calendar), every model with the site calendar, and the forecaster
chosen automatically (lowest WAPE in a backtest on the training part only).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from forecasting.backtest import run_backtest  # noqa: E402
from forecasting.events import EventCalendar, read_events, site_holidays  # noqa: E402
from forecasting.grid import coarsen_frame  # noqa: E402
from forecasting.history import read_history  # noqa: E402
from forecasting.metrics import wape  # noqa: E402
from forecasting.models import ALIASES, BASELINES, DS, ID, Y_HAT, Y, make_model  # noqa: E402
from forecasting.pipeline import backtest_models, to_long  # noqa: E402
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


if __name__ == "__main__":
    bank_splits()
    anonbank_split()
    double_eleven()
