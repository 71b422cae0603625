"""Event-aware bands: conformal scale from ordinary days, widening learned from holiday residuals, unseen holidays."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from forecasting.backtest import SE_RULE, choose_model
from forecasting.calibration import apply_bands, calibrate_bands, effective_size, ordinary_rows
from forecasting.events import BETWEEN_SPREAD, Event, EventCalendar, LearnedEffects, learn_effects
from forecasting.grid import to_grid
from forecasting.models import DS, ID, Y_HAT, Y_HI, Y_LO, Y, make_model
from forecasting.profile import complete_days, open_slots_by_weekday

HOURS = range(8, 18)
SHAPE = np.array([0.5, 0.8, 1.2, 1.3, 1.1, 1.0, 1.1, 1.2, 0.9, 0.6])
WEEKDAY_LEVEL = np.array([1.15, 1.0, 0.95, 0.95, 1.05, 0, 0])


def _history(start: str, end: str, factor: dict[pd.Timestamp, float], seed: int) -> pd.DataFrame:
    """Hourly Monday–Friday history at 200 an hour × weekday level × the day's planted factor, Poisson noise."""
    rng = np.random.default_rng(seed)
    rows = []
    for day in pd.date_range(start, end, freq="D"):
        if WEEKDAY_LEVEL[day.weekday()] == 0:
            continue
        mean = 200 * WEEKDAY_LEVEL[day.weekday()] * factor.get(day, 1.0) * SHAPE
        for hour, value in zip(HOURS, rng.poisson(mean), strict=True):
            rows.append(("q", day + pd.Timedelta(hours=hour), float(value)))
    return pd.DataFrame(rows, columns=[ID, DS, Y])


def _effects(history: pd.DataFrame, calendar: EventCalendar) -> LearnedEffects:
    grid = to_grid(history[DS], history[Y], 60)
    open_slots = open_slots_by_weekday(grid)
    return learn_effects(grid, open_slots, complete_days(grid, open_slots), calendar)


def _holidays(count: int, spread: float, seed: int) -> tuple[EventCalendar, dict[pd.Timestamp, float]]:
    """`count` different one-day holidays on Wednesdays of 2024 (no eve or day after), each with its own effect:
    log ratio drawn from N(0, spread²)."""
    rng = np.random.default_rng(seed)
    days = pd.date_range("2024-02-07", periods=count, freq="14D")
    events = tuple(
        Event(f"H{k}", d.date(), d.date(), kind="holiday", pre_days=0, post_days=0) for k, d in enumerate(days)
    )
    return EventCalendar(events), {d: float(np.exp(rng.normal(0, spread))) for d in days}


def test_the_widening_of_an_unseen_holiday_is_learned_from_how_far_holidays_differ() -> None:
    calendar, factor = _holidays(16, 0.25, seed=1)
    effects = _effects(_history("2024-01-01", "2024-09-30", factor, seed=2), calendar)
    stranger = Event("Stranger", dt.date(2025, 1, 8), dt.date(2025, 1, 8), kind="holiday", pre_days=0, post_days=0)
    sigma = effects.effect_log_sigma(stranger, ("core", 0))
    assert sigma == pytest.approx(0.25, rel=0.35)  # 16 holidays: close to the planted spread of effects

    alike, same = _holidays(16, 0.0, seed=1)
    tight = _effects(_history("2024-01-01", "2024-09-30", same, seed=2), alike).effect_log_sigma(stranger, ("core", 0))
    assert tight < 0.12 < sigma  # holidays that all behave alike: a narrow widening


def test_with_no_holiday_seen_the_widening_is_the_prior_spread_and_a_seen_one_is_narrower() -> None:
    stranger = Event("Stranger", dt.date(2025, 1, 8), dt.date(2025, 1, 8), kind="holiday")
    nothing = _effects(_history("2024-01-01", "2024-06-30", {}, seed=3), EventCalendar())
    for position in (("pre", 1), ("core", 0), ("post", 1)):
        assert nothing.effect_log_sigma(stranger, position) == pytest.approx(BETWEEN_SPREAD)
    days = [pd.Timestamp("2023-03-08"), pd.Timestamp("2024-03-06")]
    calendar = EventCalendar(tuple(Event("Spring", d.date(), d.date(), kind="holiday") for d in days))
    effects = _effects(_history("2023-01-02", "2024-06-30", dict.fromkeys(days, 1.5), seed=4), calendar)
    spring = Event("Spring", dt.date(2025, 3, 5), dt.date(2025, 3, 5), kind="holiday")
    assert effects.ratio(spring, ("core", 0)) == pytest.approx(1.5, rel=0.1)
    assert effects.effect_log_sigma(spring, ("core", 0)) < 0.5 * BETWEEN_SPREAD


def test_one_other_holidays_eve_does_not_decide_an_unseen_holidays_eve() -> None:
    # one holiday seen, its eve 20 % low: one noisy day, not a rule for every eve
    day = pd.Timestamp("2024-04-17")
    calendar = EventCalendar((Event("Seen", day.date(), day.date(), kind="holiday"),))
    factor = {day - pd.Timedelta(days=1): 0.8, day: 0.5}
    effects = _effects(_history("2024-01-01", "2024-06-28", factor, seed=5), calendar)
    stranger = Event("Stranger", dt.date(2024, 8, 14), dt.date(2024, 8, 14), kind="holiday")
    assert effects.ratio(stranger, ("pre", 1)) > 0.95  # close to no effect …
    assert effects.effect_log_sigma(stranger, ("pre", 1)) >= 0.2  # … with a wide band instead

    # many holidays whose eves are all 30 % low: that is the category's rule, and an unseen eve follows it
    days = pd.date_range("2024-02-07", periods=10, freq="14D")
    many = EventCalendar(tuple(Event(f"H{k}", d.date(), d.date(), kind="holiday") for k, d in enumerate(days)))
    eves = {d - pd.Timedelta(days=1): 0.7 for d in days}
    learned = _effects(_history("2024-01-01", "2024-08-30", eves, seed=6), many)
    assert learned.ratio(stranger, ("pre", 1)) == pytest.approx(0.7, abs=0.06)


def test_an_unseen_holiday_day_gets_a_wider_band_than_an_ordinary_day() -> None:
    calendar, factor = _holidays(8, 0.25, seed=7)
    history = _history("2024-01-01", "2024-06-28", factor, seed=8)
    stranger = Event("Stranger", dt.date(2024, 7, 10), dt.date(2024, 7, 10), kind="holiday", pre_days=0, post_days=0)
    future = pd.DataFrame({ID: "q", DS: [pd.Timestamp(f"2024-07-{d:02d} {h}:00") for d in (3, 10) for h in HOURS]})
    predicted = make_model("same_slot_mean", calendar + EventCalendar((stranger,))).fit(history).forecast(future)
    width = (predicted[Y_HI] - predicted[Y_LO]) / predicted[Y_HAT]
    ordinary, holiday = width[: len(HOURS)].mean(), width[len(HOURS) :].mean()
    assert holiday > 1.3 * ordinary


def _scored_frame(seed: int) -> tuple[pd.DataFrame, EventCalendar]:
    """Backtest-like rows (5 origins × 20 weekdays × 10 hours) whose event days miss by ±60 %, ordinary days by
    the day noise the model's own band (far too narrow) does not know."""
    rng = np.random.default_rng(seed)
    days = pd.bdate_range("2024-03-04", periods=100)
    holidays = days[::9]
    calendar = EventCalendar(tuple(Event(f"E{k}", d.date(), d.date(), kind="holiday") for k, d in enumerate(holidays)))
    stamps = [d + pd.Timedelta(hours=h) for d in days for h in HOURS]
    forecast = np.tile(200 * SHAPE, len(days))
    noise = np.repeat(np.exp(rng.normal(0, 0.1, len(days))), len(HOURS))
    hit = np.repeat(np.isin(days, holidays) * rng.choice([-0.6, 0.6], len(days)), len(HOURS))
    actual = rng.poisson(forecast * noise * (1 + hit)).astype(float)
    lead = np.repeat(np.tile(np.arange(1, 21), 5), len(HOURS))
    frame = pd.DataFrame(
        {ID: "q", DS: stamps, "model": "m", Y: actual, Y_HAT: forecast, Y_LO: 0.0, Y_HI: 1.05 * forecast}
    )
    return frame.assign(lead_days=lead), calendar


def test_the_conformal_scale_comes_from_ordinary_days_only() -> None:
    frame, calendar = _scored_frame(seed=9)
    ordinary = ordinary_rows(frame, calendar)
    assert 0.6 < ordinary.mean() < 0.8  # the holidays and their eves and days after are left out
    with_calendar = calibrate_bands(frame, "m", calendar=calendar)
    on_ordinary = calibrate_bands(frame[ordinary], "m")
    everything = calibrate_bands(frame, "m")
    assert with_calendar is not None and on_ordinary is not None and everything is not None
    assert with_calendar.upper == pytest.approx(on_ordinary.upper)

    def width(found) -> float:
        return sum(found.upper) - sum(found.lower)

    assert width(everything) > 1.15 * width(with_calendar)  # the misses on event days would widen every day


def test_ordinary_days_calibrated_on_ordinary_days_are_covered_80_percent() -> None:
    frame, calendar = _scored_frame(seed=10)
    fresh, _ = _scored_frame(seed=11)
    calibration = calibrate_bands(frame, "m", calendar=calendar)
    assert calibration is not None
    banded = apply_bands(fresh, calibration, fresh["lead_days"].to_numpy())
    keep = ordinary_rows(fresh, calendar)
    inside = ((fresh[Y] >= banded[Y_LO]) & (fresh[Y] <= banded[Y_HI]))[keep]
    assert 0.74 <= inside.mean() <= 0.86


def test_the_effective_number_of_scores_lies_between_days_and_intervals() -> None:
    rng = np.random.default_rng(12)
    days = np.repeat(np.arange(40), 20)
    day_error = np.repeat(rng.normal(size=40), 20)
    assert effective_size(day_error, days) == 40  # every interval of a day misses alike: 40 units
    assert effective_size(rng.normal(size=800), days) > 600  # independent intervals: about 800
    mixed = effective_size(day_error + rng.normal(size=800), days)  # half the variance between days: ≈ 800 / 10.5
    assert 55 <= mixed <= 120


def _metrics_and_forecasts(gaps: list[float]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A backtest where `calendar` beats `ensemble` by gaps[k] WAPE points at origin k (actual 100 per row)."""
    rows = []
    for k, gap in enumerate(gaps):
        origin = pd.Timestamp("2024-01-01") + pd.Timedelta(days=7 * k)
        rows.append({"origin": origin, "model": "ensemble", Y: 100.0, Y_HAT: 110.0})
        rows.append({"origin": origin, "model": "calendar", Y: 100.0, Y_HAT: 110.0 - gap})
    forecasts = pd.DataFrame(rows)
    wape = forecasts.assign(e=(forecasts[Y] - forecasts[Y_HAT]).abs()).groupby("model")["e"].sum() / (100 * len(gaps))
    metrics = pd.DataFrame({"model": wape.index, "horizon": "all", "wape": wape.to_numpy()})
    return metrics, forecasts


def test_a_challenger_must_beat_the_combination_clearly_to_be_chosen() -> None:
    metrics, forecasts = _metrics_and_forecasts([2.0, 2.1, 1.9, 2.0])
    assert choose_model(metrics, forecasts=forecasts) == "calendar"  # better at every origin, steadily
    # better on average, but one origin against it: within SE_RULE standard errors (t ≈ 1.7), the combination stays
    gaps = np.array([4.0, 2.0, 2.0, -1.0])
    assert 1 < gaps.mean() / (gaps.std(ddof=1) / 2) < SE_RULE
    metrics, forecasts = _metrics_and_forecasts(list(gaps))
    assert choose_model(metrics, forecasts=forecasts) == "ensemble"


def test_a_later_day_of_a_longer_event_is_not_counted_as_seen() -> None:
    starts = [pd.Timestamp("2023-03-08"), pd.Timestamp("2024-03-06")]  # two-day festivals, Wednesday–Thursday
    calendar = EventCalendar(
        tuple(Event("Fest", d.date(), (d + pd.Timedelta(days=1)).date(), kind="holiday") for d in starts)
    )
    factor = {d + pd.Timedelta(days=k): 1.5 for d in starts for k in (0, 1)}
    effects = _effects(_history("2023-01-02", "2024-06-28", factor, seed=13), calendar)
    longer = Event("Fest", dt.date(2025, 3, 5), dt.date(2025, 3, 7), kind="holiday")  # this year three days
    assert effects.ratio(longer, ("core", 2)) == pytest.approx(1.5, rel=0.1)  # borrows the last learned day …
    seen = effects.effect_log_sigma(longer, ("core", 1))
    assert effects.effect_log_sigma(longer, ("core", 2)) > 2 * seen  # … but is as uncertain as an unseen day
