"""Safe CSV reading for input files: decoding (UTF-8, BOM, GBK, gzip), header checks and typed columns.

Every problem raises `wfm.errors.InputError` naming the file, the spreadsheet row (header = row 1, first data
row = row 2) and the column as it is written in the file. The parsed table keeps the spreadsheet row number of
each data row as its index so later checks can point at the right row.
"""

from __future__ import annotations

import csv
import difflib
import gzip
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from wfm.errors import InputError

_GZIP_MAGIC = b"\x1f\x8b"
_UTF8_BOM = b"\xef\xbb\xbf"
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
    """The file's text: gunzipped if compressed, decoded as UTF-8 (with or without BOM) or else GBK."""
    file = str(path)
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", file=file) from None
    except OSError as exc:
        raise InputError(f"cannot read the file ({exc.strerror})", file=file) from None
    if raw.startswith(_GZIP_MAGIC):
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise InputError(f"the gzip data is damaged ({exc})", file=file) from None
    if raw.startswith(_UTF8_BOM):
        return _decode(raw[len(_UTF8_BOM) :], "utf-8", file)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as utf8_error:
        try:
            return raw.decode("gbk")
        except UnicodeDecodeError as gbk_error:
            # Report where the more plausible encoding (the one that got further) broke down.
            worst = utf8_error if utf8_error.start >= gbk_error.start else gbk_error
            raise _undecodable(raw, worst, file) from None


def _decode(raw: bytes, encoding: str, file: str) -> str:
    """Decode strictly, turning a decoding failure into an InputError at its row."""
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise _undecodable(raw, exc, file) from None


def _undecodable(raw: bytes, exc: UnicodeDecodeError, file: str) -> InputError:
    """An InputError pointing at the row and column holding the first undecodable byte."""
    line_start = raw.rfind(b"\n", 0, exc.start) + 1
    row = raw.count(b"\n", 0, exc.start) + 1
    header_line = raw.split(b"\n", 1)[0].decode("utf-8", errors="replace").strip("\r\ufeff")
    field = raw.count(b",", line_start, exc.start)
    names = [h.strip() for h in header_line.split(",")]
    column = names[field] if row > 1 and field < len(names) else None
    return InputError(
        f"byte 0x{raw[exc.start]:02x} cannot be decoded; save the file as UTF-8 (or GBK)",
        file=file,
        row=row,
        column=column,
    )


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
    try:
        frame = pd.read_csv(
            io.StringIO(text), dtype=str, keep_default_na=False, skip_blank_lines=False, skipinitialspace=True
        )
    except pd.errors.ParserError as exc:
        raise _parser_error(exc, file) from None
    frame.index = pd.RangeIndex(2, len(frame) + 2)
    header_cells = next(csv.reader(io.StringIO(text.split("\n", 1)[0].rstrip("\r"))), [])
    if len(header_cells) != len(frame.columns):
        header_cells = [str(c) for c in frame.columns]
    headers = _contract_headers(header_cells, required, optional, rename or {}, file)
    frame.columns = list(headers)
    frame = _drop_blank_rows(frame)
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


def numbers(table: Table, column: str, *, required: bool, minimum: float | None = 0.0) -> pd.Series:
    """A column as floats (NaN where empty and not required); rejects text, infinities and values < minimum."""
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
    return values


def timestamps(table: Table, column: str, *, allow_seconds: bool = True) -> pd.Series:
    """A column as naive local datetimes; a trailing UTC offset is dropped, keeping the wall-clock time.

    `2026-11-11T08:00:00+08:00` becomes `2026-11-11 08:00`: the time written is the site's local time at that
    moment, so daylight-saving changes stay correct. A file that mixes stamps with and without an offset is
    rejected, as is an empty or unparseable stamp.
    """
    text = table.frame[column]
    _first(table, text == "", column, lambda v: f"the value is empty; expected {TIMESTAMP_HINT}", text)
    for fmt in _FAST_FORMATS:
        parsed = pd.to_datetime(text, format=fmt, errors="coerce")
        if not parsed.isna().any():
            return parsed.astype("datetime64[ns]")
    text = text.str.strip()
    parts = text.str.extract(_TIMESTAMP)
    has_offset = parts["offset"].notna()
    if has_offset.any() and not has_offset.all():
        rows = has_offset != has_offset.iloc[0]
        _first(table, rows, column, lambda v: f'"{v}": some timestamps carry a UTC offset and others do not', text)
    fields = parts[["year", "month", "day", "hour", "minute", "second"]].fillna("0").astype("int64")
    fraction = parts["fraction"].fillna("0").str.ljust(9, "0").astype("int64")
    parsed = pd.to_datetime(fields, errors="coerce") + pd.to_timedelta(fraction, unit="ns")
    _first(
        table, parsed.isna(), column, lambda v: f'"{v}" is not a valid date and time; expected {TIMESTAMP_HINT}', text
    )
    return parsed.astype("datetime64[ns]")


def _first(table: Table, mask: pd.Series, column: str, message, text: pd.Series) -> None:
    """Raise at the first row where mask is true, with message(value as written)."""
    row = first_row(mask)
    if row is not None:
        raise table.fail(row, column, message(text.loc[row]))


def first_row(mask: pd.Series) -> int | None:
    """The spreadsheet row of the first true value, or None."""
    hits = mask[mask.fillna(False).astype(bool)]
    return int(hits.index[0]) if len(hits) else None
