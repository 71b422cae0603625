"""Fast bulk writes and reads of frames inside the caller's transaction.

Writes: COPY (CSV) on PostgreSQL with psycopg 3; on SQLite a plain executemany of pre-formatted values (dates and
times as the ISO text SQLAlchemy itself stores); elsewhere SQLAlchemy's executemany. Reads: a Core select whose
date/time columns are parsed by pandas in one vectorised step instead of one Python call per value.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
from sqlalchemy import Date, DateTime, String, Table, insert, type_coerce
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement, Select


def insert_frame(session: Session, table: Table, frame: pd.DataFrame) -> int:
    """Insert a frame whose columns are named after `table`'s columns (dates/times as datetime64, NaN = NULL)."""
    if frame.empty:
        return 0
    connection = session.connection()
    dialect = connection.dialect
    if dialect.name == "postgresql" and dialect.driver == "psycopg":
        _copy_csv(connection, table, frame)
    elif dialect.name == "sqlite":
        text = _with_text_times(table, frame)
        names = ", ".join(dialect.identifier_preparer.quote(c) for c in frame.columns)
        marks = ", ".join("?" for _ in frame.columns)
        target = dialect.identifier_preparer.format_table(table)
        connection.exec_driver_sql(f"INSERT INTO {target} ({names}) VALUES ({marks})", _tuples(text))
    else:
        records = [dict(zip(frame.columns, row, strict=True)) for row in _tuples(frame)]
        connection.execute(insert(table), records)
    return len(frame)


def _with_text_times(table: Table, frame: pd.DataFrame) -> pd.DataFrame:
    """Date and date-time columns as the ISO text SQLAlchemy stores in SQLite (NaT → None).

    Only the distinct values are formatted (a roster or a history repeats the same interval starts many times).
    """
    out = frame.copy()
    for name in frame.columns:
        kind = table.c[name].type
        if isinstance(kind, DateTime | Date):
            codes, uniques = pd.factorize(pd.to_datetime(frame[name]))
            fmt = "%Y-%m-%d %H:%M:%S.%f" if isinstance(kind, DateTime) else "%Y-%m-%d"
            text = np.append(np.asarray(uniques.strftime(fmt), dtype=object), None)
            out[name] = text[codes]  # code -1 (NaT) picks the trailing None
    return out


def _tuples(frame: pd.DataFrame) -> list[tuple]:
    """Rows as tuples of Python values, NaN/NaT → None."""
    objects = frame.astype(object).where(frame.notna(), None)
    return list(objects.itertuples(index=False, name=None))


def _copy_csv(connection, table: Table, frame: pd.DataFrame) -> None:
    """COPY … FROM STDIN (FORMAT csv) on the session's own psycopg connection; text columns keep empty strings."""
    preparer = connection.dialect.identifier_preparer
    buffer = io.StringIO()
    _with_text_times(table, frame).to_csv(buffer, index=False, header=False, na_rep="")
    not_null_text = [
        preparer.quote(c) for c in frame.columns if isinstance(table.c[c].type, String) and not table.c[c].nullable
    ]
    options = "FORMAT csv" + (f", FORCE_NOT_NULL ({', '.join(not_null_text)})" if not_null_text else "")
    columns = ", ".join(preparer.quote(c) for c in frame.columns)
    driver = connection.connection.driver_connection
    with (
        driver.cursor() as cursor,
        cursor.copy(f"COPY {preparer.format_table(table)} ({columns}) FROM STDIN ({options})") as copy,
    ):
        copy.write(buffer.getvalue())


def plain(column: ColumnElement) -> ColumnElement:
    """A date/time column selected without SQLAlchemy's per-value conversion (read_frame parses it)."""
    return type_coerce(column, String).label(column.key)


def read_frame(session: Session, query: Select, columns: list[str], *, times: tuple[str, ...] = ()) -> pd.DataFrame:
    """Run a select and return its rows as a frame; `times` columns (selected with plain()) become datetime64."""
    rows = session.connection().execute(query).fetchall()
    data = list(zip(*rows, strict=True)) if rows else [()] * len(columns)
    frame = pd.DataFrame({name: pd.Series(values, dtype=object) for name, values in zip(columns, data, strict=True)})
    for name in times:
        values = frame[name]
        if len(values) and isinstance(values.iat[0], str):
            frame[name] = pd.to_datetime(values, format="ISO8601")
        else:
            frame[name] = pd.to_datetime(values)
        frame[name] = frame[name].astype("datetime64[ns]")
    return frame


def float_columns(frame: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """Cast the named columns to float (None → NaN)."""
    for name in names:
        frame[name] = pd.to_numeric(frame[name], errors="coerce").astype(np.float64)
    return frame
