"""Break and lunch rules of rules.toml (`[breaks_<name>]` tables or `[[breaks]]`, and `[break_cap]`) as data.

Only types and parsing live here (no placement, no checking), so the placement and the independent checker can
both read them without sharing rule code. Every value is a number, so the tables also fit the database's
`{section: {key: number}}` rule store.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from itertools import pairwise
from pathlib import Path

from wfm.errors import InputError

BREAK_TABLE_PREFIX = "breaks_"
CAP_TABLE = "break_cap"
CAP_KEYS = ("default", "min_agents")


@dataclass(frozen=True)
class BreakRule:
    """Pauses of shifts whose length (hours, lunch included) is in [min_shift_hours, max_shift_hours).

    The lunch length is the shift's own `lunch_minutes` (unpaid) and must lie in [lunch_min_minutes,
    lunch_max_minutes]; the lunch starts lunch_earliest_hours..lunch_latest_hours after the shift start.
    Paid breaks: the shift's `breaks` column when given, else `breaks` × `break_minutes`. Every pause starts
    at least earliest_hours after the shift start and ends at least end_margin_hours before its end;
    consecutive pauses are at least min_gap_hours apart (end of one to start of the next).
    """

    name: str = "default"
    min_shift_hours: float = 0.0
    max_shift_hours: float = 24.0
    lunch_min_minutes: int = 0
    lunch_max_minutes: int = 1440
    lunch_earliest_hours: float = 2.0
    lunch_latest_hours: float = 6.0
    breaks: int = 0
    break_minutes: int = 15
    min_gap_hours: float = 1.0
    earliest_hours: float = 1.0
    end_margin_hours: float = 1.0


DEFAULT_BREAK_RULE = BreakRule()


@dataclass(frozen=True)
class BreakCap:
    """At most max(min_agents, floor(share × agents on shift on the queue)) agents of a queue on break or lunch
    in one interval; share = the queue's own value or `default`."""

    default: float = 1.0
    min_agents: int = 1
    queues: tuple[tuple[str, float], ...] = ()

    def share(self, queue: str) -> float:
        """The share of the queue's agents on shift that may pause at once."""
        return dict(self.queues).get(queue, self.default)


@dataclass(frozen=True)
class BreakSettings:
    """Break rules by shift length and the per-queue cap; `configured` is False when rules.toml has neither."""

    rules: tuple[BreakRule, ...] = ()
    cap: BreakCap | None = None

    @property
    def configured(self) -> bool:
        """Whether rules.toml sets any break rule or cap (the checker's break checks run only then)."""
        return bool(self.rules) or self.cap is not None


def break_tables(data: Mapping[str, object]) -> set[str]:
    """Names of the top-level TOML tables that belong to the break settings."""
    return {k for k in data if k == "breaks" or k == CAP_TABLE or k.startswith(BREAK_TABLE_PREFIX)}


def parse_break_settings(data: Mapping[str, object], file: Path) -> BreakSettings:
    """The break settings from a parsed rules.toml (absent tables → no rules, no cap)."""
    raw: list[tuple[str, object]] = []
    if "breaks" in data:
        entries = data["breaks"]
        if not isinstance(entries, list):
            raise InputError("[[breaks]] must be an array of tables (or use [breaks_<name>] tables)", file=file)
        raw += [(f"breaks #{i + 1}", entry) for i, entry in enumerate(entries)]
    raw += [(k, v) for k, v in data.items() if k.startswith(BREAK_TABLE_PREFIX)]
    rules = tuple(_rule(name, table, file) for name, table in raw)
    ordered = sorted(rules, key=lambda r: r.min_shift_hours)
    for a, b in pairwise(ordered):
        if b.min_shift_hours < a.max_shift_hours:
            raise InputError(
                f"[{a.name}] and [{b.name}] both cover {b.min_shift_hours:g} h shifts: "
                "expected non-overlapping min_shift_hours..max_shift_hours ranges",
                file=file,
                column="min_shift_hours",
            )
    cap = _cap(data[CAP_TABLE], file) if CAP_TABLE in data else None
    return BreakSettings(rules, cap)


def _rule(name: str, table: object, file: Path) -> BreakRule:
    """One break rule table."""
    if not isinstance(table, Mapping):
        raise InputError(f"[{name}] must be a table", file=file)
    known = {f.name: f for f in fields(BreakRule) if f.name != "name"}
    values: dict[str, float] = {}
    for key, value in table.items():
        if key not in known:
            raise InputError(f"unknown key in [{name}]: expected one of {', '.join(known)}", file=file, column=key)
        whole = known[key].type in ("int", int)
        ok = isinstance(value, int | float) and not isinstance(value, bool) and value >= 0
        if not ok or (whole and value != int(value)):
            kind = "a whole number" if whole else "a number"
            raise InputError(f"[{name}] expected {kind} ≥ 0, got {value!r}", file=file, column=key)
        values[key] = int(value) if whole else float(value)
    rule = replace(BreakRule(name=name), **values)
    problems = [
        (rule.max_shift_hours <= rule.min_shift_hours, "max_shift_hours must be above min_shift_hours"),
        (rule.lunch_max_minutes < rule.lunch_min_minutes, "lunch_max_minutes must not be below lunch_min_minutes"),
        (rule.lunch_latest_hours < rule.lunch_earliest_hours, "lunch_latest_hours is below lunch_earliest_hours"),
        (rule.breaks > 0 and rule.break_minutes == 0, "break_minutes must be positive when breaks > 0"),
    ]
    for bad, message in problems:
        if bad:
            raise InputError(f"[{name}] {message}", file=file)
    return rule


def _cap(table: object, file: Path) -> BreakCap:
    """The [break_cap] table: default share, min_agents, and one share per queue name."""
    if not isinstance(table, Mapping):
        raise InputError(f"[{CAP_TABLE}] must be a table", file=file)
    shares = {}
    for key, value in table.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise InputError(f"[{CAP_TABLE}] expected a number ≥ 0, got {value!r}", file=file, column=key)
        if key == "min_agents" and value != int(value):
            raise InputError(f"[{CAP_TABLE}] min_agents must be a whole number", file=file, column=key)
        if key not in CAP_KEYS and value > 1:
            raise InputError(
                f"[{CAP_TABLE}] {key} = {value!r}: expected a share of the queue's agents between 0 and 1",
                file=file,
                column=key,
            )
        shares[key] = value
    if shares.get("default", 1.0) > 1:
        raise InputError(f"[{CAP_TABLE}] default: expected a share between 0 and 1", file=file, column="default")
    return BreakCap(
        default=float(shares.pop("default", 1.0)),
        min_agents=int(shares.pop("min_agents", 1)),
        queues=tuple(sorted((k, float(v)) for k, v in shares.items())),
    )
