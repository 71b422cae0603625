"""Event calendar: holidays from the site calendar, events.csv, uplift and shape learned from past occurrences."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecasting.events import (
    Event,
    EventCalendar,
    event_window,
    read_events,
    site_holidays,
)
from forecasting.models import DS, ID, Y_HAT, Y, make_model
from wfm.errors import InputError

ALL_DAYS = np.ones(7, dtype=bool)
WEEKDAYS = np.array([True] * 5 + [False] * 2)


def _daily_history(peak_days: dict[str, float], weeks: int = 100, start: str = "2024-01-01") -> pd.DataFrame:
    """Two-hourly history, every day open 08:00–20:00, flat level 100 per interval, days scaled as given;
    peak days put most of their volume in the first interval (a midnight-sale shape)."""
    rows = []
    for day in pd.date_range(start, periods=7 * weeks, freq="D"):
        factor = peak_days.get(str(day.date()), 1.0)
        for k, hour in enumerate(range(8, 20, 2)):
            share = (0.5 if k == 0 else 0.1) if factor > 1.5 else 1 / 6
            rows.append(("shop", day + pd.Timedelta(hours=hour), 600.0 * factor * share))
    return pd.DataFrame(rows, columns=[ID, DS, Y])


def test_window_positions_count_open_days_only() -> None:
    friday = Event("x", dt.date(2003, 7, 4), dt.date(2003, 7, 4), kind="holiday")
    window = event_window(friday, WEEKDAYS)
    assert window == [
        (pd.Timestamp("2003-07-03"), ("pre", 1)),
        (pd.Timestamp("2003-07-04"), ("core", 0)),
        (pd.Timestamp("2003-07-07"), ("post", 1)),  # the Monday after: the weekend is closed
    ]


def test_site_holidays_group_blocks_and_markets() -> None:
    cn = site_holidays("CN", [2024])
    national = [e for e in cn.events if e.start == dt.date(2024, 10, 1)]
    assert national and national[0].name == "National Day" and national[0].end == dt.date(2024, 10, 7)
    nyse = {e.name for e in site_holidays("NYSE", [2003]).events}
    assert "Good Friday" in nyse and "Columbus Day" not in nyse
    with pytest.raises(ValueError, match="unknown holiday calendar"):
        site_holidays("XX", [2024])


def test_learned_uplift_and_shape_from_last_year() -> None:
    last_year, this_year = "2024-11-11", "2025-11-11"
    history = _daily_history({last_year: 3.0, "2024-11-10": 1.4, this_year: 3.0})
    calendar = EventCalendar(
        (
            Event("double_11", dt.date(2024, 11, 11), dt.date(2024, 11, 11), pre_days=1, post_days=0),
            Event("double_11", dt.date(2025, 11, 11), dt.date(2025, 11, 11), pre_days=1, post_days=0),
        )
    )
    train = history[history[DS] < "2025-11-04"]
    actual = history[(history[DS] >= this_year) & (history[DS] < "2025-11-12")]
    with_events = make_model("calendar", calendar).fit(train).forecast(actual[[ID, DS]])
    without = make_model("calendar").fit(train).forecast(actual[[ID, DS]])
    assert with_events[Y_HAT].sum() == pytest.approx(actual[Y].sum(), rel=0.05)
    assert without[Y_HAT].sum() == pytest.approx(actual[Y].sum() / 3, rel=0.05)
    # the learned midnight-sale shape: the first interval carries far more than a normal 1/6
    first_share = with_events[Y_HAT].iloc[0] / with_events[Y_HAT].sum()
    assert first_share > 0.35
    # the eve ramp (×1.4 last year) is learned too
    eve = history[(history[DS] >= "2025-11-10") & (history[DS] < "2025-11-11")]
    eve_forecast = make_model("calendar", calendar).fit(train).forecast(eve[[ID, DS]])
    assert eve_forecast[Y_HAT].sum() == pytest.approx(1.4 * eve[Y].sum(), rel=0.05)


def test_explicit_uplift_for_an_event_without_history() -> None:
    history = _daily_history({}, weeks=10)
    calendar = EventCalendar((Event("launch", dt.date(2024, 3, 12), dt.date(2024, 3, 12), uplift=2.5),))
    model = make_model("same_slot_mean", calendar).fit(history)
    out = model.forecast(5)
    totals = out.groupby(out[DS].dt.date)[Y_HAT].sum()
    assert totals[dt.date(2024, 3, 12)] == pytest.approx(2.5 * totals[dt.date(2024, 3, 13)], rel=1e-6)


def test_a_holiday_missing_from_the_history_is_learned_as_closed() -> None:
    history = _daily_history({}, weeks=70)
    history = history[history[DS].dt.normalize() != pd.Timestamp("2024-05-01")]  # closed last Labour Day
    calendar = site_holidays("CN", [2024, 2025])
    train = history[history[DS] < "2025-04-20"]
    out = make_model("calendar", calendar).fit(train).forecast(20)
    totals = out.groupby(out[DS].dt.date)[Y_HAT].sum()
    assert totals.get(dt.date(2025, 5, 1), 0.0) == 0.0
    assert totals[dt.date(2025, 4, 25)] > 0


def _events_file(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "events.csv"
    path.write_text("event,start,end,kind,uplift\n" + body, encoding="utf-8")
    return path


def test_read_events_file(tmp_path: Path) -> None:
    calendar = read_events(
        _events_file(tmp_path, "双11,2025-11-11,2025-11-11,promotion,3\nnd,2025-10-01,2025-10-07,holiday,\n")
    )
    assert calendar.events[0] == Event("双11", dt.date(2025, 11, 11), dt.date(2025, 11, 11), "promotion", 3.0)
    assert calendar.events[1].uplift is None and calendar.events[1].window == (1, 1)


@pytest.mark.parametrize(
    ("body", "row", "column"),
    [
        ("a,2025-11-11,2025-11-11,sale,\n", 2, "kind"),
        ("a,2025-11-11,2025-11-11,promotion,\nb,2025-11-12,2025-11-10,promotion,\n", 3, "end"),
        ("a,2025-13-11,2025-11-11,promotion,\n", 2, "start"),
        ("a,2025-11-11,2025-11-11,promotion,lots\n", 2, "uplift"),
        (",2025-11-11,2025-11-11,promotion,\n", 2, "event"),
    ],
)
def test_bad_events_file_names_row_and_column(tmp_path: Path, body: str, row: int, column: str) -> None:
    with pytest.raises(InputError) as error:
        read_events(_events_file(tmp_path, body))
    assert error.value.row == row and error.value.column == column
