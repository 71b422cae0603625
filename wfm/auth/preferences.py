"""Agents' standing preferences (weekdays they would rather have off, shift categories they prefer), turned into
the roster's shift requests (the `--requests` wishes: kind off, weighted), so the existing preference penalty of
the roster engine weighs them."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from wfm.auth.permissions import Action, require
from wfm.errors import InputError
from wfm.store import audit
from wfm.store.auth_models import AgentPreference

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
REQUEST_COLUMNS = ["agent_id", "date", "kind", "shift", "weight"]
MAX_DAYS_OFF = 3  # more preferred weekdays off than this would ask for a part-time contract, not a preference


def save(session: Session, agent_code: str, days_off: list[int], categories: list[str], known: set[str]) -> None:
    """Store an agent's preferences (own only): weekday numbers 0 = Monday … 6 = Sunday, categories of `known`."""
    require(Action.PREFERENCES_OWN, agent=agent_code)
    days = sorted(set(days_off))
    if any(d not in range(7) for d in days):
        raise InputError("preferred days off are weekdays 0 (Monday) to 6 (Sunday)", column="days_off")
    if len(days) > MAX_DAYS_OFF:
        raise InputError(f"at most {MAX_DAYS_OFF} preferred weekdays off", column="days_off")
    unknown = sorted(set(categories) - known)
    if unknown:
        raise InputError(f'unknown shift category "{unknown[0]}": expected some of {", ".join(sorted(known))}')
    row = session.get(AgentPreference, agent_code) or AgentPreference(agent_code=agent_code)
    row.days_off, row.categories, row.updated_at = days, sorted(set(categories)), audit.utc_now()
    session.add(row)
    session.flush()
    audit.record(session, "save", "agent_preferences", agent_code, days_off=days, categories=row.categories)


def get(session: Session, agent_code: str) -> tuple[list[int], list[str]]:
    """An agent's preferred weekdays off and shift categories (empty when none)."""
    row = session.get(AgentPreference, agent_code)
    return (list(row.days_off), list(row.categories)) if row else ([], [])


def as_requests(session: Session, start: date, days: int, shifts: pd.DataFrame) -> pd.DataFrame:
    """Shift requests for a roster horizon: `off` (any shift) on each preferred weekday, and `off` for every shift
    outside the preferred categories (so working one costs the wish's weight); columns of the requests file."""
    by_category: dict[str, list[str]] = {}
    for name, category in zip(shifts["shift"], shifts.get("category", pd.Series([""] * len(shifts))), strict=True):
        by_category.setdefault(str(category or ""), []).append(str(name))
    rows = []
    for row in session.scalars(select(AgentPreference).order_by(AgentPreference.agent_code)):
        others = [s for c, names in by_category.items() if c not in row.categories for s in names]
        for offset in range(days):
            day = start + timedelta(days=offset)
            if day.weekday() in row.days_off:
                rows.append((row.agent_code, day.isoformat(), "off", "", 1))
            elif row.categories:
                rows.extend((row.agent_code, day.isoformat(), "off", s, 1) for s in others)
    return pd.DataFrame(rows, columns=REQUEST_COLUMNS)
