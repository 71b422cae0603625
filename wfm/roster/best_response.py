"""Exact best response of one agent against everyone else's coverage, by dynamic programming over days.

With the other agents fixed, the objective change of one agent's plan is additive over its shifts (an agent's own
shifts never overlap: an overlap always breaks the rest rule), except for single days off. A dynamic programme over
days with states (working days and paid units so far this week, current run of working days or days off, end class
of yesterday's shift) finds the best plan within every hard rule: one shift a day, rest to the next day, days and
paid hours per week, consecutive days. It applies when rest only links consecutive days (`RestClasses.exact`).
"""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass

import numpy as np

from wfm.roster.context import MINUTES_PER_UNIT
from wfm.roster.deferred_search import DeferredPricing
from wfm.roster.domain import Config, Instance
from wfm.roster.fair_share import FairTables, fair_tables
from wfm.roster.greedy import AgentArrays, OptionTables, agent_arrays, fixed_cost, option_tables
from wfm.roster.options import InstanceFacts, WeekLimits, weekend_index
from wfm.roster.variables import Cell, Choice

NEG = -np.inf
Plan = list[tuple[int, int, int]]  # (day, shift, queue)


@dataclass(frozen=True, eq=False)
class RestClasses:
    """Shifts grouped by which next-day shifts their end blocks; blocked sets are nested, so allowed = a prefix."""

    exact: bool  # False when rest links days further apart than one (the programme would not be exact)
    unit_minutes: int  # gcd of the paid minutes of all shifts
    units: np.ndarray  # paid units per shift
    end_class: np.ndarray  # class of each shift (0 blocks nothing; off days also use 0)
    allowed_prefix: np.ndarray  # shift s may follow yesterday's classes 0 .. allowed_prefix[s] − 1
    n_classes: int
    by_units: tuple[tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray], ...]
    # per paid units u: (u, shifts sorted by class, first position of each class, those classes, last allowed class)


def rest_classes(instance: Instance, facts: InstanceFacts, tables: OptionTables) -> RestClasses:
    """The classes of the instance's shifts (`exact` is False when the rest rule reaches two days ahead)."""
    n_s = len(instance.shifts)
    paid = tables.paid
    unit = math.gcd(*(int(p) for p in paid)) if n_s else 1
    unit = max(unit, 1)
    exact = all(k <= 1 for k, _ in facts.rest)
    blocked = tables.rest[1] if len(tables.rest) > 1 else np.zeros((n_s, n_s), dtype=bool)
    rows = sorted({tuple(row) for row in blocked.tolist()} | {(False,) * n_s}, key=sum)
    for small, large in itertools.pairwise(rows):
        exact &= all(b or not a for a, b in zip(small, large, strict=True))  # nested
    index = {row: c for c, row in enumerate(rows)}
    end_class = np.array([index[tuple(row)] for row in blocked.tolist()], dtype=np.int64)
    allowed = np.array([sum(1 for row in rows if not row[s]) for s in range(n_s)], dtype=np.int64)
    units = paid // unit
    by_units = []
    for u in np.unique(units):
        order = np.nonzero(units == u)[0]
        order = order[np.argsort(end_class[order], kind="stable")]
        cls_ids, starts = np.unique(end_class[order], return_index=True)
        by_units.append((int(u), order, starts, cls_ids, allowed[order] - 1))
    return RestClasses(exact, unit, units, end_class, allowed, len(rows), tuple(by_units))


def plan_agent(
    values: np.ndarray,
    queues: np.ndarray,
    weeks: list[WeekLimits],
    classes: RestClasses,
    max_run: int,
    single_off_penalty: float,
) -> tuple[Plan, float] | None:
    """The best plan and its value for `values[day, shift]` (−inf = not allowed); None if no plan meets the minima.

    The forward pass keeps only values; the plan is recovered backwards by finding, day by day, a move that
    reproduces the stored value.
    """
    unit, units = classes.unit_minutes, classes.units
    longest = int(units.max()) if len(units) else 0
    n_cap = max((w.max_days for w in weeks), default=0)
    p_cap = max((min(w.max_paid_minutes // unit, w.max_days * longest) for w in weeks), default=0)
    shape = (n_cap + 1, p_cap + 1, max_run + 2, classes.n_classes)  # r: 0 rested, 1 one day off, 2.. run 1..
    value = np.full(shape, NEG)
    value[0, 0, 0, 0] = 0.0
    history: list[tuple[int, np.ndarray]] = []  # (day or −1 for a week's end, value array before that step)
    for week in weeks:
        max_p = min(week.max_paid_minutes // unit, p_cap)
        for d in week.days:
            history.append((d, value))
            value = _day_step(value, values[d], classes, week.max_days, max_p, single_off_penalty)
        value[:, : -(-week.min_paid_minutes // unit)] = NEG
        history.append((-1, value))
        folded = np.full(shape, NEG)
        folded[0, 0] = value.max(axis=(0, 1))
        value = folded
    state = np.unravel_index(int(value.argmax()), shape)
    total = float(value[state])
    if not np.isfinite(total):
        return None
    plan: Plan = []
    after = value
    for d, before in reversed(history):
        if d < 0:
            n, p = np.unravel_index(int(before[:, :, state[2], state[3]].argmax()), shape[:2])
            state = (int(n), int(p), state[2], state[3])
        else:
            state, s = _step_back(before, after[state], state, values[d], classes, single_off_penalty)
            if s >= 0:
                plan.append((d, s, int(queues[d, s])))
        after = before
    return sorted(plan), total


def _day_step(
    value: np.ndarray,
    gains: np.ndarray,
    classes: RestClasses,
    max_days: int,
    max_p: int,
    single_off_penalty: float,
) -> np.ndarray:
    """Values after one more day: off (rested stays rested, one day off → rested, a run → one day off) or a shift
    allowed after yesterday's class (days + 1, units + u, run + 1; starting after one day off costs the penalty)."""
    new = np.full(value.shape, NEG)
    n_r = value.shape[2]
    new[:, :, 0, 0] = np.maximum(value[:, :, 0, 0], value[:, :, 1, 0])
    new[:, :, 1, 0] = value[:, :, 2:, :].max(axis=(2, 3))
    if max_days <= 0:
        return new
    start = np.maximum(value[:max_days, :, 0, 0], value[:max_days, :, 1, 0] - single_off_penalty)
    best = np.maximum.accumulate(value[:max_days, :, 2 : n_r - 1, :], axis=3)
    for u, order, starts, cls_ids, prefix in classes.by_units:
        if u > max_p:
            continue
        width, gain = max_p + 1 - u, gains[order]
        first = np.maximum.reduceat(start[:, :width, None] + gain, starts, axis=2)
        target = new[1 : max_days + 1, u : max_p + 1, 2, :]
        target[:, :, cls_ids] = np.maximum(target[:, :, cls_ids], first)
        later = np.maximum.reduceat(best[:, :width, :, prefix] + gain, starts, axis=3)
        target = new[1 : max_days + 1, u : max_p + 1, 3:, :]
        target[..., cls_ids] = np.maximum(target[..., cls_ids], later)
    return new


def _step_back(
    before: np.ndarray,
    target: float,
    state: tuple[int, int, int, int],
    gains: np.ndarray,
    classes: RestClasses,
    single_off_penalty: float,
) -> tuple[tuple[int, int, int, int], int]:
    """The state before one day and the shift worked that day (−1 = off) that reproduce `target`."""
    n, p, r, e = state
    close = 1e-6 * max(1.0, abs(target))
    if r == 0:
        return ((n, p, 0, 0) if abs(before[n, p, 0, 0] - target) <= close else (n, p, 1, 0)), -1
    if r == 1:
        r0, e0 = np.unravel_index(int(before[n, p, 2:, :].argmax()), before[n, p, 2:, :].shape)
        return (n, p, int(r0) + 2, int(e0)), -1
    for s in np.nonzero(np.isfinite(gains) & (classes.end_class == e))[0]:
        u, k = int(classes.units[s]), int(classes.allowed_prefix[s])
        if u > p or n < 1 or k < 1:
            continue
        row = before[n - 1, p - u]
        if r == 2:
            options = [(row[0, 0], (0, 0)), (row[1, 0] - single_off_penalty, (1, 0))]
        else:
            e0 = int(row[r - 1, :k].argmax())
            options = [(row[r - 1, e0], (r - 1, e0))]
        for val, (r0, e0) in options:
            if abs(val + gains[s] - target) <= close:
                return (n - 1, p - u, r0, e0), int(s)
    raise AssertionError("best response: no move reproduces the stored value")


@dataclass(frozen=True, eq=False)
class ResponseContext:
    """Per-instance tables for best responses, and each agent's option arrays (built on first use)."""

    instance: Instance
    config: Config
    facts: InstanceFacts
    tables: OptionTables
    classes: RestClasses
    arrays: dict[int, AgentArrays | None]
    rotation: RotationTables
    fair: FairTables  # comparable groups, eligibility and carried counts of the fairness goals
    deferred: DeferredPricing | None = None  # email/ticket queues costed by late work (wfm/roster/deferred_search.py)

    @property
    def exact(self) -> bool:
        """Whether the dynamic programme is exact: nested rest classes and no rule it does not model."""
        return self.classes.exact and programme_models_all_rules(self.instance, self.config, self.facts)


def programme_models_all_rules(instance: Instance, config: Config, facts: InstanceFacts) -> bool:
    """False when the instance uses a rule the programme cannot keep (minimum runs, horizon totals, shift counts,
    rolling weekend windows, shift-form demand, requests): CP-SAT then does the search. Weekend caps and queue
    rotation are kept by `respond`; fairness is evened out afterwards by `fairness.even_out`."""
    n_weekends = len(weekend_index(instance))
    for lim in facts.limits:
        if lim.min_consecutive_days > 1 or lim.min_consecutive_days_off > 1 or lim.max_shifts:
            return False
        if lim.min_total_minutes is not None or lim.max_total_minutes is not None:
            return False
        if lim.max_weekends_per_4_weeks < 4 and n_weekends > 4:  # rolling windows: beyond one cap per horizon
            return False
    return instance.shift_demand is None and not instance.requests


def response_context(
    instance: Instance, config: Config, facts: InstanceFacts, deferred: DeferredPricing | None = None
) -> ResponseContext:
    """Build the shared tables once (`deferred`: late-work pricing of the email/ticket queues, if any)."""
    tables = option_tables(instance, facts)
    rotation = rotation_tables(instance, config, facts)
    classes = rest_classes(instance, facts, tables)
    fair = fair_tables(instance, config, facts.options)
    return ResponseContext(instance, config, facts, tables, classes, {}, rotation, fair, deferred)


@dataclass(eq=False)
class RotationTables:
    """What the programme needs for weekends, late shifts and queue rotation: masks, per-agent weekend caps, and
    which agents the fairness goals count (a weekend option; both late and other shifts)."""

    weekend_of_day: np.ndarray  # (days,) weekend number, −1 on weekdays
    late_shift: np.ndarray  # (shifts,) bool
    weekend_cap: np.ndarray  # (agents,) most weekends worked (hard), large when unlimited
    weekend_eligible: np.ndarray  # (agents,) bool: may work weekends (fairness counts them)
    late_eligible: np.ndarray  # (agents,) bool


def rotation_tables(instance: Instance, config: Config, facts: InstanceFacts) -> RotationTables:
    """Masks, caps and fairness eligibility of the rotation rules."""
    n_a = len(instance.agents)
    weekend_of_day = np.full(instance.days, -1, dtype=np.int64)
    for w, days in weekend_index(instance).items():
        weekend_of_day[days] = w
    n_weekends = int(weekend_of_day.max()) + 1 if instance.days else 0
    caps = np.full(n_a, n_weekends, dtype=np.int64)
    for a, lim in enumerate(facts.limits):
        if lim.max_weekends is not None:
            caps[a] = min(caps[a], lim.max_weekends)
        if lim.max_weekends_per_4_weeks < 4:
            caps[a] = min(caps[a], lim.max_weekends_per_4_weeks * max(1, -(-n_weekends // 4)))
    late = np.array([s.category in config.rules.late_categories for s in instance.shifts], dtype=bool)
    weekend_days = np.flatnonzero(weekend_of_day >= 0)
    weekend_ok = np.array([any(facts.options[(a, int(d))] for d in weekend_days) for a in range(n_a)], dtype=bool)
    late_ok = np.array([_chooses_lates(facts, a, instance.days, late) for a in range(n_a)], dtype=bool)
    return RotationTables(weekend_of_day, late, caps, weekend_ok, late_ok)


def _chooses_lates(facts: InstanceFacts, a: int, days: int, late: np.ndarray) -> bool:
    """Whether the agent's contract lets it work both late and other shifts (only then is its late load a choice)."""
    kinds = {bool(late[s]) for d in range(days) for s, _ in facts.options[(a, d)]}
    return kinds == {True, False}


def weekends_worked(ctx: ResponseContext, plan: Plan) -> int:
    """Weekends with a Saturday or Sunday in the plan."""
    weeks = {int(ctx.rotation.weekend_of_day[d]) for d, _, _ in plan}
    weeks.discard(-1)
    return len(weeks)


def _capped_plan(ctx: ResponseContext, a: int, values: np.ndarray, queues: np.ndarray) -> tuple[Plan, float] | None:
    """The programme's plan with weekends over the agent's cap closed off one by one (least valuable first)."""
    rot, cfg = ctx.rotation, ctx.config
    values = values.copy()
    for _ in range(ctx.instance.days):
        found = plan_agent(
            values,
            queues,
            ctx.facts.weeks[a],
            ctx.classes,
            ctx.facts.limits[a].max_consecutive_days,
            cfg.weights.days_off_together * MINUTES_PER_UNIT,
        )
        if found is None or weekends_worked(ctx, found[0]) <= rot.weekend_cap[a]:
            return found
        worth: dict[int, float] = {}
        for d, s, _ in found[0]:
            w = int(rot.weekend_of_day[d])
            if w >= 0:
                worth[w] = worth.get(w, 0.0) + float(values[d, s])
        values[rot.weekend_of_day == min(worth, key=worth.__getitem__)] = NEG
    return None


def respond(
    ctx: ResponseContext, a: int, values: np.ndarray, queues: np.ndarray, others: np.ndarray
) -> tuple[Plan, float] | None:
    """The programme's plan for a value table, then the rules it has no state for: the weekend cap (the least
    valuable weekends are closed and the plan redone) and queue rotation (a day over the run limit moves to the
    agent's best other queue). The value returned is the plan's value under the table."""
    found = _capped_plan(ctx, a, values, queues)
    if found is None:
        return None
    plan, value = found
    if ctx.config.rules.max_consecutive_queue_days > 0:
        rotated = _rotate_queues(ctx, a, plan, others)
        if rotated != plan:
            value -= plan_value(ctx, a, plan, others) - plan_value(ctx, a, rotated, others)
            plan = rotated
    return plan, value


def _rotate_queues(ctx: ResponseContext, a: int, plan: Plan, others: np.ndarray) -> Plan:
    """Move every day beyond max_consecutive_queue_days in a row on one queue to the agent's best other queue."""
    inst, limit = ctx.instance, ctx.config.rules.max_consecutive_queue_days
    skills = [q for q, name in enumerate(inst.queues) if name in inst.agents[a].skills]
    if len(skills) < 2:
        return plan
    gains = option_gains(ctx, others).reshape(len(inst.queues), -1)
    out: Plan = []
    run, last = 0, None
    for d, s, q in plan:
        run = run + 1 if last is not None and last[0] == d - 1 and last[2] == q else 1
        if run > limit:
            options = [q2 for s2, q2 in ctx.facts.options[(a, d)] if s2 == s and q2 != q]
            if options:
                idx = d * inst.intervals_per_day + ctx.facts.offsets[s]
                idx = idx[idx < inst.n_intervals]
                q = max(options, key=lambda q2: gains[q2, idx].sum())
                run = 1
        out.append((d, s, q))
        last = (d, s, q)
    return out


def value_table(ctx: ResponseContext, a: int, others: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(values[day, shift] with −inf where not allowed, best queue per cell) of agent `a` against `others`."""
    inst = ctx.instance
    if a not in ctx.arrays:
        ctx.arrays[a] = agent_arrays(inst, ctx.config, ctx.facts, ctx.tables, a)
    arrays = ctx.arrays[a]
    n_s = len(inst.shifts)
    values = np.full((inst.days, n_s), NEG)
    queues = np.zeros((inst.days, n_s), dtype=np.int64)
    if arrays is not None:
        option_values = option_gains(ctx, others)[arrays.idx].sum(axis=1) - arrays.cost
        order = np.lexsort((option_values, arrays.day * n_s + arrays.shift))
        key = arrays.day[order] * n_s + arrays.shift[order]
        last = np.r_[key[1:] != key[:-1], True]
        values.flat[key[last]] = option_values[order][last]
        queues.flat[key[last]] = arrays.queue[order][last]
    return values, queues


def best_response(ctx: ResponseContext, a: int, others: np.ndarray) -> tuple[Plan, float] | None:
    """The best plan of agent `a` given the others' scheduled agents, and its value (higher is better)."""
    values, queues = value_table(ctx, a, others)
    return respond(ctx, a, values, queues, others)


def option_gains(ctx: ResponseContext, others: np.ndarray) -> np.ndarray:
    """Flat gain of one more agent per (queue, interval) (+under weight where short, −over weight otherwise)."""
    inst, weights = ctx.instance, ctx.config.weights
    gains = np.zeros((len(inst.queues), inst.n_intervals + 1))
    step = inst.interval_minutes
    gains[:, :-1] = np.where(others < inst.required, weights.under_coverage * step, -weights.over_coverage * step)
    if ctx.deferred is not None and ctx.deferred.priced_at is not None:  # late work saved by one more head
        rows = ctx.deferred.rows
        over = np.where(others[rows] < inst.required[rows], 0.0, weights.over_coverage * step)
        gains[rows, :-1] = ctx.deferred.prices - over
    return gains.ravel()


def plan_value(ctx: ResponseContext, a: int, plan: Plan, others: np.ndarray) -> float:
    """Value of a plan (the negated objective change it makes), as the dynamic programme counts it."""
    inst = ctx.instance
    gains = option_gains(ctx, others).reshape(len(inst.queues), -1)
    total = 0.0
    for d, s, q in plan:
        idx = d * inst.intervals_per_day + ctx.facts.offsets[s]
        total += gains[q, idx[idx < inst.n_intervals]].sum()
    return float(total) - own_cost(ctx, a, plan)


def own_cost(ctx: ResponseContext, a: int, plan: Plan) -> float:
    """The agent's own objective terms: paid hours, preferences and single days off."""
    inst = ctx.instance
    if not plan:
        return 0.0
    day = np.array([p[0] for p in plan], dtype=np.int64)
    shift = np.array([p[1] for p in plan], dtype=np.int64)
    total = float(fixed_cost(inst, ctx.config, a, day, shift, ctx.tables.paid[shift]).sum())
    worked = np.zeros(inst.days + 2, dtype=bool)
    worked[day + 1] = True
    single = worked[:-2] & ~worked[1:-1] & worked[2:]
    return total + ctx.config.weights.days_off_together * MINUTES_PER_UNIT * int(single[1:-1].sum())


def add_plan(scheduled: np.ndarray, ctx: ResponseContext, plan: Plan, sign: int) -> None:
    """Add (sign = 1) or remove (−1) a plan's coverage in place."""
    inst = ctx.instance
    for d, s, q in plan:
        idx = d * inst.intervals_per_day + ctx.facts.offsets[s]
        scheduled[q, idx[idx < inst.n_intervals]] += sign


def improve_by_exact_response(
    ctx: ResponseContext,
    chosen: dict[Cell, Choice],
    deadline: float,
    rng: np.random.Generator,
    agents: list[int] | None = None,
    max_passes: int = 50,
) -> tuple[dict[Cell, Choice], int]:
    """Agent by agent, replace its plan by its exact best response while that is strictly better.

    Stops at the deadline, after `max_passes`, or when a pass over `agents` (default all) changes nothing.
    Returns the roster and the number of agents re-planned.
    """
    inst = ctx.instance
    plans: dict[int, Plan] = {a: [] for a in range(len(inst.agents))}
    for (a, d), (s, q) in sorted(chosen.items()):
        plans[a].append((d, s, q))
    scheduled = np.zeros(inst.required.shape, dtype=np.int64)
    for plan in plans.values():
        add_plan(scheduled, ctx, plan, 1)
    pool = list(range(len(inst.agents))) if agents is None else list(agents)
    moves = 0
    for _ in range(max_passes):
        changed = 0
        if ctx.deferred is not None:
            ctx.deferred.refresh(scheduled)
        for a in rng.permutation(pool):
            if time.monotonic() >= deadline:
                break
            a = int(a)
            add_plan(scheduled, ctx, plans[a], -1)
            found = best_response(ctx, a, scheduled)
            current = plan_value(ctx, a, plans[a], scheduled)
            if (
                found is not None
                and found[1] > current + 1e-6
                and exact_gain(ctx, scheduled, plans[a], found[0], found[1] - current) > 1e-6
            ):
                plans[a] = found[0]
                changed += 1
            add_plan(scheduled, ctx, plans[a], 1)
        moves += changed
        if changed == 0 or time.monotonic() >= deadline:
            break
    return {(a, d): (s, q) for a, plan in plans.items() for d, s, q in plan}, moves


def exact_gain(ctx: ResponseContext, others: np.ndarray, old: Plan, new: Plan, priced_gain: float) -> float:
    """The true objective gain of replacing `old` by `new` (others' coverage fixed) from the gain the value table
    priced: unchanged without deferred queues; else the deferred queues' prices are replaced by the exact change
    of their late and overdue work cost."""
    pricing = ctx.deferred
    if pricing is None:
        return priced_gain
    inst = ctx.instance
    rows = {int(r): k for k, r in enumerate(pricing.rows)}
    if not any(q in rows for plan in (old, new) for _, _, q in plan):
        return priced_gain
    late, priced = [], []
    for plan in (old, new):
        heads = others.copy()
        total = 0.0
        for d, s, q in plan:
            if q in rows:
                idx = d * inst.intervals_per_day + ctx.facts.offsets[s]
                idx = idx[idx < inst.n_intervals]
                heads[q, idx] += 1
                total += float(pricing.prices[rows[q], idx].sum())
        late.append(pricing.late_cost(heads))
        priced.append(total)
    return priced_gain - (priced[1] - priced[0]) + (late[0] - late[1])


def coverage_cost(ctx: ResponseContext, scheduled: np.ndarray) -> float:
    """Under- and over-coverage part of the objective (weight × minutes)."""
    inst, weights = ctx.instance, ctx.config.weights
    gap = scheduled - inst.required
    short_by_queue, extra = np.clip(-gap, 0, None).sum(axis=1), np.clip(gap, 0, None).sum()
    late = 0.0
    if ctx.deferred is not None:  # late work instead of heads short on the email/ticket queues
        short_by_queue[ctx.deferred.rows] = 0
        late = ctx.deferred.late_cost(scheduled)
    short = short_by_queue.sum()
    return float(inst.interval_minutes * (weights.under_coverage * short + weights.over_coverage * extra)) + late


def ruin_and_recreate(
    ctx: ResponseContext,
    chosen: dict[Cell, Choice],
    deadline: float,
    rng: np.random.Generator,
    n_agents: int = 6,
) -> tuple[dict[Cell, Choice], int, int]:
    """Take the plans of a few agents sharing a queue out, re-plan them one by one by best response (twice), and
    keep the result when the objective is not worse. Returns the roster, moves tried and moves that improved."""
    inst = ctx.instance
    plans: dict[int, Plan] = {a: [] for a in range(len(inst.agents))}
    for (a, d), (s, q) in sorted(chosen.items()):
        plans[a].append((d, s, q))
    scheduled = np.zeros(inst.required.shape, dtype=np.int64)
    for plan in plans.values():
        add_plan(scheduled, ctx, plan, 1)
    sharing = [[a for a, agent in enumerate(inst.agents) if q in agent.skills] for q in inst.queues]
    sharing = [pool for pool in sharing if pool] or [list(range(len(inst.agents)))]
    tried = improved = 0
    while time.monotonic() < deadline:
        pool = sharing[int(rng.integers(len(sharing)))]
        group = [int(a) for a in rng.choice(pool, size=min(n_agents, len(pool)), replace=False)]
        before = coverage_cost(ctx, scheduled) + sum(own_cost(ctx, a, plans[a]) for a in group)
        old = {a: plans[a] for a in group}
        for a in group:
            add_plan(scheduled, ctx, plans[a], -1)
        new: dict[int, Plan] = {}
        for a in [*rng.permutation(group), *rng.permutation(group)]:
            a = int(a)
            if a in new:
                add_plan(scheduled, ctx, new[a], -1)
            found = best_response(ctx, a, scheduled)
            new[a] = found[0] if found is not None else old[a]
            add_plan(scheduled, ctx, new[a], 1)
        after = coverage_cost(ctx, scheduled) + sum(own_cost(ctx, a, new[a]) for a in group)
        tried += 1
        if after <= before + 1e-6:
            improved += after < before - 1e-6
            plans.update(new)
        else:
            for a in group:
                add_plan(scheduled, ctx, new[a], -1)
                add_plan(scheduled, ctx, old[a], 1)
    return {(a, d): (s, q) for a, plan in plans.items() for d, s, q in plan}, tried, improved


def construct_by_response(ctx: ResponseContext, order: list[int]) -> dict[Cell, Choice] | None:
    """A first roster: each agent in `order` takes its best response to the agents placed before it
    (None when some agent has no plan within its hard rules; the caller then diagnoses)."""
    inst = ctx.instance
    scheduled = np.zeros(inst.required.shape, dtype=np.int64)
    chosen: dict[Cell, Choice] = {}
    for a in order:
        found = best_response(ctx, a, scheduled)
        if found is None:
            return None
        add_plan(scheduled, ctx, found[0], 1)
        chosen.update({(a, d): (s, q) for d, s, q in found[0]})
    return chosen
