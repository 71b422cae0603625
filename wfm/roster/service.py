"""Hook to the staffing module: projected service level per queue and interval for a roster's scheduled agents."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from wfm.csvio import read_table, timestamp_column
from wfm.errors import InputError
from wfm.roster.domain import Instance


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
    return projected_service(inside.reset_index(drop=True), counts, queues)
