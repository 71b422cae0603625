"""Why a queue projects a low service level: per queue and day below target, the limits that cost it, in hours."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

import numpy as np
import pandas as pd

from wfm.roster.domain import Instance
from wfm.staffing.deferred import deferred_outcome
from wfm.staffing.queues import QueueSettings

# The limits, in the order an interval's shortfall is attributed to them (each takes what the ones before left).
LIMIT_CODES = (
    "no_shift",  # no shift template covers the interval on that weekday (opening hours vs shift hours)
    "skill_pool",  # fewer agents hold the skill than the interval requires
    "staff_hours",  # the agents' contract hours in the horizon are below the required hours (then all the rest)
    "not_on_shift",  # skilled agents off although contract hours would allow it (rules, time off, other days)
    "surplus_elsewhere",  # skilled agents at work on another queue that was over-covered then (a roster's loss)
    "other_queues",  # skilled agents at work on other queues that needed them (the centre has the hours overall)
)
BACKLOG_CODES = (
    "closed_arrivals",  # work that arrived while the queue was closed (email: the backlog at opening)
    "carried_backlog",  # overdue work carried over from the day before (email)
)
LIMIT_TEXT = {
    "no_shift": "no shift template covers these hours",
    "skill_pool": "fewer agents hold the skill than required",
    "staff_hours": "the agents' contract hours in the horizon are below the required hours",
    "not_on_shift": "agents with the skill were off at these hours (rules, time off, hours used on other days)",
    "surplus_elsewhere": "agents with the skill were working other queues that were over-covered",
    "other_queues": "agents with the skill were working other queues",
    "closed_arrivals": "work arrived while the queue was closed",
    "carried_backlog": "overdue work was carried over from the day before",
}
LIMIT_COLUMNS = (
    "queue",
    "date",
    "service_level",
    "target",
    "required_hours",
    "scheduled_hours",
    "short_hours",
    "main_limit",
    "limits",
    "explanation",
)


def agent_queues(instance: Instance, frame: pd.DataFrame) -> np.ndarray:
    """(agents, intervals): the queue index each agent works in each interval (work rows), −1 when not working."""
    n_t = instance.n_intervals
    step = pd.Timedelta(minutes=instance.interval_minutes)
    origin = pd.Timestamp(instance.start)
    work = frame[frame["activity"] == "work"]
    index = {a.agent_id: i for i, a in enumerate(instance.agents)}
    queue_index = {q: i for i, q in enumerate(instance.queues)}
    on = np.full((len(instance.agents), n_t), -1, dtype=np.int64)
    starts = ((pd.to_datetime(work["start"]) - origin) / step).to_numpy()
    ends = ((pd.to_datetime(work["end"]) - origin) / step).to_numpy()
    for agent_id, queue, first, last in zip(work["agent_id"], work["queue"], starts, ends, strict=True):
        row = index.get(agent_id)
        if row is not None:
            on[row, max(0, int(np.floor(first))) : min(n_t, int(np.ceil(last)))] = queue_index.get(
                queue, len(queue_index)
            )
    return on


def movable_from_surplus(instance: Instance, on: np.ndarray, required: np.ndarray, scheduled: np.ndarray) -> np.ndarray:
    """(queues, intervals): agents holding a queue's skill who work another queue that is over-covered then, capped
    by that queue's surplus — hours a better roster could have moved without making anyone short."""
    n_q = len(instance.queues)
    skilled = np.array([[q in a.skills for a in instance.agents] for q in instance.queues], dtype=np.int64)
    surplus = np.maximum(scheduled - required, 0.0)
    movable = np.zeros((n_q, on.shape[1]))
    for p in range(n_q):
        on_p = (on == p).astype(np.int64)
        holders_on_p = skilled @ on_p  # (queues, intervals): holders of each skill working queue p
        movable += np.where(np.arange(n_q)[:, None] == p, 0.0, np.minimum(holders_on_p, surplus[p]))
    return movable


def shift_covers(instance: Instance) -> np.ndarray:
    """(intervals,): whether some shift template allowed on that weekday covers the interval."""
    per_day = 24 * 60 // instance.interval_minutes
    covered = np.zeros(instance.n_intervals, dtype=bool)
    for d in range(instance.days):
        weekday = (instance.start.weekday() + d) % 7
        for shift in instance.shifts:
            if weekday not in shift.weekdays:
                continue
            first = d * per_day + shift.start_minute // instance.interval_minutes
            last = first + -(-shift.length_minutes // instance.interval_minutes)
            covered[max(0, first) : min(instance.n_intervals, last)] = True
    return covered


def _attribute(
    short, required, scheduled, pool, skilled_at_work, movable, covered, centre_short
) -> dict[str, np.ndarray]:
    """Split each interval's shortfall (agents) over the limits in LIMIT_CODES order."""
    left = short.astype(float)
    parts = {}
    for code, cap in (
        ("no_shift", np.where(covered, 0.0, left)),
        ("skill_pool", np.maximum(required - np.maximum(pool, scheduled), 0.0)),
        ("off", np.maximum(np.minimum(required, pool) - np.maximum(skilled_at_work, scheduled), 0.0)),
        ("surplus_elsewhere", movable),
        ("other_queues", left),
    ):
        take = np.minimum(left, cap)
        parts[code] = take
        left = left - take
    off = parts.pop("off")
    zero = np.zeros_like(off)
    if centre_short:  # agents off or on other queues: with too few hours in the horizon, both are the hours' fault
        parts["staff_hours"], parts["not_on_shift"] = off + parts["other_queues"], zero
        parts["other_queues"] = zero
    else:
        parts["staff_hours"], parts["not_on_shift"] = zero, off
    return parts


def _email_backlog(
    settings: QueueSettings, group: pd.DataFrame, is_open: np.ndarray, seconds: float
) -> tuple[np.ndarray, np.ndarray]:
    """Per interval of an email queue: work arriving while closed, and overdue work at the interval's end."""
    work = group["volume"].to_numpy(float) * group["aht_seconds"].to_numpy(float)
    capacity = (
        group["scheduled_agents"].to_numpy(float)
        * (1.0 - settings.shrinkage)
        * seconds
        * (settings.targets.max_occupancy or 1.0)
    )
    outcome = deferred_outcome(work, capacity, is_open, seconds, float(settings.response_hours or 0.0) * 3600.0)
    return np.where(is_open, 0.0, work), outcome.overdue_seconds


def service_limits(
    instance: Instance,
    frame: pd.DataFrame,
    projection: pd.DataFrame,
    queues: Mapping[str, QueueSettings],
) -> pd.DataFrame:
    """One row per queue and day whose projected service level is below the queue's target: the hours short and
    the limits behind them (codes of LIMIT_CODES and BACKLOG_CODES with hours, largest first, and a sentence)."""
    hours = instance.interval_minutes / 60.0
    seconds = instance.interval_minutes * 60.0
    stamps = pd.date_range(
        pd.Timestamp(instance.start), periods=instance.n_intervals, freq=f"{instance.interval_minutes}min"
    )
    on = agent_queues(instance, frame)
    skilled = np.array([[q in a.skills for a in instance.agents] for q in instance.queues], dtype=np.int64)
    skilled_at_work = skilled @ (on >= 0).astype(np.int64)
    covered = shift_covers(instance)
    required_total = float(projection["required_agents"].sum()) * hours
    contract = sum((a.max_hours_week if a.max_hours_week is not None else np.inf) for a in instance.agents)
    contract_hours = contract * instance.days / 7.0
    centre_short = required_total > contract_hours
    grid = {
        column: projection.pivot_table(index="queue", columns="interval_start", values=column, aggfunc="sum")
        .reindex(index=list(instance.queues), columns=stamps)
        .fillna(0.0)
        .to_numpy(float)
        for column in ("required_agents", "scheduled_agents")
    }
    movable = movable_from_surplus(instance, on, grid["required_agents"], grid["scheduled_agents"])
    rows = []
    for q, name in enumerate(instance.queues):
        settings = queues.get(name)
        target = None if settings is None else settings.targets.service_level
        group = projection[projection["queue"] == name].set_index("interval_start").reindex(stamps)
        if settings is None or target is None or group["volume"].isna().all():
            continue
        group = group.fillna({"volume": 0.0, "aht_seconds": 0.0, "required_agents": 0, "scheduled_agents": 0})
        group["service_level"] = group["service_level"].fillna(1.0)
        is_open = settings.is_open(pd.Series(stamps))
        required = group["required_agents"].to_numpy(float)
        scheduled = group["scheduled_agents"].to_numpy(float)
        short = np.maximum(required - scheduled, 0.0)
        pool = float(sum(name in a.skills for a in instance.agents))
        parts = _attribute(short, required, scheduled, pool, skilled_at_work[q], movable[q], covered, centre_short)
        work = group["volume"].to_numpy(float) * group["aht_seconds"].to_numpy(float)
        if settings.channel == "email":
            closed_work, overdue = _email_backlog(settings, group.reset_index(), is_open, seconds)
        else:
            closed_work, overdue = np.where(is_open, 0.0, work), np.zeros(work.size)
        day = np.asarray((stamps - stamps[0]).days)
        volume = group["volume"].to_numpy(float)
        on_time = volume * group["service_level"].to_numpy(float)
        for d in range(instance.days):
            inside = day == d
            if volume[inside].sum() <= 0:
                continue
            level = on_time[inside].sum() / volume[inside].sum()
            if level >= target - 1e-9:
                continue
            limits = {code: float(parts[code][inside].sum() * hours) for code in LIMIT_CODES}
            limits["closed_arrivals"] = float(closed_work[inside].sum() / 3600.0)
            first_open = np.flatnonzero(inside & is_open)
            before = first_open[0] - 1 if first_open.size else -1
            limits["carried_backlog"] = float(overdue[before] / 3600.0) if before >= 0 else 0.0
            ranked = [
                {"code": code, "hours": round(value, 2)}
                for code, value in sorted(limits.items(), key=lambda kv: -kv[1])
                if value > 0.005
            ]
            main = ranked[0]["code"] if ranked else ""
            rows.append(
                {
                    "queue": name,
                    "date": (instance.start + timedelta(days=d)).isoformat(),
                    "service_level": round(float(level), 4),
                    "target": float(target),
                    "required_hours": round(float(required[inside].sum() * hours), 2),
                    "scheduled_hours": round(float(scheduled[inside].sum() * hours), 2),
                    "short_hours": round(float(short[inside].sum() * hours), 2),
                    "main_limit": main,
                    "limits": ranked,
                    "explanation": _sentence(ranked, required_total, contract_hours),
                }
            )
    return pd.DataFrame(rows, columns=list(LIMIT_COLUMNS))


def _sentence(ranked: list[dict], required_total: float, contract_hours: float) -> str:
    """An English sentence naming the limits with their hours."""
    if not ranked:
        return "below target with every required agent scheduled: the target needs more than the requirement"
    parts = [f"{LIMIT_TEXT[x['code']]} ({x['hours']:g} h)" for x in ranked]
    text = "; ".join(parts)
    if any(x["code"] == "staff_hours" for x in ranked):
        text += f" — {required_total:,.0f} h required in the horizon, contracts allow {contract_hours:,.0f} h"
    return text
