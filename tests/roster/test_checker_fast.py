"""The checker's vectorised row → block step and per-agent grouping give exactly the verdict of the straightforward
per-agent scan it replaced (kept below as the reference), on random rosters with injected violations."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import replace
from datetime import date, datetime, timedelta
from itertools import pairwise

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wfm.roster.activity_checks import _pause_problems, _Row, _training_problems
from wfm.roster.break_rules import BreakCap, BreakRule, BreakSettings
from wfm.roster.checker import (
    Block,
    CheckInput,
    Violation,
    _by_agent,
    _midnight,
    _minutes,
    _own,
    _runs,
    check_roster,
    parse_roster,
)
from wfm.roster.domain import Agent, Config, RuleSettings, ShiftTemplate, TimeOff
from wfm.roster.synthetic import synthetic_instance
from wfm.roster.training import TrainingRequirement

COLUMNS = ["agent_id", "name", "date", "start", "end", "activity", "queue"]


# ---------------------------------------------------------------- reference: the per-agent scan, as it was


def old_blocks_from_rows(frame: pd.DataFrame) -> tuple[list[Block], list[Block], list[Violation]]:
    firsts, extras, problems = [], [], []
    worked = frame[frame["activity"] != "off"].sort_values(["agent_id", "date", "start"])
    for (agent_id, day), rows in worked.groupby(["agent_id", "date"], sort=True):
        current: list = []
        day_blocks = []
        for row in rows.itertuples(index=False):
            if current and row.start < current[-1].end:
                problems.append(Violation("overlapping_rows", agent_id, day, f"rows overlap at {row.start}"))
            if current and row.start > current[-1].end:
                day_blocks.append(current)
                current = []
            current.append(row)
        day_blocks.append(current)
        made = [old_block(agent_id, day, rows_) for rows_ in day_blocks]
        firsts.append(made[0])
        extras.extend(made[1:])
    return firsts, extras, problems


def old_block(agent_id: str, day: date, rows: list) -> Block:
    lunch = sum(int((r.end - r.start).total_seconds() // 60) for r in rows if r.activity == "lunch")
    queues = frozenset(r.queue for r in rows if r.activity == "work")
    return Block(agent_id, day, rows[0].start, max(r.end for r in rows), lunch, queues)


def old_unknown_agent(x: CheckInput) -> list[Violation]:
    return [
        Violation("unknown_agent", b.agent_id, b.day, "agent not in the agents file")
        for b in x.blocks
        if b.agent_id not in x.agents
    ]


def old_one_shift_per_day(x: CheckInput) -> list[Violation]:
    return [
        Violation("one_shift_per_day", b.agent_id, b.day, f"a second shift starts at {b.start:%H:%M}")
        for b in x.extra_blocks
    ]


def old_shift_template(x: CheckInput) -> list[Violation]:
    out = []
    for b in x.blocks:
        start = _minutes(b.start - _midnight(b.day))
        length = _minutes(b.end - b.start)
        if not any(
            t.start_minute == start
            and t.length_minutes == length
            and t.lunch_minutes == b.lunch_minutes
            and b.day.weekday() in t.weekdays
            for t in x.shifts
        ):
            out.append(
                Violation(
                    "shift_template",
                    b.agent_id,
                    b.day,
                    f"{b.start:%H:%M}+{length} min (lunch {b.lunch_minutes}) matches no template allowed that weekday",
                )
            )
    return out


def old_minimum_rest(x: CheckInput) -> list[Violation]:
    rest = x.config.rules.min_rest_hours
    out = []
    for agent_id, blocks in _by_agent(x.blocks + x.extra_blocks).items():
        ordered = sorted(blocks, key=lambda b: b.start)
        for prev, nxt in pairwise(ordered):
            gap_hours = (nxt.start - prev.end).total_seconds() / 3600
            if gap_hours < rest - 1e-9:
                out.append(
                    Violation(
                        "minimum_rest",
                        agent_id,
                        nxt.day,
                        f"only {gap_hours:g} h rest after the shift ending {prev.end:%Y-%m-%d %H:%M}",
                    )
                )
    return out


def old_weeks(x: CheckInput, blocks: list[Block]) -> list[tuple[int, int, list[Block]]]:
    weeks = []
    for week in range(math.ceil(x.n_days / 7)):
        days_in_week = min(7, x.n_days - 7 * week)
        weeks.append((week, days_in_week, [b for b in blocks if (b.day - x.first_day).days // 7 == week]))
    return weeks


def old_days_off_per_week(x: CheckInput) -> list[Violation]:
    out = []
    for agent_id, blocks in _by_agent(x.blocks).items():
        agent = x.agents.get(agent_id)
        for week, days_in_week, week_blocks in old_weeks(x, blocks):
            cap = min(7 - x.config.rules.days_off_per_week, days_in_week)
            if agent is not None and agent.max_days_week is not None:
                cap = min(cap, agent.max_days_week)
            if len(week_blocks) > cap:
                out.append(
                    Violation(
                        "days_off_per_week",
                        agent_id,
                        week_blocks[0].day,
                        f"{len(week_blocks)} working days in week {week + 1}, at most {cap} allowed",
                    )
                )
    return out


def old_max_consecutive_days(x: CheckInput) -> list[Violation]:
    out = []
    for agent_id, blocks in _by_agent(x.blocks).items():
        agent = x.agents.get(agent_id)
        own = agent.max_consecutive_days if agent is not None else None
        limit = x.config.rules.max_consecutive_days if own is None else own
        days = sorted(b.day for b in blocks)
        run = 1
        for prev, nxt in pairwise(days):
            run = run + 1 if (nxt - prev).days == 1 else 1
            if run == limit + 1:
                out.append(Violation("max_consecutive_days", agent_id, nxt, f"more than {limit} days in a row"))
    return out


def old_weekly_hours(x: CheckInput) -> list[Violation]:
    out = []
    leave = {(t.agent_id, t.day) for t in x.time_off if t.start_minute is None}
    for agent_id, agent in x.agents.items():
        blocks = [b for b in x.blocks if b.agent_id == agent_id]
        for week, days_in_week, week_blocks in old_weeks(x, blocks):
            first = x.first_day + timedelta(days=7 * week)
            available = sum((agent_id, first + timedelta(days=i)) not in leave for i in range(days_in_week))
            paid = sum(_minutes(b.end - b.start) - b.lunch_minutes for b in week_blocks)
            low = math.floor(agent.min_hours_week * 60 * available / 7 + 1e-9)
            high = agent.max_hours_week * 60 if agent.max_hours_week is not None else math.inf
            if not low <= paid <= high:
                out.append(
                    Violation(
                        "weekly_hours",
                        agent_id,
                        first,
                        f"{paid / 60:g} paid hours in week {week + 1}, expected {low / 60:g}–{high / 60:g}",
                    )
                )
    return out


def old_availability(x: CheckInput) -> list[Violation]:
    out = []
    for b in x.blocks:
        agent = x.agents.get(b.agent_id)
        if agent is None:
            continue
        earliest = agent.earliest_start_minute or 0
        latest = agent.latest_end_minute
        if latest is not None and latest <= earliest:
            latest += 1440
        start, end = _minutes(b.start - _midnight(b.day)), _minutes(b.end - _midnight(b.day))
        if start < earliest or (latest is not None and end > latest):
            out.append(
                Violation(
                    "availability",
                    b.agent_id,
                    b.day,
                    f"{b.start:%H:%M}–{b.end:%H:%M} is outside the agent's availability",
                )
            )
    return out


def old_time_off(x: CheckInput) -> list[Violation]:
    out = []
    for off in x.time_off:
        lo = _midnight(off.day) + timedelta(minutes=off.start_minute or 0)
        hi = _midnight(off.day) + timedelta(minutes=off.end_minute if off.end_minute is not None else 1440)
        for b in x.blocks:
            if b.agent_id == off.agent_id and b.start < hi and lo < b.end:
                out.append(Violation("time_off", b.agent_id, b.day, f"shift overlaps time off on {off.day}"))
    return out


def old_skills(x: CheckInput) -> list[Violation]:
    out = []
    for b in x.blocks:
        agent = x.agents.get(b.agent_id)
        if agent is None:
            continue
        wrong = sorted(q for q in b.queues if q not in agent.skills)
        if wrong:
            out.append(Violation("skills", b.agent_id, b.day, f'queue "{wrong[0]}" is not among its skills'))
        if len(b.queues) > 1:
            out.append(Violation("one_queue_per_shift", b.agent_id, b.day, f"queues {', '.join(sorted(b.queues))}"))
    return out


def old_min_consecutive_runs(x: CheckInput) -> list[Violation]:
    rules = x.config.rules
    out = []
    for agent_id, agent in x.agents.items():
        worked = {b.day for b in x.blocks if b.agent_id == agent_id}
        least_on = _own(agent, "min_consecutive_days", rules.min_consecutive_days)
        least_off = _own(agent, "min_consecutive_days_off", rules.min_consecutive_days_off)
        for working, first, length, at_edge in _runs(x, worked):
            least = least_on if working else least_off
            if length < least and not at_edge:
                rule = "min_consecutive_days" if working else "min_consecutive_days_off"
                what = "working days" if working else "days off"
                out.append(Violation(rule, agent_id, first, f"only {length} {what} in a row, at least {least}"))
    return out


def old_max_weekends(x: CheckInput) -> list[Violation]:
    horizon = [x.first_day + timedelta(days=i) for i in range(x.n_days)]
    mondays = sorted({d - timedelta(days=d.weekday()) for d in horizon if d.weekday() >= 5})
    per_4 = x.config.rules.max_weekends_per_4_weeks
    out = []
    for agent_id, blocks in _by_agent(x.blocks).items():
        agent = x.agents.get(agent_id)
        worked = {b.day - timedelta(days=b.day.weekday()) for b in blocks if b.day.weekday() >= 5}
        flags = [m in worked for m in mondays]
        most = agent.max_weekends if agent is not None else None
        if most is not None and sum(flags) > most:
            out.append(Violation("max_weekends", agent_id, None, f"{sum(flags)} weekends worked, at most {most}"))
        for i in range(max(1, len(flags) - 3)):
            if sum(flags[i : i + 4]) > per_4:
                out.append(
                    Violation(
                        "max_weekends",
                        agent_id,
                        mondays[i],
                        f"{sum(flags[i : i + 4])} of 4 weekends worked, at most {per_4}",
                    )
                )
    return out


def old_total_minutes(x: CheckInput) -> list[Violation]:
    out = []
    for agent_id, agent in x.agents.items():
        if agent.min_total_minutes is None and agent.max_total_minutes is None:
            continue
        paid = sum(_minutes(b.end - b.start) - b.lunch_minutes for b in x.blocks if b.agent_id == agent_id)
        low = agent.min_total_minutes or 0
        high = agent.max_total_minutes if agent.max_total_minutes is not None else math.inf
        if not low <= paid <= high:
            out.append(Violation("total_minutes", agent_id, None, f"{paid} paid minutes, expected {low}–{high}"))
    return out


def old_template_name(x: CheckInput, b: Block) -> ShiftTemplate | None:
    start = _minutes(b.start - _midnight(b.day))
    length = _minutes(b.end - b.start)
    matches = [
        t
        for t in x.shifts
        if t.start_minute == start and t.length_minutes == length and t.lunch_minutes == b.lunch_minutes
    ]
    return min(matches, key=lambda t: t.name) if matches else None


def old_max_shifts_per_template(x: CheckInput) -> list[Violation]:
    out = []
    for agent_id, blocks in _by_agent(x.blocks).items():
        agent = x.agents.get(agent_id)
        if agent is None or not agent.max_shifts:
            continue
        counts: dict[str, int] = defaultdict(int)
        for b in blocks:
            template = old_template_name(x, b)
            if template is not None:
                counts[template.name] += 1
        for name, most in agent.max_shifts:
            if counts[name] > most:
                out.append(
                    Violation("max_shifts_per_template", agent_id, None, f"{counts[name]} × {name}, at most {most}")
                )
    return out


def old_forbidden_successions(x: CheckInput) -> list[Violation]:
    pairs = {tuple(p.strip() for p in text.split(">", 1)) for text in x.config.rules.forbidden_successions}
    out = []
    for agent_id, blocks in _by_agent(x.blocks).items():
        ordered = sorted(blocks, key=lambda b: b.day)
        for prev, nxt in pairwise(ordered):
            if (nxt.day - prev.day).days != 1:
                continue
            first, second = old_template_name(x, prev), old_template_name(x, nxt)
            if first is None or second is None:
                continue
            earlier = x.config.rules.forward_rotation and second.start_minute < first.start_minute
            if second.name in first.not_followed_by or (first.name, second.name) in pairs or earlier:
                out.append(
                    Violation("forbidden_successions", agent_id, nxt.day, f"{second.name} the day after {first.name}")
                )
    return out


def old_queue_rotation(x: CheckInput) -> list[Violation]:
    limit = x.config.rules.max_consecutive_queue_days
    if limit <= 0:
        return []
    out = []
    for agent_id, blocks in _by_agent(x.blocks).items():
        agent = x.agents.get(agent_id)
        if agent is None or len(agent.skills) < 2:
            continue
        run, previous = 0, None
        for b in sorted(blocks, key=lambda b: b.day):
            queue = next(iter(b.queues)) if len(b.queues) == 1 else None
            follows = previous is not None and (b.day - previous[0]).days == 1 and previous[1] == queue
            run = run + 1 if follows and queue is not None else 1
            previous = (b.day, queue)
            if run == limit + 1:
                out.append(Violation("queue_rotation", agent_id, b.day, f"more than {limit} days in a row on {queue}"))
    return out


def old_rotation_pattern(x: CheckInput) -> list[Violation]:
    out = []
    for b in x.blocks:
        agent = x.agents.get(b.agent_id)
        if agent is None or not agent.rotation:
            continue
        wanted = agent.rotation[((b.day - x.first_day).days // 7) % len(agent.rotation)]
        template = old_template_name(x, b)
        if template is not None and template.category != wanted:
            out.append(Violation("rotation_pattern", b.agent_id, b.day, f"{template.name} in a {wanted} week"))
    return out


OLD_CHECKS = [
    old_unknown_agent,
    old_one_shift_per_day,
    old_shift_template,
    old_minimum_rest,
    old_days_off_per_week,
    old_max_consecutive_days,
    old_weekly_hours,
    old_availability,
    old_time_off,
    old_skills,
    old_min_consecutive_runs,
    old_max_weekends,
    old_total_minutes,
    old_max_shifts_per_template,
    old_forbidden_successions,
    old_queue_rotation,
    old_rotation_pattern,
]


def old_cap_problems(days: dict[tuple[str, date], list[_Row]], x) -> list[tuple[date, str]]:
    cap = x.config.breaks.cap
    if cap is None or not days:
        return []
    step = timedelta(minutes=x.config.rules.interval_minutes)
    on_shift: dict[tuple[str, datetime], int] = defaultdict(int)
    paused: dict[tuple[str, datetime], int] = defaultdict(int)
    for rows in days.values():
        queues = {r.queue for r in rows if r.activity == "work"}
        if len(queues) != 1:
            continue
        queue = queues.pop()
        t, finish = min(r.start for r in rows), max(r.end for r in rows)
        while t < finish:
            on_shift[(queue, t)] += 1
            t += step
        for r in rows:
            if r.activity in ("break", "lunch"):
                t = r.start
                while t < r.end:
                    paused[(queue, t)] += 1
                    t += step
    reported: set[tuple[str, date]] = set()
    out = []
    for (queue, t), n in sorted(paused.items()):
        limit = max(cap.min_agents, int(cap.share(queue) * on_shift[(queue, t)] + 1e-9))
        if n > limit and (queue, t.date()) not in reported:
            reported.add((queue, t.date()))
            out.append((t.date(), f"queue {queue}: {n} agents pause at {t:%H:%M}, the cap allows {limit}"))
    return out


def old_check_activities(frame: pd.DataFrame, x, training: tuple = ()) -> list[Violation]:
    out: list[Violation] = []
    worked = frame[frame["activity"] != "off"].sort_values(["agent_id", "date", "start"])
    days: dict[tuple[str, date], list] = defaultdict(list)
    for r in zip(
        worked["agent_id"],
        worked["date"],
        worked["start"],
        worked["end"],
        worked["activity"],
        worked["queue"],
        strict=True,
    ):
        days[(r[0], r[1])].append(_Row(r[2].to_pydatetime(), r[3].to_pydatetime(), r[4], r[5]))
    if x.config.breaks.configured:
        for (agent_id, day), rows in days.items():
            out += [Violation(rule, agent_id, day, text) for rule, text in _pause_problems(rows, day, x)]
        out += [Violation("break_cap", "", day, text) for day, text in old_cap_problems(days, x)]
    out += [Violation(rule, a, day, text) for rule, a, day, text in _training_problems(days, training)]
    return out


def old_check_roster(frame, agents, shifts, time_off, config, *, first_day=None, n_days=None, training=()):
    blocks, extras, problems = old_blocks_from_rows(frame)
    first = first_day if first_day is not None else min(frame["date"])
    days = n_days if n_days is not None else (max(frame["date"]) - first).days + 1
    x = CheckInput(blocks, extras, {a.agent_id: a for a in agents}, shifts, time_off, config, first, days)
    for check in OLD_CHECKS:
        problems.extend(check(x))
    problems.extend(old_check_activities(frame, x, training))
    return problems


# ---------------------------------------------------------------- random rosters with injected violations

BREAKS = BreakSettings(
    rules=(
        BreakRule("long", 7, 12, 30, 60, 3, 5, breaks=2, break_minutes=15, min_gap_hours=1.5),
        BreakRule("short", 0, 7, breaks=1, break_minutes=15, min_gap_hours=1.5),
    ),
    cap=BreakCap(default=0.25, min_agents=2, queues=(("presale_chat", 0.1),)),
)
TRAINING = (
    TrainingRequirement("onboarding", "new_hire", (), "day", 1, 120, earliest_minute=8 * 60, latest_minute=20 * 60,
                        slot_step_minutes=60, capacity=3),
    TrainingRequirement("weekly_skills", "everyone", (), "week", 1, 60, weekdays=frozenset(range(5)),
                        earliest_minute=8 * 60, latest_minute=20 * 60, capacity=2),
)  # fmt: skip


def stamp(t: datetime) -> str:
    return f"{t:%Y-%m-%d %H:%M}"


def shift_rows(agent_id: str, day: date, start: datetime, template: ShiftTemplate, queue: str, rng) -> list[list]:
    """Export rows of one shift: work around a lunch in the middle, one or two breaks, sometimes training."""
    end = start + timedelta(minutes=template.length_minutes)
    pauses = []  # (offset minutes, length, activity, queue)
    if template.lunch_minutes:
        pauses.append((template.lunch_offset_minutes(15), template.lunch_minutes, "lunch", ""))
    for _ in range(int(rng.integers(0, 3))):
        pauses.append((15 * int(rng.integers(2, template.length_minutes // 15 - 2)), 15, "break", ""))
    if rng.random() < 0.15:
        pauses.append((60 * int(rng.integers(1, template.length_minutes // 60 - 1)), 60, "training", "weekly_skills"))
    pauses.sort()
    out, t = [], start
    for offset, length, activity, label in pauses:
        lo = max(start + timedelta(minutes=offset), t)
        hi = min(lo + timedelta(minutes=length), end)
        if lo >= hi:
            continue
        if t < lo:
            out.append([agent_id, agent_id, str(day), stamp(t), stamp(lo), "work", queue])
        out.append([agent_id, agent_id, str(day), stamp(lo), stamp(hi), activity, label])
        t = hi
    if t < end:
        out.append([agent_id, agent_id, str(day), stamp(t), stamp(end), "work", queue])
    return out


def random_roster(agents: tuple[Agent, ...], shifts, first_day: date, n_days: int, rng) -> pd.DataFrame:
    """Agents work on random days on random templates and queues, with injected faults: overlapping rows, gaps
    that split a shift, second shifts, odd starts, off-skill and mixed queues, an agent not in the agents file."""
    rows: list[list] = []
    ids = [a.agent_id for a in agents] + ["Z999"]
    skills = {a.agent_id: a.skills for a in agents} | {"Z999": ("presale_chat",)}
    for agent_id in ids:
        p_work = float(rng.uniform(0.4, 0.95))
        for d in range(n_days):
            day = first_day + timedelta(days=d)
            midnight = _midnight(day)
            if rng.random() > p_work:
                rows.append(
                    [agent_id, agent_id, str(day), stamp(midnight), stamp(midnight + timedelta(days=1)), "off", ""]
                )
                if rng.random() < 0.01:  # training on a day off
                    lo = midnight + timedelta(hours=10)
                    rows.append(
                        [
                            agent_id,
                            agent_id,
                            str(day),
                            stamp(lo),
                            stamp(lo + timedelta(hours=2)),
                            "training",
                            "onboarding",
                        ]
                    )
                continue
            template = shifts[int(rng.integers(len(shifts)))]
            queue = str(rng.choice(skills[agent_id])) if rng.random() > 0.03 else "complaints_phone"
            start = midnight + timedelta(minutes=template.start_minute)
            if rng.random() < 0.03:
                start += timedelta(minutes=int(rng.choice([-10, 5, 30])))
            day_rows = shift_rows(agent_id, day, start, template, queue, rng)
            fault = rng.random()
            if fault < 0.03:  # a row overlapping the previous ones
                lo = start + timedelta(minutes=15 * int(rng.integers(1, 20)))
                day_rows.append(
                    [agent_id, agent_id, str(day), stamp(lo), stamp(lo + timedelta(minutes=45)), "work", queue]
                )
            elif fault < 0.05 and len(day_rows) > 2:  # a gap splits the shift
                del day_rows[int(rng.integers(1, len(day_rows) - 1))]
            elif fault < 0.07:  # a second shift late that day
                lo = midnight + timedelta(hours=int(rng.integers(18, 23)))
                day_rows.append(
                    [agent_id, agent_id, str(day), stamp(lo), stamp(lo + timedelta(hours=3)), "work", queue]
                )
            elif fault < 0.09:  # a second queue
                day_rows[-1][6] = str(rng.choice(["presale_chat", "aftersale_chat", "complaints_phone"]))
            elif fault < 0.1:  # training outside the shift, before it
                lo = midnight + timedelta(hours=1)
                day_rows.append(
                    [agent_id, agent_id, str(day), stamp(lo), stamp(lo + timedelta(hours=2)), "training", "onboarding"]
                )
            elif fault < 0.11:  # a break off the grid
                lo = start + timedelta(minutes=100)
                day_rows.append(
                    [agent_id, agent_id, str(day), stamp(lo), stamp(lo + timedelta(minutes=7)), "break", ""]
                )
            rows.extend(day_rows)
    order = rng.permutation(len(rows))
    return pd.DataFrame([rows[i] for i in order], columns=COLUMNS)


def varied_agents(agents: tuple[Agent, ...], shifts, rng) -> tuple[Agent, ...]:
    """The synthetic agents with per-agent sequence and horizon limits on some of them."""
    out = []
    for i, a in enumerate(agents):
        kind = i % 7
        if kind == 1:
            a = replace(a, max_shifts=((shifts[1].name, 0), (shifts[2].name, 1)), max_weekends=2)
        elif kind == 2:
            a = replace(a, rotation=("early", "late"), min_consecutive_days=3)
        elif kind == 3:
            a = replace(a, min_total_minutes=6000, max_total_minutes=9000, max_consecutive_days=4)
        elif kind == 4:
            a = replace(a, min_consecutive_days_off=2, new_hire=True, max_days_week=None)
        elif kind == 5:
            a = replace(a, earliest_start_minute=20 * 60, latest_end_minute=7 * 60)  # nights: end next day
        out.append(a)
    return tuple(out)


def mid_size_case(seed: int, n_agents: int = 200, n_days: int = 28):
    inst = synthetic_instance(n_agents, n_days, seed=seed)
    rng = np.random.default_rng(seed)
    shifts = tuple(
        replace(t, not_followed_by=frozenset({inst.shifts[0].name}) if i % 5 == 1 else t.not_followed_by,
                weekdays=frozenset(range(6)) if i % 9 == 3 else t.weekdays)
        for i, t in enumerate(inst.shifts)
    )  # fmt: skip
    agents = varied_agents(inst.agents, shifts, rng)
    time_off = (
        *inst.time_off,
        *(TimeOff(a.agent_id, inst.start + timedelta(days=3), 10 * 60, 14 * 60) for a in agents[::13]),
    )
    config = Config(
        RuleSettings(
            min_consecutive_days=2,
            max_weekends_per_4_weeks=3,
            forbidden_successions=(f"{shifts[-1].name}>{shifts[1].name}",),
            forward_rotation=seed % 2 == 0,
            max_consecutive_queue_days=3,
        ),
        breaks=BREAKS,
    )
    frame = random_roster(agents, shifts, inst.start, n_days, rng)
    return frame, agents, shifts, time_off, config, inst.start, n_days


def both(frame: pd.DataFrame, agents, shifts, time_off, config, **kwargs) -> tuple[list[Violation], list[Violation]]:
    parsed = parse_roster(frame)
    fast = check_roster(parsed, agents, shifts, time_off, config, **kwargs)
    reference = old_check_roster(parsed, agents, shifts, time_off, config, **kwargs)
    return fast, reference


def test_mid_size_rosters_get_the_reference_verdict() -> None:
    for seed in (1, 2):
        frame, agents, shifts, time_off, config, first, n_days = mid_size_case(seed)
        fast, reference = both(
            frame, agents, shifts, time_off, config, first_day=first, n_days=n_days, training=TRAINING
        )
        assert fast == reference
        rules = {v.rule for v in reference}
        assert {  # the injected faults are there to be found
            "overlapping_rows",
            "one_shift_per_day",
            "minimum_rest",
            "max_consecutive_days",
            "days_off_per_week",
            "weekly_hours",
            "time_off",
            "unknown_agent",
            "shift_template",
            "skills",
            "one_queue_per_shift",
            "min_consecutive_days",
            "min_consecutive_days_off",
            "max_weekends",
            "total_minutes",
            "max_shifts_per_template",
            "forbidden_successions",
            "queue_rotation",
            "rotation_pattern",
            "availability",
            "break_rule",
            "break_gap",
            "break_cap",
            "training_inside_shift",
            "training_window",
        } <= rules, rules


def test_verdict_without_breaks_training_or_given_horizon() -> None:
    frame, agents, shifts, time_off, _config, _first, _days = mid_size_case(3, n_agents=60, n_days=17)
    fast, reference = both(frame, agents, shifts, time_off, Config(RuleSettings(min_rest_hours=12)))
    assert fast == reference
    assert len(reference) > 100


# ---------------------------------------------------------------- small random rosters, any rows at all

SMALL_SHIFTS = (
    ShiftTemplate("E0600", 6 * 60, 480, category="early"),
    ShiftTemplate("D0900", 9 * 60, 540, lunch_minutes=60, category="day", weekdays=frozenset(range(5))),
    ShiftTemplate("L1500", 15 * 60, 480, category="late", not_followed_by=frozenset({"E0600"})),
    ShiftTemplate("N2200", 22 * 60, 480, category="night"),
    ShiftTemplate("A0900", 9 * 60, 540, lunch_minutes=60, category="day"),
)
SMALL_AGENTS = (
    Agent("A0", "A0", ("chat",), min_hours_week=8, max_hours_week=24, max_shifts=(("E0600", 1),)),
    Agent("A1", "A1", ("chat", "phone"), earliest_start_minute=7 * 60, rotation=("day", "late"), max_weekends=1),
    Agent("A2", "A2", ("phone",), min_total_minutes=600, max_total_minutes=1500, max_consecutive_days=2),
)
MONDAY = date(2026, 11, 2)


@st.composite
def small_rosters(draw: st.DrawFn):
    """Rows of 3 agents (and one unknown) over up to 9 days: random starts, lengths and activities, with seconds or
    nanoseconds now and then; plus the rules and whether the horizon is given."""
    n_days = draw(st.integers(1, 9))
    rows = []
    for _ in range(draw(st.integers(0, 30))):
        agent_id = draw(st.sampled_from(["A0", "A1", "A2", "X9"]))
        d = draw(st.integers(0, n_days - 1))
        day = MONDAY + timedelta(days=d)
        start = _midnight(day) + timedelta(minutes=draw(st.integers(0, 95)) * 15 + draw(st.sampled_from([0, 0, 0, 5])))
        length = timedelta(minutes=draw(st.sampled_from([15, 30, 60, 120, 240, 480, 540])))
        tail = draw(st.sampled_from(["", "", "", ":30", ":00.000000001"]))
        activity = draw(st.sampled_from(["work", "work", "work", "break", "lunch", "training", "off"]))
        queue = draw(st.sampled_from(["chat", "phone", "onboarding"])) if activity in ("work", "training") else ""
        rows.append([agent_id, agent_id, str(day), stamp(start) + tail, stamp(start + length), activity, queue])
        if draw(st.booleans()):  # shifts of templates, so that the sequence rules have something to look at
            template = draw(st.sampled_from(SMALL_SHIFTS))
            lo = _midnight(day) + timedelta(minutes=template.start_minute)
            hi = lo + timedelta(minutes=template.length_minutes)
            q = draw(st.sampled_from(["chat", "phone"]))
            if template.lunch_minutes:
                mid = lo + timedelta(minutes=template.lunch_offset_minutes(15))
                after = mid + timedelta(minutes=template.lunch_minutes)
                rows += [
                    [agent_id, agent_id, str(day), stamp(lo), stamp(mid), "work", q],
                    [agent_id, agent_id, str(day), stamp(mid), stamp(after), "lunch", ""],
                    [agent_id, agent_id, str(day), stamp(after), stamp(hi), "work", q],
                ]
            else:
                rows.append([agent_id, agent_id, str(day), stamp(lo), stamp(hi), "work", q])
    if not rows:
        rows.append(
            ["A0", "A0", str(MONDAY), stamp(_midnight(MONDAY)), stamp(_midnight(MONDAY) + timedelta(days=1)), "off", ""]
        )
    frame = pd.DataFrame(rows, columns=COLUMNS)
    config = Config(
        RuleSettings(
            min_rest_hours=draw(st.sampled_from([8, 11])),
            max_consecutive_days=draw(st.integers(2, 6)),
            interval_minutes=15,
            min_consecutive_days=draw(st.integers(1, 3)),
            min_consecutive_days_off=draw(st.integers(1, 2)),
            max_weekends_per_4_weeks=draw(st.integers(0, 2)),
            forbidden_successions=draw(st.sampled_from([(), ("N2200>D0900",)])),
            forward_rotation=draw(st.booleans()),
            max_consecutive_queue_days=draw(st.integers(0, 2)),
        ),
        breaks=draw(st.sampled_from([BreakSettings(), BREAKS, BreakSettings(cap=BreakCap(default=0.0, min_agents=0))])),
    )
    time_off = tuple(
        draw(
            st.lists(st.builds(TimeOff, st.sampled_from(["A0", "A1"]), st.just(MONDAY + timedelta(days=1))), max_size=1)
        )
    )
    horizon = draw(st.sampled_from([{}, {"first_day": MONDAY, "n_days": n_days}]))
    training = draw(st.sampled_from([(), TRAINING]))
    return frame, config, time_off, horizon, training


@pytest.mark.filterwarnings("ignore:Discarding nonzero nanoseconds")  # the reference's per-row conversion
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_rosters())
def test_small_random_rosters_get_the_reference_verdict(case) -> None:
    frame, config, time_off, horizon, training = case
    fast, reference = both(frame, SMALL_AGENTS, SMALL_SHIFTS, time_off, config, training=training, **horizon)
    assert fast == reference
