"""Operations reports from interval history: per day and queue, volume, peak hour, service level, ASA, AHT."""

from __future__ import annotations

import numpy as np
import pandas as pd

REPORT_COLUMNS = (
    "date",
    "channel",
    "queue",
    "offered",
    "answered",
    "abandoned",
    "peak_hour",
    "peak_hour_offered",
    "service_level",
    "asa_seconds",
    "abandon_rate",
    "aht_seconds",
)


def _weighted(frame: pd.DataFrame, value: str, weight: str, keys: list[str]) -> pd.Series:
    """Σ value·weight / Σ weight per group (NaN when the weights sum to 0 or the value is missing)."""
    if value not in frame.columns:
        return pd.Series(np.nan, index=frame.groupby(keys).size().index)
    product = (frame[value] * frame[weight]).groupby([frame[k] for k in keys]).sum(min_count=1)
    total = frame[weight].where(frame[value].notna()).groupby([frame[k] for k in keys]).sum()
    return product / total.where(total > 0)


def daily_operations(history: pd.DataFrame, channels: dict[str, str] | None = None) -> pd.DataFrame:
    """One row per date and queue: offered, answered, abandoned, busiest hour, SL, ASA, abandonment, AHT.

    Service level = answered within target / offered; ASA and AHT are weighted by answered contacts; the peak
    hour is the clock hour with the most offered contacts. Columns missing in the history come out empty.
    """
    frame = history.copy()
    frame["date"] = frame["interval_start"].dt.date
    frame["hour"] = frame["interval_start"].dt.hour
    frame["channel"] = frame["queue"].map(channels or {}).fillna("")
    for column in ("answered", "abandoned", "answered_in_target"):
        if column not in frame.columns:
            frame[column] = np.nan
    keys = ["date", "channel", "queue"]
    grouped = frame.groupby(keys)
    report = grouped[["offered", "answered", "abandoned", "answered_in_target"]].sum(min_count=1)
    hourly = frame.groupby([*keys, "hour"])["offered"].sum().reset_index()
    peak = hourly.loc[hourly.groupby(keys)["offered"].idxmax()].set_index(keys)
    report["peak_hour"] = peak["hour"]
    report["peak_hour_offered"] = peak["offered"]
    offered = report["offered"].where(report["offered"] > 0)
    report["service_level"] = report["answered_in_target"] / offered
    report["abandon_rate"] = report["abandoned"] / offered
    weight = frame["answered"].fillna(frame["offered"])
    frame = frame.assign(_weight=weight)
    report["asa_seconds"] = _weighted(frame, "asa_seconds", "_weight", keys)
    report["aht_seconds"] = _weighted(frame, "aht_seconds", "_weight", keys)
    return report.reset_index()[list(REPORT_COLUMNS)]
