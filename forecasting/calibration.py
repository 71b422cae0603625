"""Conformal calibration of the 80 % bands from rolling-origin backtest residuals (split-conformal, per lead)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecasting.events import EventCalendar, event_mask
from forecasting.models.base import DS, ID, Y_HAT, Y_HI, Y_LO, Y

# Lead buckets (days with data after the origin) that get their own scale; later leads use the last bucket.
LEAD_BUCKETS: tuple[tuple[int, int], ...] = ((1, 1), (2, 3), (4, 10_000))
# Fewer scored intervals than this in a bucket (or fewer days than MIN_DAYS): it borrows the pooled scale.
MIN_RESIDUALS = 60
MIN_DAYS = 20
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


def _scores(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Standardised residuals (actual − forecast) / (upper − forecast), their leads and their day (a code per
    origin and date: the intervals of one day share its error), where the width > 0."""
    width = frame[Y_HI].to_numpy(float) - frame[Y_HAT].to_numpy(float)
    keep = width > 1e-9
    score = (frame[Y].to_numpy(float)[keep] - frame[Y_HAT].to_numpy(float)[keep]) / width[keep]
    if DS in frame:
        keys = [pd.to_datetime(frame[DS]).dt.normalize()]
        keys += [frame["origin"]] if "origin" in frame else []
        day = pd.MultiIndex.from_arrays(keys).factorize()[0] if len(frame) else np.zeros(0, int)
    else:  # no timestamps: every interval is its own unit
        day = np.arange(len(frame))
    return score, frame["lead_days"].to_numpy(int)[keep], np.asarray(day)[keep]


def effective_size(scores: np.ndarray, days: np.ndarray) -> int:
    """How many independent scores `scores` are worth when the intervals of one day share its error (Kish):
    n / (1 + (m − 1) · ICC), m the mean intervals per day and ICC the share of the score variance between days
    (one-way ANOVA estimate, clipped to 0–1); between the number of days (ICC 1) and of intervals (ICC 0)."""
    n = scores.size
    codes = np.unique(days, return_inverse=True)[1].ravel()
    counts = np.bincount(codes)
    groups = counts.size
    if groups < 2 or n <= groups:
        return max(1, min(n, groups))
    means = np.bincount(codes, weights=scores) / counts
    between = float(np.sum(counts * (means - scores.mean()) ** 2)) / (groups - 1)
    within = float(np.sum((scores - means[codes]) ** 2)) / (n - groups)
    size = (n - np.sum(counts**2) / n) / (groups - 1)  # the ANOVA mean group size
    icc = (between - within) / (between + (size - 1) * within) if between + (size - 1) * within > 0 else 0.0
    icc = min(max(icc, 0.0), 1.0)
    return max(groups, min(n, round(n / (1 + (n / groups - 1) * icc))))


def ordinary_rows(frame: pd.DataFrame, calendar: EventCalendar | None) -> np.ndarray:
    """True for rows on days outside every event window of `calendar` (holidays, eves, days after, promotions);
    each series' open weekdays are those with volume in `frame`. All True without a calendar."""
    if calendar is None or not calendar.events or frame.empty:
        return np.ones(len(frame), bool)
    keep = np.ones(len(frame), bool)
    days = pd.to_datetime(frame[DS]).dt.normalize()
    for _, rows in frame.groupby(ID, sort=False) if ID in frame else [(None, frame)]:
        own = days.loc[rows.index]
        open_weekdays = np.zeros(7, bool)
        open_weekdays[own[rows[Y].to_numpy(float) > 0].dt.weekday.unique()] = True
        unique = pd.DatetimeIndex(own.unique())
        blocked = set(unique[event_mask(calendar, unique, open_weekdays)])
        keep[frame.index.get_indexer(rows.index)] = ~own.isin(blocked).to_numpy()
    return keep


def calibrate_bands(
    forecasts: pd.DataFrame, alias: str, level: float = LEVEL, calendar: EventCalendar | None = None
) -> BandCalibration | None:
    """The conformal band of `alias` from its backtest forecasts (columns y, y_hat, y_hi, lead_days; ds and
    origin to count days): the (1 − level)/2 and (1 + level)/2 quantiles of the standardised residuals per lead
    bucket, with the finite-sample correction counted in effective scores (the intervals of a day share its
    error: see effective_size); None without enough residuals. With a `calendar`, only ordinary days (outside
    every event window) are scored, when there are enough of them: an event day's band is the model's, widened
    by the event's learned uncertainty (forecasting.events.LearnedEffects.effect_log_sigma), and that widening
    must not shrink the scale of ordinary days."""
    part = forecasts[forecasts["model"] == alias].reset_index(drop=True)
    ordinary = ordinary_rows(part, calendar)
    if ordinary.sum() >= MIN_RESIDUALS:
        part = part[ordinary]
    score, lead, day = _scores(part)
    if score.size < MIN_RESIDUALS:
        return None
    tail = (1 - level) / 2

    def quantiles(values: np.ndarray, days: np.ndarray) -> tuple[float, float]:
        n = effective_size(values, days)
        lo = max(0.0, np.floor(tail * (n + 1)) / n)
        hi = min(1.0, np.ceil((1 - tail) * (n + 1)) / n)
        return float(np.quantile(values, lo)), float(np.quantile(values, hi))

    pooled = quantiles(score, day)
    lower, upper = [], []
    for first, last in LEAD_BUCKETS:
        pick = (lead >= first) & (lead <= last)
        enough = pick.sum() >= MIN_RESIDUALS and np.unique(day[pick]).size >= MIN_DAYS
        lo, hi = quantiles(score[pick], day[pick]) if enough else pooled
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
