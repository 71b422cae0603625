"""Solving parts of the roster: one sub-model with the rest fixed, greedy construction by batches, and LNS."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from ortools.sat.python import cp_model

from wfm.roster.diagnose import diagnose, raise_if_any
from wfm.roster.domain import Config, Instance
from wfm.roster.greedy import greedy_roster
from wfm.roster.model import build_model, read_choices
from wfm.roster.options import InstanceFacts
from wfm.roster.variables import Cell, Choice

Progress = Callable[[str], None]
WORKERS = 2


@dataclass(frozen=True)
class SubResult:
    """Outcome of one sub-model: status name, full-roster choices, objective and bound (weight × minutes)."""

    status: str
    chosen: dict[Cell, Choice] | None
    objective: float
    bound: float


class _Reporter(cp_model.CpSolverSolutionCallback):
    """Prints objective, bound and elapsed time at each improving solution."""

    def __init__(self, progress: Progress, started: float, label: str) -> None:
        super().__init__()
        self._progress, self._started, self._label = progress, started, label

    def on_solution_callback(self) -> None:
        """One progress line per solution."""
        self._progress(
            f"{self._label}: objective {self.objective_value / 60:.1f}, bound {self.best_objective_bound / 60:.1f}, "
            f"elapsed {time.monotonic() - self._started:.1f} s"
        )


def solve_cells(
    instance: Instance,
    config: Config,
    facts: InstanceFacts,
    free: Iterable[Cell],
    incumbent: Mapping[Cell, Choice],
    time_limit_seconds: float,
    *,
    seed: int = 0,
    progress: Progress | None = None,
    started: float | None = None,
    deadline: float | None = None,
) -> SubResult:
    """Re-solve the `free` cells with every other cell fixed to the incumbent, which also serves as the hint
    (UNKNOWN without solving when building the model used up the time to `deadline`, on the monotonic clock)."""
    free = list(free)
    free_set = set(free)
    fixed = {cell: choice for cell, choice in incumbent.items() if cell not in free_set}
    built = build_model(instance, config, facts, free, fixed, hint=incumbent)
    if deadline is not None:
        time_limit_seconds = min(time_limit_seconds, deadline - time.monotonic())
        if time_limit_seconds <= 0.05:
            return SubResult("UNKNOWN", None, float("inf"), float("-inf"))
    if any(cell in incumbent for cell in free_set):
        complete_hint(built.model, max(0.05, time_limit_seconds / 4))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = WORKERS
    solver.parameters.max_time_in_seconds = max(0.05, time_limit_seconds)
    solver.parameters.random_seed = seed
    callback = _Reporter(progress, started or time.monotonic(), "full model") if progress else None
    status = solver.solve(built.model, callback)
    name = solver.status_name(status)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return SubResult(name, None, float("inf"), float(solver.best_objective_bound))
    return SubResult(name, read_choices(solver, built.vars), solver.objective_value, solver.best_objective_bound)


def complete_hint(model: cp_model.CpModel, time_limit_seconds: float) -> None:
    """Extend a hint on the shift literals to every variable (CP-SAT starts from a complete hint far more often)."""
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = WORKERS
    solver.parameters.max_time_in_seconds = time_limit_seconds
    solver.parameters.fix_variables_to_their_hinted_value = True
    if solver.solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return
    model.clear_hints()
    for i in range(len(model.proto.variables)):
        var = model.get_int_var_from_proto_index(i)
        model.add_hint(var, solver.value(var))


def agent_order(instance: Instance, seed: int) -> list[int]:
    """Agents in the order of construction: fewest skills first, ties in a seeded random order."""
    order = list(range(len(instance.agents)))
    random.Random(seed).shuffle(order)
    order.sort(key=lambda a: len(instance.agents[a].skills))
    return order


def construct(
    instance: Instance,
    config: Config,
    facts: InstanceFacts,
    *,
    seed: int = 0,
    progress: Progress | None = None,
) -> dict[Cell, Choice]:
    """A first roster: greedy agent by agent (fewest skills first); CP-SAT for agents the greedy left short."""
    chosen, short = greedy_roster(instance, config, facts, agent_order(instance, seed))
    if progress:
        progress(f"construction: greedy roster, {len(short)} agents below their weekly minimum")
    for a in short:
        cells = [(a, d) for d in range(instance.days)]
        result = solve_cells(instance, config, facts, cells, chosen, 5.0, seed=seed)
        if result.chosen is None:
            problems = diagnose(instance, config, facts, [a])
            raise_if_any(problems or [f"agent {instance.agents[a].agent_id}: no roster found ({result.status})"])
        assert result.chosen is not None
        chosen = result.chosen
    return chosen


def _literals(facts: InstanceFacts, agent: int, days: int) -> int:
    """Number of decision literals of one agent."""
    return sum(len(facts.options[(agent, d)]) for d in range(days))


def neighbourhood(
    instance: Instance, facts: InstanceFacts, rng: random.Random, n_agents: int
) -> tuple[str, list[Cell]]:
    """Cells to free: all days of agents sharing a random queue, or more agents over a window of days."""
    queue = rng.randrange(len(instance.queues))
    sharing = [a for a, agent in enumerate(instance.agents) if instance.queues[queue] in agent.skills]
    pool = sharing if len(sharing) >= n_agents else list(range(len(instance.agents)))
    if rng.random() < 0.6 or instance.days <= 7:
        agents = rng.sample(pool, min(n_agents, len(pool)))
        return "agents", [(a, d) for a in agents for d in range(instance.days)]
    span = 7
    first = rng.randrange(0, instance.days - span + 1)
    agents = rng.sample(pool, min(len(pool), n_agents * instance.days // span))
    return "agents×days", [(a, d) for a in agents for d in range(first, first + span)]


def large_neighbourhood_search(
    instance: Instance,
    config: Config,
    facts: InstanceFacts,
    incumbent: dict[Cell, Choice],
    objective: float,
    deadline: float,
    *,
    batch_literals: int,
    seed: int = 0,
    bound: float = 0.0,
    progress: Progress | None = None,
    started: float | None = None,
) -> tuple[dict[Cell, Choice], float, int]:
    """Free some agents (or agents × days), re-solve with the rest fixed and the incumbent as hint, keep if better."""
    rng = random.Random(seed)
    per_agent = max(
        1, sum(_literals(facts, a, instance.days) for a in range(len(instance.agents))) // max(1, len(instance.agents))
    )
    n_agents = max(2, min(len(instance.agents), batch_literals // per_agent))
    started = started or time.monotonic()
    iterations = 0
    while time.monotonic() < deadline - 0.3 and objective > bound:
        iterations += 1
        kind, cells = neighbourhood(instance, facts, rng, n_agents)
        limit = min(deadline - time.monotonic(), 3.0)
        result = solve_cells(instance, config, facts, cells, incumbent, limit, seed=rng.randrange(1 << 30))
        if result.chosen is not None and result.objective <= objective:
            improved = result.objective < objective - 1e-6
            incumbent, objective = result.chosen, result.objective
            if improved and progress:
                gap = (objective - bound) / objective if objective > 0 else 0.0
                progress(
                    f"lns {iterations} ({kind}, {n_agents} agents): objective {objective / 60:.1f}, "
                    f"bound {bound / 60:.1f}, gap {gap:.1%}, elapsed {time.monotonic() - started:.1f} s"
                )
        if result.status == "OPTIMAL" and n_agents < len(instance.agents):
            n_agents = min(len(instance.agents), n_agents + 1)
        elif result.status != "OPTIMAL" and n_agents > 2:
            n_agents -= 1
    return incumbent, objective, iterations
