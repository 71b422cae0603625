"""Roster segments may be `reassign`: an intraday reassignment of an agent to another of its queues for some
intervals of a shift (docs/intraday.md).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

NEW = "activity IN ('work', 'break', 'lunch', 'training', 'reassign', 'off')"
OLD = "activity IN ('work', 'break', 'lunch', 'training', 'off')"


def _segments(check: str) -> sa.Table:
    """The roster_segments table with the given activity check (SQLite rebuilds the table from it)."""
    return sa.Table(
        "roster_segments",
        sa.MetaData(),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("agent_code", sa.String(length=200), nullable=False),
        sa.Column("agent_name", sa.String(length=200), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("start_at", sa.DateTime(), nullable=False),
        sa.Column("end_at", sa.DateTime(), nullable=False),
        sa.Column("activity", sa.String(length=20), nullable=False),
        sa.Column("queue", sa.String(length=200), nullable=False),
        sa.CheckConstraint(check, name="ck_roster_segments_activity"),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["roster_versions.id"],
            name="fk_roster_segments_version_id_roster_versions",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_roster_segments"),
        sa.Index("ix_roster_segments_version_agent", "version_id", "agent_code", "start_at"),
    )


def _swap(check: str) -> None:
    """Replace the activity check constraint."""
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("roster_segments", copy_from=_segments(check), recreate="always"):
            pass
        return
    op.drop_constraint(op.f("ck_roster_segments_activity"), "roster_segments", type_="check")
    op.create_check_constraint(op.f("ck_roster_segments_activity"), "roster_segments", check)


def upgrade() -> None:
    """Apply this revision."""
    _swap(NEW)


def downgrade() -> None:
    """Undo this revision (fails while a `reassign` segment is stored)."""
    _swap(OLD)
