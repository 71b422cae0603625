"""Safe CSV reading for input files: decoding (UTF-8, BOM, GBK, gzip), header checks and typed columns.

Every problem raises `wfm.errors.InputError` naming the file, the spreadsheet row (header = row 1, first data
row = row 2) and the column as it is written in the file. The parsed table keeps the spreadsheet row number of
each data row as its index so later checks can point at the right row.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from forecasting import file_text
from wfm.errors import InputError
from wfm.limits import MAX_ROWS

_TIMESTAMP = re.compile(
    r"^(?P<year>\d{4})[-/](?P<month>\d{1,2})[-/](?P<day>\d{1,2})"
    r"(?:[ T](?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.(?P<fraction>\d{1,9}))?)?)?"
    r"\s*(?P<offset>Z|[+-]\d{2}(?::?\d{2})?)?$"
)
_FAST_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S")
TIMESTAMP_HINT = "a local date and time such as 2026-11-11 08:15 (an offset like +08:00 is allowed)"


@dataclass(frozen=True)
class Table:
    """A CSV file as strings: columns renamed to contract names, index = spreadsheet row number."""

    frame: pd.DataFrame
    file: str
    headers: Mapping[str, str]

    def header(self, column: str) -> str:
        """The column's name as written in the file (for messages)."""
        return self.headers.get(column, column)

    def fail(self, row: int | None, column: str | None, message: str) -> InputError:
        """An InputError at this file, row and column (given by contract name)."""
        return InputError(message, file=self.file, row=row, column=self.header(column) if column else None)

    def has(self, column: str) -> bool:
        """Whether the file has this (contract) column."""
        return column in self.frame.columns


def read_text(path: str | Path) -> str:
    """The file's text: inflated if compressed (bounded), UTF-8 or a detected legacy encoding (see file_text)."""
    return file_text.read_text(path)


def read_table(
    path: str | Path,
    *,
    required: Iterable[str],
    optional: Iterable[str] = (),
    rename: Mapping[str, str] | None = None,
    defaults: Mapping[str, str] | None = None,
) -> Table:
    """Read a CSV file as strings, checking that the required columns are there (case-insensitively).

    `rename` maps names used in the file to contract names; `defaults` gives a value for a required column that
    the file does not have (e.g. the queue of a single-queue file).
    """
    file = str(path)
    required = list(required)
    optional = list(optional)
    text = read_text(path)
    if not text.strip():
        raise InputError(f"the file is empty; expected a header line with {', '.join(required)}", file=file, row=1)
    lines = text.count("\n")
    if lines > MAX_ROWS + 1:
        raise InputError(f"the file has {lines:,} lines; the limit is {MAX_ROWS:,} data rows", file=file)
    header_line = text.split("\n", 1)[0].rstrip("\r")
    delimiter = _delimiter(header_line)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            skipinitialspace=True,
        )
    except (pd.errors.ParserError, ValueError) as exc:
        raise _parser_error(exc, file) from None
    frame.index = pd.RangeIndex(2, len(frame) + 2)
    try:
        header_cells = next(csv.reader(io.StringIO(header_line), delimiter=delimiter), [])
    except csv.Error:
        header_cells = []
    if len(header_cells) != len(frame.columns):
        header_cells = [str(c) for c in frame.columns]
    headers = _contract_headers(header_cells, required, optional, rename or {}, file)
    frame.columns = list(headers)
    frame = _drop_blank_rows(frame)
    if "'" in text:
        frame = _restore_neutralised(frame)
    for column, value in (defaults or {}).items():
        if column not in frame.columns:
            frame[column] = value
            headers[column] = column
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise _missing_column(missing[0], headers, required + optional, file)
    if frame.empty:
        raise InputError("the file has a header but no data rows", file=file, row=2)
    return Table(frame=frame, file=file, headers=headers)


# The characters before which this product's CSV writer puts an apostrophe so that spreadsheets show a formula-like
# cell as text (wfm.outputs.FORMULA_STARTS); reading such a file back removes it again.
_NEUTRALISED = re.compile(r"^'[=+\-@\t\r]")


def _restore_neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    """Cells written as '=… by the product's own CSV writer read back as =… (outputs are inputs of later steps)."""
    for column in frame.columns:
        cells = frame[column]
        guarded = cells.str.match(_NEUTRALISED)
        if guarded.any():
            frame[column] = cells.where(~guarded, cells.str[1:])
    return frame


def _delimiter(header_line: str) -> str:
    """The field separator: a comma, or a semicolon or tab when the header has one of those and no comma (Excel
    exports in many locales)."""
    if "," in header_line:
        return ","
    for candidate in (";", "\t"):
        if candidate in header_line:
            return candidate
    return ","


def _drop_blank_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop rows whose cells are all empty (blank lines), keeping the others' row numbers."""
    if frame.empty:
        return frame
    candidates = frame.index[frame.iloc[:, 0] == ""]
    if len(candidates) == 0:
        return frame
    blank = (frame.loc[candidates] == "").all(axis=1)
    return frame.drop(index=blank.index[blank])


def text_column(table: Table, column: str) -> pd.Series:
    """A text column with surrounding spaces removed (fast for columns with few distinct values)."""
    text = table.frame[column]
    distinct = pd.unique(text.to_numpy())
    stripped = {value: value.strip() for value in distinct if value != value.strip()}
    return text.replace(stripped) if stripped else text


def _parser_error(exc: Exception, file: str) -> InputError:
    """Translate a pandas tokenizer error into an InputError at the offending row."""
    text = str(exc)
    fields = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", text)
    if fields:
        expected, line, seen = (int(g) for g in fields.groups())
        return InputError(
            f"the row has {seen} fields but the header has {expected}; check for stray commas", file=file, row=line
        )
    quote = re.search(r"EOF inside string starting at row (\d+)", text)
    if quote:
        return InputError('a quoted field is never closed (unbalanced " quote)', file=file, row=int(quote.group(1)) + 1)
    return InputError(f"not a readable CSV file ({text.strip()})", file=file)


def _contract_headers(
    columns: list[str], required: list[str], optional: list[str], rename: Mapping[str, str], file: str
) -> dict[str, str]:
    """Map each header cell to its contract name (rename, then lower-case); returns {contract: as written}."""
    lowered_rename = {k.strip().lower(): v for k, v in rename.items()}
    known = set(required) | set(optional)
    result: dict[str, str] = {}
    for position, written in enumerate(columns):
        name = written.strip()
        if name == "":
            raise InputError(f"header cell {position + 1} is empty; every column needs a name", file=file, row=1)
        key = name.lower()
        contract = lowered_rename.get(key, key if key in known else name)
        if contract in result:
            raise InputError("the column appears twice in the header", file=file, row=1, column=name)
        result[contract] = name
    return result


def _missing_column(column: str, headers: Mapping[str, str], expected: list[str], file: str) -> InputError:
    """A missing-column error that suggests the closest header cell (a likely misspelling)."""
    unknown = [written for contract, written in headers.items() if contract not in expected]
    close = difflib.get_close_matches(column, unknown, n=1, cutoff=0.6)
    close = close or difflib.get_close_matches(column, [u.lower() for u in unknown], n=1, cutoff=0.6)
    if close:
        hint = f'; the header has "{close[0]}" — did you mean "{column}"?'
    else:
        hint = f"; the header has: {', '.join(headers.values())}"
    return InputError(f"required column is missing{hint}", file=file, row=1, column=column)


def numbers(
    table: Table, column: str, *, required: bool, minimum: float | None = 0.0, maximum: float | None = None
) -> pd.Series:
    """A column as floats (NaN where empty and not required); rejects text, NaN, infinities and values outside
    [minimum, maximum] (the maximum is a plausible ceiling from wfm.limits)."""
    text = table.frame[column]
    empty = text == ""
    try:  # fast path: every cell a plain number (float() accepts spaces, "nan" and "inf", checked below)
        values = pd.Series(np.where(empty, "nan", text.to_numpy()).astype(float), index=text.index)
    except ValueError:
        values = pd.to_numeric(text.str.strip(), errors="coerce").astype(float)
    bad = (values.isna() & ~empty) | np.isinf(values)
    _first(table, bad, column, lambda v: f'"{v}" is not a number', text)
    if required:
        _first(table, empty, column, lambda v: "the value is empty; a number is required", text)
    if minimum is not None:
        _first(
            table,
            values < minimum,
            column,
            lambda v: f"{v} is below {minimum:g}; expected a number ≥ {minimum:g}",
            text,
        )
    if maximum is not None:
        _first(
            table,
            values > maximum,
            column,
            lambda v: f"{v} is above {maximum:,g}, the most this product accepts; check the unit and the value",
            text,
        )
    return values


def timestamps(table: Table, column: str, *, allow_seconds: bool = True) -> pd.Series:
    """A column as naive local datetimes; a trailing UTC offset is dropped, keeping the wall-clock time.

    `2026-11-11T08:00:00+08:00` becomes `2026-11-11 08:00`: the time written is the site's local time at that
    moment, so daylight-saving changes stay correct. A file that mixes stamps with and without an offset is
    rejected, as is an empty or unparseable stamp, and a time without its date (`08:00`).
    """
    text = table.frame[column]
    _first(table, text == "", column, lambda v: f"the value is empty; expected {TIMESTAMP_HINT}", text)
    parsed, mixed = parse_timestamps(text)
    if mixed is not None:
        _first(table, mixed, column, lambda v: f'"{v}": some timestamps carry a UTC offset and others do not', text)
    _first(table, parsed.isna(), column, lambda v: timestamp_problem(v), text)
    return parsed


def timestamp_problem(value: str) -> str:
    """What is wrong with a cell that is not a date and time (a bare time of day is named as such)."""
    if TIME_ONLY.match(value.strip()):
        return f'"{value}" is a time without a date; expected a date and time such as 2026-11-11 08:00'
    return f'"{value}" is not a valid date and time; expected {TIMESTAMP_HINT}'


TIME_ONLY = re.compile(r"^\d{1,2}:\d{2}(:\d{2})?$")


def with_row_dates(parsed: pd.Series, text: pd.Series, dates: pd.Series) -> pd.Series:
    """parsed, with each bare time of day (`08:00`, `24:00`) that parsing left empty read on its row's own date
    (roster segments carry a `date` column, so such a time is unambiguous there)."""
    missing = parsed.isna().to_numpy()
    if not missing.any():
        return parsed
    clock = text.astype(str).str.strip().str.extract(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$").astype(float)
    seconds = clock[0] * 3600 + clock[1] * 60 + clock[2].fillna(0)
    valid = (clock[0] <= 24) & (clock[1] < 60) & (seconds <= 24 * 3600)
    filled = pd.Series(pd.to_datetime(dates).to_numpy(), index=parsed.index) + pd.to_timedelta(
        seconds.where(valid).to_numpy(), unit="s"
    )
    return parsed.where(~missing, filled.astype("datetime64[ns]"))


def overnight_ends(start: pd.Series, end: pd.Series, end_text: pd.Series) -> pd.Series:
    """Ends written as bare times of day that fall at or before their start run into the next day (22:00–06:00)."""
    bare = end_text.astype(str).str.strip().str.match(TIME_ONLY).to_numpy()
    return end.where(~(bare & (end <= start).to_numpy()), end + pd.Timedelta(days=1))


def _formats_for(text: pd.Series) -> list[str]:
    """The fast formats, the one that reads the first cell first (each full-column attempt costs seconds on
    millions of rows)."""
    first = str(text.iloc[0]).strip() if len(text) else ""
    fitting = []
    for fmt in _FAST_FORMATS:
        try:
            datetime.strptime(first, fmt)
        except ValueError:
            continue
        fitting.append(fmt)
    return fitting + [f for f in _FAST_FORMATS if f not in fitting]


def parse_timestamps(text: pd.Series) -> tuple[pd.Series, pd.Series | None]:
    """(naive datetimes with NaT where a cell is not a full date-time, rows whose offset use differs from the
    first row's or None). Only `YYYY-MM-DD[ HH:MM[:SS[.f]]][offset]` (or `/` between date parts) is accepted: a bare
    time is never dated to today and a day-first date is never guessed."""
    for fmt in _formats_for(text):
        parsed = pd.to_datetime(text, format=fmt, errors="coerce")
        if not parsed.isna().any():
            return parsed.astype("datetime64[ns]"), None
    text = text.astype(str).str.strip()
    parts = text.str.extract(_TIMESTAMP)
    has_offset = parts["offset"].notna()
    mixed = None
    if has_offset.any() and not has_offset.all():
        mixed = has_offset != has_offset.iloc[0]
    fields = parts[["year", "month", "day", "hour", "minute", "second"]].fillna("0").astype("int64")
    fraction = parts["fraction"].fillna("0").str.ljust(9, "0").astype("int64")
    parsed = pd.to_datetime(fields, errors="coerce") + pd.to_timedelta(fraction, unit="ns")
    clock_out_of_range = (fields["hour"] > 23) | (fields["minute"] > 59) | (fields["second"] > 59)
    parsed = parsed.where(~clock_out_of_range)
    return parsed.astype("datetime64[ns]"), mixed


def _first(table: Table, mask: pd.Series, column: str, message, text: pd.Series) -> None:
    """Raise at the first row where mask is true, with message(value as written)."""
    row = first_row(mask)
    if row is not None:
        raise table.fail(row, column, message(text.loc[row]))


def first_row(mask: pd.Series) -> int | None:
    """The spreadsheet row of the first true value, or None."""
    hits = mask[mask.fillna(False).astype(bool)]
    return int(hits.index[0]) if len(hits) else None
