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


def infer_interval_minutes(ds: pd.Series) -> int:
    """The interval length: the most common positive step between consecutive timestamps of a day."""
    stamps = pd.Series(pd.to_datetime(ds).sort_values().unique())
    steps = stamps.diff().dropna()
    steps = steps[(steps > pd.Timedelta(0)) & (steps < pd.Timedelta(days=1))]
    if steps.empty:
        return 60
    minutes = int(steps.mode().iloc[0] / pd.Timedelta(minutes=1))
    if minutes <= 0 or MINUTES_PER_DAY % minutes:
        raise ValueError(f"interval of {minutes} minutes does not divide a day")
    return minutes


def to_grid(ds: pd.Series, y: pd.Series, interval_minutes: int) -> DayGrid:
    """Place a series' values on its day × interval grid (values summed if several share an interval)."""
    stamps = pd.to_datetime(pd.Series(ds)).reset_index(drop=True)
    values = pd.Series(y).astype(float).reset_index(drop=True)
    day = stamps.dt.normalize()
    first = day.min()
    row = ((day - first) / pd.Timedelta(days=1)).astype(int).to_numpy()
    col = ((stamps - day) / pd.Timedelta(minutes=interval_minutes)).astype(int).to_numpy()
    grid = np.full((row.max() + 1, MINUTES_PER_DAY // interval_minutes), np.nan)
    frame = pd.DataFrame({"r": row, "c": col, "v": values.to_numpy()})
    summed = frame.groupby(["r", "c"], sort=False)["v"].sum(min_count=1)
    grid[summed.index.get_level_values(0), summed.index.get_level_values(1)] = summed.to_numpy()
    return DayGrid(first_day=pd.Timestamp(first), interval_minutes=interval_minutes, values=grid)


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
