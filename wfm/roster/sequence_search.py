"""Search for instances with rules outside the dynamic programme (minimum runs, weekend limits, horizon totals,
shift-form demand, requests, fairness): CP-SAT on the full model or by agent batches, then LNS with hinted sub-models.
"""

from __future__ import annotations

import math
import time

from wfm.roster.aggregate import solve_aggregate
from wfm.roster.diagnose import diagnose, raise_if_any
from wfm.roster.domain import Config, Instance, RosterSolution, SolveStats
from wfm.roster.model import evaluate, scheduled_agents, to_assignments
from wfm.roster.options import InstanceFacts
from wfm.roster.search import Progress, agent_order, large_neighbourhood_search, solve_cells
from wfm.roster.variables import Cell, Choice


def solve_by_cp_sat(
    instance: Instance,
    config: Config,
    facts: InstanceFacts,
    time_limit_seconds: float,
    batch_literals: int,
    full_model_literals: int,
    seed: int,
    started: float,
    say: Progress,
) -> RosterSolution:
    """For rules outside the dynamic programme (minimum runs, weekends, horizon totals, shift-form demand,
    requests, fairness): the full model for a third of the time (or construction by agent batches when large),
    large-neighbourhood search with hinted sub-models, then the hinted full model again to close the bound."""
    deadline = started + time_limit_seconds
    finish = deadline - min(0.25 * time_limit_seconds, 0.2 + 0.004 * len(instance.agents))
    total_literals = sum(len(v) for v in facts.options.values())
    small = total_literals <= 2 * full_model_literals
    bound = 0.0
    if instance.shift_demand is None:
        bound = max(0.0, solve_aggregate(instance, config, facts, 0.2 * time_limit_seconds).bound)
    if small:
        first = solve_cells(
            instance,
            config,
            facts,
            list(facts.options),
            {},
            0.3 * (finish - time.monotonic()),
            seed=seed,
            progress=say,
            started=started,
        )
        if first.chosen is None:
            problems = diagnose(instance, config, facts, range(len(instance.agents)))
            raise_if_any(problems or [f"no roster found within the time limit ({first.status})"])
        assert first.chosen is not None
        chosen, objective, bound = first.chosen, first.objective, max(bound, first.bound)
        if first.status == "OPTIMAL":
            return _finish(instance, config, facts, chosen, bound, started, ("full model",))
    else:
        chosen = construct_by_batches(
            instance,
            config,
            facts,
            agent_order(instance, seed),
            batch_literals,
            finish,
            seed=seed,
        )
        objective = math.fsum(line.penalty * 60 for line in evaluate(instance, config, facts, chosen))
        say(
            f"construction by agent batches: objective {objective / 60:.1f}, elapsed {time.monotonic() - started:.1f} s"
        )
    lns_end = finish - (0.25 * (finish - time.monotonic()) if small else 0.0)
    chosen, objective, iterations = large_neighbourhood_search(
        instance,
        config,
        facts,
        chosen,
        objective,
        lns_end,
        batch_literals=batch_literals,
        seed=seed,
        bound=bound,
        progress=say,
        started=started,
    )
    phases = ("full model" if small else "construction by batches", f"lns ({iterations} neighbourhoods)")
    if small and objective > bound + 1e-6 and finish - time.monotonic() > 0.5:
        last = solve_cells(
            instance,
            config,
            facts,
            list(facts.options),
            chosen,
            finish - time.monotonic(),
            seed=seed + 1,
            progress=say,
            started=started,
        )
        bound = max(bound, last.bound)
        if last.chosen is not None and last.objective <= objective:
            chosen, objective = last.chosen, last.objective
        phases = (*phases, "hinted full model")
    return _finish(instance, config, facts, chosen, bound, started, phases)


def construct_by_batches(
    instance: Instance,
    config: Config,
    facts: InstanceFacts,
    order: list[int],
    batch_literals: int,
    deadline: float,
    *,
    seed: int = 0,
) -> dict[Cell, Choice]:
    """A first roster by CP-SAT on batches of agents (the earlier batches fixed, later ones still off)."""
    chosen: dict[Cell, Choice] = {}
    batches: list[list[int]] = [[]]
    for a in order:
        literals = sum(len(facts.options[(b, d)]) for b in [*batches[-1], a] for d in range(instance.days))
        if batches[-1] and literals > batch_literals:
            batches.append([])
        batches[-1].append(a)
    for i, batch in enumerate(batches):
        share = max(1.0, 0.5 * (deadline - time.monotonic()) / (len(batches) - i))
        cells = [(a, d) for a in batch for d in range(instance.days)]
        result = solve_cells(instance, config, facts, cells, chosen, share, seed=seed)
        if result.chosen is None:
            problems = diagnose(instance, config, facts, batch)
            raise_if_any(problems or [f"no roster found for agents {batch} ({result.status})"])
        assert result.chosen is not None
        chosen = result.chosen
    return chosen


def _finish(
    instance: Instance,
    config: Config,
    facts: InstanceFacts,
    chosen: dict[Cell, Choice],
    bound: float,
    started: float,
    phases: tuple[str, ...],
) -> RosterSolution:
    """The solution with its penalty report, coverage and statistics."""
    lines = tuple(evaluate(instance, config, facts, chosen))
    objective = math.fsum(line.penalty * 60 for line in lines)
    stats = SolveStats(
        status="OPTIMAL" if objective <= bound + 1e-6 else "FEASIBLE",
        objective=objective / 60,
        lower_bound=bound / 60,
        gap=(objective - bound) / objective if objective > 0 else 0.0,
        elapsed_seconds=time.monotonic() - started,
        phases=phases,
    )
    return RosterSolution(to_assignments(chosen), lines, scheduled_agents(instance, facts, chosen), stats)
