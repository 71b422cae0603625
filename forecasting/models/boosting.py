"""LightGBM on day totals: direct multi-day forecasts from lag and calendar features × the weekday profile."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # lightgbm is imported where a model is fitted, not at start-up
    from lightgbm import Booster

from forecasting.models.base import DayForecast, Forecaster, SeriesHistory, robust_sigma
from forecasting.models.calendar import month_position_features

SAME_WEEKDAYS = 4
ORIGIN_STEP_DAYS = 2


def _anchor(totals: np.ndarray, t: int, day: int, weeks: int = SAME_WEEKDAYS) -> float:
    """Mean of the last `weeks` known (finite, positive) totals of `day`'s weekday on rows ≤ t (NaN if < 2)."""
    row = day - 7 * ((day - t + 6) // 7) if day > t else day
    stop = row - 7 * 3 * weeks
    found, total = 0, 0.0
    while row >= 0 and row > stop and found < weeks:
        value = totals[row]
        if value > 0:  # False for NaN
            found, total = found + 1, total + value
        row -= 7
    return total / found if found >= 2 else math.nan


def _mean_known(values: np.ndarray) -> float:
    """Mean of the finite values (NaN if none)."""
    known = values[values == values]
    return float(known.mean()) if known.size else math.nan


def _log_ratio(a: float, b: float) -> float:
    """log(a / b), 0 where either is missing or not positive."""
    return math.log(a / b) if a > 0 and b > 0 else 0.0


def _features(totals: np.ndarray, calendar: np.ndarray, t: int, day: int) -> list[float]:
    """Features of a target row `day` seen from origin row t (the last known day): lead, weekday, calendar
    columns, and lags as log ratios to the same-weekday anchor (scale-free)."""
    anchor = _anchor(totals, t, day)
    last_same = day - 7 * ((day - t + 6) // 7)
    level = _log_ratio(_mean_known(totals[max(0, t - 6) : t + 1]), _mean_known(totals[max(0, t - 34) : max(0, t - 6)]))
    return [
        float(day - t),
        *calendar[day],
        _log_ratio(totals[last_same], anchor) if last_same >= 0 else 0.0,
        level,
        _log_ratio(totals[t], _anchor(totals, t - 7, t)),
    ]


@dataclass(frozen=True)
class BoostingFit:
    """The fitted booster (None: too little data, the same-weekday mean is used), and the day-total error."""

    booster: Booster | None
    daily_log_sigma: float


class LightGBMModel(Forecaster):
    """LightGBM (gradient-boosted trees) forecasting log(day total / mean of the last 4 same weekdays) directly
    for each lead from lag features (last same weekday, the last week's level, the last day's residual) and
    calendar features (weekday, day of month, month start/end); the day total is spread with the profile."""

    alias = "lightgbm"

    def __init__(self, lookback_weeks: int = 26, max_lead_days: int = 14, trees: int = 150) -> None:
        super().__init__()
        self.lookback_weeks = lookback_weeks
        self.max_lead_days = max_lead_days
        self.trees = trees

    def _calendar(self, history: SeriesHistory, days: pd.DatetimeIndex) -> np.ndarray:
        """Calendar columns of the days: day of month, days left in the month, month position flags."""
        open_weekdays = history.open_slots.any(axis=1)
        left = np.asarray(days.days_in_month - days.day)
        flags = month_position_features(days, open_weekdays, history.closed_days)
        return np.column_stack([np.asarray(days.weekday), np.asarray(days.day), left, flags])

    def _fit_series(self, history: SeriesHistory) -> BoostingFit:
        """Rows (origin, lead) over the lookback window; target log(total / anchor) of open usable days."""
        totals = np.where(history.usable, history.grid.daily_totals(), np.nan)
        days = history.grid.days
        weekdays = np.asarray(days.weekday)
        open_weekdays = history.open_slots.any(axis=1)
        calendar = self._calendar(history, days).tolist()
        n = len(days)
        first = max(5 * 7, n - 7 * self.lookback_weeks)
        x, y = [], []
        for t in range(n - 2, first - 1, -ORIGIN_STEP_DAYS):  # origins every other day, back from the end
            for day in range(t + 1, min(n, t + 1 + self.max_lead_days)):
                if not open_weekdays[weekdays[day]] or not totals[day] > 0:
                    continue
                anchor = _anchor(totals, t, day)
                if not anchor > 0:
                    continue
                x.append(_features(totals, calendar, t, day))
                y.append(np.log(totals[day] / anchor))
        if len(y) < 50:
            return BoostingFit(None, 0.1)
        import lightgbm

        params = {
            "objective": "regression",
            "learning_rate": 0.05,
            "num_leaves": 15,
            "min_data_in_leaf": 20,
            "bagging_fraction": 0.8,
            "bagging_freq": 1,
            "feature_fraction": 0.9,
            "lambda_l2": 1.0,
            "num_threads": 1,
            "seed": 0,
            "deterministic": True,
            "verbose": -1,
        }
        features, target = np.asarray(x), np.asarray(y)
        booster = lightgbm.train(params, lightgbm.Dataset(features, target), num_boost_round=self.trees)
        sigma = robust_sigma(target - booster.predict(features))
        return BoostingFit(booster, 1.3 * sigma)

    def _forecast_series(self, state: object, history: SeriesHistory, days: pd.DatetimeIndex) -> DayForecast:
        """Day totals = anchor × exp(prediction), spread with the weekday profiles."""
        assert isinstance(state, BoostingFit)
        totals = np.where(history.usable, history.grid.daily_totals(), np.nan)
        span = pd.date_range(history.grid.first_day, days[-1], freq="D")
        padded = np.concatenate([totals, np.full(len(span) - len(totals), np.nan)])
        calendar = self._calendar(history, span).tolist()
        t = len(totals) - 1
        rows = [t + int((day - history.last_day) / pd.Timedelta(days=1)) for day in days]
        anchors = np.array([_anchor(padded, t, row) for row in rows])
        anchors = np.nan_to_num(anchors, nan=0.0)
        ratio = np.ones(len(days))
        if state.booster is not None and len(rows):
            feats = np.asarray([_features(padded, calendar, t, row) for row in rows])
            feats[:, 0] = np.minimum(feats[:, 0], self.max_lead_days)  # leads beyond training: the longest seen
            ratio = np.exp(state.booster.predict(feats))
        open_days = history.open_slots.any(axis=1)[np.asarray(days.weekday)]
        total = np.where(open_days, anchors * ratio, 0.0)
        lead = np.asarray([(day - history.last_day) / pd.Timedelta(days=1) for day in days], float)
        sigma = state.daily_log_sigma * np.sqrt(1 + lead / 28.0)
        return DayForecast(total[:, None] * history.profiles[np.asarray(days.weekday)], sigma)
