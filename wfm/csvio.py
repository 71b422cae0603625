"""Reading contract CSV files safely: encodings, required columns, typed columns, errors naming file/row/column."""

from __future__ import annotations

import difflib
import io
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from wfm.errors import InputError

# Row numbers in messages are spreadsheet rows: the header is row 1, the first data row is row 2.
FIRST_DATA_ROW = 2


def read_text(path: str | Path) -> str:
    """File contents as text: UTF-8 (with or without BOM), falling back to GBK; .gz is decompressed."""
    p = Path(path)
    if not p.exists():
        raise InputError("file not found", file=p)
    raw = p.read_bytes()
    if p.suffix == ".gz":
        import gzip

        try:
            raw = gzip.decompress(raw)
        except OSError as exc:
            raise InputError(f"not a valid gzip file ({exc})", file=p) from exc
    for encoding in ("utf-8-sig", "gbk"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError("cannot decode the file: expected UTF-8 or GBK text", file=p)


def read_table(path: str | Path, required: Iterable[str], optional: Iterable[str] = ()) -> pd.DataFrame:
    """A CSV as strings with its required columns checked (misspellings get a suggestion); blank → ''."""
    p = Path(path)
    text = read_text(p)
    if not text.strip():
        raise InputError("the file is empty: expected a header row and data rows", file=p)
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=True)
    except pd.errors.ParserError as exc:
        raise InputError(f"not a readable CSV file ({exc})", file=p) from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    known = [*required, *optional]
    for column in required:
        if column not in frame.columns:
            guess = difflib.get_close_matches(column, frame.columns, n=1)
            hint = f' (found "{guess[0]}": misspelt?)' if guess else ""
            raise InputError(
                f"missing required column{hint}; expected columns {', '.join(known)}", file=p, column=column
            )
    if frame.empty:
        raise InputError("the file has a header but no data rows", file=p)
    return frame


def number_column(
    frame: pd.DataFrame,
    column: str,
    path: str | Path,
    *,
    minimum: float | None = None,
    default: float | None = None,
    integer: bool = False,
    below: float | None = None,
) -> np.ndarray:
    """A column as floats; blank → default (or an error); the first bad cell is named by row and column."""
    if column not in frame.columns:
        if default is None:
            raise InputError("missing required column", file=path, column=column)
        return np.full(len(frame), float(default))
    text = frame[column].astype(str).str.strip()
    blank = text == ""
    values = pd.to_numeric(text.where(~blank, None), errors="coerce").to_numpy(dtype=float)
    bad = ~blank.to_numpy() & ~np.isfinite(values)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise InputError(f'"{text.iloc[row]}" is not a number', file=path, row=row + FIRST_DATA_ROW, column=column)
    if blank.any():
        if default is None:
            row = int(np.flatnonzero(blank.to_numpy())[0])
            raise InputError("empty cell: expected a number", file=path, row=row + FIRST_DATA_ROW, column=column)
        values = np.where(blank.to_numpy(), default, values)
    checks = [
        (minimum is not None and values < minimum, f"expected a number >= {minimum}"),
        (below is not None and values >= below, f"expected a number below {below}"),
        (integer and values != np.round(values), "expected a whole number"),
    ]
    for mask, message in checks:
        if mask is not False and np.any(mask):
            row = int(np.flatnonzero(mask)[0])
            raise InputError(f'"{text.iloc[row]}": {message}', file=path, row=row + FIRST_DATA_ROW, column=column)
    return values


def timestamp_column(frame: pd.DataFrame, column: str, path: str | Path) -> pd.Series:
    """A column of local timestamps (an offset such as +08:00 is dropped after converting to that wall time)."""
    text = frame[column].astype(str).str.strip()
    parsed = pd.to_datetime(text, errors="coerce", format="mixed")
    if parsed.isna().any():
        row = int(np.flatnonzero(parsed.isna().to_numpy())[0])
        raise InputError(
            f'"{text.iloc[row]}" is not a date-time: expected e.g. 2026-11-11 09:30',
            file=path,
            row=row + FIRST_DATA_ROW,
            column=column,
        )
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_localize(None)
    return parsed


def write_csv(frame: pd.DataFrame, path: str | Path) -> None:
    """Write a CSV atomically (a temporary file renamed into place), UTF-8 with BOM so Excel reads it."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_name(p.name + ".tmp")
    frame.to_csv(tmp, index=False, encoding="utf-8-sig")
    tmp.replace(p)
