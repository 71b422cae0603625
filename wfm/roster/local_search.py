"""Best-response descent that skips agents who provably cannot improve, and iterated local search around it.

An agent's best response depends only on its table of option values (best queue per day and shift). When that
table changed since the agent's last exact response by Δ, no plan can gain more than Σ_days max(0, max_shift Δ)
over the old optimum, so the dynamic programme is skipped when that bound does not beat the current plan. The
iterated local search kicks a few agents who can cover the worst-covered intervals (a best response to randomly
perturbed values, accepted even when worse), lets the descent repair, and keeps the best roster seen.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from wfm.roster.best_response import (
    NEG,
    Plan,
    ResponseContext,
    add_plan,
    best_response,
    coverage_cost,
    exact_gain,
    own_cost,
    plan_value,
    respond,
    value_table,
)
from wfm.roster.fair_share import band_cost, band_cost_change, marginal_prices, priced_part, priced_values
from wfm.roster.fairness import keeps_programme_rules
from wfm.roster.greedy import greedy_plan
from wfm.roster.variables import Cell, Choice

EPS = 1e-6


@dataclass
class SearchState:
    """Plans per agent, the scheduled agents they give, and each agent's table at its last exact response."""

    plans: dict[int, Plan]
    scheduled: np.ndarray
    tables: dict[int, tuple[np.ndarray, float]] = field(default_factory=dict)  # (table, optimum then)
    responses: int = 0  # dynamic programmes run
    skipped: int = 0  # responses skipped by the bound
    counts: np.ndarray | None = None  # (agents, 3) weekends, lates, holidays; None without fairness weights


def search_state(ctx: ResponseContext, chosen: dict[Cell, Choice]) -> SearchState:
    """The state of a complete roster."""
    plans: dict[int, Plan] = {a: [] for a in range(len(ctx.instance.agents))}
    for (a, d), (s, q) in sorted(chosen.items()):
        plans[a].append((d, s, q))
    scheduled = np.zeros(ctx.instance.required.shape, dtype=np.int64)
    for plan in plans.values():
        add_plan(scheduled, ctx, plan, 1)
    counts = None
    if (ctx.fair.weights > 0).any():
        counts = np.array([ctx.fair.counts((d, s) for d, s, _ in plans[a]) for a in plans], dtype=np.int64)
    return SearchState(plans, scheduled, counts=counts)


def to_chosen(state: SearchState) -> dict[Cell, Choice]:
    """The roster of a state."""
    return {(a, d): (s, q) for a, plan in state.plans.items() for d, s, q in plan}


def objective_of(ctx: ResponseContext, state: SearchState) -> float:
    """Coverage, own terms and the fairness bands (weight × minutes): the objective the descent lowers."""
    fair = 0.0 if state.counts is None else band_cost(ctx.fair, state.counts)
    return coverage_cost(ctx, state.scheduled) + sum(own_cost(ctx, a, p) for a, p in state.plans.items()) + fair


def _priced(
    ctx: ResponseContext, state: SearchState, a: int, values: np.ndarray, current: float
) -> tuple[np.ndarray, float, np.ndarray | None]:
    """With fairness weights: the agent's table and current value with its marginal fairness prices taken off
    (a soft cap above its group's band, a bonus below it), and the prices; else everything unchanged."""
    if state.counts is None:
        return values, current, None
    prices = marginal_prices(ctx.fair, state.counts, a)
    if not prices.any():
        return values, current, prices
    return priced_values(ctx.fair, values, prices), current - priced_part(ctx.fair, state.plans[a], prices), prices


def _fair_gain(
    ctx: ResponseContext, state: SearchState, a: int, plan: Plan, value: float, current: float, prices
) -> float:
    """The true objective gain of replacing the agent's plan (priced values `value` vs `current`): the prices are
    added back and the exact change of the group's band penalties taken off."""
    if state.counts is None or prices is None:
        return value - current
    plain = value + priced_part(ctx.fair, plan, prices) - current - priced_part(ctx.fair, state.plans[a], prices)
    return plain - band_cost_change(ctx.fair, state.counts, a, ctx.fair.counts((d, s) for d, s, _ in plan))


def _true_gain(
    ctx: ResponseContext, state: SearchState, a: int, found: tuple[Plan, float], current: float, prices
) -> float:
    """The fairness-corrected gain of the found plan, with deferred queues' prices replaced by the exact change
    of their late work (`exact_gain`; the agent's coverage is out of `scheduled`)."""
    gain = _fair_gain(ctx, state, a, found[0], found[1], current, prices)
    return exact_gain(ctx, state.scheduled, state.plans[a], found[0], gain)


def _set_plan(ctx: ResponseContext, state: SearchState, a: int, plan: Plan) -> None:
    """Replace the agent's plan (its coverage is out of `scheduled` at this point) and its fairness counts."""
    state.plans[a] = plan
    if state.counts is not None:
        state.counts[a] = ctx.fair.counts((d, s) for d, s, _ in plan)


def _respond(
    ctx: ResponseContext, a: int, values: np.ndarray, queues: np.ndarray, others: np.ndarray
) -> tuple[Plan, float] | None:
    """The dynamic programme on a value table (with the weekend cap and queue rotation kept)."""
    return respond(ctx, a, values, queues, others)


def _cannot_improve(state: SearchState, a: int, values: np.ndarray, current: float) -> bool:
    """True when the change of the agent's table since its last exact response cannot beat its current plan."""
    if a not in state.tables:
        return False
    old, optimum = state.tables[a]
    finite = np.isfinite(values)
    delta = np.where(finite, values - np.where(finite, old, 0.0), NEG)
    gain = np.clip(delta.max(axis=1), 0.0, None).sum()
    return optimum + gain <= current + EPS * max(1.0, abs(current))


def descend(
    ctx: ResponseContext,
    state: SearchState,
    deadline: float,
    rng: np.random.Generator,
    agents: list[int] | None = None,
    max_passes: int = 1000,
) -> int:
    """Exact best responses in random order until a pass changes nothing (skipping agents that provably cannot
    improve). Returns the number of plans replaced; the state is updated in place."""
    pool = list(range(len(ctx.instance.agents))) if agents is None else list(agents)
    moves = 0
    for _ in range(max_passes):
        changed = 0
        if ctx.deferred is not None:  # late-work prices of one more head, at this pass's coverage
            ctx.deferred.refresh(state.scheduled)
        for a in rng.permutation(pool):
            if time.monotonic() >= deadline:
                return moves + changed
            a = int(a)
            add_plan(state.scheduled, ctx, state.plans[a], -1)
            current = plan_value(ctx, a, state.plans[a], state.scheduled)
            values, queues = value_table(ctx, a, state.scheduled)
            values, current, prices = _priced(ctx, state, a, values, current)
            if _cannot_improve(state, a, values, current):
                state.skipped += 1
            else:
                state.responses += 1
                found = _respond(ctx, a, values, queues, state.scheduled)
                if (
                    found is not None
                    and found[1] > current + EPS * max(1.0, abs(current))
                    and _true_gain(ctx, state, a, found, current, prices) > EPS * max(1.0, abs(current))
                ):
                    _set_plan(ctx, state, a, found[0])
                    changed += 1
                    current = found[1]
                # the table's optimum (a plan the fairness check turned down still bounds later gains)
                state.tables[a] = (values, max(current, found[1]) if found is not None else current)
            add_plan(state.scheduled, ctx, state.plans[a], 1)
        moves += changed
        if changed == 0:
            break
    return moves


def kick(
    ctx: ResponseContext,
    state: SearchState,
    rng: np.random.Generator,
    n_agents: int,
    noise: float,
) -> list[int]:
    """Re-plan a few agents with the skill of a queue and day drawn by under-coverage, by best response to values
    with Gaussian noise (σ = `noise`, weight × minutes per option) and a bonus on that day, accepting the result
    even if worse. Returns the agents with that skill (the ones the repair revisits)."""
    inst = ctx.instance
    short = np.clip(inst.required - state.scheduled, 0, None)
    per_day = short[:, : inst.days * inst.intervals_per_day].reshape(len(inst.queues), inst.days, -1).sum(axis=2)
    weights = per_day.ravel().astype(float) + 1.0
    q, d = np.unravel_index(int(rng.choice(per_day.size, p=weights / weights.sum())), per_day.shape)
    name = inst.queues[q]
    pool = [a for a, agent in enumerate(inst.agents) if name in agent.skills]
    if not pool:
        return []
    group = rng.choice(pool, size=min(n_agents, len(pool)), replace=False)
    for a in group:
        a = int(a)
        add_plan(state.scheduled, ctx, state.plans[a], -1)
        values, queues = value_table(ctx, a, state.scheduled)
        values, _, _ = _priced(ctx, state, a, values, 0.0)
        values = values + rng.normal(0.0, noise, values.shape)
        bonus = np.zeros_like(values)
        bonus[d] = noise  # lean towards the short day
        found = _respond(ctx, a, values + bonus, queues, state.scheduled)
        if found is not None:
            _set_plan(ctx, state, a, found[0])
        state.tables.pop(a, None)
        add_plan(state.scheduled, ctx, state.plans[a], 1)
    return pool


def iterated_local_search(
    ctx: ResponseContext,
    chosen: dict[Cell, Choice],
    deadline: float,
    rng: np.random.Generator,
    n_agents: int = 12,
    noise: float = 600.0,
    local_repair: bool = True,
    repair_passes: int = 1,
    progress: Callable[[float], None] | None = None,
    max_kicks: int | None = None,
    first_passes: int = 3,
) -> tuple[dict[Cell, Choice], dict[str, int]]:
    """Descend (`first_passes` passes; kicking earlier beat descending to the local optimum first), then kick and
    repair until the deadline (or `max_kicks`), keeping the best roster.

    A kicked-and-repaired roster is accepted when not worse than the current one. Returns the best roster and
    counters (descent moves, kicks, kicks that improved, programmes run and skipped).
    """
    state = search_state(ctx, chosen)
    moves = descend(ctx, state, deadline, rng, max_passes=first_passes)
    best = objective_of(ctx, state)
    if progress is not None:
        progress(best)
    kicks = better = 0
    while time.monotonic() < deadline and (max_kicks is None or kicks < max_kicks):
        counts = None if state.counts is None else state.counts.copy()
        saved = ({a: list(p) for a, p in state.plans.items()}, state.scheduled.copy(), dict(state.tables), counts)
        pool = kick(ctx, state, rng, n_agents, noise)
        if local_repair:
            moves += descend(ctx, state, deadline, rng, agents=pool, max_passes=repair_passes)
        else:
            moves += descend(ctx, state, deadline, rng)
        value = objective_of(ctx, state)
        kicks += 1
        if value <= best + EPS * max(1.0, best) and time.monotonic() < deadline:
            better += value < best - EPS * max(1.0, best)
            best = value
        else:
            state.plans, state.scheduled, state.tables, state.counts = saved
    counters = {
        "moves": moves,
        "kicks": kicks,
        "better": better,
        "responses": state.responses,
        "skipped": state.skipped,
    }
    return to_chosen(state), counters


def construct_by_deadline(
    ctx: ResponseContext, order: list[int], deadline: float, clock: Callable[[], float] = time.monotonic
) -> tuple[dict[Cell, Choice] | None, int]:
    """A first roster: each agent in `order` takes its best response to the agents placed before it; while the
    programmes run behind the deadline (agents left × the mean programme time > time left), an agent takes the
    cheaper greedy plan instead when that keeps every rule the programme keeps. Returns the roster (None when some
    agent has no plan; the caller then diagnoses) and the number of greedy plans."""
    scheduled = np.zeros(ctx.instance.required.shape, dtype=np.int64)
    chosen: dict[Cell, Choice] = {}
    programme_seconds, programmes, greedy = 0.0, 0, 0
    for k, a in enumerate(order):
        left = len(order) - k
        behind = programmes > 0 and clock() + left * programme_seconds / programmes > deadline
        plan = _greedy_plan(ctx, a, scheduled) if behind else None
        if plan is None:
            started = clock()
            found = best_response(ctx, a, scheduled)
            programme_seconds, programmes = programme_seconds + clock() - started, programmes + 1
            if found is None:
                return None, greedy
            plan = found[0]
        else:
            greedy += 1
        add_plan(scheduled, ctx, plan, 1)
        chosen.update({(a, d): (s, q) for d, s, q in plan})
    return chosen, greedy


def _greedy_plan(ctx: ResponseContext, a: int, scheduled: np.ndarray) -> Plan | None:
    """The agent's greedy plan against the open demand, or None when it misses a weekly minimum or breaks a rule
    the programme keeps (weekend caps, queue rotation)."""
    inst = ctx.instance
    open_demand = inst.required.astype(np.int64) - scheduled
    picks, reached = greedy_plan(inst, ctx.config, ctx.facts, ctx.tables, a, open_demand, ctx.arrays)
    if not reached or not keeps_programme_rules(ctx, a, {d: (s, q) for d, s, q in picks}):
        return None
    return sorted(picks)
