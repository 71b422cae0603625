"""Queue settings (channel, targets, shrinkage, patience, concurrency, hours) and reading them from queues.csv."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time
from pathlib import Path

import numpy as np
import pandas as pd

from wfm.csvio import FIRST_DATA_ROW, number_column, read_table
from wfm.errors import InputError
from wfm.limits import (
    MAX_AHT_CV,
    MAX_ANSWER_SECONDS,
    MAX_AVAILABILITY,
    MAX_CHAT_AHT_FACTOR,
    MAX_CONCURRENCY,
    MAX_INTERVAL_MINUTES,
    MAX_MIN_AGENTS,
    MAX_PATIENCE_SECONDS,
    MAX_RESPONSE_HOURS,
    MAX_SWING,
    MIN_CHAT_AHT_FACTOR,
    MIN_INTERVAL_MINUTES,
)
from wfm.staffing.bounds import first_true, reject_above
from wfm.staffing.calibrated import CalibratedParameters, simple_parameters
from wfm.staffing.targets import ServiceTargets

CHANNELS = ("voice", "chat", "email")
MODELS = ("erlang-c", "erlang-a", "calibrated")
REQUIRED_COLUMNS = ("queue", "channel", "interval_minutes", "service_level", "answer_seconds")
OPTIONAL_COLUMNS = (
    "response_hours",
    "max_occupancy",
    "shrinkage",
    "patience_seconds",
    "concurrency",
    "aht_factors",
    "min_agents",
    "open",
    "close",
    "asa_seconds",
    "model",
    "availability",
    "aht_cv",
    "swing",
)
# Upper bounds of the numeric columns (the lower bounds are given where each column is read).
COLUMN_CEILINGS = {
    "answer_seconds": (MAX_ANSWER_SECONDS, "s"),
    "asa_seconds": (MAX_ANSWER_SECONDS, "s"),
    "patience_seconds": (MAX_PATIENCE_SECONDS, "s"),
    "response_hours": (MAX_RESPONSE_HOURS, "h"),
    "concurrency": (MAX_CONCURRENCY, "chats"),
    "min_agents": (MAX_MIN_AGENTS, "agents"),
    "availability": (MAX_AVAILABILITY, ""),
    "aht_cv": (MAX_AHT_CV, ""),
    "swing": (MAX_SWING, ""),
}
MINUTES_PER_DAY = 24 * 60
# Default slow-down per extra chat held at once (AHT × (1 + 0.25·(c − 1))) when aht_factors is not given.
DEFAULT_CHAT_SLOWDOWN = 0.25


@dataclass(frozen=True)
class QueueSettings:
    """Everything the staffing engine needs to know about one queue."""

    queue: str
    channel: str
    interval_minutes: int
    targets: ServiceTargets
    shrinkage: float = 0.0
    patience_seconds: float | None = None
    concurrency: int = 1
    aht_factors: tuple[float, ...] = (1.0,)
    response_hours: float | None = None
    open_time: time | None = None
    close_time: time | None = None
    model: str = "erlang-c"
    calibration: CalibratedParameters | None = None  # learned parameters of the calibrated model

    def is_open(self, interval_start: pd.Series) -> np.ndarray:
        """Whether each interval starts inside opening hours (always open when no hours are set)."""
        if self.open_time is None or self.close_time is None:
            return np.ones(len(interval_start), dtype=bool)
        minutes = (interval_start.dt.hour * 60 + interval_start.dt.minute).to_numpy()
        start = self.open_time.hour * 60 + self.open_time.minute
        end = self.close_time.hour * 60 + self.close_time.minute
        end = 24 * 60 if end == 0 else end
        if start < end:
            return (minutes >= start) & (minutes < end)
        return (minutes >= start) | (minutes < end)


def default_aht_factors(concurrency: int) -> tuple[float, ...]:
    """AHT multipliers by chats held when none are configured: 1, 1.25, 1.5, …"""
    return tuple(1.0 + DEFAULT_CHAT_SLOWDOWN * c for c in range(concurrency))


def _parse_clock(text: str, path: Path, row: int, column: str) -> time | None:
    """HH:MM (24:00 allowed as the end of the day) or blank."""
    text = text.strip()
    if not text:
        return None
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", text)
    if not match or int(match[1]) > 24 or int(match[2]) > 59 or (int(match[1]) == 24 and int(match[2]) != 0):
        raise InputError(f'"{text}" is not a time of day: expected HH:MM', file=path, row=row, column=column)
    hour = int(match[1]) % 24
    return time(hour, int(match[2]))


def _parse_factors(text: str, concurrency: int, path: Path, row: int) -> tuple[float, ...]:
    """`;`-separated AHT multipliers, one per number of chats held."""
    if not text.strip():
        return default_aht_factors(concurrency)
    try:
        factors = tuple(float(x) for x in text.split(";") if x.strip())
    except ValueError:
        raise InputError(
            f'"{text}": expected multipliers separated by ";", e.g. 1;1.25;1.6',
            file=path,
            row=row,
            column="aht_factors",
        ) from None
    if len(factors) != concurrency or not all(MIN_CHAT_AHT_FACTOR <= f <= MAX_CHAT_AHT_FACTOR for f in factors):
        raise InputError(
            f'"{text}": expected {concurrency} multipliers between {MIN_CHAT_AHT_FACTOR:g} and '
            f"{MAX_CHAT_AHT_FACTOR:g} (one per chat held, concurrency {concurrency})",
            file=path,
            row=row,
            column="aht_factors",
        )
    return factors


def check_interval_minutes(minutes: np.ndarray, path: Path) -> None:
    """Interval lengths are whole minutes in [MIN_INTERVAL_MINUTES, MAX_INTERVAL_MINUTES] that divide the day."""
    bad = ~((minutes >= MIN_INTERVAL_MINUTES) & (minutes <= MAX_INTERVAL_MINUTES)) | (MINUTES_PER_DAY % minutes != 0)
    at = first_true(bad)
    if at is not None:
        raise InputError(
            f"{minutes[at]:g} minutes: expected a whole number of minutes between {MIN_INTERVAL_MINUTES} and "
            f"{MAX_INTERVAL_MINUTES} that divides the day (e.g. 5, 15, 30, 60)",
            file=path,
            row=at + FIRST_DATA_ROW,
            column="interval_minutes",
        )


def check_ceilings(columns: dict[str, np.ndarray], path: Path) -> None:
    """Every numeric column at most its ceiling in COLUMN_CEILINGS (blank cells hold finite defaults or NaN)."""
    for name, (ceiling, unit) in COLUMN_CEILINGS.items():
        values = columns[name]
        reject_above(
            np.where(np.isnan(values) | np.isposinf(values), 0.0, values), ceiling, file=path, column=name, unit=unit
        )


def read_queues(path: str | Path) -> dict[str, QueueSettings]:
    """queues.csv → settings by queue name; every bad cell is reported with its row and column."""
    p = Path(path)
    frame = read_table(p, REQUIRED_COLUMNS, OPTIONAL_COLUMNS)
    interval = number_column(frame, "interval_minutes", p, minimum=1, integer=True)
    sl = number_column(frame, "service_level", p, minimum=0, below=1)
    answer = number_column(frame, "answer_seconds", p, minimum=0)
    occupancy = number_column(frame, "max_occupancy", p, minimum=0.01, default=1.0)
    shrinkage = number_column(frame, "shrinkage", p, minimum=0, below=1, default=0.0)
    patience = number_column(frame, "patience_seconds", p, minimum=0.001, default=np.inf)
    concurrency = number_column(frame, "concurrency", p, minimum=1, integer=True, default=1)
    response = number_column(frame, "response_hours", p, minimum=0.001, default=np.nan)
    min_agents = number_column(frame, "min_agents", p, minimum=0, integer=True, default=0)
    asa = number_column(frame, "asa_seconds", p, minimum=0.001, default=np.nan)
    availability = number_column(frame, "availability", p, minimum=0.01, default=1.0)
    aht_cv = number_column(frame, "aht_cv", p, minimum=0, default=1.0)
    swing = number_column(frame, "swing", p, minimum=0, below=1, default=0.0)
    check_interval_minutes(interval, p)
    check_ceilings(
        {
            "answer_seconds": answer,
            "asa_seconds": asa,
            "patience_seconds": patience,
            "response_hours": response,
            "concurrency": concurrency,
            "min_agents": min_agents,
            "availability": availability,
            "aht_cv": aht_cv,
            "swing": swing,
        },
        p,
    )
    if np.any(occupancy > 1):
        row = int(np.flatnonzero(occupancy > 1)[0]) + FIRST_DATA_ROW
        raise InputError("expected a share between 0 and 1", file=p, row=row, column="max_occupancy")
    settings: dict[str, QueueSettings] = {}
    for i, record in enumerate(frame.to_dict("records")):
        row = i + FIRST_DATA_ROW
        name = record["queue"].strip()
        if not name:
            raise InputError("empty queue name", file=p, row=row, column="queue")
        if name in settings:
            raise InputError(f'queue "{name}" appears twice', file=p, row=row, column="queue")
        channel = record["channel"].strip().lower()
        if channel not in CHANNELS:
            raise InputError(f'"{channel}": expected one of {", ".join(CHANNELS)}', file=p, row=row, column="channel")
        if channel == "email" and not np.isfinite(response[i]):
            raise InputError(
                "an email queue needs its response time in hours", file=p, row=row, column="response_hours"
            )
        model = (record.get("model") or "").strip().lower() or ("erlang-a" if np.isfinite(patience[i]) else "erlang-c")
        if model not in MODELS:
            raise InputError(f'"{model}": expected one of {", ".join(MODELS)}', file=p, row=row, column="model")
        if model == "erlang-a" and not np.isfinite(patience[i]):
            raise InputError("Erlang A needs the callers' mean patience", file=p, row=row, column="patience_seconds")
        k = int(concurrency[i]) if channel == "chat" else 1
        settings[name] = QueueSettings(
            queue=name,
            channel=channel,
            interval_minutes=int(interval[i]),
            targets=ServiceTargets(
                service_level=float(sl[i]),
                answer_seconds=float(answer[i]),
                asa_seconds=None if np.isnan(asa[i]) else float(asa[i]),
                max_occupancy=float(occupancy[i]),
                min_agents=int(min_agents[i]),
            ),
            shrinkage=float(shrinkage[i]),
            patience_seconds=float(patience[i]) if np.isfinite(patience[i]) else None,
            concurrency=k,
            aht_factors=_parse_factors(record.get("aht_factors", ""), k, p, row) if channel == "chat" else (1.0,),
            response_hours=float(response[i]) if np.isfinite(response[i]) else None,
            open_time=_parse_clock(record.get("open", ""), p, row, "open"),
            close_time=_parse_clock(record.get("close", ""), p, row, "close"),
            model=model,
            calibration=simple_parameters(float(availability[i]), float(patience[i]), float(aht_cv[i]), float(swing[i]))
            if model == "calibrated"
            else None,
        )
    return settings
