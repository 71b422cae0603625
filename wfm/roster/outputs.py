"""Roster outputs: the export table (work, lunch, off rows), coverage per queue and interval, the JSON report."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from wfm.roster.domain import Assignment, Instance, RosterSolution

ROSTER_COLUMNS = ["agent_id", "name", "date", "start", "end", "activity", "queue"]
TIME_FORMAT = "%Y-%m-%d %H:%M"


def roster_frame(instance: Instance, assignments: Iterable[Assignment]) -> pd.DataFrame:
    """Export rows: per agent and day either an `off` row or the shift as work / lunch / work rows."""
    by_cell = {(x.agent, x.day): x for x in assignments}
    rows = []
    midnight = datetime.combine(instance.start, datetime.min.time())
    for a, agent in enumerate(instance.agents):
        for d in range(instance.days):
            day_start = midnight + timedelta(days=d)
            base = {"agent_id": agent.agent_id, "name": agent.name, "date": day_start.date().isoformat()}
            x = by_cell.get((a, d))
            if x is None:
                rows.append(
                    {
                        **base,
                        "start": _fmt(day_start),
                        "end": _fmt(day_start + timedelta(days=1)),
                        "activity": "off",
                        "queue": "",
                    }
                )
                continue
            rows.extend({**base, **part} for part in _shift_parts(instance, x, day_start))
    return pd.DataFrame(rows, columns=ROSTER_COLUMNS)


def _shift_parts(instance: Instance, x: Assignment, day_start: datetime) -> list[dict[str, str]]:
    """The work and lunch segments of one assignment."""
    shift = instance.shifts[x.shift]
    queue = instance.queues[x.queue]
    start = day_start + timedelta(minutes=shift.start_minute)
    end = start + timedelta(minutes=shift.length_minutes)
    if not shift.lunch_minutes:
        return [{"start": _fmt(start), "end": _fmt(end), "activity": "work", "queue": queue}]
    lunch = start + timedelta(minutes=shift.lunch_offset_minutes(instance.interval_minutes))
    lunch_end = lunch + timedelta(minutes=shift.lunch_minutes)
    parts = [
        (start, lunch, "work", queue),
        (lunch, lunch_end, "lunch", ""),
        (lunch_end, end, "work", queue),
    ]
    return [{"start": _fmt(a), "end": _fmt(b), "activity": kind, "queue": q} for a, b, kind, q in parts if b > a]


def _fmt(moment: datetime) -> str:
    """Timestamp text of the export."""
    return moment.strftime(TIME_FORMAT)


def coverage_frame(instance: Instance, scheduled: np.ndarray) -> pd.DataFrame:
    """Required vs scheduled agents per queue and interval, with the shortfall and surplus."""
    n_q, n_t = instance.required.shape
    stamps = pd.date_range(pd.Timestamp(instance.start), periods=n_t, freq=f"{instance.interval_minutes}min")
    frame = pd.DataFrame(
        {
            "queue": np.repeat(np.array(instance.queues, dtype=object), n_t),
            "interval_start": np.tile(stamps.strftime(TIME_FORMAT).to_numpy(), n_q),
            "required_agents": instance.required.reshape(-1),
            "scheduled_agents": scheduled.reshape(-1),
        }
    )
    frame["under"] = np.clip(frame["required_agents"] - frame["scheduled_agents"], 0, None)
    frame["over"] = np.clip(frame["scheduled_agents"] - frame["required_agents"], 0, None)
    return frame


def report_dict(instance: Instance, solution: RosterSolution, service: pd.DataFrame | None = None) -> dict:
    """The JSON report: solve statistics, penalties by rule name, coverage summary and per-interval coverage."""
    stats = solution.stats
    hours = instance.interval_minutes / 60
    coverage = coverage_frame(instance, solution.scheduled)
    per_queue = coverage.groupby("queue")[["required_agents", "scheduled_agents", "under", "over"]].sum() * hours
    report = {
        "status": stats.status if stats else "UNKNOWN",
        "objective": stats.objective if stats else None,
        "lower_bound": stats.lower_bound if stats else None,
        "gap": stats.gap if stats else None,
        "elapsed_seconds": stats.elapsed_seconds if stats else None,
        "phases": list(stats.phases) if stats else [],
        "penalties": [
            {
                "rule": p.rule,
                "weight": p.weight,
                "amount": round(p.amount, 4),
                "unit": p.unit,
                "penalty": round(p.penalty, 4),
            }
            for p in solution.penalties
        ],
        "coverage_agent_hours": {q: {k: round(float(v), 2) for k, v in row.items()} for q, row in per_queue.iterrows()},
        "coverage": coverage.to_dict(orient="records"),
        "service_level": None if service is None else service.to_dict(orient="records"),
    }
    return report
