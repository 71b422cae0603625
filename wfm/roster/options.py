"""Model-side facts derived from an instance: allowed (day, shift) options per agent, coverage masks, weekly limits."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from wfm.roster.domain import DAYS_PER_WEEK, MINUTES_PER_DAY, Agent, Config, Instance, ShiftTemplate

UNLIMITED_HOURS = 7 * 24.0


@dataclass(frozen=True)
class WeekLimits:
    """One agent's limits in one week of the horizon: paid minutes [min, max] and at most `max_days` shifts."""

    days: range
    min_paid_minutes: int
    max_paid_minutes: int
    max_days: int


def shift_window(shift: ShiftTemplate, day: int) -> tuple[int, int]:
    """[start, end) of `shift` started on horizon day `day`, in minutes from the horizon start."""
    start = day * MINUTES_PER_DAY + shift.start_minute
    return start, start + shift.length_minutes


def coverage_offsets(shift: ShiftTemplate, interval_minutes: int) -> np.ndarray:
    """Grid intervals (counted from the shift's day start) in which the shift works, i.e. not at lunch."""
    first = shift.start_minute // interval_minutes
    steps = np.arange(shift.length_minutes // interval_minutes)
    lunch_from = shift.lunch_offset_minutes(interval_minutes) // interval_minutes
    lunch_to = lunch_from + shift.lunch_minutes // interval_minutes
    working = (steps < lunch_from) | (steps >= lunch_to)
    return first + steps[working]


def availability_window(agent: Agent) -> tuple[int, int]:
    """[earliest start, latest end) in minutes of a shift's own day; a window ending before it starts wraps."""
    earliest = agent.earliest_start_minute or 0
    latest = agent.latest_end_minute
    if latest is None:
        return earliest, 2 * MINUTES_PER_DAY
    if latest <= earliest:
        latest += MINUTES_PER_DAY
    return earliest, latest


def time_off_windows(instance: Instance) -> dict[str, list[tuple[int, int]]]:
    """Time off per agent id as [start, end) minutes from the horizon start."""
    windows: dict[str, list[tuple[int, int]]] = {}
    for off in instance.time_off:
        base = (off.day - instance.start).days * MINUTES_PER_DAY
        lo = base + (off.start_minute if off.start_minute is not None else 0)
        hi = base + (off.end_minute if off.end_minute is not None else MINUTES_PER_DAY)
        windows.setdefault(off.agent_id, []).append((lo, hi))
    return windows


def full_days_off(instance: Instance, agent: Agent) -> set[int]:
    """Horizon days on which the agent has whole-day time off."""
    return {
        (off.day - instance.start).days
        for off in instance.time_off
        if off.agent_id == agent.agent_id and off.start_minute is None and (off.day - instance.start).days >= 0
    }


def disallowed_reason(
    instance: Instance, agent: Agent, day: int, shift: ShiftTemplate, offs: list[tuple[int, int]]
) -> str | None:
    """Why `agent` may not work `shift` on `day` ("template_days", "availability", "time_off"), or None."""
    if instance.weekday(day) not in shift.weekdays:
        return "template_days"
    wanted = rotation_category(instance, agent, day)
    if wanted is not None and shift.category != wanted:
        return "rotation_pattern"
    earliest, latest = availability_window(agent)
    if shift.start_minute < earliest or shift.start_minute + shift.length_minutes > latest:
        return "availability"
    lo, hi = shift_window(shift, day)
    if any(lo < b and a < hi for a, b in offs):
        return "time_off"
    return None


def agent_queues(instance: Instance, agent: Agent) -> tuple[int, ...]:
    """Indices of the queues in the requirements that the agent has the skill for."""
    return tuple(q for q, name in enumerate(instance.queues) if name in agent.skills)


def week_limits(instance: Instance, config: Config, agent: Agent) -> list[WeekLimits]:
    """Contract limits per horizon week; minimum hours pro rata to available days (days in horizon, not on leave)."""
    rules = config.rules
    leave = full_days_off(instance, agent)
    max_hours = agent.max_hours_week if agent.max_hours_week is not None else UNLIMITED_HOURS
    limits = []
    for days in instance.weeks():
        available = sum(1 for d in days if d not in leave)
        min_minutes = math.floor(agent.min_hours_week * 60 * available / DAYS_PER_WEEK + 1e-9)
        day_cap = DAYS_PER_WEEK - rules.days_off_per_week
        if agent.max_days_week is not None:
            day_cap = min(day_cap, agent.max_days_week)
        limits.append(WeekLimits(days, min_minutes, round(max_hours * 60), max(0, min(day_cap, len(days)))))
    return limits


def rest_conflicts(instance: Instance, config: Config) -> dict[tuple[int, int], list[int]]:
    """For (day offset k ≥ 1, shift s): the shifts that may not start k days after s (rest too short)."""
    rest = round(config.rules.min_rest_hours * 60)
    conflicts: dict[tuple[int, int], list[int]] = {}
    longest = max((s.start_minute + s.length_minutes for s in instance.shifts), default=0)
    max_offset = (longest + rest) // MINUTES_PER_DAY + 1
    for i, first in enumerate(instance.shifts):
        end = first.start_minute + first.length_minutes
        for k in range(1, max_offset + 1):
            for j, second in enumerate(instance.shifts):
                if k * MINUTES_PER_DAY + second.start_minute < end + rest:
                    conflicts.setdefault((k, i), []).append(j)
    return conflicts


@dataclass(frozen=True)
class AgentLimits:
    """One agent's sequence and horizon limits: the agent's own values where set, else the [rules] ones."""

    max_consecutive_days: int
    min_consecutive_days: int
    min_consecutive_days_off: int
    max_weekends: int | None  # over the whole horizon
    max_weekends_per_4_weeks: int
    min_total_minutes: int | None
    max_total_minutes: int | None
    max_shifts: dict[int, int]  # shift index → most shifts of it over the horizon


def agent_limits(instance: Instance, config: Config, agent: Agent) -> AgentLimits:
    """The agent's limits (its own columns override the [rules] defaults)."""
    rules = config.rules
    names = {shift.name: s for s, shift in enumerate(instance.shifts)}
    return AgentLimits(
        max_consecutive_days=_first(agent.max_consecutive_days, rules.max_consecutive_days),
        min_consecutive_days=_first(agent.min_consecutive_days, rules.min_consecutive_days),
        min_consecutive_days_off=_first(agent.min_consecutive_days_off, rules.min_consecutive_days_off),
        max_weekends=agent.max_weekends,
        max_weekends_per_4_weeks=rules.max_weekends_per_4_weeks,
        min_total_minutes=agent.min_total_minutes,
        max_total_minutes=agent.max_total_minutes,
        max_shifts={names[name]: n for name, n in agent.max_shifts if name in names},
    )


def _first(value: int | None, default: int) -> int:
    """The agent's value when set, else the default."""
    return default if value is None else value


def forbidden_successions(instance: Instance, config: Config) -> np.ndarray:
    """succ[s1, s2]: template s2 may not start the day after s1 (templates' not_followed_by, [rules] pairs, and
    forward rotation: no next-day shift starting earlier in the day)."""
    shifts = instance.shifts
    names = {shift.name: s for s, shift in enumerate(shifts)}
    succ = np.zeros((len(shifts), len(shifts)), dtype=bool)
    for s, shift in enumerate(shifts):
        for name in shift.not_followed_by:
            if name in names:
                succ[s, names[name]] = True
    for pair in config.rules.forbidden_successions:
        first, _, second = pair.partition(">")
        if first.strip() in names and second.strip() in names:
            succ[names[first.strip()], names[second.strip()]] = True
    if config.rules.forward_rotation:
        starts = np.array([shift.start_minute for shift in shifts])
        succ |= starts[None, :] < starts[:, None]
    return succ


def weekend_index(instance: Instance) -> dict[int, list[int]]:
    """Weekend number → its horizon days (Saturday and Sunday of the same week)."""
    weekends: dict[int, list[int]] = {}
    for d in range(instance.days):
        day = instance.day_date(d)
        if day.weekday() >= 5:
            monday = day.toordinal() - day.weekday()
            weekends.setdefault(monday, []).append(d)
    return {i: days for i, (_, days) in enumerate(sorted(weekends.items()))}


def rotation_category(instance: Instance, agent: Agent, day: int) -> str | None:
    """The shift category the agent's fixed weekly rotation asks for on `day` (weeks counted from the start)."""
    if not agent.rotation:
        return None
    return agent.rotation[(day // DAYS_PER_WEEK) % len(agent.rotation)]


@dataclass(frozen=True, eq=False)
class InstanceFacts:
    """Everything the model derives once per instance: options per (agent, day), their blockers, limits, masks."""

    options: dict[tuple[int, int], list[tuple[int, int]]]
    blocked: dict[tuple[int, int], dict[tuple[int, int], str]]
    weeks: list[list[WeekLimits]]
    rest: dict[tuple[int, int], list[int]]
    offsets: list[np.ndarray]
    limits: list[AgentLimits]
    successions: np.ndarray  # (shifts, shifts) forbidden next-day pairs


def instance_facts(instance: Instance, config: Config) -> InstanceFacts:
    """Allowed options per (agent, day) (one per shift and skill queue), blocked ones with their reason, limits."""
    offs = time_off_windows(instance)
    options: dict[tuple[int, int], list[tuple[int, int]]] = {}
    blocked: dict[tuple[int, int], dict[tuple[int, int], str]] = {}
    for a, agent in enumerate(instance.agents):
        queues = agent_queues(instance, agent)
        agent_offs = offs.get(agent.agent_id, [])
        for d in range(instance.days):
            allowed, stopped = [], {}
            for s, shift in enumerate(instance.shifts):
                reason = disallowed_reason(instance, agent, d, shift, agent_offs)
                for q in queues:
                    if reason is None:
                        allowed.append((s, q))
                    else:
                        stopped[(s, q)] = reason
            options[(a, d)] = allowed
            blocked[(a, d)] = stopped
    return InstanceFacts(
        options=options,
        blocked=blocked,
        weeks=[week_limits(instance, config, agent) for agent in instance.agents],
        rest=rest_conflicts(instance, config),
        offsets=[coverage_offsets(shift, instance.interval_minutes) for shift in instance.shifts],
        limits=[agent_limits(instance, config, agent) for agent in instance.agents],
        successions=forbidden_successions(instance, config),
    )
