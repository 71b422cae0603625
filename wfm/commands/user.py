"""`wfm user`: add, list, disable, set-password and set-role of the people who sign in to the app.

Passwords are never taken from the command line (where `ps` and shell history would show them): they are typed
at a prompt, read from standard input with --password-stdin, read from $WFM_NEW_PASSWORD, or made up with --random
and printed once.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from wfm.auth import passwords, users
from wfm.auth.permissions import ROLES
from wfm.errors import InputError
from wfm.store import migrate
from wfm.store.engine import URL_VARIABLE, make_engine

ORDER = 75
PASSWORD_VARIABLE = "WFM_NEW_PASSWORD"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `user` subcommand and its actions."""
    p = subparsers.add_parser("user", help="users who sign in to the app (add, list, disable, set-password, set-role)")
    sub = p.add_subparsers(dest="user_command", required=True, metavar="ACTION")

    def action(
        name: str, help_text: str, handler: Callable[[argparse.Namespace, Session], int]
    ) -> argparse.ArgumentParser:
        q = sub.add_parser(name, help=help_text)
        q.add_argument("--url", help=f"SQLAlchemy database URL (default: ${URL_VARIABLE}, else sqlite:///wfm.db)")
        q.set_defaults(func=run, action=handler)
        return q

    def password_options(q: argparse.ArgumentParser) -> None:
        how = q.add_mutually_exclusive_group()
        how.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
        how.add_argument("--random", action="store_true", help="make up a random password and print it once")

    q = action("add", "add a user", _add)
    q.add_argument("name", help="user name (a-z, 0-9, . _ @ -)")
    q.add_argument("--role", required=True, choices=ROLES)
    q.add_argument("--display-name", default="", help="the name shown in the app")
    q.add_argument("--team", action="append", default=[], help="a team a supervisor looks after (repeatable)")
    q.add_argument("--agent", help="the agent_id of the staff list this user is (agents)")
    password_options(q)
    action("list", "list users (never their passwords)", _list)
    q = action("disable", "disable a user (ends their sessions)", _disable)
    q.add_argument("name")
    q.add_argument("--enable", action="store_true", help="enable the user again instead")
    q = action("set-password", "set a user's password (ends their sessions)", _set_password)
    q.add_argument("name")
    password_options(q)
    q = action("set-role", "change a user's role, teams or agent (ends their sessions)", _set_role)
    q.add_argument("name")
    q.add_argument("role", choices=ROLES)
    q.add_argument("--team", action="append", default=None, help="a team a supervisor looks after (repeatable)")
    q.add_argument("--agent", help="the agent_id of the staff list this user is (agents)")


def run(args: argparse.Namespace) -> int:
    """Open (and if needed migrate) the database, run the action in one transaction."""
    engine = make_engine(args.url)
    try:
        _schema(engine)
        with Session(engine) as session, session.begin():
            return args.action(args, session)
    except OperationalError as exc:
        shown = engine.url.render_as_string(hide_password=True)
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise InputError(f"cannot use the database {shown}: {reason}") from exc
    finally:
        engine.dispose()


def _schema(engine: Engine) -> None:
    """Bring the schema to the newest revision (users arrived in revision 0002)."""
    if not migrate.is_up_to_date(engine):
        migrate.upgrade(engine)


def read_password(args: argparse.Namespace) -> tuple[str, bool]:
    """(password, made up) from --random, --password-stdin, $WFM_NEW_PASSWORD or a prompt typed twice."""
    if args.random:
        return passwords.random_password(), True
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n"), False
    given = os.environ.get(PASSWORD_VARIABLE, "")
    if given:
        return given, False
    if not sys.stdin.isatty():
        raise InputError(f"no password: type it at a prompt, or use --password-stdin, ${PASSWORD_VARIABLE} or --random")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise InputError("the two passwords differ; nothing was changed")
    return first, False


def _show_once(name: str, password: str, made_up: bool) -> None:
    """Print a made-up password once (stdout, so it can be piped to a password manager)."""
    if made_up:
        print(f"password for {name}: {password}")


def _add(args: argparse.Namespace, session: Session) -> int:
    """Add a user."""
    password, made_up = read_password(args)
    actor = users.add_user(
        session,
        args.name,
        password,
        args.role,
        display_name=args.display_name,
        teams=args.team,
        agent_code=args.agent,
    )
    print(f"added user {actor.name} ({actor.role})", file=sys.stderr)
    _show_once(actor.name, password, made_up)
    return 0


def _list(args: argparse.Namespace, session: Session) -> int:
    """Users as a table on stdout."""
    frame = users.list_users(session)
    print(frame.to_string(index=False) if len(frame) else "no users")
    return 0


def _disable(args: argparse.Namespace, session: Session) -> int:
    """Disable or enable a user."""
    users.set_disabled(session, args.name, not args.enable)
    print(f"{'enabled' if args.enable else 'disabled'} user {args.name.strip().lower()}", file=sys.stderr)
    return 0


def _set_password(args: argparse.Namespace, session: Session) -> int:
    """Set a password."""
    password, made_up = read_password(args)
    users.set_password(session, args.name, password)
    print(f"set the password of {args.name.strip().lower()}", file=sys.stderr)
    _show_once(args.name.strip().lower(), password, made_up)
    return 0


def _set_role(args: argparse.Namespace, session: Session) -> int:
    """Change role, teams, agent."""
    users.set_role(session, args.name, args.role, teams=args.team, agent_code=args.agent)
    print(f"user {args.name.strip().lower()} is now {args.role}", file=sys.stderr)
    return 0
