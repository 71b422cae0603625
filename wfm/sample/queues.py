"""The sample centre's queues: service targets for queues.csv and the volume/AHT shape the generator uses."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

QUEUE_COLUMNS = (
    "queue",
    "channel",
    "interval_minutes",
    "service_level",
    "answer_seconds",
    "response_hours",
    "max_occupancy",
    "shrinkage",
    "patience_seconds",
    "concurrency",
    "aht_factors",
    "min_agents",
    "open",
    "close",
)
INTERVAL_MINUTES = 15
MAX_OCCUPANCY = 0.85
# Unplanned shrinkage only: sickness (~6 %), lateness and adherence (~4 %), system and ad-hoc time (~5 %). Breaks,
# lunches and training are planned by the roster and taken off the phones by its placement, and planned leave is
# time off in time_off.csv; counting them here too would count them twice (docs/roster.md, break-aware planning).
SHRINKAGE = 0.15
CHAT_AHT_FACTORS = "1;1.25;1.6"


@dataclass(frozen=True)
class QueueSpec:
    """One sample queue: its settings and the shape of its arrivals and handle times."""

    queue: str
    channel: str
    group: str  # presale | aftersale | complaints: which promotion and holiday effects apply
    weekday_volume: float  # contacts on an ordinary Wednesday in mid-2026
    aht_seconds: float  # mean handle time at the daily average hour
    hourly_weights: tuple[float, ...]  # relative arrivals per hour of day, 24 values (0 = closed)
    weekly_factors: tuple[float, ...]  # Monday .. Sunday
    growth_per_year: float  # log-linear trend
    service_level: float
    answer_seconds: int
    patience_seconds: int | None = None
    concurrency: int | None = None
    response_hours: float | None = None
    min_agents: int = 1
    open: str = "08:00"
    close: str = "24:00"

    def settings_row(self) -> dict[str, object]:
        """This queue's row of queues.csv (blank where a setting does not apply)."""
        return {
            "queue": self.queue,
            "channel": self.channel,
            "interval_minutes": INTERVAL_MINUTES,
            "service_level": self.service_level,
            "answer_seconds": self.answer_seconds,
            "response_hours": self.response_hours,
            "max_occupancy": MAX_OCCUPANCY,
            "shrinkage": SHRINKAGE,
            "patience_seconds": self.patience_seconds,
            "concurrency": self.concurrency,
            "aht_factors": CHAT_AHT_FACTORS if self.channel == "chat" else None,
            "min_agents": self.min_agents,
            "open": self.open,
            "close": self.close,
        }


def _day_hours(*weights: float) -> tuple[float, ...]:
    """24 hourly weights from the 16 weights of 08:00–24:00 (closed overnight)."""
    assert len(weights) == 16
    return (0.0,) * 8 + tuple(weights)


QUEUES: tuple[QueueSpec, ...] = (
    QueueSpec(
        queue="phone_presale",
        channel="voice",
        group="presale",
        weekday_volume=950,
        aht_seconds=170,
        hourly_weights=_day_hours(0.55, 1.0, 1.3, 1.35, 1.1, 0.9, 1.1, 1.2, 1.15, 1.0, 0.95, 1.1, 1.3, 1.35, 1.05, 0.6),
        weekly_factors=(1.0, 0.96, 0.95, 0.96, 1.02, 1.12, 1.15),
        growth_per_year=0.12,
        service_level=0.8,
        answer_seconds=20,
        patience_seconds=150,
    ),
    QueueSpec(
        queue="phone_aftersale",
        channel="voice",
        group="aftersale",
        weekday_volume=540,
        aht_seconds=290,
        hourly_weights=_day_hours(0.8, 1.35, 1.5, 1.4, 1.1, 1.0, 1.3, 1.35, 1.2, 1.0, 0.85, 0.8, 0.75, 0.7, 0.5, 0.3),
        weekly_factors=(1.2, 1.08, 1.02, 1.0, 0.97, 0.85, 0.83),
        growth_per_year=0.08,
        service_level=0.8,
        answer_seconds=20,
        patience_seconds=240,
    ),
    QueueSpec(
        queue="phone_complaints",
        channel="voice",
        group="complaints",
        weekday_volume=95,
        aht_seconds=480,
        hourly_weights=_day_hours(0.6, 1.2, 1.4, 1.4, 1.15, 1.0, 1.35, 1.4, 1.3, 1.1, 0.9, 0.85, 0.8, 0.7, 0.5, 0.25),
        weekly_factors=(1.25, 1.1, 1.0, 0.98, 0.95, 0.8, 0.75),
        growth_per_year=0.05,
        service_level=0.8,
        answer_seconds=20,
        patience_seconds=300,
    ),
    QueueSpec(
        queue="chat_presale",
        channel="chat",
        group="presale",
        weekday_volume=1000,
        aht_seconds=330,
        hourly_weights=_day_hours(0.4, 0.7, 0.9, 1.0, 0.95, 0.9, 1.0, 1.05, 1.0, 0.95, 1.0, 1.2, 1.45, 1.55, 1.35, 0.9),
        weekly_factors=(0.98, 0.95, 0.95, 0.97, 1.02, 1.15, 1.18),
        growth_per_year=0.18,
        service_level=0.8,
        answer_seconds=30,
        patience_seconds=120,
        concurrency=3,
    ),
    QueueSpec(
        queue="chat_aftersale",
        channel="chat",
        group="aftersale",
        weekday_volume=680,
        aht_seconds=450,
        hourly_weights=_day_hours(
            0.6, 1.0, 1.2, 1.2, 1.05, 1.0, 1.1, 1.15, 1.05, 0.95, 0.95, 1.05, 1.15, 1.1, 0.9, 0.6
        ),
        weekly_factors=(1.15, 1.05, 1.0, 1.0, 0.98, 0.9, 0.9),
        growth_per_year=0.15,
        service_level=0.8,
        answer_seconds=30,
        patience_seconds=180,
        concurrency=3,
    ),
    QueueSpec(
        queue="email_aftersale",
        channel="email",
        group="aftersale",
        weekday_volume=320,
        aht_seconds=360,
        hourly_weights=(
            *(0.25, 0.15, 0.1, 0.08, 0.08, 0.12, 0.25, 0.5, 0.9, 1.2, 1.35, 1.3),
            *(1.1, 1.2, 1.3, 1.25, 1.15, 1.05, 1.0, 1.05, 1.1, 1.0, 0.75, 0.45),
        ),
        weekly_factors=(1.2, 1.08, 1.02, 1.0, 0.95, 0.8, 0.85),
        growth_per_year=0.04,
        service_level=0.96,
        answer_seconds=7200,
        response_hours=2.0,
        min_agents=1,
    ),
)


def queue_names() -> list[str]:
    """Names of the sample queues, in file order."""
    return [spec.queue for spec in QUEUES]


def queues_frame() -> pd.DataFrame:
    """The contents of queues.csv."""
    return pd.DataFrame([spec.settings_row() for spec in QUEUES], columns=list(QUEUE_COLUMNS))


def intraday_profile(spec: QueueSpec, interval_minutes: int = INTERVAL_MINUTES) -> np.ndarray:
    """Share of the day's contacts per interval (sums to 1), smoothed between hour midpoints."""
    per_hour = 60 // interval_minutes
    hours = np.asarray(spec.hourly_weights, dtype=float)
    centres = np.arange(24) + 0.5
    slots = (np.arange(24 * per_hour) + 0.5) / per_hour
    smooth = np.interp(slots, centres, hours)
    smooth[np.repeat(hours, per_hour) == 0] = 0.0
    return smooth / smooth.sum()
