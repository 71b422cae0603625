"""Past holidays the site worked through as usual stay in the models' fit; unusual event days are kept out."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecasting.events import Event, EventCalendar, event_mask, unusual_event_days
from forecasting.grid import to_grid
from forecasting.models import DS, ID, Y_HAT, Y, make_model
from forecasting.profile import complete_days, open_slots_by_weekday

HOURS = range(8, 18)
SHAPE = np.array([0.5, 0.8, 1.2, 1.3, 1.1, 1.0, 1.1, 1.2, 0.9, 0.6])
WEEKDAY_LEVEL = np.array([1.15, 1.0, 0.95, 0.95, 1.05, 0, 0])
START, END = "2024-01-01", "2024-03-29"  # 13 weeks, Monday to Friday


def _history(factor: dict[str, float], seed: int = 3) -> pd.DataFrame:
    """Hourly Monday–Friday history at 200 an hour × weekday level × the day's planted factor, Poisson noise."""
    rng = np.random.default_rng(seed)
    rows = []
    for day in pd.date_range(START, END, freq="D"):
        if WEEKDAY_LEVEL[day.weekday()] == 0:
            continue
        mean = 200 * WEEKDAY_LEVEL[day.weekday()] * factor.get(str(day.date()), 1.0) * SHAPE
        for hour, value in zip(HOURS, rng.poisson(mean), strict=True):
            rows.append(("q", day + pd.Timedelta(hours=hour), float(value)))
    return pd.DataFrame(rows, columns=[ID, DS, Y])


def _holiday(day: str) -> Event:
    stamp = pd.Timestamp(day).date()
    return Event(f"holiday {day}", stamp, stamp, kind="holiday", pre_days=0, post_days=0)


def _kept_out(history: pd.DataFrame, calendar: EventCalendar) -> set[str]:
    grid = to_grid(history[DS], history[Y], 60)
    open_slots = open_slots_by_weekday(grid)
    totals = np.where(complete_days(grid, open_slots), grid.daily_totals(), np.nan)
    in_event = event_mask(calendar, grid.days, open_slots.any(axis=1))
    blank = unusual_event_days(totals, in_event)
    assert not (blank & ~in_event).any()  # only event days are ever kept out
    return {str(day.date()) for day in grid.days[blank]}


def test_a_holiday_worked_as_usual_stays_and_unusual_ones_are_kept_out() -> None:
    planted = {"2024-02-14": 1.0, "2024-02-22": 0.5, "2024-03-06": 1.6}
    calendar = EventCalendar(tuple(_holiday(day) for day in planted))
    assert _kept_out(_history({d: f for d, f in planted.items() if f != 1.0}), calendar) == {"2024-02-22", "2024-03-06"}


def test_a_holiday_without_data_or_without_enough_history_is_kept_out() -> None:
    history = _history({})
    closed = history[history[DS].dt.date != pd.Timestamp("2024-02-14").date()]
    calendar = EventCalendar((_holiday("2024-02-14"),))
    assert _kept_out(closed, calendar) == {"2024-02-14"}
    early = EventCalendar((_holiday("2024-01-03"),))  # no earlier same weekdays to compare with
    assert _kept_out(history, early) == {"2024-01-03"}
    short = history[history[DS] < "2024-01-20"]  # too few ordinary days to know their noise
    assert _kept_out(short, EventCalendar((_holiday("2024-01-17"),))) == {"2024-01-17"}


def test_a_usual_day_in_the_calendar_leaves_the_same_slot_mean_unchanged() -> None:
    history = _history({})
    calendar = EventCalendar((_holiday("2024-03-20"),))  # a Wednesday of the last 4 weeks, worked as usual
    plain = make_model("same_slot_mean").fit(history).forecast(7)
    with_calendar = make_model("same_slot_mean", calendar).fit(history).forecast(7)
    np.testing.assert_allclose(with_calendar[Y_HAT], plain[Y_HAT])
    halved = _history({"2024-03-20": 0.5})  # the same day at half volume: kept out, the mean reaches further back
    plain = make_model("same_slot_mean").fit(halved).forecast(7)
    with_calendar = make_model("same_slot_mean", calendar).fit(halved).forecast(7)
    wednesday = plain[DS].dt.weekday == 2
    assert with_calendar.loc[wednesday, Y_HAT].sum() > 1.1 * plain.loc[wednesday, Y_HAT].sum()
    assert with_calendar.loc[~wednesday, Y_HAT].to_numpy() == pytest.approx(plain.loc[~wednesday, Y_HAT].to_numpy())
