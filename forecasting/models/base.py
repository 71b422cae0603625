"""The one model interface (statsforecast style): fit(df) / forecast(h | future frame) on long frames."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar, Self

import numpy as np
import pandas as pd
from scipy.special import ndtri

from forecasting.grid import DayGrid, as_datetime_ns, infer_interval_minutes, slot_starts, to_grid
from forecasting.profile import complete_days, open_slots_by_weekday, slot_dispersion, weekday_profiles

ID, DS, Y = "unique_id", "ds", "y"
Y_HAT, Y_LO, Y_HI = "y_hat", "y_lo", "y_hi"


@dataclass(frozen=True)
class SeriesHistory:
    """What every model knows about one training series: its grid, open hours, usable days and profiles."""

    grid: DayGrid
    open_slots: np.ndarray
    usable: np.ndarray
    profiles: np.ndarray
    dispersion: float
    closed_days: frozenset[pd.Timestamp] = frozenset()

    @property
    def last_day(self) -> pd.Timestamp:
        """The last calendar day of the training data."""
        return self.grid.days[-1]


@dataclass(frozen=True)
class DayForecast:
    """A model's forecast for some future days: interval means and the relative error of each day's total."""

    mean: np.ndarray
    daily_log_sigma: np.ndarray


def describe_series(grid: DayGrid, closed_days: frozenset[pd.Timestamp] = frozenset()) -> SeriesHistory:
    """Open hours, usable days, weekday profiles and interval dispersion of one training grid;
    `closed_days` are known closures (holidays) past and future, for calendar features."""
    open_slots = open_slots_by_weekday(grid)
    usable = complete_days(grid, open_slots)
    profiles = weekday_profiles(grid, open_slots, usable=usable)
    dispersion = slot_dispersion(grid, profiles, usable)
    return SeriesHistory(grid, open_slots, usable, profiles, dispersion, closed_days)


def check_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A clean copy of a long frame with unique_id, ds (datetime) and y (float ≥ 0); ValueError otherwise."""
    missing = [c for c in (ID, DS, Y) if c not in df.columns]
    if missing:
        raise ValueError(f"frame lacks column(s) {missing}")
    out = df[[ID, DS, Y]].copy()
    out[DS] = as_datetime_ns(out[DS])
    out[Y] = out[Y].astype(float)
    if out.empty:
        raise ValueError("frame is empty")
    return out


def series_arrays(frame: pd.DataFrame) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Timestamps (datetime64[ns]) and values of each series of a checked long frame, in sorted series order
    and time order."""
    codes, uids = pd.factorize(frame[ID], sort=True)
    stamps = as_datetime_ns(frame[DS])
    order = np.lexsort((stamps.view("int64"), codes))
    bounds = np.searchsorted(codes[order], np.arange(len(uids) + 1))
    stamps, values = stamps[order], frame[Y].to_numpy(float)[order]
    return {
        str(uid): (stamps[bounds[n] : bounds[n + 1]], values[bounds[n] : bounds[n + 1]]) for n, uid in enumerate(uids)
    }


def series_grids(arrays: Mapping[str, tuple[np.ndarray, np.ndarray]]) -> dict[str, DayGrid]:
    """One day × interval grid per series (its interval length inferred from its own timestamps)."""
    return {uid: to_grid(ds, y, infer_interval_minutes(ds)) for uid, (ds, y) in arrays.items() if len(ds)}


def naive_daily_log_sigma(history: SeriesHistory, weeks: int = 4) -> float:
    """Spread of log(day total / mean of the previous `weeks` same weekdays) over the training days."""
    totals = np.where(history.usable, history.grid.daily_totals(), np.nan)
    errors = []
    for row in range(7 * weeks, len(totals)):
        if np.isnan(totals[row]):
            continue
        past = totals[row - 7 * weeks : row : 7]
        past = past[~np.isnan(past)]
        if past.size >= 2 and past.mean() > 0 and totals[row] > 0:
            errors.append(np.log(totals[row] / past.mean()))
    return robust_sigma(np.asarray(errors)) if errors else 0.1


def robust_sigma(errors: np.ndarray) -> float:
    """Standard deviation estimated from the median absolute deviation (outliers barely move it)."""
    errors = errors[~np.isnan(errors)]
    if errors.size < 3:
        return 0.1
    return float(1.4826 * np.median(np.abs(errors - np.median(errors))))


class Forecaster(ABC):
    """Base of every model: fit on a long frame (unique_id, ds, y), forecast days ahead or a future index."""

    alias: ClassVar[str]
    level: int = 80

    def __init__(self) -> None:
        self._series: dict[str, SeriesHistory] = {}
        self._states: dict[str, object] = {}

    def fit(self, df: pd.DataFrame) -> Self:
        """Learn from the history frame; returns the model itself."""
        return self.fit_grids(series_grids(series_arrays(check_frame(df))))

    def fit_grids(self, grids: Mapping[str, DayGrid]) -> Self:
        """Learn from one day × interval grid per series (what fit builds from a frame); returns the model."""
        self._series, self._states = {}, {}
        for uid, grid in grids.items():
            history = self._prepare(uid, grid)
            self._series[uid] = history
            self._states[uid] = self._fit_series(history)
        return self

    def forecast(self, h: int | pd.DataFrame) -> pd.DataFrame:
        """Forecast h days after the end of the history, or the (unique_id, ds) rows of a future frame.

        Returns unique_id, ds, y_hat, y_lo, y_hi (the central `level` % interval).
        """
        if not self._series:
            raise RuntimeError("fit the model first")
        if isinstance(h, pd.DataFrame):
            return self._forecast_index(h)
        parts = [self._forecast_days(uid, int(h)) for uid in self._series]
        return pd.concat(parts, ignore_index=True)

    def history_end(self) -> pd.Timestamp:
        """The earliest last day of the training series: a forecast of the days after it covers every series."""
        if not self._series:
            raise RuntimeError("fit the model first")
        return min(history.last_day for history in self._series.values())

    def series_ids(self) -> tuple[str, ...]:
        """The series the model was fitted on."""
        return tuple(self._series)

    def _forecast_days(self, uid: str, days: int) -> pd.DataFrame:
        """All open intervals of the next `days` days for one series."""
        history = self._series[uid]
        future = pd.date_range(history.last_day + pd.Timedelta(days=1), periods=days, freq="D")
        mean, lo, hi = self._bounded(uid, future)
        starts = slot_starts(future, history.grid.interval_minutes)
        mask = history.open_slots[np.asarray(future.weekday)]
        return pd.DataFrame(
            {ID: uid, DS: starts[mask], Y_HAT: mean[mask], Y_LO: lo[mask], Y_HI: hi[mask]},
        )

    def _forecast_index(self, future: pd.DataFrame) -> pd.DataFrame:
        """Forecasts at the requested rows (intervals the site is closed at get 0)."""
        out = future[[ID, DS]].reset_index(drop=True)
        out[DS] = pd.to_datetime(out[DS])
        out[[Y_HAT, Y_LO, Y_HI]] = 0.0
        for uid, rows in out.groupby(ID, sort=False):
            history = self._series[str(uid)]
            first = max(rows[DS].min().normalize(), history.last_day + pd.Timedelta(days=1))
            last = rows[DS].max().normalize()
            days = pd.date_range(history.last_day + pd.Timedelta(days=1), max(first, last), freq="D")
            mean, lo, hi = self._bounded(str(uid), days)
            day_pos = ((rows[DS].dt.normalize() - days[0]) / pd.Timedelta(days=1)).astype(int).to_numpy()
            slot = (rows[DS] - rows[DS].dt.normalize()) / pd.Timedelta(minutes=history.grid.interval_minutes)
            slot = slot.astype(int).to_numpy()
            valid = day_pos >= 0
            for column, values in ((Y_HAT, mean), (Y_LO, lo), (Y_HI, hi)):
                picked = np.zeros(len(rows))
                picked[valid] = values[day_pos[valid], slot[valid]]
                out.loc[rows.index, column] = picked
        return out.set_axis(future.index)

    def _bounded(self, uid: str, days: pd.DatetimeIndex) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Mean, lower and upper bound grids for the days, with closed intervals set to 0."""
        history = self._series[uid]
        result = self._forecast_series(self._states[uid], history, days)
        mask = history.open_slots[np.asarray(days.weekday)]
        mean = np.where(mask, np.clip(result.mean, 0.0, None), 0.0)
        sigma = np.asarray(result.daily_log_sigma, float)[:, None]
        z = ndtri(0.5 + self.level / 200)  # the normal quantile, as scipy.stats.norm.ppf (a much lighter import)
        spread = np.sqrt((mean * sigma) ** 2 + history.dispersion * mean)
        return mean, np.clip(mean - z * spread, 0.0, None), mean + z * spread

    def _prepare(self, uid: str, grid: DayGrid) -> SeriesHistory:
        """Describe one training series (a hook for wrappers that clean the history first)."""
        return describe_series(grid)

    @abstractmethod
    def _fit_series(self, history: SeriesHistory) -> object:
        """Fit one series; returns the fitted state for _forecast_series."""

    @abstractmethod
    def _forecast_series(self, state: object, history: SeriesHistory, days: pd.DatetimeIndex) -> DayForecast:
        """Forecast the interval means of the given future days (rows) for one series."""
