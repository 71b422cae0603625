"""Schema migrations: upgrade to head, idempotent, and the migrations match the ORM models exactly."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from wfm.store import current_revision, head_revision, is_up_to_date, upgrade
from wfm.store.models import Base


def test_empty_database_has_no_revision(bare_engine):
    assert current_revision(bare_engine) is None
    assert not is_up_to_date(bare_engine)


def test_upgrade_creates_every_table_and_is_idempotent(bare_engine):
    upgrade(bare_engine)
    upgrade(bare_engine)
    assert current_revision(bare_engine) == head_revision()
    tables = set(inspect(bare_engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_migrations_match_the_models(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
