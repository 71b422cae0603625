"""From checked history to the forecast contract: choose a model by backtest, forecast volume, bounds and AHT."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecasting.aht import forecast_aht
from forecasting.backtest import BacktestResult, Progress, rolling_origins, run_backtest
from forecasting.events import EventCalendar
from forecasting.models import ALIASES, DS, ID, Y_HAT, Y_HI, Y_LO, Y, make_model

FORECAST_COLUMNS = ("queue", "interval_start", "volume", "aht_seconds", "volume_lo", "volume_hi", "model")
BACKTEST_ORIGINS = 4
MIN_BACKTEST_DAYS = 7
MAX_BACKTEST_DAYS = 28


@dataclass(frozen=True)
class ForecastRun:
    """The forecast in contract columns, the model used and the backtest behind the choice (if run)."""

    frame: pd.DataFrame
    model: str
    backtest: BacktestResult | None


def to_long(history: pd.DataFrame) -> pd.DataFrame:
    """History (queue, interval_start, offered) as a model frame (unique_id, ds, y)."""
    return pd.DataFrame(
        {ID: history["queue"].astype(str), DS: pd.to_datetime(history["interval_start"]), Y: history["offered"]},
    )


def backtest_models(
    long: pd.DataFrame,
    aliases: tuple[str, ...],
    horizon_days: int,
    calendar: EventCalendar | None,
    *,
    origins: int = BACKTEST_ORIGINS,
    progress: Progress | None = None,
) -> BacktestResult:
    """Rolling-origin backtest of the named models: `origins` weekly origins at the end of the history, each
    forecasting the plan's horizon (at least a week, so that a day-ahead choice rests on enough days)."""
    horizon = max(MIN_BACKTEST_DAYS, min(horizon_days, MAX_BACKTEST_DAYS))
    points = rolling_origins(long, horizon, origins)
    models = [make_model(alias, calendar) for alias in aliases]
    return run_backtest(long, models, points, horizon, progress=progress)


def build_forecast(
    history: pd.DataFrame,
    start: pd.Timestamp,
    days: int,
    *,
    model: str = "auto",
    calendar: EventCalendar | None = None,
    backtest: bool = False,
    aht_seconds: float | None = None,
    progress: Progress | None = None,
) -> ForecastRun:
    """Forecast `days` days from `start` with the history before `start`.

    model "auto" backtests every model and keeps the one with the lowest WAPE; with `backtest` the named
    model is backtested too (for the report). AHT comes from the history (or `aht_seconds` where it has none).
    """
    start = pd.Timestamp(start).normalize()
    past = history[pd.to_datetime(history["interval_start"]) < start]
    if past.empty:
        raise ValueError(f"the history has no data before {start.date()}")
    long = to_long(past)
    result = None
    chosen = model
    if model == "auto" or backtest:
        aliases = ALIASES if model == "auto" else (model,)
        result = backtest_models(long, aliases, days, calendar, progress=progress)
        chosen = result.chosen if model == "auto" else model
    fitted = make_model(chosen, calendar).fit(long)
    last_day = long[DS].max().normalize()
    ahead = int((start - last_day) / pd.Timedelta(days=1)) - 1 + days
    predicted = fitted.forecast(ahead)
    end = start + pd.Timedelta(days=days)
    predicted = predicted[(predicted[DS] >= start) & (predicted[DS] < end)].reset_index(drop=True)
    frame = pd.DataFrame(
        {
            "queue": predicted[ID],
            "interval_start": predicted[DS],
            "volume": predicted[Y_HAT].round(3),
            "volume_lo": predicted[Y_LO].round(3),
            "volume_hi": predicted[Y_HI].round(3),
            "model": chosen,
        },
    )
    frame["aht_seconds"] = np.round(forecast_aht(past, frame, fallback_seconds=aht_seconds), 1)
    return ForecastRun(frame[list(FORECAST_COLUMNS)], chosen, result)
