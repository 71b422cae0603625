"""Event calendar: site holidays and promotions, their uplift and shape learned from past occurrences.

An event day's volume is a ratio to the mean of the same weekday over the weeks before the event window,
learned per position (ramp days before, each event day, return days after) from past occurrences of the
same event, and spread over the day with the intraday shape those past days had. A future event without
history can be given an explicit uplift; holidays never seen fall back to the pooled ratio of seen ones.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import holidays
import numpy as np
import pandas as pd

from forecasting.csv_input import numbers, read_table, text_column, timestamps
from forecasting.grid import DayGrid
from wfm.errors import InputError
from wfm.limits import MAX_EVENT_DAYS, MAX_VOLUME_MULTIPLIER

KINDS = ("promotion", "holiday", "returns")
DEFAULT_WINDOW = {"holiday": (1, 1), "promotion": (7, 3), "returns": (0, 0)}
BASELINE_WEEKS = 4
MAX_GAP_DAYS = 3
FINANCIAL_MARKETS = ("NYSE", "XNYS", "ECB", "XECB", "IFEU", "BVMF", "XTAE", "XNSE", "XBOM")


@dataclass(frozen=True)
class Event:
    """One occurrence of a named event: days start..end, with ramp/return windows and an optional uplift."""

    name: str
    start: dt.date
    end: dt.date
    kind: str = "promotion"
    uplift: float | None = None
    pre_days: int | None = None
    post_days: int | None = None

    @property
    def window(self) -> tuple[int, int]:
        """(open days before, open days after) that belong to the event."""
        pre, post = DEFAULT_WINDOW.get(self.kind, (0, 0))
        return (pre if self.pre_days is None else self.pre_days, post if self.post_days is None else self.post_days)


Position = tuple[str, int]


@dataclass(frozen=True)
class EventCalendar:
    """The events a site knows about (past and future)."""

    events: tuple[Event, ...] = ()

    def __add__(self, other: EventCalendar) -> EventCalendar:
        """Both calendars' events."""
        return EventCalendar(self.events + other.events)

    def positions(self, days: pd.DatetimeIndex, open_weekdays: np.ndarray) -> dict[pd.Timestamp, list]:
        """For each day inside an event window: the (event, position) pairs that cover it."""
        wanted = set(days)
        first, last = days.min() - pd.Timedelta(days=60), days.max() + pd.Timedelta(days=60)
        covered: dict[pd.Timestamp, list] = defaultdict(list)
        for event in self.events:
            if pd.Timestamp(event.end) < first or pd.Timestamp(event.start) > last:
                continue
            for day, position in event_window(event, open_weekdays):
                if day in wanted:
                    covered[day].append((event, position))
        return covered


def event_window(event: Event, open_weekdays: np.ndarray) -> list[tuple[pd.Timestamp, Position]]:
    """The days of an event with their positions: ramp (open days before), core days, returns (open after)."""
    return _event_window(event, tuple(bool(v) for v in open_weekdays))


@functools.lru_cache(maxsize=4096)
def _event_window(event: Event, open_weekdays: tuple[bool, ...]) -> list[tuple[pd.Timestamp, Position]]:
    """event_window with a hashable weekday mask (cached: calendars are reused across fits)."""
    pre, post = event.window
    start, end = pd.Timestamp(event.start), pd.Timestamp(event.end)
    days: list[tuple[pd.Timestamp, Position]] = []
    day, k = start, 0
    while k < pre:
        day -= pd.Timedelta(days=1)
        if open_weekdays[day.weekday()]:
            k += 1
            days.append((day, ("pre", k)))
    for k in range((end - start).days + 1):
        days.append((start + pd.Timedelta(days=k), ("core", k)))
    day, k = end, 0
    while k < post:
        day += pd.Timedelta(days=1)
        if open_weekdays[day.weekday()]:
            k += 1
            days.append((day, ("post", k)))
    return days


def site_holidays(spec: str, years: Iterable[int], categories: Sequence[str] | None = None) -> EventCalendar:
    """Holidays of a site calendar: a country code (CN, IL, US, optionally 'US-NY' for a subdivision) or a
    financial market (NYSE…); consecutive holiday dates (gaps ≤ a weekend) form one event."""
    code, _, subdiv = spec.upper().partition("-")
    years = sorted(set(years))
    try:
        if code in FINANCIAL_MARKETS:
            table = holidays.financial_holidays(code, years=years)
        else:
            kwargs = {"categories": tuple(categories)} if categories else {}
            table = holidays.country_holidays(code, subdiv=subdiv or None, years=years, **kwargs)
    except (NotImplementedError, KeyError) as exc:
        raise ValueError(f"unknown holiday calendar {spec!r}") from exc
    dates = sorted(table.keys())
    events: list[Event] = []
    block: list[dt.date] = []
    for day in [*dates, None]:
        if block and (day is None or (day - block[-1]).days > MAX_GAP_DAYS):
            names = [_clean_name(n) for d in block for n in table.get_list(d)]
            main = [n for n in names if not n.lower().startswith("day off")] or names
            name = max(set(main), key=main.count)
            events.append(Event(name=name, start=block[0], end=block[-1], kind="holiday"))
            block = []
        if day is not None:
            block.append(day)
    return EventCalendar(tuple(events))


def _clean_name(name: str) -> str:
    """A holiday's name without '(observed)' style suffixes, so that years match."""
    return name.replace("(observed)", "").replace("(estimated)", "").strip()


@dataclass(frozen=True)
class LearnedEffects:
    """Per event name and position: past ratios to the weekday baseline and past intraday shares."""

    ratios: dict[str, dict[Position, list[float]]] = field(default_factory=dict)
    shares: dict[str, dict[Position, list[np.ndarray]]] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)

    def ratio(self, event: Event, position: Position) -> float | None:
        """Learned ratio for an event position (nearest learned core day for longer events), or None."""
        table = self.ratios.get(event.name, {})
        key = _nearest(table, position)
        return float(np.mean(table[key])) if key else None

    def share(self, event: Event, position: Position) -> tuple[np.ndarray, int] | None:
        """Mean learned intraday share for an event position and the number of occurrences behind it."""
        table = self.shares.get(event.name, {})
        key = _nearest(table, position)
        return (np.mean(table[key], axis=0), len(table[key])) if key else None

    def pooled(self, kind: str, position: Position) -> float | None:
        """Mean ratio of all learned events of a kind at a position (core positions pooled as core 0)."""
        part, k = position
        values = [
            r
            for name, table in self.ratios.items()
            if self.kinds.get(name) == kind
            for (p, j), rs in table.items()
            if p == part and (j == k or part == "core")
            for r in rs
        ]
        return float(np.mean(values)) if values else None


def _nearest(table: dict, position: Position) -> Position | None:
    """The position itself if learned; for core days beyond the learned length, the last learned core day."""
    if position in table:
        return position
    part, k = position
    if part == "core":
        cores = [j for p, j in table if p == "core" and j <= k]
        if cores:
            return ("core", max(cores))
    return None


def learn_effects(grid: DayGrid, open_slots: np.ndarray, usable: np.ndarray, calendar: EventCalendar) -> LearnedEffects:
    """Ratios and shares of every past event day with data, against the same weekday before its window."""
    open_weekdays = open_slots.any(axis=1)
    days = grid.days
    totals = np.where(usable, grid.daily_totals(), np.nan)
    index = {day: row for row, day in enumerate(days)}
    in_event = event_mask(calendar, days, open_weekdays)
    clean = np.where(in_event, np.nan, totals)
    ratios: dict[str, dict[Position, list[float]]] = defaultdict(lambda: defaultdict(list))
    shares: dict[str, dict[Position, list[np.ndarray]]] = defaultdict(lambda: defaultdict(list))
    kinds: dict[str, str] = {}
    for event in calendar.events:
        window = event_window(event, open_weekdays)
        first, last = min(day for day, _ in window), max(day for day, _ in window)
        for day, position in window:
            row = index.get(day)
            if row is None or not open_weekdays[day.weekday()]:
                continue
            base = _weekday_baseline(clean, index, first, last, day.weekday())
            if base is None:
                continue
            kinds[event.name] = event.kind
            observed = not np.isnan(grid.values[row]).all()
            if usable[row]:
                ratios[event.name][position].append(totals[row] / base)
                values = np.where(open_slots[day.weekday()], np.nan_to_num(grid.values[row]), 0.0)
                if values.sum() > 0:
                    shares[event.name][position].append(values / values.sum())
            elif not observed and event.kind == "holiday":
                ratios[event.name][position].append(0.0)
    return LearnedEffects({k: dict(v) for k, v in ratios.items()}, {k: dict(v) for k, v in shares.items()}, kinds)


def _weekday_baseline(
    clean: np.ndarray, index: dict, first: pd.Timestamp, last: pd.Timestamp, weekday: int
) -> float | None:
    """Mean total of the same weekday over the BASELINE_WEEKS clean weeks before the window `first`
    (looking up to twice as far back); if the history starts too late, the clean weeks after `last`."""
    before = first - pd.Timedelta(days=(first.weekday() - weekday) % 7 or 7)
    after = last + pd.Timedelta(days=(weekday - last.weekday()) % 7 or 7)
    for day, step in ((before, -7), (after, 7)):
        found = []
        for _ in range(2 * BASELINE_WEEKS):
            row = index.get(day)
            if row is not None and not np.isnan(clean[row]) and clean[row] > 0:
                found.append(clean[row])
                if len(found) == BASELINE_WEEKS:
                    break
            day += pd.Timedelta(days=step)
        if len(found) >= 2:
            return float(np.mean(found))
    return None


def event_mask(calendar: EventCalendar, days: pd.DatetimeIndex, open_weekdays: np.ndarray) -> np.ndarray:
    """True for days inside any event window (to keep them out of a model's fit)."""
    covered = calendar.positions(days, open_weekdays)
    return np.array([day in covered for day in days], dtype=bool)


@dataclass(frozen=True)
class DayAdjustment:
    """What the calendar does to future days: a ratio per day and, where learned, an intraday share."""

    ratio: np.ndarray
    shares: np.ndarray
    has_shares: np.ndarray


def adjust_days(
    effects: LearnedEffects, calendar: EventCalendar, days: pd.DatetimeIndex, open_slots: np.ndarray
) -> DayAdjustment:
    """Ratios and learned shapes for future days (1 and no shape outside events)."""
    open_weekdays = open_slots.any(axis=1)
    covered = calendar.positions(days, open_weekdays)
    ratio = np.ones(len(days))
    shares = np.zeros((len(days), open_slots.shape[1]))
    has_shares = np.zeros(len(days), dtype=bool)
    for i, day in enumerate(days):
        best: tuple[int, float, np.ndarray | None, int] | None = None
        for event, position in covered.get(day, []):
            value = _event_ratio(effects, event, position)
            if value is None:
                continue
            distance = 0 if position[0] == "core" else position[1]
            learned = effects.share(event, position)
            shape, count = learned if learned else (None, 0)
            candidate = (distance, -abs(np.log(max(value, 1e-3))), shape, count, value)
            if best is None or candidate[:2] < best[:2]:
                best = candidate
        if best is None:
            continue
        ratio[i] = best[4]
        shape, count = best[2], best[3]
        if shape is not None and shape.shape[0] == shares.shape[1]:
            shares[i] = shape
            has_shares[i] = count > 0
    return DayAdjustment(ratio, shares, has_shares)


def _event_ratio(effects: LearnedEffects, event: Event, position: Position) -> float | None:
    """Explicit uplift (core days) > learned ratio of this event > pooled ratio of its kind (holidays)."""
    if event.uplift is not None and position[0] == "core":
        return float(event.uplift)
    learned = effects.ratio(event, position)
    if learned is not None:
        return learned
    if event.kind == "holiday":
        return effects.pooled("holiday", position)
    return None


def closed_days(effects: LearnedEffects, calendar: EventCalendar, threshold: float = 0.1) -> frozenset:
    """Holiday days on which the site is (learned or told to be) closed: ratio below `threshold`."""
    closed = set()
    for event in calendar.events:
        if event.kind != "holiday":
            continue
        for k, day in enumerate(pd.date_range(event.start, event.end, freq="D")):
            value = _event_ratio(effects, event, ("core", k))
            if value is not None and value < threshold:
                closed.add(day)
    return frozenset(closed)


def read_events(path: str | Path) -> EventCalendar:
    """An events CSV: `event, start, end, kind` (promotion|holiday|returns), optional `uplift` (a ratio to a
    normal day, for events without history), `pre_days`, `post_days`. Bad rows raise InputError."""
    table = read_table(path, required=("event", "start", "end", "kind"), optional=("uplift", "pre_days", "post_days"))
    names = text_column(table, "event")
    kinds = text_column(table, "kind").str.lower()
    starts, ends = timestamps(table, "start"), timestamps(table, "end")
    for row in table.frame.index:
        if not names[row]:
            raise table.fail(row, "event", "the event name is empty")
        if kinds[row] not in KINDS:
            raise table.fail(row, "kind", f'"{kinds[row]}" is not one of {", ".join(KINDS)}')
        if ends[row] < starts[row]:
            raise table.fail(row, "end", f"the end {ends[row].date()} is before the start {starts[row].date()}")
        if (ends[row] - starts[row]).days > MAX_EVENT_DAYS:
            raise table.fail(row, "end", f"the event lasts more than {MAX_EVENT_DAYS} days; expected a shorter event")
    maximum = {"uplift": MAX_VOLUME_MULTIPLIER, "pre_days": MAX_EVENT_DAYS, "post_days": MAX_EVENT_DAYS}
    extra = {
        column: numbers(table, column, required=False, maximum=maximum[column]) if table.has(column) else None
        for column in ("uplift", "pre_days", "post_days")
    }
    for column in ("pre_days", "post_days"):
        values = extra[column]
        if values is not None:
            bad = values.notna() & (values != values.round())
            if bad.any():
                raise table.fail(int(bad.idxmax()), column, "expected a whole number of days")
    events = []
    for row in table.frame.index:
        value = {c: (None if v is None or np.isnan(v[row]) else float(v[row])) for c, v in extra.items()}
        events.append(
            Event(
                name=names[row],
                start=starts[row].date(),
                end=ends[row].date(),
                kind=kinds[row],
                uplift=value["uplift"],
                pre_days=None if value["pre_days"] is None else int(value["pre_days"]),
                post_days=None if value["post_days"] is None else int(value["post_days"]),
            ),
        )
    return EventCalendar(tuple(events))


def check_holiday_spec(spec: str) -> None:
    """Raise InputError if the holiday calendar code is unknown."""
    try:
        site_holidays(spec, [2024])
    except ValueError as exc:
        raise InputError(f"{exc}; expected a country code such as CN, IL, US or a market such as NYSE") from None
