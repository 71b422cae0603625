"""Per-contact logs (`queue, arrival_ts, outcome, ...`): reading, checking and aggregating to interval history."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from forecasting.csv_input import Table, first_row, numbers, read_table, text_column, timestamps
from forecasting.history import MINUTES_PER_DAY
from wfm.errors import InputError
from wfm.limits import MAX_PATIENCE_SECONDS as MAX_WAIT_OR_HANDLE_SECONDS

REQUIRED = ("queue", "arrival_ts", "outcome")
OPTIONAL = ("wait_seconds", "handle_seconds", "agent_id")
OUTCOMES = ("answered", "abandoned")
HISTORY_COLUMNS = (
    "queue",
    "interval_start",
    "offered",
    "answered",
    "abandoned",
    "aht_seconds",
    "asa_seconds",
    "answered_in_target",
)


def read_contacts(
    path: str | Path, *, default_queue: str | None = None, rename: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """Read and check a per-contact log (.csv or .csv.gz; UTF-8, BOM or GBK).

    Returns `queue` (str), `arrival_ts` (naive local datetime64[ns]), `outcome` ("answered"/"abandoned") and
    whichever of `wait_seconds`, `handle_seconds` (floats) and `agent_id` (str) the file has, sorted by queue
    and arrival_ts. An answered contact needs a handle time when the file has `handle_seconds`.
    """
    table = read_table(
        path,
        required=REQUIRED,
        optional=OPTIONAL,
        rename=rename,
        defaults={"queue": default_queue} if default_queue else None,
    )
    queue = text_column(table, "queue")
    row = first_row(queue == "")
    if row is not None:
        raise table.fail(row, "queue", "the value is empty; a queue name is required")
    result = pd.DataFrame(index=table.frame.index)
    result["queue"] = queue
    result["arrival_ts"] = timestamps(table, "arrival_ts")
    result["outcome"] = _outcomes(table)
    for column in ("wait_seconds", "handle_seconds"):
        if table.has(column):
            result[column] = numbers(table, column, required=False, maximum=MAX_WAIT_OR_HANDLE_SECONDS)
    if table.has("handle_seconds"):
        row = first_row((result["outcome"] == "answered") & result["handle_seconds"].isna())
        if row is not None:
            raise table.fail(row, "handle_seconds", "the contact was answered but has no handle time")
    if table.has("agent_id"):
        result["agent_id"] = text_column(table, "agent_id")
    ordered = result.sort_values(["queue", "arrival_ts"], kind="stable").reset_index(drop=True)
    ordered.attrs["file"] = table.file
    return ordered


def _outcomes(table: Table) -> pd.Series:
    """The outcome column, lower-cased; anything but answered/abandoned is rejected."""
    outcome = text_column(table, "outcome").str.lower()
    row = first_row(~outcome.isin(OUTCOMES))
    if row is not None:
        value = table.frame["outcome"][row]
        raise table.fail(row, "outcome", f'unknown outcome "{value}"; expected answered or abandoned')
    return outcome


def aggregate_contacts(frame: pd.DataFrame, interval_minutes: int, answer_seconds: float) -> pd.DataFrame:
    """Interval history from a contact log: offered, answered, abandoned, aht/asa seconds, answered in target.

    Contacts count in the interval of their arrival. Every interval of a day on which a queue has at least one
    contact is present (zero when nothing arrived); days without any contact stay absent (gaps). aht_seconds
    and asa_seconds are means over answered contacts (NaN without answered contacts, or without the
    handle_seconds / wait_seconds column); answered_in_target counts answered contacts that waited at most
    `answer_seconds` (only with wait_seconds).
    """
    if interval_minutes <= 0 or MINUTES_PER_DAY % interval_minutes:
        raise InputError(f"interval length {interval_minutes} minutes must divide a day (e.g. 5, 15, 30, 60)")
    if answer_seconds < 0:
        raise InputError(f"answer_seconds {answer_seconds} must be ≥ 0")
    contacts = frame.assign(
        interval_start=frame["arrival_ts"].dt.floor(f"{interval_minutes}min"),
        answered=(frame["outcome"] == "answered").astype(float),
        abandoned=(frame["outcome"] == "abandoned").astype(float),
    )
    answered = contacts["answered"] > 0
    columns = {"offered": ("answered", "size"), "answered": ("answered", "sum"), "abandoned": ("abandoned", "sum")}
    if "handle_seconds" in contacts:
        contacts["handle_answered"] = contacts["handle_seconds"].where(answered)
        columns["aht_seconds"] = ("handle_answered", "mean")
    if "wait_seconds" in contacts:
        contacts["wait_answered"] = contacts["wait_seconds"].where(answered)
        contacts["in_target"] = (answered & (contacts["wait_seconds"] <= answer_seconds)).astype(float)
        columns["asa_seconds"] = ("wait_answered", "mean")
        columns["answered_in_target"] = ("in_target", "sum")
    grouped = contacts.groupby(["queue", "interval_start"]).agg(**columns)
    full = _day_grid(contacts, interval_minutes)
    history = grouped.reindex(full)
    counts = [c for c in ("offered", "answered", "abandoned", "answered_in_target") if c in history]
    history[counts] = history[counts].fillna(0.0).astype(float)
    history = history.reset_index()
    order = [c for c in HISTORY_COLUMNS if c in history.columns]
    history = history[order].sort_values(["queue", "interval_start"]).reset_index(drop=True)
    history.attrs["interval_minutes"] = interval_minutes
    return history


def _day_grid(contacts: pd.DataFrame, interval_minutes: int) -> pd.MultiIndex:
    """Every interval of every (queue, day) that has at least one contact."""
    days = contacts[["queue"]].assign(day=contacts["arrival_ts"].dt.normalize()).drop_duplicates()
    slots = np.arange(0, MINUTES_PER_DAY, interval_minutes, dtype="int64")
    repeated = days.loc[days.index.repeat(len(slots))]
    offsets = pd.to_timedelta(np.tile(slots, len(days)), unit="min")
    starts = repeated["day"].to_numpy() + offsets.to_numpy()
    return pd.MultiIndex.from_arrays([repeated["queue"].to_numpy(), starts], names=["queue", "interval_start"])
