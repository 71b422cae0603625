"""Scenarios in the database: a named set of what-if parameters (the transforms themselves live in wfm.scenarios)."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from wfm.auth.permissions import Action, require
from wfm.errors import InputError
from wfm.store import audit
from wfm.store.engine import current_user
from wfm.store.models import Scenario

SCENARIO_COLUMNS = ["name", "description", "params", "created_at", "created_by"]


def save_scenario(session: Session, name: str, params: dict, *, description: str = "", user: str | None = None) -> None:
    """Create or replace the scenario `name` with these parameters (JSON-serialisable)."""
    require(Action.SCENARIO_SAVE)
    name = name.strip()
    if not name:
        raise InputError("a scenario needs a name")
    who = user or current_user()
    scenario = session.scalar(select(Scenario).where(Scenario.name == name))
    if scenario is None:
        session.add(
            Scenario(name=name, description=description, params=params, created_at=audit.utc_now(), created_by=who)
        )
    else:
        scenario.params, scenario.description = params, description
    session.flush()
    audit.record(session, "save", "scenarios", name, user=who, params=params)


def get_scenario(session: Session, name: str) -> dict:
    """A scenario's parameters."""
    scenario = session.scalar(select(Scenario).where(Scenario.name == name))
    if scenario is None:
        raise InputError(f'scenario "{name}" is not in the database')
    return dict(scenario.params)


def list_scenarios(session: Session) -> pd.DataFrame:
    """All scenarios, by name."""
    rows = session.scalars(select(Scenario).order_by(Scenario.name)).all()
    return pd.DataFrame(
        [[s.name, s.description, s.params, s.created_at, s.created_by] for s in rows], columns=SCENARIO_COLUMNS
    )
