"""The database schema as SQLAlchemy 2.0 typed ORM classes; record classes stay inside wfm.store.

Timestamps of data (history, forecast, requirements, roster segments) are naive local times of the site, as in
the CSV contracts; bookkeeping times (saved_at, published_at, audit `at`) are naive UTC.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Stable constraint names, so that Alembic migrations can refer to them on every backend.
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
NAME = 200  # length of name-like text columns
ROSTER_STATUSES = ("draft", "published")
ACTIVITIES = ("work", "break", "lunch", "training", "reassign", "off")


class Base(DeclarativeBase):
    """Declarative base with the naming convention."""

    metadata = MetaData(naming_convention=NAMING)


class Queue(Base):
    """A queue and its settings (the queues contract); settings outside the contract go to `extra`."""

    __tablename__ = "queues"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME), unique=True)
    channel: Mapped[str] = mapped_column(String(20))
    interval_minutes: Mapped[int] = mapped_column(Integer)
    service_level: Mapped[float] = mapped_column(Float)
    answer_seconds: Mapped[float] = mapped_column(Float)
    response_hours: Mapped[float | None] = mapped_column(Float)
    max_occupancy: Mapped[float | None] = mapped_column(Float)
    shrinkage: Mapped[float | None] = mapped_column(Float)
    patience_seconds: Mapped[float | None] = mapped_column(Float)
    concurrency: Mapped[int | None] = mapped_column(Integer)
    open: Mapped[str | None] = mapped_column(String(5))
    close: Mapped[str | None] = mapped_column(String(5))
    extra: Mapped[dict] = mapped_column(JSON, default=dict)


class HistoryRow(Base):
    """Contacts offered (and optionally answered, abandoned, handle and wait times) per queue and interval."""

    __tablename__ = "history"
    __table_args__ = (UniqueConstraint("queue_id", "interval_start"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    queue_id: Mapped[int] = mapped_column(ForeignKey("queues.id", ondelete="CASCADE"))
    interval_start: Mapped[datetime] = mapped_column(DateTime)
    offered: Mapped[float] = mapped_column(Float)
    answered: Mapped[float | None] = mapped_column(Float)
    abandoned: Mapped[float | None] = mapped_column(Float)
    aht_seconds: Mapped[float | None] = mapped_column(Float)
    asa_seconds: Mapped[float | None] = mapped_column(Float)
    answered_in_target: Mapped[float | None] = mapped_column(Float)


class Scenario(Base):
    """A what-if scenario: a name, a description and its parameters (transforms of a forecast)."""

    __tablename__ = "scenarios"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(NAME))


class ForecastRun(Base):
    """One forecast (and the requirements computed from it): when, by whom, which model, for which scenario."""

    __tablename__ = "forecast_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(NAME), default="")
    model: Mapped[str] = mapped_column(String(NAME), default="")
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    scenario_id: Mapped[int | None] = mapped_column(ForeignKey("scenarios.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(NAME))


class ForecastRow(Base):
    """Forecast volume and AHT (with optional bounds) per queue and interval of one run."""

    __tablename__ = "forecasts"
    __table_args__ = (UniqueConstraint("run_id", "queue_id", "interval_start"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("forecast_runs.id", ondelete="CASCADE"))
    queue_id: Mapped[int] = mapped_column(ForeignKey("queues.id", ondelete="CASCADE"))
    interval_start: Mapped[datetime] = mapped_column(DateTime)
    volume: Mapped[float] = mapped_column(Float)
    aht_seconds: Mapped[float] = mapped_column(Float)
    volume_lo: Mapped[float | None] = mapped_column(Float)
    volume_hi: Mapped[float | None] = mapped_column(Float)
    model: Mapped[str | None] = mapped_column(String(NAME))


class RequirementRow(Base):
    """Agents required per queue and interval of one run, with the projected service measures."""

    __tablename__ = "requirements"
    __table_args__ = (UniqueConstraint("run_id", "queue_id", "interval_start"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("forecast_runs.id", ondelete="CASCADE"))
    queue_id: Mapped[int] = mapped_column(ForeignKey("queues.id", ondelete="CASCADE"))
    interval_start: Mapped[datetime] = mapped_column(DateTime)
    volume: Mapped[float] = mapped_column(Float)
    aht_seconds: Mapped[float] = mapped_column(Float)
    required_agents: Mapped[float] = mapped_column(Float)
    net_agents: Mapped[float | None] = mapped_column(Float)
    service_level: Mapped[float | None] = mapped_column(Float)
    asa_seconds: Mapped[float | None] = mapped_column(Float)
    occupancy: Mapped[float | None] = mapped_column(Float)
    p_wait: Mapped[float | None] = mapped_column(Float)
    p_abandon: Mapped[float | None] = mapped_column(Float)
    model: Mapped[str | None] = mapped_column(String(NAME))


class Skill(Base):
    """A skill: the name of a queue an agent may serve."""

    __tablename__ = "skills"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME), unique=True)


class AgentSkill(Base):
    """Agent ↔ skill, in the order the agents file lists them."""

    __tablename__ = "agent_skills"
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True)
    skill_id: Mapped[int] = mapped_column(ForeignKey("skills.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    skill: Mapped[Skill] = relationship(lazy="joined")


class Agent(Base):
    """An agent (the agents contract); `code` is the agent_id of the files."""

    __tablename__ = "agents"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(NAME), unique=True)
    name: Mapped[str] = mapped_column(String(NAME), default="")
    team: Mapped[str] = mapped_column(String(NAME), default="")
    min_hours_week: Mapped[float | None] = mapped_column(Float)
    max_hours_week: Mapped[float | None] = mapped_column(Float)
    max_days_week: Mapped[int | None] = mapped_column(Integer)
    new_hire: Mapped[bool] = mapped_column(Boolean, default=False)
    earliest_start: Mapped[str | None] = mapped_column(String(5))
    latest_end: Mapped[str | None] = mapped_column(String(5))
    extra: Mapped[dict] = mapped_column(JSON, default=dict)
    skills: Mapped[list[AgentSkill]] = relationship(
        cascade="all, delete-orphan", order_by=AgentSkill.position, passive_deletes=True
    )


class TimeOffRow(Base):
    """An agent's time off: a whole day, or start–end (HH:MM) of that day."""

    __tablename__ = "time_off"
    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(Date)
    start: Mapped[str | None] = mapped_column(String(5))
    end: Mapped[str | None] = mapped_column(String(5))


class ShiftTemplateRow(Base):
    """A shift template (the shifts contract)."""

    __tablename__ = "shift_templates"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME), unique=True)
    start: Mapped[str] = mapped_column(String(5))
    length_minutes: Mapped[int] = mapped_column(Integer)
    days: Mapped[str] = mapped_column(String(NAME), default="")
    lunch_minutes: Mapped[int] = mapped_column(Integer, default=0)
    breaks: Mapped[str] = mapped_column(String(NAME), default="")  # as written, e.g. "15;15" (minutes each)
    category: Mapped[str] = mapped_column(String(NAME), default="")
    extra: Mapped[dict] = mapped_column(JSON, default=dict)


class RuleSetting(Base):
    """One key of rules.toml: [section] key = value."""

    __tablename__ = "rules"
    __table_args__ = (UniqueConstraint("section", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    section: Mapped[str] = mapped_column(String(NAME))
    key: Mapped[str] = mapped_column(String(NAME))
    value: Mapped[float] = mapped_column(Float)


class EventRow(Base):
    """A calendar event (holiday, promotion, returns) from events.csv; inclusive dates."""

    __tablename__ = "events"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME))
    kind: Mapped[str] = mapped_column(String(40))
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date)
    extra: Mapped[dict] = mapped_column(JSON, default=dict)


class Roster(Base):
    """A named roster; `version` is the optimistic-locking counter (the number of its latest saved version)."""

    __tablename__ = "rosters"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME), unique=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(NAME))


class RosterVersion(Base):
    """One saved version of a roster: draft or published, saved when and by whom, published when and by whom."""

    __tablename__ = "roster_versions"
    __table_args__ = (
        UniqueConstraint("roster_id", "number"),
        CheckConstraint("status IN ('draft', 'published')", name="status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    roster_id: Mapped[int] = mapped_column(ForeignKey("rosters.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    note: Mapped[str] = mapped_column(Text, default="")
    saved_at: Mapped[datetime] = mapped_column(DateTime)
    saved_by: Mapped[str] = mapped_column(String(NAME))
    published_at: Mapped[datetime | None] = mapped_column(DateTime)
    published_by: Mapped[str | None] = mapped_column(String(NAME))


class RosterSegment(Base):
    """One row of the roster contract in a saved version: agent, day, start–end (local), activity, queue."""

    __tablename__ = "roster_segments"
    __table_args__ = (
        Index("ix_roster_segments_version_agent", "version_id", "agent_code", "start_at"),
        CheckConstraint("activity IN ('work', 'break', 'lunch', 'training', 'reassign', 'off')", name="activity"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("roster_versions.id", ondelete="CASCADE"))
    agent_code: Mapped[str] = mapped_column(String(NAME))
    agent_name: Mapped[str] = mapped_column(String(NAME), default="")
    day: Mapped[date] = mapped_column(Date)
    start_at: Mapped[datetime] = mapped_column(DateTime)
    end_at: Mapped[datetime] = mapped_column(DateTime)
    activity: Mapped[str] = mapped_column(String(20))
    queue: Mapped[str] = mapped_column(String(NAME), default="")


class AuditEntry(Base):
    """An audit log line: when (UTC), who, what action on which thing, and details."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    user: Mapped[str] = mapped_column(String(NAME))
    action: Mapped[str] = mapped_column(String(60))
    entity: Mapped[str] = mapped_column(String(60))
    key: Mapped[str] = mapped_column(String(NAME), default="")
    detail: Mapped[dict] = mapped_column(JSON, default=dict)


# The sign-in and self-service tables (revision 0002) live in their own module on the same metadata.
from wfm.store import auth_models as _auth_models  # noqa: E402, F401
