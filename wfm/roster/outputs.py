"""Roster outputs: the export table (work, break, lunch, training, off rows), coverage per queue and interval, the
JSON report."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from wfm.roster.activities import ActivityPlan
from wfm.roster.domain import Assignment, Instance, RosterSolution

ROSTER_COLUMNS = ["agent_id", "name", "date", "start", "end", "activity", "queue"]
TIME_FORMAT = "%Y-%m-%d %H:%M"


def roster_frame(
    instance: Instance, assignments: Iterable[Assignment], activities: ActivityPlan | None = None
) -> pd.DataFrame:
    """Export rows: per agent and day either an `off` row or the shift as work rows around its placed breaks,
    lunch and training (`activities`; without it, the lunch in the middle of the shift and no breaks)."""
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
            placed = activities.by_cell.get((a, d)) if activities is not None else None
            parts = (
                _shift_parts(instance, x, day_start)
                if placed is None
                else _placed_parts(instance, x, day_start, placed)
            )
            rows.extend({**base, **part} for part in parts)
    return pd.DataFrame(rows, columns=ROSTER_COLUMNS)


def with_days_rewritten(
    instance: Instance,
    frame: pd.DataFrame,
    assignments: list[Assignment],
    activities: ActivityPlan | None = None,
    cells: set[tuple[str, str]] | None = None,
) -> pd.DataFrame:
    """The roster table with the rows of some agent-days written again from `assignments` (and their placed
    `activities`): `cells` (agent id, ISO date), by default the assignments' own; a cell without an assignment
    becomes a day off. Sorted by agent, date and start."""
    if cells is None:
        cells = {(instance.agents[x.agent].agent_id, instance.day_date(x.day).isoformat()) for x in assignments}
    new_rows = roster_frame(instance, assignments, activities)
    new_rows = new_rows[[key in cells for key in zip(new_rows["agent_id"], new_rows["date"], strict=True)]]
    kept = frame[[key not in cells for key in zip(frame["agent_id"], frame["date"].astype(str), strict=True)]]
    return pd.concat([kept, new_rows], ignore_index=True).sort_values(["agent_id", "date", "start"], ignore_index=True)


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


def _placed_parts(instance: Instance, x: Assignment, day_start: datetime, placed: tuple) -> list[dict[str, str]]:
    """Work rows between the placed activities; a training row names its requirement in the queue column."""
    shift = instance.shifts[x.shift]
    queue = instance.queues[x.queue]
    start = day_start + timedelta(minutes=shift.start_minute)
    parts, cursor = [], 0
    for item in placed:
        if item.offset_minutes > cursor:
            parts.append((cursor, item.offset_minutes, "work", queue))
        label = item.label if item.activity == "training" else ""
        parts.append((item.offset_minutes, item.offset_minutes + item.minutes, item.activity, label))
        cursor = item.offset_minutes + item.minutes
    if shift.length_minutes > cursor:
        parts.append((cursor, shift.length_minutes, "work", queue))
    return [
        {
            "start": _fmt(start + timedelta(minutes=a)),
            "end": _fmt(start + timedelta(minutes=b)),
            "activity": kind,
            "queue": q,
        }
        for a, b, kind, q in parts
    ]


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


def report_dict(
    instance: Instance,
    solution: RosterSolution,
    service: pd.DataFrame | None = None,
    activities: ActivityPlan | None = None,
) -> dict:
    """The JSON report: solve statistics, penalties by rule name, coverage summary and per-interval coverage
    (after the placed breaks, lunches and training when `activities` is given, plus `breaks` and `training`)."""
    stats = solution.stats
    hours = instance.interval_minutes / 60
    scheduled = solution.scheduled if activities is None else activities.scheduled
    coverage = coverage_frame(instance, scheduled)
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
    if activities is not None:
        report["breaks"] = breaks_section(instance, solution, activities)
        report["training"] = activities.training
    if service is not None and service.attrs.get("queues"):
        report["service_limits"] = service_limits_section(instance, solution, service, activities)
    return report


def service_limits_section(
    instance: Instance, solution: RosterSolution, service: pd.DataFrame, activities: ActivityPlan | None
) -> list[dict]:
    """The report's `service_limits`: per queue and day below target, the limits behind it (see service_limits)."""
    from wfm.roster.service_limits import service_limits

    frame = roster_frame(instance, solution.assignments, activities)
    return service_limits(instance, frame, service, service.attrs["queues"]).to_dict(orient="records")


def under_agent_hours(instance: Instance, scheduled: np.ndarray) -> float:
    """Agent-hours short of the requirement over all queues and intervals."""
    return float(np.clip(instance.required - scheduled, 0, None).sum() * instance.interval_minutes / 60)


def breaks_section(instance: Instance, solution: RosterSolution, activities: ActivityPlan) -> dict:
    """The report's `breaks` section: pauses placed, cap violations, under-coverage before and after placement."""
    return {
        **activities.breaks,
        "under_coverage_agent_hours_before": round(under_agent_hours(instance, solution.scheduled), 2),
        "under_coverage_agent_hours_after": round(under_agent_hours(instance, activities.scheduled), 2),
        "placement_seconds": round(activities.seconds, 2),
    }
