"""Interval history: reading and checking `queue, interval_start, offered, ...`, its interval length and gaps.

Timestamps name the start of an interval in the site's local time. A stamp written with a UTC offset
(`2026-11-11T08:00:00+08:00`) keeps its wall-clock time and loses the offset, i.e. it is read as the local time
at which it was written; files mixing stamps with and without an offset are rejected.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from forecasting.csv_input import Table, first_row, numbers, read_table, text_column, timestamps
from wfm.limits import MAX_AHT_SECONDS, MAX_CONTACTS_PER_INTERVAL

REQUIRED = ("queue", "interval_start", "offered")
OPTIONAL = ("answered", "abandoned", "aht_seconds", "asa_seconds", "answered_in_target")
COLUMNS = REQUIRED + OPTIONAL
# The most a cell may hold (wfm.limits): counts per interval, and seconds per contact.
COLUMN_MAXIMUM = {
    "answered": MAX_CONTACTS_PER_INTERVAL,
    "abandoned": MAX_CONTACTS_PER_INTERVAL,
    "answered_in_target": MAX_CONTACTS_PER_INTERVAL,
    "aht_seconds": MAX_AHT_SECONDS,
    "asa_seconds": MAX_AHT_SECONDS,
}
MINUTES_PER_DAY = 1440
GAP_COLUMNS = ("queue", "start", "end", "intervals", "kind")
_COUNT_TOLERANCE = 1e-6
# A weekly slot (weekday, time of day) counts as regularly closed when it has data in fewer than half the weeks.
_CLOSED_SHARE = 0.5


@dataclass(frozen=True)
class History:
    """Checked history: the frame, its interval length and its gaps (reported, never filled)."""

    frame: pd.DataFrame
    interval_minutes: int
    gaps: pd.DataFrame


def read_history(
    path: str | Path,
    *,
    default_queue: str | None = None,
    rename: Mapping[str, str] | None = None,
    interval_minutes: int | None = None,
) -> pd.DataFrame:
    """Read and check a history CSV (.csv or .csv.gz; UTF-8, BOM or GBK) into contract columns.

    Returns `queue` (str), `interval_start` (naive local datetime64[ns]), `offered` (float) and whichever
    optional columns the file has, sorted by queue and interval_start; extra columns are dropped. The interval
    length is detected (or checked against `interval_minutes`) and stored in `frame.attrs["interval_minutes"]`.
    `default_queue` names the queue of a file without a `queue` column; `rename` maps the file's column names
    to contract names (e.g. {"DateTime": "interval_start"}). Any problem raises InputError.
    """
    table = read_table(
        path,
        required=REQUIRED,
        optional=OPTIONAL,
        rename=rename,
        defaults={"queue": default_queue} if default_queue else None,
    )
    return _checked_history(table, interval_minutes)


def load_history(
    path: str | Path,
    *,
    default_queue: str | None = None,
    rename: Mapping[str, str] | None = None,
    interval_minutes: int | None = None,
) -> History:
    """Read a history CSV (see read_history) together with its interval length and gaps."""
    frame = read_history(path, default_queue=default_queue, rename=rename, interval_minutes=interval_minutes)
    minutes = int(frame.attrs["interval_minutes"])
    return History(frame=frame, interval_minutes=minutes, gaps=find_gaps(frame, minutes))


def _checked_history(table: Table, interval_minutes: int | None) -> pd.DataFrame:
    """Type and check every column of a history table, then the interval grid."""
    queue = text_column(table, "queue")
    row = first_row(queue == "")
    if row is not None:
        raise table.fail(row, "queue", "the value is empty; a queue name is required")
    result = pd.DataFrame(index=table.frame.index)
    result["queue"] = queue
    result["interval_start"] = timestamps(table, "interval_start")
    result["offered"] = numbers(table, "offered", required=True, maximum=MAX_CONTACTS_PER_INTERVAL)
    for column in OPTIONAL:
        if table.has(column):
            result[column] = numbers(table, column, required=False, maximum=COLUMN_MAXIMUM[column])
    _check_counts(table, result)
    _check_duplicates(table, result)
    ordered = result.sort_values(["queue", "interval_start"], kind="stable")
    minutes = _check_grid(table, ordered, interval_minutes)
    ordered = ordered.reset_index(drop=True)
    ordered.attrs["interval_minutes"] = minutes
    ordered.attrs["file"] = table.file
    return ordered


def _check_counts(table: Table, frame: pd.DataFrame) -> None:
    """answered + abandoned ≤ offered, answered_in_target ≤ answered."""
    offered = frame["offered"]
    answered = frame["answered"] if "answered" in frame else pd.Series(0.0, index=frame.index)
    abandoned = frame["abandoned"] if "abandoned" in frame else pd.Series(0.0, index=frame.index)
    answered, abandoned = answered.fillna(0.0), abandoned.fillna(0.0)
    for column, mask in (
        ("answered", answered > offered + _COUNT_TOLERANCE),
        ("abandoned", answered + abandoned > offered + _COUNT_TOLERANCE),
    ):
        row = first_row(mask) if column in frame else None
        if row is not None:
            raise table.fail(
                row,
                column,
                f"answered ({answered[row]:g}) + abandoned ({abandoned[row]:g}) exceeds offered ({offered[row]:g})",
            )
    if "answered_in_target" in frame:
        row = first_row(frame["answered_in_target"].fillna(0.0) > answered + _COUNT_TOLERANCE)
        if row is not None:
            raise table.fail(
                row,
                "answered_in_target",
                f"answered_in_target ({frame['answered_in_target'][row]:g}) exceeds answered ({answered[row]:g})",
            )


def _check_duplicates(table: Table, frame: pd.DataFrame) -> None:
    """Each (queue, interval_start) once."""
    duplicated = frame.duplicated(["queue", "interval_start"], keep="first")
    row = first_row(duplicated)
    if row is not None:
        key = frame.loc[row, ["queue", "interval_start"]]
        same = (frame["queue"] == key["queue"]) & (frame["interval_start"] == key["interval_start"])
        first = int(same[same].index[0])
        raise table.fail(
            row,
            "interval_start",
            f"duplicate interval: queue {key['queue']} at {key['interval_start']:%Y-%m-%d %H:%M} is already on "
            f"row {first}",
        )


def _step_minutes(ordered: pd.DataFrame) -> pd.Series:
    """Minutes from the previous row of the same queue (NaN for a queue's first row); rows in time order."""
    return ordered.groupby("queue", sort=False)["interval_start"].diff().dt.total_seconds() / 60.0


def detect_interval_minutes(frame: pd.DataFrame) -> int | None:
    """The interval length in minutes: the most common step between consecutive rows of a queue (None if none).

    Steps are measured between stamps cut to the minute. Ties go to a step that divides a day, then to the one
    whose grid holds more stamps, then to the shorter one (a longer step is then a gap).
    """
    ordered = frame.assign(interval_start=frame["interval_start"].dt.floor("min"))
    ordered = ordered.sort_values(["queue", "interval_start"])
    steps = _step_minutes(ordered)
    steps = steps[steps > 0].astype("int64")
    if steps.empty:
        return None
    counts = steps.value_counts()
    tied = [int(m) for m in counts[counts == counts.max()].index]
    since_midnight = _minutes_since_midnight(ordered["interval_start"])

    def preference(minutes: int) -> tuple[bool, float, int]:
        return (_divides_day(minutes), float((since_midnight % minutes == 0).mean()), -minutes)

    return max(tied, key=preference)


def _divides_day(minutes: int) -> bool:
    """Whether intervals of this length tile a day (or are whole days)."""
    return minutes > 0 and (MINUTES_PER_DAY % minutes == 0 or minutes % MINUTES_PER_DAY == 0)


def _minutes_since_midnight(stamps: pd.Series) -> pd.Series:
    """Minutes (with fractions) from the stamp's midnight."""
    return (stamps - stamps.dt.normalize()).dt.total_seconds() / 60.0


def _check_grid(table: Table, ordered: pd.DataFrame, interval_minutes: int | None) -> int:
    """Detect or check the interval length; every stamp must sit on its grid (anchored at midnight)."""
    minutes = interval_minutes if interval_minutes is not None else detect_interval_minutes(ordered)
    steps = _step_minutes(ordered)
    if minutes is None:
        raise table.fail(
            int(ordered.index[0]),
            "interval_start",
            "cannot detect the interval length from one row per queue; give the interval length explicitly",
        )
    if not _divides_day(minutes):
        at = first_row(steps.round(6) == minutes) or int(ordered.index[0])
        raise table.fail(
            at,
            "interval_start",
            f"rows are {minutes} minutes apart, which does not divide a day; expected 5, 6, 10, 15, 30 or 60",
        )
    stamps = ordered["interval_start"]
    since_midnight = _minutes_since_midnight(stamps)
    off_grid = (since_midnight % minutes) != 0
    row = first_row(off_grid.sort_index())
    if row is None:
        return int(minutes)
    step = steps.loc[row]
    value = f"{stamps.loc[row]:%Y-%m-%d %H:%M:%S}"
    finer = 0 < step < minutes and float(step).is_integer() and minutes % step == 0 and since_midnight[row] % step == 0
    if finer:
        raise table.fail(
            row,
            "interval_start",
            f"mixed interval lengths: most rows are {minutes} minutes apart but {value} starts {step:g} minutes "
            "after the previous row of its queue",
        )
    raise table.fail(
        row,
        "interval_start",
        f"{value} is off the {minutes}-minute grid; interval starts must be multiples of {minutes} minutes after "
        "midnight",
    )


def find_gaps(frame: pd.DataFrame, interval_minutes: int) -> pd.DataFrame:
    """Missing intervals per queue between its first and last row, as runs; never fills them.

    Columns: queue, start, end (exclusive), intervals, kind. kind is "closed" when those weekly slots (weekday
    and time of day) have data in fewer than half of the weeks that have data (regular closed hours), and
    "missing" otherwise (lost data, or a one-off closure such as a public holiday).
    """
    step = pd.Timedelta(minutes=interval_minutes)
    runs: list[pd.DataFrame] = []
    for queue, group in frame.groupby("queue", sort=True):
        stamps = pd.DatetimeIndex(group["interval_start"]).unique().sort_values()
        full = pd.date_range(stamps[0], stamps[-1], freq=step)
        missing = full.difference(stamps)
        if missing.empty:
            continue
        anchor = stamps[0].normalize() - pd.Timedelta(days=stamps[0].weekday())
        weeks_with_data = max(1, len(np.unique((stamps - anchor).days // 7)))
        present = pd.Series(_weekly_slot(stamps, interval_minutes)).value_counts()
        share = present.reindex(_weekly_slot(missing, interval_minutes)).fillna(0).to_numpy() / weeks_with_data
        closed = share < _CLOSED_SHARE
        breaks = np.ones(len(missing), dtype=bool)
        breaks[1:] = (np.diff(missing.asi8) != step.value) | (closed[1:] != closed[:-1])
        run_id = np.cumsum(breaks)
        table = pd.DataFrame({"start": missing, "run": run_id, "closed": closed})
        grouped = table.groupby("run").agg(
            start=("start", "min"), last=("start", "max"), intervals=("start", "size"), closed=("closed", "first")
        )
        runs.append(
            pd.DataFrame(
                {
                    "queue": queue,
                    "start": grouped["start"].to_numpy(),
                    "end": (grouped["last"] + step).to_numpy(),
                    "intervals": grouped["intervals"].to_numpy(),
                    "kind": np.where(grouped["closed"], "closed", "missing"),
                }
            )
        )
    if not runs:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in zip(GAP_COLUMNS, _GAP_DTYPES, strict=True)})
    return pd.concat(runs, ignore_index=True)


_GAP_DTYPES = ("object", "datetime64[ns]", "datetime64[ns]", "int64", "object")


def _weekly_slot(stamps: pd.DatetimeIndex, interval_minutes: int) -> np.ndarray:
    """Slot number within the week (Monday 00:00 = 0) of each stamp."""
    minute_of_week = stamps.weekday * MINUTES_PER_DAY + stamps.hour * 60 + stamps.minute
    return np.asarray(minute_of_week // interval_minutes)
