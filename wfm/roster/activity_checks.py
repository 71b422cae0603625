"""Checker part for breaks, lunches and training, read from the roster rows alone (no placement code shared).

Break checks run only when rules.toml sets break rules or a cap (older rosters, with their lunch in the middle
and no break rows, still pass without them). Training checks run on every `training` row; those that need the
requirement (window, length, slot, seats) run when training requirements are given.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from itertools import pairwise
from typing import NamedTuple

import numpy as np
import pandas as pd

from wfm.roster.break_rules import DEFAULT_BREAK_RULE, BreakRule
from wfm.roster.domain import ShiftTemplate


def check_activities(frame: pd.DataFrame, x, training: tuple = ()) -> list:
    """Violations of the break rules, the break cap and the training requirements (x: the checker's input)."""
    from wfm.roster.checker import Violation

    out: list[Violation] = []
    worked = _worked_rows(frame)
    days = _worked_days(worked)
    if x.config.breaks.configured:
        for (agent_id, day), rows in days.items():
            out += [Violation(rule, agent_id, day, text) for rule, text in _pause_problems(rows, day, x)]
        out += [Violation("break_cap", "", day, text) for day, text in _cap_problems(worked, x)]
    out += [Violation(rule, a, day, text) for rule, a, day, text in _training_problems(days, training)]
    out += [Violation("reassignment", a, day, text) for a, day, text in _reassign_problems(days, x)]
    return out


class _Row(NamedTuple):
    """One non-off roster row."""

    start: datetime
    end: datetime
    activity: str
    queue: str


class _Worked(NamedTuple):
    """The non-off rows sorted by agent, date and start, as columns."""

    agent_ids: np.ndarray
    days: np.ndarray
    starts: np.ndarray  # python datetimes
    ends: np.ndarray
    activity: np.ndarray
    queue: np.ndarray
    new_day: np.ndarray  # the row is an agent's first on its date


def _worked_rows(frame: pd.DataFrame) -> _Worked:
    """The non-off rows of a roster frame by agent, date and start."""
    worked = frame[frame["activity"] != "off"].sort_values(["agent_id", "date", "start"])
    agent_ids = worked["agent_id"].to_numpy(dtype=object)
    days = worked["date"].to_numpy(dtype=object)
    new_day = np.ones(len(worked), dtype=bool)
    new_day[1:] = (agent_ids[1:] != agent_ids[:-1]) | (days[1:] != days[:-1])
    return _Worked(
        agent_ids,
        days,
        pd.DatetimeIndex(worked["start"]).to_pydatetime(),
        pd.DatetimeIndex(worked["end"]).to_pydatetime(),
        worked["activity"].to_numpy(dtype=object),
        worked["queue"].to_numpy(dtype=object),
        new_day,
    )


def _worked_days(worked: _Worked) -> dict[tuple[str, date], list[_Row]]:
    """(agent, date) → that day's non-off rows by start, in the order of agent and date."""
    rows = list(map(_Row, worked.starts, worked.ends, worked.activity, worked.queue))
    bounds = [*np.flatnonzero(worked.new_day).tolist(), len(rows)]
    return {(worked.agent_ids[lo], worked.days[lo]): rows[lo:hi] for lo, hi in pairwise(bounds)}


def _rule_of(rules: tuple[BreakRule, ...], minutes: int) -> BreakRule:
    """The rule whose range of shift hours holds this length."""
    for rule in rules:
        if rule.min_shift_hours * 60 <= minutes < rule.max_shift_hours * 60:
            return rule
    return DEFAULT_BREAK_RULE


def _template(shifts: tuple[ShiftTemplate, ...], day: date, start_minute: int, minutes: int) -> ShiftTemplate | None:
    """The template with this start and length allowed on the weekday (None: the template check reports it)."""
    return next(
        (
            t
            for t in shifts
            if t.start_minute == start_minute and t.length_minutes == minutes and day.weekday() in t.weekdays
        ),
        None,
    )


def _pause_problems(rows: list[_Row], day: date, x) -> list[tuple[str, str]]:
    """(rule, message) for one agent's worked day: pause count and lengths, windows, grid and gaps."""
    begin, finish = min(r.start for r in rows), max(r.end for r in rows)
    minutes = int((finish - begin).total_seconds() // 60)
    midnight = datetime.combine(day, datetime.min.time())
    template = _template(x.shifts, day, int((begin - midnight).total_seconds() // 60), minutes)
    if template is None:
        return []
    rule = _rule_of(x.config.breaks.rules, minutes)
    step = x.config.rules.interval_minutes
    pauses = [
        (int((r.start - begin).total_seconds() // 60), int((r.end - r.start).total_seconds() // 60), r.activity)
        for r in rows
        if r.activity in ("break", "lunch")
    ]
    found: list[tuple[str, str]] = []
    want = sorted(template.breaks_minutes or (rule.break_minutes,) * rule.breaks)
    got = sorted(m for _o, m, kind in pauses if kind == "break")
    if got != want:
        found.append(("break_rule", f"breaks {got or 'none'} min, expected {want or 'none'} ([{rule.name}])"))
    lunches = [(o, m) for o, m, kind in pauses if kind == "lunch"]
    for offset, length in lunches:
        if not rule.lunch_min_minutes <= length <= rule.lunch_max_minutes:
            found.append(
                ("break_rule", f"{length}-min lunch outside {rule.lunch_min_minutes}–{rule.lunch_max_minutes}")
            )
        if not rule.lunch_earliest_hours * 60 <= offset <= rule.lunch_latest_hours * 60:
            found.append(
                (
                    "break_rule",
                    f"lunch starts {offset / 60:g} h into the shift, expected "
                    f"{rule.lunch_earliest_hours:g}–{rule.lunch_latest_hours:g} h",
                )
            )
    for offset, length, kind in pauses:
        if offset % step or length % step:
            found.append(("break_rule", f"{kind} at +{offset} min is off the {step}-minute grid"))
        if offset < rule.earliest_hours * 60 or offset + length > minutes - rule.end_margin_hours * 60:
            found.append(
                (
                    "break_rule",
                    f"{kind} at +{offset / 60:g} h is not within {rule.earliest_hours:g} h of the start and "
                    f"{rule.end_margin_hours:g} h of the end",
                )
            )
    ordered = sorted(pauses)
    for (o1, m1, k1), (o2, _m2, k2) in pairwise(ordered):
        if o2 - (o1 + m1) < rule.min_gap_hours * 60:
            found.append(
                ("break_gap", f"{k2} {(o2 - o1 - m1) / 60:g} h after the {k1}, expected {rule.min_gap_hours:g} h")
            )
    return found


def _cap_problems(worked: _Worked, x) -> list[tuple[date, str]]:
    """(date, message) per queue and date where more agents pause at once than the cap allows.

    An agent-day with work rows on exactly one queue is on shift on it from its first start to its last end."""
    cap = x.config.breaks.cap
    is_work = worked.activity == "work"
    if cap is None or not is_work.any():
        return []
    step = timedelta(minutes=x.config.rules.interval_minutes)
    day_of_row = np.cumsum(worked.new_day) - 1
    codes, names = pd.factorize(worked.queue[is_work], sort=True)
    pairs = np.unique(day_of_row[is_work] * len(names) + codes)  # distinct (day, queue)
    n_queues = np.bincount(pairs // len(names), minlength=int(day_of_row[-1]) + 1)
    queue_of_day = np.full(len(n_queues), -1)
    queue_of_day[pairs // len(names)] = pairs % len(names)
    one_queue = np.flatnonzero(n_queues == 1)  # the days that count
    firsts = np.flatnonzero(worked.new_day)
    starts, ends = _microseconds(worked.starts), _microseconds(worked.ends)
    last_end = np.maximum.reduceat(ends, firsts)
    on_shift = dict(_step_counts(queue_of_day[one_queue], starts[firsts[one_queue]], last_end[one_queue], step))
    pause = ((worked.activity == "break") | (worked.activity == "lunch")) & (n_queues[day_of_row] == 1)
    paused = _step_counts(queue_of_day[day_of_row[pause]], starts[pause], ends[pause], step)
    reported: set[tuple[str, date]] = set()
    out = []
    epoch, micro = datetime(1970, 1, 1), timedelta(microseconds=1)
    for (code, t_us), n in paused:
        queue = str(names[code])
        limit = max(cap.min_agents, int(cap.share(queue) * on_shift.get((code, t_us), 0) + 1e-9))
        t = epoch + t_us * micro
        if n > limit and (queue, t.date()) not in reported:
            reported.add((queue, t.date()))
            out.append((t.date(), f"queue {queue}: {n} agents pause at {t:%H:%M}, the cap allows {limit}"))
    return out


def _microseconds(datetimes: np.ndarray) -> np.ndarray:
    """Python datetimes as microseconds since 1970 (int64)."""
    return pd.DatetimeIndex(datetimes).as_unit("us").asi8


def _step_counts(
    queues: np.ndarray, starts: np.ndarray, ends: np.ndarray, step: timedelta
) -> list[tuple[tuple[int, int], int]]:
    """((queue, t), how many spans hold t) sorted by queue and t, where a span (microseconds) holds start,
    start + step, … before its end."""
    step_us = step // timedelta(microseconds=1)
    steps = np.maximum(0, -((starts - ends) // step_us))  # ceil((end − start) / step); none when not after
    span = np.repeat(np.arange(len(starts)), steps)
    k = np.arange(len(span)) - np.repeat(np.cumsum(steps) - steps, steps)
    queue, t = queues[span], starts[span] + k * step_us
    order = np.lexsort((t, queue))
    queue, t = queue[order], t[order]
    first = np.ones(len(t), dtype=bool)
    first[1:] = (queue[1:] != queue[:-1]) | (t[1:] != t[:-1])
    at = np.flatnonzero(first)
    counts = np.diff(np.append(at, len(t)))
    return list(zip(zip(queue[at].tolist(), t[at].tolist(), strict=True), counts.tolist(), strict=True))


def _reassign_problems(days: dict[tuple[str, date], list[_Row]], x) -> list[tuple[str, date, str]]:
    """(agent, date, message) for intraday reassignments (`reassign` rows: the agent works the row's queue while
    the shift keeps its home queue, the queue of its work rows): inside a shift with work on one home queue, on
    another queue among the agent's skills, on the interval grid (overlaps and the span are the other checks')."""
    step = x.config.rules.interval_minutes
    out = []
    for (agent_id, day), rows in days.items():
        moved = [r for r in rows if r.activity == "reassign"]
        if not moved:
            continue
        home = {r.queue for r in rows if r.activity == "work"}
        agent = x.agents.get(agent_id)
        midnight = datetime.combine(day, datetime.min.time())
        for r in moved:
            if not home:
                out.append((agent_id, day, f"reassignment at {r.start:%H:%M} outside a shift with work"))
            elif r.queue in home:
                out.append((agent_id, day, f'reassignment at {r.start:%H:%M} to the home queue "{r.queue}"'))
            if agent is not None and r.queue not in agent.skills:
                out.append((agent_id, day, f'reassignment to "{r.queue}", not among its skills'))
            if int((r.start - midnight).total_seconds() // 60) % step or int((r.end - r.start).total_seconds()) % (
                60 * step
            ):
                out.append((agent_id, day, f"reassignment at {r.start:%H:%M} is off the {step}-minute grid"))
    return out


def _training_problems(days: dict[tuple[str, date], list[_Row]], training: tuple) -> list[tuple[str, str, date, str]]:
    """(rule, agent, date, message): sessions inside a worked shift, in their window, length and slot; seats."""
    requirements = {r.name: r for r in training}
    seats: dict[tuple[str, datetime], list[str]] = defaultdict(list)
    out = []
    for (agent_id, day), rows in days.items():
        has_work = any(r.activity == "work" for r in rows)
        midnight = datetime.combine(day, datetime.min.time())
        for r in rows:
            if r.activity != "training":
                continue
            if not has_work:
                out.append(("training_inside_shift", agent_id, day, f"training at {r.start:%H:%M} outside a shift"))
            if not requirements:
                continue
            req = requirements.get(r.queue)
            if req is None:
                out.append(("training_requirement", agent_id, day, f'"{r.queue}" is not a training requirement'))
                continue
            start = int((r.start - midnight).total_seconds() // 60)
            end = int((r.end - midnight).total_seconds() // 60)
            if (
                day.weekday() not in req.weekdays
                or start < req.earliest_minute
                or end > req.latest_minute
                or end - start != req.session_minutes
                or (start - req.earliest_minute) % (req.slot_step_minutes or req.session_minutes)
            ):
                out.append(
                    (
                        "training_window",
                        agent_id,
                        day,
                        f"{req.name} at {r.start:%H:%M}–{r.end:%H:%M} is not an allowed slot",
                    )
                )
            seats[(req.name, r.start)].append(agent_id)
    for (name, start), who in sorted(seats.items()):
        capacity = requirements[name].capacity
        if capacity is not None and len(who) > capacity:
            out.append(
                (
                    "training_capacity",
                    who[0],
                    start.date(),
                    f"{len(who)} seats taken in {name} at {start}, {capacity} allowed",
                )
            )
    return out
