"""Rosters in the database: saved versions (draft / published, when, by whom) and optimistic locking.

Every save of a roster names the version it was edited from (`expected_version`; 0 for a new roster). The save
bumps the roster's version counter with `UPDATE … WHERE version = expected`, in the same transaction that writes
the new segments; when someone else saved first, nothing is written and StaleRosterError says who and when.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from wfm.auth import permissions
from wfm.auth.permissions import Action
from wfm.auth.schedule_diff import changed_agents
from wfm.errors import InputError
from wfm.export import SEGMENT_COLUMNS, check_segments
from wfm.store import audit, bulk
from wfm.store.auth_models import ReplanFlag
from wfm.store.engine import current_user
from wfm.store.models import Agent, Roster, RosterSegment, RosterVersion

VERSION_COLUMNS = ["version", "status", "saved_at", "saved_by", "published_at", "published_by", "note", "segments"]


class StaleRosterError(InputError):
    """A save or publish based on a version that is no longer the newest: nothing was written."""


@dataclass(frozen=True)
class RosterInfo:
    """A saved roster version: its number, status and who saved / published it when (UTC)."""

    name: str
    version: int
    status: str
    saved_at: datetime
    saved_by: str
    published_at: datetime | None
    published_by: str | None
    note: str
    latest_version: int


def _info(roster: Roster, version: RosterVersion) -> RosterInfo:
    """RosterInfo from the records."""
    return RosterInfo(
        name=roster.name,
        version=version.number,
        status=version.status,
        saved_at=version.saved_at,
        saved_by=version.saved_by,
        published_at=version.published_at,
        published_by=version.published_by,
        note=version.note,
        latest_version=roster.version,
    )


def _roster(session: Session, name: str) -> Roster | None:
    """The roster with this name, if any."""
    return session.scalar(select(Roster).where(Roster.name == name))


def _version(session: Session, roster: Roster, number: int) -> RosterVersion:
    """One version of a roster, or an InputError."""
    found = session.scalar(
        select(RosterVersion).where(RosterVersion.roster_id == roster.id, RosterVersion.number == number)
    )
    if found is None:
        raise InputError(f'roster "{roster.name}" has no version {number} (latest: {roster.version})')
    return found


def _stale(session: Session, roster: Roster, expected: int, action: str) -> StaleRosterError:
    """The refusal message: who saved the newer version, and when."""
    session.refresh(roster)
    latest = _version(session, roster, roster.version) if roster.version else None
    by = f" by {latest.saved_by} at {latest.saved_at:%Y-%m-%d %H:%M} UTC" if latest else ""
    return StaleRosterError(
        f'roster "{roster.name}" was changed{by}: it is now at version {roster.version}, but you edited version '
        f"{expected}. Nothing was {action}; reload version {roster.version} and apply your changes to it."
    )


def save_roster(
    session: Session,
    name: str,
    segments: pd.DataFrame,
    *,
    expected_version: int,
    user: str | None = None,
    note: str = "",
) -> RosterInfo:
    """Save segments (the roster contract) as a new draft version of roster `name`, edited from `expected_version`.

    expected_version is 0 for a roster that does not exist yet. A stale expected_version raises StaleRosterError
    and writes nothing; so do bad segments (InputError naming row and column).
    """
    name = name.strip()
    if not name:
        raise InputError("a roster needs a name")
    typed = check_segments(segments)
    roster = _roster(session, name)
    _require_teams(session, Action.ROSTER_SAVE, _latest(session, roster, published=False), typed)
    who = user or current_user()
    now = audit.utc_now()
    if roster is None:
        if expected_version != 0:
            raise InputError(f'roster "{name}" does not exist: save it with expected version 0 to create it')
        roster = Roster(name=name, version=1, created_at=now, created_by=who)
        session.add(roster)
        try:
            with session.begin_nested():
                session.flush()
        except IntegrityError:
            raise StaleRosterError(
                f'roster "{name}" was created by someone else meanwhile; nothing was saved: reload it'
            ) from None
        number = 1
    else:
        bumped = session.execute(
            update(Roster)
            .where(Roster.id == roster.id, Roster.version == expected_version)
            .values(version=Roster.version + 1)
            .execution_options(synchronize_session=False)
        )
        if bumped.rowcount != 1:
            raise _stale(session, roster, expected_version, "saved")
        number = expected_version + 1
        session.refresh(roster)
    version = RosterVersion(roster_id=roster.id, number=number, status="draft", note=note, saved_at=now, saved_by=who)
    session.add(version)
    session.flush()
    _insert_segments(session, version.id, typed)
    audit.record(session, "save", "rosters", name, user=who, version=number, segments=len(typed))
    return _info(roster, version)


def _insert_segments(session: Session, version_id: int, typed: pd.DataFrame) -> None:
    """Bulk-insert checked segments of one version."""
    frame = pd.DataFrame(
        {
            "version_id": np.full(len(typed), version_id),
            "agent_code": typed["agent_id"].to_numpy(),
            "agent_name": typed["name"].to_numpy(),
            "day": typed["date"].to_numpy(),
            "start_at": typed["start"].to_numpy(),
            "end_at": typed["end"].to_numpy(),
            "activity": typed["activity"].to_numpy(),
            "queue": typed["queue"].to_numpy(),
        }
    )
    bulk.insert_frame(session, RosterSegment.__table__, frame)


def _latest(session: Session, roster: Roster | None, *, published: bool) -> pd.DataFrame | None:
    """The segments of the newest (published) version, when a team-scoped user acts (None otherwise or if none)."""
    if roster is None or permissions.team_scope(Action.ROSTER_SAVE) is None:
        return None
    try:
        return load_roster(session, roster.name, published=published)[1]
    except InputError:  # no version, or none published yet
        return None


def _require_teams(session: Session, action: Action, before: pd.DataFrame | None, after: pd.DataFrame) -> None:
    """Refuse (PermissionDenied) a supervisor's save or publish that changes agents outside their teams."""
    if permissions.team_scope(action) is None:
        return
    changed = sorted(changed_agents(before, after))
    teams = dict(session.execute(select(Agent.code, Agent.team).where(Agent.code.in_(changed))).all())
    permissions.require(action, teams={teams.get(code, "") for code in changed})


def publish_roster(session: Session, name: str, *, expected_version: int, user: str | None = None) -> RosterInfo:
    """Mark the newest version published (it must be the version the publisher looked at); a supervisor may publish
    only a version whose changes since the last published one are all in their own team(s)."""
    permissions.require(Action.ROSTER_PUBLISH)
    roster = _roster(session, name)
    if roster is None:
        raise InputError(f'roster "{name}" does not exist')
    locked = session.execute(
        update(Roster)
        .where(Roster.id == roster.id, Roster.version == expected_version)
        .values(version=Roster.version)
        .execution_options(synchronize_session=False)
    )
    if locked.rowcount != 1:
        raise _stale(session, roster, expected_version, "published")
    version = _version(session, roster, expected_version)
    if permissions.team_scope(Action.ROSTER_PUBLISH) is not None:
        _info_now, segments = load_roster(session, name, version=expected_version)
        _require_teams(session, Action.ROSTER_PUBLISH, _latest(session, roster, published=True), segments)
    who = user or current_user()
    version.status = "published"
    version.published_at = audit.utc_now()
    version.published_by = who
    session.execute(  # shifts flagged for re-planning in an older published version are re-planned now
        update(ReplanFlag)
        .where(ReplanFlag.roster == name, ReplanFlag.version < expected_version, ReplanFlag.resolved.is_(False))
        .values(resolved=True)
        .execution_options(synchronize_session=False)
    )
    session.flush()
    audit.record(session, "publish", "rosters", name, user=who, version=expected_version)
    return _info(roster, version)


def load_roster(
    session: Session, name: str, *, version: int | None = None, published: bool = False
) -> tuple[RosterInfo, pd.DataFrame]:
    """A roster version and its segments (the newest, the newest published, or a given number).

    The frame has the roster contract columns typed as check_segments returns them (date/start/end datetime64).
    """
    roster = _roster(session, name)
    if roster is None:
        raise InputError(f'roster "{name}" does not exist')
    if version is None and published:
        version = session.scalar(
            select(func.max(RosterVersion.number)).where(
                RosterVersion.roster_id == roster.id, RosterVersion.status == "published"
            )
        )
        if version is None:
            raise InputError(f'roster "{name}" has no published version')
    record = _version(session, roster, version if version is not None else roster.version)
    query = (
        select(
            RosterSegment.agent_code,
            RosterSegment.agent_name,
            bulk.plain(RosterSegment.day),
            bulk.plain(RosterSegment.start_at),
            bulk.plain(RosterSegment.end_at),
            RosterSegment.activity,
            RosterSegment.queue,
        )
        .where(RosterSegment.version_id == record.id)
        .order_by(RosterSegment.agent_code, RosterSegment.start_at, RosterSegment.end_at)
    )
    frame = bulk.read_frame(session, query, list(SEGMENT_COLUMNS), times=("date", "start", "end"))
    return _info(roster, record), frame


def roster_versions(session: Session, name: str) -> pd.DataFrame:
    """The versions of a roster, newest first, with status, who/when and segment counts."""
    roster = _roster(session, name)
    if roster is None:
        raise InputError(f'roster "{name}" does not exist')
    counts = select(RosterSegment.version_id, func.count().label("n")).group_by(RosterSegment.version_id).subquery()
    query = (
        select(RosterVersion, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.version_id == RosterVersion.id)
        .where(RosterVersion.roster_id == roster.id)
        .order_by(RosterVersion.number.desc())
    )
    rows = [
        [v.number, v.status, v.saved_at, v.saved_by, v.published_at, v.published_by, v.note, int(n)]
        for v, n in session.execute(query).all()
    ]
    return pd.DataFrame(rows, columns=VERSION_COLUMNS)


def list_rosters(session: Session) -> pd.DataFrame:
    """All rosters: name, latest version, created when and by whom."""
    rows = session.execute(
        select(Roster.name, Roster.version, Roster.created_at, Roster.created_by).order_by(Roster.name)
    ).all()
    return pd.DataFrame(rows, columns=["name", "version", "created_at", "created_by"])
