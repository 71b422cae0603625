"""An independent roster checker: it re-derives shifts from the rows of a roster file and tests every hard rule.

It shares no rule code with the model (only the input readers): a bug in one is caught by the other.
Weeks are 7-day blocks counted from the first date in the roster.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pandas as pd

from wfm.csvio import FIRST_DATA_ROW, read_table, timestamp_column
from wfm.errors import InputError
from wfm.roster.domain import Agent, Config, ShiftTemplate, TimeOff

ROSTER_COLUMNS = ("agent_id", "name", "date", "start", "end", "activity", "queue")
ACTIVITIES = {"work", "break", "lunch", "training", "off"}


@dataclass(frozen=True)
class Violation:
    """One broken hard rule: the rule's name, the agent, the date (if any) and what is wrong."""

    rule: str
    agent_id: str
    day: date | None
    message: str


@dataclass(frozen=True)
class Block:
    """One worked shift as found in the rows: contiguous non-off rows of an agent on a date."""

    agent_id: str
    day: date
    start: datetime
    end: datetime
    lunch_minutes: int
    queues: frozenset[str]


@dataclass(frozen=True, eq=False)
class CheckInput:
    """Everything a check looks at."""

    blocks: list[Block]
    extra_blocks: list[Block]  # second and later blocks on the same date
    agents: dict[str, Agent]
    shifts: tuple[ShiftTemplate, ...]
    time_off: tuple[TimeOff, ...]
    config: Config
    first_day: date
    n_days: int


def read_roster(path: str | Path) -> pd.DataFrame:
    """A roster file (export contract) with parsed `date`, `start`, `end`; bad cells are InputErrors."""
    file = Path(path)
    return parse_roster(read_table(file, ROSTER_COLUMNS), file)


def parse_roster(frame: pd.DataFrame, file: str | Path = "roster") -> pd.DataFrame:
    """Roster rows as text (export contract) → typed rows for the checks; bad cells are InputErrors."""
    frame = frame.astype(str).copy()
    for column in ("agent_id", "activity"):
        frame[column] = frame[column].astype(str).str.strip()
    bad = ~frame["activity"].isin(ACTIVITIES)
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        raise InputError(
            f'"{frame["activity"].iat[row]}" is not an activity: expected one of {", ".join(sorted(ACTIVITIES))}',
            file=file,
            row=row + FIRST_DATA_ROW,
            column="activity",
        )
    frame["date"] = timestamp_column(frame, "date", file).dt.date
    frame["start"] = timestamp_column(frame, "start", file)
    frame["end"] = timestamp_column(frame, "end", file)
    backwards = frame["end"] <= frame["start"]
    if backwards.any():
        row = int(backwards.to_numpy().nonzero()[0][0])
        raise InputError("end is not after start", file=file, row=row + FIRST_DATA_ROW, column="end")
    frame["queue"] = frame["queue"].astype(str).str.strip()
    return frame


def blocks_from_rows(frame: pd.DataFrame) -> tuple[list[Block], list[Block], list[Violation]]:
    """(first block per agent and date, further blocks, overlapping-row violations)."""
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
        made = [_block(agent_id, day, rows_) for rows_ in day_blocks]
        firsts.append(made[0])
        extras.extend(made[1:])
    return firsts, extras, problems


def _block(agent_id: str, day: date, rows: list) -> Block:
    """A block from its rows."""
    lunch = sum(int((r.end - r.start).total_seconds() // 60) for r in rows if r.activity == "lunch")
    queues = frozenset(r.queue for r in rows if r.activity == "work")
    return Block(agent_id, day, rows[0].start, max(r.end for r in rows), lunch, queues)


def _midnight(day: date) -> datetime:
    """Start of a date."""
    return datetime.combine(day, datetime.min.time())


def _minutes(delta: timedelta) -> int:
    """Whole minutes of a duration."""
    return int(delta.total_seconds() // 60)


def check_unknown_agent(x: CheckInput) -> list[Violation]:
    """Every worked agent is in the agents file."""
    return [
        Violation("unknown_agent", b.agent_id, b.day, "agent not in the agents file")
        for b in x.blocks
        if b.agent_id not in x.agents
    ]


def check_one_shift_per_day(x: CheckInput) -> list[Violation]:
    """At most one shift per agent per date."""
    return [
        Violation("one_shift_per_day", b.agent_id, b.day, f"a second shift starts at {b.start:%H:%M}")
        for b in x.extra_blocks
    ]


def check_shift_template(x: CheckInput) -> list[Violation]:
    """Each shift matches a template (start, length, lunch) allowed on its weekday."""
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


def check_minimum_rest(x: CheckInput) -> list[Violation]:
    """At least min_rest_hours between consecutive shifts of an agent."""
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


def check_days_off_per_week(x: CheckInput) -> list[Violation]:
    """Working days per week at most 7 − days_off_per_week and the agent's max_days_week."""
    out = []
    for agent_id, blocks in _by_agent(x.blocks).items():
        agent = x.agents.get(agent_id)
        for week, days_in_week, week_blocks in _weeks(x, blocks):
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


def check_max_consecutive_days(x: CheckInput) -> list[Violation]:
    """No run of working dates longer than max_consecutive_days."""
    limit = x.config.rules.max_consecutive_days
    out = []
    for agent_id, blocks in _by_agent(x.blocks).items():
        days = sorted(b.day for b in blocks)
        run = 1
        for prev, nxt in pairwise(days):
            run = run + 1 if (nxt - prev).days == 1 else 1
            if run == limit + 1:
                out.append(Violation("max_consecutive_days", agent_id, nxt, f"more than {limit} days in a row"))
    return out


def check_weekly_hours(x: CheckInput) -> list[Violation]:
    """Paid hours per week within the contract; the minimum is pro rata to days in the roster and not on leave."""
    out = []
    leave = {(t.agent_id, t.day) for t in x.time_off if t.start_minute is None}
    for agent_id, agent in x.agents.items():
        blocks = [b for b in x.blocks if b.agent_id == agent_id]
        for week, days_in_week, week_blocks in _weeks(x, blocks):
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


def check_availability(x: CheckInput) -> list[Violation]:
    """Shifts start no earlier than earliest_start and end no later than latest_end."""
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


def check_time_off(x: CheckInput) -> list[Violation]:
    """No shift overlaps the agent's time off."""
    out = []
    for off in x.time_off:
        lo = _midnight(off.day) + timedelta(minutes=off.start_minute or 0)
        hi = _midnight(off.day) + timedelta(minutes=off.end_minute if off.end_minute is not None else 1440)
        for b in x.blocks:
            if b.agent_id == off.agent_id and b.start < hi and lo < b.end:
                out.append(Violation("time_off", b.agent_id, b.day, f"shift overlaps time off on {off.day}"))
    return out


def check_skills(x: CheckInput) -> list[Violation]:
    """Work rows name a queue in the agent's skills, and one queue per shift."""
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


def _by_agent(blocks: list[Block]) -> dict[str, list[Block]]:
    """Blocks grouped by agent id."""
    grouped: dict[str, list[Block]] = defaultdict(list)
    for b in blocks:
        grouped[b.agent_id].append(b)
    return grouped


def _weeks(x: CheckInput, blocks: list[Block]) -> list[tuple[int, int, list[Block]]]:
    """(week index, days of that week inside the roster, blocks starting in it) for every week."""
    weeks = []
    for week in range(math.ceil(x.n_days / 7)):
        days_in_week = min(7, x.n_days - 7 * week)
        weeks.append((week, days_in_week, [b for b in blocks if (b.day - x.first_day).days // 7 == week]))
    return weeks


CHECKS: list[Callable[[CheckInput], list[Violation]]] = [
    check_unknown_agent,
    check_one_shift_per_day,
    check_shift_template,
    check_minimum_rest,
    check_days_off_per_week,
    check_max_consecutive_days,
    check_weekly_hours,
    check_availability,
    check_time_off,
    check_skills,
]


def check_roster(
    frame: pd.DataFrame,
    agents: tuple[Agent, ...],
    shifts: tuple[ShiftTemplate, ...],
    time_off: tuple[TimeOff, ...],
    config: Config,
) -> list[Violation]:
    """Every hard-rule violation in a roster frame (as returned by read_roster)."""
    blocks, extras, problems = blocks_from_rows(frame)
    first, last = min(frame["date"]), max(frame["date"])
    x = CheckInput(
        blocks, extras, {a.agent_id: a for a in agents}, shifts, time_off, config, first, (last - first).days + 1
    )
    for check in CHECKS:
        problems.extend(check(x))
    return problems
