"""Reading the roster inputs (agents, shifts, time off, requirements, rules.toml) into domain types."""

from __future__ import annotations

import math
import re
from dataclasses import fields
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from wfm.csvio import FIRST_DATA_ROW, number_column, read_table, read_toml, timestamp_column
from wfm.errors import InputError
from wfm.limits import (
    MAX_AGENTS,
    MAX_AGENTS_PER_INTERVAL,
    MAX_ROSTER_DAYS,
    MAX_SETTING_VALUE,
    MAX_SHIFT_TEMPLATES,
)
from wfm.roster.break_rules import break_tables, parse_break_settings
from wfm.roster.domain import (
    MAX_HORIZON_DAYS,
    MINUTES_PER_DAY,
    WEEKDAYS,
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

HOURS_PER_WEEK = 168
AGENT_COLUMNS = ("agent_id", "name", "skills")
AGENT_OPTIONAL = (
    "max_shifts",
    "min_total_hours",
    "max_total_hours",
    "min_consecutive_days",
    "max_consecutive_days",
    "min_consecutive_days_off",
    "max_weekends",
    "rotation",
    "team",
    "min_hours_week",
    "max_hours_week",
    "max_days_week",
    "new_hire",
    "earliest_start",
    "latest_end",
    "contract",
    "preferred_days_off",
    "preferred_categories",
)
SHIFT_COLUMNS = ("shift", "start", "length_minutes")
SHIFT_OPTIONAL = ("days", "lunch_minutes", "breaks", "category", "not_followed_by")
TIME_OFF_COLUMNS = ("agent_id", "date")
REQUIREMENT_COLUMNS = ("queue", "interval_start", "required_agents")
TRUE_WORDS = {"1", "true", "yes", "y", "t"}
FALSE_WORDS = {"0", "false", "no", "n", "f", ""}


def parse_clock(text: str, *, file: Path, row: int, column: str) -> int | None:
    """Minutes of the day from HH:MM (24:00 allowed); blank → None."""
    text = text.strip()
    if not text:
        return None
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", text)
    if not match or int(match[2]) > 59 or int(match[1]) * 60 + int(match[2]) > MINUTES_PER_DAY:
        raise InputError(
            f'"{text}" is not a time of day: expected HH:MM such as 08:30', file=file, row=row, column=column
        )
    return int(match[1]) * 60 + int(match[2])


def parse_weekdays(text: str, *, file: Path, row: int, column: str) -> frozenset[int]:
    """Weekday numbers (0 = Monday) from "Mon;Tue;…"; blank → empty set."""
    names = [part.strip()[:3].title() for part in re.split(r"[;,|]", text) if part.strip()]
    unknown = [n for n in names if n not in WEEKDAYS]
    if unknown:
        raise InputError(
            f'"{unknown[0]}" is not a weekday: expected names such as Mon;Tue;Sat',
            file=file,
            row=row,
            column=column,
        )
    return frozenset(WEEKDAYS.index(n) for n in names)


def _split_list(text: str) -> tuple[str, ...]:
    """Items of a `;`-separated cell, stripped, blanks dropped, order kept."""
    return tuple(dict.fromkeys(part.strip() for part in text.split(";") if part.strip()))


def _cell(frame: pd.DataFrame, column: str, i: int) -> str:
    """A cell as stripped text ('' when the column is absent)."""
    return str(frame[column].iat[i]).strip() if column in frame.columns else ""


def read_agents(path: str | Path) -> tuple[Agent, ...]:
    """Agents from the agents CSV contract."""
    file = Path(path)
    frame = read_table(file, AGENT_COLUMNS, AGENT_OPTIONAL)
    if len(frame) > MAX_AGENTS:
        raise InputError(f"{len(frame):,} agents; the limit is {MAX_AGENTS:,} per roster (split by team)", file=file)
    min_hours = number_column(frame, "min_hours_week", file, minimum=0, default=0, maximum=HOURS_PER_WEEK)
    max_hours = number_column(frame, "max_hours_week", file, minimum=0, default=-1, maximum=HOURS_PER_WEEK)
    max_days = number_column(frame, "max_days_week", file, minimum=0, default=-1, integer=True, maximum=7)
    limits = _limit_columns(frame, file)
    agents, seen = [], set()
    for i in range(len(frame)):
        row = i + FIRST_DATA_ROW
        agent_id = _cell(frame, "agent_id", i)
        if not agent_id:
            raise InputError("empty cell: expected an agent id", file=file, row=row, column="agent_id")
        if agent_id in seen:
            raise InputError(f'agent "{agent_id}" appears twice', file=file, row=row, column="agent_id")
        seen.add(agent_id)
        skills = _split_list(_cell(frame, "skills", i))
        if not skills:
            raise InputError("no skills: expected queue names separated by ;", file=file, row=row, column="skills")
        if max_hours[i] >= 0 and max_hours[i] < min_hours[i]:
            raise InputError(
                f"agent {agent_id}: max_hours_week {max_hours[i]:g} is below min_hours_week {min_hours[i]:g}",
                file=file,
                row=row,
                column="max_hours_week",
            )
        new_hire = _cell(frame, "new_hire", i).lower()
        if new_hire not in TRUE_WORDS | FALSE_WORDS:
            raise InputError(f'"{new_hire}" is not yes/no', file=file, row=row, column="new_hire")
        agents.append(
            Agent(
                agent_id=agent_id,
                name=_cell(frame, "name", i),
                skills=skills,
                team=_cell(frame, "team", i),
                min_hours_week=float(min_hours[i]),
                max_hours_week=float(max_hours[i]) if max_hours[i] >= 0 else None,
                max_days_week=int(max_days[i]) if max_days[i] >= 0 else None,
                new_hire=new_hire in TRUE_WORDS,
                earliest_start_minute=parse_clock(
                    _cell(frame, "earliest_start", i), file=file, row=row, column="earliest_start"
                ),
                latest_end_minute=parse_clock(_cell(frame, "latest_end", i), file=file, row=row, column="latest_end"),
                preferred_days_off=parse_weekdays(
                    _cell(frame, "preferred_days_off", i), file=file, row=row, column="preferred_days_off"
                ),
                preferred_categories=frozenset(_split_list(_cell(frame, "preferred_categories", i))),
                contract=_cell(frame, "contract", i),
                **_sequence_limits(frame, i, file, limits),
            )
        )
    return tuple(agents)


def _limit_columns(frame: pd.DataFrame, file: Path) -> dict[str, np.ndarray]:
    """The optional per-agent limit columns as numbers (−1 where blank)."""
    hours = {
        c: number_column(frame, c, file, minimum=0, default=-1, maximum=HOURS_PER_WEEK * MAX_ROSTER_DAYS / 7)
        for c in ("min_total_hours", "max_total_hours")
    }
    counts = {
        c: number_column(frame, c, file, minimum=0, default=-1, integer=True, maximum=MAX_ROSTER_DAYS)
        for c in ("min_consecutive_days", "max_consecutive_days", "min_consecutive_days_off", "max_weekends")
    }
    return {**hours, **counts}


def _sequence_limits(frame: pd.DataFrame, i: int, file: Path, limits: dict[str, np.ndarray]) -> dict[str, object]:
    """Agent fields of the optional limit columns of row i (blank = the [rules] value or no limit)."""
    row = i + FIRST_DATA_ROW
    out: dict[str, object] = {}
    for column in ("min_consecutive_days", "max_consecutive_days", "min_consecutive_days_off", "max_weekends"):
        value = limits[column][i]
        if value >= 0:
            if column != "max_weekends" and value < 1:
                raise InputError("expected a whole number ≥ 1 (or blank)", file=file, row=row, column=column)
            out[column] = int(value)
    for column, field_name in (("min_total_hours", "min_total_minutes"), ("max_total_hours", "max_total_minutes")):
        if limits[column][i] >= 0:
            out[field_name] = round(float(limits[column][i]) * 60)
    for low, high, column in (
        ("min_total_minutes", "max_total_minutes", "max_total_hours"),
        ("min_consecutive_days", "max_consecutive_days", "max_consecutive_days"),
    ):
        if low in out and high in out and out[high] < out[low]:  # type: ignore[operator]
            raise InputError(f"{column} is below its minimum", file=file, row=row, column=column)
    text = _cell(frame, "max_shifts", i)
    pairs = []
    for item in _split_list(text):
        name, eq, count = item.partition("=")
        if not eq or not name.strip() or not count.strip().isdigit():
            raise InputError(
                f'"{item}" is not SHIFT=COUNT (e.g. Late=8;Night=4)', file=file, row=row, column="max_shifts"
            )
        pairs.append((name.strip(), int(count)))
    if pairs:
        out["max_shifts"] = tuple(pairs)
    rotation = tuple(part.strip() for part in _cell(frame, "rotation", i).split(";") if part.strip())
    if rotation:
        out["rotation"] = rotation
    return out


def read_shifts(path: str | Path, interval_minutes: int) -> tuple[ShiftTemplate, ...]:
    """Shift templates from the shifts CSV contract; starts, lengths and lunches must lie on the interval grid."""
    file = Path(path)
    frame = read_table(file, SHIFT_COLUMNS, SHIFT_OPTIONAL)
    if len(frame) > MAX_SHIFT_TEMPLATES:
        raise InputError(f"{len(frame):,} shift templates; the limit is {MAX_SHIFT_TEMPLATES:,}", file=file)
    lengths = number_column(frame, "length_minutes", file, minimum=1, integer=True)
    lunches = number_column(frame, "lunch_minutes", file, minimum=0, default=0, integer=True)
    shifts, seen = [], set()
    for i in range(len(frame)):
        row = i + FIRST_DATA_ROW
        name = _cell(frame, "shift", i)
        if not name or name in seen:
            raise InputError(f'shift name "{name}" is empty or repeated', file=file, row=row, column="shift")
        seen.add(name)
        start = parse_clock(_cell(frame, "start", i), file=file, row=row, column="start")
        if start is None or start >= MINUTES_PER_DAY:
            raise InputError("expected a start time HH:MM before 24:00", file=file, row=row, column="start")
        for column, value in (
            ("start", start),
            ("length_minutes", lengths[i]),
            ("lunch_minutes", lunches[i]),
        ):
            if value % interval_minutes:
                raise InputError(
                    f"{value:g} minutes is not a multiple of the {interval_minutes}-minute interval",
                    file=file,
                    row=row,
                    column=column,
                )
        if lengths[i] > MINUTES_PER_DAY or lunches[i] >= lengths[i]:
            raise InputError(
                "expected a length up to 24 h and longer than the lunch",
                file=file,
                row=row,
                column="length_minutes",
            )
        days = parse_weekdays(_cell(frame, "days", i), file=file, row=row, column="days")
        shifts.append(
            ShiftTemplate(
                name=name,
                start_minute=start,
                length_minutes=int(lengths[i]),
                weekdays=days or frozenset(range(7)),
                lunch_minutes=int(lunches[i]),
                breaks_minutes=_parse_breaks(_cell(frame, "breaks", i), file=file, row=row),
                category=_cell(frame, "category", i),
                not_followed_by=frozenset(_split_list(_cell(frame, "not_followed_by", i))),
            )
        )
    names = {shift.name for shift in shifts}
    for i, shift in enumerate(shifts):
        unknown = sorted(shift.not_followed_by - names)
        if unknown:
            raise InputError(
                f'unknown shift "{unknown[0]}": expected shift names of this file separated by ;',
                file=file,
                row=i + FIRST_DATA_ROW,
                column="not_followed_by",
            )
    return tuple(shifts)


def _parse_breaks(text: str, *, file: Path, row: int) -> tuple[int, ...]:
    """Break lengths in minutes from "15;15" (blank → none)."""
    parts = [p.strip() for p in text.split(";") if p.strip()]
    if not all(p.isdigit() for p in parts):
        raise InputError(f'"{text}" is not a list of break minutes such as 15;15', file=file, row=row, column="breaks")
    return tuple(int(p) for p in parts)


def read_time_off(path: str | Path, agent_ids: set[str]) -> tuple[TimeOff, ...]:
    """Time off rows: a whole day, or [start, end) of that day when both times are given."""
    file = Path(path)
    frame = read_table(file, TIME_OFF_COLUMNS, ("start", "end"))
    days = timestamp_column(frame, "date", file)
    entries = []
    for i in range(len(frame)):
        row = i + FIRST_DATA_ROW
        agent_id = _cell(frame, "agent_id", i)
        if agent_id not in agent_ids:
            raise InputError(
                f'unknown agent "{agent_id}": not in the agents file', file=file, row=row, column="agent_id"
            )
        start = parse_clock(_cell(frame, "start", i), file=file, row=row, column="start")
        end = parse_clock(_cell(frame, "end", i), file=file, row=row, column="end")
        if (start is None) != (end is None) or (start is not None and end is not None and end <= start):
            raise InputError(
                "expected both start and end (end after start) or neither for a whole day",
                file=file,
                row=row,
                column="end",
            )
        entries.append(TimeOff(agent_id, days.iat[i].date(), start, end))
    return tuple(entries)


def read_rules(path: str | Path | None) -> Config:
    """rules.toml: [rules] and [weights] tables, every key optional; unknown tables or keys are errors."""
    if path is None:
        return Config()
    file = Path(path)
    data = read_toml(file)
    unknown = set(data) - {"rules", "weights"} - break_tables(data)
    if unknown:
        raise InputError(f"unknown table [{sorted(unknown)[0]}]: expected [rules] and [weights]", file=file)
    rules = _settings(RuleSettings, data.get("rules", {}), file, "rules")
    weights = _settings(Weights, data.get("weights", {}), file, "weights")
    if not 1 <= rules.interval_minutes <= 60 or MINUTES_PER_DAY % rules.interval_minutes:
        raise InputError("interval_minutes must divide 60 (e.g. 15 or 30)", file=file, column="interval_minutes")
    if not 0 <= rules.days_off_per_week <= 7 or rules.max_consecutive_days < 1 or rules.min_rest_hours < 0:
        raise InputError("expected 0 ≤ days_off_per_week ≤ 7, max_consecutive_days ≥ 1, min_rest_hours ≥ 0", file=file)
    return Config(rules, weights, breaks=parse_break_settings(data, file))


def _settings(kind: type, table: object, file: Path, section: str) -> object:
    """One TOML table into a settings dataclass, checking key names and number types."""
    if not isinstance(table, dict):
        raise InputError(f"[{section}] must be a table", file=file)
    known = {f.name: f for f in fields(kind)}
    values = {}
    for key, value in table.items():
        if key not in known:
            raise InputError(f"unknown key in [{section}]: expected one of {', '.join(known)}", file=file, column=key)
        if known[key].type == "bool":
            if value in (0, 1) and not isinstance(value, float):
                value = bool(value)  # the database keeps true / false as 1 / 0
            if not isinstance(value, bool):
                raise InputError(f"expected true or false, got {value!r}", file=file, column=key)
            values[key] = value
            continue
        if known[key].type == "tuple[str, ...]":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise InputError(f'expected a list of texts such as ["a", "b"], got {value!r}', file=file, column=key)
            values[key] = tuple(value)
            continue
        want_int = known[key].type in ("int", int)
        ok = isinstance(value, int) and not isinstance(value, bool) if want_int else isinstance(value, int | float)
        if not ok or not 0 <= value <= MAX_SETTING_VALUE:
            kind_name = "a whole number" if want_int else "a number"
            raise InputError(
                f"expected {kind_name} from 0 to {MAX_SETTING_VALUE:,}, got {value!r}", file=file, column=key
            )
        values[key] = value
    return kind(**values)


def read_requirements(
    path: str | Path, start: date, days: int, interval_minutes: int
) -> tuple[tuple[str, ...], np.ndarray]:
    """(queues, required agents per queue and grid interval) for the horizon; coarser data fills its sub-intervals."""
    file = Path(path)
    frame = read_table(file, REQUIREMENT_COLUMNS, ("volume", "aht_seconds"))
    stamps = timestamp_column(frame, "interval_start", file)
    required = number_column(frame, "required_agents", file, minimum=0, maximum=MAX_AGENTS_PER_INTERVAL)
    queue_names = frame["queue"].astype(str).str.strip()
    if (queue_names == "").any():
        row = int(np.flatnonzero((queue_names == "").to_numpy())[0]) + FIRST_DATA_ROW
        raise InputError("empty cell: expected a queue name", file=file, row=row, column="queue")
    duplicated = pd.DataFrame({"q": queue_names, "t": stamps}).duplicated()
    if duplicated.any():
        row = int(np.flatnonzero(duplicated.to_numpy())[0]) + FIRST_DATA_ROW
        raise InputError("this queue and interval_start appear twice", file=file, row=row, column="interval_start")
    queues = tuple(sorted(queue_names.unique()))
    source_minutes = _data_interval_minutes(queue_names, stamps, interval_minutes)
    origin = pd.Timestamp(start)
    offset = ((stamps - origin).dt.total_seconds() // 60).to_numpy(dtype=np.int64)
    per_day = MINUTES_PER_DAY // interval_minutes
    grid = np.zeros((len(queues), days * per_day), dtype=np.int64)
    agents = np.ceil(required - 1e-6).astype(np.int64)
    q_index = queue_names.map({q: i for i, q in enumerate(queues)}).to_numpy()
    for k in range(max(1, math.ceil(source_minutes / interval_minutes))):
        t = (offset + k * interval_minutes) // interval_minutes
        inside = (t >= 0) & (t < grid.shape[1]) & (offset + k * interval_minutes < offset + source_minutes)
        np.maximum.at(grid, (q_index[inside], t[inside]), agents[inside])
    if not ((offset >= 0) & (offset < days * MINUTES_PER_DAY)).any():
        end = start + timedelta(days=days)
        raise InputError(
            f"no requirement rows between {start} and {end}: check --start and --days",
            file=file,
            column="interval_start",
        )
    return queues, grid


def _data_interval_minutes(queues: pd.Series, stamps: pd.Series, default: int) -> int:
    """The interval of the requirements data: the smallest positive step between stamps of one queue."""
    steps = pd.DataFrame({"q": queues, "t": stamps}).sort_values(["q", "t"]).groupby("q")["t"].diff().dropna()
    steps = steps[steps > pd.Timedelta(0)]
    return int(steps.min().total_seconds() // 60) if len(steps) else default


SHIFT_DEMAND_COLUMNS = ("date", "shift", "required")
REQUEST_COLUMNS = ("agent_id", "date", "kind")


def read_shift_demand(
    path: str | Path, start: date, days: int, shifts: tuple[ShiftTemplate, ...], weights: Weights
) -> ShiftDemand:
    """Shift-form demand (date, shift, required[, weight_under, weight_over]); blank weights take [weights]."""
    file = Path(path)
    frame = read_table(file, SHIFT_DEMAND_COLUMNS, ("weight_under", "weight_over"))
    stamps = timestamp_column(frame, "date", file)
    required = number_column(frame, "required", file, minimum=0, integer=True)
    under = number_column(frame, "weight_under", file, minimum=0, default=weights.under_coverage, integer=True)
    over = number_column(frame, "weight_over", file, minimum=0, default=weights.over_coverage, integer=True)
    names = {shift.name: s for s, shift in enumerate(shifts)}
    shape = (days, len(shifts))
    demand = ShiftDemand(np.zeros(shape, np.int64), np.zeros(shape, np.int64), np.zeros(shape, np.int64))
    demand.weight_under[:] = weights.under_coverage
    demand.weight_over[:] = weights.over_coverage
    seen: set[tuple[int, int]] = set()
    for i in range(len(frame)):
        row = i + FIRST_DATA_ROW
        name = _cell(frame, "shift", i)
        if name not in names:
            raise InputError(f'unknown shift "{name}": not in the shifts file', file=file, row=row, column="shift")
        day = (stamps.iat[i].date() - start).days
        if not 0 <= day < days:
            continue
        key = (day, names[name])
        if key in seen:
            raise InputError("this date and shift appear twice", file=file, row=row, column="shift")
        seen.add(key)
        demand.required[key] = required[i]
        demand.weight_under[key] = under[i]
        demand.weight_over[key] = over[i]
    if not seen:
        raise InputError(f"no rows between {start} and {start + timedelta(days=days)}", file=file, column="date")
    return demand


def read_requests(
    path: str | Path, start: date, days: int, agents: tuple[Agent, ...], shifts: tuple[ShiftTemplate, ...]
) -> tuple[ShiftRequest, ...]:
    """Shift requests (agent_id, date, kind on|off[, shift (blank = any), weight (default 1)]) in the horizon."""
    file = Path(path)
    frame = read_table(file, REQUEST_COLUMNS, ("shift", "weight"))
    stamps = timestamp_column(frame, "date", file)
    weights = number_column(frame, "weight", file, minimum=0, default=1, integer=True)
    ids = {agent.agent_id for agent in agents}
    names = {shift.name for shift in shifts}
    out = []
    for i in range(len(frame)):
        row = i + FIRST_DATA_ROW
        agent_id = _cell(frame, "agent_id", i)
        if agent_id not in ids:
            raise InputError(
                f'unknown agent "{agent_id}": not in the agents file', file=file, row=row, column="agent_id"
            )
        kind = _cell(frame, "kind", i).lower()
        if kind not in ("on", "off"):
            raise InputError(f'"{kind}" is not a request kind: expected on or off', file=file, row=row, column="kind")
        shift = _cell(frame, "shift", i)
        if shift and shift not in names:
            raise InputError(f'unknown shift "{shift}": not in the shifts file', file=file, row=row, column="shift")
        day = (stamps.iat[i].date() - start).days
        if 0 <= day < days:
            out.append(ShiftRequest(agent_id, day, shift or None, kind == "on", int(weights[i])))
    return tuple(out)


def check_skills_name_queues(
    agent_list: tuple[Agent, ...],
    queues: tuple[str, ...] | set[str],
    file: str | Path,
    source: str,
    *,
    each_skill: bool = False,
) -> None:
    """Every agent can work at least one of the queues (with each_skill, every skill names a queue): a skill that
    names no queue is a typo in the agents file, not a reason for an infeasible roster; the message names the row."""
    known = set(queues)
    for i, agent in enumerate(agent_list):
        unknown = [s for s in agent.skills if s not in known]
        if unknown and (each_skill or len(unknown) == len(agent.skills)):
            raise InputError(
                f'agent "{agent.agent_id}": skill "{unknown[0]}" is not a queue; expected some of '
                f"{', '.join(sorted(known)) or 'no queues'} ({source})",
                file=file,
                row=i + FIRST_DATA_ROW,
                column="skills",
            )


def load_instance(
    *,
    requirements: str | Path | None,
    agents: str | Path,
    shifts: str | Path,
    time_off: str | Path | None,
    rules: str | Path | None,
    start: date,
    days: int,
    shift_demand: str | Path | None = None,
    requests: str | Path | None = None,
) -> tuple[Instance, Config]:
    """The instance and configuration from the input files of `wfm roster`."""
    if not 1 <= days <= MAX_HORIZON_DAYS:
        raise InputError(f"--days must be between 1 and {MAX_HORIZON_DAYS} (1–6 weeks), got {days}")
    config = read_rules(rules)
    step = config.rules.interval_minutes
    agent_list = read_agents(agents)
    templates = read_shifts(shifts, step)
    offs = read_time_off(time_off, {a.agent_id for a in agent_list}) if time_off else ()
    demand = read_shift_demand(shift_demand, start, days, templates, config.weights) if shift_demand else None
    if requirements is not None:
        queues, required = read_requirements(requirements, start, days, step)
    elif demand is not None:
        queues = tuple(sorted({q for agent in agent_list for q in agent.skills}))
        required = np.zeros((len(queues), days * (MINUTES_PER_DAY // step)), dtype=np.int64)
    else:
        raise InputError("give the requirements per interval or the shift-form demand (--shift-demand)")
    if requirements is not None:
        check_skills_name_queues(agent_list, queues, agents, f"the queues of {requirements}")
    wishes = read_requests(requests, start, days, agent_list, templates) if requests else ()
    instance = Instance(agent_list, templates, offs, queues, start, days, step, required, demand, wishes)
    return instance, config
