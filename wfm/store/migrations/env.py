"""Alembic environment: runs migrations on the engine handed over by wfm.store.migrate (or the configured URL)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from wfm.store.engine import make_engine
from wfm.store.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    """Run the migrations in a transaction on a live connection."""
    engine: Engine | None = config.attributes.get("engine")
    if engine is None:
        engine = make_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported; run `wfm db upgrade`")
run_migrations_online()
