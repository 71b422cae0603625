"""`wfm db`: schema migrations, loading a data folder, and saving / publishing / fetching rosters."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from wfm.errors import InputError
from wfm.export import read_roster_segments, segments_table, write_excel_csv
from wfm.store import migrate
from wfm.store.engine import URL_VARIABLE, make_engine
from wfm.store.folder import load_folder
from wfm.store.models import Base
from wfm.store.rosters import load_roster, publish_roster, save_roster

ORDER = 70


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `db` subcommand and its own subcommands."""
    p = subparsers.add_parser("db", help=f"the database (${URL_VARIABLE}, default: SQLite file wfm.db)")
    sub = p.add_subparsers(dest="db_command", required=True, metavar="ACTION")

    def action(
        name: str, help_text: str, handler: Callable[[argparse.Namespace, Engine], int]
    ) -> argparse.ArgumentParser:
        q = sub.add_parser(name, help=help_text)
        q.add_argument("--url", help=f"SQLAlchemy database URL (default: ${URL_VARIABLE}, else sqlite:///wfm.db)")
        q.add_argument("--user", help="who is acting, for the audit log (default: $WFM_USER or the login name)")
        q.set_defaults(func=run, action=handler)
        return q

    action("upgrade", "create or migrate the schema to the newest revision (Alembic)", _upgrade)
    action("status", "schema revision and row counts", _status)
    q = action("load", "check a data folder and load it into the database (all or nothing)", _load)
    q.add_argument("folder", help="data folder, e.g. data/ (queues.csv, agents.csv, shifts.csv, history.csv.gz, …)")
    q = action("save-roster", "save a roster CSV as a new draft version", _save_roster)
    q.add_argument("--roster", required=True, help="roster CSV (export contract)")
    q.add_argument("--name", required=True, help="roster name")
    q.add_argument("--expected-version", required=True, type=int, help="the version you edited (0 for a new roster)")
    q.add_argument("--note", default="", help="a note for this version")
    q = action("publish", "publish the newest version of a roster", _publish)
    q.add_argument("--name", required=True, help="roster name")
    q.add_argument("--expected-version", required=True, type=int, help="the version you checked")
    q = action("get-roster", "write a saved roster version as CSV", _get_roster)
    q.add_argument("--name", required=True, help="roster name")
    which = q.add_mutually_exclusive_group()
    which.add_argument("--version", type=int, help="version number (default: the newest)")
    which.add_argument("--published", action="store_true", help="the newest published version")
    q.add_argument("--out", required=True, help="CSV file to write")


def run(args: argparse.Namespace) -> int:
    """Open the database and run the chosen action; connection failures become one clear line."""
    engine = make_engine(args.url)
    try:
        return args.action(args, engine)
    except OperationalError as exc:
        shown = engine.url.render_as_string(hide_password=True)
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise InputError(f"cannot use the database {shown}: {reason}") from exc
    finally:
        engine.dispose()


def _require_schema(engine: Engine) -> None:
    """Refuse to work on a database whose schema is missing or old."""
    current, head = migrate.current_revision(engine), migrate.head_revision()
    if current != head:
        raise InputError(
            f"the database schema is at revision {current or 'none'}, expected {head}: run `wfm db upgrade`"
        )


def _upgrade(args: argparse.Namespace, engine: Engine) -> int:
    """Migrate to the newest revision."""
    before = migrate.current_revision(engine)
    migrate.upgrade(engine)
    after = migrate.current_revision(engine)
    print(f"schema at revision {after} (was {before or 'empty'})", file=sys.stderr)
    return 0


def _status(args: argparse.Namespace, engine: Engine) -> int:
    """Revision and row counts per table, on stdout."""
    print(f"database: {engine.url.render_as_string(hide_password=True)}")
    print(f"revision: {migrate.current_revision(engine) or 'none'} (newest: {migrate.head_revision()})")
    if migrate.current_revision(engine) is None:
        return 0
    with Session(engine) as session:
        for table in Base.metadata.sorted_tables:
            count = session.scalar(select(func.count()).select_from(table))
            print(f"{table.name}: {count}")
    return 0


def _load(args: argparse.Namespace, engine: Engine) -> int:
    """Migrate if needed, then load the folder in one transaction."""
    if not migrate.is_up_to_date(engine):
        migrate.upgrade(engine)
    counts = load_folder(engine, args.folder, user=args.user)
    summary = ", ".join(f"{name} {n}" for name, n in counts.items())
    print(f"loaded {args.folder}: {summary}", file=sys.stderr)
    return 0


def _save_roster(args: argparse.Namespace, engine: Engine) -> int:
    """Check the roster file, then save it as a new version (refused when the expected version is stale)."""
    segments = read_roster_segments(args.roster)
    _require_schema(engine)
    with Session(engine) as session, session.begin():
        info = save_roster(
            session, args.name, segments, expected_version=args.expected_version, user=args.user, note=args.note
        )
    print(f'saved roster "{info.name}" version {info.version} ({len(segments)} segments, draft)', file=sys.stderr)
    return 0


def _publish(args: argparse.Namespace, engine: Engine) -> int:
    """Publish the newest version."""
    _require_schema(engine)
    with Session(engine) as session, session.begin():
        info = publish_roster(session, args.name, expected_version=args.expected_version, user=args.user)
    print(f'published roster "{info.name}" version {info.version}', file=sys.stderr)
    return 0


def _get_roster(args: argparse.Namespace, engine: Engine) -> int:
    """Write a saved version as a segments CSV."""
    _require_schema(engine)
    with Session(engine) as session:
        info, segments = load_roster(session, args.name, version=args.version, published=args.published)
    write_excel_csv(segments_table(segments), args.out)
    print(
        f'wrote roster "{info.name}" version {info.version} ({info.status}, saved by {info.saved_by}) to {args.out}',
        file=sys.stderr,
    )
    return 0
