"""Users in the database: add, list, disable, set password or role (administrators only), sign in with failed
attempts rate-limited per user name, and the first administrator of an empty database.

Passwords and hashes never reach the audit log, messages or frames returned here.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wfm.auth import passwords
from wfm.auth.permissions import ROLES, Action, Actor, acting_as, current_actor, local_operator, require
from wfm.errors import InputError
from wfm.store import audit
from wfm.store.auth_models import SignInThrottle, User
from wfm.store.models import Agent

NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._@-]{0,63}$")
MAX_FAILURES = 5  # failed sign-ins in WINDOW before the name is locked for LOCK
WINDOW = timedelta(minutes=15)
LOCK = timedelta(minutes=15)
ADMIN_PASSWORD_VARIABLE = "WFM_ADMIN_PASSWORD"
FIRST_ADMIN = "admin"
USER_COLUMNS = ["name", "display_name", "role", "teams", "agent_id", "disabled", "last_sign_in_at", "created_at"]


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in: the actor, or why not ("invalid", "locked") and until when for a lock (UTC)."""

    actor: Actor | None
    reason: str = ""
    locked_until: datetime | None = None


def _name(name: str) -> str:
    """A user name as stored: trimmed, lower case; InputError when it has characters other than a-z 0-9 . _ @ -."""
    clean = name.strip().lower()
    if not NAME_PATTERN.match(clean):
        raise InputError(
            f'"{name.strip()}" is not a user name: expected 1–64 of a-z, 0-9, ".", "_", "@", "-"', column="name"
        )
    return clean


def _user(session: Session, name: str) -> User:
    """The user with this name, or an InputError."""
    user = session.scalar(select(User).where(User.name == _name(name)))
    if user is None:
        raise InputError(f'no user "{name.strip()}"', column="name")
    return user


def _check_role(session: Session, role: str, teams: tuple[str, ...], agent_code: str | None) -> None:
    """A known role; supervisors name teams, agents name an agent of the staff list."""
    if role not in ROLES:
        raise InputError(f'"{role}" is not a role: expected one of {", ".join(ROLES)}', column="role")
    if role == "supervisor" and not teams:
        raise InputError("a supervisor needs at least one team (--team)", column="team")
    if role == "agent" and not agent_code:
        raise InputError("an agent user needs the agent_id they are in the staff list (--agent)", column="agent")
    if agent_code and session.scalar(select(Agent.id).where(Agent.code == agent_code)) is None:
        raise InputError(f'unknown agent "{agent_code}": not in the staff list', column="agent")
    if teams:
        known = set(session.scalars(select(Agent.team).distinct()))
        unknown = [team for team in teams if team not in known]
        if unknown and known:
            raise InputError(f'unknown team "{unknown[0]}": expected one of {", ".join(sorted(known))}', column="team")


def actor_of(user: User) -> Actor:
    """The Actor a user acts as."""
    return Actor(
        name=user.name,
        role=user.role,
        teams=tuple(user.teams or ()),
        agent_code=user.agent_code,
        display_name=user.display_name,
        epoch=user.session_epoch,
    )


def add_user(
    session: Session,
    name: str,
    password: str,
    role: str,
    *,
    display_name: str = "",
    teams: Iterable[str] = (),
    agent_code: str | None = None,
) -> Actor:
    """Create a user (administrators only); the password is hashed with Argon2id and never stored or logged."""
    require(Action.USERS_MANAGE)
    clean = _name(name)
    team_list = tuple(dict.fromkeys(t.strip() for t in teams if t.strip()))
    _check_role(session, role, team_list, agent_code)
    if session.scalar(select(User.id).where(User.name == clean)) is not None:
        raise InputError(f'user "{clean}" already exists', column="name")
    user = User(
        name=clean,
        display_name=display_name.strip(),
        role=role,
        teams=list(team_list),
        agent_code=agent_code or None,
        password_hash=passwords.hash_password(password),
        disabled=False,
        session_epoch=0,
        created_at=audit.utc_now(),
    )
    session.add(user)
    session.flush()
    audit.record(session, "create", "users", clean, role=role, teams=list(team_list), agent=agent_code)
    return actor_of(user)


def list_users(session: Session) -> pd.DataFrame:
    """Every user (no password hashes): name, display name, role, teams, agent, disabled, last sign-in, created."""
    require(Action.USERS_MANAGE)
    rows = [
        [
            u.name,
            u.display_name,
            u.role,
            ",".join(u.teams or ()),
            u.agent_code or "",
            u.disabled,
            u.last_sign_in_at,
            u.created_at,
        ]
        for u in session.scalars(select(User).order_by(User.name))
    ]
    return pd.DataFrame(rows, columns=USER_COLUMNS)


def set_disabled(session: Session, name: str, disabled: bool = True) -> None:
    """Disable (or enable) a user; disabling ends their sessions. Nobody disables themselves."""
    actor = require(Action.USERS_MANAGE)
    user = _user(session, name)
    if disabled and user.name == actor.name:
        raise InputError("you cannot disable your own user", column="name")
    user.disabled = disabled
    user.session_epoch += 1
    audit.record(session, "disable" if disabled else "enable", "users", user.name)


def set_password(session: Session, name: str, password: str) -> None:
    """A new password (administrators for anyone, every user for themselves); ends the user's other sessions."""
    actor = current_actor()
    user = _user(session, name)
    if actor is None or actor.name != user.name or actor.local:
        require(Action.USERS_MANAGE)
    user.password_hash = passwords.hash_password(password)
    user.session_epoch += 1
    audit.record(session, "set-password", "users", user.name)  # never the password or its hash


def set_role(
    session: Session, name: str, role: str, *, teams: Iterable[str] | None = None, agent_code: str | None = None
) -> None:
    """Change a user's role (and teams / agent); ends their sessions so the new rights apply at once."""
    require(Action.USERS_MANAGE)
    user = _user(session, name)
    team_list = tuple(teams) if teams is not None else tuple(user.teams or ())
    code = agent_code if agent_code is not None else user.agent_code
    _check_role(session, role, team_list, code)
    user.role, user.teams, user.agent_code = role, list(team_list), code
    user.session_epoch += 1
    audit.record(session, "set-role", "users", user.name, role=role, teams=list(team_list), agent=code)


def end_sessions(session: Session, name: str) -> None:
    """Sign a user out everywhere (their session tokens stop being accepted): the user themselves or an admin."""
    user = _user(session, name)
    actor = current_actor()
    if actor is None or actor.name != user.name or actor.local:
        require(Action.USERS_MANAGE)
    user.session_epoch += 1
    audit.record(session, "sign-out", "users", user.name, user=user.name)


def _throttle(session: Session, name: str, now: datetime) -> SignInThrottle:
    """The failed-attempt counter of a name (created empty); a window that has passed starts again."""
    row = session.get(SignInThrottle, name)
    if row is None:
        row = SignInThrottle(name=name, failures=0)
        session.add(row)
    if row.first_failure_at is not None and now - row.first_failure_at > WINDOW and not _locked(row, now):
        row.failures, row.first_failure_at = 0, None
    return row


def _locked(row: SignInThrottle, now: datetime) -> bool:
    """Whether the name is locked out right now."""
    return row.locked_until is not None and row.locked_until > now


def authenticate(session: Session, name: str, password: str, *, now: datetime | None = None) -> SignIn:
    """Check a name and password. Commit the session whatever the outcome: failures are counted in the database.

    After MAX_FAILURES failures within WINDOW the name is locked for LOCK, known user or not (so that locks do not
    tell which names exist); a disabled user fails like a wrong password."""
    now = now or audit.utc_now()
    try:
        clean = _name(name)
    except InputError:
        return SignIn(None, "invalid")
    row = _throttle(session, clean, now)
    if _locked(row, now):
        return SignIn(None, "locked", row.locked_until)
    user = session.scalar(select(User).where(User.name == clean))
    ok = passwords.verify_password(user.password_hash if user else None, password)
    if not ok or user is None or user.disabled:
        row.failures += 1
        row.first_failure_at = row.first_failure_at or now
        if row.failures >= MAX_FAILURES:
            row.locked_until = now + LOCK
            row.failures, row.first_failure_at = 0, None
        audit.record(session, "sign-in-failed", "users", clean, user=clean)
        session.flush()
        return SignIn(None, "locked" if row.locked_until and row.locked_until > now else "invalid", row.locked_until)
    row.failures, row.first_failure_at, row.locked_until = 0, None, None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    user.last_sign_in_at = now
    audit.record(session, "sign-in", "users", clean, user=clean)
    session.flush()
    return SignIn(actor_of(user))


def session_actor(session: Session, name: str, epoch: int) -> Actor | None:
    """The actor of a session token still valid: the user exists, is enabled and has not signed out since."""
    user = session.scalar(select(User).where(User.name == name))
    if user is None or user.disabled or user.session_epoch != epoch:
        return None
    return actor_of(user)


def session_actor_by_name(session: Session, name: str) -> Actor | None:
    """The actor of an enabled user with this name (a sign-in vouched for elsewhere, e.g. st.login), else None."""
    user = session.scalar(select(User).where(User.name == name.strip().lower()))
    return None if user is None or user.disabled else actor_of(user)


def ensure_first_admin(session: Session) -> str | None:
    """On a database without users, create the administrator `admin`: with $WFM_ADMIN_PASSWORD, else a random
    password that is returned (to be shown once). None when users exist or the password came from the environment."""
    if session.scalar(select(func.count()).select_from(User)):
        return None
    given = os.environ.get(ADMIN_PASSWORD_VARIABLE, "")
    password = given or passwords.random_password()
    with acting_as(local_operator()):
        add_user(session, FIRST_ADMIN, password, "admin", display_name="Administrator")
    return None if given else password


def announce_first_admin(password: str) -> None:
    """Print the first administrator's password once on the console (stderr; never to a log)."""
    bar = "=" * 72
    print(
        f"\n{bar}\nWFM: created the first administrator.\n  user name: {FIRST_ADMIN}\n  password:  {password}\n"
        f"Sign in and change it (Users page, or `wfm user set-password {FIRST_ADMIN}`). This is shown only once.\n"
        f"{bar}\n",
        file=sys.stderr,
        flush=True,
    )
