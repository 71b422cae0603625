"""AHT forecast: the volume-weighted mean handle time of the same weekday and interval over recent weeks."""

from __future__ import annotations

import numpy as np
import pandas as pd


def forecast_aht(
    history: pd.DataFrame, future: pd.DataFrame, *, weeks: int = 8, fallback_seconds: float | None = None
) -> np.ndarray:
    """AHT seconds for each future (queue, interval_start) row.

    Same queue, weekday and time of day over the last `weeks` weeks, weighted by offered volume; where that
    slot has no handled calls, the queue's time-of-day mean, then the queue's mean, then `fallback_seconds`.
    """
    out = np.full(len(future), np.nan)
    fallback = np.nan if fallback_seconds is None else float(fallback_seconds)
    if "aht_seconds" not in history.columns:
        return np.full(len(future), fallback)
    data = history[["queue", "interval_start", "offered", "aht_seconds"]].dropna()
    data = data[data["offered"] > 0]
    if data.empty:
        return np.full(len(future), fallback)
    stamps = pd.to_datetime(data["interval_start"])
    recent = data[stamps >= stamps.max().normalize() - pd.Timedelta(weeks=weeks)].copy()
    recent["weekday"] = recent["interval_start"].dt.weekday
    recent["time"] = recent["interval_start"].dt.time
    recent["handled"] = recent["aht_seconds"] * recent["offered"]
    keys = pd.DataFrame(
        {
            "queue": future["queue"].to_numpy(),
            "weekday": pd.to_datetime(future["interval_start"]).dt.weekday.to_numpy(),
            "time": pd.to_datetime(future["interval_start"]).dt.time.to_numpy(),
        },
    )
    for by in (["queue", "weekday", "time"], ["queue", "time"], ["queue"]):
        sums = recent.groupby(by)[["handled", "offered"]].sum()
        means = (sums["handled"] / sums["offered"]).rename("aht").reset_index()
        found = keys.merge(means, on=by, how="left")["aht"].to_numpy()
        out = np.where(np.isnan(out), found, out)
    return np.where(np.isnan(out), fallback, out)
