"""Reading contract CSV files safely: encodings, required columns, typed columns, errors naming file/row/column."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from forecasting.csv_input import parse_timestamps, read_text, timestamp_problem, with_row_dates
from forecasting.csv_input import read_table as read_contract_table
from wfm.errors import InputError
from wfm.outputs import write_table

__all__ = ["FIRST_DATA_ROW", "number_column", "read_table", "read_text", "read_toml", "timestamp_column", "write_csv"]

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
    maximum: float | None = None,
) -> np.ndarray:
    """A column as finite floats; blank → default (or an error); values must be ≥ minimum, < below and ≤ maximum;
    the first bad cell is named by row and column."""
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
        (
            maximum is not None and (values > maximum) & ~blank.to_numpy(),
            f"above {maximum or 0:,g}, the most this product accepts",
        ),
        (integer and values != np.round(values), "expected a whole number"),
    ]
    for mask, message in checks:
        if mask is not False and np.any(mask):
            row = int(np.flatnonzero(mask)[0])
            raise InputError(f'"{text.iloc[row]}": {message}', file=path, row=row + FIRST_DATA_ROW, column=column)
    return values


def timestamp_column(
    frame: pd.DataFrame, column: str, path: str | Path, *, dates: pd.Series | None = None
) -> pd.Series:
    """A column of local timestamps `YYYY-MM-DD HH:MM` (an offset such as +08:00 keeps its wall time); with `dates`
    (a roster's date column) a bare time of day is read on its row's date, otherwise it is an InputError naming the
    row, never dated to today."""
    text = frame[column].astype(str).str.strip()
    parsed, _ = parse_timestamps(text)
    if dates is not None:
        parsed = with_row_dates(parsed, text, dates)
    if parsed.isna().any():
        row = int(np.flatnonzero(parsed.isna().to_numpy())[0])
        raise InputError(timestamp_problem(text.iloc[row]), file=path, row=row + FIRST_DATA_ROW, column=column)
    return parsed


def read_toml(path: str | Path) -> dict:
    """A TOML file (bounded read, any accepted encoding, BOM dropped); broken or absurdly nested TOML is an
    InputError naming the file."""
    text = read_text(path).lstrip("\ufeff")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML ({exc})", file=path) from None
    except RecursionError:
        raise InputError("not valid TOML (nested too deeply)", file=path) from None


def write_csv(frame: pd.DataFrame, path: str | Path) -> None:
    """Write a CSV for Excel (UTF-8 with BOM, formula-like cells neutralised), atomically; see wfm.outputs."""
    write_table(frame, path)
