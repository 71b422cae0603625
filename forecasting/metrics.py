"""Accuracy metrics: WAPE, MASE (scaled by the weekly seasonal naive in sample), bias, interval coverage."""

from __future__ import annotations

import numpy as np


def wape(actual: np.ndarray, forecast: np.ndarray) -> float:
    """Weighted absolute percentage error: Σ|a − f| / Σa (a fraction, 0.094 = 9.4 %)."""
    actual, forecast = np.asarray(actual, float), np.asarray(forecast, float)
    total = np.abs(actual).sum()
    return float(np.abs(actual - forecast).sum() / total) if total > 0 else float("nan")


def bias(actual: np.ndarray, forecast: np.ndarray) -> float:
    """Signed relative error Σ(f − a) / Σa: positive = over-forecast."""
    actual, forecast = np.asarray(actual, float), np.asarray(forecast, float)
    total = np.abs(actual).sum()
    return float((forecast - actual).sum() / total) if total > 0 else float("nan")


def mase(actual: np.ndarray, forecast: np.ndarray, scale: float) -> float:
    """Mean absolute error divided by `scale` (the in-sample MAE of the weekly seasonal naive)."""
    actual, forecast = np.asarray(actual, float), np.asarray(forecast, float)
    if not scale > 0 or actual.size == 0:
        return float("nan")
    return float(np.abs(actual - forecast).mean() / scale)


def seasonal_naive_scale(values: np.ndarray, season: int) -> float:
    """In-sample MAE of the seasonal naive y[t] ≈ y[t − season] over a 1-D series (NaN pairs skipped)."""
    values = np.asarray(values, float)
    if values.size <= season:
        return float("nan")
    diffs = np.abs(values[season:] - values[:-season])
    diffs = diffs[~np.isnan(diffs)]
    return float(diffs.mean()) if diffs.size else float("nan")


def coverage(actual: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> float:
    """Share of actual values inside [lower, upper]."""
    actual = np.asarray(actual, float)
    if actual.size == 0:
        return float("nan")
    inside = (actual >= np.asarray(lower, float)) & (actual <= np.asarray(upper, float))
    return float(inside.mean())
