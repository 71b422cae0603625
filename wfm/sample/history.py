"""Seeded generator of the sample's 15-minute history: volumes, answered/abandoned, AHT and ASA per queue."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from wfm.sample.calendar import Event, day_effects
from wfm.sample.queues import INTERVAL_MINUTES, QUEUES, QueueSpec, intraday_profile

HISTORY_COLUMNS = (
    "queue",
    "interval_start",
    "offered",
    "answered",
    "abandoned",
    "aht_seconds",
    "asa_seconds",
    "answered_in_target",
)
TREND_ORIGIN = pd.Timestamp("2026-06-01")
_DAY_NOISE = 0.05  # log-sd of a queue's daily level
_SHARED_DAY_NOISE = 0.04  # log-sd of the day level shared by all queues
_HANDLE_CV = 0.8  # coefficient of variation of one contact's handle time
_BASE_ABANDON = {"voice": 0.035, "chat": 0.02, "email": 0.0}
_BASE_ASA_SECONDS = {"voice": 8.0, "chat": 10.0, "email": 700.0}
_EVENING_HOURS = (20, 24)


def generate_history(seed: int, first_day: date, last_day: date, events: list[Event]) -> pd.DataFrame:
    """History for every sample queue from first_day 00:00 to last_day 23:45 (open hours only), seeded."""
    days = pd.date_range(first_day, last_day, freq="D")
    children = np.random.SeedSequence(seed).spawn(len(QUEUES) + 1)
    shared = np.random.default_rng(children[0]).normal(0.0, _SHARED_DAY_NOISE, len(days))
    parts = [
        _queue_history(spec, days, events, shared, np.random.default_rng(child))
        for spec, child in zip(QUEUES, children[1:], strict=True)
    ]
    return pd.concat(parts, ignore_index=True)[list(HISTORY_COLUMNS)]


def _queue_history(
    spec: QueueSpec,
    days: pd.DatetimeIndex,
    events: list[Event],
    shared_noise: np.ndarray,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """One queue's intervals on open hours."""
    slots_per_day = 24 * 60 // INTERVAL_MINUTES
    event_factor, evening = day_effects(days, spec.group, events)
    weekly = np.asarray(spec.weekly_factors)[days.weekday] / spec.weekly_factors[2]
    years = (days - TREND_ORIGIN).days.to_numpy() / 365.25
    noise = np.exp(shared_noise + rng.normal(0.0, _DAY_NOISE, len(days)))
    day_volume = spec.weekday_volume * weekly * np.exp(spec.growth_per_year * years) * event_factor * noise

    profile = np.tile(intraday_profile(spec), (len(days), 1))
    hour = np.arange(slots_per_day) * INTERVAL_MINUTES // 60
    is_evening = (hour >= _EVENING_HOURS[0]) & (hour < _EVENING_HOURS[1])
    profile[:, is_evening] *= evening[:, None]
    profile /= profile.sum(axis=1, keepdims=True)
    expected = day_volume[:, None] * profile
    offered = rng.poisson(expected)

    # Pressure: how far the day is above an ordinary one (promotions overload the centre), and the busy hours.
    open_slot = profile[0] > 0
    busy = profile / profile[:, open_slot].mean(axis=1, keepdims=True)
    pressure = np.maximum(0.0, np.log(event_factor * noise))[:, None] + 0.5 * np.log(np.maximum(busy, 1e-9)).clip(0.0)
    abandon_rate = np.clip(_BASE_ABANDON[spec.channel] * np.exp(1.3 * pressure), 0.0, 0.45)
    abandoned = rng.binomial(offered, abandon_rate)
    answered = offered - abandoned

    asa = _BASE_ASA_SECONDS[spec.channel] * np.exp(1.4 * pressure + rng.normal(0.0, 0.3, offered.shape))
    asa = np.where(answered > 0, asa, np.nan)
    in_target_share = _share_within(asa, spec.answer_seconds)
    answered_in_target = rng.binomial(answered, np.nan_to_num(in_target_share))

    aht_mean = _aht_shape(spec, days, event_factor, hour)
    safe = np.maximum(answered, 1)
    aht = rng.gamma(safe / _HANDLE_CV**2, aht_mean * _HANDLE_CV**2 / safe)
    aht = np.where(answered > 0, aht, np.nan)

    starts = days.to_numpy()[:, None] + (np.arange(slots_per_day) * INTERVAL_MINUTES).astype("timedelta64[m]")
    frame = pd.DataFrame(
        {
            "queue": spec.queue,
            "interval_start": starts[:, open_slot].ravel(),
            "offered": offered[:, open_slot].ravel(),
            "answered": answered[:, open_slot].ravel(),
            "abandoned": abandoned[:, open_slot].ravel(),
            "aht_seconds": np.round(aht[:, open_slot].ravel(), 1),
            "asa_seconds": np.round(asa[:, open_slot].ravel(), 1),
            "answered_in_target": answered_in_target[:, open_slot].ravel(),
        }
    )
    return frame


def _aht_shape(spec: QueueSpec, days: pd.DatetimeIndex, event_factor: np.ndarray, hour: np.ndarray) -> np.ndarray:
    """Mean handle time per day and interval: by hour (longer mornings), promotions and a slow learning trend."""
    by_hour = 1.0 + 0.08 * np.cos(2 * np.pi * (hour + 0.5 - 9.0) / 24.0)
    sign = -0.04 if spec.group == "presale" else 0.05  # presale questions get simpler on peaks, returns harder
    by_day = (1.0 + sign * np.log(event_factor)) * np.exp(-0.02 * (days - TREND_ORIGIN).days.to_numpy() / 365.25)
    return spec.aht_seconds * by_day[:, None] * by_hour[None, :]


def _share_within(asa_seconds: np.ndarray, answer_seconds: float) -> np.ndarray:
    """Share answered within the target for a given mean wait: P(wait ≤ T) with P(wait > 0) = ASA/(ASA + T/2)."""
    p_wait = asa_seconds / (asa_seconds + answer_seconds / 2.0)
    return 1.0 - p_wait * np.exp(-answer_seconds * p_wait / asa_seconds)
