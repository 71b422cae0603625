"""Time-off requests: an agent asks for a day or some hours off with a reason; a supervisor of the agent's team sees
the effect on coverage and projected service level for that day, then approves (the time off is stored and the
affected published shift is flagged for re-planning) or refuses. Everything is audited under the real user."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from wfm.auth.permissions import Action, can, current_actor, require
from wfm.auth.schedule import agent_team, published_versions
from wfm.errors import InputError
from wfm.export import coverage_table, interval_minutes_of
from wfm.staffing.queues import QueueSettings
from wfm.staffing.requirements import daily_service, projected_service
from wfm.store import audit
from wfm.store.auth_models import ReplanFlag, TimeOffRequest
from wfm.store.models import Agent, TimeOffRow
from wfm.store.rosters import load_roster

HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
REQUEST_COLUMNS = ["id", "agent_id", "date", "start", "end", "reason", "status", "created_at", "decided_by", "note"]


def _window(day: date, start: str | None, end: str | None) -> tuple[datetime, datetime]:
    """The local time span a request covers (the whole day when start/end are blank)."""
    if start is None:
        first = datetime.combine(day, time())
        return first, first + timedelta(days=1)
    return datetime.combine(day, time.fromisoformat(start)), datetime.combine(day, time.fromisoformat(end or ""))


def submit(
    session: Session,
    agent_code: str,
    day: date,
    *,
    start: str | None = None,
    end: str | None = None,
    reason: str = "",
) -> int:
    """An agent's request for `day` off (whole day, or start–end HH:MM); its id. Only for themselves."""
    actor = require(Action.REQUEST_OWN, agent=agent_code)
    start, end = (start or "").strip() or None, (end or "").strip() or None
    if (start is None) != (end is None):
        raise InputError("give both the start and the end of the hours off, or neither for the whole day", column="end")
    if start is not None and (not HHMM.match(start) or not HHMM.match(end or "")):
        raise InputError("hours off are HH:MM, e.g. 09:00", column="start")
    if start is not None and start >= (end or ""):
        raise InputError(f"the hours off end ({end}) must come after they start ({start})", column="end")
    if len(reason) > 500:
        raise InputError("the reason may have at most 500 characters", column="reason")
    open_same_day = session.scalar(
        select(TimeOffRequest.id).where(
            TimeOffRequest.agent_code == agent_code, TimeOffRequest.day == day, TimeOffRequest.status == "pending"
        )
    )
    if open_same_day is not None:
        raise InputError(f"request {open_same_day} for {day} is still waiting for a decision", column="date")
    request = TimeOffRequest(
        agent_code=agent_code,
        day=day,
        start=start,
        end=end,
        reason=reason.strip(),
        status="pending",
        created_at=audit.utc_now(),
        created_by=actor.name,
        note="",
    )
    session.add(request)
    session.flush()
    audit.record(session, "request", "time_off_requests", str(request.id), agent=agent_code, date=day.isoformat())
    return request.id


def _request(session: Session, request_id: int) -> TimeOffRequest:
    """The request with this id, or an InputError."""
    found = session.get(TimeOffRequest, request_id)
    if found is None:
        raise InputError(f"no time-off request {request_id}")
    return found


def cancel(session: Session, request_id: int) -> None:
    """The agent withdraws their own request while it waits for a decision."""
    request = _request(session, request_id)
    require(Action.REQUEST_OWN, agent=request.agent_code)
    if request.status != "pending":
        raise InputError(f"request {request_id} is already {request.status}")
    request.status = "cancelled"
    audit.record(session, "cancel", "time_off_requests", str(request_id), agent=request.agent_code)


def list_requests(session: Session, *, status: str | None = None) -> pd.DataFrame:
    """The requests the actor may see (their own; their teams' for a supervisor; all for administrators)."""
    actor = current_actor()
    query = select(TimeOffRequest).order_by(TimeOffRequest.day, TimeOffRequest.id)
    if status is not None:
        query = query.where(TimeOffRequest.status == status)
    if can(actor, Action.REQUEST_DECIDE) or can(actor, Action.TEAM_VIEW):
        if actor is not None and actor.role == "supervisor":
            codes = select(Agent.code).where(Agent.team.in_(actor.teams))
            query = query.where(TimeOffRequest.agent_code.in_(codes))
    elif actor is not None and actor.agent_code and can(actor, Action.REQUEST_OWN):
        query = query.where(TimeOffRequest.agent_code == actor.agent_code)
    else:
        require(Action.REQUEST_OWN, agent=None)  # refuses with the reason
    rows = [
        [r.id, r.agent_code, r.day, r.start or "", r.end or "", r.reason, r.status, r.created_at, r.decided_by, r.note]
        for r in session.scalars(query)
    ]
    return pd.DataFrame(rows, columns=REQUEST_COLUMNS)


def day_segments(session: Session, day: date) -> pd.DataFrame:
    """Every agent's published segments on a day (the roster published last wins where rosters overlap)."""
    chosen = None
    for published in published_versions(session):
        _info, segments = load_roster(session, published.roster, version=published.version)
        on_day = segments[segments["date"].dt.date == day]
        if not on_day.empty:
            chosen = on_day
    if chosen is None:
        return pd.DataFrame(columns=["agent_id", "name", "date", "start", "end", "activity", "queue"])
    return chosen.reset_index(drop=True)


def without_agent(segments: pd.DataFrame, agent_code: str, first: datetime, last: datetime) -> pd.DataFrame:
    """The segments with the agent's work removed between `first` and `last` (parts outside the span are kept)."""
    mine = (segments["agent_id"] == agent_code) & (segments["activity"] == "work")
    hit = mine & (segments["start"] < last) & (segments["end"] > first)
    kept = [segments[~hit]]
    for row in segments[hit].itertuples(index=False):
        if row.start < first:
            kept.append(pd.DataFrame([row._asdict() | {"end": pd.Timestamp(first)}]))
        if row.end > last:
            kept.append(pd.DataFrame([row._asdict() | {"start": pd.Timestamp(last)}]))
    return pd.concat(kept, ignore_index=True)


def _daily(segments: pd.DataFrame, requirements: pd.DataFrame, queues: dict[str, QueueSettings]) -> pd.DataFrame:
    """Per queue on the day: scheduled agent-hours and the projected service level."""
    coverage = coverage_table(segments, requirements)
    coverage["interval_start"] = pd.to_datetime(coverage["interval_start"])
    step_hours = interval_minutes_of(requirements) / 60
    scheduled = coverage[["queue", "interval_start"]].assign(
        scheduled_agents=np.round(coverage["scheduled_agents"].to_numpy()).astype(int)
    )
    daily = daily_service(projected_service(requirements, scheduled, queues))
    hours = coverage.groupby("queue")["scheduled_agents"].sum() * step_hours
    return daily.assign(scheduled_hours=daily["queue"].map(hours).fillna(0.0))


def effect(
    session: Session, request_id: int, requirements: pd.DataFrame, queues: dict[str, QueueSettings]
) -> pd.DataFrame:
    """For a request's day, per queue: scheduled agent-hours and projected service level with the published roster
    as it is and with the agent's time off taken out (empty when nothing is published or required that day)."""
    request = _request(session, request_id)
    require(Action.REQUEST_DECIDE, teams={agent_team(session, request.agent_code)})
    first, last = _window(request.day, request.start, request.end)
    day_start = datetime.combine(request.day, time())
    needed = requirements[
        (requirements["interval_start"] >= day_start) & (requirements["interval_start"] < day_start + timedelta(1))
    ].reset_index(drop=True)
    segments = day_segments(session, request.day)
    columns = ["queue", "hours_before", "hours_after", "service_level_before", "service_level_after"]
    if needed.empty or segments.empty:
        return pd.DataFrame(columns=columns)
    before = _daily(segments, needed, queues)
    after = _daily(without_agent(segments, request.agent_code, first, last), needed, queues)
    merged = before.merge(after, on="queue", suffixes=("_before", "_after"))
    return pd.DataFrame(
        {
            "queue": merged["queue"],
            "hours_before": merged["scheduled_hours_before"].round(2),
            "hours_after": merged["scheduled_hours_after"].round(2),
            "service_level_before": merged["service_level_before"].round(4),
            "service_level_after": merged["service_level_after"].round(4),
        }
    )


def decide(session: Session, request_id: int, approve: bool, *, note: str = "") -> int:
    """Approve or refuse a pending request of an agent of the actor's team; approving stores the time off and flags
    the agent's published shift that day for re-planning. Returns the number of shifts flagged."""
    request = _request(session, request_id)
    actor = require(Action.REQUEST_DECIDE, teams={agent_team(session, request.agent_code)})
    if request.status != "pending":
        raise InputError(f"request {request_id} is already {request.status}")
    request.status = "approved" if approve else "refused"
    request.decided_at, request.decided_by, request.note = audit.utc_now(), actor.name, note.strip()
    flagged = 0
    if approve:
        agent_id = session.scalar(select(Agent.id).where(Agent.code == request.agent_code))
        session.add(TimeOffRow(agent_id=agent_id, day=request.day, start=request.start, end=request.end))
        flagged = _flag_shifts(session, request)
    session.flush()
    audit.record(
        session,
        "approve" if approve else "refuse",
        "time_off_requests",
        str(request_id),
        agent=request.agent_code,
        date=request.day.isoformat(),
        flagged=flagged,
    )
    return flagged


def _flag_shifts(session: Session, request: TimeOffRequest) -> int:
    """Flag the agent's published work that overlaps the approved time off (per roster); how many were flagged."""
    first, last = _window(request.day, request.start, request.end)
    flagged = 0
    for published in published_versions(session):
        _info, segments = load_roster(session, published.roster, version=published.version)
        work = segments[
            (segments["agent_id"] == request.agent_code)
            & (segments["activity"] == "work")
            & (segments["start"] < last)
            & (segments["end"] > first)
        ]
        if work.empty:
            continue
        session.add(
            ReplanFlag(
                roster=published.roster,
                version=published.version,
                agent_code=request.agent_code,
                day=request.day,
                reason=f"time off approved (request {request.id})",
                request_id=request.id,
                created_at=audit.utc_now(),
                resolved=False,
            )
        )
        flagged += 1
    return flagged


def open_flags(session: Session) -> pd.DataFrame:
    """Published shifts waiting to be re-planned: roster, version, agent_id, date, reason."""
    rows = session.execute(
        select(ReplanFlag.roster, ReplanFlag.version, ReplanFlag.agent_code, ReplanFlag.day, ReplanFlag.reason)
        .where(ReplanFlag.resolved.is_(False))
        .order_by(ReplanFlag.day, ReplanFlag.agent_code)
    ).all()
    return pd.DataFrame(rows, columns=["roster", "version", "agent_id", "date", "reason"])
