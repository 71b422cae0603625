"""AHT forecast: the volume-weighted mean handle time of the same weekday and interval over recent weeks."""

from __future__ import annotations

import numpy as np
import pandas as pd

NS_PER_DAY = 24 * 3600 * 10**9
LEVELS: tuple[list[str], ...] = (["queue", "weekday", "time"], ["queue", "time"], ["queue"])


def forecast_aht(
    history: pd.DataFrame,
    future: pd.DataFrame,
    *,
    weeks: int = 8,
    fallback_seconds: float | None = None,
    end: pd.Timestamp | None = None,
) -> np.ndarray:
    """AHT seconds for each future (queue, interval_start) row.

    Same queue, weekday and time of day over the last `weeks` weeks, weighted by offered volume; where that
    slot has no handled calls, the queue's time-of-day mean, then the queue's mean over those weeks, then over
    the whole history, then `fallback_seconds`; NaN where none applies (never an infinity). The weeks end at
    the last handled interval of `history`, or at `end` (`recent_end` of the whole history, when `history` is
    one batch of its queues: each queue's AHT then equals the one-piece result).
    """
    fallback = np.nan if fallback_seconds is None else float(fallback_seconds)
    if "aht_seconds" not in history.columns:
        return np.full(len(future), fallback)
    data = _handled(history)
    if data.empty:
        return np.full(len(future), fallback)
    stamps = data["interval_start"]
    last = stamps.max() if end is None else pd.Timestamp(end)
    recent = _with_keys(data[stamps >= last.normalize() - pd.Timedelta(weeks=weeks)])
    keys = _with_keys(pd.DataFrame({"queue": future["queue"].to_numpy(), "interval_start": future["interval_start"]}))
    out = np.full(len(future), np.nan)
    for by in LEVELS:
        out = np.where(np.isnan(out), _level_means(recent, keys, by), out)
    if np.isnan(out).any():
        out = np.where(np.isnan(out), _level_means(data, keys, ["queue"]), out)
    return np.where(np.isfinite(out), out, fallback)


def recent_end(history: pd.DataFrame) -> pd.Timestamp | None:
    """The last interval with handled calls (where forecast_aht's recent weeks end); None without any."""
    if "aht_seconds" not in history.columns:
        return None
    offered, aht = history["offered"].to_numpy(float), history["aht_seconds"].to_numpy(float)
    handled = (offered > 0) & np.isfinite(aht)
    return pd.Timestamp(pd.to_datetime(history["interval_start"])[handled].max()) if handled.any() else None


def _handled(history: pd.DataFrame) -> pd.DataFrame:
    """Rows with calls offered and a finite AHT, with the handled seconds (AHT × offered) per row."""
    data = history[["queue", "interval_start", "offered", "aht_seconds"]]
    data = data[(data["offered"] > 0) & np.isfinite(data["aht_seconds"])]
    stamps = pd.to_datetime(data["interval_start"])
    return data.assign(interval_start=stamps, handled=data["aht_seconds"] * data["offered"])


def _with_keys(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with the weekday and time of day (nanoseconds after midnight) of its interval_start."""
    stamps = pd.to_datetime(frame["interval_start"])
    since_midnight = stamps.to_numpy().astype("datetime64[ns]").view("int64") % NS_PER_DAY
    return frame.assign(weekday=stamps.dt.weekday.to_numpy(), time=since_midnight)


def _level_means(data: pd.DataFrame, keys: pd.DataFrame, by: list[str]) -> np.ndarray:
    """Volume-weighted mean AHT of `data` grouped `by`, looked up for each key row (NaN where absent)."""
    sums = data.groupby(by)[["handled", "offered"]].sum()
    means = (sums["handled"] / sums["offered"]).rename("aht").reset_index()
    return keys[by].merge(means, on=by, how="left")["aht"].to_numpy()
