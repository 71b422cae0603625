"""`wfm db load DIR`: check every file of a data folder first, then write them all in one transaction.

Known files (each optional, at least one needed): rules.toml, queues.csv, agents.csv, time_off.csv, shifts.csv,
events.csv, history.csv.gz (or history.csv). A bad file, or a failure while writing, leaves the database as it was.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from forecasting.csv_input import read_table
from forecasting.history import read_history
from wfm.auth.permissions import Action, require
from wfm.csvio import read_toml
from wfm.errors import InputError
from wfm.roster.inputs import check_skills_name_queues, read_agents, read_rules, read_shifts, read_time_off
from wfm.staffing.queues import read_queues
from wfm.store import audit, reference, series
from wfm.store.models import Queue
from wfm.store.reference import AGENT_REQUIRED, EVENT_REQUIRED, QUEUE_REQUIRED, SHIFT_REQUIRED, TIME_OFF_COLUMNS

HISTORY_NAMES = ("history.csv.gz", "history.csv")
KNOWN_FILES = ("rules.toml", "queues.csv", "agents.csv", "time_off.csv", "shifts.csv", "events.csv", *HISTORY_NAMES)
DEFAULT_INTERVAL_MINUTES = 15


@dataclass(frozen=True)
class FolderData:
    """The checked contents of a data folder (None where the file is absent)."""

    folder: Path
    rules: dict | None = None
    queues: pd.DataFrame | None = None
    agents: pd.DataFrame | None = None
    time_off: pd.DataFrame | None = None
    shifts: pd.DataFrame | None = None
    events: pd.DataFrame | None = None
    history: pd.DataFrame | None = None
    history_file: Path | None = None
    ignored: tuple[str, ...] = field(default=())


def _progress(message: str) -> None:
    """A progress line on stderr."""
    print(message, file=sys.stderr, flush=True)


def read_folder(folder: str | Path, *, progress: Callable[[str], None] = _progress) -> FolderData:
    """Read and check every known file of the folder with the product's own readers (no database involved)."""
    root = Path(folder)
    if not root.is_dir():
        raise InputError("not a folder: expected a data folder such as data/", file=root)
    present = {p.name for p in root.iterdir() if p.is_file()}
    if not present & set(KNOWN_FILES):
        raise InputError(f"no data files here: expected some of {', '.join(KNOWN_FILES)}", file=root)
    data: dict = {"folder": root, "ignored": tuple(sorted(present - set(KNOWN_FILES)))}
    if data["ignored"]:
        progress(f"not loaded (not a known data file): {', '.join(data['ignored'])}")
    interval = DEFAULT_INTERVAL_MINUTES
    if "rules.toml" in present:
        progress("checking rules.toml")
        config = read_rules(root / "rules.toml")
        interval = config.rules.interval_minutes
        data["rules"] = read_toml(root / "rules.toml")
    queue_names = None
    if "queues.csv" in present:
        progress("checking queues.csv")
        queue_names = set(read_queues(root / "queues.csv"))
        data["queues"] = _raw(root / "queues.csv", QUEUE_REQUIRED)
    agent_ids = None
    if "agents.csv" in present:
        progress("checking agents.csv")
        agents = read_agents(root / "agents.csv")
        if queue_names is not None:
            check_skills_name_queues(agents, queue_names, root / "agents.csv", "queues.csv", each_skill=True)
        agent_ids = {a.agent_id for a in agents}
        data["agents"] = _raw(root / "agents.csv", AGENT_REQUIRED)
    if "time_off.csv" in present:
        progress("checking time_off.csv")
        if agent_ids is not None:
            read_time_off(root / "time_off.csv", agent_ids)
        data["time_off"] = _raw(root / "time_off.csv", TIME_OFF_COLUMNS[:2])
    if "shifts.csv" in present:
        progress("checking shifts.csv")
        read_shifts(root / "shifts.csv", interval)
        data["shifts"] = _raw(root / "shifts.csv", SHIFT_REQUIRED)
    if "events.csv" in present:
        progress("checking events.csv")
        data["events"] = _raw(root / "events.csv", EVENT_REQUIRED)
    history_name = next((n for n in HISTORY_NAMES if n in present), None)
    if history_name:
        progress(f"checking {history_name}")
        data["history"] = read_history(root / history_name)
        data["history_file"] = root / history_name
    return FolderData(**data)


def _raw(path: Path, required: tuple[str, ...]) -> pd.DataFrame:
    """A file's cells as text (index = spreadsheet row numbers) for storing as it is, extra columns included."""
    return read_table(path, required=required).frame


def _in_file(file: Path, action: Callable[[], int]) -> int:
    """Run a save; an InputError without a file name gets this file's name."""
    try:
        return action()
    except InputError as exc:
        if exc.file is None:
            raise InputError(exc.detail, file=file, row=exc.row, column=exc.column) from exc
        raise


def _check_skills_in_database(session: Session, agents: pd.DataFrame, file: Path) -> None:
    """Every skill of the staff list names a queue of queues.csv or of the database."""
    known = set(session.scalars(select(Queue.name)))
    for row, cell in agents["skills"].items():
        unknown = [s.strip() for s in str(cell).split(";") if s.strip() and s.strip() not in known]
        if unknown:
            raise InputError(
                f'skill "{unknown[0]}" is neither a queue of queues.csv nor of the database; expected some of '
                f"{', '.join(sorted(known)) or 'no queues yet: load queues.csv first'}",
                file=file,
                row=int(row),
                column="skills",
            )


def write_folder(
    session: Session, data: FolderData, *, user: str | None = None, progress: Callable[[str], None] = _progress
) -> dict[str, int]:
    """Write checked folder contents in the session's transaction; rows written per file."""
    require(Action.DATA_LOAD)
    root = data.folder
    counts: dict[str, int] = {}
    if data.rules is not None:
        counts["rules.toml"] = _in_file(
            root / "rules.toml", lambda: reference.save_rules(session, data.rules, user=user)
        )
    steps = (
        ("queues.csv", data.queues, reference.save_queues),
        ("agents.csv", data.agents, reference.save_agents),
        ("time_off.csv", data.time_off, reference.save_time_off),
        ("shifts.csv", data.shifts, reference.save_shifts),
        ("events.csv", data.events, reference.save_events),
    )
    for name, frame, save in steps:
        if frame is not None:
            progress(f"writing {name}")
            file = root / name
            if name == "agents.csv":
                _check_skills_in_database(session, frame, file)
            counts[name] = _in_file(file, lambda s=save, f=frame, p=file: s(session, f, file=str(p), user=user))
    if data.history is not None and data.history_file is not None:
        progress(f"writing {data.history_file.name} ({len(data.history)} rows)")
        known = set(session.scalars(select(Queue.name)))
        unknown = sorted(set(data.history["queue"]) - known)
        if unknown:
            raise InputError(
                f'queue "{unknown[0]}" is neither in queues.csv nor in the database: add its settings to queues.csv',
                file=data.history_file,
                column="queue",
            )
        history = data.history
        counts[data.history_file.name] = _in_file(
            data.history_file, lambda: series.save_history(session, history, user=user)
        )
    audit.record(session, "load", "folder", str(root), user=user, counts=counts)
    return counts


def load_folder(
    engine: Engine, folder: str | Path, *, user: str | None = None, progress: Callable[[str], None] = _progress
) -> dict[str, int]:
    """Check a data folder, then write it in one transaction (all or nothing); rows written per file."""
    data = read_folder(folder, progress=progress)
    with Session(engine) as session, session.begin():
        return write_folder(session, data, user=user, progress=progress)
