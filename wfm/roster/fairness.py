"""Evening out weekends and late shifts: re-solve the most and the least loaded agents together with CP-SAT.

The dynamic programme moves one agent at a time, so a swap of a late shift from a loaded agent to a light one
(neutral for coverage, better for the spread) is out of its reach. Here the plans of a few agents from both ends
of the load ranking are freed at once and re-solved exactly against everyone else, with the model's own spread
penalties; a result is kept when the full objective does not get worse.
"""

from __future__ import annotations

import itertools
import time

import numpy as np

from wfm.roster.best_response import ResponseContext, own_cost
from wfm.roster.context import MINUTES_PER_UNIT
from wfm.roster.options import weekend_index
from wfm.roster.search import Progress, solve_cells
from wfm.roster.variables import Cell, Choice


def loads(ctx: ResponseContext, chosen: dict[Cell, Choice]) -> tuple[np.ndarray, np.ndarray]:
    """(weekends worked, late shifts) per agent."""
    plans: dict[int, dict[int, tuple[int, int]]] = {a: {} for a in range(len(ctx.instance.agents))}
    for (a, d), choice in chosen.items():
        plans[a][d] = choice
    weekends = np.array([_load(ctx, plans[a], "weekends") for a in plans], dtype=np.int64)
    lates = np.array([_load(ctx, plans[a], "lates") for a in plans], dtype=np.int64)
    return weekends, lates


def even_out(
    ctx: ResponseContext,
    chosen: dict[Cell, Choice],
    objective: float,
    deadline: float,
    *,
    seed: int = 0,
    group: int = 4,
    progress: Progress | None = None,
    build_seconds: float = 0.0,
) -> tuple[dict[Cell, Choice], float, int]:
    """Re-solve groups of the most and least loaded eligible agents until the deadline (a sub-model starts only
    when its solve limit plus `build_seconds`, the expected building time, then the longest measured, fit);
    returns the roster, its objective (weight × minutes) and the number of improvements."""
    instance, config, facts, rot = ctx.instance, ctx.config, ctx.facts, ctx.rotation
    rng = np.random.default_rng(seed)
    weights = config.weights
    kinds = [k for k, w in (("weekends", weights.weekend_fairness), ("lates", weights.late_fairness)) if w > 0]
    improved = 0
    overhead = build_seconds  # seconds of building a sub-model beyond its solve limit
    while kinds and time.monotonic() < deadline - 0.5:
        kind = kinds[int(rng.integers(len(kinds)))]
        counts = loads(ctx, chosen)[0 if kind == "weekends" else 1]
        eligible = np.flatnonzero(rot.weekend_eligible if kind == "weekends" else rot.late_eligible)
        if len(eligible) < 2:
            break
        order = eligible[np.argsort(counts[eligible] + rng.random(len(eligible)) * 0.5)]
        half = max(1, group // 2)
        agents = [*order[:half].tolist(), *order[-half:].tolist()]
        cells = [(a, d) for a in agents for d in range(instance.days)]
        limit = min(3.0, deadline - time.monotonic() - 0.3 - overhead)
        if limit <= 0.2:
            break
        begun = time.monotonic()
        result = solve_cells(
            instance, config, facts, cells, chosen, limit, seed=int(rng.integers(1 << 30)), deadline=deadline
        )
        overhead = max(overhead, time.monotonic() - begun - limit)
        if result.chosen is not None and result.objective < objective - 1e-6:
            chosen, objective = result.chosen, result.objective
            improved += 1
            if progress:
                progress(f"fairness ({kind}): objective {objective / 60:.1f}")
    return chosen, objective, improved


PARTNERS = 60  # light agents sharing a skill tried per loaded agent (the swap keeps every shift on its queue)


def swap_weeks(
    ctx: ResponseContext, chosen: dict[Cell, Choice], deadline: float, *, seed: int = 0
) -> tuple[dict[Cell, Choice], int]:
    """Swap whole weeks (then weekends, days) of shifts between a loaded and a light agent (coverage is unchanged:
    every shift keeps its day, template and queue) when both keep every hard rule and the own terms plus the
    fairness terms go down. The move the one-agent programme cannot make: late shifts stick to an agent through
    the rest rule, so loads even out only by trading. Returns the roster and the number of swaps."""
    inst, rot, weights = ctx.instance, ctx.rotation, ctx.config.weights
    if weights.weekend_fairness == 0 and weights.late_fairness == 0:
        return chosen, 0
    plans: dict[int, dict[int, tuple[int, int]]] = {a: {} for a in range(len(inst.agents))}
    for (a, d), choice in chosen.items():
        plans[a][d] = choice
    rng = np.random.default_rng(seed)
    weeks = inst.weeks()
    weekends = [range(days[0], days[-1] + 1) for days in weekend_index(inst).values()]
    swaps, stale = 0, 0
    while time.monotonic() < deadline and stale < 40:
        kind = "lates" if weights.late_fairness and (not weights.weekend_fairness or rng.random() < 0.5) else "weekends"
        eligible = np.flatnonzero(rot.late_eligible if kind == "lates" else rot.weekend_eligible)
        if len(eligible) < 2:
            break
        counts = np.array([_load(ctx, plans[a], kind) for a in eligible])
        # an agent at one extreme of the loads, paired with agents from the other half that share a skill
        order = eligible[np.argsort(counts + rng.random(len(eligible)) * 0.5)]
        at_top = rng.random() < 0.5
        extreme = int(order[-1] if at_top else order[0])
        others = order[: len(order) // 2] if at_top else order[::-1][: len(order) // 2]
        skills = set(inst.agents[extreme].skills)
        partners = [int(b) for b in others if skills & set(inst.agents[int(b)].skills)][:PARTNERS]
        done = False
        for other in partners:
            if time.monotonic() >= deadline:
                break
            a, b = (extreme, other) if at_top else (other, extreme)
            for days in [
                *_between_common_days_off(plans[a], plans[b], inst.days),
                *_windows(weeks, weekends, inst.days, rng),
            ]:
                if time.monotonic() >= deadline:
                    break
                if _try_swap(ctx, plans, a, b, days):
                    swaps += 1
                    done = True
                    break
            if done:
                break
        stale = 0 if done else stale + 1
    return {(a, d): choice for a, plan in plans.items() for d, choice in plan.items()}, swaps


def _between_common_days_off(plan_a: dict, plan_b: dict, n_days: int) -> list[range]:
    """Stretches between days both agents have off: trading one keeps rest and runs intact at its edges."""
    off = [d for d in range(n_days) if d not in plan_a and d not in plan_b]
    edges = [-1, *off, n_days]
    return [range(lo + 1, hi) for lo, hi in itertools.pairwise(edges) if hi - lo > 1]


def _windows(weeks: list[range], weekends: list[range], n_days: int, rng: np.random.Generator) -> list[range]:
    """Day ranges to trade, coarse to fine: whole weeks, weekends, then single days and pairs of days."""
    singles = [range(d, d + 1) for d in rng.permutation(n_days)[:10]]
    pairs = [range(d, min(d + 2, n_days)) for d in rng.permutation(n_days)[:10]]
    return [*(weeks[int(w)] for w in rng.permutation(len(weeks))), *weekends, *singles, *pairs]


def _load(ctx: ResponseContext, plan: dict[int, tuple[int, int]], kind: str) -> int:
    """Weekends worked or late shifts of one plan."""
    rot = ctx.rotation
    if kind == "lates":
        return int(sum(bool(rot.late_shift[s]) for s, _ in plan.values()))
    return len({int(rot.weekend_of_day[d]) for d in plan if rot.weekend_of_day[d] >= 0})


def _try_swap(ctx: ResponseContext, plans: dict[int, dict[int, tuple[int, int]]], a: int, b: int, days: range) -> bool:
    """Swap agents a and b's shifts on `days` if both stay within every hard rule and the objective improves."""
    week_a = {d: plans[a][d] for d in days if d in plans[a]}
    week_b = {d: plans[b][d] for d in days if d in plans[b]}
    if week_a == week_b:
        return False
    new_a = {d: c for d, c in plans[a].items() if d not in days} | week_b
    new_b = {d: c for d, c in plans[b].items() if d not in days} | week_a
    if not (keeps_programme_rules(ctx, a, new_a) and keeps_programme_rules(ctx, b, new_b)):
        return False
    before = _cost(ctx, plans, a, b)
    old_a, old_b = plans[a], plans[b]
    plans[a], plans[b] = new_a, new_b
    if _cost(ctx, plans, a, b) < before - 1e-6:
        return True
    plans[a], plans[b] = old_a, old_b
    return False


def keeps_programme_rules(ctx: ResponseContext, a: int, plan: dict[int, tuple[int, int]]) -> bool:
    """Whether one agent's plan keeps the programme's hard rules: options, weekly limits, rest and successions
    between days, consecutive days, weekend cap and queue rotation."""
    facts, rot, inst = ctx.facts, ctx.rotation, ctx.instance
    for d, choice in plan.items():
        if choice not in facts.options[(a, d)]:
            return False
    for limits in facts.weeks[a]:
        worked = [plan[d] for d in limits.days if d in plan]
        paid = sum(int(ctx.tables.paid[s]) for s, _ in worked)
        if len(worked) > limits.max_days or not limits.min_paid_minutes <= paid <= limits.max_paid_minutes:
            return False
    blocked = ctx.tables.rest
    run, queue_run, last_queue = 0, 0, -1
    for d in range(inst.days):
        if d not in plan:
            run, queue_run, last_queue = 0, 0, -1
            continue
        s, q = plan[d]
        for k in range(1, len(blocked)):
            if d - k in plan and blocked[k][plan[d - k][0], s]:
                return False
        run += 1
        queue_run = queue_run + 1 if q == last_queue else 1
        last_queue = q
        if run > facts.limits[a].max_consecutive_days:
            return False
        limit = ctx.config.rules.max_consecutive_queue_days
        if limit > 0 and queue_run > limit and len(inst.agents[a].skills) > 1:
            return False
    weekends = {int(rot.weekend_of_day[d]) for d in plan if rot.weekend_of_day[d] >= 0}
    return len(weekends) <= rot.weekend_cap[a]


def _cost(ctx: ResponseContext, plans: dict[int, dict[int, tuple[int, int]]], a: int, b: int) -> float:
    """Own terms of agents a and b plus the fairness terms: spread and distances from the mean load (weight ×
    minutes; coverage does not change)."""
    rot, weights = ctx.rotation, ctx.config.weights
    total = sum(own_cost(ctx, x, sorted((d, s, q) for d, (s, q) in plans[x].items())) for x in (a, b))
    for kind, weight, eligible in (
        ("lates", weights.late_fairness, rot.late_eligible),
        ("weekends", weights.weekend_fairness, rot.weekend_eligible),
    ):
        if weight and eligible.any():
            loads = np.array([_load(ctx, plans[x], kind) for x in np.flatnonzero(eligible)], dtype=float)
            # the spread, and each agent's distance from the mean load: with many agents at the extremes the
            # spread alone does not move, the distances do, so loads converge before the spread can drop
            total += weight * MINUTES_PER_UNIT * (loads.max() - loads.min() + np.abs(loads - loads.mean()).sum())
    return total
