"""Where the database is and how to connect: the URL (WFM_DATABASE_URL or a SQLite file), engines, who is acting."""

from __future__ import annotations

import getpass
import os
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from wfm.auth import permissions
from wfm.errors import InputError

URL_VARIABLE = "WFM_DATABASE_URL"
USER_VARIABLE = "WFM_USER"
DEFAULT_SQLITE_FILE = "wfm.db"


def database_url(url: str | None = None) -> str:
    """The URL to use: the argument, else $WFM_DATABASE_URL, else a SQLite file `wfm.db` in the working directory."""
    chosen = url or os.environ.get(URL_VARIABLE, "").strip()
    if chosen:
        return chosen
    return f"sqlite:///{Path(DEFAULT_SQLITE_FILE).resolve()}"


def make_engine(url: str | None = None, *, echo: bool = False) -> Engine:
    """An engine for the URL (see database_url); SQLite gets foreign keys on and a busy timeout."""
    chosen = database_url(url)
    try:
        parsed = make_url(chosen)
    except ArgumentError as exc:
        raise InputError(
            f'"{chosen}" is not a database URL: expected e.g. sqlite:///wfm.db or postgresql+psycopg://user@host/db',
            column=URL_VARIABLE,
        ) from exc
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, echo=echo, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    return create_engine(parsed, echo=echo, pool_pre_ping=True)


def _sqlite_on_connect(dbapi_connection, _record) -> None:
    """Foreign keys on; let SQLAlchemy (not the sqlite3 module) decide when transactions begin."""
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def _sqlite_on_begin(connection) -> None:
    """BEGIN IMMEDIATE: a writer takes the lock up front, so two writers queue instead of failing half-way."""
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def current_user() -> str:
    """Who is acting, for the audit log: the signed-in user (wfm.auth.permissions), else $WFM_USER or the login."""
    acting = permissions.acting_name()
    if acting:
        return acting
    name = os.environ.get(USER_VARIABLE, "").strip()
    if name:
        return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
