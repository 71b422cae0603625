"""The Curtois–Qu shift scheduling benchmark: read an instance file, map it onto the roster engine, score rosters.

The mapping keeps the benchmark's rules literal: every staff limit becomes an agent column of the engine, each
shift type a template (all on one queue, starts staggered by 15 minutes so no two overlap the next day), cover a
shift-form demand, requests the engine's shift requests. The objective is recomputed here from the raw instance,
independently of the engine's penalty report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from forecasting.csv_input import read_text
from wfm.errors import InputError
from wfm.roster.domain import (
    Agent,
    Config,
    Instance,
    RuleSettings,
    ShiftDemand,
    ShiftRequest,
    ShiftTemplate,
    TimeOff,
    Weights,
)

SECTIONS = (
    "SECTION_HORIZON",
    "SECTION_SHIFTS",
    "SECTION_STAFF",
    "SECTION_DAYS_OFF",
    "SECTION_SHIFT_ON_REQUESTS",
    "SECTION_SHIFT_OFF_REQUESTS",
    "SECTION_COVER",
)
FIRST_MONDAY = date(2024, 1, 1)  # the benchmark's day 0 is a Monday
QUEUE = "cover"
START_STEP_MINUTES = 15
ROSTER_COLUMNS = ("employee", "day", "shift")


@dataclass(frozen=True)
class CurtoisShift:
    """A shift type: id, length in minutes, ids of shift types that may not follow it the next day."""

    shift_id: str
    minutes: int
    not_followed_by: tuple[str, ...]


@dataclass(frozen=True)
class CurtoisStaff:
    """One employee's hard limits as the file states them."""

    staff_id: str
    max_shifts: dict[str, int]
    max_total_minutes: int
    min_total_minutes: int
    max_consecutive_shifts: int
    min_consecutive_shifts: int
    min_consecutive_days_off: int
    max_weekends: int


@dataclass(frozen=True)
class CurtoisRequest:
    """A shift-on or shift-off request: employee, day index, shift id, weight."""

    staff_id: str
    day: int
    shift_id: str
    weight: int


@dataclass(frozen=True)
class CurtoisCover:
    """Cover of one day and shift: requirement, weight per staff short, weight per staff extra."""

    day: int
    shift_id: str
    requirement: int
    weight_under: int
    weight_over: int


@dataclass(frozen=True)
class CurtoisInstance:
    """A whole benchmark instance."""

    name: str
    days: int
    shifts: tuple[CurtoisShift, ...]
    staff: tuple[CurtoisStaff, ...]
    days_off: dict[str, tuple[int, ...]]
    on_requests: tuple[CurtoisRequest, ...]
    off_requests: tuple[CurtoisRequest, ...]
    cover: tuple[CurtoisCover, ...]


class _Lines:
    """The data lines of each section with their 1-based line numbers (comments and blank lines dropped)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        text = read_text(path).lstrip("\ufeff")
        self.sections: dict[str, list[tuple[int, str]]] = {}
        current: str | None = None
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("SECTION_"):
                if line not in SECTIONS:
                    self.fail(f'unknown section "{line}": expected one of {", ".join(SECTIONS)}', number, line)
                current = line
                self.sections.setdefault(current, [])
                continue
            if current is None:
                self.fail("data before the first SECTION_ line", number, "-")
            self.sections[current].append((number, line))
        for section in ("SECTION_HORIZON", "SECTION_SHIFTS", "SECTION_STAFF", "SECTION_COVER"):
            if section not in self.sections:
                raise InputError(f"missing {section}", file=path)

    def fail(self, message: str, line: int, section: str) -> None:
        """Raise an InputError naming the file, line and section."""
        raise InputError(f"line {line} ({section}): {message}", file=self.path)

    def fields(self, section: str, count: int) -> list[tuple[int, list[str]]]:
        """The comma-separated fields of each line of a section, checking their number."""
        out = []
        for number, line in self.sections.get(section, []):
            parts = [p.strip() for p in line.split(",")]
            if len(parts) != count:
                self.fail(f"expected {count} comma-separated fields, found {len(parts)}", number, section)
            out.append((number, parts))
        return out

    def integer(self, text: str, line: int, section: str, what: str) -> int:
        """A whole number ≥ 0 (a signed zero such as "-0", which the published Instance15 has, reads as 0)."""
        digits = text[1:] if text[:1] in "+-" else text
        if not (digits.isascii() and digits.isdigit()) or (text[:1] == "-" and int(digits) != 0):
            self.fail(f'"{text}" is not a whole number ≥ 0 ({what})', line, section)
        return int(digits)


def read_curtois(path: str | Path) -> CurtoisInstance:
    """Parse an instance file; malformed content raises an InputError naming the section and line."""
    file = Path(path)
    lines = _Lines(file)
    horizon = lines.sections["SECTION_HORIZON"]
    if len(horizon) != 1:
        lines.fail("expected one line with the horizon length in days", horizon[-1][0] if horizon else 1, "-")
    days = lines.integer(horizon[0][1], horizon[0][0], "SECTION_HORIZON", "horizon days")
    if days < 1:
        lines.fail("the horizon must be at least one day", horizon[0][0], "SECTION_HORIZON")
    shifts = []
    for number, (sid, minutes, forbidden) in lines.fields("SECTION_SHIFTS", 3):
        length = lines.integer(minutes, number, "SECTION_SHIFTS", "shift length in minutes")
        if not 0 < length <= 1440:
            lines.fail(f"shift length {length} is outside 1–1440 minutes", number, "SECTION_SHIFTS")
        shifts.append(CurtoisShift(sid, length, tuple(p for p in forbidden.split("|") if p)))
    ids = {s.shift_id for s in shifts}
    for shift in shifts:
        for other in shift.not_followed_by:
            if other not in ids:
                lines.fail(f'unknown shift "{other}" in the successions of {shift.shift_id}', 0, "SECTION_SHIFTS")
    staff = [_staff(lines, number, parts, ids, days) for number, parts in lines.fields("SECTION_STAFF", 8)]
    staff_ids = {s.staff_id for s in staff}
    days_off: dict[str, tuple[int, ...]] = {}
    for number, line in lines.sections.get("SECTION_DAYS_OFF", []):
        parts = [p.strip() for p in line.split(",")]
        if parts[0] not in staff_ids:
            lines.fail(f'unknown employee "{parts[0]}"', number, "SECTION_DAYS_OFF")
        offs = tuple(lines.integer(p, number, "SECTION_DAYS_OFF", "day index") for p in parts[1:] if p)
        if any(d >= days for d in offs):
            lines.fail(f"a day index is beyond the {days}-day horizon", number, "SECTION_DAYS_OFF")
        days_off[parts[0]] = offs
    on = _requests(lines, "SECTION_SHIFT_ON_REQUESTS", staff_ids, ids, days)
    off = _requests(lines, "SECTION_SHIFT_OFF_REQUESTS", staff_ids, ids, days)
    cover = []
    for number, (day, sid, need, under, over) in lines.fields("SECTION_COVER", 5):
        index = lines.integer(day, number, "SECTION_COVER", "day index")
        if index >= days or sid not in ids:
            lines.fail(f"day {index} or shift {sid} is not in the instance", number, "SECTION_COVER")
        cover.append(
            CurtoisCover(
                index,
                sid,
                lines.integer(need, number, "SECTION_COVER", "requirement"),
                lines.integer(under, number, "SECTION_COVER", "weight for under"),
                lines.integer(over, number, "SECTION_COVER", "weight for over"),
            )
        )
    return CurtoisInstance(file.stem, days, tuple(shifts), tuple(staff), days_off, on, off, tuple(cover))


def _staff(lines: _Lines, number: int, parts: list[str], ids: set[str], days: int) -> CurtoisStaff:
    """One SECTION_STAFF line."""
    section = "SECTION_STAFF"
    max_shifts = {}
    for item in parts[1].split("|"):
        sid, eq, count = item.partition("=")
        if not eq or sid not in ids:
            lines.fail(f'"{item}" is not SHIFT=COUNT with a known shift', number, section)
        max_shifts[sid] = lines.integer(count, number, section, "max shifts")
    values = [lines.integer(p, number, section, name) for p, name in zip(parts[2:], STAFF_FIELDS, strict=True)]
    return CurtoisStaff(parts[0], max_shifts, *values)


STAFF_FIELDS = (
    "MaxTotalMinutes",
    "MinTotalMinutes",
    "MaxConsecutiveShifts",
    "MinConsecutiveShifts",
    "MinConsecutiveDaysOff",
    "MaxWeekends",
)


def _requests(lines: _Lines, section: str, staff: set[str], ids: set[str], days: int) -> tuple[CurtoisRequest, ...]:
    """The lines of a request section."""
    out = []
    for number, (sid, day, shift, weight) in lines.fields(section, 4):
        index = lines.integer(day, number, section, "day index")
        if sid not in staff or shift not in ids or index >= days:
            lines.fail(f"employee {sid}, day {index} or shift {shift} is not in the instance", number, section)
        out.append(CurtoisRequest(sid, index, shift, lines.integer(weight, number, section, "weight")))
    return tuple(out)


def to_engine(ci: CurtoisInstance) -> tuple[Instance, Config]:
    """The instance in the engine's domain: agents with their limits, templates, fixed days off, requests, cover."""
    templates = tuple(
        ShiftTemplate(
            name=s.shift_id,
            start_minute=i * START_STEP_MINUTES,
            length_minutes=s.minutes,
            not_followed_by=frozenset(s.not_followed_by),
        )
        for i, s in enumerate(ci.shifts)
    )
    agents = tuple(
        Agent(
            agent_id=s.staff_id,
            name=s.staff_id,
            skills=(QUEUE,),
            max_shifts=tuple(s.max_shifts.items()),
            min_total_minutes=s.min_total_minutes,
            max_total_minutes=s.max_total_minutes,
            min_consecutive_days=s.min_consecutive_shifts,
            max_consecutive_days=s.max_consecutive_shifts,
            min_consecutive_days_off=s.min_consecutive_days_off,
            max_weekends=s.max_weekends,
        )
        for s in ci.staff
    )
    time_off = tuple(TimeOff(sid, FIRST_MONDAY + timedelta(days=d)) for sid, offs in ci.days_off.items() for d in offs)
    index = {s.shift_id: i for i, s in enumerate(ci.shifts)}
    shape = (ci.days, len(ci.shifts))
    required, under, over = np.zeros(shape, np.int64), np.zeros(shape, np.int64), np.zeros(shape, np.int64)
    for c in ci.cover:
        required[c.day, index[c.shift_id]] = c.requirement
        under[c.day, index[c.shift_id]] = c.weight_under
        over[c.day, index[c.shift_id]] = c.weight_over
    requests = tuple(
        ShiftRequest(r.staff_id, r.day, r.shift_id, on, r.weight)
        for on, group in ((True, ci.on_requests), (False, ci.off_requests))
        for r in group
    )
    rules = RuleSettings(
        min_rest_hours=0,
        days_off_per_week=0,
        max_consecutive_days=ci.days,
        interval_minutes=START_STEP_MINUTES,
        max_weekends_per_4_weeks=4,
    )
    weights = Weights(paid_hours=0, preferred_day_off=0, shift_category_preference=0, days_off_together=0)
    per_day = 1440 // START_STEP_MINUTES
    instance = Instance(
        agents=agents,
        shifts=templates,
        time_off=time_off,
        queues=(QUEUE,),
        start=FIRST_MONDAY,
        days=ci.days,
        interval_minutes=START_STEP_MINUTES,
        required=np.zeros((1, ci.days * per_day), dtype=np.int64),
        shift_demand=ShiftDemand(required, under, over),
        requests=requests,
    )
    return instance, Config(rules, weights)


def roster_rows(instance: Instance, assignments) -> pd.DataFrame:
    """The benchmark's roster form: one row per worked day, columns employee, day (0-based), shift."""
    rows = [(instance.agents[x.agent].agent_id, x.day, instance.shifts[x.shift].name) for x in assignments]
    return pd.DataFrame(sorted(rows, key=lambda r: (r[1], r[0])), columns=list(ROSTER_COLUMNS))


def read_curtois_roster(path: str | Path, ci: CurtoisInstance) -> pd.DataFrame:
    """A roster in the benchmark's form, checked against the instance (known employees, days and shifts)."""
    from wfm.csvio import FIRST_DATA_ROW, number_column, read_table

    file = Path(path)
    frame = read_table(file, ROSTER_COLUMNS)
    days = number_column(frame, "day", file, minimum=0, integer=True)
    staff = {s.staff_id for s in ci.staff}
    shifts = {s.shift_id for s in ci.shifts}
    for i in range(len(frame)):
        row = i + FIRST_DATA_ROW
        if str(frame["employee"].iat[i]).strip() not in staff:
            raise InputError("unknown employee: not in the instance", file=file, row=row, column="employee")
        if str(frame["shift"].iat[i]).strip() not in shifts:
            raise InputError("unknown shift: not in the instance", file=file, row=row, column="shift")
        if days[i] >= ci.days:
            raise InputError(f"day beyond the {ci.days}-day horizon", file=file, row=row, column="day")
    return pd.DataFrame(
        {
            "employee": frame["employee"].astype(str).str.strip(),
            "day": days.astype(int),
            "shift": frame["shift"].astype(str).str.strip(),
        }
    )


def segments_of(ci: CurtoisInstance, roster: pd.DataFrame) -> pd.DataFrame:
    """The benchmark roster as export segments (work rows at the mapped template times) for the roster checker."""
    starts = {s.shift_id: (i * START_STEP_MINUTES, s.minutes) for i, s in enumerate(ci.shifts)}
    rows = []
    for r in roster.itertuples(index=False):
        day = FIRST_MONDAY + timedelta(days=int(r.day))
        begin, length = starts[r.shift]
        start = pd.Timestamp(day) + pd.Timedelta(minutes=begin)
        rows.append(
            (r.employee, r.employee, day.isoformat(), start, start + pd.Timedelta(minutes=length), "work", QUEUE)
        )
    frame = pd.DataFrame(rows, columns=["agent_id", "name", "date", "start", "end", "activity", "queue"])
    frame["date"] = pd.to_datetime(frame["date"]).dt.date
    return frame


@dataclass(frozen=True)
class CurtoisScore:
    """The benchmark objective and its parts."""

    requests: int
    cover_under: int
    cover_over: int

    @property
    def objective(self) -> int:
        """Requests + cover under + cover over."""
        return self.requests + self.cover_under + self.cover_over


def score(ci: CurtoisInstance, roster: pd.DataFrame) -> CurtoisScore:
    """The objective of a roster, computed from the raw instance (independent of the engine's penalties)."""
    worked = {(r.employee, int(r.day)): r.shift for r in roster.itertuples(index=False)}
    requests = sum(r.weight for r in ci.on_requests if worked.get((r.staff_id, r.day)) != r.shift_id)
    requests += sum(r.weight for r in ci.off_requests if worked.get((r.staff_id, r.day)) == r.shift_id)
    counts: dict[tuple[int, str], int] = {}
    for (_, day), shift in worked.items():
        counts[(day, shift)] = counts.get((day, shift), 0) + 1
    under = sum(c.weight_under * max(0, c.requirement - counts.get((c.day, c.shift_id), 0)) for c in ci.cover)
    over = sum(c.weight_over * max(0, counts.get((c.day, c.shift_id), 0) - c.requirement) for c in ci.cover)
    return CurtoisScore(requests, under, over)


def hard_violations(ci: CurtoisInstance, roster: pd.DataFrame) -> list[str]:
    """Every broken staff rule of the benchmark, checked literally from the raw instance (boundary runs exempt)."""
    lengths = {s.shift_id: s.minutes for s in ci.shifts}
    forbidden = {s.shift_id: set(s.not_followed_by) for s in ci.shifts}
    problems = []
    for staff in ci.staff:
        mine = roster[roster["employee"] == staff.staff_id]
        if mine["day"].duplicated().any():
            problems.append(f"{staff.staff_id}: two shifts on one day")
        plan = dict(zip(mine["day"].astype(int), mine["shift"], strict=True))
        work = [d in plan for d in range(ci.days)]
        for sid, most in staff.max_shifts.items():
            if sum(1 for s in plan.values() if s == sid) > most:
                problems.append(f"{staff.staff_id}: more than {most} shifts {sid}")
        total = sum(lengths[s] for s in plan.values())
        if not staff.min_total_minutes <= total <= staff.max_total_minutes:
            problems.append(
                f"{staff.staff_id}: {total} minutes outside {staff.min_total_minutes}–{staff.max_total_minutes}"
            )
        for d in range(ci.days - 1):
            if d in plan and d + 1 in plan and plan[d + 1] in forbidden[plan[d]]:
                problems.append(f"{staff.staff_id}: {plan[d]} then {plan[d + 1]} on days {d}–{d + 1}")
        for value, least, most, what in (
            (True, staff.min_consecutive_shifts, staff.max_consecutive_shifts, "working days"),
            (False, staff.min_consecutive_days_off, ci.days, "days off"),
        ):
            d = 0
            while d < ci.days:
                if work[d] != value:
                    d += 1
                    continue
                end = d
                while end < ci.days and work[end] == value:
                    end += 1
                run = end - d
                if run > most:
                    problems.append(f"{staff.staff_id}: {run} {what} in a row from day {d}")
                if run < least and d > 0 and end < ci.days:
                    problems.append(f"{staff.staff_id}: only {run} {what} in a row from day {d}")
                d = end
        weekends = sum(1 for w in range(ci.days // 7) if work[7 * w + 5] or work[7 * w + 6])
        if weekends > staff.max_weekends:
            problems.append(f"{staff.staff_id}: {weekends} weekends worked (max {staff.max_weekends})")
        for d in ci.days_off.get(staff.staff_id, ()):
            if work[d]:
                problems.append(f"{staff.staff_id}: works on fixed day off {d}")
    return problems
