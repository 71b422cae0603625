"""Holiday effects learned with shrinkage (planted uplifts), closed days, combined calendars, calibrated bands."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecasting.calibration import apply_bands, calibrate_bands
from forecasting.events import Event, EventCalendar, learn_effects, read_events, site_holidays
from forecasting.grid import to_grid
from forecasting.models import DS, ID, Y_HAT, Y_HI, Y_LO, Y, make_model
from forecasting.pipeline import build_forecast
from forecasting.profile import complete_days, open_slots_by_weekday
from wfm.cli import main

HOURS = range(8, 18)
SHAPE = np.array([0.5, 0.8, 1.2, 1.3, 1.1, 1.0, 1.1, 1.2, 0.9, 0.6])
# planted ratios to a normal day: (eve, holiday, day after)
PLANTED = {"Founders": (1.0, 0.45, 1.6), "Harvest": (0.55, 1.0, 1.0), "Lantern": (1.35, 1.8, 1.0)}
DATES = {"Founders": "03-14", "Harvest": "06-19", "Lantern": "10-08"}


def _calendar(years: range) -> EventCalendar:
    """Each planted holiday once a year (skipping weekends: moved to the next Monday)."""
    events = []
    for year in years:
        for name, md in DATES.items():
            day = pd.Timestamp(f"{year}-{md}")
            day += pd.Timedelta(days=(7 - day.weekday()) % 7 if day.weekday() >= 5 else 0)
            events.append(Event(name, day.date(), day.date(), kind="holiday"))
    return EventCalendar(tuple(events))


def _planted_history(calendar: EventCalendar, start: str, end: str, seed: int = 7) -> pd.DataFrame:
    """Hourly weekday history, level 200/hour (weekday factors), Poisson noise, the planted holiday effects."""
    rng = np.random.default_rng(seed)
    factor: dict[pd.Timestamp, float] = {}
    for event in calendar.events:
        eve, core, after = PLANTED[event.name]
        day = pd.Timestamp(event.start)
        before = day - pd.Timedelta(days=3 if day.weekday() == 0 else 1)
        nxt = day + pd.Timedelta(days=3 if day.weekday() == 4 else 1)
        factor[before], factor[day], factor[nxt] = eve, core, after
    rows = []
    level = np.array([1.15, 1.0, 0.95, 0.95, 1.05, 0, 0])
    for day in pd.date_range(start, end, freq="D"):
        if level[day.weekday()] == 0:
            continue
        mean = 200 * level[day.weekday()] * factor.get(day, 1.0) * SHAPE
        for hour, value in zip(HOURS, rng.poisson(mean), strict=True):
            rows.append(("q", day + pd.Timedelta(hours=hour), float(value)))
    return pd.DataFrame(rows, columns=[ID, DS, Y])


def _effects(history: pd.DataFrame, calendar: EventCalendar):
    grid = to_grid(history[DS], history[Y], 60)
    open_slots = open_slots_by_weekday(grid)
    return learn_effects(grid, open_slots, complete_days(grid, open_slots), calendar)


@pytest.mark.parametrize("name", list(PLANTED))
def test_learned_holiday_eve_and_catch_up_are_within_10_percent_of_the_planted_ones(name: str) -> None:
    calendar = _calendar(range(2021, 2025))
    history = _planted_history(calendar, "2021-01-04", "2024-12-31")
    effects = _effects(history, calendar)
    event = next(e for e in calendar.events if e.name == name and e.start.year == 2024)
    for position, planted in zip((("pre", 1), ("core", 0), ("post", 1)), PLANTED[name], strict=True):
        assert effects.ratio(event, position) == pytest.approx(planted, rel=0.10), position


def test_the_forecast_of_a_future_holiday_carries_the_planted_effect() -> None:
    calendar = _calendar(range(2021, 2026))
    history = _planted_history(calendar, "2021-01-04", "2025-10-20")
    train = history[history[DS] < "2025-10-01"]
    day = next(e.start for e in calendar.events if e.name == "Lantern" and e.start.year == 2025)
    actual = history[history[DS].dt.date == day]
    with_calendar = make_model("calendar", calendar).fit(train).forecast(actual[[ID, DS]])
    without = make_model("calendar").fit(train).forecast(actual[[ID, DS]])
    normal = without[Y_HAT].sum()
    assert with_calendar[Y_HAT].sum() / normal == pytest.approx(PLANTED["Lantern"][1], rel=0.10)


def test_an_unseen_holiday_takes_the_pooled_effect_and_with_nothing_learned_no_effect() -> None:
    calendar = _calendar(range(2023, 2025))
    history = _planted_history(calendar, "2023-01-02", "2024-12-31")
    effects = _effects(history, calendar)
    stranger = Event("Stranger", dt.date(2025, 2, 4), dt.date(2025, 2, 4), kind="holiday")
    seen = [PLANTED[n][1] for n in PLANTED]
    pooled = effects.ratio(stranger, ("core", 0))
    assert min(seen) < pooled < max(seen)  # pulled toward the holidays seen, not copied from one of them
    assert pooled == pytest.approx(np.mean(seen), abs=0.2)
    nothing = _effects(history, EventCalendar())
    assert nothing.ratio(stranger, ("core", 0)) == pytest.approx(1.0)
    assert nothing.ratio(stranger, ("post", 1)) == pytest.approx(1.0)


def test_one_occurrence_is_shrunk_toward_the_pooled_effect_of_like_days() -> None:
    calendar = _calendar(range(2024, 2025))
    history = _planted_history(calendar, "2024-01-01", "2024-12-31")
    effects = _effects(history, calendar)
    event = next(e for e in calendar.events if e.name == "Founders")
    own = effects.ratios["Founders"][("core", 0)][0]
    shrunk = effects.ratio(event, ("core", 0))
    prior, _ = effects.prior(event, ("core", 0))
    assert min(own, prior) <= shrunk <= max(own, prior)


def test_a_closed_day_in_the_site_calendar_gives_zero_forecast(tmp_path: Path) -> None:
    calendar = _calendar(range(2024, 2026))
    history = _planted_history(calendar, "2024-01-01", "2025-04-30")
    events = tmp_path / "events.csv"
    events.write_text("event,start,end,kind\nstock take,2025-05-07,2025-05-07,closed\n", encoding="utf-8")
    site = read_events(events) + calendar
    out = make_model("calendar", site).fit(history).forecast(10)
    day = out[out[DS].dt.date == dt.date(2025, 5, 7)]
    assert len(day) == len(HOURS)
    assert (day[[Y_HAT, Y_LO, Y_HI]].to_numpy() == 0).all()
    assert (out[out[DS].dt.date == dt.date(2025, 5, 6)][Y_HAT] > 0).all()


def test_calendars_combine_countries_markets_and_half_days() -> None:
    both = site_holidays("IL,NYSE", [2003])
    names = {e.name for e in both.events}
    assert "Yom Kippur" in names and "Good Friday" in names
    half = [e for e in both.events if e.day_kind(0) == "half_day"]
    assert any(e.start == dt.date(2003, 11, 28) for e in half)  # the NYSE early close after Thanksgiving
    passover = next(e for e in both.events if e.start == dt.date(2003, 4, 17))
    assert passover.day_kind(0) == "public" and passover.day_kind(1) == "optional"
    with pytest.raises(ValueError, match="unknown holiday calendar"):
        site_holidays("IL,XX", [2003])


def test_conformal_band_covers_80_percent_on_a_synthetic_series() -> None:
    rng = np.random.default_rng(3)
    leads = np.tile(np.repeat(np.arange(1, 8), 30), 20)
    forecast = rng.uniform(20, 200, leads.size)
    day_noise = np.exp(rng.normal(0, 0.12 + 0.02 * leads))  # error grows with the lead
    actual = rng.poisson(forecast * day_noise).astype(float)
    half_width = 0.05 * forecast  # a model whose own band is far too narrow
    frame = pd.DataFrame({"model": "m", Y: actual, Y_HAT: forecast, Y_HI: forecast + half_width, "lead_days": leads})
    calibration = calibrate_bands(frame[: leads.size // 2], "m")
    assert calibration is not None
    fresh = frame[leads.size // 2 :].assign(**{Y_LO: 0.0})
    banded = apply_bands(fresh, calibration, fresh["lead_days"].to_numpy())
    inside = (fresh[Y] >= banded[Y_LO]) & (fresh[Y] <= banded[Y_HI])
    assert 0.76 <= inside.mean() <= 0.84
    assert (banded[Y_LO] <= banded[Y_HAT]).all() and (banded[Y_HAT] <= banded[Y_HI]).all()


def test_pipeline_bands_cover_about_80_percent_across_origins() -> None:
    calendar = _calendar(range(2023, 2026))
    history = _planted_history(calendar, "2023-01-02", "2025-12-31", seed=11)
    rng = np.random.default_rng(5)
    days = history[DS].dt.normalize()
    level = pd.Series(np.exp(rng.normal(0, 0.08, days.nunique())), index=days.unique())
    history = history.assign(y=rng.poisson(history[Y].to_numpy() * level.loc[days].to_numpy()).astype(float)).rename(
        columns={ID: "queue", DS: "interval_start", Y: "offered"}
    )
    hits, total = 0, 0
    for origin in pd.date_range("2025-03-03", periods=8, freq="28D"):
        run = build_forecast(history, origin, 7, model="calendar", calendar=calendar, backtest=True, aht_seconds=180.0)
        actual = history[
            (history["interval_start"] >= origin)
            & (history["interval_start"] < run.frame["interval_start"].max() + pd.Timedelta(hours=1))
        ]
        merged = run.frame.merge(actual, on=["queue", "interval_start"])
        hits += int(((merged["offered"] >= merged["volume_lo"]) & (merged["offered"] <= merged["volume_hi"])).sum())
        total += len(merged)
    assert 0.70 <= hits / total <= 0.90


def test_backtest_report_says_why_the_model_was_chosen(tmp_path: Path) -> None:
    calendar = _calendar(range(2024, 2026))
    history = _planted_history(calendar, "2024-09-02", "2025-02-28").rename(
        columns={ID: "queue", DS: "interval_start", Y: "offered"}
    )
    path = tmp_path / "history.csv"
    history.to_csv(path, index=False)
    report, out = tmp_path / "report.json", tmp_path / "f.csv"
    code = main(
        [
            "forecast",
            "--history",
            str(path),
            "--start",
            "2025-03-03",
            "--days",
            "7",
            "--out",
            str(out),
            "--aht-seconds",
            "180",
            "--backtest",
            str(report),
        ]
    )
    assert code == 0
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["reason"].startswith(data["chosen"]) and "lowest WAPE" in data["reason"]


@pytest.mark.parametrize("spec", ["IL,XX", "NYSE,", "ZZ"])
def test_cli_refuses_an_unknown_calendar_in_a_combined_holidays_option(tmp_path: Path, capsys, spec: str) -> None:
    history = _planted_history(EventCalendar(), "2025-01-06", "2025-02-28").rename(
        columns={ID: "queue", DS: "interval_start", Y: "offered"}
    )
    path = tmp_path / "history.csv"
    history.to_csv(path, index=False)
    out = tmp_path / "f.csv"
    code = main(
        [
            "forecast",
            "--history",
            str(path),
            "--start",
            "2025-03-03",
            "--days",
            "7",
            "--out",
            str(out),
            "--aht-seconds",
            "180",
            "--holidays",
            spec,
        ]
    )
    err = capsys.readouterr().err
    if spec == "NYSE,":  # a trailing comma is harmless
        assert code == 0, err
        return
    assert code == 2, err
    assert "--holidays" in err.splitlines()[-1] and "Traceback" not in err
    assert not out.exists()


def test_cli_refuses_an_events_file_with_an_unknown_kind_naming_the_new_kinds(tmp_path: Path, capsys) -> None:
    history = _planted_history(EventCalendar(), "2025-01-06", "2025-02-28").rename(
        columns={ID: "queue", DS: "interval_start", Y: "offered"}
    )
    path, events, out = tmp_path / "history.csv", tmp_path / "events.csv", tmp_path / "f.csv"
    history.to_csv(path, index=False)
    events.write_text("event,start,end,kind\ninventory,2025-03-05,2025-03-05,shut\n", encoding="utf-8")
    code = main(
        [
            "forecast",
            "--history",
            str(path),
            "--start",
            "2025-03-03",
            "--days",
            "7",
            "--out",
            str(out),
            "--aht-seconds",
            "180",
            "--events",
            str(events),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2, err
    assert "closed" in err and "half_day" in err and "row 2" in err
    assert not out.exists()


def _backtest_rows(gaps: list[float]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Forecast rows of models `x` and `ensemble` at one origin per gap: x's WAPE = ensemble's 10 % + gap."""
    rows = []
    for k, gap in enumerate(gaps):
        origin = pd.Timestamp("2025-01-06") + pd.Timedelta(days=7 * k)
        for model, error in (("ensemble", 0.10), ("x", 0.10 + gap)):
            rows.append({"origin": origin, "model": model, Y: 100.0, Y_HAT: 100.0 * (1 + error)})
    forecasts = pd.DataFrame(rows)
    pooled = forecasts.assign(err=(forecasts[Y_HAT] - forecasts[Y]).abs()).groupby("model")[["err", Y]].sum()
    metrics = pd.DataFrame({"model": pooled.index, "horizon": "all", "wape": pooled["err"] / pooled[Y]})
    return metrics, forecasts


def test_the_ensemble_is_kept_unless_beaten_by_more_than_one_standard_error() -> None:
    from forecasting.backtest import choose_model

    metrics, forecasts = _backtest_rows([-0.04, 0.03, -0.03, 0.02])  # x better on the whole, by luck
    assert choose_model(metrics) == "x"
    assert choose_model(metrics, forecasts=forecasts) == "ensemble"
    metrics, forecasts = _backtest_rows([-0.03, -0.02, -0.03, -0.025])  # x better at every origin
    assert choose_model(metrics, forecasts=forecasts) == "x"
