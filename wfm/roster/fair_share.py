"""Fair shares: comparable groups of agents, their weekend / late / holiday counts and the band around each mean.

Fairness compares an agent only with its comparable group (`group_key`: the same contract and availability window;
per count only the agents whose options give them a choice). Each count is the agent's count this horizon plus what
it carries from earlier published rosters; the band is [floor, ceil] of the group's mean total, and the penalty
amount is how far the agents' totals lie outside it (0 ⇔ every total in the band ⇔ spread ≤ 1 without carry).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from wfm.roster.domain import Agent, Assignment, Config, FairCounts, Instance, templates_by_shape
from wfm.roster.options import weekend_index

if TYPE_CHECKING:
    from forecasting.events import EventCalendar

KINDS = ("weekends", "lates", "holidays")
MINUTES = 60  # objective minutes per unit of a count (context.MINUTES_PER_UNIT)
RULE_OF = {"weekends": "weekend_fairness", "lates": "late_fairness", "holidays": "holiday_fairness"}
UNIT_OF = {"weekends": "weekends outside the fair share", "lates": "late shifts outside the fair share",
           "holidays": "holidays outside the fair share"}  # fmt: skip


def kind_weight(config: Config, kind: str) -> int:
    """The [weights] value of one fairness kind."""
    return int(getattr(config.weights, RULE_OF[kind]))


def fairness_weighted(config: Config) -> bool:
    """Whether any fairness goal has a weight (the search then spends time evening out)."""
    return any(kind_weight(config, kind) > 0 for kind in KINDS)


def group_key(agent: Agent) -> tuple:
    """THE comparable-group key: the contract (name, weekly hours and days, horizon limits, weekend cap, run limits,
    rotation) and the availability window. Per kind, only the group's agents whose options give them a choice are
    counted."""
    return (
        agent.contract.strip().lower(),
        agent.min_hours_week,
        agent.max_hours_week,
        agent.max_days_week,
        agent.earliest_start_minute,
        agent.latest_end_minute,
        agent.min_total_minutes,
        agent.max_total_minutes,
        agent.max_weekends,
        agent.min_consecutive_days,
        agent.max_consecutive_days,
        agent.min_consecutive_days_off,
        agent.rotation,
    )


def _group_label(agent: Agent) -> str:
    """A readable name of an agent's group, e.g. `full_time 32–40 h ≤5 d 08:00–21:00`."""
    hours = f"{agent.min_hours_week:g}–{agent.max_hours_week:g} h" if agent.max_hours_week is not None else ""
    days = f"≤{agent.max_days_week} d" if agent.max_days_week is not None else ""
    window = ""
    if agent.earliest_start_minute is not None or agent.latest_end_minute is not None:
        lo, hi = agent.earliest_start_minute or 0, agent.latest_end_minute
        window = f"{lo // 60:02d}:{lo % 60:02d}–" + (f"{hi // 60 % 24:02d}:{hi % 60:02d}" if hi is not None else "")
    parts = [agent.contract.strip() or "contract", hours, days, window]
    return " ".join(p for p in parts if p)


@dataclass(frozen=True, eq=False)
class FairTables:
    """Masks, comparable groups, eligibility per kind and carried counts of one instance (computed once)."""

    weekend_of_day: np.ndarray  # (days,) weekend number, −1 on weekdays
    late_shift: np.ndarray  # (shifts,) bool: category in late_categories
    holiday_day: np.ndarray  # (days,) bool
    eligible: np.ndarray  # (agents, 3) bool per kind: the agent's options give it a choice
    group: np.ndarray  # (agents,) comparable group index
    labels: tuple[str, ...]  # per group
    carried: np.ndarray  # (agents, 3) counts carried from earlier rosters
    weights: np.ndarray  # (3,) weight per kind
    cache: dict[tuple[int, int], np.ndarray] = field(default_factory=dict, repr=False)

    def group_members(self, group: int, kind: int) -> np.ndarray:
        """Agent indices of one group counted for `kind` (index into KINDS), sorted."""
        key = (group, kind)
        if key not in self.cache:
            self.cache[key] = np.flatnonzero((self.group == group) & self.eligible[:, kind])
        return self.cache[key]

    def members(self, kind: int) -> list[np.ndarray]:
        """Agent indices of each group of at least two agents counted for `kind` (index into KINDS)."""
        found = []
        for g in range(len(self.labels)):
            agents = self.group_members(g, kind)
            if len(agents) >= 2:
                found.append(agents)
        return found

    def counts(self, plan: Iterable[tuple[int, int]]) -> np.ndarray:
        """(weekends, lates, holidays) of one agent's (day, shift) pairs this horizon."""
        pairs = list(plan)
        if not pairs:
            return np.zeros(3, dtype=np.int64)
        days = np.array([d for d, _ in pairs], dtype=np.int64)
        shifts = np.array([s for _, s in pairs], dtype=np.int64)
        weekends = self.weekend_of_day[days]
        return np.array(
            [
                len(np.unique(weekends[weekends >= 0])),
                int(self.late_shift[shifts].sum()),
                int(self.holiday_day[days].sum()),
            ],
            dtype=np.int64,
        )


def fair_tables(
    instance: Instance, config: Config, options: Mapping[tuple[int, int], Iterable[tuple[int, int]]]
) -> FairTables:
    """The tables from the agents' allowed options (`InstanceFacts.options`)."""
    n_a, days = len(instance.agents), instance.days
    weekend_of_day = np.full(days, -1, dtype=np.int64)
    for w, ds in weekend_index(instance).items():
        weekend_of_day[ds] = w
    late = np.array([s.category in config.rules.late_categories for s in instance.shifts], dtype=bool)
    holiday = np.zeros(days, dtype=bool)
    holiday[[d for d in instance.holidays if 0 <= d < days]] = True
    eligible = np.zeros((n_a, 3), dtype=bool)
    for a in range(n_a):
        kinds = set()
        for d in range(days):
            cell = list(options.get((a, d), ()))
            if cell:
                eligible[a, 0] |= bool(weekend_of_day[d] >= 0)
                eligible[a, 2] |= bool(holiday[d])
                kinds |= {bool(late[s]) for s, _ in cell}
        eligible[a, 1] = kinds == {True, False}
    keys: dict[tuple, int] = {}
    labels: list[str] = []
    group = np.zeros(n_a, dtype=np.int64)
    for a, agent in enumerate(instance.agents):
        key = group_key(agent)
        if key not in keys:
            label = _group_label(agent)
            keys[key] = len(labels)
            labels.append(label if label not in labels else f"{label} #{len(labels) + 1}")
        group[a] = keys[key]
    carried = _carried_array(instance, group, len(labels))
    weights = np.array([kind_weight(config, k) for k in KINDS], dtype=np.int64)
    return FairTables(weekend_of_day, late, holiday, eligible, group, tuple(labels), carried, weights)


def _carried_array(instance: Instance, group: np.ndarray, n_groups: int) -> np.ndarray:
    """Carried counts per agent; an agent absent from every earlier roster (a new joiner) gets its group's rounded
    mean, so it starts level with its peers instead of owing them every weekend."""
    carried = np.zeros((len(instance.agents), 3), dtype=np.int64)
    if not instance.carried:
        return carried
    known = np.zeros(len(instance.agents), dtype=bool)
    for a, agent in enumerate(instance.agents):
        found = instance.carried.get(agent.agent_id)
        if found is not None:
            carried[a] = (found.weekends, found.lates, found.holidays)
            known[a] = True
    for g in range(n_groups):
        peers = (group == g) & known
        if peers.any():
            carried[(group == g) & ~known] = np.rint(carried[peers].mean(axis=0)).astype(np.int64)
    return carried


def band_excess(totals: np.ndarray) -> np.ndarray:
    """Per agent: how far its total lies outside [floor, ceil] of the group's mean total."""
    n = len(totals)
    if n < 2:
        return np.zeros(n, dtype=np.int64)
    total = int(totals.sum())
    low, high = total // n, -(-total // n)
    return np.clip(totals - high, 0, None) + np.clip(low - totals, 0, None)


def horizon_counts(tables: FairTables, n_agents: int, cells: Iterable[tuple[int, int, int]]) -> np.ndarray:
    """(agents, 3) counts this horizon of (agent, day, shift) triples."""
    plans: dict[int, list[tuple[int, int]]] = {}
    for a, d, s in cells:
        plans.setdefault(a, []).append((d, s))
    counts = np.zeros((n_agents, 3), dtype=np.int64)
    for a, plan in plans.items():
        counts[a] = tables.counts(plan)
    return counts


def band_amounts(tables: FairTables, counts: np.ndarray) -> np.ndarray:
    """(3,) Σ over groups and agents of the distance outside the band, per kind (carried counts included)."""
    totals = counts + tables.carried
    return np.array(
        [sum(int(band_excess(totals[m, k]).sum()) for m in tables.members(k)) for k in range(3)], dtype=np.int64
    )


def fairness_report(instance: Instance, config: Config, assignments: Iterable[Assignment], tables: FairTables) -> dict:
    """The report's `fairness` section: per agent its counts (carried, this horizon) and group; per group and kind
    the spread (min, max, mean) of the totals and of this horizon's counts."""
    items = [(x.agent, x.day, x.shift) for x in assignments]
    counts = horizon_counts(tables, len(instance.agents), items)
    totals = counts + tables.carried
    agents = []
    for a, agent in enumerate(instance.agents):
        row: dict[str, object] = {
            "agent_id": agent.agent_id,
            "name": agent.name,
            "group": tables.labels[tables.group[a]],
        }
        for k, kind in enumerate(KINDS):
            row[kind] = int(counts[a, k])
            row[f"{kind}_carried"] = int(tables.carried[a, k])
            row[f"{kind}_counted"] = bool(tables.eligible[a, k])
        agents.append(row)
    groups = []
    for k, kind in enumerate(KINDS):
        if kind == "holidays" and not tables.holiday_day.any():
            continue
        for members in tables.members(k):
            this, total = counts[members, k], totals[members, k]
            groups.append(
                {
                    "group": tables.labels[tables.group[members[0]]],
                    "kind": kind,
                    "agents": len(members),
                    "min": int(total.min()),
                    "max": int(total.max()),
                    "mean": round(float(total.mean()), 2),
                    "spread": int(total.max() - total.min()),
                    "horizon_min": int(this.min()),
                    "horizon_max": int(this.max()),
                    "horizon_spread": int(this.max() - this.min()),
                    "outside_band": int(band_excess(total).sum()),
                }
            )
    return {
        "holidays": sorted(instance.day_date(d).isoformat() for d in instance.holidays if 0 <= d < instance.days),
        "carried": bool(instance.carried),
        "groups": groups,
        "agents": agents,
    }


def carried_counts(
    frames: Iterable[pd.DataFrame],
    instance: Instance,
    config: Config,
    holiday_dates: Iterable[date] = (),
    lookback_days: int | None = None,
) -> dict[str, FairCounts]:
    """Counts of earlier rosters (typed rows as `checker.parse_roster` returns them) on the dates before the
    horizon (and at most `lookback_days` before it): weekends with a Saturday or Sunday worked, late shifts (a
    block whose start, length and lunch match a late template; an unmatched block whose start is not earlier in the
    day than the earliest late template), holidays worked. Every agent with a row (even `off`) is listed."""
    from wfm.roster.checker import blocks_from_rows

    first = instance.start - timedelta(days=lookback_days) if lookback_days else date.min
    late_shapes = {(t.start_minute, t.length_minutes, t.lunch_minutes): t.category in config.rules.late_categories
                   for t in instance.shifts}  # fmt: skip
    late_starts = [t.start_minute for t in instance.shifts if t.category in config.rules.late_categories]
    earliest_late = min(late_starts) if late_starts else None
    holidays = set(holiday_dates)
    seen: set[str] = set()
    worked: dict[tuple[str, date], tuple[int, int, int]] = {}  # (agent, date) → (start minute, length, lunch)
    for frame in frames:
        rows = frame[(frame["date"] < instance.start) & (frame["date"] >= first)]
        seen |= set(rows["agent_id"].astype(str))
        blocks, _extra, _ = blocks_from_rows(rows)
        for b in blocks:
            minutes = int((b.end - b.start).total_seconds() // 60)
            worked[(b.agent_id, b.day)] = (b.start.hour * 60 + b.start.minute, minutes, b.lunch_minutes)
    found: dict[str, list[int]] = {agent: [0, 0, 0] for agent in seen}
    weekends: dict[str, set[int]] = {}
    for (agent, day), shape in worked.items():
        if day.weekday() >= 5:
            weekends.setdefault(agent, set()).add(day.toordinal() - day.weekday())
        late = late_shapes.get(shape)
        if late is None:
            late = earliest_late is not None and shape[0] >= earliest_late
        found[agent][1] += int(late)
        found[agent][2] += int(day in holidays)
    for agent, mondays in weekends.items():
        found[agent][0] = len(mondays)
    return {agent: FairCounts(*values) for agent, values in found.items()}


def holiday_days(instance: Instance, holiday_dates: Iterable[date]) -> frozenset[int]:
    """Horizon day indices of the given holiday dates."""
    dates = set(holiday_dates)
    return frozenset(d for d in range(instance.days) if instance.day_date(d) in dates)


def holiday_calendar_dates(spec: str | None, events_file: str | None, years: Iterable[int]) -> set[date]:
    """Holiday dates of a site calendar code (`--holidays CN`) and of an events file's `holiday` events (every day
    from start to end)."""
    from forecasting.events import EventCalendar, check_holiday_spec, read_events, site_holidays

    calendar = read_events(events_file) if events_file else EventCalendar()
    if spec:
        check_holiday_spec(spec)
        calendar = calendar + site_holidays(spec, years)
    return calendar_holiday_dates(calendar)


def calendar_holiday_dates(calendar: EventCalendar) -> set[date]:
    """Every day of the `holiday` events of an EventCalendar."""
    found: set[date] = set()
    for event in calendar.events:
        if event.kind == "holiday":
            found |= {event.start + timedelta(days=i) for i in range((event.end - event.start).days + 1)}
    return found


def with_history(
    instance: Instance, config: Config, previous: Iterable[pd.DataFrame], holiday_dates: Iterable[date] = ()
) -> Instance:
    """The instance with its holidays and the counts carried from earlier rosters (typed rows, as
    `checker.parse_roster` returns them; only dates before the start, within `fairness_carry_days`)."""
    from dataclasses import replace

    dates = set(holiday_dates)
    frames = list(previous)
    carried = (
        carried_counts(frames, instance, config, dates, config.rules.fairness_carry_days or None) if frames else {}
    )
    return replace(instance, holidays=holiday_days(instance, dates), carried=carried)


def fairness_section(instance: Instance, config: Config, assignments: Iterable[Assignment]) -> dict:
    """The report's `fairness` section, with the tables built from the instance's options."""
    from wfm.roster.options import instance_facts

    return fairness_report(
        instance, config, assignments, fair_tables(instance, config, instance_facts(instance, config).options)
    )


def frame_assignments(instance: Instance, frame: pd.DataFrame) -> list[Assignment]:
    """The worked shifts of a roster table (export contract, text or typed) inside the horizon, as assignments whose
    template is the one with the block's start, length and lunch (blocks matching no template are left out: the
    checker reports them); the queue is the block's first queue known to the instance (else 0)."""
    from wfm.roster.checker import blocks_from_rows, parse_roster

    typed = parse_roster(frame.astype(str))
    blocks, _extra, _ = blocks_from_rows(typed)
    index = {agent.agent_id: a for a, agent in enumerate(instance.agents)}
    shapes = templates_by_shape(instance.shifts)
    queues = {q: i for i, q in enumerate(instance.queues)}
    found = []
    for b in blocks:
        d = (b.day - instance.start).days
        a = index.get(b.agent_id)
        shape = (b.start.hour * 60 + b.start.minute, int((b.end - b.start).total_seconds() // 60), b.lunch_minutes)
        s = shapes.get(shape)
        if a is None or s is None or not 0 <= d < instance.days:
            continue
        q = min((queues[x] for x in b.queues if x in queues), default=0)
        found.append(Assignment(a, d, s, q))
    return found


def _group_totals(tables: FairTables, counts: np.ndarray, a: int, k: int) -> np.ndarray | None:
    """Totals (count + carried) of kind k of agent a's comparable group (None when a is not counted)."""
    if tables.weights[k] <= 0 or not tables.eligible[a, k]:
        return None
    members = tables.group_members(int(tables.group[a]), k)
    if len(members) < 2:
        return None
    return counts[members, k] + tables.carried[members, k]


def band_cost(tables: FairTables, counts: np.ndarray) -> float:
    """The band penalties of a roster's counts (weight × minutes, as in the objective)."""
    return float(MINUTES * (tables.weights * band_amounts(tables, counts)).sum())


def band_cost_change(tables: FairTables, counts: np.ndarray, a: int, new: np.ndarray) -> float:
    """How much the band penalties (weight × minutes) change when agent a's counts become `new`."""
    change = 0.0
    for k in range(len(KINDS)):
        if new[k] == counts[a, k]:
            continue
        totals = _group_totals(tables, counts, a, k)
        if totals is None:
            continue
        members = tables.group_members(int(tables.group[a]), k)
        after = totals.copy()
        after[np.searchsorted(members, a)] += int(new[k] - counts[a, k])
        change += float(tables.weights[k]) * MINUTES * float(band_excess(after).sum() - band_excess(totals).sum())
    return change


def marginal_prices(tables: FairTables, counts: np.ndarray, a: int) -> np.ndarray:
    """(3,) price (weight × minutes) of one more weekend, late shift and holiday for agent a, for a response with
    everyone else fixed: + weight above its group's band, − weight below it, 0 inside it (a fixed target per
    response: the soft cap and the bonus of the one-agent programme)."""
    prices = np.zeros(3)
    for k in range(len(KINDS)):
        totals = _group_totals(tables, counts, a, k)
        if totals is None:
            continue
        n, total = len(totals), int(totals.sum())
        mine = int(counts[a, k] + tables.carried[a, k])
        if mine > -(-total // n):
            prices[k] = tables.weights[k] * MINUTES
        elif mine < total // n:
            prices[k] = -tables.weights[k] * MINUTES
    return prices


def priced_values(tables: FairTables, values: np.ndarray, prices: np.ndarray) -> np.ndarray:
    """A value table (days × shifts) with the prices taken off: per late shift, per holiday worked and half per
    weekend day worked (Saturday and Sunday together make one weekend)."""
    out = values - prices[1] * tables.late_shift[None, :]
    out = out - (prices[2] * tables.holiday_day + 0.5 * prices[0] * (tables.weekend_of_day >= 0))[:, None]
    return out


def priced_part(tables: FairTables, plan: Iterable[tuple[int, int, int]], prices: np.ndarray) -> float:
    """What `priced_values` takes off a plan of (day, shift, queue)."""
    total = 0.0
    for d, s, _ in plan:
        total += prices[1] * tables.late_shift[s] + prices[2] * tables.holiday_day[d]
        total += 0.5 * prices[0] * (tables.weekend_of_day[d] >= 0)
    return float(total)
