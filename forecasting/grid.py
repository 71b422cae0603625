"""One series as a day × time-of-day matrix (NaN = not observed), the shape every model works on."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

MINUTES_PER_DAY = 24 * 60


@dataclass(frozen=True)
class DayGrid:
    """Values of one series: row = calendar day (contiguous), column = interval of the day; NaN = no data."""

    first_day: pd.Timestamp
    interval_minutes: int
    values: np.ndarray

    @property
    def slots_per_day(self) -> int:
        """Number of intervals in one day."""
        return MINUTES_PER_DAY // self.interval_minutes

    @property
    def days(self) -> pd.DatetimeIndex:
        """The calendar days of the rows."""
        return pd.date_range(self.first_day, periods=self.values.shape[0], freq="D")

    @property
    def weekdays(self) -> np.ndarray:
        """Weekday (Monday = 0) of each row."""
        return np.asarray(self.days.weekday)

    def daily_totals(self) -> np.ndarray:
        """Sum of each day's observed intervals (NaN for a day without any data)."""
        seen = ~np.isnan(self.values)
        totals = np.where(seen, self.values, 0.0).sum(axis=1)
        return np.where(seen.any(axis=1), totals, np.nan)


NS_PER_MINUTE = 60 * 10**9
NS_PER_DAY = MINUTES_PER_DAY * NS_PER_MINUTE


def as_datetime_ns(ds: pd.Series | pd.Index | np.ndarray) -> np.ndarray:
    """Timestamps as a datetime64[ns] array (no parsing when they already are datetimes)."""
    values = np.asarray(ds)
    if values.dtype == "datetime64[ns]":
        return values
    if np.issubdtype(values.dtype, np.datetime64):
        return values.astype("datetime64[ns]")
    return np.asarray(pd.to_datetime(pd.Series(ds)).to_numpy(), dtype="datetime64[ns]")


def infer_interval_minutes(ds: pd.Series | np.ndarray) -> int:
    """The interval length: the most common positive step between consecutive timestamps of a day."""
    steps = np.diff(as_datetime_ns(ds).view("int64"))
    if (steps < 0).any():
        steps = np.diff(np.sort(as_datetime_ns(ds).view("int64")))
    steps = steps[(steps > 0) & (steps < NS_PER_DAY)]
    if steps.size == 0:
        return 60
    minutes = int(_smallest_mode(steps) // NS_PER_MINUTE)
    if minutes <= 0 or MINUTES_PER_DAY % minutes:
        raise ValueError(f"interval of {minutes} minutes does not divide a day")
    return minutes


def _smallest_mode(values: np.ndarray) -> int:
    """The most common value (the smallest one on a tie), by sorting (np.unique hashes slowly on numpy 2)."""
    ordered = np.sort(values)
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    counts = np.diff(np.r_[starts, ordered.size])
    return int(ordered[starts[np.argmax(counts)]])


def to_grid(ds: pd.Series | np.ndarray, y: pd.Series | np.ndarray, interval_minutes: int) -> DayGrid:
    """Place a series' values on its day × interval grid (values summed if several share an interval)."""
    ns = as_datetime_ns(ds).view("int64")
    values = np.asarray(y, dtype=float)
    day = ns // NS_PER_DAY
    first = int(day.min())
    row = day - first
    col = (ns - day * NS_PER_DAY) // (interval_minutes * NS_PER_MINUTE)
    slots = MINUTES_PER_DAY // interval_minutes
    cell = row * slots + col
    size = (int(row.max()) + 1) * slots
    seen = ~np.isnan(values)
    summed = np.bincount(cell[seen], weights=values[seen], minlength=size)
    present = np.bincount(cell[seen], minlength=size) > 0
    grid = np.where(present, summed, np.nan).reshape(-1, slots)
    first_day = pd.Timestamp(np.datetime64(first * NS_PER_DAY, "ns"))
    return DayGrid(first_day=first_day, interval_minutes=interval_minutes, values=grid)


def slot_starts(days: pd.DatetimeIndex, interval_minutes: int) -> np.ndarray:
    """Start timestamps of every interval of the given days, shape (days, slots)."""
    offsets = pd.to_timedelta(np.arange(MINUTES_PER_DAY // interval_minutes) * interval_minutes, unit="min")
    return days.values[:, None] + offsets.values[None, :]


def resample_grid(grid: DayGrid, interval_minutes: int) -> DayGrid:
    """Coarsen a grid to a longer interval (a multiple of its own) by summing; NaN if all parts are NaN."""
    if interval_minutes % grid.interval_minutes:
        raise ValueError("the new interval must be a multiple of the old one")
    factor = interval_minutes // grid.interval_minutes
    n_days, slots = grid.values.shape
    blocks = grid.values.reshape(n_days, slots // factor, factor)
    seen = ~np.isnan(blocks)
    summed = np.where(seen, blocks, 0.0).sum(axis=2)
    return DayGrid(grid.first_day, interval_minutes, np.where(seen.any(axis=2), summed, np.nan))


def coarsen_frame(df: pd.DataFrame, interval_minutes: int, *, key: str, ds: str, value: str) -> pd.DataFrame:
    """Sum a long frame's `value` into intervals of `interval_minutes` (per `key`), stamped at their start."""
    out = df[[key, ds, value]].copy()
    out[ds] = pd.to_datetime(out[ds]).dt.floor(f"{interval_minutes}min")
    return out.groupby([key, ds], as_index=False, sort=True)[value].sum(min_count=1)
