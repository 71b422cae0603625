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
from wfm.roster.model import build_model
from wfm.roster.options import InstanceFacts
from wfm.roster.rules import RULES, late_fairness, over_coverage, under_coverage, weekend_fairness
from wfm.roster.variables import Cell, Choice

Pattern = tuple[tuple[int, int, int], ...]  # sorted (day, shift, queue) of one agent's working days
DUAL_SCALE = 8  # pricing objective resolution: 1/8 of a weight × minute
PRICING_THREADS = 2


def applies(instance: Instance, config: Config) -> bool:
    """Whether the objective splits into per-agent penalties plus coverage (no fairness spread)."""
    return config.weights.weekend_fairness == 0 and config.weights.late_fairness == 0


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
        own_rules = [r for r in RULES if r not in (under_coverage, over_coverage, weekend_fairness, late_fairness)]
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

    def cost(self, pattern: Pattern) -> float:
        """The agent's own penalties for a pattern (weight × minutes, without constants)."""
        if self.linear:
            return float(sum(self.literal_cost.get(item, 0) for item in pattern))
        chosen = set(pattern)
        self.model.clear_assumptions()
        self.model.add_assumptions([v if item in chosen else v.Not() for item, v in self.literals])
        self.model.minimize(cp_model.LinearExpr.weighted_sum([v for v, _ in self.own], [c for _, c in self.own]))
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.max_time_in_seconds = 5.0
        status = solver.solve(self.model)
        self.model.clear_assumptions()
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return math.inf
        return float(solver.objective_value)

    def price(self, duals: np.ndarray, time_limit_seconds: float) -> tuple[list[Pattern], float, bool]:
        """Patterns found (best last) and a lower bound on own cost − duals·cover; whether it was proven."""
        gains = {item: float(duals[self.couple.rows[item]].sum()) for item, _ in self.literals}
        variables = [v for v, _ in self.own] + [v for _, v in self.literals]
        coefs = [DUAL_SCALE * c for _, c in self.own] + [-round(DUAL_SCALE * gains[item]) for item, _ in self.literals]
        self.model.clear_assumptions()
        self.model.minimize(cp_model.LinearExpr.weighted_sum(variables, coefs))
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.max_time_in_seconds = max(0.05, time_limit_seconds)
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
        instance, config, facts, couple, pricers, [[] for _ in range(n)], [[] for _ in range(n)], [set() for _ in range(n)]
    )


def cover_gain(couple: Coupling, pattern: Pattern, duals: np.ndarray) -> float:
    """Σ of the row duals over the coverage rows a pattern adds agents to."""
    return float(sum(duals[couple.rows[item]].sum() for item in pattern))


def solve_master_lp(pool: PatternPool) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
    """LP master over the pools: value, cover-row duals, convexity duals, and pattern weights."""
    couple, n_agents = pool.couple, len(pool.pricers)
    n_rows = len(couple.need)
    cols_rows, cols_cols, vals = [], [], []
    costs = []
    col = 0
    for a in range(n_agents):
        for pattern, cost in zip(pool.patterns[a], pool.costs[a], strict=True):
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
    return float(result.fun), duals[n_agents:], duals[:n_agents], np.asarray(result.x[:n_patterns])


def column_generation(pool: PatternPool, deadline: float, say: Callable[[str], None] | None = None) -> None:
    """Price agents against the LP duals until no pattern improves (or the deadline); updates the bound."""
    n_agents = len(pool.pricers)
    executor = ThreadPoolExecutor(max_workers=PRICING_THREADS)
    try:
        empty = [p for p in pool.pricers if not pool.patterns[p.agent]]
        zero = np.zeros(len(pool.couple.need))
        for pricer, (found, _, _) in zip(empty, executor.map(lambda p: p.price(zero, 5.0), empty), strict=True):
            if not found:
                raise RuntimeError(f"agent {pricer.agent}: no pattern meets the hard rules")
            pool.add(pricer.agent, found[-1])
        while time.monotonic() < deadline:
            pool.iterations += 1
            value, duals, mu, _ = solve_master_lp(pool)
            pool.lp_value = value
            left = deadline - time.monotonic()
            if left <= 0:
                break
            limit = min(2.0, max(0.05, left / max(1, n_agents) * PRICING_THREADS))
            results = list(executor.map(lambda p: p.price(duals, limit), pool.pricers))
            added, proven, total = 0, True, value
            for a, (found, best, exact) in enumerate(results):
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
                    f"column generation {pool.iterations}: LP {value / 60:.1f}, Lagrangian bound "
                    f"{pool.bound / 60:.1f}, {added} patterns added"
                )
            if added == 0:
                break
    finally:
        executor.shutdown(wait=True)


def solve_master_ip(
    pool: PatternPool, incumbent: list[Pattern] | None, time_limit_seconds: float, seed: int = 0
) -> tuple[list[Pattern] | None, float]:
    """One pattern per agent minimising own costs plus coverage (CP-SAT), hinted with the incumbent."""
    couple = pool.couple
    model = cp_model.CpModel()
    picks: list[list[cp_model.IntVar]] = []
    by_row: dict[int, list[cp_model.IntVar]] = {}
    objective_vars, objective_coefs = [], []
    for a, patterns in enumerate(pool.patterns):
        lits = [model.new_bool_var(f"p_a{a}_{i}") for i in range(len(patterns))]
        model.add_exactly_one(lits)
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
