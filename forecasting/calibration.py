"""Conformal calibration of the 80 % bands from rolling-origin backtest residuals (split-conformal, per lead)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecasting.models.base import Y_HAT, Y_HI, Y_LO, Y

# Lead buckets (days with data after the origin) that get their own scale; later leads use the last bucket.
LEAD_BUCKETS: tuple[tuple[int, int], ...] = ((1, 1), (2, 3), (4, 10_000))
# Fewer scored intervals than this in a bucket: it borrows the pooled scale of all leads.
MIN_RESIDUALS = 60
LEVEL = 0.80


@dataclass(frozen=True)
class BandCalibration:
    """Per lead bucket: the lower and upper quantiles of (actual − forecast) / (model's upper half-width)."""

    lower: tuple[float, ...]
    upper: tuple[float, ...]
    residuals: int

    def to_dict(self) -> dict:
        """Plain data for the backtest report."""
        return {
            "level": LEVEL,
            "lead_buckets": [list(b) for b in LEAD_BUCKETS],
            "lower": list(self.lower),
            "upper": list(self.upper),
            "residuals": self.residuals,
        }


def _scores(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Standardised residuals (actual − forecast) / (upper − forecast) and their leads, where the width > 0."""
    width = frame[Y_HI].to_numpy(float) - frame[Y_HAT].to_numpy(float)
    keep = width > 1e-9
    score = (frame[Y].to_numpy(float)[keep] - frame[Y_HAT].to_numpy(float)[keep]) / width[keep]
    return score, frame["lead_days"].to_numpy(int)[keep]


def calibrate_bands(forecasts: pd.DataFrame, alias: str, level: float = LEVEL) -> BandCalibration | None:
    """The conformal band of `alias` from its backtest forecasts (columns y, y_hat, y_hi, lead_days): the
    (1 − level)/2 and (1 + level)/2 quantiles of the standardised residuals per lead bucket (with the
    finite-sample correction); None without enough residuals."""
    part = forecasts[forecasts["model"] == alias]
    score, lead = _scores(part)
    if score.size < MIN_RESIDUALS:
        return None
    tail = (1 - level) / 2

    def quantiles(values: np.ndarray) -> tuple[float, float]:
        n = values.size
        lo = max(0.0, np.floor(tail * (n + 1)) / n)
        hi = min(1.0, np.ceil((1 - tail) * (n + 1)) / n)
        return float(np.quantile(values, lo)), float(np.quantile(values, hi))

    pooled = quantiles(score)
    lower, upper = [], []
    for first, last in LEAD_BUCKETS:
        pick = (lead >= first) & (lead <= last)
        lo, hi = quantiles(score[pick]) if pick.sum() >= MIN_RESIDUALS else pooled
        lower.append(lo)
        upper.append(max(hi, lo))
    return BandCalibration(tuple(lower), tuple(upper), int(score.size))


def apply_bands(predicted: pd.DataFrame, calibration: BandCalibration, lead_days: np.ndarray) -> pd.DataFrame:
    """The forecast with its bands replaced by the calibrated ones: y_hat + q · (model's upper half-width),
    clipped at 0; the point forecast is unchanged (closed intervals stay 0)."""
    out = predicted.copy()
    mean = out[Y_HAT].to_numpy(float)
    width = np.clip(out[Y_HI].to_numpy(float) - mean, 0.0, None)
    bucket = np.full(len(out), len(LEAD_BUCKETS) - 1)
    for k, (first, last) in enumerate(LEAD_BUCKETS):
        bucket[(lead_days >= first) & (lead_days <= last)] = k
    lower = np.asarray(calibration.lower)[bucket]
    upper = np.asarray(calibration.upper)[bucket]
    out[Y_LO] = np.clip(np.minimum(mean + lower * width, mean), 0.0, None)
    out[Y_HI] = np.maximum(mean + upper * width, mean)
    return out


def lead_days_of(stamps: pd.Series | pd.DatetimeIndex, origin: pd.Timestamp) -> np.ndarray:
    """Lead of each timestamp in days with data after `origin` (1 = the first forecast day with rows)."""
    days = pd.Series(pd.to_datetime(stamps)).dt.normalize()
    days = days.where(days >= pd.Timestamp(origin).normalize())
    return days.rank(method="dense").fillna(1).astype(int).to_numpy()
