"""Store test fixtures: every database test runs on SQLite and on PostgreSQL.

PostgreSQL comes from $WFM_TEST_PG_URL (e.g. written by .ci/postgres.sh). `engine` gives an empty database at the
newest schema (a copy of a SQLite file migrated once; a PostgreSQL schema migrated once and truncated after each
test); `db_url` / `bare_engine` give a brand-new empty database (a new file; a new PostgreSQL schema). Without the URL the PostgreSQL variants are skipped, unless $WFM_REQUIRE_PG or $CI is set: then they
fail, as does any failure to connect when the URL is set.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from wfm.store import make_engine, upgrade
from wfm.store.models import Base

PG_URL_VARIABLE = "WFM_TEST_PG_URL"
DATA = Path(__file__).resolve().parent / "data"


def _pg_url_or_skip() -> str:
    """The PostgreSQL URL; skip (locally) or fail (CI) when it is not configured."""
    url = os.environ.get(PG_URL_VARIABLE, "").strip()
    if url:
        return url
    if os.environ.get("WFM_REQUIRE_PG") or os.environ.get("CI"):
        pytest.fail(f"${PG_URL_VARIABLE} is not set but PostgreSQL tests are required (run .ci/postgres.sh)")
    pytest.skip(f"no PostgreSQL configured: set ${PG_URL_VARIABLE} (see .ci/postgres.sh)")


@contextmanager
def _pg_schema(base: str) -> Iterator[str]:
    """A fresh schema in the test PostgreSQL; the URL that makes it the search path. Dropped afterwards."""
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database: a SQLite file, or a fresh schema in the test PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'wfm.db'}"
        return
    with _pg_schema(_pg_url_or_skip()) as url:
        yield url


@pytest.fixture
def bare_engine(db_url: str) -> Iterator[Engine]:
    """An engine on the empty database (no schema yet)."""
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to the newest schema once per session; tests get copies."""
    path = tmp_path_factory.mktemp("template") / "wfm.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_migrated_url() -> Iterator[str]:
    """A PostgreSQL schema migrated once per session; each test empties it afterwards."""
    with _pg_schema(_pg_url_or_skip()) as url:
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An engine on an empty database at the newest schema (SQLite: a copy of the template; PostgreSQL: the
    session's migrated schema, whose tables are truncated after the test)."""
    if request.param == "sqlite":
        path = tmp_path / "wfm.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        engine = make_engine(f"sqlite:///{path}")
        yield engine
        engine.dispose()
        return
    engine = make_engine(request.getfixturevalue("pg_migrated_url"))
    try:
        yield engine
    finally:
        names = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
        with engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        engine.dispose()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A writable copy of the small test data folder."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target
