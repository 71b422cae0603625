"""Users and agent self-service: users, failed sign-in counters, time-off requests, shift swaps, agent
preferences, shifts flagged for re-planning.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "agent_preferences",
        sa.Column("agent_code", sa.String(length=200), nullable=False),
        sa.Column("days_off", sa.JSON(), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("agent_code", name=op.f("pk_agent_preferences")),
    )
    op.create_table(
        "shift_swaps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("roster", sa.String(length=200), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("from_agent", sa.String(length=200), nullable=False),
        sa.Column("to_agent", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("accepted_at", sa.DateTime(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "status IN ('offered', 'accepted', 'approved', 'refused', 'cancelled')", name=op.f("ck_shift_swaps_status")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shift_swaps")),
    )
    with op.batch_alter_table("shift_swaps", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shift_swaps_from_agent"), ["from_agent"], unique=False)

    op.create_table(
        "sign_in_throttle",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("first_failure_at", sa.DateTime(), nullable=True),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_sign_in_throttle")),
    )
    op.create_table(
        "time_off_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agent_code", sa.String(length=200), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("start", sa.String(length=5), nullable=True),
        sa.Column("end", sa.String(length=5), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'refused', 'cancelled')", name=op.f("ck_time_off_requests_status")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_time_off_requests")),
    )
    with op.batch_alter_table("time_off_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_time_off_requests_agent_code"), ["agent_code"], unique=False)

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("teams", sa.JSON(), nullable=False),
        sa.Column("agent_code", sa.String(length=200), nullable=True),
        sa.Column("password_hash", sa.String(length=400), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("session_epoch", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_sign_in_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("role IN ('admin', 'planner', 'supervisor', 'agent')", name=op.f("ck_users_role")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("name", name=op.f("uq_users_name")),
    )
    op.create_table(
        "replan_flags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("roster", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("agent_code", sa.String(length=200), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("resolved", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["time_off_requests.id"],
            name=op.f("fk_replan_flags_request_id_time_off_requests"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_replan_flags")),
    )
    with op.batch_alter_table("replan_flags", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_replan_flags_agent_code"), ["agent_code"], unique=False)


def downgrade() -> None:
    """Undo this revision."""
    with op.batch_alter_table("replan_flags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_replan_flags_agent_code"))

    op.drop_table("replan_flags")
    op.drop_table("users")
    with op.batch_alter_table("time_off_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_time_off_requests_agent_code"))

    op.drop_table("time_off_requests")
    op.drop_table("sign_in_throttle")
    with op.batch_alter_table("shift_swaps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shift_swaps_from_agent"))

    op.drop_table("shift_swaps")
    op.drop_table("agent_preferences")
