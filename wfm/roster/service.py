"""Hooks to the staffing module: projected service level per queue and interval for a roster's scheduled agents,
and the deferred-work (email) queues a search can optimise directly."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from wfm.csvio import read_table, timestamp_column
from wfm.errors import InputError
from wfm.roster.domain import Instance

if TYPE_CHECKING:
    from wfm.roster.deferred_search import DeferredWork
    from wfm.staffing.deferred import DeferredQueue


def projected_service_level(
    instance: Instance, scheduled: np.ndarray, requirements_path: str | Path, queues_path: str | Path
) -> pd.DataFrame:
    """Staffing's projection (`wfm.staffing.requirements.projected_service`) on the horizon's grid intervals."""
    from wfm.staffing.queues import read_queues
    from wfm.staffing.requirements import projected_service

    file = Path(requirements_path)
    frame = read_table(file, ("queue", "interval_start", "volume", "aht_seconds", "required_agents"), ("model",))
    frame["interval_start"] = timestamp_column(frame, "interval_start", file)
    for column in ("volume", "aht_seconds", "required_agents"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").fillna(0.0)
    if "model" not in frame.columns:
        frame["model"] = ""
    queues = read_queues(queues_path)
    missing = sorted(set(instance.queues) - set(queues))
    if missing:
        raise InputError(f'queue "{missing[0]}" of the requirements is not in the queues file', file=queues_path)
    stamps = pd.date_range(
        pd.Timestamp(instance.start), periods=instance.n_intervals, freq=f"{instance.interval_minutes}min"
    )
    counts = pd.DataFrame(
        {
            "queue": np.repeat(np.array(instance.queues, dtype=object), instance.n_intervals),
            "interval_start": np.tile(stamps, len(instance.queues)),
            "scheduled_agents": scheduled.reshape(-1),
        }
    )
    inside = frame[frame["interval_start"].isin(stamps) & frame["queue"].isin(instance.queues)]
    projection = projected_service(inside.reset_index(drop=True), counts, queues)
    projection.attrs["queues"] = {name: queues[name] for name in instance.queues}  # for the report's limits
    return projection


def deferred_queues(
    instance: Instance, requirements_path: str | Path, queues_path: str | Path
) -> dict[str, DeferredQueue]:
    """The hook for a search that optimises deferred work: per email queue of the instance, its work on the
    horizon's grid and what one rostered head is worth (`DeferredQueue.late_seconds` / `.marginal_seconds`);
    none when the requirements carry no volume and AHT (stated heads only)."""
    from wfm.staffing.deferred import DeferredQueue, spread_capacity
    from wfm.staffing.queues import read_queues

    file = Path(requirements_path)
    frame = read_table(file, ("queue", "interval_start"), ("volume", "aht_seconds", "required_agents", "model"))
    if "volume" not in frame.columns or "aht_seconds" not in frame.columns:
        return {}
    frame["interval_start"] = timestamp_column(frame, "interval_start", file)
    work = pd.to_numeric(frame["volume"], errors="coerce").fillna(0.0) * pd.to_numeric(
        frame["aht_seconds"], errors="coerce"
    ).fillna(0.0)
    frame = frame.assign(work=work)
    queues = read_queues(queues_path)
    stamps = pd.date_range(
        pd.Timestamp(instance.start), periods=instance.n_intervals, freq=f"{instance.interval_minutes}min"
    )
    seconds = instance.interval_minutes * 60.0
    out: dict[str, DeferredQueue] = {}
    for name in instance.queues:
        settings = queues.get(name)
        if settings is None or settings.channel != "email":
            continue
        rows = frame[frame["queue"] == name].groupby("interval_start")["work"].sum()
        series = rows.reindex(stamps, fill_value=0.0).to_numpy(float)
        is_open = settings.is_open(pd.Series(stamps))
        response = float(settings.response_hours or 0.0) * 3600.0
        out[name] = DeferredQueue(
            work_seconds=series,
            is_open=is_open,
            interval_seconds=seconds,
            response_seconds=response,
            agent_seconds=seconds * (settings.targets.max_occupancy or 1.0) * (1.0 - settings.shrinkage),
            tail_capacity=spread_capacity(series, is_open, seconds, response)[1],
        )
    return out


def deferred_work(instance: Instance, requirements_path: str | Path, queues_path: str | Path) -> DeferredWork | None:
    """What the roster search takes for its email/ticket queues (`SolveSettings.deferred`): their work and the
    requirement rows as stated; None without any (or without volume and AHT in the requirements)."""
    from wfm.roster.deferred_search import DeferredWork

    queues = deferred_queues(instance, requirements_path, queues_path)
    if not queues:
        return None
    return DeferredWork(queues, {name: instance.required[instance.queues.index(name)].copy() for name in queues})
