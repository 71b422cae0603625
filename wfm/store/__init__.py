"""The database store: SQLAlchemy 2.0 ORM, Alembic migrations, and repository functions taking/returning frames.

Use it with an explicit session and transaction, so that a failure leaves the database as it was:

    engine = make_engine()                     # $WFM_DATABASE_URL, else sqlite:///wfm.db in the working dir
    upgrade(engine)                            # schema migrations (Alembic)
    with Session(engine) as session, session.begin():
        save_history(session, frame)
"""

from sqlalchemy.orm import Session

from wfm.store.audit import audit_log
from wfm.store.engine import database_url, make_engine
from wfm.store.folder import load_folder, read_folder, write_folder
from wfm.store.migrate import current_revision, head_revision, is_up_to_date, upgrade
from wfm.store.reference import (
    get_agents,
    get_events,
    get_queues,
    get_rules,
    get_shifts,
    get_time_off,
    save_agents,
    save_events,
    save_queues,
    save_rules,
    save_shifts,
    save_time_off,
)
from wfm.store.rosters import (
    RosterInfo,
    StaleRosterError,
    list_rosters,
    load_roster,
    publish_roster,
    roster_versions,
    save_roster,
)
from wfm.store.scenarios import get_scenario, list_scenarios, save_scenario
from wfm.store.series import (
    create_forecast_run,
    get_forecast,
    get_history,
    get_requirements,
    list_forecast_runs,
    save_forecast,
    save_history,
    save_requirements,
)

__all__ = [
    "RosterInfo",
    "Session",
    "StaleRosterError",
    "audit_log",
    "create_forecast_run",
    "current_revision",
    "database_url",
    "get_agents",
    "get_events",
    "get_forecast",
    "get_history",
    "get_queues",
    "get_requirements",
    "get_rules",
    "get_scenario",
    "get_shifts",
    "get_time_off",
    "head_revision",
    "is_up_to_date",
    "list_forecast_runs",
    "list_rosters",
    "list_scenarios",
    "load_folder",
    "load_roster",
    "make_engine",
    "publish_roster",
    "read_folder",
    "roster_versions",
    "save_agents",
    "save_events",
    "save_forecast",
    "save_history",
    "save_queues",
    "save_requirements",
    "save_roster",
    "save_rules",
    "save_scenario",
    "save_shifts",
    "save_time_off",
    "upgrade",
    "write_folder",
]
