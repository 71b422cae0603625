"""An agent's published schedule (own, or a team's agents for their supervisor) and what changed at the last publish.

The schedule is the newest published version of every roster; where two rosters cover the same day, the one
published last wins for that day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from wfm.auth.permissions import Action, Actor, can, current_actor, require
from wfm.auth.schedule_diff import day_changes
from wfm.errors import InputError
from wfm.store.models import Agent, Roster, RosterVersion
from wfm.store.rosters import load_roster

CHANGE_COLUMNS = ["roster", "version", "published_at", "date", "before", "after"]


@dataclass(frozen=True)
class Published:
    """A roster's newest published version."""

    roster: str
    version: int
    published_at: datetime
    published_by: str


def agent_team(session: Session, agent_code: str) -> str:
    """The team of an agent of the staff list (InputError for an unknown agent)."""
    team = session.scalar(select(Agent.team).where(Agent.code == agent_code))
    if team is None:
        raise InputError(f'unknown agent "{agent_code}": not in the staff list', column="agent_id")
    return team


def require_view(session: Session, agent_code: str, actor: Actor | None = None) -> Actor:
    """May the actor see this agent's schedule: their own, or an agent of a team they look after (PermissionDenied)."""
    who = actor or current_actor()
    if who is not None and who.agent_code == agent_code and can(who, Action.SCHEDULE_OWN):
        return require(Action.SCHEDULE_OWN, agent=agent_code, actor=who)
    return require(Action.TEAM_VIEW, teams={agent_team(session, agent_code)}, actor=who)


def visible_agents(session: Session, actor: Actor | None = None) -> list[str]:
    """The agents whose schedules the actor may see: themselves, or their teams' (every agent for planners)."""
    who = actor or current_actor()
    if who is None:
        return []
    if can(who, Action.TEAM_VIEW):
        query = select(Agent.code).order_by(Agent.code)
        if who.role == "supervisor":
            query = query.where(Agent.team.in_(who.teams))
        return list(session.scalars(query))
    return [who.agent_code] if who.agent_code and can(who, Action.SCHEDULE_OWN) else []


def published_versions(session: Session) -> list[Published]:
    """The newest published version of every roster, oldest publication first."""
    rows = session.execute(
        select(Roster.name, RosterVersion.number, RosterVersion.published_at, RosterVersion.published_by)
        .join(RosterVersion, RosterVersion.roster_id == Roster.id)
        .where(RosterVersion.status == "published")
        .order_by(Roster.name, RosterVersion.number)
    ).all()
    newest: dict[str, Published] = {}
    for name, number, at, by in rows:
        newest[name] = Published(name, number, at, by or "")
    return sorted(newest.values(), key=lambda p: (p.published_at, p.roster))


def _previous_published(session: Session, roster: str, version: int) -> int | None:
    """The published version before `version` of a roster, if any."""
    return session.scalar(
        select(RosterVersion.number)
        .join(Roster, Roster.id == RosterVersion.roster_id)
        .where(Roster.name == roster, RosterVersion.status == "published", RosterVersion.number < version)
        .order_by(RosterVersion.number.desc())
        .limit(1)
    )


def _empty_schedule() -> pd.DataFrame:
    """A schedule without segments, with the columns typed as load_roster types them."""
    times = {c: pd.Series(dtype="datetime64[ns]") for c in ("date", "start", "end")}
    text = {c: pd.Series(dtype=object) for c in ("agent_id", "name", "activity", "queue", "roster")}
    return pd.DataFrame({**text, **times, "version": pd.Series(dtype="int64")})[
        ["agent_id", "name", "date", "start", "end", "activity", "queue", "roster", "version"]
    ]


def agent_schedule(session: Session, agent_code: str) -> tuple[pd.DataFrame, list[Published]]:
    """The agent's published segments (roster contract columns plus roster, version) and the versions used."""
    require_view(session, agent_code)
    days: dict[str, pd.DataFrame] = {}
    used = []
    for published in published_versions(session):
        _info, segments = load_roster(session, published.roster, version=published.version)
        mine = segments[segments["agent_id"] == agent_code]
        if mine.empty:
            continue
        used.append(published)
        for day, rows in mine.groupby(mine["date"].dt.strftime("%Y-%m-%d")):
            days[day] = rows.assign(roster=published.roster, version=published.version)
    if not days:
        return _empty_schedule(), used
    frame = pd.concat([days[d] for d in sorted(days)], ignore_index=True)
    return frame.sort_values(["start", "end"], ignore_index=True), used


def changes_at_last_publish(session: Session, agent_code: str) -> pd.DataFrame:
    """What changed for the agent when each roster was last published, against its previous published version
    (a roster published for the first time: every day of the agent is new)."""
    require_view(session, agent_code)
    parts = []
    for published in published_versions(session):
        _info, after = load_roster(session, published.roster, version=published.version)
        previous = _previous_published(session, published.roster, published.version)
        before = load_roster(session, published.roster, version=previous)[1] if previous else None
        mine_before = before[before["agent_id"] == agent_code] if before is not None else None
        changes = day_changes(mine_before, after[after["agent_id"] == agent_code])
        if not changes.empty:
            parts.append(
                changes.drop(columns="agent_id").assign(
                    roster=published.roster, version=published.version, published_at=published.published_at
                )
            )
    if not parts:
        return pd.DataFrame(columns=CHANGE_COLUMNS)
    return pd.concat(parts, ignore_index=True)[CHANGE_COLUMNS]
