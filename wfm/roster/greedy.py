"""A fast greedy first roster: agent by agent, pick the shift that most reduces the open demand, within every rule.

Each agent's options are arrays; a pick blocks, with numpy masks, the options it rules out (same day, rest,
weekly days and hours, consecutive days). Agents whose weekly minimum the greedy cannot reach are returned so
the caller can schedule them with CP-SAT.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from wfm.roster.context import MINUTES_PER_UNIT
from wfm.roster.domain import DAYS_PER_WEEK, Config, Instance
from wfm.roster.options import InstanceFacts
from wfm.roster.variables import Cell, Choice


@dataclass(frozen=True, eq=False)
class OptionTables:
    """Per-instance arrays shared by all agents: padded coverage offsets and rest conflicts by day distance."""

    offsets: np.ndarray  # (shifts, longest) interval offsets from the day start, -1 = padding
    paid: np.ndarray  # paid minutes per shift
    rest: list[np.ndarray]  # rest[k][s1, s2]: s2 may not start k days after s1 (k = 0 unused)


def option_tables(instance: Instance, facts: InstanceFacts) -> OptionTables:
    """Build the shared arrays."""
    longest = max(len(o) for o in facts.offsets)
    offsets = np.full((len(instance.shifts), longest), -1, dtype=np.int64)
    for s, o in enumerate(facts.offsets):
        offsets[s, : len(o)] = o
    n_s = len(instance.shifts)
    max_k = max((k for k, _ in facts.rest), default=0)
    rest = [np.zeros((n_s, n_s), dtype=bool) for _ in range(max(max_k, 1) + 1)]
    for (k, s1), blocked in facts.rest.items():
        rest[k][s1, blocked] = True
    rest[1] |= facts.successions  # forbidden successions block the next day like rest does
    paid = np.array([t.paid_minutes for t in instance.shifts], dtype=np.int64)
    return OptionTables(offsets, paid, rest)


def greedy_roster(
    instance: Instance, config: Config, facts: InstanceFacts, order: list[int]
) -> tuple[dict[Cell, Choice], list[int]]:
    """(chosen cells, agents whose weekly minimum hours were not reached) scheduling agents in `order`."""
    tables = option_tables(instance, facts)
    open_demand = instance.required.astype(np.int64).copy()
    chosen: dict[Cell, Choice] = {}
    short: list[int] = []
    for a in order:
        picks, reached = greedy_plan(instance, config, facts, tables, a, open_demand, {})
        for d, s, q in picks:
            chosen[(a, d)] = (s, q)
            idx = d * instance.intervals_per_day + facts.offsets[s]
            open_demand[q, idx[idx < instance.n_intervals]] -= 1
        if not reached:
            short.append(a)
    return chosen, short


@dataclass(frozen=True, eq=False)
class AgentArrays:
    """One agent's options as arrays: day, shift, queue, week, covered cells, paid minutes, fixed cost."""

    day: np.ndarray
    shift: np.ndarray
    queue: np.ndarray
    week: np.ndarray
    idx: np.ndarray
    paid: np.ndarray
    cost: np.ndarray


def agent_arrays(
    instance: Instance, config: Config, facts: InstanceFacts, tables: OptionTables, a: int
) -> AgentArrays | None:
    """The arrays of one agent (None when it has no option at all)."""
    opts = [(d, s, q) for d in range(instance.days) for s, q in facts.options[(a, d)]]
    if not opts:
        return None
    day, shift, queue = (np.array(x, dtype=np.int64) for x in zip(*opts, strict=True))
    n_t, per_day = instance.n_intervals, instance.intervals_per_day
    raw = day[:, None] * per_day + tables.offsets[shift]
    idx = np.where((tables.offsets[shift] >= 0) & (raw < n_t), raw, n_t) + queue[:, None] * (n_t + 1)
    paid = tables.paid[shift]
    cost = fixed_cost(instance, config, a, day, shift, paid)
    return AgentArrays(day, shift, queue, day // DAYS_PER_WEEK, idx, paid, cost)


def greedy_plan(
    instance: Instance,
    config: Config,
    facts: InstanceFacts,
    tables: OptionTables,
    a: int,
    open_demand: np.ndarray,
    cache: dict[int, AgentArrays | None] | None = None,
) -> tuple[list[tuple[int, int, int]], bool]:
    """Greedy picks (day, shift, queue) of one agent against the open demand, and whether every weekly minimum
    was reached (a few times cheaper than the exact programme; it does not keep weekend caps or queue rotation)."""
    if cache is None:
        cache = {}
    if a not in cache:
        cache[a] = agent_arrays(instance, config, facts, tables, a)
    arrays = cache[a]
    if arrays is None:
        return [], all(w.min_paid_minutes == 0 for w in facts.weeks[a])
    day, shift, queue, week = arrays.day, arrays.shift, arrays.queue, arrays.week
    idx, paid, cost = arrays.idx, arrays.paid, arrays.cost
    n_t = instance.n_intervals
    limits = facts.weeks[a]
    week_paid = np.zeros(len(limits), dtype=np.int64)
    week_days = np.zeros(len(limits), dtype=np.int64)
    worked = np.zeros(instance.days, dtype=bool)
    blocked = np.zeros(len(day), dtype=bool)
    for w, lim in enumerate(limits):
        blocked |= (week == w) & ((paid > lim.max_paid_minutes) | (lim.max_days == 0))
    w_under = config.weights.under_coverage * instance.interval_minutes
    w_over = config.weights.over_coverage * instance.interval_minutes
    minimum = np.array([lim.min_paid_minutes for lim in limits])
    max_days = np.array([lim.max_days for lim in limits])
    longest = int(paid.max())
    demand = np.zeros((len(open_demand), n_t + 1), dtype=np.int64)
    demand[:, :n_t] = open_demand
    picks: list[tuple[int, int, int]] = []
    while not blocked.all():
        gains = np.where(demand > 0, w_under, -w_over)
        gains[:, n_t] = 0
        value = gains.ravel()[idx].sum(axis=1) - cost
        behind = week_paid < minimum
        value = np.where(behind[week], value + 1e9, value)  # weeks below their minimum come first
        # an option must leave the week's minimum reachable with the days that stay open
        starved = minimum[week] - week_paid[week] - paid > (max_days[week] - week_days[week] - 1) * longest
        value[blocked | starved] = -np.inf
        best = int(np.argmax(value))
        if not value[best] > 0:
            break
        d, s, q = int(day[best]), int(shift[best]), int(queue[best])
        picks.append((d, s, q))
        cells = idx[best][idx[best] % (n_t + 1) < n_t]
        demand.ravel()[cells] -= 1
        worked[d] = True
        w = d // DAYS_PER_WEEK
        week_paid[w] += paid[best]
        week_days[w] += 1
        blocked |= day == d
        for k in range(1, len(tables.rest)):
            blocked |= (day == d + k) & tables.rest[k][s, shift]
            blocked |= (day == d - k) & tables.rest[k][shift, s]
        if week_days[w] >= limits[w].max_days:
            blocked |= week == w
        blocked |= (week == w) & (paid > limits[w].max_paid_minutes - week_paid[w])
        blocked |= _too_long_runs(worked, facts.limits[a].max_consecutive_days)[day]
    reached = all(week_paid[w] >= lim.min_paid_minutes for w, lim in enumerate(limits))
    return picks, reached


def fixed_cost(
    instance: Instance, config: Config, a: int, day: np.ndarray, shift: np.ndarray, paid: np.ndarray
) -> np.ndarray:
    """Objective cost of each option that does not depend on coverage: paid hours and preferences."""
    weights, agent = config.weights, instance.agents[a]
    cost = weights.paid_hours * paid.astype(float)
    weekdays = (instance.start.weekday() + day) % DAYS_PER_WEEK
    cost += weights.preferred_day_off * MINUTES_PER_UNIT * np.isin(weekdays, list(agent.preferred_days_off))
    if agent.preferred_categories:
        disliked = np.array([t.category not in agent.preferred_categories for t in instance.shifts], dtype=bool)
        cost += weights.shift_category_preference * MINUTES_PER_UNIT * disliked[shift]
    return cost


def _too_long_runs(worked: np.ndarray, limit: int) -> np.ndarray:
    """Days that, if worked too, would make a run of more than `limit` consecutive working days."""
    n = len(worked)
    left = np.zeros(n, dtype=np.int64)
    right = np.zeros(n, dtype=np.int64)
    for d in range(1, n):
        left[d] = left[d - 1] + 1 if worked[d - 1] else 0
    for d in range(n - 2, -1, -1):
        right[d] = right[d + 1] + 1 if worked[d + 1] else 0
    return (left + right + 1 > limit) & ~worked


def agent_cost(
    instance: Instance,
    config: Config,
    facts: InstanceFacts,
    a: int,
    picks: list[tuple[int, int, int]],
    others: np.ndarray,
) -> float:
    """Objective (weight × minutes) of the coverage given the other agents' scheduled counts, plus this agent's
    own terms (paid hours, preferences, single days off)."""
    weights, step = config.weights, instance.interval_minutes
    scheduled = others.copy()
    day = np.array([p[0] for p in picks], dtype=np.int64)
    shift = np.array([p[1] for p in picks], dtype=np.int64)
    for d, s, q in picks:
        idx = d * instance.intervals_per_day + facts.offsets[s]
        scheduled[q, idx[idx < instance.n_intervals]] += 1
    gap = scheduled - instance.required
    cost = step * (
        weights.under_coverage * np.clip(-gap, 0, None).sum() + weights.over_coverage * np.clip(gap, 0, None).sum()
    )
    paid = np.array([instance.shifts[s].paid_minutes for s in shift], dtype=np.int64).reshape(-1)
    cost += fixed_cost(instance, config, a, day, shift, paid).sum()
    worked = np.zeros(instance.days + 2, dtype=bool)
    worked[day + 1] = True
    single = worked[:-2] & ~worked[1:-1] & worked[2:]
    cost += weights.days_off_together * MINUTES_PER_UNIT * int(single[1:-1].sum()) if instance.days > 2 else 0
    return float(cost)


def improve_by_best_response(
    instance: Instance,
    config: Config,
    facts: InstanceFacts,
    chosen: dict[Cell, Choice],
    deadline: float,
    rng: np.random.Generator,
) -> tuple[dict[Cell, Choice], int]:
    """Agent by agent: take its shifts out, re-plan it greedily against everyone else, keep if cheaper.

    Returns the improved roster and the number of agents improved; stops at the deadline or when a full pass
    over the agents changes nothing.
    """
    import time

    tables = option_tables(instance, facts)
    cache: dict[int, AgentArrays | None] = {}
    chosen = dict(chosen)
    scheduled = np.zeros(instance.required.shape, dtype=np.int64)
    picks_of: dict[int, list[tuple[int, int, int]]] = {a: [] for a in range(len(instance.agents))}
    for (a, d), (s, q) in chosen.items():
        picks_of[a].append((d, s, q))
        idx = d * instance.intervals_per_day + facts.offsets[s]
        scheduled[q, idx[idx < instance.n_intervals]] += 1
    improved_total = 0
    while time.monotonic() < deadline:
        improved = 0
        for a in rng.permutation(len(instance.agents)):
            if time.monotonic() >= deadline:
                break
            old = picks_of[int(a)]
            others = scheduled.copy()
            for d, s, q in old:
                idx = d * instance.intervals_per_day + facts.offsets[s]
                others[q, idx[idx < instance.n_intervals]] -= 1
            new, reached = greedy_plan(instance, config, facts, tables, int(a), instance.required - others, cache)
            if not reached:
                continue
            before = agent_cost(instance, config, facts, int(a), old, others)
            after = agent_cost(instance, config, facts, int(a), new, others)
            if after < before - 1e-9:
                improved += 1
                picks_of[int(a)] = new
                scheduled = others
                for d, s, q in new:
                    idx = d * instance.intervals_per_day + facts.offsets[s]
                    scheduled[q, idx[idx < instance.n_intervals]] += 1
        improved_total += improved
        if improved == 0:
            break
    chosen = {(a, d): (s, q) for a, picks in picks_of.items() for d, s, q in picks}
    return chosen, improved_total
