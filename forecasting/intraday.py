"""Intraday reforecast: the rest of today from the day-ahead forecast and today's actuals up to a cut-off.

Each queue's rest of the day keeps the day-ahead forecast's intraday profile and takes a new level from two
ratios of actual to forecast contacts: over the whole day so far and over the last RECENT_MINUTES, shrunk toward 1
in log space: r_rest = (A_so_far / F_so_far) ** w_day × (A_recent / F_recent) ** w_recent. The weights are learned
from past days at the same cut-off: the least-squares fit (through the origin, Huber-weighted, weighted by the
rest-of-day volume, each weight in [0, MAX_WEIGHT]) of log(rest-of-day actual / forecast) on the two log ratios
over those days' day-ahead forecasts (what the same model forecast the day before). AHT likewise, with one weight
on the so-far ratio.
Bands: the day total's remaining uncertainty (the spread of the regression's residuals) plus over-dispersed
interval noise learned from the same days, as the forecast models' bands are built (docs/forecasting.md), then
calibrated split-conformally: on the same days, per block of BAND_BLOCK_MINUTES ahead of the cut-off, the band's
half-width is scaled to the (n + 1)-corrected LEVEL % quantile of |actual − reforecast| / half-width.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy.special import ndtri

from forecasting.events import EventCalendar
from forecasting.pipeline import build_forecast

# Contacts added to both sides of a ratio, so a quiet morning does not swing the level on a handful of calls.
PSEUDO_CONTACTS = 5.0
RECENT_MINUTES = 120
MAX_WEIGHT = 1.5
LOG_RATIO_CAP = 2.0  # |log ratio| above this (×7.4) is clipped when learning
LEVEL = 80
HUBER_K = 1.345
BAND_BLOCK_MINUTES = 120  # the band's calibration: one scale per block of this many minutes after the cut-off
BAND_BLOCKS = 4  # the last block holds everything later
MIN_SCORES = 20  # fewer scores in a block: it takes the scale of all blocks together
BACKCAST_COLUMNS = ("queue", "interval_start", "forecast", "actual", "aht_forecast", "aht_actual")
REFORECAST_COLUMNS = (
    "queue",
    "interval_start",
    "actual",
    "forecast",
    "reforecast",
    "volume_lo",
    "volume_hi",
    "aht_forecast",
    "aht_actual",
    "aht_seconds",
    "rest_of_day",
)


@dataclass(frozen=True)
class IntradayWeights:
    """What the reforecast learned from past days at one cut-off (minutes after midnight)."""

    cutoff_minute: int
    day_weight: float  # on log(actual / forecast) over the day so far
    recent_weight: float  # on log(actual / forecast) over the last RECENT_MINUTES
    aht_weight: float
    level_log_sigma: float  # spread of log(rest actual / reforecast rest) over the past days
    dispersion: float  # interval variance / mean around the realised rest-of-day level
    days: int  # queue-days learned from
    # the band's half-width × this per block of BAND_BLOCK_MINUTES after the cut-off (conformal; empty: × 1)
    band_scale: tuple[float, ...] = ()

    @staticmethod
    def untrained(cutoff_minute: int) -> IntradayWeights:
        """Weights with no past days: keep the forecast's level (weights 0) with a wide band."""
        return IntradayWeights(cutoff_minute, 0.0, 0.0, 0.0, 0.2, 1.0, 0)

    def scale_at(self, minutes_ahead: np.ndarray) -> np.ndarray:
        """The band scale of intervals starting `minutes_ahead` of the cut-off."""
        if not self.band_scale:
            return np.ones(len(minutes_ahead))
        block = np.clip(np.asarray(minutes_ahead) // BAND_BLOCK_MINUTES, 0, len(self.band_scale) - 1).astype(int)
        return np.asarray(self.band_scale)[block]


def day_ahead_forecasts(
    history: pd.DataFrame,
    days: Sequence[pd.Timestamp],
    *,
    model: str = "calendar",
    calendar: EventCalendar | None = None,
    aht_seconds: float | None = None,
    progress: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """Each day forecast from the history before it (as `wfm forecast --start DAY --days 1` would), next to what
    happened: queue, interval_start, forecast, actual, aht_forecast, aht_actual (NaN where the history has none)."""
    stamps = pd.to_datetime(history["interval_start"])
    parts = []
    for n, day in enumerate(days):
        day = pd.Timestamp(day).normalize()
        if progress is not None:
            progress(f"day-ahead forecast {n + 1}/{len(days)}: {day.date()}")
        run = build_forecast(history[stamps < day], day, 1, model=model, calendar=calendar, aht_seconds=aht_seconds)
        parts.append(with_actuals(run.frame, history[(stamps >= day) & (stamps < day + pd.Timedelta(days=1))]))
    if not parts:
        return pd.DataFrame(columns=list(BACKCAST_COLUMNS))
    return pd.concat(parts, ignore_index=True)


def with_actuals(forecast: pd.DataFrame, actuals: pd.DataFrame) -> pd.DataFrame:
    """Forecast rows (queue, interval_start, volume, aht_seconds) joined with actual offered and AHT (NaN where
    there is no actual row)."""
    left = pd.DataFrame(
        {
            "queue": forecast["queue"].astype(str).to_numpy(),
            "interval_start": pd.to_datetime(forecast["interval_start"]).to_numpy(),
            "forecast": forecast["volume"].to_numpy(float),
            "aht_forecast": forecast["aht_seconds"].to_numpy(float),
        }
    )
    right = pd.DataFrame(
        {
            "queue": actuals["queue"].astype(str).to_numpy(),
            "interval_start": pd.to_datetime(actuals["interval_start"]).to_numpy(),
            "actual": actuals["offered"].to_numpy(float),
            "aht_actual": actuals["aht_seconds"].to_numpy(float) if "aht_seconds" in actuals else np.nan,
        }
    )
    merged = left.merge(right, on=["queue", "interval_start"], how="left")
    return merged[list(BACKCAST_COLUMNS)]


def interval_minutes_of(frame: pd.DataFrame) -> dict[str, int]:
    """The interval length of each queue: the smallest step between its interval starts (15 when it has one)."""
    out = {}
    for queue, rows in frame.groupby("queue", sort=True):
        steps = pd.to_datetime(rows["interval_start"]).sort_values().diff().dropna()
        steps = steps[steps > pd.Timedelta(0)]
        out[str(queue)] = int(steps.min() / pd.Timedelta(minutes=1)) if len(steps) else 15
    return out


def split_at(frame: pd.DataFrame, cutoff_minute: int) -> np.ndarray:
    """True for the intervals that have ended by the cut-off (minutes after the day's midnight)."""
    stamps = pd.to_datetime(frame["interval_start"])
    steps = frame["queue"].map(interval_minutes_of(frame)).to_numpy(float)
    minute = (stamps - stamps.dt.normalize()).dt.total_seconds().to_numpy() / 60
    return minute + steps <= cutoff_minute


def _day_sums(frame: pd.DataFrame, done: np.ndarray, cutoff_minute: int) -> pd.DataFrame:
    """Per queue and day: forecast and actual contacts (and AHT-weighted sums) so far, over the last
    RECENT_MINUTES before the cut-off, and for the rest of the day; intervals without an actual count nowhere."""
    have = frame["actual"].notna().to_numpy()
    actual = frame["actual"].fillna(0.0).to_numpy(float)
    forecast = frame["forecast"].to_numpy(float)
    f_aht = frame["aht_forecast"].to_numpy(float)
    a_aht = frame["aht_actual"].to_numpy(float)
    aht_ok = have & np.isfinite(a_aht) & np.isfinite(f_aht) & (actual > 0)
    stamps = pd.to_datetime(frame["interval_start"])
    minute = (stamps - stamps.dt.normalize()).dt.total_seconds().to_numpy() / 60
    recent = done & (minute >= cutoff_minute - RECENT_MINUTES)
    parts = {}
    for name, mask in (("so_far", done & have), ("recent", recent & have), ("rest", ~done & have)):
        parts[f"f_{name}"] = np.where(mask, forecast, 0.0)
        parts[f"a_{name}"] = np.where(mask, actual, 0.0)
        parts[f"fw_{name}"] = np.where(mask & aht_ok, actual * f_aht, 0.0)
        parts[f"aw_{name}"] = np.where(mask & aht_ok, actual * np.nan_to_num(a_aht), 0.0)
    table = pd.DataFrame(parts).assign(queue=frame["queue"].to_numpy(), day=stamps.dt.normalize().to_numpy())
    return table.groupby(["queue", "day"], sort=True).sum().reset_index()


def _log_ratio(actual: np.ndarray, forecast: np.ndarray) -> np.ndarray:
    """log((actual + k) / (forecast + k)), clipped to ±LOG_RATIO_CAP."""
    return np.clip(np.log((actual + PSEUDO_CONTACTS) / (forecast + PSEUDO_CONTACTS)), -LOG_RATIO_CAP, LOG_RATIO_CAP)


def _fit(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Huber-weighted least squares through the origin of y on the columns of x (each coefficient clipped to
    [0, MAX_WEIGHT], a tiny ridge against collinear columns) and the residuals."""
    x = x.reshape(len(y), -1)
    keep = (w > 0) & np.isfinite(x).all(axis=1) & np.isfinite(y)
    x, y, w = x[keep], y[keep], w[keep] / max(w[keep].mean(), 1e-12) if keep.any() else w[keep]
    beta = np.zeros(x.shape[1])
    if y.size < 3:
        return beta, y
    robust = np.ones_like(w)
    for _ in range(6):
        ww = w * robust
        gram = (x * ww[:, None]).T @ x + 1e-3 * np.eye(x.shape[1]) * ww.sum()
        beta = np.clip(np.linalg.solve(gram, (x * ww[:, None]).T @ y), 0.0, MAX_WEIGHT)
        residual = y - x @ beta
        scale = 1.4826 * np.median(np.abs(residual)) + 1e-9
        robust = np.minimum(1.0, HUBER_K * scale / np.maximum(np.abs(residual), 1e-12))
    return beta, y - x @ beta


def _features(sums: pd.DataFrame) -> np.ndarray:
    """The two log ratios (day so far, recent) of each queue-day."""
    return np.column_stack(
        [
            _log_ratio(sums["a_so_far"].to_numpy(), sums["f_so_far"].to_numpy()),
            _log_ratio(sums["a_recent"].to_numpy(), sums["f_recent"].to_numpy()),
        ]
    )


def learn_weights(past: pd.DataFrame, cutoff_minute: int) -> IntradayWeights:
    """The shrinkage weights at a cut-off from past days' day-ahead forecasts and actuals (day_ahead_forecasts)."""
    if past.empty or not past["actual"].notna().any():
        return IntradayWeights.untrained(cutoff_minute)
    done = split_at(past, cutoff_minute)
    sums = _day_sums(past, done, cutoff_minute)
    sums = sums[(sums["f_so_far"] + sums["a_so_far"] > 0) & (sums["f_rest"] > 0)]
    if sums.empty:
        return IntradayWeights.untrained(cutoff_minute)
    y = _log_ratio(sums["a_rest"].to_numpy(), sums["f_rest"].to_numpy())
    (day_w, recent_w), residual = _fit(_features(sums), y, sums["f_rest"].to_numpy())
    sigma = float(1.4826 * np.median(np.abs(residual))) if residual.size >= 3 else 0.2
    aht = sums[(sums["fw_so_far"] > 0) & (sums["fw_rest"] > 0)]
    aht_weight = 0.0
    if len(aht) >= 3:
        ax = np.clip(np.log(aht["aw_so_far"].to_numpy() / aht["fw_so_far"].to_numpy()), -LOG_RATIO_CAP, LOG_RATIO_CAP)
        ay = np.clip(np.log(aht["aw_rest"].to_numpy() / aht["fw_rest"].to_numpy()), -LOG_RATIO_CAP, LOG_RATIO_CAP)
        aht_weight = float(_fit(ax, ay, aht["a_rest"].to_numpy())[0][0])
    dispersion = _dispersion(past, done)
    weights = IntradayWeights(
        cutoff_minute, float(day_w), float(recent_w), aht_weight, max(sigma, 0.01), dispersion, len(sums)
    )
    return replace(weights, band_scale=_band_scale(past, done, weights))


def _band_scale(past: pd.DataFrame, done: np.ndarray, weights: IntradayWeights) -> tuple[float, ...]:
    """Split-conformal scales of the band's half-width per block ahead of the cut-off, from the learning days'
    reforecasts at the same cut-off: the (n + 1)-corrected LEVEL % quantile of |actual − reforecast| / half-width."""
    scores, ahead = [], []
    stamps = pd.to_datetime(past["interval_start"])
    for _day, rows in past.groupby(stamps.dt.normalize(), sort=True):
        if not rows["actual"].notna().any():
            continue
        until = pd.Timestamp(_day) + pd.Timedelta(minutes=weights.cutoff_minute)
        refc = reforecast(rows, until, weights, calibrated=False)
        rest = refc["rest_of_day"].to_numpy() & rows["actual"].notna().to_numpy()
        mean = refc["reforecast"].to_numpy(float)[rest]
        half = (refc["volume_hi"].to_numpy(float) - refc["reforecast"].to_numpy(float))[rest]
        use = half > 0
        scores.append(np.abs(rows["actual"].to_numpy(float)[rest] - mean)[use] / half[use])
        start = pd.to_datetime(refc["interval_start"])[rest][use]
        ahead.append(((start - until) / pd.Timedelta(minutes=1)).to_numpy())
    if not scores:
        return ()
    score, minutes = np.concatenate(scores), np.concatenate(ahead)
    if score.size < MIN_SCORES:
        return ()
    pooled = _conformal_quantile(score)
    block = np.clip(minutes // BAND_BLOCK_MINUTES, 0, BAND_BLOCKS - 1)
    return tuple(
        _conformal_quantile(score[block == b]) if (block == b).sum() >= MIN_SCORES else pooled
        for b in range(BAND_BLOCKS)
    )


def _conformal_quantile(score: np.ndarray) -> float:
    """The ⌈(n + 1) × LEVEL %⌉-th smallest score (the split-conformal quantile), at least a tenth."""
    n = score.size
    k = min(n, int(np.ceil((n + 1) * LEVEL / 100)))
    return float(max(np.sort(score)[k - 1], 0.1))


def _dispersion(past: pd.DataFrame, done: np.ndarray) -> float:
    """Variance over mean of rest-of-day actuals around the forecast scaled to each queue-day's realised level."""
    rest = past[~done & past["actual"].notna()]
    if rest.empty:
        return 1.0
    key = [rest["queue"], pd.to_datetime(rest["interval_start"]).dt.normalize()]
    level = rest.groupby(key)["actual"].transform("sum") / rest.groupby(key)["forecast"].transform("sum")
    mean = rest["forecast"] * level.replace([np.inf, -np.inf], np.nan).fillna(1.0)
    use = mean > 0.5
    if not use.any():
        return 1.0
    return float(max(1.0, (((rest["actual"] - mean) ** 2)[use] / mean[use]).mean()))


def reforecast(
    day: pd.DataFrame, until: pd.Timestamp, weights: IntradayWeights, *, calibrated: bool = True
) -> pd.DataFrame:
    """The day's rows (queue, interval_start, forecast, actual, aht_forecast, aht_actual; actual NaN where not
    known) with the reforecast of every interval that has not ended by `until`: reforecast, volume_lo, volume_hi
    (the central 80 % band, conformally scaled unless `calibrated` is False) and aht_seconds; intervals that have
    ended keep their actuals (rest_of_day False)."""
    until = pd.Timestamp(until)
    cutoff = int((until - until.normalize()) / pd.Timedelta(minutes=1))
    frame = day.reset_index(drop=True).copy()
    done = split_at(frame, cutoff)
    frame.loc[~done, ["actual", "aht_actual"]] = np.nan
    sums = _day_sums(frame, done, cutoff).set_index("queue")
    queues = frame["queue"].to_numpy()
    level = _features(sums) @ np.array([weights.day_weight, weights.recent_weight])
    ratio = np.exp(pd.Series(level, index=sums.index).reindex(queues).to_numpy())
    fw, aw = sums["fw_so_far"].reindex(queues).to_numpy(), sums["aw_so_far"].reindex(queues).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        aht_ratio = np.where(fw > 0, np.exp(weights.aht_weight * np.clip(np.log(aw / fw), -2, 2)), 1.0)
    mean = frame["forecast"].to_numpy(float) * ratio
    z = ndtri(0.5 + LEVEL / 200)
    spread = np.sqrt((mean * weights.level_log_sigma) ** 2 + weights.dispersion * mean)
    if calibrated:
        ahead = (pd.to_datetime(frame["interval_start"]) - until) / pd.Timedelta(minutes=1)
        spread = spread * weights.scale_at(ahead.to_numpy())
    frame["reforecast"] = np.where(done, np.nan, mean)
    frame["volume_lo"] = np.where(done, np.nan, np.clip(mean - z * spread, 0.0, None))
    frame["volume_hi"] = np.where(done, np.nan, mean + z * spread)
    frame["aht_seconds"] = np.where(
        done, np.nan, frame["aht_forecast"].to_numpy(float) * np.nan_to_num(aht_ratio, nan=1)
    )
    frame["rest_of_day"] = ~done
    return frame[list(REFORECAST_COLUMNS)]


def rest_of_day_forecast(refc: pd.DataFrame) -> pd.DataFrame:
    """The rest-of-day rows of a reforecast in forecast-contract columns (queue, interval_start, volume,
    aht_seconds, volume_lo, volume_hi) for the staffing engine."""
    rest = refc[refc["rest_of_day"]]
    return pd.DataFrame(
        {
            "queue": rest["queue"].to_numpy(),
            "interval_start": pd.to_datetime(rest["interval_start"]).to_numpy(),
            "volume": rest["reforecast"].to_numpy(float),
            "aht_seconds": rest["aht_seconds"].to_numpy(float),
            "volume_lo": rest["volume_lo"].to_numpy(float),
            "volume_hi": rest["volume_hi"].to_numpy(float),
        }
    )


def learning_days(history: pd.DataFrame, day: pd.Timestamp, count: int) -> list[pd.Timestamp]:
    """The last `count` days before `day` that have history with volume (the days the weights learn from)."""
    stamps = pd.to_datetime(history["interval_start"])
    before = history[stamps < pd.Timestamp(day).normalize()]
    totals = before.groupby(pd.to_datetime(before["interval_start"]).dt.normalize())["offered"].sum()
    days = sorted(totals[totals > 0].index)
    # a day needs history before it to be forecast
    return [pd.Timestamp(d) for d in days[1:][-count:]] if count > 0 else []
