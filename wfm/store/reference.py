"""Reference data in and out as contract frames: queues, agents with skills, time off, shift templates, rules, events.

Save functions work inside the caller's transaction (`with Session(engine) as s, s.begin(): ...`), check every
row first and raise InputError (naming row and column) before changing anything; they write an audit line.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from wfm.auth.permissions import Action, require
from wfm.errors import InputError
from wfm.store import audit, cells
from wfm.store.models import (
    Agent,
    AgentSkill,
    EventRow,
    Queue,
    RuleSetting,
    ShiftTemplateRow,
    Skill,
    TimeOffRow,
)

QUEUE_REQUIRED = ("queue", "channel", "interval_minutes", "service_level", "answer_seconds")
QUEUE_FLOATS = ("response_hours", "max_occupancy", "shrinkage", "patience_seconds")
QUEUE_COLUMNS = (*QUEUE_REQUIRED, *QUEUE_FLOATS, "concurrency", "open", "close")
AGENT_REQUIRED = ("agent_id", "name", "skills")
AGENT_COLUMNS = (
    *AGENT_REQUIRED,
    "team",
    "min_hours_week",
    "max_hours_week",
    "max_days_week",
    "new_hire",
    "earliest_start",
    "latest_end",
)
TIME_OFF_COLUMNS = ("agent_id", "date", "start", "end")
SHIFT_REQUIRED = ("shift", "start", "length_minutes")
SHIFT_COLUMNS = (*SHIFT_REQUIRED, "days", "lunch_minutes", "breaks", "category")
EVENT_REQUIRED = ("event", "start", "end", "kind")


def _extra(record: Mapping, names: list[str]) -> dict[str, str]:
    """Non-blank extra cells of a row as text."""
    return {name: cells.text(record[name]) for name in names if not cells.is_blank(record[name])}


def _rows(frame: pd.DataFrame) -> list[tuple[int, dict]]:
    """(spreadsheet row number, record) pairs of a frame."""
    return list(zip(cells.row_numbers(frame), frame.to_dict("records"), strict=True))


def _replace_all(session: Session, model: type, values: list, what: str, user: str | None) -> int:
    """Replace every row of a reference table with `values` (in the caller's transaction), audited; rows written."""
    session.execute(delete(model))
    session.add_all(values)
    session.flush()
    audit.record(session, "save", what, user=user, rows=len(values))
    return len(values)


def save_queues(session: Session, frame: pd.DataFrame, *, file: str | None = None, user: str | None = None) -> int:
    """Insert or update queues by name (queues not in the frame are kept: history and forecasts refer to them)."""
    require(Action.QUEUES_SAVE)
    cells.require_columns(frame, QUEUE_REQUIRED, "queues", file)
    extras = cells.extra_columns(frame, QUEUE_COLUMNS)
    values, seen = [], set()
    for row, r in _rows(frame):
        name = cells.text(r["queue"])
        if not name or name in seen:
            raise InputError(f'queue name "{name}" is empty or repeated', file=file, row=row, column="queue")
        seen.add(name)
        item = {
            "name": name,
            "channel": cells.text(r["channel"]).lower(),
            "interval_minutes": cells.required_number(
                r["interval_minutes"], row=row, column="interval_minutes", file=file, integer=True
            ),
            "service_level": cells.required_number(r["service_level"], row=row, column="service_level", file=file),
            "answer_seconds": cells.required_number(r["answer_seconds"], row=row, column="answer_seconds", file=file),
            "concurrency": cells.number(r.get("concurrency"), row=row, column="concurrency", file=file, integer=True),
            "open": cells.optional_text(r.get("open")),
            "close": cells.optional_text(r.get("close")),
            "extra": _extra(r, extras),
        }
        for column in QUEUE_FLOATS:
            item[column] = cells.number(r.get(column), row=row, column=column, file=file)
        values.append(item)
    existing = {q.name: q for q in session.scalars(select(Queue))}
    for item in values:
        queue = existing.get(item["name"])
        if queue is None:
            session.add(Queue(**item))
        else:
            for key, value in item.items():
                setattr(queue, key, value)
    session.flush()
    audit.record(session, "save", "queues", user=user, rows=len(values), queues=sorted(seen))
    return len(values)


def get_queues(session: Session) -> pd.DataFrame:
    """Queue settings as the queues contract (extra settings as extra columns), ordered by name."""
    rows = []
    for q in session.scalars(select(Queue).order_by(Queue.name)):
        row = {"queue": q.name, **{c: getattr(q, c) for c in QUEUE_COLUMNS[1:]}}
        row.update(q.extra or {})
        rows.append(row)
    frame = pd.DataFrame(rows)
    return frame if rows else pd.DataFrame(columns=list(QUEUE_COLUMNS))


def queue_ids(session: Session) -> dict[str, int]:
    """Queue name → id."""
    return dict(session.execute(select(Queue.name, Queue.id)).all())


def save_agents(session: Session, frame: pd.DataFrame, *, file: str | None = None, user: str | None = None) -> int:
    """Replace the staff list: agents are inserted or updated by agent_id, agents not in the frame are deleted."""
    require(Action.STAFF_SAVE)
    cells.require_columns(frame, AGENT_REQUIRED, "agents", file)
    extras = cells.extra_columns(frame, AGENT_COLUMNS)
    values, seen = [], set()
    for row, r in _rows(frame):
        code = cells.text(r["agent_id"])
        if not code or code in seen:
            raise InputError(f'agent id "{code}" is empty or repeated', file=file, row=row, column="agent_id")
        seen.add(code)
        skills = list(dict.fromkeys(s.strip() for s in cells.text(r["skills"]).split(";") if s.strip()))
        if not skills:
            raise InputError("no skills: expected queue names separated by ;", file=file, row=row, column="skills")
        values.append(
            (
                {
                    "code": code,
                    "name": cells.text(r["name"]),
                    "team": cells.text(r.get("team")),
                    "min_hours_week": cells.number(
                        r.get("min_hours_week"), row=row, column="min_hours_week", file=file
                    ),
                    "max_hours_week": cells.number(
                        r.get("max_hours_week"), row=row, column="max_hours_week", file=file
                    ),
                    "max_days_week": cells.number(
                        r.get("max_days_week"), row=row, column="max_days_week", file=file, integer=True
                    ),
                    "new_hire": cells.flag(r.get("new_hire"), row=row, column="new_hire", file=file),
                    "earliest_start": cells.optional_text(r.get("earliest_start")),
                    "latest_end": cells.optional_text(r.get("latest_end")),
                    "extra": _extra(r, extras),
                },
                skills,
            )
        )
    skill_ids = _skill_ids(session, {s for _, skills in values for s in skills})
    existing = {a.code: a for a in session.scalars(select(Agent))}
    removed = sorted(set(existing) - seen)
    if removed:
        session.execute(delete(Agent).where(Agent.code.in_(removed)))
    for item, skills in values:
        agent = existing.get(item["code"])
        if agent is None:
            agent = Agent(**item)
            session.add(agent)
        else:
            for key, value in item.items():
                setattr(agent, key, value)
        agent.skills = [AgentSkill(skill_id=skill_ids[s], position=i) for i, s in enumerate(skills)]
    session.flush()
    audit.record(session, "save", "agents", user=user, rows=len(values), removed=removed)
    return len(values)


def _skill_ids(session: Session, names: set[str]) -> dict[str, int]:
    """Skill name → id, creating missing skills."""
    known = dict(session.execute(select(Skill.name, Skill.id)).all())
    for name in sorted(names - set(known)):
        skill = Skill(name=name)
        session.add(skill)
        session.flush()
        known[name] = skill.id
    return known


def get_agents(session: Session) -> pd.DataFrame:
    """The staff list as the agents contract (skills `;`-separated in their order), ordered by agent_id."""
    rows = []
    for a in session.scalars(select(Agent).order_by(Agent.code)):
        row = {
            "agent_id": a.code,
            "name": a.name,
            "skills": ";".join(s.skill.name for s in a.skills),
            "team": a.team,
            "min_hours_week": a.min_hours_week,
            "max_hours_week": a.max_hours_week,
            "max_days_week": a.max_days_week,
            "new_hire": a.new_hire,
            "earliest_start": a.earliest_start,
            "latest_end": a.latest_end,
        }
        row.update(a.extra or {})
        rows.append(row)
    frame = pd.DataFrame(rows)
    if not rows:
        return pd.DataFrame(columns=list(AGENT_COLUMNS))
    frame["max_days_week"] = frame["max_days_week"].astype("Int64")
    return frame


def save_time_off(session: Session, frame: pd.DataFrame, *, file: str | None = None, user: str | None = None) -> int:
    """Replace all time off; every agent_id must be a known agent."""
    require(Action.TIME_OFF_SAVE)
    cells.require_columns(frame, TIME_OFF_COLUMNS[:2], "time off", file)
    ids = dict(session.execute(select(Agent.code, Agent.id)).all())
    values = []
    for row, r in _rows(frame):
        code = cells.text(r["agent_id"])
        if code not in ids:
            raise InputError(f'unknown agent "{code}": not in the staff list', file=file, row=row, column="agent_id")
        start, end = cells.optional_text(r.get("start")), cells.optional_text(r.get("end"))
        if (start is None) != (end is None):
            raise InputError(
                "expected both start and end, or neither for a whole day", file=file, row=row, column="end"
            )
        day = cells.day(r["date"], row=row, column="date", file=file)
        values.append(TimeOffRow(agent_id=ids[code], day=day, start=start, end=end))
    return _replace_all(session, TimeOffRow, values, "time_off", user)


def get_time_off(session: Session) -> pd.DataFrame:
    """All time off as the time-off contract (start/end blank for whole days), ordered by agent and date."""
    query = (
        select(Agent.code, TimeOffRow.day, TimeOffRow.start, TimeOffRow.end)
        .join(Agent, Agent.id == TimeOffRow.agent_id)
        .order_by(Agent.code, TimeOffRow.day, TimeOffRow.start)
    )
    rows = session.execute(query).all()
    return pd.DataFrame(
        [(code, day.isoformat(), start or "", end or "") for code, day, start, end in rows],
        columns=list(TIME_OFF_COLUMNS),
    )


def save_shifts(session: Session, frame: pd.DataFrame, *, file: str | None = None, user: str | None = None) -> int:
    """Replace all shift templates."""
    require(Action.STAFF_SAVE)
    cells.require_columns(frame, SHIFT_REQUIRED, "shifts", file)
    extras = cells.extra_columns(frame, SHIFT_COLUMNS)
    values, seen = [], set()
    for row, r in _rows(frame):
        name = cells.text(r["shift"])
        if not name or name in seen:
            raise InputError(f'shift name "{name}" is empty or repeated', file=file, row=row, column="shift")
        seen.add(name)
        values.append(
            ShiftTemplateRow(
                name=name,
                start=cells.text(r["start"]),
                length_minutes=cells.required_number(
                    r["length_minutes"], row=row, column="length_minutes", file=file, integer=True
                ),
                days=cells.text(r.get("days")),
                lunch_minutes=cells.number(
                    r.get("lunch_minutes"), row=row, column="lunch_minutes", file=file, integer=True
                )
                or 0,
                breaks=cells.text(r.get("breaks")),
                category=cells.text(r.get("category")),
                extra=_extra(r, extras),
            )
        )
    return _replace_all(session, ShiftTemplateRow, values, "shift_templates", user)


def get_shifts(session: Session) -> pd.DataFrame:
    """Shift templates as the shifts contract, ordered by start time and name."""
    rows = []
    for s in session.scalars(select(ShiftTemplateRow).order_by(ShiftTemplateRow.start, ShiftTemplateRow.name)):
        row = {"shift": s.name, **{c: getattr(s, c) for c in SHIFT_COLUMNS[1:]}}
        row.update(s.extra or {})
        rows.append(row)
    return pd.DataFrame(rows) if rows else pd.DataFrame(columns=list(SHIFT_COLUMNS))


def save_rules(session: Session, rules: Mapping[str, Mapping[str, float]], *, user: str | None = None) -> int:
    """Replace the rule settings: {section: {key: number}} as in rules.toml."""
    require(Action.RULES_SAVE)
    values = []
    for section, table in rules.items():
        if not isinstance(table, Mapping):
            raise InputError(f"[{section}] must be a table of numbers")
        for key, value in table.items():
            if not isinstance(value, int | float):  # true / false are kept as 1 / 0
                raise InputError(
                    f"[{section}] {key}: expected a number or true/false, got {value!r} (lists stay in rules.toml)",
                    column=key,
                )
            values.append(RuleSetting(section=section, key=key, value=float(value)))
    return _replace_all(session, RuleSetting, values, "rules", user)


def get_rules(session: Session) -> dict[str, dict[str, float]]:
    """Rule settings as {section: {key: value}} (whole numbers come back as int)."""
    result: dict[str, dict[str, float]] = {}
    for r in session.scalars(select(RuleSetting).order_by(RuleSetting.section, RuleSetting.key)):
        result.setdefault(r.section, {})[r.key] = int(r.value) if r.value.is_integer() else r.value
    return result


def save_events(session: Session, frame: pd.DataFrame, *, file: str | None = None, user: str | None = None) -> int:
    """Replace the event calendar (events.csv: event, start, end, kind; inclusive dates)."""
    require(Action.EVENTS_SAVE)
    cells.require_columns(frame, EVENT_REQUIRED, "events", file)
    extras = cells.extra_columns(frame, EVENT_REQUIRED)
    values = []
    for row, r in _rows(frame):
        name = cells.text(r["event"])
        if not name:
            raise InputError("empty cell: expected an event name", file=file, row=row, column="event")
        start = cells.day(r["start"], row=row, column="start", file=file)
        end = cells.day(r["end"], row=row, column="end", file=file)
        if end < start:
            raise InputError(f"the event ends ({end}) before it starts ({start})", file=file, row=row, column="end")
        kind = cells.text(r["kind"])
        values.append(EventRow(name=name, kind=kind, start=start, end=end, extra=_extra(r, extras)))
    return _replace_all(session, EventRow, values, "events", user)


def get_events(session: Session) -> pd.DataFrame:
    """The event calendar as events.csv columns, ordered by start date."""
    rows = []
    for e in session.scalars(select(EventRow).order_by(EventRow.start, EventRow.name)):
        rows.append(
            {"event": e.name, "start": e.start.isoformat(), "end": e.end.isoformat(), "kind": e.kind, **e.extra}
        )
    return pd.DataFrame(rows) if rows else pd.DataFrame(columns=list(EVENT_REQUIRED))
