"""statsforecast models behind our interface: MSTL on the interval series, AutoETS on daily totals × profile."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # statsforecast loads numba: imported where a model is fitted, not at start-up
    from statsforecast.models import MSTL, AutoETS

from forecasting.models.base import DayForecast, Forecaster, SeriesHistory, naive_daily_log_sigma

FILL_WEEKS = 4


def _open_weekday_rows(history: SeriesHistory, lookback_weeks: int) -> tuple[np.ndarray, np.ndarray]:
    """(rows, mask) of the last weeks' open-weekday days; gaps filled with the same weekday's nearby mean."""
    grid = history.grid
    open_weekdays = history.open_slots.any(axis=1)
    slots = history.open_slots.any(axis=0)
    first = max(0, grid.values.shape[0] - 7 * lookback_weeks)
    rows = np.flatnonzero(open_weekdays[grid.weekdays] & (np.arange(grid.values.shape[0]) >= first))
    values = np.where(history.usable[:, None] & slots[None, :], grid.values, np.nan)[rows]
    weekdays = grid.weekdays[rows]
    for weekday in np.unique(weekdays):
        pick = weekdays == weekday
        values[pick] = _filled(values[pick])
    return np.where(slots[None, :], values, 0.0), slots


def _filled(rows: np.ndarray) -> np.ndarray:
    """Gaps (NaN) replaced by the mean of the known values within FILL_WEEKS rows either side, else the
    column's mean, else 0 (a centred rolling mean with min_periods=1, by cumulative sums)."""
    known = ~np.isnan(rows)
    if known.all():
        return rows
    zero = np.zeros((1, rows.shape[1]))
    sums = np.vstack([zero, np.cumsum(np.where(known, rows, 0.0), axis=0)])
    counts = np.vstack([zero, np.cumsum(known, axis=0)])
    index = np.arange(rows.shape[0])
    lo = np.clip(index - FILL_WEEKS, 0, None)
    hi = np.clip(index + FILL_WEEKS + 1, None, rows.shape[0])
    near_sum, near_count = sums[hi] - sums[lo], counts[hi] - counts[lo]
    nearby = np.divide(near_sum, near_count, out=np.full(rows.shape, np.nan), where=near_count > 0)
    column = np.divide(sums[-1], counts[-1], out=np.full(rows.shape[1], np.nan), where=counts[-1] > 0)
    out = np.where(known, rows, nearby)
    out = np.where(np.isnan(out), column[None, :], out)
    return np.nan_to_num(out, nan=0.0)


@dataclass(frozen=True)
class SeriesForecastPath:
    """A statsforecast model's forecast path over the future open days (one value per day or interval)."""

    path: np.ndarray
    log_sigma: float


def _future_open(history: SeriesHistory, days: pd.DatetimeIndex) -> np.ndarray:
    """Which future days are on an open weekday."""
    return history.open_slots.any(axis=1)[np.asarray(days.weekday)]


def _needed_steps(history: SeriesHistory, days: pd.DatetimeIndex) -> int:
    """Open weekdays between the end of the history and the last requested day."""
    span = pd.date_range(history.last_day + pd.Timedelta(days=1), days[-1], freq="D")
    return int(_future_open(history, span).sum())


class MSTLModel(Forecaster):
    """statsforecast MSTL on the series of open intervals (seasons = one day and one week of them), fitted
    at no finer than `max_detail_minutes` and split back to finer intervals with the weekday profile."""

    alias = "mstl"

    def __init__(self, lookback_weeks: int = 12, max_detail_minutes: int = 30) -> None:
        super().__init__()
        self.lookback_weeks = lookback_weeks
        self.max_detail_minutes = max_detail_minutes

    def _factor(self, history: SeriesHistory) -> int:
        """How many intervals are summed into one for the fit."""
        minutes = history.grid.interval_minutes
        ok = self.max_detail_minutes % minutes == 0 and minutes < self.max_detail_minutes
        return self.max_detail_minutes // minutes if ok else 1

    def _fit_series(self, history: SeriesHistory) -> tuple[MSTL, np.ndarray, float]:
        """Fit MSTL on the filled (and coarsened) open-interval series."""
        values, _ = _open_weekday_rows(history, self.lookback_weeks)
        factor = self._factor(history)
        coarse = values.reshape(values.shape[0], -1, factor).sum(axis=2)
        blocks = history.open_slots.any(axis=0).reshape(-1, factor).any(axis=1)
        per_day = int(blocks.sum())
        per_week = per_day * int(history.open_slots.any(axis=1).sum())
        from statsforecast.models import MSTL

        model = MSTL(season_length=[per_day, per_week] if per_week != per_day else [per_day])
        model = model.fit(coarse[:, blocks].ravel().astype(float))
        return model, blocks, naive_daily_log_sigma(history)

    def _forecast_series(self, state: object, history: SeriesHistory, days: pd.DatetimeIndex) -> DayForecast:
        """Predict the open intervals up to the last day, split blocks by the profile, place on the days."""
        assert isinstance(state, tuple)
        model, blocks, sigma = state
        factor = self._factor(history)
        per_day = int(blocks.sum())
        steps = _needed_steps(history, days)
        mean = np.zeros((len(days), history.grid.slots_per_day))
        if steps:
            path = np.zeros((steps, blocks.size))
            path[:, blocks] = model.predict(h=steps * per_day)["mean"].reshape(steps, per_day)
            coarse = _place(history, days, path)
            shares = history.profiles[np.asarray(days.weekday)].reshape(len(days), -1, factor)
            within = np.divide(
                shares,
                shares.sum(axis=2, keepdims=True),
                out=np.zeros_like(shares),
                where=shares.sum(axis=2, keepdims=True) > 0,
            )
            mean = (coarse[:, :, None] * within).reshape(len(days), -1)
        return DayForecast(mean, np.full(len(days), sigma))


def _place(history: SeriesHistory, days: pd.DatetimeIndex, path: np.ndarray) -> np.ndarray:
    """Put a path of open-day rows (starting the day after the history) onto the requested days."""
    mean = np.zeros((len(days), path.shape[1]))
    span = pd.date_range(history.last_day + pd.Timedelta(days=1), days[-1], freq="D")
    is_open = _future_open(history, span)
    step_of = np.cumsum(is_open) - 1
    position = {day: step for day, step, flag in zip(span, step_of, is_open, strict=True) if flag}
    for i, day in enumerate(days):
        if day in position:
            mean[i] = path[position[day]]
    return mean


class AutoETSModel(Forecaster):
    """statsforecast AutoETS on daily totals of the open days (season = one week), × the weekday profile."""

    alias = "autoets"

    def __init__(self, lookback_weeks: int = 26) -> None:
        super().__init__()
        self.lookback_weeks = lookback_weeks

    def _fit_series(self, history: SeriesHistory) -> AutoETS:
        """Fit AutoETS on the filled daily totals."""
        values, _ = _open_weekday_rows(history, self.lookback_weeks)
        season = int(history.open_slots.any(axis=1).sum())
        from statsforecast.models import AutoETS

        return AutoETS(season_length=season).fit(values.sum(axis=1).astype(float))

    def _forecast_series(self, state: object, history: SeriesHistory, days: pd.DatetimeIndex) -> DayForecast:
        """Daily totals from ETS spread with the weekday profiles; log sigma from the ETS interval."""
        from statsforecast.models import AutoETS

        assert isinstance(state, AutoETS)
        steps = _needed_steps(history, days)
        mean = np.zeros((len(days), history.grid.slots_per_day))
        sigma = np.full(len(days), naive_daily_log_sigma(history))
        if not steps:
            return DayForecast(mean, sigma)
        predicted = state.predict(h=steps, level=[80])
        totals = np.clip(predicted["mean"], 1e-9, None)
        log_sigma = np.log(np.clip(predicted["hi-80"], 1e-9, None) / totals) / 1.2816
        span = pd.date_range(history.last_day + pd.Timedelta(days=1), days[-1], freq="D")
        is_open = _future_open(history, span)
        step_of = dict(zip(span[is_open], range(steps), strict=True))
        for i, day in enumerate(days):
            if day in step_of:
                k = step_of[day]
                mean[i] = totals[k] * history.profiles[day.weekday()]
                sigma[i] = log_sigma[k]
        return DayForecast(mean, sigma)
