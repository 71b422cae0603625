"""Turning contract-frame cells (text from a CSV, or typed values) into database values, with clear errors."""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

import pandas as pd

from wfm.errors import InputError

FIRST_DATA_ROW = 2
TRUE_WORDS = {"1", "true", "yes", "y", "t"}
FALSE_WORDS = {"0", "false", "no", "n", "f", ""}


def is_blank(value: Any) -> bool:
    """Whether a cell is empty (None, NaN, NaT or blank text)."""
    if value is None or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def text(value: Any) -> str:
    """A cell as stripped text ('' when blank)."""
    return "" if is_blank(value) else str(value).strip()


def optional_text(value: Any) -> str | None:
    """A cell as stripped text, or None when blank."""
    return text(value) or None


def number(value: Any, *, row: int, column: str, file: str | None = None, integer: bool = False) -> float | None:
    """A cell as a number (None when blank); text that is not a number is an InputError at row/column."""
    if is_blank(value):
        return None
    try:
        result = float(str(value).strip()) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        raise InputError(f'"{value}" is not a number', file=file, row=row, column=column) from None
    if not math.isfinite(result):
        raise InputError(f'"{value}" is not a finite number', file=file, row=row, column=column)
    if integer:
        if result != round(result):
            raise InputError(f'"{value}": expected a whole number', file=file, row=row, column=column)
        return int(result)
    return result


def required_number(value: Any, *, row: int, column: str, file: str | None = None, integer: bool = False) -> float:
    """Like number(), but a blank cell is an error."""
    result = number(value, row=row, column=column, file=file, integer=integer)
    if result is None:
        raise InputError("empty cell: expected a number", file=file, row=row, column=column)
    return result


def flag(value: Any, *, row: int, column: str, file: str | None = None) -> bool:
    """A yes/no cell."""
    if isinstance(value, bool):
        return value
    word = text(value).lower()
    if word not in TRUE_WORDS | FALSE_WORDS:
        raise InputError(f'"{word}" is not yes/no', file=file, row=row, column=column)
    return word in TRUE_WORDS


def day(value: Any, *, row: int, column: str, file: str | None = None) -> date:
    """A date cell (YYYY-MM-DD, or a date/datetime value)."""
    if isinstance(value, datetime):  # also pd.Timestamp
        return value.date()
    if isinstance(value, date):
        return value
    parsed = pd.to_datetime(text(value), errors="coerce", format="mixed")
    if pd.isna(parsed):
        raise InputError(f'"{text(value)}" is not a date: expected e.g. 2026-11-11', file=file, row=row, column=column)
    return parsed.date()


def row_numbers(frame: pd.DataFrame) -> list[int]:
    """Spreadsheet row numbers of a frame's rows: its index when it came from a CSV reader that numbers rows
    (forecasting.csv_input), else positions counted from the first data row (2)."""
    index = frame.index
    if isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1:
        return list(range(FIRST_DATA_ROW, FIRST_DATA_ROW + len(frame)))
    return [int(i) for i in index]


def require_columns(frame: pd.DataFrame, columns: tuple[str, ...], what: str, file: str | None = None) -> None:
    """Every named column must be in the frame."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(
            f"missing required column for {what}; expected columns {', '.join(columns)}", file=file, column=missing[0]
        )


def extra_columns(frame: pd.DataFrame, known: tuple[str, ...]) -> list[str]:
    """Columns outside the contract (kept as text in an `extra` JSON field)."""
    return [c for c in frame.columns if c not in known]
