"""Reading contract CSV files safely: encodings, required columns, typed columns, errors naming file/row/column."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from forecasting.csv_input import read_table as read_contract_table
from forecasting.csv_input import read_text
from wfm.errors import InputError

__all__ = ["FIRST_DATA_ROW", "number_column", "read_table", "read_text", "timestamp_column", "write_csv"]

# Row numbers in messages are spreadsheet rows: the header is row 1, the first data row is row 2.
FIRST_DATA_ROW = 2


def read_table(path: str | Path, required: Iterable[str], optional: Iterable[str] = ()) -> pd.DataFrame:
    """A contract CSV as strings, decoded and header-checked by forecasting.csv_input (UTF-8 with or without BOM,
    GBK, .gz; misspelt columns get a suggestion); rows in file order, blank lines dropped."""
    return read_contract_table(path, required=required, optional=optional).frame.reset_index(drop=True)


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
