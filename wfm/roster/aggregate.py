"""The aggregate relaxation: how many agents of each skill group work each shift, day and queue (an LP).

It drops agent identities (rest, consecutive days, preferences) and integrality, so its optimum is a lower
bound on the full roster objective. Groups are agents with the same skill queues; per-group capacities respect
each agent's allowed options, weekly working days and weekly paid hours. Solved with GLOP in about a second.

With `pauses=True` it is the break-aware relaxation (`pause_rows`): shifts cover all their intervals and their
lunches and breaks are taken off the phones inside the windows their break rules allow, under the break cap,
and training may take up to its hours off the phones anywhere — a lower bound on the objective after placement.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from ortools.linear_solver import pywraplp

from wfm.roster.breaks import pause_plans
from wfm.roster.domain import Config, Instance
from wfm.roster.options import InstanceFacts

MAX_GROUPS = 8


@dataclass(frozen=True)
class AggregateResult:
    """LP status, its optimum (a lower bound, weight × minutes) and its under-/over-coverage in agent-minutes."""

    status: str
    bound: float
    under_agent_minutes: float
    over_agent_minutes: float


NOT_SOLVED = AggregateResult("NOT_SOLVED", 0.0, float("nan"), float("nan"))


def skill_groups(
    instance: Instance, facts: InstanceFacts, max_groups: int = MAX_GROUPS
) -> dict[tuple[int, ...], list[int]]:
    """Agents grouped by the queues they can serve (agents with no queue are left out).

    With more than `max_groups` groups, all multi-skill agents share one group with the union of their queues:
    that gives them skills they lack, so the LP stays a relaxation (a weaker but much smaller one).
    """
    groups: dict[tuple[int, ...], list[int]] = defaultdict(list)
    for a in range(len(instance.agents)):
        queues = tuple(sorted({q for d in range(instance.days) for _, q in facts.options[(a, d)]}))
        if queues:
            groups[queues].append(a)
    if len(groups) <= max_groups:
        return groups
    merged: dict[tuple[int, ...], list[int]] = defaultdict(list)
    multi = sorted({q for queues in groups if len(queues) > 1 for q in queues})
    for queues, members in groups.items():
        merged[queues if len(queues) == 1 else tuple(multi)].extend(members)
    return merged


def solve_aggregate(
    instance: Instance,
    config: Config,
    facts: InstanceFacts,
    time_limit_seconds: float = 60.0,
    deadline: float | None = None,
    *,
    pauses: bool = False,
    training_agent_minutes: float = 0.0,
    weekly_patterns: bool = False,
    pauses_per_template: bool = False,
) -> AggregateResult:
    """Build and solve the aggregate LP (no bound when it is not solved to optimality within the time limit, or
    by the `deadline` on the monotonic clock, which also bounds building it). `pauses`: the break-aware
    relaxation, with up to `training_agent_minutes` of training taken off the phones where it helps most.
    `weekly_patterns`: each agent's week as a whole pattern (`week_pattern_rows`), a tighter bound.
    `pauses_per_template`: each template's pauses only in its own windows (a tighter break-aware bound, with
    about one variable per template, queue, day and window interval)."""
    end = math.inf if deadline is None else deadline
    lp = pywraplp.Solver.CreateSolver("GLOP")
    inf = lp.infinity()
    weights, step = config.weights, instance.interval_minutes
    n_q, n_t, per_day = len(instance.queues), instance.n_intervals, instance.intervals_per_day
    balance = {}
    objective = lp.Objective()
    under, over = [], []
    starts: dict[tuple[int, int], list[tuple[int, object]]] = defaultdict(list)  # (queue, day) → (shift, var)
    for q in range(n_q):
        for t in range(n_t):
            need = float(instance.required[q, t])
            row = balance[(q, t)] = lp.Constraint(need, need)
            short, extra = lp.NumVar(0, need, ""), lp.NumVar(0, inf, "")
            row.SetCoefficient(short, 1)
            row.SetCoefficient(extra, -1)
            objective.SetCoefficient(short, weights.under_coverage * step)
            objective.SetCoefficient(extra, weights.over_coverage * step)
            under.append(short)
            over.append(extra)
    for queues, members in skill_groups(instance, facts).items():
        weekly: dict[int, list] = defaultdict(list)
        for d in range(instance.days):
            if time.monotonic() >= end:
                return NOT_SOLVED
            cap: dict[int, int] = defaultdict(int)
            working = 0
            for a in members:
                allowed = {s for s, _ in facts.options[(a, d)]}
                working += bool(allowed)
                for s in allowed:
                    cap[s] += 1
            day_row = lp.Constraint(0, working)
            for s, n_agents in cap.items():
                shift_row = lp.Constraint(0, n_agents)
                shift = instance.shifts[s]
                idx = d * per_day + facts.offsets[s]
                for q in queues:
                    var = lp.NumVar(0, n_agents, "")
                    shift_row.SetCoefficient(var, 1)
                    day_row.SetCoefficient(var, 1)
                    objective.SetCoefficient(var, weights.paid_hours * shift.paid_minutes)
                    covered = _full_offsets(instance, s, d) if pauses else idx
                    for t in covered[covered < n_t]:
                        balance[(q, int(t))].SetCoefficient(var, 1)
                    starts[(q, d)].append((s, var))
                    weekly[d // 7].append((shift.paid_minutes, var))
        for w, terms in weekly.items():
            if weekly_patterns and week_pattern_rows(lp, instance, facts, members, w, terms):
                continue
            limits = [facts.weeks[a][w] for a in members]
            paid_row = lp.Constraint(sum(x.min_paid_minutes for x in limits), sum(x.max_paid_minutes for x in limits))
            days_row = lp.Constraint(0, sum(x.max_days for x in limits))
            for minutes, var in terms:
                paid_row.SetCoefficient(var, minutes)
                days_row.SetCoefficient(var, 1)
    if pauses and not pause_rows(
        lp, instance, config, balance, starts, end, training_agent_minutes, pauses_per_template
    ):
        return NOT_SOLVED
    objective.SetMinimization()
    limit_seconds = min(time_limit_seconds, end - time.monotonic())
    if limit_seconds <= 0:
        return NOT_SOLVED
    lp.SetTimeLimit(max(1, int(limit_seconds * 1000)))
    status = lp.Solve()
    if status != pywraplp.Solver.OPTIMAL:
        return NOT_SOLVED
    return AggregateResult(
        "OPTIMAL",
        objective.Value(),
        step * sum(v.solution_value() for v in under),
        step * sum(v.solution_value() for v in over),
    )


MAX_WEEK_PATTERNS = 3_000  # per agent class and week; beyond it the week keeps the summed hours and days rows


def week_pattern_rows(lp, instance: Instance, facts: InstanceFacts, members: list[int], week: int, terms) -> bool:
    """Weekly patterns for one skill group and week (False, adding nothing, when a class has too many patterns or
    none): agents with the same week limits and shift lengths form a class; a pattern is how many shifts of each
    paid length one agent works that week, within its paid minutes, its days and its days with an option; z ≥ 0
    agents take each pattern, Σ z = the class's size, and per paid length the group's shifts = Σ z × count.
    Every roster's agents each work one such pattern, so this stays a relaxation; it is tighter than summed
    hours and days because no agent can work a fraction of a shift (DESIGN §5: about 2 % on the bound)."""
    classes: dict[tuple, int] = defaultdict(int)
    for a in members:
        limits = facts.weeks[a][week]
        days = [d for d in limits.days if facts.options[(a, d)]]
        lengths = tuple(sorted({instance.shifts[s].paid_minutes for d in days for s, _ in facts.options[(a, d)]}))
        classes[(limits.min_paid_minutes, limits.max_paid_minutes, min(limits.max_days, len(days)), lengths)] += 1
    patterns = {}
    for key in classes:
        found = _week_patterns(*key)
        if not found or len(found) > MAX_WEEK_PATTERNS:
            return False
        patterns[key] = found
    all_lengths = sorted({minutes for minutes, _ in terms} | {m for key in classes for m in key[3]})
    links = {}
    for minutes in all_lengths:
        links[minutes] = lp.Constraint(0, 0)
    for minutes, var in terms:
        links[minutes].SetCoefficient(var, 1)
    for key, size in classes.items():
        count_row = lp.Constraint(size, size)
        for pattern in patterns[key]:
            z = lp.NumVar(0, size, "")
            count_row.SetCoefficient(z, 1)
            for minutes, count in zip(key[3], pattern, strict=True):
                if count:
                    links[minutes].SetCoefficient(z, -count)
    return True


def _week_patterns(
    min_paid: int, max_paid: int, max_days: int, lengths: tuple[int, ...]
) -> list[tuple[int, ...]] | None:
    """Counts of shifts per paid length (in `lengths` order) with at most `max_days` shifts and paid minutes in
    [min_paid, max_paid]; None when there are more than MAX_WEEK_PATTERNS."""
    found: list[tuple[int, ...]] = []

    def extend(index: int, days_left: int, paid: int, counts: tuple[int, ...]) -> bool:
        if index == len(lengths):
            if min_paid <= paid <= max_paid:
                found.append(counts)
            return len(found) <= MAX_WEEK_PATTERNS
        for count in range(days_left + 1):
            if paid + count * lengths[index] > max_paid:
                break
            if not extend(index + 1, days_left - count, paid + count * lengths[index], (*counts, count)):
                return False
        return True

    return found if extend(0, max_days, 0, ()) else None


def _full_offsets(instance: Instance, s: int, day: int) -> np.ndarray:
    """Horizon intervals of shift `s` started on `day`, lunch included (the break-aware LP takes pauses off)."""
    shift, step = instance.shifts[s], instance.interval_minutes
    first = day * instance.intervals_per_day + shift.start_minute // step
    return first + np.arange(shift.length_minutes // step)


def pause_rows(
    lp,
    instance: Instance,
    config: Config,
    balance: dict,
    starts: dict,
    end: float,
    training_agent_minutes: float = 0.0,
    per_template: bool = False,
) -> bool:
    """Add the pauses of the break-aware relaxation; False when the deadline passed while building.

    Per queue, day and pause kind (lunch, break), variables p[t] ≥ 0 are the agents of that day's shifts on that
    kind of pause in interval t: p[t] ≤ the agents of the shifts whose allowed window of that kind holds t, and
    Σ_t p[t] = Σ_shifts agents × that kind's intervals per shift. Both kinds together stay within the agents whose
    pause window holds t and, with a cap, within min_agents + share × agents on shift (max(m, ⌊s·n⌋) ≤ m + s·n).
    Training: exactly `training_agent_minutes` taken off the phones, anywhere agents on shift are not paused
    (its windows and seats relaxed). Any roster with its pauses placed by the rules and that much training
    satisfies these, so the optimum is a lower bound for such rosters."""
    step, n_t = instance.interval_minutes, instance.n_intervals
    cap = config.breaks.cap
    windows = [_pause_windows(instance, config, s) for s in range(len(instance.shifts))]
    paused: dict[tuple[int, int], list] = defaultdict(list)  # (queue, t) → pause variables
    on_shift: dict[tuple[int, int], list] = defaultdict(list)  # (queue, t) → shift variables
    for (q, d), shift_vars in starts.items():
        if time.monotonic() >= end:
            return False
        day_start = d * instance.intervals_per_day
        by_interval: dict[tuple[str, int], list] = defaultdict(list)
        any_pause: dict[int, list] = defaultdict(list)
        totals: dict[str, list] = defaultdict(list)
        for s, var in _per_shift(lp, shift_vars):
            first = day_start + instance.shifts[s].start_minute // step
            for t in range(first, first + instance.shifts[s].length_minutes // step):
                if t < n_t:
                    on_shift[(q, t)].append(var)
            if per_template:  # this template's agents pause only in its own windows
                for t, ps in _template_pauses(lp, windows[s], first, var).items():
                    if t < n_t:
                        for p in ps:
                            balance[(q, t)].SetCoefficient(p, -1)
                    paused[(q, t)].extend(ps)
                continue
            union: set[int] = set()
            for kind, (offsets, units) in windows[s].items():
                totals[kind].append((units, var))
                for k in offsets:
                    by_interval[(kind, first + int(k))].append(var)
                union |= {int(k) for k in offsets}
            for k in union:
                any_pause[first + k].append(var)
        kind_vars: dict[int, list] = defaultdict(list)
        for kind, terms in totals.items():
            total_row = lp.Constraint(0, 0)
            for units, var in terms:
                total_row.SetCoefficient(var, -units)
            for (k_kind, t), shift_list in by_interval.items():
                if k_kind != kind:
                    continue
                p = lp.NumVar(0, lp.infinity(), "")
                total_row.SetCoefficient(p, 1)
                row = lp.Constraint(-lp.infinity(), 0)
                row.SetCoefficient(p, 1)
                for var in shift_list:
                    row.SetCoefficient(var, -1)
                kind_vars[t].append(p)
        for t, ps in kind_vars.items():
            if len(ps) > 1:
                row = lp.Constraint(-lp.infinity(), 0)
                for p in ps:
                    row.SetCoefficient(p, 1)
                for var in any_pause[t]:
                    row.SetCoefficient(var, -1)
            if t < n_t:
                for p in ps:
                    balance[(q, t)].SetCoefficient(p, -1)
            paused[(q, t)].extend(ps)
    if training_agent_minutes > 0:
        units = training_agent_minutes / step
        training_row = lp.Constraint(units, units)
        for (q, t), heads in on_shift.items():
            if t >= n_t:
                continue
            removed = lp.NumVar(0, lp.infinity(), "")
            training_row.SetCoefficient(removed, 1)
            balance[(q, t)].SetCoefficient(removed, -1)
            room = lp.Constraint(-lp.infinity(), 0)
            room.SetCoefficient(removed, 1)
            for p in paused.get((q, t), ()):
                room.SetCoefficient(p, 1)
            for var in heads:
                room.SetCoefficient(var, -1)
    if cap is not None:
        for (q, t), ps in paused.items():
            if t >= n_t:
                continue
            share = cap.share(instance.queues[q])
            row = lp.Constraint(-lp.infinity(), float(cap.min_agents))
            for p in ps:
                row.SetCoefficient(p, 1)
            for var in on_shift[(q, t)]:
                row.SetCoefficient(var, row.GetCoefficient(var) - share)
    return True


def _template_pauses(lp, windows: dict[str, tuple[np.ndarray, int]], first: int, var) -> dict[int, list]:
    """Pause variables of one template's agents (`var` of them) on one queue and day: per kind and interval of
    its window at most `var`, per kind `units` × `var` in all, both kinds together at most `var` per interval;
    column → its variables."""
    by_column: dict[int, list] = defaultdict(list)
    for offsets, units in windows.values():
        total = lp.Constraint(0, 0)
        total.SetCoefficient(var, -units)
        for k in offsets:
            p = lp.NumVar(0, lp.infinity(), "")
            total.SetCoefficient(p, 1)
            row = lp.Constraint(-lp.infinity(), 0)
            row.SetCoefficient(p, 1)
            row.SetCoefficient(var, -1)
            by_column[first + int(k)].append(p)
    for ps in by_column.values():
        if len(ps) > 1:
            row = lp.Constraint(-lp.infinity(), 0)
            for p in ps:
                row.SetCoefficient(p, 1)
            row.SetCoefficient(var, -1)
    return by_column


def _per_shift(lp, shift_vars: list[tuple[int, object]]) -> list[tuple[int, object]]:
    """One variable per shift template for the skill groups' variables of a queue and day (y = Σ x): the pause
    rows then hold one term per template instead of one per group and template (several times fewer)."""
    by_shift: dict[int, list] = defaultdict(list)
    for s, var in shift_vars:
        by_shift[s].append(var)
    merged = []
    for s, group_vars in by_shift.items():
        if len(group_vars) == 1:
            merged.append((s, group_vars[0]))
            continue
        total = lp.NumVar(0, lp.infinity(), "")
        row = lp.Constraint(0, 0)
        row.SetCoefficient(total, 1)
        for var in group_vars:
            row.SetCoefficient(var, -1)
        merged.append((s, total))
    return merged


def _pause_windows(instance: Instance, config: Config, s: int) -> dict[str, tuple[np.ndarray, int]]:
    """Per pause kind of template `s`: (offsets where some allowed pattern has that kind, intervals per shift)."""
    plans = pause_plans(instance.shifts[s], config.breaks, instance.interval_minutes)
    windows: dict[str, tuple[np.ndarray, int]] = {}
    for kind in ("lunch", "break"):
        mask = np.zeros(plans.masks.shape[1], dtype=bool)
        units = 0
        for p, pattern in enumerate(plans.pauses):
            kind_units = 0
            for start, length, pause_kind in pattern:
                if pause_kind == kind:
                    mask[start : start + length] = True
                    kind_units += length
            units = kind_units if p == 0 else min(units, kind_units)
        if units:
            windows[kind] = (np.flatnonzero(mask), units)
    return windows
