"""Writing output files safely: formula-like cells neutralised, written atomically, never onto an input, and
all-or-nothing across the files one command writes.

A command runs inside `output_batch(outputs, inputs)`: its targets are checked before any work (an existing folder,
not a folder itself, not one of the command's inputs, not named twice), each file it writes goes to a temporary
file beside its target, and only when the command finishes are they all renamed into place; on any failure the
temporary files are removed and the previous files are left (or put back) as they were.
"""

from __future__ import annotations

import contextvars
import json
import math
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from wfm.errors import InputError

# A text cell starting with one of these is run as a formula by Excel, LibreOffice or Google Sheets: an apostrophe
# is put before it. A leading tab or carriage return counts too (they hide a formula after them).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutral_cell(value: object) -> object:
    """One cell, with an apostrophe before it if it is text that a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with every text cell (and column name) that a spreadsheet would run as a formula neutralised."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or isinstance(out[column].dtype, pd.StringDtype):
            out[column] = out[column].map(neutral_cell)
    out.columns = [neutral_cell(str(c)) for c in out.columns]
    return out


def _same_file(a: Path, b: Path) -> bool:
    """Whether two paths name the same file (through links and relative parts)."""
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return a.resolve() == b.resolve()


def check_target(path: str | Path, inputs: Iterable[str | Path] = ()) -> Path:
    """The output path, checked: not empty, not a folder, its folder exists and is a folder, not an input."""
    text = str(path)
    if not text.strip():
        raise InputError("the output file name is empty")
    target = Path(text)
    if target.is_dir():
        raise InputError("is a folder; expected a file name to write", file=text)
    if target.exists() and not target.is_file():
        raise InputError("is not a regular file (a device, pipe or socket); expected a file name to write", file=text)
    parent = target.parent
    if not parent.exists():
        raise InputError(f'the folder "{parent}" does not exist; create it first or choose another place', file=text)
    if not parent.is_dir():
        raise InputError(f'"{parent}" is not a folder', file=text)
    for source in inputs:
        if _same_file(target, Path(source)):
            raise InputError("is also an input of this command; choose another output file", file=text)
    return target


@dataclass
class OutputBatch:
    """The files one command writes: staged beside their targets, renamed into place together on commit."""

    targets: tuple[Path, ...] = ()
    staged: list[tuple[Path, Path]] = field(default_factory=list)

    def owns(self, target: Path) -> bool:
        """Whether the target is one of the command's declared outputs (others are written at once)."""
        return any(_same_path(target, t) for t in self.targets)

    def stage(self, target: Path, temporary: Path) -> None:
        """Keep a written temporary file until commit."""
        self.staged = [(t, tmp) for t, tmp in self.staged if not _same_path(t, target)] + [(target, temporary)]

    def commit(self) -> None:
        """Rename every staged file into place; if one fails, put back what was there before and fail."""
        done: list[tuple[Path, Path | None]] = []
        try:
            for target, temporary in self.staged:
                if target.is_dir():
                    raise IsADirectoryError(21, "a folder now stands at this name", str(target))
                backup = None
                if target.exists():
                    backup = target.with_name(f".{target.name}.{os.getpid()}.bak")
                    os.replace(target, backup)
                done.append((target, backup))
                os.replace(temporary, target)
        except OSError as exc:
            for target, backup in reversed(done):
                if backup is not None:
                    os.replace(backup, target)
                else:
                    target.unlink(missing_ok=True)
            self.discard()
            raise InputError(
                f"cannot write the file ({exc.strerror or exc}); nothing was written", file=target
            ) from None
        for _, backup in done:
            if backup is not None:
                backup.unlink(missing_ok=True)
        self.staged = []

    def discard(self) -> None:
        """Remove every staged temporary file."""
        for _, temporary in self.staged:
            temporary.unlink(missing_ok=True)
        self.staged = []


def _same_path(a: Path, b: Path) -> bool:
    """Whether two paths name the same place (the file need not exist)."""
    return a.resolve() == b.resolve()


_current: contextvars.ContextVar[OutputBatch | None] = contextvars.ContextVar("wfm_output_batch", default=None)


@contextmanager
def output_batch(outputs: Iterable[str | Path], inputs: Iterable[str | Path] = ()) -> Iterator[OutputBatch]:
    """Check the outputs now, stage every write to them, and commit all together when the block ends cleanly."""
    outputs = [p for p in outputs if p is not None]
    inputs = [p for p in inputs if p is not None]
    targets = tuple(check_target(p, inputs) for p in outputs)
    for i, target in enumerate(targets):
        if any(_same_path(target, other) for other in targets[:i]):
            raise InputError("is named as two different outputs; choose one file per output", file=str(target))
    batch = OutputBatch(targets=targets)
    token = _current.set(batch)
    try:
        yield batch
    except BaseException:
        batch.discard()
        raise
    finally:
        _current.reset(token)
    batch.commit()


def _write(path: str | Path, write: Callable[[Path], None]) -> None:
    """Write through a temporary file beside the target: staged in the current batch, else renamed at once."""
    batch = _current.get()
    target = Path(path) if batch is not None and batch.owns(Path(path)) else check_target(path)
    temporary = None
    try:
        handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        os.close(handle)
        temporary = Path(name)
        write(temporary)
    except OSError as exc:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        raise InputError(
            f"cannot write the file ({exc.strerror or exc}); nothing was written", file=str(path)
        ) from None
    except BaseException:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        raise
    if batch is not None and batch.owns(target):
        batch.stage(target, temporary)
        return
    single = OutputBatch(targets=(target,))
    single.stage(target, temporary)
    single.commit()


def write_table(frame: pd.DataFrame, path: str | Path, *, date_format: str | None = None) -> None:
    """A CSV for Excel: UTF-8 with BOM, formula-like cells neutralised, written safely (see the module)."""
    safe = neutralise(frame)
    _write(path, lambda tmp: safe.to_csv(tmp, index=False, encoding="utf-8-sig", date_format=date_format))


def finite_json(value: Any) -> Any:
    """The value with every NaN or infinity replaced by None (JSON has no such numbers)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite_json(v) for v in value]
    return value


def write_json(data: Any, path: str | Path) -> None:
    """A JSON file (UTF-8, non-finite numbers as null), written safely (see the module)."""
    text = json.dumps(finite_json(data), ensure_ascii=False, indent=1, default=_json_default, allow_nan=False)
    _write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def _json_default(value: Any) -> Any:
    """JSON for numpy numbers, dates and other objects (as text)."""
    if hasattr(value, "item"):
        return finite_json(value.item())
    return str(value)
