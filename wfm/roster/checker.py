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
from functools import cached_property
from itertools import pairwise
from pathlib import Path

import numpy as np
import pandas as pd

from forecasting.csv_input import overnight_ends
from wfm.csvio import FIRST_DATA_ROW, read_table, timestamp_column
from wfm.errors import InputError
from wfm.roster.activity_checks import check_activities
from wfm.roster.domain import Agent, Config, ShiftTemplate, TimeOff

ROSTER_COLUMNS = ("agent_id", "name", "date", "start", "end", "activity", "queue")
ACTIVITIES = {"work", "break", "lunch", "training", "reassign", "off"}  # reassign: intraday, on another queue


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

    @cached_property
    def by_agent(self) -> dict[str, list[Block]]:
        """The first blocks grouped by agent, in the order of `blocks` (by date when made by blocks_from_rows)."""
        return _by_agent(self.blocks)

    @cached_property
    def all_by_agent(self) -> dict[str, list[Block]]:
        """Every block (first and further ones of a date) grouped by agent: an agent's first blocks, then its others."""
        return _by_agent(self.blocks + self.extra_blocks)

    @cached_property
    def template_keys(self) -> frozenset[tuple[int, int, int, int]]:
        """(start minute, length, lunch, weekday) of every template and weekday it is allowed on."""
        return frozenset(
            (t.start_minute, t.length_minutes, t.lunch_minutes, weekday) for t in self.shifts for weekday in t.weekdays
        )

    @cached_property
    def template_by_shape(self) -> dict[tuple[int, int, int], ShiftTemplate]:
        """(start minute, length, lunch) → the template with that shape (the first by name when several have it)."""
        found: dict[tuple[int, int, int], ShiftTemplate] = {}
        for t in self.shifts:
            key = (t.start_minute, t.length_minutes, t.lunch_minutes)
            if key not in found or t.name < found[key].name:
                found[key] = t
        return found


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
    days = timestamp_column(frame, "date", file)
    frame["date"] = days.dt.date
    frame["start"] = timestamp_column(frame, "start", file, dates=days)
    end = timestamp_column(frame, "end", file, dates=days)
    frame["end"] = overnight_ends(frame["start"], end, frame["end"])
    backwards = frame["end"] <= frame["start"]
    if backwards.any():
        row = int(backwards.to_numpy().nonzero()[0][0])
        raise InputError("end is not after start", file=file, row=row + FIRST_DATA_ROW, column="end")
    frame["queue"] = frame["queue"].astype(str).str.strip()
    return frame


def blocks_from_rows(frame: pd.DataFrame) -> tuple[list[Block], list[Block], list[Violation]]:
    """(first block per agent and date, further blocks, overlapping-row violations).

    The non-off rows sorted by agent, date and start: a block begins where the agent or the date changes or a row
    starts after the previous row's end; a row starting before the previous row's end overlaps it."""
    worked = frame[frame["activity"] != "off"].sort_values(["agent_id", "date", "start"])
    if worked.empty:
        return [], [], []
    agent_ids = worked["agent_id"].to_numpy(dtype=object)
    days = worked["date"].to_numpy(dtype=object)
    activity = worked["activity"].to_numpy(dtype=object)
    start_ns = worked["start"].to_numpy().astype("datetime64[ns]").view(np.int64)
    end_ns = worked["end"].to_numpy().astype("datetime64[ns]").view(np.int64)
    new_day = np.ones(len(worked), dtype=bool)
    new_day[1:] = (agent_ids[1:] != agent_ids[:-1]) | (days[1:] != days[:-1])
    previous_end = np.roll(end_ns, 1)
    begins = new_day | (start_ns > previous_end)
    first_rows = np.flatnonzero(begins)
    block_of_row = np.cumsum(begins) - 1
    lunch_minutes = np.add.reduceat(np.where(activity == "lunch", (end_ns - start_ns) // 60_000_000_000, 0), first_rows)
    queues: list[set[str]] = [set() for _ in range(len(first_rows))]
    is_work = activity == "work"
    work_queues = worked["queue"].to_numpy(dtype=object)[is_work]
    for block, queue in zip(block_of_row[is_work].tolist(), work_queues, strict=True):
        queues[block].add(queue)
    starts = _datetimes(worked["start"].iloc[first_rows])
    ends = _datetimes(pd.Series(np.maximum.reduceat(worked["end"].to_numpy(), first_rows)))
    firsts, extras = [], []
    for i, row in enumerate(first_rows.tolist()):
        block = Block(agent_ids[row], days[row], starts[i], ends[i], int(lunch_minutes[i]), frozenset(queues[i]))
        (firsts if new_day[row] else extras).append(block)
    problems = [
        Violation("overlapping_rows", agent_ids[row], days[row], f"rows overlap at {worked['start'].iloc[row]}")
        for row in np.flatnonzero(~new_day & (start_ns < previous_end)).tolist()
    ]
    return firsts, extras, problems


def _datetimes(values: pd.Series) -> list[datetime]:
    """Python datetimes (quick arithmetic in the checks), or pandas Timestamps when a value has nanoseconds that a
    datetime would drop."""
    nanoseconds = values.to_numpy().astype("datetime64[ns]").view(np.int64)
    if (nanoseconds % 1000 == 0).all():
        return pd.DatetimeIndex(values).to_pydatetime().tolist()
    return values.tolist()


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
        if (start, length, b.lunch_minutes, b.day.weekday()) not in x.template_keys:
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
    for agent_id, blocks in x.all_by_agent.items():
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
    for agent_id, blocks in x.by_agent.items():
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
    """No run of working dates longer than max_consecutive_days (the agent's own limit, else the rules')."""
    out = []
    for agent_id, blocks in x.by_agent.items():
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


def check_weekly_hours(x: CheckInput) -> list[Violation]:
    """Paid hours per week within the contract; the minimum is pro rata to days in the roster and not on leave."""
    out = []
    leave = {(t.agent_id, t.day) for t in x.time_off if t.start_minute is None}
    for agent_id, agent in x.agents.items():
        for week, days_in_week, week_blocks in _weeks(x, x.by_agent.get(agent_id, [])):
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
        for b in x.by_agent.get(off.agent_id, []):
            if b.start < hi and lo < b.end:
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
    n_weeks = math.ceil(x.n_days / 7)
    in_week: list[list[Block]] = [[] for _ in range(n_weeks)]
    for b in blocks:
        week = (b.day - x.first_day).days // 7
        if 0 <= week < n_weeks:
            in_week[week].append(b)
    return [(week, min(7, x.n_days - 7 * week), in_week[week]) for week in range(n_weeks)]


def _runs(x: CheckInput, worked: set[date]) -> list[tuple[bool, date, int, bool]]:
    """(working?, first date, length, touches the roster's first or last date) of every run of the horizon."""
    runs: list[tuple[bool, date, int, bool]] = []
    days = [x.first_day + timedelta(days=i) for i in range(x.n_days)]
    i = 0
    while i < len(days):
        j = i
        while j < len(days) and (days[j] in worked) == (days[i] in worked):
            j += 1
        runs.append((days[i] in worked, days[i], j - i, i == 0 or j == len(days)))
        i = j
    return runs


def _own(agent: Agent | None, field_name: str, default: int) -> int:
    """The agent's own limit when set, else the rules' default."""
    value = getattr(agent, field_name, None) if agent is not None else None
    return default if value is None else value


def check_min_consecutive_runs(x: CheckInput) -> list[Violation]:
    """Runs of working days and of days off at least their minimum (runs at the horizon's ends are exempt)."""
    rules = x.config.rules
    out = []
    for agent_id, agent in x.agents.items():
        worked = {b.day for b in x.by_agent.get(agent_id, [])}
        least_on = _own(agent, "min_consecutive_days", rules.min_consecutive_days)
        least_off = _own(agent, "min_consecutive_days_off", rules.min_consecutive_days_off)
        for working, first, length, at_edge in _runs(x, worked):
            least = least_on if working else least_off
            if length < least and not at_edge:
                rule = "min_consecutive_days" if working else "min_consecutive_days_off"
                what = "working days" if working else "days off"
                out.append(Violation(rule, agent_id, first, f"only {length} {what} in a row, at least {least}"))
    return out


def check_max_weekends(x: CheckInput) -> list[Violation]:
    """Weekends with a Saturday or Sunday worked: at most max_weekends over the roster and at most
    max_weekends_per_4_weeks in any four weekends in a row."""
    horizon = [x.first_day + timedelta(days=i) for i in range(x.n_days)]
    mondays = sorted({d - timedelta(days=d.weekday()) for d in horizon if d.weekday() >= 5})
    per_4 = x.config.rules.max_weekends_per_4_weeks
    out = []
    for agent_id, blocks in x.by_agent.items():
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


def check_total_minutes(x: CheckInput) -> list[Violation]:
    """Paid minutes over the whole roster within the agent's min_total_minutes and max_total_minutes."""
    out = []
    for agent_id, agent in x.agents.items():
        if agent.min_total_minutes is None and agent.max_total_minutes is None:
            continue
        paid = sum(_minutes(b.end - b.start) - b.lunch_minutes for b in x.by_agent.get(agent_id, []))
        low = agent.min_total_minutes or 0
        high = agent.max_total_minutes if agent.max_total_minutes is not None else math.inf
        if not low <= paid <= high:
            out.append(Violation("total_minutes", agent_id, None, f"{paid} paid minutes, expected {low}–{high}"))
    return out


def _template_name(x: CheckInput, b: Block) -> ShiftTemplate | None:
    """The template a block matches by start, length and lunch (the first by name when several do)."""
    return x.template_by_shape.get((_minutes(b.start - _midnight(b.day)), _minutes(b.end - b.start), b.lunch_minutes))


def check_max_shifts_per_template(x: CheckInput) -> list[Violation]:
    """At most the agent's max_shifts of each named template over the roster."""
    out = []
    for agent_id, blocks in x.by_agent.items():
        agent = x.agents.get(agent_id)
        if agent is None or not agent.max_shifts:
            continue
        counts: dict[str, int] = defaultdict(int)
        for b in blocks:
            template = _template_name(x, b)
            if template is not None:
                counts[template.name] += 1
        for name, most in agent.max_shifts:
            if counts[name] > most:
                out.append(
                    Violation("max_shifts_per_template", agent_id, None, f"{counts[name]} × {name}, at most {most}")
                )
    return out


def check_forbidden_successions(x: CheckInput) -> list[Violation]:
    """No template the day after one it may not follow (not_followed_by, [rules] pairs, forward rotation)."""
    pairs = {tuple(p.strip() for p in text.split(">", 1)) for text in x.config.rules.forbidden_successions}
    out = []
    for agent_id, blocks in x.by_agent.items():
        ordered = sorted(blocks, key=lambda b: b.day)
        for prev, nxt in pairwise(ordered):
            if (nxt.day - prev.day).days != 1:
                continue
            first, second = _template_name(x, prev), _template_name(x, nxt)
            if first is None or second is None:
                continue
            earlier = x.config.rules.forward_rotation and second.start_minute < first.start_minute
            if second.name in first.not_followed_by or (first.name, second.name) in pairs or earlier:
                out.append(
                    Violation("forbidden_successions", agent_id, nxt.day, f"{second.name} the day after {first.name}")
                )
    return out


def check_queue_rotation(x: CheckInput) -> list[Violation]:
    """A multi-skilled agent works at most max_consecutive_queue_days days in a row on one queue."""
    limit = x.config.rules.max_consecutive_queue_days
    if limit <= 0:
        return []
    out = []
    for agent_id, blocks in x.by_agent.items():
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


def check_rotation_pattern(x: CheckInput) -> list[Violation]:
    """Agents with a fixed weekly rotation work only shifts of that week's category."""
    out = []
    for b in x.blocks:
        agent = x.agents.get(b.agent_id)
        if agent is None or not agent.rotation:
            continue
        wanted = agent.rotation[((b.day - x.first_day).days // 7) % len(agent.rotation)]
        template = _template_name(x, b)
        if template is not None and template.category != wanted:
            out.append(Violation("rotation_pattern", b.agent_id, b.day, f"{template.name} in a {wanted} week"))
    return out


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
    check_min_consecutive_runs,
    check_max_weekends,
    check_total_minutes,
    check_max_shifts_per_template,
    check_forbidden_successions,
    check_queue_rotation,
    check_rotation_pattern,
]


def check_roster(
    frame: pd.DataFrame,
    agents: tuple[Agent, ...],
    shifts: tuple[ShiftTemplate, ...],
    time_off: tuple[TimeOff, ...],
    config: Config,
    *,
    first_day: date | None = None,
    n_days: int | None = None,
    training: tuple = (),
) -> list[Violation]:
    """Every hard-rule violation in a roster frame (as returned by read_roster); the horizon is the frame's dates
    unless given (a roster that lists only worked days needs it for the rules on runs and weekends)."""
    blocks, extras, problems = blocks_from_rows(frame)
    first = first_day if first_day is not None else min(frame["date"])
    days = n_days if n_days is not None else (max(frame["date"]) - first).days + 1
    x = CheckInput(blocks, extras, {a.agent_id: a for a in agents}, shifts, time_off, config, first, days)
    for check in CHECKS:
        problems.extend(check(x))
    problems.extend(check_activities(frame, x, training))  # breaks, lunches, break cap, training sessions
    return problems
