"""Roles × actions, team and own-agent scoping, and who is acting: the one permission check that the store's save
functions, the self-service functions, the UI and the command line all go through.

Who is acting is a context variable: the UI sets the signed-in user (or nobody) for each script run and each database
session; the command line, tests and scripts that import the library act as the local operator (an administrator:
whoever can run them can open the database directly), unless they set an actor with `acting_as`.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from enum import StrEnum

from wfm.errors import InputError

ROLES = ("admin", "planner", "supervisor", "agent")


class Action(StrEnum):
    """Everything the permission table speaks of."""

    USERS_MANAGE = "users.manage"
    QUEUES_SAVE = "queues.save"
    RULES_SAVE = "rules.save"
    STAFF_SAVE = "staff.save"  # agents, skills and shift templates
    DATA_LOAD = "data.load"  # a whole data folder
    EVENTS_SAVE = "events.save"
    TIME_OFF_SAVE = "time_off.save"  # the time-off table as a whole
    HISTORY_SAVE = "history.save"
    FORECAST_SAVE = "forecast.save"
    REQUIREMENTS_SAVE = "requirements.save"
    SCENARIO_SAVE = "scenario.save"
    PLANNING_VIEW = "planning.view"  # data, forecast, staffing, scenario, export pages
    ROSTER_VIEW = "roster.view"
    ROSTER_SAVE = "roster.save"  # team-scoped for supervisors
    ROSTER_PUBLISH = "roster.publish"  # team-scoped for supervisors
    TEAM_VIEW = "team.view"  # the schedules and requests of a team
    REQUEST_DECIDE = "request.decide"  # approve / refuse time off (team-scoped)
    SWAP_DECIDE = "swap.decide"  # approve / refuse shift swaps (team-scoped)
    SCHEDULE_OWN = "schedule.own"  # own published schedule, ICS
    REQUEST_OWN = "request.own"  # own time-off requests
    SWAP_OWN = "swap.own"  # offer / accept shifts
    PREFERENCES_OWN = "preferences.own"


PLANNING = {
    Action.PLANNING_VIEW,
    Action.HISTORY_SAVE,
    Action.FORECAST_SAVE,
    Action.REQUIREMENTS_SAVE,
    Action.SCENARIO_SAVE,
    Action.EVENTS_SAVE,
    Action.TIME_OFF_SAVE,
    Action.ROSTER_VIEW,
    Action.ROSTER_SAVE,
    Action.ROSTER_PUBLISH,
    Action.TEAM_VIEW,
}
OWN = {Action.SCHEDULE_OWN, Action.REQUEST_OWN, Action.SWAP_OWN, Action.PREFERENCES_OWN}
ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    "admin": frozenset(Action) - OWN,
    "planner": frozenset(PLANNING),
    "supervisor": frozenset(
        {
            Action.PLANNING_VIEW,
            Action.ROSTER_VIEW,
            Action.ROSTER_SAVE,
            Action.ROSTER_PUBLISH,
            Action.TEAM_VIEW,
            Action.REQUEST_DECIDE,
            Action.SWAP_DECIDE,
        }
    ),
    "agent": frozenset(OWN),
}
# Actions a supervisor may take only for the agents of their own team(s).
TEAM_SCOPED = {Action.ROSTER_SAVE, Action.ROSTER_PUBLISH, Action.TEAM_VIEW, Action.REQUEST_DECIDE, Action.SWAP_DECIDE}
SCOPED_ROLES = {"supervisor"}
DESCRIPTIONS = {
    Action.USERS_MANAGE: "manage users",
    Action.QUEUES_SAVE: "change queue settings",
    Action.RULES_SAVE: "change the roster rules",
    Action.STAFF_SAVE: "change agents, skills or shift templates",
    Action.DATA_LOAD: "load a data folder",
    Action.EVENTS_SAVE: "change the event calendar",
    Action.TIME_OFF_SAVE: "replace the time-off table",
    Action.HISTORY_SAVE: "save history",
    Action.FORECAST_SAVE: "save forecasts",
    Action.REQUIREMENTS_SAVE: "save requirements",
    Action.SCENARIO_SAVE: "save scenarios",
    Action.PLANNING_VIEW: "open the planning pages",
    Action.ROSTER_VIEW: "open the roster builder",
    Action.ROSTER_SAVE: "save roster drafts",
    Action.ROSTER_PUBLISH: "publish rosters",
    Action.TEAM_VIEW: "see a team's schedules and requests",
    Action.REQUEST_DECIDE: "approve or refuse time-off requests",
    Action.SWAP_DECIDE: "approve or refuse shift swaps",
    Action.SCHEDULE_OWN: "see an agent's own schedule",
    Action.REQUEST_OWN: "request time off",
    Action.SWAP_OWN: "offer or accept shifts",
    Action.PREFERENCES_OWN: "enter preferences",
}


class PermissionDenied(InputError):
    """The acting user may not do this; nothing was written."""


@dataclass(frozen=True)
class Actor:
    """Who is acting: user name, role, teams (supervisors), the agent they are (agents), display name."""

    name: str
    role: str
    teams: tuple[str, ...] = ()
    agent_code: str | None = None
    display_name: str = ""
    epoch: int = 0
    local: bool = field(default=False, compare=False)  # the local operator (command line, scripts), not a user

    @property
    def label(self) -> str:
        """How the user is shown: display name, else the user name."""
        return self.display_name or self.name


_ACTOR: ContextVar[Actor | None] = ContextVar("wfm_actor", default=None)
_SIGNED_OUT: ContextVar[bool] = ContextVar("wfm_signed_out", default=False)


def local_operator() -> Actor:
    """The operator of a command or script: $WFM_USER, else the login name, with an administrator's rights."""
    name = os.environ.get("WFM_USER", "").strip()
    if not name:
        try:
            name = getpass.getuser()
        except (KeyError, OSError):
            name = "unknown"
    return Actor(name=name, role="admin", local=True)


def set_actor(actor: Actor | None) -> None:
    """Make `actor` the one acting in this context; None means nobody is signed in (everything is refused)."""
    _ACTOR.set(actor)
    _SIGNED_OUT.set(actor is None)


@contextmanager
def acting_as(actor: Actor | None) -> Iterator[Actor | None]:
    """Act as `actor` (None: nobody signed in) inside the block."""
    token, signed_out = _ACTOR.set(actor), _SIGNED_OUT.set(actor is None)
    try:
        yield actor
    finally:
        _ACTOR.reset(token)
        _SIGNED_OUT.reset(signed_out)


def current_actor() -> Actor | None:
    """Who is acting here: the actor set in this context, nobody (signed out), else the local operator."""
    actor = _ACTOR.get()
    if actor is not None:
        return actor
    return None if _SIGNED_OUT.get() else local_operator()


def acting_name() -> str | None:
    """The name of who is acting, for the audit log and saved_by columns (None when nobody is signed in)."""
    actor = current_actor()
    return actor.name if actor else None


def can(actor: Actor | None, action: Action) -> bool:
    """Whether the role may take the action at all (team and own-agent scopes are checked by `require`)."""
    return actor is not None and action in ROLE_ACTIONS.get(actor.role, frozenset())


def _refusal(actor: Actor | None, action: Action, detail: str = "") -> PermissionDenied:
    """The one-line refusal: who, which role, what."""
    if actor is None:
        return PermissionDenied(f"sign in first: nobody may {DESCRIPTIONS[action]} without signing in")
    return PermissionDenied(f"{actor.name} ({actor.role}) may not {DESCRIPTIONS[action]}{detail}; nothing was changed")


def require(
    action: Action, *, teams: Iterable[str] | None = None, agent: str | None = None, actor: Actor | None = None
) -> Actor:
    """The acting user, when they may take `action` on these teams' agents / this agent; else PermissionDenied.

    teams: the teams of every agent the action touches (checked for supervisors); agent: the agent an own action
    is about (an agent may act only for themselves)."""
    who = actor if actor is not None else current_actor()
    if not can(who, action):
        raise _refusal(who, action)
    assert who is not None
    if action in OWN and (agent is None or agent != who.agent_code):
        raise _refusal(who, action, f" for agent {agent or '(none)'}: only for their own schedule")
    if action in TEAM_SCOPED and who.role in SCOPED_ROLES and teams is not None:
        outside = sorted(set(teams) - set(who.teams))
        if outside:
            mine = ", ".join(who.teams) or "no team"
            raise _refusal(who, action, f" for team {outside[0]!r}: they look after {mine}")
    return who


def team_scope(action: Action, actor: Actor | None = None) -> frozenset[str] | None:
    """The teams the actor may take a team-scoped action for (None: every team); PermissionDenied if none at all."""
    who = require(action, actor=actor)
    if action in TEAM_SCOPED and who.role in SCOPED_ROLES:
        return frozenset(who.teams)
    return None
