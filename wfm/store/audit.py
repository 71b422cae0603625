"""The audit log: one line per change (who, when, what), written in the same transaction as the change."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from wfm.store.engine import current_user
from wfm.store.models import AuditEntry

AUDIT_COLUMNS = ["at", "user", "action", "entity", "key", "detail"]


def utc_now() -> datetime:
    """Now in UTC, without tzinfo (how bookkeeping times are stored)."""
    return datetime.now(UTC).replace(tzinfo=None)


def record(
    session: Session, action: str, entity: str, key: str = "", *, user: str | None = None, **detail: Any
) -> None:
    """Add an audit line to the session (committed or rolled back together with the change it describes)."""
    session.add(
        AuditEntry(at=utc_now(), user=user or current_user(), action=action, entity=entity, key=key, detail=detail)
    )


def audit_log(session: Session, *, limit: int | None = None) -> pd.DataFrame:
    """The audit log, newest first: at (UTC), user, action, entity, key, detail (a dict)."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    if limit is not None:
        query = query.limit(limit)
    entries = session.scalars(query).all()
    return pd.DataFrame([(e.at, e.user, e.action, e.entity, e.key, e.detail) for e in entries], columns=AUDIT_COLUMNS)
