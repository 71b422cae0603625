"""Shift swaps on a published roster: an agent offers a day's shift, another agent whose skills cover it accepts
(their own shift that day, if any, goes the other way), and a supervisor of both agents' teams approves. Approval
re-checks the swapped roster with the independent checker (rest, hours, skills, consecutive days, …): a swap that
breaks a rule the roster did not break before is refused, naming the rule and the agent. An approved swap is saved
and published as a new version of the roster."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from wfm.auth.permissions import Action, current_actor, require
from wfm.auth.schedule import agent_team
from wfm.csvio import write_csv
from wfm.errors import InputError
from wfm.roster.checker import check_roster, parse_roster
from wfm.roster.inputs import read_agents, read_rules, read_shifts, read_time_off
from wfm.store import audit, reference
from wfm.store.auth_models import ShiftSwap
from wfm.store.models import Agent
from wfm.store.rosters import load_roster, publish_roster, save_roster

SWAP_COLUMNS = ["id", "roster", "date", "from_agent", "to_agent", "status", "note"]


@dataclass(frozen=True)
class SwapDecision:
    """The outcome of a decision: approved (with the new published version) or refused (with why)."""

    approved: bool
    message: str
    version: int | None = None


def _skills(session: Session, agent_code: str) -> set[str]:
    """The queues an agent may work."""
    agent = session.scalar(select(Agent).where(Agent.code == agent_code))
    if agent is None:
        raise InputError(f'unknown agent "{agent_code}": not in the staff list', column="agent_id")
    return {link.skill.name for link in agent.skills}


def _day_of(segments: pd.DataFrame, agent_code: str, day: date) -> pd.DataFrame:
    """An agent's segments on a day."""
    return segments[(segments["agent_id"] == agent_code) & (segments["date"].dt.date == day)]


def _worked_queues(rows: pd.DataFrame) -> set[str]:
    """The queues of the work segments."""
    return {q for q in rows.loc[rows["activity"] == "work", "queue"].fillna("") if q}


def offer(session: Session, agent_code: str, roster: str, day: date) -> int:
    """The agent offers their shift of `day` in the newest published version of `roster`; the swap's id."""
    require(Action.SWAP_OWN, agent=agent_code)
    _info, segments = load_roster(session, roster, published=True)
    if _worked_queues(_day_of(segments, agent_code, day)) == set():
        raise InputError(f'{agent_code} has no shift on {day} in the published roster "{roster}"', column="date")
    existing = session.scalar(
        select(ShiftSwap.id).where(
            ShiftSwap.from_agent == agent_code, ShiftSwap.day == day, ShiftSwap.status.in_(("offered", "accepted"))
        )
    )
    if existing is not None:
        raise InputError(f"swap {existing} for {day} is already open", column="date")
    swap = ShiftSwap(
        roster=roster, day=day, from_agent=agent_code, status="offered", created_at=audit.utc_now(), note=""
    )
    session.add(swap)
    session.flush()
    audit.record(session, "offer", "shift_swaps", str(swap.id), agent=agent_code, date=day.isoformat())
    return swap.id


def _swap(session: Session, swap_id: int) -> ShiftSwap:
    """The swap with this id, or an InputError."""
    found = session.get(ShiftSwap, swap_id)
    if found is None:
        raise InputError(f"no shift swap {swap_id}")
    return found


def accept(session: Session, swap_id: int, agent_code: str) -> None:
    """Another agent takes the offered shift (and gives theirs of that day, if any); both must have the skills."""
    require(Action.SWAP_OWN, agent=agent_code)
    swap = _swap(session, swap_id)
    if swap.status != "offered":
        raise InputError(f"swap {swap_id} is {swap.status}, not open for taking")
    if agent_code == swap.from_agent:
        raise InputError("an agent cannot take their own shift")
    _info, segments = load_roster(session, swap.roster, published=True)
    theirs = _worked_queues(_day_of(segments, swap.from_agent, swap.day))
    mine = _worked_queues(_day_of(segments, agent_code, swap.day))
    missing = sorted(theirs - _skills(session, agent_code))
    if missing:
        raise InputError(f"{agent_code} lacks the skill {missing[0]} that the offered shift works", column="agent_id")
    back = sorted(mine - _skills(session, swap.from_agent))
    if back:
        raise InputError(f"{swap.from_agent} lacks the skill {back[0]} of {agent_code}'s shift that day")
    swap.to_agent, swap.status, swap.accepted_at = agent_code, "accepted", audit.utc_now()
    audit.record(session, "accept", "shift_swaps", str(swap_id), agent=agent_code)


def exchange(segments: pd.DataFrame, one: str, other: str, day: date) -> pd.DataFrame:
    """The roster with two agents' segments of a day exchanged (ids and names)."""
    names = segments.drop_duplicates("agent_id").set_index("agent_id")["name"].to_dict()
    out = segments.copy()
    on_day = out["date"].dt.date == day
    first, second = on_day & (out["agent_id"] == one), on_day & (out["agent_id"] == other)
    out.loc[first, "agent_id"], out.loc[first, "name"] = other, names.get(other, "")
    out.loc[second, "agent_id"], out.loc[second, "name"] = one, names.get(one, "")
    return out.sort_values(["agent_id", "start", "end"], ignore_index=True)


def violations(session: Session, segments: pd.DataFrame) -> set[tuple[str, str, str, str]]:
    """The independent checker's verdict on a stored roster: (rule, agent, day, message) of each broken hard rule."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_csv(reference.get_agents(session), folder / "agents.csv")
        write_csv(reference.get_shifts(session), folder / "shifts.csv")
        write_csv(reference.get_time_off(session), folder / "time_off.csv")
        rules = reference.get_rules(session)
        lines = [
            line
            for table, values in rules.items()
            for line in (f"[{table}]", *(f"{k} = {v!r}" for k, v in values.items()))
        ]
        (folder / "rules.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        config = read_rules(folder / "rules.toml")
        agents = read_agents(folder / "agents.csv")
        shifts = read_shifts(folder / "shifts.csv", config.rules.interval_minutes)
        time_off = read_time_off(folder / "time_off.csv", {a.agent_id for a in agents})
    text = segments.assign(
        date=segments["date"].dt.strftime("%Y-%m-%d"),
        start=segments["start"].dt.strftime("%Y-%m-%d %H:%M"),
        end=segments["end"].dt.strftime("%Y-%m-%d %H:%M"),
        queue=segments["queue"].fillna(""),
    )
    found = check_roster(parse_roster(text), agents, shifts, time_off, config)
    return {(v.rule, v.agent_id, str(v.day or ""), v.message) for v in found}


def decide(session: Session, swap_id: int, approve: bool, *, note: str = "") -> SwapDecision:
    """Approve (checked first) or refuse an accepted swap, by a supervisor of both agents' teams."""
    swap = _swap(session, swap_id)
    if swap.status != "accepted" or swap.to_agent is None:
        raise InputError(f"swap {swap_id} is {swap.status}: only an accepted swap can be decided")
    teams = {agent_team(session, swap.from_agent), agent_team(session, swap.to_agent)}
    actor = require(Action.SWAP_DECIDE, teams=teams)
    version = None
    if approve:
        info, segments = load_roster(session, swap.roster, published=True)
        swapped = exchange(segments, swap.from_agent, swap.to_agent, swap.day)
        new = sorted(violations(session, swapped) - violations(session, segments))
        if new:
            rule, agent, day, message = new[0]
            approve, note = False, f"checker: {rule} · {agent}{f' · {day}' if day else ''}: {message}"
        else:
            saved = save_roster(
                session, swap.roster, swapped, expected_version=info.latest_version, note=f"shift swap {swap_id}"
            )
            version = publish_roster(session, swap.roster, expected_version=saved.version).version
    swap.status = "approved" if approve else "refused"
    swap.decided_at, swap.decided_by, swap.note = audit.utc_now(), actor.name, note.strip()
    audit.record(
        session, "approve" if approve else "refuse", "shift_swaps", str(swap_id), version=version, note=swap.note
    )
    message = (
        f"swap {swap_id} approved: published as version {version}"
        if approve
        else f"swap {swap_id} refused: {swap.note or 'by ' + actor.name}"
    )
    return SwapDecision(approve, message, version)


def list_swaps(session: Session) -> pd.DataFrame:
    """Open and decided swaps the actor may see (own and open offers for agents; their teams' for supervisors)."""
    actor = current_actor()
    query = select(ShiftSwap).order_by(ShiftSwap.day, ShiftSwap.id)
    rows = [[s.id, s.roster, s.day, s.from_agent, s.to_agent or "", s.status, s.note] for s in session.scalars(query)]
    frame = pd.DataFrame(rows, columns=SWAP_COLUMNS)
    if actor is None:
        return frame.iloc[0:0]
    if actor.role == "agent":
        own = (frame["from_agent"] == actor.agent_code) | (frame["to_agent"] == actor.agent_code)
        return frame[own | (frame["status"] == "offered")].reset_index(drop=True)
    if actor.role == "supervisor":
        codes = set(session.scalars(select(Agent.code).where(Agent.team.in_(actor.teams))))
        return frame[frame["from_agent"].isin(codes) | frame["to_agent"].isin(codes)].reset_index(drop=True)
    return frame
