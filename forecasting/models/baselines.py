"""Baselines: the weekly seasonal naive and the mean of the same interval over the last N weeks."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecasting.models.base import DayForecast, Forecaster, SeriesHistory, naive_daily_log_sigma


@dataclass(frozen=True)
class WeekdayRows:
    """One stored day (intervals) per weekday and the relative error of a day total."""

    rows: np.ndarray
    daily_log_sigma: float


def _last_usable_rows(history: SeriesHistory, weekday: int, count: int) -> np.ndarray:
    """The last `count` usable days of a weekday, newest first, shape (≤count, slots)."""
    picked = np.flatnonzero(history.usable & (history.grid.weekdays == weekday))[::-1][:count]
    return np.nan_to_num(history.grid.values[picked])


def _weekday_forecast(state: WeekdayRows, days: pd.DatetimeIndex) -> DayForecast:
    """Repeat the stored weekday rows over the future days."""
    mean = state.rows[np.asarray(days.weekday)]
    return DayForecast(mean, np.full(len(days), state.daily_log_sigma))


class SeasonalNaive(Forecaster):
    """Each interval = the same interval on the last usable day of the same weekday."""

    alias = "seasonal_naive"

    def _fit_series(self, history: SeriesHistory) -> WeekdayRows:
        """Keep the last usable day of each weekday."""
        rows = np.zeros((7, history.grid.slots_per_day))
        for weekday in range(7):
            last = _last_usable_rows(history, weekday, 1)
            if len(last):
                rows[weekday] = last[0]
        return WeekdayRows(rows, 1.3 * naive_daily_log_sigma(history, weeks=1))

    def _forecast_series(self, state: object, history: SeriesHistory, days: pd.DatetimeIndex) -> DayForecast:
        """Repeat last week."""
        assert isinstance(state, WeekdayRows)
        return _weekday_forecast(state, days)


class SameSlotMean(Forecaster):
    """Each interval = the mean of the same interval on the last `weeks` usable days of the same weekday."""

    alias = "same_slot_mean"

    def __init__(self, weeks: int = 4) -> None:
        super().__init__()
        self.weeks = weeks

    def _fit_series(self, history: SeriesHistory) -> WeekdayRows:
        """Average the last `weeks` usable days of each weekday."""
        rows = np.zeros((7, history.grid.slots_per_day))
        for weekday in range(7):
            last = _last_usable_rows(history, weekday, self.weeks)
            if len(last):
                rows[weekday] = last.mean(axis=0)
        return WeekdayRows(rows, naive_daily_log_sigma(history, weeks=self.weeks))

    def _forecast_series(self, state: object, history: SeriesHistory, days: pd.DatetimeIndex) -> DayForecast:
        """Repeat the mean week."""
        assert isinstance(state, WeekdayRows)
        return _weekday_forecast(state, days)
