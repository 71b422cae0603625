"""Our model: a recency-weighted regression of log daily totals on calendar features × a weekday profile."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecasting.models.base import DayForecast, Forecaster, SeriesHistory, robust_sigma


def month_position_features(
    days: pd.DatetimeIndex, open_weekdays: np.ndarray, closed_days: frozenset[pd.Timestamp] = frozenset()
) -> np.ndarray:
    """Columns: first, second and last open day of the month (1/0); open = open weekday, not a closure."""
    if len(days) == 0:
        return np.zeros((0, 3))
    span = pd.date_range(days[0] - pd.Timedelta(days=40), days[-1] + pd.Timedelta(days=40), freq="D")
    is_open = open_weekdays[np.asarray(span.weekday)] & ~np.asarray(span.isin(list(closed_days)))
    frame = pd.DataFrame({"month": span.to_period("M"), "open": is_open}, index=span)
    frame["rank"] = frame.groupby("month")["open"].cumsum()
    frame["left"] = frame.groupby("month")["open"].transform("sum") - frame["rank"]
    picked = frame.loc[days]
    opened = picked["open"].to_numpy()
    return np.column_stack(
        [
            opened & (picked["rank"].to_numpy() == 1),
            opened & (picked["rank"].to_numpy() == 2),
            opened & (picked["left"].to_numpy() == 0),
        ],
    ).astype(float)


def month_cycle_features(days: pd.DatetimeIndex, harmonics: int) -> np.ndarray:
    """Sine/cosine pairs of the position in the month (pay cycles), `harmonics` pairs."""
    phase = 2 * np.pi * (np.asarray(days.day) - 1) / np.asarray(days.days_in_month)
    k = np.arange(1, harmonics + 1)[None, :]
    return np.hstack([np.sin(phase[:, None] * k), np.cos(phase[:, None] * k)])


@dataclass(frozen=True)
class CalendarFit:
    """Coefficients of the daily-total regression and the error scale of a day total."""

    coef: np.ndarray
    open_weekdays: np.ndarray
    closed_days: frozenset[pd.Timestamp]
    last_day: pd.Timestamp
    residual_level: float
    daily_log_sigma: float


OFF = 1e8


def _weighted_ridge(x: np.ndarray, y: np.ndarray, w: np.ndarray, penalty: np.ndarray) -> np.ndarray:
    """Coefficients minimising Σ w (y − x b)² + Σ penalty b²."""
    stacked = np.vstack([x * np.sqrt(w)[:, None], np.diag(np.sqrt(penalty))])
    target = np.concatenate([y * np.sqrt(w), np.zeros(x.shape[1])])
    return np.linalg.lstsq(stacked, target, rcond=None)[0]


class CalendarRegression(Forecaster):
    """log(day total) ~ weekday + month start/end (+ pay-cycle harmonics), by weighted ridge with recent
    weeks weighted more (event days are left out by the event wrapper). The forecast averages the fits
    with and without the pay cycle (a hedge: the cycle helps on most dates but changes between seasons),
    adds a damped correction by the last days' residuals (the local level), and spreads the day total
    with the shrunk, recency-weighted weekday profile."""

    alias = "calendar"

    def __init__(
        self,
        half_life_weeks: float = 8.0,
        lookback_weeks: int = 26,
        ridge: float = 3.0,
        month_harmonics: int = 2,
        level_half_life_days: float = 2.0,
        level_damping: float = 0.8,
    ) -> None:
        super().__init__()
        self.half_life_weeks = half_life_weeks
        self.lookback_weeks = lookback_weeks
        self.ridge = ridge
        self.month_harmonics = month_harmonics
        self.level_half_life_days = level_half_life_days
        self.level_damping = level_damping

    def _design(
        self, days: pd.DatetimeIndex, open_weekdays: np.ndarray, closed_days: frozenset[pd.Timestamp]
    ) -> np.ndarray:
        """Design matrix: 7 weekday dummies, month position (3 flags), pay-cycle harmonics."""
        weekday = np.asarray(days.weekday)
        dummies = (weekday[:, None] == np.arange(7)[None, :]).astype(float)
        return np.hstack(
            [
                dummies,
                month_position_features(days, open_weekdays, closed_days),
                month_cycle_features(days, self.month_harmonics),
            ],
        )

    def _penalties(self, width: int) -> list[np.ndarray]:
        """Ridge penalties of the fits that are averaged: without and (if asked) with the pay cycle."""
        plain = np.full(width, self.ridge)
        plain[:7] = 1e-6
        plain[10:] = OFF
        if not self.month_harmonics:
            return [plain]
        cycle = plain.copy()
        cycle[10:] = self.ridge
        return [plain, cycle]

    def _fit_series(self, history: SeriesHistory) -> CalendarFit:
        """Weighted ridge least squares on the usable days of the lookback window."""
        days = history.grid.days
        open_weekdays = history.open_slots.any(axis=1)
        totals = history.grid.daily_totals()
        age_days = np.asarray((history.last_day - days) / pd.Timedelta(days=1))
        use = history.usable & (age_days < 7 * self.lookback_weeks) & open_weekdays[np.asarray(days.weekday)]
        use &= totals > 0
        x = self._design(days[use], open_weekdays, history.closed_days)
        y = np.log(totals[use])
        w = 0.5 ** (age_days[use] / (7 * self.half_life_weeks))
        coef = np.mean([_weighted_ridge(x, y, w, p) for p in self._penalties(x.shape[1])], axis=0)
        resid = y - x @ coef
        sigma = robust_sigma(resid)
        level = 0.0
        if self.level_half_life_days > 0 and resid.size:
            lw = 0.5 ** (age_days[use] / self.level_half_life_days)
            level = float((lw * np.clip(resid, -2 * sigma, 2 * sigma)).sum() / lw.sum())
        return CalendarFit(coef, open_weekdays, history.closed_days, history.last_day, level, sigma * 1.1)

    def _forecast_series(self, state: object, history: SeriesHistory, days: pd.DatetimeIndex) -> DayForecast:
        """Day totals from the regression, spread with the weekday profiles."""
        assert isinstance(state, CalendarFit)
        x = self._design(days, state.open_weekdays, state.closed_days)
        lead = ((days - state.last_day) / pd.Timedelta(days=1)).to_numpy()
        log_total = x @ state.coef + state.residual_level * self.level_damping ** (lead - 1)
        totals = np.where(state.open_weekdays[np.asarray(days.weekday)], np.exp(log_total), 0.0)
        mean = totals[:, None] * history.profiles[np.asarray(days.weekday)]
        sigma = state.daily_log_sigma * np.sqrt(1 + lead / 28.0)
        return DayForecast(mean, sigma)
