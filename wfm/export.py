"""Roster CSV for people: reading and checking the segment contract, and writing segments, an agent × day grid
and coverage per interval as CSV that Excel opens correctly (UTF-8 with BOM, formula injection neutralised).

Roster segments (the export contract): `agent_id, name, date, start, end, activity, queue`; `date` is the day the
shift starts, `start`/`end` are local date-times `YYYY-MM-DD HH:MM` (an overnight shift ends on the next day), an
`off` row spans the whole day, `queue` is set for work and blank for break, lunch and off.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from forecasting.csv_input import (
    numbers,
    overnight_ends,
    parse_timestamps,
    read_table,
    timestamps,
    with_row_dates,
)
from wfm.errors import InputError
from wfm.limits import MAX_AGENTS_PER_INTERVAL
from wfm.outputs import FORMULA_STARTS, write_table
from wfm.outputs import neutralise as neutralise  # re-exported for the export page

FIRST_DATA_ROW = 2  # spreadsheet numbering: the header is row 1
SEGMENT_COLUMNS = ("agent_id", "name", "date", "start", "end", "activity", "queue")
ACTIVITIES = ("work", "break", "lunch", "training", "reassign", "off")
TIME_FORMAT = "%Y-%m-%d %H:%M"
DATE_FORMAT = "%Y-%m-%d"
KINDS = ("segments", "grid", "coverage")
TEXT_COLUMNS = ("agent_id", "name", "queue")
COVERAGE_COLUMNS = ["queue", "interval_start", "required_agents", "scheduled_agents", "under", "over"]
MAX_SPAN = pd.Timedelta(days=2)


def _restore(values: pd.Series) -> pd.Series:
    """Undo neutralise() on text cells read back from an export: drop the apostrophe before a formula character."""
    codes, uniques = pd.factorize(values)
    distinct = pd.Series(uniques, dtype=object)
    guarded = distinct.str.startswith("'") & distinct.str[1:2].isin(FORMULA_STARTS)
    restored = distinct.where(~guarded, distinct.str[1:]).to_numpy(dtype=object)
    return pd.Series(restored[codes], index=values.index, dtype=object)


def write_excel_csv(frame: pd.DataFrame, path: str | Path) -> None:
    """Write a frame as CSV for Excel: UTF-8 with BOM, formulas neutralised, atomically (see wfm.outputs)."""
    write_table(frame, path)


def read_roster_segments(path: str | Path) -> pd.DataFrame:
    """A roster segments CSV (UTF-8, BOM or GBK) checked row by row; see check_segments for the typed result."""
    table = read_table(path, required=SEGMENT_COLUMNS)
    return check_segments(table.frame, file=path, rows=table.frame.index.to_numpy())


def check_segments(
    frame: pd.DataFrame, *, file: str | Path | None = None, rows: np.ndarray | None = None
) -> pd.DataFrame:
    """Typed, checked roster segments sorted by agent and start.

    Columns: agent_id, name, activity, queue (text), date (datetime64, midnight), start, end (datetime64).
    `rows` gives each row's number in messages (default: spreadsheet numbering of the frame's positions).
    Rejects (InputError naming row and column): empty agent ids, unparseable dates and times, unknown activities,
    end not after start, a start outside the row's date and the next day, work without a queue, segments of one
    agent that overlap, and an agent both off and working on the same date.
    """
    missing = [c for c in SEGMENT_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(
            f"missing required column; expected columns {', '.join(SEGMENT_COLUMNS)}", file=file, column=missing[0]
        )
    if frame.empty:
        raise InputError("the roster has no rows", file=file)
    numbers_of_rows = rows if rows is not None else np.arange(len(frame)) + FIRST_DATA_ROW

    def _fail_at(mask, message, file, column) -> None:
        _fail_at_row(mask, message, file, column, numbers_of_rows)

    out = pd.DataFrame(index=range(len(frame)))
    for column in TEXT_COLUMNS:
        out[column] = _restore(_text_series(frame[column]))
    _fail_at(out["agent_id"] == "", "empty cell: expected an agent id", file, "agent_id")
    out["activity"] = _text_series(frame["activity"]).str.lower()
    bad = ~out["activity"].isin(ACTIVITIES)
    _fail_at(bad, lambda i: f'"{out["activity"].iat[i]}": expected one of {", ".join(ACTIVITIES)}', file, "activity")
    out["date"] = _parse_times(frame["date"], file, "date", DATE_FORMAT, "a date such as 2026-11-11", numbers_of_rows)
    _fail_at(out["date"] != out["date"].dt.normalize(), "expected a date without a time", file, "date")
    for column in ("start", "end"):
        out[column] = _parse_times(
            frame[column],
            file,
            column,
            TIME_FORMAT,
            "a date and time such as 2026-11-11 08:00 (or a time such as 08:00 on the row's date)",
            numbers_of_rows,
            dates=out["date"],
        )
    if not pd.api.types.is_datetime64_any_dtype(frame["end"]):
        out["end"] = overnight_ends(out["start"], out["end"], _text_series(frame["end"]))
    _fail_at(out["end"] <= out["start"], "the segment must end after it starts", file, "end")
    outside = (out["start"] < out["date"]) | (out["end"] > out["date"] + MAX_SPAN)
    _fail_at(
        outside,
        "the segment must lie on the row's date or run into the next day (an overnight shift keeps its start date)",
        file,
        "start",
    )
    _fail_at(
        out["activity"].isin(("work", "reassign")) & (out["queue"] == ""),
        "a work segment needs its queue",
        file,
        "queue",
    )
    _check_overlaps(out, file, numbers_of_rows)
    columns = ["agent_id", "name", "date", "start", "end", "activity", "queue"]
    return out[columns].sort_values(["agent_id", "start", "end"], kind="stable").reset_index(drop=True)


def _text_series(values: pd.Series) -> pd.Series:
    """A column as stripped text ('' for missing cells), index reset to positions; the work is done once per
    distinct value (a roster repeats its agent ids, names, activities and queues many times)."""
    codes, uniques = pd.factorize(values.reset_index(drop=True), use_na_sentinel=True)
    text = pd.Series(uniques, dtype=object).astype(str).str.strip().to_numpy(dtype=object)
    return pd.Series(np.append(text, "")[codes], dtype=object)


def _parse_times(
    raw: pd.Series,
    file: str | Path | None,
    column: str,
    fmt: str,
    hint: str,
    rows: np.ndarray,
    dates: pd.Series | None = None,
) -> pd.Series:
    """A column of local date-times (fast path for the export format), the first bad cell named; with `dates`, a
    bare time of day is read on its row's date. Day-first or time-only cells are never guessed otherwise."""
    values = raw.reset_index(drop=True)
    if pd.api.types.is_datetime64_any_dtype(values):
        parsed = values
    else:
        text = _text_series(values)
        parsed = pd.to_datetime(text, format=fmt, errors="coerce")
        if parsed.isna().any():
            parsed = parsed.where(parsed.notna(), parse_timestamps(text)[0])
        if dates is not None:
            parsed = with_row_dates(parsed, text, dates)
        _fail_at_row(parsed.isna(), lambda i: f'"{text.iat[i]}" is not {hint}', file, column, rows)
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_localize(None)
    return parsed.astype("datetime64[ns]")


def _fail_at_row(mask, message, file: str | Path | None, column: str, rows: np.ndarray | None = None) -> None:
    """InputError at the first true position of mask, numbered by `rows` (default: spreadsheet numbering);
    message may be a function of the position."""
    hits = np.flatnonzero(np.asarray(mask, dtype=bool))
    if len(hits):
        i = int(hits[0])
        text = message(i) if callable(message) else message
        row = int(rows[i]) if rows is not None else i + FIRST_DATA_ROW
        raise InputError(text, file=file, row=row, column=column)


def _check_overlaps(segments: pd.DataFrame, file: str | Path | None, rows: np.ndarray) -> None:
    """No two segments of one agent overlap; an agent is not off on a date on which it also has segments."""
    busy = segments[segments["activity"] != "off"].sort_values(["agent_id", "start"], kind="stable")
    same_agent = busy["agent_id"].to_numpy()[1:] == busy["agent_id"].to_numpy()[:-1]
    overlap = same_agent & (busy["start"].to_numpy()[1:] < busy["end"].to_numpy()[:-1])
    if overlap.any():
        k = int(np.flatnonzero(overlap)[0])
        first, second = sorted((int(rows[busy.index[k]]), int(rows[busy.index[k + 1]])))
        raise InputError(
            f'agent "{busy["agent_id"].iat[k]}" has overlapping segments (rows {first} and {second})',
            file=file,
            row=second,
            column="start",
        )
    off = segments[segments["activity"] == "off"]
    both = off.reset_index().merge(busy[["agent_id", "date"]].drop_duplicates(), on=["agent_id", "date"])
    if len(both):
        i = int(both["index"].min())
        raise InputError(
            f'agent "{segments["agent_id"].iat[i]}" is off on {segments["date"].iat[i]:%Y-%m-%d} but also has '
            "segments that day",
            file=file,
            row=int(rows[i]),
            column="activity",
        )


def segments_table(segments: pd.DataFrame) -> pd.DataFrame:
    """Checked segments as export text: dates YYYY-MM-DD, times YYYY-MM-DD HH:MM."""
    out = segments[list(SEGMENT_COLUMNS)].copy()
    out["date"] = _format_times(out["date"], DATE_FORMAT)
    out["start"] = _format_times(out["start"], TIME_FORMAT)
    out["end"] = _format_times(out["end"], TIME_FORMAT)
    return out


def _format_times(values: pd.Series, fmt: str) -> np.ndarray:
    """Date-times as text, formatting each distinct value once."""
    codes, uniques = pd.factorize(values)
    return np.asarray(uniques.strftime(fmt), dtype=object)[codes]


def grid_table(segments: pd.DataFrame, *, off_label: str = "off") -> pd.DataFrame:
    """Agent × day: one row per agent (agent_id, name), one column per date; a cell holds the shift's span
    "08:00–17:00" ("22:00–06:00+1" when it ends the next day, " training" added when it includes training),
    `off_label` on a day off, and is blank when the roster says nothing about that day."""
    agents = segments.drop_duplicates("agent_id")[["agent_id", "name"]]
    days = sorted(segments["date"].unique())
    on = segments[segments["activity"] != "off"]
    spans = on.groupby(["agent_id", "date"]).agg(
        start=("start", "min"), end=("end", "max"), training=("activity", lambda a: bool((a == "training").any()))
    )
    cells = {}
    for (agent, day), row in spans.iterrows():
        cells[(agent, day)] = _span_text(row["start"], row["end"], day) + (" training" if row["training"] else "")
    off = segments.loc[segments["activity"] == "off", ["agent_id", "date"]]
    for agent, day in off.itertuples(index=False):
        cells.setdefault((agent, day), off_label)
    table = agents.reset_index(drop=True).copy()
    for day in days:
        stamp = pd.Timestamp(day)
        table[f"{stamp:%Y-%m-%d} {stamp:%a}"] = [cells.get((a, stamp), "") for a in table["agent_id"]]
    return table


def _span_text(start: pd.Timestamp, end: pd.Timestamp, day: pd.Timestamp) -> str:
    """ "08:00–17:00"; an end at the next midnight is 24:00, a later end on another day gets "+1"."""
    days_later = (end.normalize() - day).days
    if end == day + pd.Timedelta(days=1):
        end_text = "24:00"
    else:
        end_text = f"{end:%H:%M}" + (f"+{days_later}" if days_later > 0 else "")
    return f"{start:%H:%M}–{end_text}"


def read_requirements_table(path: str | Path) -> pd.DataFrame:
    """queue, interval_start, required_agents from a requirements CSV, checked."""
    table = read_table(path, required=("queue", "interval_start", "required_agents"))
    rows = table.frame.index.to_numpy()
    queues = table.frame["queue"].astype(str).str.strip().reset_index(drop=True)
    _fail_at_row(queues == "", "empty cell: expected a queue name", path, "queue", rows)
    out = pd.DataFrame(
        {
            "queue": queues.to_numpy(),
            "interval_start": timestamps(table, "interval_start").to_numpy(),
            "required_agents": numbers(
                table, "required_agents", required=True, minimum=0, maximum=MAX_AGENTS_PER_INTERVAL
            ).to_numpy(),
        }
    )
    twice = out.duplicated(["queue", "interval_start"])
    _fail_at_row(twice, "this queue and interval appear twice", path, "interval_start", rows)
    return out


def interval_minutes_of(requirements: pd.DataFrame) -> int:
    """The interval of a requirements table: the smallest positive step between stamps of one queue."""
    ordered = requirements.sort_values(["queue", "interval_start"])
    steps = ordered.groupby("queue")["interval_start"].diff().dropna()
    steps = steps[steps > pd.Timedelta(0)]
    if steps.empty:
        raise InputError("cannot tell the interval length from one row per queue: give --interval-minutes")
    return int(steps.min().total_seconds() // 60)


def coverage_table(
    segments: pd.DataFrame, requirements: pd.DataFrame, *, interval_minutes: int | None = None
) -> pd.DataFrame:
    """Required vs scheduled agents per queue and interval of the requirements.

    scheduled_agents counts work (and reassign) segments on the queue, each weighted by the share of the interval
    it covers (whole agents when the roster is on the interval grid); under/over are the shortfall and surplus.
    """
    step = interval_minutes or interval_minutes_of(requirements)
    if step <= 0:
        raise InputError("the interval length must be a positive number of minutes", column="interval_minutes")
    work = segments[segments["activity"].isin(("work", "reassign"))]  # reassigned: at work on the row's queue
    scheduled = np.zeros(len(requirements))
    for queue, rows in requirements.groupby("queue"):
        mine = work[work["queue"] == queue]
        if mine.empty:
            continue
        origin = rows["interval_start"].min()
        n_minutes = int((rows["interval_start"].max() - origin) / pd.Timedelta(minutes=1)) + step
        start = ((mine["start"] - origin) / pd.Timedelta(minutes=1)).to_numpy().astype(np.int64).clip(0, n_minutes)
        end = ((mine["end"] - origin) / pd.Timedelta(minutes=1)).to_numpy().astype(np.int64).clip(0, n_minutes)
        per_minute = np.zeros(n_minutes + 1)
        np.add.at(per_minute, start, 1.0)
        np.add.at(per_minute, end, -1.0)
        agents = np.cumsum(per_minute)[:n_minutes]  # agents at work in each minute
        cumulative = np.concatenate([[0.0], np.cumsum(agents)])  # agent-minutes before each minute
        offset = ((rows["interval_start"] - origin) / pd.Timedelta(minutes=1)).to_numpy().astype(np.int64)
        scheduled[rows.index.to_numpy()] = (cumulative[offset + step] - cumulative[offset]) / step
    out = pd.DataFrame(
        {
            "queue": requirements["queue"].to_numpy(),
            "interval_start": pd.to_datetime(requirements["interval_start"]).dt.strftime(TIME_FORMAT).to_numpy(),
            "required_agents": requirements["required_agents"].to_numpy(dtype=float),
            "scheduled_agents": np.round(scheduled, 4),
        }
    )
    out["under"] = np.clip(out["required_agents"] - out["scheduled_agents"], 0, None).round(4)
    out["over"] = np.clip(out["scheduled_agents"] - out["required_agents"], 0, None).round(4)
    return out.sort_values(["queue", "interval_start"], kind="stable").reset_index(drop=True)[COVERAGE_COLUMNS]
