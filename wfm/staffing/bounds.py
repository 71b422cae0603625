"""Rejecting values above the plausible ceilings of wfm.limits, naming the file, spreadsheet row and column."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike

from wfm.csvio import FIRST_DATA_ROW
from wfm.errors import InputError


def first_true(mask: ArrayLike) -> int | None:
    """Position of the first True in a boolean array, or None."""
    hits = np.flatnonzero(np.asarray(mask, dtype=bool))
    return int(hits[0]) if hits.size else None


def reject_above(
    values: ArrayLike,
    maximum: float,
    *,
    file: str | Path,
    column: str,
    unit: str = "",
    positions: ArrayLike | None = None,
) -> None:
    """Raise an InputError at the first value above `maximum` (or not finite); rows are spreadsheet rows.

    `positions` maps each value to its 0-based data row in the file (default: the value's own position).
    """
    array = np.asarray(values, dtype=float)
    at = first_true(~(array <= maximum))
    if at is None:
        return
    row = int(np.asarray(positions)[at]) if positions is not None else at
    suffix = f" {unit}" if unit else ""
    raise InputError(
        f"{show_number(array[at])}{suffix} is above the ceiling {show_number(maximum)}{suffix}",
        file=file,
        row=row + FIRST_DATA_ROW,
        column=column,
    )


def show_number(value: float) -> str:
    """A number for a message: whole numbers with thousands separators (1,000,000), others in short form (1e+308)."""
    if value == round(value) and abs(value) < 1e15:
        return f"{value:,.0f}"
    return f"{value:g}"
