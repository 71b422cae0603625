"""Interval series in and out as contract frames: history, forecast runs with their forecasts and requirements."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from wfm.auth.permissions import Action, require
from wfm.errors import InputError
from wfm.store import audit, bulk, cells
from wfm.store.engine import current_user
from wfm.store.models import ForecastRow, ForecastRun, HistoryRow, Queue, RequirementRow, Scenario
from wfm.store.reference import queue_ids

HISTORY_REQUIRED = ("queue", "interval_start", "offered")
HISTORY_OPTIONAL = ("answered", "abandoned", "aht_seconds", "asa_seconds", "answered_in_target")
FORECAST_REQUIRED = ("queue", "interval_start", "volume", "aht_seconds")
FORECAST_OPTIONAL = ("volume_lo", "volume_hi")
REQUIREMENT_REQUIRED = ("queue", "interval_start", "volume", "aht_seconds", "required_agents")
REQUIREMENT_OPTIONAL = ("net_agents", "service_level", "asa_seconds", "occupancy", "p_wait", "p_abandon")
RUN_COLUMNS = ["run_id", "label", "model", "scenario", "created_at", "created_by", "forecast_rows", "requirement_rows"]


def _typed(frame: pd.DataFrame, required: tuple[str, ...], optional: tuple[str, ...], what: str) -> pd.DataFrame:
    """Contract columns typed: queue text, interval_start datetime, numbers float; the first bad cell is named."""
    cells.require_columns(frame, required, what)
    out = pd.DataFrame(index=range(len(frame)))
    out["queue"] = frame["queue"].astype(str).str.strip().to_numpy()
    stamps = pd.to_datetime(frame["interval_start"], errors="coerce", format="mixed").reset_index(drop=True)
    if getattr(stamps.dt, "tz", None) is not None:
        stamps = stamps.dt.tz_localize(None)
    _first_bad(stamps.isna(), frame["interval_start"], "interval_start", "is not a date-time", what)
    out["interval_start"] = stamps.astype("datetime64[ns]")
    for column in required[2:] + optional:
        if column not in frame.columns:
            continue
        raw = frame[column].reset_index(drop=True)
        if pd.api.types.is_numeric_dtype(raw):
            values, blank = raw.astype(float), raw.isna()
        else:
            text = raw.astype(object).where(raw.notna(), "").astype(str).str.strip()
            values, blank = pd.to_numeric(text.where(text != "", None), errors="coerce").astype(float), text == ""
            _first_bad(values.isna() & ~blank, raw, column, "is not a number", what)
        if column in required:
            _first_bad(blank, raw, column, "is empty: expected a number", what)
        out[column] = values
    duplicated = out.duplicated(["queue", "interval_start"])
    _first_bad(duplicated, frame["interval_start"], "interval_start", "appears twice for its queue", what)
    return out


def _first_bad(mask: pd.Series, raw: pd.Series, column: str, message: str, what: str) -> None:
    """InputError at the first true row of mask (spreadsheet numbering)."""
    hits = np.flatnonzero(mask.to_numpy(dtype=bool))
    if len(hits):
        i = int(hits[0])
        raise InputError(f'{what}: "{raw.iloc[i]}" {message}', row=i + cells.FIRST_DATA_ROW, column=column)


def _queue_column(session: Session, queues: pd.Series, what: str) -> np.ndarray:
    """Queue ids for queue names; an unknown queue is an InputError naming its first row."""
    ids = queue_ids(session)
    mapped = queues.map(ids)
    if mapped.isna().any():
        i = int(np.flatnonzero(mapped.isna().to_numpy())[0])
        raise InputError(
            f'{what}: queue "{queues.iloc[i]}" is not in the database; load its settings (queues.csv) first',
            row=i + cells.FIRST_DATA_ROW,
            column="queue",
        )
    return mapped.to_numpy(dtype=np.int64)


def _insert(session: Session, model: type, columns: dict[str, Any]) -> int:
    """Bulk-insert typed columns (arrays or Series of equal length) into a model's table."""
    frame = pd.DataFrame({name: _array(values) for name, values in columns.items()})
    return bulk.insert_frame(session, model.__table__, frame)


def _array(values: Any) -> Any:
    """A column for a frame: Series lose their index so that columns line up by position."""
    return values.to_numpy() if isinstance(values, pd.Series) else values


def save_history(session: Session, frame: pd.DataFrame, *, user: str | None = None) -> int:
    """Store history (queue, interval_start, offered, …), replacing stored rows of each queue in the frame's span."""
    require(Action.HISTORY_SAVE)
    typed = _typed(frame, HISTORY_REQUIRED, HISTORY_OPTIONAL, "history")
    ids = _queue_column(session, typed["queue"], "history")
    for queue_id, group in typed.assign(queue_id=ids).groupby("queue_id"):
        first, last = group["interval_start"].min(), group["interval_start"].max()
        session.execute(
            delete(HistoryRow).where(
                HistoryRow.queue_id == int(queue_id),
                HistoryRow.interval_start >= first.to_pydatetime(),
                HistoryRow.interval_start <= last.to_pydatetime(),
            )
        )
    columns = {"queue_id": ids, "interval_start": typed["interval_start"]}
    for column in ("offered", *HISTORY_OPTIONAL):
        columns[column] = typed[column] if column in typed else np.full(len(typed), np.nan)
    n_rows = _insert(session, HistoryRow, columns)
    audit.record(session, "save", "history", user=user, rows=n_rows, queues=sorted(typed["queue"].unique()))
    return n_rows


def get_history(
    session: Session,
    *,
    queues: list[str] | None = None,
    start: pd.Timestamp | str | None = None,
    end: pd.Timestamp | str | None = None,
) -> pd.DataFrame:
    """History as the contract frame, sorted by queue and interval_start; optional filters (end exclusive)."""
    cols = [getattr(HistoryRow, c) for c in ("offered", *HISTORY_OPTIONAL)]
    query = select(Queue.name, bulk.plain(HistoryRow.interval_start), *cols).join(
        Queue, Queue.id == HistoryRow.queue_id
    )
    if queues is not None:
        query = query.where(Queue.name.in_(queues))
    if start is not None:
        query = query.where(HistoryRow.interval_start >= pd.Timestamp(start).to_pydatetime())
    if end is not None:
        query = query.where(HistoryRow.interval_start < pd.Timestamp(end).to_pydatetime())
    query = query.order_by(Queue.name, HistoryRow.interval_start)
    return _frame(session, query, ["queue", "interval_start", "offered", *HISTORY_OPTIONAL])


def _frame(session: Session, query: Any, columns: list[str]) -> pd.DataFrame:
    """Query rows as a frame with interval_start as datetime64 and numbers as float."""
    frame = bulk.read_frame(session, query, columns, times=("interval_start",))
    frame["queue"] = frame["queue"].astype(str)
    return bulk.float_columns(frame, [c for c in columns[2:] if c != "model"])


def create_forecast_run(
    session: Session,
    *,
    label: str = "",
    model: str = "",
    params: dict | None = None,
    scenario: str | None = None,
    user: str | None = None,
) -> int:
    """A new forecast run (optionally for a named scenario); returns its id."""
    require(Action.FORECAST_SAVE)
    scenario_id = None
    if scenario is not None:
        scenario_id = session.scalar(select(Scenario.id).where(Scenario.name == scenario))
        if scenario_id is None:
            raise InputError(f'scenario "{scenario}" is not in the database')
    run = ForecastRun(
        label=label,
        model=model,
        params=params or {},
        scenario_id=scenario_id,
        created_at=audit.utc_now(),
        created_by=user or current_user(),
    )
    session.add(run)
    session.flush()
    audit.record(session, "create", "forecast_runs", str(run.id), user=user, label=label, model=model)
    return run.id


def _run(session: Session, run_id: int) -> ForecastRun:
    """The forecast run with this id, or an InputError."""
    run = session.get(ForecastRun, run_id)
    if run is None:
        raise InputError(f"forecast run {run_id} is not in the database")
    return run


def save_forecast(session: Session, frame: pd.DataFrame, *, run_id: int | None = None, **run: Any) -> int:
    """Store a forecast frame (queue, interval_start, volume, aht_seconds, …) in a new run (or `run_id`); the run id."""
    require(Action.FORECAST_SAVE)
    typed = _typed(frame, FORECAST_REQUIRED, FORECAST_OPTIONAL, "forecast")
    ids = _queue_column(session, typed["queue"], "forecast")
    run_id = run_id if run_id is not None else create_forecast_run(session, **run)
    _run(session, run_id)
    session.execute(delete(ForecastRow).where(ForecastRow.run_id == run_id))
    columns = {"run_id": np.full(len(typed), run_id), "queue_id": ids, "interval_start": typed["interval_start"]}
    for column in ("volume", "aht_seconds", *FORECAST_OPTIONAL):
        columns[column] = typed[column] if column in typed else np.full(len(typed), np.nan)
    columns["model"] = _text_column(frame, "model")
    _insert(session, ForecastRow, columns)
    audit.record(session, "save", "forecasts", str(run_id), user=run.get("user"), rows=len(typed))
    return run_id


def _text_column(frame: pd.DataFrame, column: str) -> np.ndarray:
    """An optional text column as values (None when absent or blank)."""
    if column not in frame.columns:
        return np.full(len(frame), None, dtype=object)
    return np.array([cells.optional_text(v) for v in frame[column].tolist()], dtype=object)


def get_forecast(session: Session, run_id: int) -> pd.DataFrame:
    """A run's forecast as the contract frame, sorted by queue and interval_start."""
    _run(session, run_id)
    names = ["interval_start", "volume", "aht_seconds", *FORECAST_OPTIONAL, "model"]
    query = (
        select(Queue.name, bulk.plain(ForecastRow.interval_start), *[getattr(ForecastRow, c) for c in names[1:]])
        .join(Queue, Queue.id == ForecastRow.queue_id)
        .where(ForecastRow.run_id == run_id)
        .order_by(Queue.name, ForecastRow.interval_start)
    )
    return _frame(session, query, ["queue", *names])


def save_requirements(session: Session, run_id: int, frame: pd.DataFrame, *, user: str | None = None) -> int:
    """Store a requirements frame for a forecast run (replacing that run's requirements); rows stored."""
    require(Action.REQUIREMENTS_SAVE)
    typed = _typed(frame, REQUIREMENT_REQUIRED, REQUIREMENT_OPTIONAL, "requirements")
    ids = _queue_column(session, typed["queue"], "requirements")
    _run(session, run_id)
    session.execute(delete(RequirementRow).where(RequirementRow.run_id == run_id))
    columns = {"run_id": np.full(len(typed), run_id), "queue_id": ids, "interval_start": typed["interval_start"]}
    for column in (*REQUIREMENT_REQUIRED[2:], *REQUIREMENT_OPTIONAL):
        columns[column] = typed[column] if column in typed else np.full(len(typed), np.nan)
    columns["model"] = _text_column(frame, "model")
    n_rows = _insert(session, RequirementRow, columns)
    audit.record(session, "save", "requirements", str(run_id), user=user, rows=n_rows)
    return n_rows


def get_requirements(session: Session, run_id: int) -> pd.DataFrame:
    """A run's requirements as the contract frame, sorted by queue and interval_start."""
    _run(session, run_id)
    names = ["interval_start", *REQUIREMENT_REQUIRED[2:], *REQUIREMENT_OPTIONAL, "model"]
    query = (
        select(Queue.name, bulk.plain(RequirementRow.interval_start), *[getattr(RequirementRow, c) for c in names[1:]])
        .join(Queue, Queue.id == RequirementRow.queue_id)
        .where(RequirementRow.run_id == run_id)
        .order_by(Queue.name, RequirementRow.interval_start)
    )
    return _frame(session, query, ["queue", *names])


def list_forecast_runs(session: Session) -> pd.DataFrame:
    """Forecast runs, newest first, with their row counts."""
    runs = session.scalars(select(ForecastRun).order_by(ForecastRun.id.desc())).all()
    rows = []
    for run in runs:
        scenario = session.get(Scenario, run.scenario_id) if run.scenario_id else None
        rows.append(
            [
                run.id,
                run.label,
                run.model,
                scenario.name if scenario else "",
                run.created_at,
                run.created_by,
                _count(session, ForecastRow, run.id),
                _count(session, RequirementRow, run.id),
            ]
        )
    return pd.DataFrame(rows, columns=RUN_COLUMNS)


def _count(session: Session, model: type, run_id: int) -> int:
    """Rows of a per-run table for one run."""
    return int(session.scalar(select(func.count()).select_from(model).where(model.run_id == run_id)) or 0)
