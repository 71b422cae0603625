"""Tables of sign-in and self-service: users, failed sign-in counters, time-off requests, shift swaps, agent
preferences and shifts flagged for re-planning (revision 0002). Bookkeeping times are naive UTC."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from wfm.store.models import NAME, Base

ROLES = ("admin", "planner", "supervisor", "agent")
REQUEST_STATUSES = ("pending", "approved", "refused", "cancelled")
SWAP_STATUSES = ("offered", "accepted", "approved", "refused", "cancelled")


class User(Base):
    """A person who signs in: name, role, teams, the agent they are (agents), an Argon2 hash, disabled, last sign-in.

    session_epoch is part of every session token: bumping it (sign-out, new password, disabling) ends them all.
    """

    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN ('admin', 'planner', 'supervisor', 'agent')", name="role"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME), unique=True)
    display_name: Mapped[str] = mapped_column(String(NAME), default="")
    role: Mapped[str] = mapped_column(String(20))
    teams: Mapped[list] = mapped_column(JSON, default=list)
    agent_code: Mapped[str | None] = mapped_column(String(NAME))
    password_hash: Mapped[str] = mapped_column(String(400))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(DateTime)


class SignInThrottle(Base):
    """Failed sign-ins per (lower-cased) user name, known or not: the count in the window and the lock-out end."""

    __tablename__ = "sign_in_throttle"
    name: Mapped[str] = mapped_column(String(NAME), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    first_failure_at: Mapped[datetime | None] = mapped_column(DateTime)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)


class TimeOffRequest(Base):
    """An agent's request for a day off or some hours off (start–end HH:MM), with a reason and the decision."""

    __tablename__ = "time_off_requests"
    __table_args__ = (CheckConstraint("status IN ('pending', 'approved', 'refused', 'cancelled')", name="status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    agent_code: Mapped[str] = mapped_column(String(NAME), index=True)
    day: Mapped[date] = mapped_column(Date)
    start: Mapped[str | None] = mapped_column(String(5))
    end: Mapped[str | None] = mapped_column(String(5))
    reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="pending")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(NAME))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decided_by: Mapped[str | None] = mapped_column(String(NAME))
    note: Mapped[str] = mapped_column(Text, default="")


class ShiftSwap(Base):
    """A shift offered by one agent for a day of a published roster, accepted by another, decided by a supervisor."""

    __tablename__ = "shift_swaps"
    __table_args__ = (
        CheckConstraint("status IN ('offered', 'accepted', 'approved', 'refused', 'cancelled')", name="status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    roster: Mapped[str] = mapped_column(String(NAME))
    day: Mapped[date] = mapped_column(Date)
    from_agent: Mapped[str] = mapped_column(String(NAME), index=True)
    to_agent: Mapped[str | None] = mapped_column(String(NAME))
    status: Mapped[str] = mapped_column(String(20), default="offered")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decided_by: Mapped[str | None] = mapped_column(String(NAME))
    note: Mapped[str] = mapped_column(Text, default="")


class AgentPreference(Base):
    """An agent's standing wishes: preferred weekdays off (0 = Monday) and preferred shift categories."""

    __tablename__ = "agent_preferences"
    agent_code: Mapped[str] = mapped_column(String(NAME), primary_key=True)
    days_off: Mapped[list] = mapped_column(JSON, default=list)
    categories: Mapped[list] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class ReplanFlag(Base):
    """A published shift to re-plan (e.g. after approved time off): roster, version, agent, day, why."""

    __tablename__ = "replan_flags"
    id: Mapped[int] = mapped_column(primary_key=True)
    roster: Mapped[str] = mapped_column(String(NAME))
    version: Mapped[int] = mapped_column(Integer)
    agent_code: Mapped[str] = mapped_column(String(NAME), index=True)
    day: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text, default="")
    request_id: Mapped[int | None] = mapped_column(ForeignKey("time_off_requests.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    resolved: Mapped[bool] = mapped_column(Boolean, default=False)
