"""Column generation over per-agent work patterns: an LP master over pattern pools (HiGHS) priced agent by agent
with CP-SAT, then an integer master (CP-SAT) choosing one pattern per agent.

Every hard rule binds one agent's own cells, so any mix of feasible patterns is a feasible roster; the objective is
each agent's own penalties (requests, preferences, paid hours, single days off) plus coverage, which couples agents
only through the number of agents per coverage row (day and template, or queue and interval). The pricing problem
of an agent is its own model (every hard rule, its own penalties) with the coverage duals on its literals, so the
patterns obey exactly the rules the full model has. Fairness spreads couple agents otherwise: no column generation
then (`applies`). The Lagrangian bound (LP value + each agent's best reduced cost) is a valid lower bound.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
from ortools.sat.python import cp_model
from scipy import sparse
from scipy.optimize import linprog

from wfm.roster.context import MINUTES_PER_UNIT
from wfm.roster.domain import Config, Instance
from wfm.roster.fair_share import fairness_weighted
from wfm.roster.model import build_model
from wfm.roster.options import InstanceFacts, weekend_index
from wfm.roster.pattern_programme import Item, build_programme
from wfm.roster.relaxed_pricing import relaxed_price
from wfm.roster.rules import (
    RULES,
    holiday_fairness,
    late_fairness,
    over_coverage,
    under_coverage,
    weekend_fairness,
)
from wfm.roster.variables import Cell, Choice

Pattern = tuple[tuple[int, int, int], ...]  # sorted (day, shift, queue) of one agent's working days
DUAL_SCALE = 8  # pricing objective resolution: 1/8 of a weight × minute
PRICING_THREADS = 2
SEED_MIN_SLICE_SECONDS = 0.25  # shortest CP-SAT slice when seeding an agent's first pattern
PROGRAMME_PATTERNS = 10  # patterns per agent and pricing round from the dynamic programme (best final states)


def applies(instance: Instance, config: Config) -> bool:
    """Whether the objective splits into per-agent penalties plus coverage (no fairness spread)."""
    return not fairness_weighted(config)


@dataclass(frozen=True, eq=False)
class Coupling:
    """Coverage rows: need, cost per agent short and per agent extra (weight × minutes), and the rows of each
    (day, shift, queue) option with the agents it adds to each (one per row here)."""

    need: np.ndarray
    under: np.ndarray
    over: np.ndarray
    rows: dict[tuple[int, int, int], np.ndarray]

    def counts(self, patterns: list[Pattern]) -> np.ndarray:
        """Agents per row of a set of patterns."""
        total = np.zeros(len(self.need), dtype=np.int64)
        for pattern in patterns:
            for item in pattern:
                np.add.at(total, self.rows[item], 1)
        return total

    def cost(self, counts: np.ndarray) -> float:
        """Coverage penalty of given counts."""
        gap = counts - self.need
        return float(np.clip(-gap, 0, None) @ self.under + np.clip(gap, 0, None) @ self.over)


def coupling(instance: Instance, config: Config, facts: InstanceFacts) -> Coupling:
    """The coverage rows of the instance, with the same costs as the under_coverage / over_coverage rules."""
    items = {(d, s, q) for (_, d), options in facts.options.items() for s, q in options}
    demand = instance.shift_demand
    if demand is not None:
        n_s = len(instance.shifts)
        rows = {(d, s, q): np.array([d * n_s + s]) for d, s, q in items}
        return Coupling(
            demand.required.reshape(-1).astype(np.int64),
            demand.weight_under.reshape(-1).astype(float) * MINUTES_PER_UNIT,
            demand.weight_over.reshape(-1).astype(float) * MINUTES_PER_UNIT,
            rows,
        )
    n_t, per_day, step = instance.n_intervals, instance.intervals_per_day, instance.interval_minutes
    rows = {}
    for d, s, q in items:
        idx = d * per_day + facts.offsets[s]
        rows[(d, s, q)] = q * n_t + idx[idx < n_t]
    n = len(instance.queues) * n_t
    return Coupling(
        instance.required.reshape(-1).astype(np.int64),
        np.full(n, float(config.weights.under_coverage * step)),
        np.full(n, float(config.weights.over_coverage * step)),
        rows,
    )


class AgentPricer:
    """One agent's own model (its hard rules and own penalties), re-solved with coverage duals on its literals."""

    def __init__(self, instance: Instance, config: Config, facts: InstanceFacts, agent: int, couple: Coupling) -> None:
        own_rules = [
            r
            for r in RULES
            if r not in (under_coverage, over_coverage, weekend_fairness, late_fairness, holiday_fairness)
        ]
        cells = [(agent, d) for d in range(instance.days)]
        built = build_model(instance, config, facts, cells, {}, rules=own_rules)
        self.agent = agent
        self.model = built.model
        self.literals: list[tuple[tuple[int, int, int], cp_model.IntVar]] = [
            ((d, s, q), term)
            for (_, d), options in built.vars.cells.items()
            for (s, q), term in options.items()
            if not isinstance(term, int)
        ]
        coefs: dict[int, float] = {}
        variables: dict[int, cp_model.IntVar] = {}
        for p in built.penalties:
            for c, v in zip(p.coefs, p.variables, strict=True):
                coefs[v.index] = coefs.get(v.index, 0) + p.weight * c
                variables[v.index] = v
        self.own = [(variables[i], c) for i, c in coefs.items() if c]
        literal_index = {v.index: item for item, v in self.literals}
        self.linear = all(v.index in literal_index for v, _ in self.own)
        self.literal_cost = {literal_index[v.index]: c for v, c in self.own if v.index in literal_index}
        self.couple = couple
        self.feasible = True
        self.programme = build_programme(instance, config, facts, agent) if self.linear else None
        self.relaxed = (
            build_programme(instance, config, facts, agent, relaxed=True)
            if self.linear and self.programme is None
            else None
        )
        self.limits = facts.limits[agent]
        self.weekends = weekend_index(instance)

    def _solve_fixed(self, pattern: Pattern, minimise_own: bool) -> tuple[bool, float]:
        """The agent's own model with every literal fixed to the pattern: whether it keeps every hard rule, and
        the own penalties (when `minimise_own`)."""
        chosen = set(pattern)
        self.model.clear_assumptions()
        self.model.add_assumptions([v if item in chosen else v.Not() for item, v in self.literals])
        if minimise_own:
            self.model.minimize(cp_model.LinearExpr.weighted_sum([v for v, _ in self.own], [c for _, c in self.own]))
        else:
            self.model.clear_objective()
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.max_time_in_seconds = 5.0
        status = solver.solve(self.model)
        self.model.clear_assumptions()
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return False, math.inf
        return True, float(solver.objective_value) if minimise_own else 0.0

    def keeps_rules(self, pattern: Pattern) -> bool:
        """Whether the pattern keeps every hard rule of the agent (its own model with every literal fixed)."""
        return self._solve_fixed(pattern, minimise_own=False)[0]

    def cost(self, pattern: Pattern) -> float:
        """The agent's own penalties for a pattern (weight × minutes, without constants)."""
        if self.linear:
            return float(sum(self.literal_cost.get(item, 0) for item in pattern))
        return self._solve_fixed(pattern, minimise_own=True)[1]

    def _values(self, duals: np.ndarray) -> dict[Item, float]:
        """Each literal's own cost less its coverage rows' duals (what a pattern's items add up to)."""
        return {
            item: self.literal_cost.get(item, 0) - float(duals[self.couple.rows[item]].sum())
            for item, _ in self.literals
        }

    def price(
        self, duals: np.ndarray, time_limit_seconds: float, relaxed_first: bool = False
    ) -> tuple[list[Pattern], float, bool]:
        """Patterns found (best last) and a lower bound on own cost − duals·cover; whether it was proven (the
        dynamic programme when the agent's rules allow it: exact, else CP-SAT, and the relaxed programme when
        CP-SAT finds no pattern in its time, or first when `relaxed_first`)."""
        if self.programme is None:
            if relaxed_first and self.relaxed is not None:
                found, bound, proven = self.price_relaxed(duals)
                if found or not self.feasible:
                    return found, bound, proven
            found, bound, proven = self.price_cp_sat(duals, time_limit_seconds)
            if found or not self.feasible or self.relaxed is None:
                return found, bound, proven
            relaxed_found, relaxed_bound, relaxed_proven = self.price_relaxed(duals)
            return relaxed_found, max(bound, relaxed_bound), proven or relaxed_proven
        try:
            found, best = self.programme.solve(self._values(duals), PROGRAMME_PATTERNS)
        except ArithmeticError:  # no way back through the tables (float noise): the model prices instead
            return self.price_cp_sat(duals, time_limit_seconds)
        if not found:
            self.feasible = False
            return [], -math.inf, False
        return found, best, True

    def price_relaxed(self, duals: np.ndarray) -> tuple[list[Pattern], float, bool]:
        """`price` by the relaxed programme with the weekend and per-shift counts priced in (`relaxed_pricing`):
        patterns that keep every rule, and a valid Lagrangian bound."""
        assert self.relaxed is not None
        limits = self.limits
        try:
            found, bound = relaxed_price(
                self.relaxed,
                self._values(duals),
                limits.max_shifts,
                limits.max_weekends,
                self.weekends,
                PROGRAMME_PATTERNS,
            )
        except ArithmeticError:  # no way back through the tables (float noise)
            return [], -math.inf, False
        if bound == math.inf:
            self.feasible = False
            return [], -math.inf, False
        return found, bound, math.isfinite(bound)

    def price_cp_sat(self, duals: np.ndarray, time_limit_seconds: float) -> tuple[list[Pattern], float, bool]:
        """`price` by the agent's CP-SAT model (any rules; the bound is proven when the status is optimal)."""
        gains = {item: float(duals[self.couple.rows[item]].sum()) for item, _ in self.literals}
        variables = [v for v, _ in self.own] + [v for _, v in self.literals]
        coefs = [DUAL_SCALE * c for _, c in self.own] + [-round(DUAL_SCALE * gains[item]) for item, _ in self.literals]
        self.model.clear_assumptions()
        self.model.minimize(cp_model.LinearExpr.weighted_sum(variables, coefs))
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.max_time_in_seconds = max(0.05, time_limit_seconds)
        solver.parameters.cp_model_probing_level = 0  # measured: ~10 % faster on one agent's model
        solver.parameters.linearization_level = 2
        collector = _Collector(self.literals)
        status = solver.solve(self.model, collector)
        if status == cp_model.INFEASIBLE:
            self.feasible = False
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return [], -math.inf, False
        slack = len(self.literals) * 0.5 / DUAL_SCALE  # rounding of the dual coefficients
        bound = solver.best_objective_bound / DUAL_SCALE - slack
        return collector.patterns, bound, status == cp_model.OPTIMAL


class _Collector(cp_model.CpSolverSolutionCallback):
    """Keeps every solution's pattern (the last one is the best)."""

    def __init__(self, literals: list[tuple[tuple[int, int, int], cp_model.IntVar]]) -> None:
        super().__init__()
        self._literals = literals
        self.patterns: list[Pattern] = []

    def on_solution_callback(self) -> None:
        """Record the pattern of this solution."""
        self.patterns.append(tuple(sorted(item for item, v in self._literals if self.boolean_value(v))))


@dataclass
class PatternPool:
    """Per-agent patterns with their own costs and the coverage rows, plus the Lagrangian bound found so far."""

    instance: Instance
    config: Config
    facts: InstanceFacts
    couple: Coupling
    pricers: list[AgentPricer]
    patterns: list[list[Pattern]] = field(default_factory=list)
    costs: list[list[float]] = field(default_factory=list)
    seen: list[set[Pattern]] = field(default_factory=list)
    bound: float = -math.inf  # without the constant offset
    lp_value: float = math.inf
    iterations: int = 0

    def add(self, agent: int, pattern: Pattern, cost: float | None = None) -> bool:
        """Add a pattern to an agent's pool (False when it was there already or is infeasible)."""
        if pattern in self.seen[agent]:
            return False
        value = self.pricers[agent].cost(pattern) if cost is None else cost
        if not math.isfinite(value):
            return False
        self.seen[agent].add(pattern)
        self.patterns[agent].append(pattern)
        self.costs[agent].append(value)
        return True

    def add_roster(self, chosen: Mapping[Cell, Choice]) -> None:
        """Add each agent's pattern of a complete roster."""
        for a, pattern in enumerate(patterns_of(chosen, len(self.pricers))):
            self.add(a, pattern)


def patterns_of(chosen: Mapping[Cell, Choice], n_agents: int) -> list[Pattern]:
    """Each agent's pattern in a roster."""
    items: list[list[tuple[int, int, int]]] = [[] for _ in range(n_agents)]
    for (a, d), (s, q) in chosen.items():
        items[a].append((d, s, q))
    return [tuple(sorted(x)) for x in items]


def roster_of(patterns: list[Pattern]) -> dict[Cell, Choice]:
    """The roster made of one pattern per agent."""
    return {(a, d): (s, q) for a, pattern in enumerate(patterns) for d, s, q in pattern}


def new_pool(instance: Instance, config: Config, facts: InstanceFacts) -> PatternPool:
    """An empty pool with one pricing model per agent."""
    couple = coupling(instance, config, facts)
    n = len(instance.agents)
    pricers = [AgentPricer(instance, config, facts, a, couple) for a in range(n)]
    return PatternPool(
        instance,
        config,
        facts,
        couple,
        pricers,
        [[] for _ in range(n)],
        [[] for _ in range(n)],
        [set() for _ in range(n)],
    )


def cover_gain(couple: Coupling, pattern: Pattern, duals: np.ndarray) -> float:
    """Σ of the row duals over the coverage rows a pattern adds agents to."""
    return float(sum(duals[couple.rows[item]].sum() for item in pattern))


def seed_pool(
    pool: PatternPool,
    budget_seconds: float,
    most_seconds_per_agent: float | None = None,
    say: Callable[[str], None] | None = None,
) -> list[int]:
    """Give every agent without a pattern its own cheapest one found in a time budget shared by all of them:
    equal slices first, then doubling slices for the agents still without one, up to `most_seconds_per_agent`
    each; returns the agents for whom none was found (proven infeasible or out of slices)."""
    todo = [p for p in pool.pricers if not pool.patterns[p.agent]]
    zero = np.zeros(len(pool.couple.need))
    most = max(SEED_MIN_SLICE_SECONDS, budget_seconds if most_seconds_per_agent is None else most_seconds_per_agent)
    deadline = time.monotonic() + budget_seconds
    slice_seconds = 0.0
    missing: list[int] = []
    with ThreadPoolExecutor(max_workers=PRICING_THREADS) as executor:
        while todo:
            fair = (deadline - time.monotonic()) * PRICING_THREADS / len(todo)
            slice_seconds = min(most, max(SEED_MIN_SLICE_SECONDS, fair, 2 * slice_seconds))
            found_all = list(
                executor.map(
                    AgentPricer.price, todo, [zero] * len(todo), [slice_seconds] * len(todo), [True] * len(todo)
                )
            )
            still = []
            for pricer, (found, _, _) in zip(todo, found_all, strict=True):
                if found:
                    pool.add(pricer.agent, found[-1])
                elif pricer.feasible and slice_seconds < most:
                    still.append(pricer)
                else:
                    missing.append(pricer.agent)
            if say and still:
                say(f"first patterns: {len(todo) - len(still)} of {len(todo)} agents in {slice_seconds:.1f} s slices")
            todo = still
    return sorted(missing)


def granularity(pool: PatternPool) -> int:
    """The gcd of every objective coefficient: objectives differ by multiples of it (1 when not integral)."""
    values = [c for p in pool.pricers for _, c in p.own] + [*pool.couple.under, *pool.couple.over]
    if any(float(v) != int(v) for v in values):
        return 1
    return math.gcd(*(int(v) for v in values)) or 1


def solve_master_lp(
    pool: PatternPool, fixed: Mapping[int, int] | None = None
) -> tuple[float, np.ndarray, np.ndarray, list[tuple[int, int, float]]]:
    """LP master over the pools (agents in `fixed` held to one pattern index): value, cover-row duals,
    convexity duals, and the (agent, pattern index, weight) of every column."""
    couple, n_agents = pool.couple, len(pool.pricers)
    fixed = fixed or {}
    n_rows = len(couple.need)
    cols_rows, cols_cols, vals = [], [], []
    costs, columns = [], []
    col = 0
    for a in range(n_agents):
        for i, (pattern, cost) in enumerate(zip(pool.patterns[a], pool.costs[a], strict=True)):
            if a in fixed and fixed[a] != i:
                continue
            columns.append((a, i))
            cols_rows.append(a)
            cols_cols.append(col)
            vals.append(1.0)
            for item in pattern:
                for r in couple.rows[item]:
                    cols_rows.append(n_agents + int(r))
                    cols_cols.append(col)
                    vals.append(1.0)
            costs.append(cost)
            col += 1
    n_patterns = col
    eye = np.arange(n_rows)
    cols_rows.extend((n_agents + eye).tolist())
    cols_cols.extend((n_patterns + eye).tolist())
    vals.extend([1.0] * n_rows)
    cols_rows.extend((n_agents + eye).tolist())
    cols_cols.extend((n_patterns + n_rows + eye).tolist())
    vals.extend([-1.0] * n_rows)
    a_eq = sparse.csr_matrix((vals, (cols_rows, cols_cols)), shape=(n_agents + n_rows, n_patterns + 2 * n_rows))
    c = np.concatenate([np.array(costs, dtype=float), couple.under, couple.over])
    b = np.concatenate([np.ones(n_agents), couple.need.astype(float)])
    result = linprog(c, A_eq=a_eq, b_eq=b, bounds=(0, None), method="highs")
    if result.status != 0:
        raise RuntimeError(f"master LP failed: {result.message}")
    duals = np.asarray(result.eqlin.marginals)
    weights = result.x[:n_patterns]
    return (
        float(result.fun),
        duals[n_agents:],
        duals[:n_agents],
        [(a, i, float(w)) for (a, i), w in zip(columns, weights, strict=True)],
    )


def column_generation(
    pool: PatternPool,
    deadline: float,
    say: Callable[[str], None] | None = None,
    fixed: Mapping[int, int] | None = None,
    max_iterations: int = 10_000,
) -> list[tuple[int, int, float]]:
    """Price the agents not in `fixed` against the LP duals until no pattern improves (or the deadline, or
    `max_iterations`); updates the Lagrangian bound (only without fixed agents) and returns the last LP columns."""
    fixed = fixed or {}
    free = [p for p in pool.pricers if p.agent not in fixed]
    n_agents = max(1, len(free))
    columns: list[tuple[int, int, float]] = []
    executor = ThreadPoolExecutor(max_workers=PRICING_THREADS)
    try:
        for _ in range(max_iterations):
            pool.iterations += 1
            value, duals, mu, columns = solve_master_lp(pool, fixed)
            if not fixed:
                pool.lp_value = value
            left = deadline - time.monotonic()
            if left <= 0 or not free:
                break
            limit = min(2.0, max(0.05, left / n_agents * PRICING_THREADS))
            results = list(executor.map(AgentPricer.price, free, [duals] * len(free), [limit] * len(free)))
            added, proven, total = 0, not fixed, value
            for pricer, (found, best, exact) in zip(free, results, strict=True):
                a = pricer.agent
                proven &= exact
                total += min(0.0, best - mu[a])
                for pattern in found:
                    cost = pool.pricers[a].cost(pattern)
                    reduced = cost - cover_gain(pool.couple, pattern, duals) - mu[a]
                    if reduced < -1e-6 and pool.add(a, pattern, cost):
                        added += 1
            if proven:
                pool.bound = max(pool.bound, total)
            if say:
                say(
                    f"column generation {pool.iterations} ({len(fixed)} agents fixed): LP {value / 60:.1f}, "
                    f"Lagrangian bound {pool.bound / 60:.1f}, {added} patterns added"
                )
            if added == 0 or time.monotonic() >= deadline:
                break
    finally:
        executor.shutdown(wait=True)
    return columns


def dive(
    pool: PatternPool, deadline: float, say: Callable[[str], None] | None = None, share: float = 0.2
) -> dict[int, int]:
    """Column-generation diving: fix the agents whose LP pattern weight is largest (all ≥ 0.99, else a share of
    the rest), re-price the others, and repeat until every agent has a pattern or the deadline (pattern index
    per fixed agent; the integer master completes the rest)."""
    fixed: dict[int, int] = {}
    n_agents = len(pool.pricers)
    while len(fixed) < n_agents:
        columns = solve_master_lp(pool, fixed)[3]
        best: dict[int, tuple[float, int]] = {}
        for a, i, w in columns:
            if a not in fixed and w > best.get(a, (-1.0, -1))[0]:
                best[a] = (w, i)
        ranked = sorted(best.items(), key=lambda item: -item[1][0])
        if time.monotonic() >= deadline:
            break
        count = max(1, sum(1 for _, (w, _) in ranked if w >= 0.99), math.ceil(share * len(ranked)))
        for a, (_, i) in ranked[:count]:
            fixed[a] = i
        if len(fixed) < n_agents:
            column_generation(pool, deadline, say, fixed, max_iterations=3)
    return fixed


def solve_master_ip(
    pool: PatternPool,
    incumbent: list[Pattern] | None,
    time_limit_seconds: float,
    seed: int = 0,
    fixed: Mapping[int, int] | None = None,
) -> tuple[list[Pattern] | None, float]:
    """One pattern per agent (the given index for agents in `fixed`) minimising own costs plus coverage (CP-SAT),
    hinted with the incumbent."""
    couple = pool.couple
    fixed = fixed or {}
    model = cp_model.CpModel()
    picks: list[list[cp_model.IntVar]] = []
    by_row: dict[int, list[cp_model.IntVar]] = {}
    objective_vars, objective_coefs = [], []
    for a, patterns in enumerate(pool.patterns):
        lits = [model.new_bool_var(f"p_a{a}_{i}") for i in range(len(patterns))]
        model.add_exactly_one(lits)
        if a in fixed:
            model.add(lits[fixed[a]] == 1)
        picks.append(lits)
        for lit, pattern, cost in zip(lits, patterns, pool.costs[a], strict=True):
            if cost:
                objective_vars.append(lit)
                objective_coefs.append(round(cost))
            for item in pattern:
                for r in couple.rows[item]:
                    by_row.setdefault(int(r), []).append(lit)
            if incumbent is not None:
                model.add_hint(lit, pattern == incumbent[a])
    constant = 0.0
    for r in range(len(couple.need)):
        need, lits = int(couple.need[r]), by_row.get(r, [])
        if not lits:
            constant += couple.under[r] * max(0, need) + couple.over[r] * max(0, -need)
            continue
        short = model.new_int_var(0, max(0, need), f"short_{r}")
        extra = model.new_int_var(0, len(lits), f"extra_{r}")
        model.add(sum(lits) + short - extra == need)
        objective_vars.extend([short, extra])
        objective_coefs.extend([round(couple.under[r]), round(couple.over[r])])
    model.minimize(cp_model.LinearExpr.weighted_sum(objective_vars, objective_coefs))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 2
    solver.parameters.max_time_in_seconds = max(0.1, time_limit_seconds)
    solver.parameters.random_seed = seed
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, math.inf
    chosen = []
    for a, lits in enumerate(picks):
        chosen.append(next(p for lit, p in zip(lits, pool.patterns[a], strict=True) if solver.boolean_value(lit)))
    return chosen, solver.objective_value + constant


def pool_objective(pool: PatternPool, patterns: list[Pattern]) -> float:
    """Own costs plus coverage of one pattern per agent (without the constant offset)."""
    own = sum(pool.pricers[a].cost(p) for a, p in enumerate(patterns))
    return own + pool.couple.cost(pool.couple.counts(patterns))
