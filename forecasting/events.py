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

KINDS = ("promotion", "holiday", "returns", "closed", "half_day")
DEFAULT_WINDOW = {"holiday": (1, 1), "promotion": (7, 3), "returns": (0, 0), "closed": (1, 1), "half_day": (0, 0)}
BASELINE_WEEKS = 4
MAX_GAP_DAYS = 3
FINANCIAL_MARKETS = ("NYSE", "XNYS", "ECB", "XECB", "IFEU", "BVMF", "XTAE", "XNSE", "XBOM")
# Holiday categories of the `holidays` package read by default (where a calendar has them): days off, optional
# days off (Israel's intermediate festival days, memorial days) and half days (market early closes).
DEFAULT_CATEGORIES = ("public", "optional", "half_day")
# Where nothing has been learned: the ratio of an event day to a normal day (1 = no effect).
PRIOR_RATIO = {"closed": 0.0, "half_day": 0.5}
# Empirical-Bayes spreads (ratio units) used when too few occurrences show them: how far a pooled mean may be
# from the prior, how far one event differs from the pooled mean of its kind, and one occurrence's noise.
PRIOR_SPREAD = 0.5
# Eves and days after move a day by tens of percent, rarely more: the pooled mean of such days is held closer to
# no effect, so one other holiday's eve (one noisy day) does not decide an unseen holiday's eve.
NEAR_PRIOR_SPREAD = 0.15
BETWEEN_SPREAD = 0.3
WITHIN_SPREAD = 0.1
MIN_SPREAD = 0.03
# The day-total uncertainty (log sd) of an event day whose uplift the planner stated.
EXPLICIT_LOG_SIGMA = 0.15
# A day below this ratio to a normal day is a closed day.
CLOSED_RATIO = 0.1
# A past event-window day whose total is within this many standard deviations of its weekday's normal day-to-day
# variation looked like an ordinary day and stays in the models' fit (see unusual_event_days).
ORDINARY_Z = 2.0


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
    day_kinds: tuple[str, ...] = ()

    def day_kind(self, k: int) -> str:
        """The category of the k-th event day (public, optional, half_day… for site holidays; else the kind)."""
        if not self.day_kinds:
            return self.kind
        return self.day_kinds[min(max(k, 0), len(self.day_kinds) - 1)]

    @property
    def days(self) -> int:
        """Number of calendar days from start to end."""
        return (self.end - self.start).days + 1

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
    """Holidays of one or more site calendars, comma-separated: country codes (CN, IL, US, 'US-NY' for a
    subdivision) or financial markets (NYSE…). By default every DEFAULT_CATEGORIES category the calendar has
    (days off, optional days off, half days). Consecutive holiday dates (gaps ≤ a weekend) form one event
    named after its main holiday; half days (early closes) are separate holidays without eve or day after;
    each day keeps its category (public, optional, half_day), which decides what it is pooled with."""
    calendar = EventCalendar()
    for part in [p.strip() for p in spec.split(",") if p.strip()] or [spec]:
        calendar = calendar + _one_calendar(part, sorted(set(years)), categories)
    return calendar


def _one_calendar(spec: str, years: list[int], categories: Sequence[str] | None) -> EventCalendar:
    """site_holidays for one country or market code."""
    code, _, subdiv = spec.upper().partition("-")
    try:
        if code in FINANCIAL_MARKETS:
            make = functools.partial(holidays.financial_holidays, code, years=years)
        else:
            make = functools.partial(holidays.country_holidays, code, subdiv=subdiv or None, years=years)
        supported = make().supported_categories
    except (NotImplementedError, KeyError) as exc:
        raise ValueError(f"unknown holiday calendar {spec!r}") from exc
    wanted = [c for c in (categories or DEFAULT_CATEGORIES) if c in supported] or ["public"]
    category_of: dict[dt.date, str] = {}
    tables = {}
    for category in wanted:  # earlier categories win (a day off beats an optional one)
        tables[category] = make(categories=(category,))
        for day in tables[category]:
            category_of.setdefault(day, category)
    events: list[Event] = []
    for half in (False, True):
        dates = sorted(d for d, c in category_of.items() if (c == "half_day") == half)
        block: list[dt.date] = []
        for day in [*dates, None]:
            if block and (day is None or (day - block[-1]).days > MAX_GAP_DAYS):
                events.append(_block_event(block, category_of, tables, half))
                block = []
            if day is not None:
                block.append(day)
    return EventCalendar(tuple(sorted(events, key=lambda e: e.start)))


def _block_event(block: list[dt.date], category_of: dict, tables: dict, half: bool) -> Event:
    """One event for consecutive holiday dates: its main name, and the category of each calendar day."""
    names = [_clean_name(n) for d in block for n in tables[category_of[d]].get_list(d)]
    main = [n for n in names if not n.lower().startswith("day off")] or names
    name = max(sorted(set(main)), key=main.count)
    span = pd.date_range(block[0], block[-1], freq="D")
    kinds = tuple(category_of.get(day.date(), "gap") for day in span)
    # A calendar's half day (a market's early close) is a hint, not the site's fact: a holiday whose effect is
    # learned (prior: none); only the site's own events file says kind half_day (prior: half a day).
    return Event(
        name=name,
        start=block[0],
        end=block[-1],
        kind="holiday",
        day_kinds=kinds,
        pre_days=0 if half else None,
        post_days=0 if half else None,
    )


def _clean_name(name: str) -> str:
    """A holiday's name without '(observed)' style suffixes, so that years match."""
    return name.replace("(observed)", "").replace("(estimated)", "").strip()


PoolKey = tuple[str, str, int, str]


def pool_key(event: Event, position: Position) -> PoolKey:
    """What a day is pooled with when its own event has too few occurrences: the same kind of event, the same
    part (eve/day/after, counted up to 2 days out) and the category of the nearest event day."""
    part, k = position
    if part == "core":
        return (event.kind, part, 0, event.day_kind(k))
    near = 0 if part == "pre" else event.days - 1
    return (event.kind, part, min(k, 2), event.day_kind(near))


def _shrunk(values: Sequence[float], prior: float, prior_var: float, noise_var: float) -> float:
    """The normal–normal posterior mean: the values' mean pulled toward `prior` by noise / prior variance."""
    if not values:
        return prior
    weight = len(values) / (len(values) + noise_var / max(prior_var, MIN_SPREAD**2))
    return float(weight * np.mean(values) + (1 - weight) * prior)


@dataclass(frozen=True)
class LearnedEffects:
    """Per event name and position: past ratios to the weekday baseline and past intraday shares; per pool
    key (kind, part, distance, day category): the same pooled over events, as (name, ratio) pairs."""

    ratios: dict[str, dict[Position, list[float]]] = field(default_factory=dict)
    shares: dict[str, dict[Position, list[np.ndarray]]] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)
    pools: dict[PoolKey, list[tuple[str, float]]] = field(default_factory=dict)
    pool_shares: dict[PoolKey, list[np.ndarray]] = field(default_factory=dict)
    cache: dict = field(default_factory=dict, compare=False, repr=False)

    def within_var(self) -> float:
        """Variance of one occurrence around its event's mean (pooled over events seen twice or more)."""
        if "within" not in self.cache:
            deviations = [
                r - np.mean(rs) for table in self.ratios.values() for rs in table.values() if len(rs) > 1 for r in rs
            ]
            found = max(float(np.mean(np.square(deviations))), MIN_SPREAD**2) if len(deviations) >= 3 else None
            self.cache["within"] = WITHIN_SPREAD**2 if found is None else found
        return self.cache["within"]

    def _pool_stats(self, keys: Sequence[PoolKey], name: str, center: float) -> tuple[list[float], float, frozenset]:
        """Per-event mean ratios of the other events under `keys`, the noise of one such mean around the pool's
        mean (the variance between events, this one included, plus one occurrence's noise) and the names of the
        other events. With fewer than 3 events their spread cannot be seen: their mean squared distance from
        `center`, but at least BETWEEN_SPREAD² (one near-normal eve is no proof that eves are alike)."""
        by_name: dict[str, list[float]] = defaultdict(list)
        for key in keys:
            for other, value in self.pools.get(key, []):
                by_name[other].append(value)
        means = [float(np.mean(v)) for other, v in by_name.items() if other != name]
        own = by_name.get(name)
        spread = [*means, float(np.mean(own))] if own else means
        if len(spread) > 2:
            between = float(np.var(spread, ddof=1))
        else:
            between = max(float(np.mean(np.square(np.subtract(spread, center)))) if spread else 0.0, BETWEEN_SPREAD**2)
        others = frozenset(other for other in by_name if other != name)
        return means, max(between, MIN_SPREAD**2) + self.within_var(), others

    def prior(self, event: Event, position: Position) -> tuple[float, float]:
        """The pooled ratio of like days of other events and the spread of events around it (see prior_of)."""
        return self.prior_of(pool_key(event, position), event.name)

    def prior_of(self, key: PoolKey, name: str) -> tuple[float, float]:
        """The pooled ratio of the days under pool `key` of events other than `name`, and the spread of one event
        around it. Eves and days after in two levels: all events of the kind at this part and distance (any day
        category) shrunk toward PRIOR_RATIO (within NEAR_PRIOR_SPREAD), then those of the same day category shrunk
        toward that (unless they are the same events: evidence counts once); event days: the same day category
        shrunk toward PRIOR_RATIO (a closed public holiday says nothing about a half day)."""
        memo = ("prior", key, name)
        if memo in self.cache:
            return self.cache[memo]
        kind, part = key[0], key[1]
        base = PRIOR_RATIO.get(kind, 1.0) if part == "core" else 1.0
        if part == "core":  # a day off, an optional day and a half day are different things: no broad level
            means, between, _ = self._pool_stats([key], name, base)
            found = _shrunk(means, base, PRIOR_SPREAD**2, between), between
        else:
            broad_keys = [k for k in self.pools if k[:3] == key[:3]]
            broad_means, broad_between, broad_names = self._pool_stats(broad_keys, name, base)
            broad = _shrunk(broad_means, base, NEAR_PRIOR_SPREAD**2, broad_between)
            means, between, names = self._pool_stats([key], name, broad)
            if names == broad_names:
                found = broad, between
            else:
                found = _shrunk(means, broad, broad_between, between), between
        self.cache[memo] = found
        return found

    def effect_log_sigma(self, event: Event, position: Position) -> float:
        """How far (log scale, one sd) a future day's total may be from its forecast because of the event's
        effect: for an event seen before at this position, one occurrence's noise plus what its shrunk mean still
        leaves open; for one never seen there, the pooled error of predicting past events of its pool key from
        the OTHER events (shrunk toward that of all eves / days after / event days when few, and toward
        BETWEEN_SPREAD)."""
        table = self.ratios.get(event.name, {})
        unseen = self._unseen_var(pool_key(event, position))
        if position not in table:  # never seen at this position (a later day of a long event borrowing an
            return float(np.sqrt(unseen))  # earlier day's ratio is not a repeat of it)
        n = len(table[position])
        within = self.within_var()
        _, between = self.prior(event, position)
        left = within / (n * between + within)  # the share of the prior still in the shrunk mean
        return float(np.sqrt(within + left * unseen))

    def _unseen_var(self, key: PoolKey) -> float:
        """Mean squared log error of predicting each past event day under `key` from the other events only,
        shrunk toward the same for every key of its part (2 pseudo-days), that toward BETWEEN_SPREAD² (2)."""
        memo = ("unseen", key)
        if memo not in self.cache:
            errors = self._loo_errors()
            broad = [e for k, found in errors.items() if k[:2] == key[:2] for e in found]
            own = errors.get(key, [])
            broad_var = (float(np.sum(np.square(broad))) + 2 * BETWEEN_SPREAD**2) / (len(broad) + 2)
            self.cache[memo] = (float(np.sum(np.square(own))) + 2 * broad_var) / (len(own) + 2)
        return self.cache[memo]

    def _loo_errors(self) -> dict[PoolKey, list[float]]:
        """Per pool key: log(actual ratio / ratio predicted from the other events) of every past open event day."""
        if "loo" not in self.cache:
            errors: dict[PoolKey, list[float]] = defaultdict(list)
            for key, found in self.pools.items():
                for name, value in found:
                    predicted, _ = self.prior_of(key, name)
                    if value >= CLOSED_RATIO and predicted >= CLOSED_RATIO:  # closed days have no band to miss
                        errors[key].append(float(np.log(value / predicted)))
            self.cache["loo"] = dict(errors)
        return self.cache["loo"]

    def ratio(self, event: Event, position: Position) -> float | None:
        """This event's past ratios at the position (the nearest learned core day for longer events) shrunk
        toward the pooled prior; the prior alone if it has none (None for a promotion never seen)."""
        memo = (event.name, event.kind, event.day_kinds, event.days, position)
        if memo not in self.cache:
            self.cache[memo] = self._ratio(event, position)
        return self.cache[memo]

    def _ratio(self, event: Event, position: Position) -> float | None:
        """ratio() without the memo."""
        table = self.ratios.get(event.name, {})
        key = _nearest(table, position)
        own = table[key] if key else []
        if not own and event.kind == "promotion" and not self.pools.get(pool_key(event, position)):
            return None
        if own and max(own) < CLOSED_RATIO:  # closed at every past occurrence: closed (a category, not a level)
            return 0.0
        prior, between = self.prior(event, position)
        return _shrunk(own, prior, between, self.within_var())

    def share(self, event: Event, position: Position) -> tuple[np.ndarray, int] | None:
        """Mean learned intraday share for an event position and the number of occurrences behind it; the
        pooled share of its pool key where the event itself has none."""
        table = self.shares.get(event.name, {})
        key = _nearest(table, position)
        if key:
            return np.mean(table[key], axis=0), len(table[key])
        pooled = self.pool_shares.get(pool_key(event, position))
        return (np.mean(pooled, axis=0), len(pooled)) if pooled else None

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
    pools: dict[PoolKey, list[tuple[str, float]]] = defaultdict(list)
    pool_shares: dict[PoolKey, list[np.ndarray]] = defaultdict(list)
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
            key = pool_key(event, position)
            if usable[row] or (observed and np.nansum(grid.values[row]) >= 0 and event.kind != "promotion"):
                value = float(np.nansum(grid.values[row])) / base
                ratios[event.name][position].append(value)
                pools[key].append((event.name, value))
                values = np.where(open_slots[day.weekday()], np.nan_to_num(grid.values[row]), 0.0)
                if values.sum() > 0:
                    shares[event.name][position].append(values / values.sum())
                    pool_shares[key].append(values / values.sum())
            elif not observed and event.kind in ("holiday", "closed", "half_day"):
                ratios[event.name][position].append(0.0)
                pools[key].append((event.name, 0.0))
    return LearnedEffects(
        {k: dict(v) for k, v in ratios.items()},
        {k: dict(v) for k, v in shares.items()},
        kinds,
        dict(pools),
        dict(pool_shares),
    )


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


def _log_ratios_to_weekday(totals: np.ndarray, reference: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """log(total / mean of the previous BASELINE_WEEKS positive `reference` totals of the same weekday, looking
    up to 3 × as far back) for the `rows` (rows of a contiguous day grid); NaN where a total or baseline is missing."""
    back = np.arange(len(totals))[:, None] - 7 * np.arange(1, 3 * BASELINE_WEEKS)[None, :]
    earlier = np.where(back >= 0, reference[np.clip(back, 0, None)], np.nan)
    found = earlier > 0  # False for NaN
    found &= np.cumsum(found, axis=1) <= BASELINE_WEEKS  # the nearest BASELINE_WEEKS of them
    count = found.sum(axis=1)
    mean = np.where(found, earlier, 0.0).sum(axis=1) / np.maximum(count, 1)
    ok = rows & (totals > 0) & (count >= 2)
    out = np.full(len(totals), np.nan)
    out[ok] = np.log(totals[ok] / mean[ok])
    return out


def unusual_event_days(totals: np.ndarray, in_event: np.ndarray, z: float = ORDINARY_Z) -> np.ndarray:
    """The event-window days to keep out of a model's fit (of daily `totals` on a contiguous day grid, NaN = no
    data): every one except those whose total is within `z` robust standard deviations (median absolute deviation)
    of the normal day-to-day variation, i.e. of log(total / mean of the previous clean same weekdays) on ordinary
    days. A holiday the site worked through as usual is data, not an outlier; days without data or baseline stay
    out."""
    clean = np.where(in_event, np.nan, totals)
    ordinary = _log_ratios_to_weekday(clean, clean, ~in_event)
    ordinary = ordinary[~np.isnan(ordinary)]
    if ordinary.size < 3 * 7:  # too few ordinary days to know their noise: keep every event day out
        return in_event.copy()
    scale = 1.4826 * float(np.median(np.abs(ordinary - np.median(ordinary))))
    event = _log_ratios_to_weekday(totals, clean, in_event)
    return in_event & ~(np.abs(event) <= z * scale)  # NaN (no data, no baseline) compares False: stays out


@dataclass(frozen=True)
class DayAdjustment:
    """What the calendar does to future days: a ratio per day, where learned an intraday share, and how uncertain
    the event's effect on the day total is (log sd; 0 outside events and on closed days)."""

    ratio: np.ndarray
    shares: np.ndarray
    has_shares: np.ndarray
    log_sigma: np.ndarray


def adjust_days(
    effects: LearnedEffects, calendar: EventCalendar, days: pd.DatetimeIndex, open_slots: np.ndarray
) -> DayAdjustment:
    """Ratios and learned shapes for future days (1 and no shape outside events)."""
    open_weekdays = open_slots.any(axis=1)
    covered = calendar.positions(days, open_weekdays)
    ratio = np.ones(len(days))
    log_sigma = np.zeros(len(days))
    shares = np.zeros((len(days), open_slots.shape[1]))
    has_shares = np.zeros(len(days), dtype=bool)
    for i, day in enumerate(days):
        best: tuple | None = None
        for event, position in covered.get(day, []):
            value = _event_ratio(effects, event, position)
            if value is None:
                continue
            distance = 0 if position[0] == "core" else position[1]
            learned = effects.share(event, position)
            shape, count = learned if learned else (None, 0)
            candidate = (distance, -abs(np.log(max(value, 1e-3))), shape, count, value, event, position)
            if best is None or candidate[:2] < best[:2]:
                best = candidate
        if best is None:
            continue
        ratio[i] = best[4]
        log_sigma[i] = _effect_log_sigma(effects, best[5], best[6], best[4])
        shape, count = best[2], best[3]
        if shape is not None and shape.shape[0] == shares.shape[1]:
            shares[i] = shape
            has_shares[i] = count > 0
    return DayAdjustment(ratio, shares, has_shares, log_sigma)


def _effect_log_sigma(effects: LearnedEffects, event: Event, position: Position, ratio: float) -> float:
    """The uncertainty of an event day's total from its effect: none on a closed day (the forecast is 0), the
    fixed EXPLICIT_LOG_SIGMA for an uplift the planner stated, else learned (LearnedEffects.effect_log_sigma)."""
    if ratio < CLOSED_RATIO:
        return 0.0
    if event.uplift is not None and position[0] == "core":
        return EXPLICIT_LOG_SIGMA
    return effects.effect_log_sigma(event, position)


def _event_ratio(effects: LearnedEffects, event: Event, position: Position) -> float | None:
    """A closed day: 0. Explicit uplift (core days) > this event's learned ratio shrunk toward the pooled
    ratio of like days > that pooled ratio alone (None for a promotion without history or uplift)."""
    if event.kind == "closed" and position[0] == "core":
        return 0.0
    if event.uplift is not None and position[0] == "core":
        return float(event.uplift)
    return effects.ratio(event, position)


def closed_days(
    effects: LearnedEffects,
    calendar: EventCalendar,
    threshold: float = CLOSED_RATIO,
    span: tuple[dt.date, dt.date] | None = None,
) -> frozenset:
    """Holiday days on which the site is (learned or told to be) closed: ratio below `threshold` (only the
    events that overlap `span`, if given)."""
    closed = set()
    for event in calendar.events:
        if event.kind not in ("holiday", "closed"):
            continue
        if span is not None and (event.end < span[0] or event.start > span[1]):
            continue
        for k in range(event.days):
            value = _event_ratio(effects, event, ("core", k))
            if value is not None and value < threshold:
                closed.add(pd.Timestamp(event.start + dt.timedelta(days=k)))
    return frozenset(closed)


def read_events(path: str | Path) -> EventCalendar:
    """An events CSV: `event, start, end, kind` (promotion|holiday|returns|closed|half_day), optional `uplift`
    (a ratio to a normal day, for events without history), `pre_days`, `post_days`. Bad rows raise InputError."""
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
        raise InputError(
            f"--holidays: {exc}; expected country codes such as CN, IL, US or markets such as NYSE, comma-separated"
        ) from None
