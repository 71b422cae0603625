"""The roster driver: pre-checks, aggregate bound, then one full model (small) or construction + LNS (large)."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from wfm.roster.aggregate import solve_aggregate
from wfm.roster.diagnose import precheck, raise_if_any
from wfm.roster.domain import Config, Instance, RosterSolution, SolveStats
from wfm.roster.greedy import improve_by_best_response
from wfm.roster.model import evaluate, scheduled_agents, to_assignments
from wfm.roster.options import InstanceFacts, instance_facts
from wfm.roster.search import Progress, construct, large_neighbourhood_search, solve_cells
from wfm.roster.variables import Cell, Choice


@dataclass(frozen=True)
class SolveSettings:
    """Search settings: total time, largest instance solved as one model, LNS neighbourhood size, random seed."""

    time_limit_seconds: float = 60.0
    full_model_literals: int = 12_000
    batch_literals: int = 3_000
    seed: int = 0


def solve_roster(
    instance: Instance, config: Config, settings: SolveSettings = SolveSettings(), progress: Progress | None = None
) -> RosterSolution:
    """Solve within the time limit; raise RosterInfeasible naming agents and rules when hard rules conflict."""
    started = time.monotonic()
    deadline = started + settings.time_limit_seconds
    facts = instance_facts(instance, config)
    raise_if_any(precheck(instance, config, facts))
    say = progress or (lambda _: None)
    total_literals = sum(len(v) for v in facts.options.values())
    say(
        f"model: {len(instance.agents)} agents, {instance.days} days, {len(instance.shifts)} shifts, "
        f"{len(instance.queues)} queues, {total_literals} shift literals"
    )
    aggregate = solve_aggregate(instance, config, facts)
    bound = max(0.0, aggregate.bound)
    say(f"aggregate bound: {bound / 60:.1f} ({aggregate.status}), elapsed {time.monotonic() - started:.1f} s")
    chosen = construct(instance, config, facts, seed=settings.seed, progress=say)
    say(
        f"construction: objective {_objective(instance, config, facts, chosen) / 60:.1f}, "
        f"elapsed {time.monotonic() - started:.1f} s"
    )
    chosen, moves = improve_by_best_response(
        instance, config, facts, chosen, deadline - 1.0, np.random.default_rng(settings.seed)
    )
    objective = _objective(instance, config, facts, chosen)
    say(
        f"best response ({moves} agents re-planned): objective {objective / 60:.1f}, bound {bound / 60:.1f}, "
        f"elapsed {time.monotonic() - started:.1f} s"
    )
    if total_literals <= settings.full_model_literals:
        result = solve_cells(
            instance,
            config,
            facts,
            list(facts.options),
            chosen,
            deadline - time.monotonic(),
            seed=settings.seed,
            progress=say,
            started=started,
        )
        if result.chosen is not None and result.objective <= objective:
            chosen, objective = result.chosen, result.objective
        bound = max(bound, result.bound)
        status = "OPTIMAL" if result.status == "OPTIMAL" else "FEASIBLE"
        phases = ("aggregate bound", "greedy", "best response", "full model")
    else:
        chosen, objective, iterations = large_neighbourhood_search(
            instance,
            config,
            facts,
            chosen,
            objective,
            deadline,
            batch_literals=settings.batch_literals,
            seed=settings.seed,
            bound=bound,
            progress=say,
            started=started,
        )
        status = "OPTIMAL" if objective <= bound + 1e-6 else "FEASIBLE"
        phases = ("aggregate bound", "greedy", "best response", f"lns ({iterations} neighbourhoods)")
    lines = tuple(evaluate(instance, config, facts, chosen))
    stats = SolveStats(
        status=status,
        objective=objective / 60,
        lower_bound=bound / 60,
        gap=(objective - bound) / objective if objective > 0 else 0.0,
        elapsed_seconds=time.monotonic() - started,
        phases=phases,
    )
    return RosterSolution(to_assignments(chosen), lines, scheduled_agents(instance, facts, chosen), stats)


def _objective(instance: Instance, config: Config, facts: InstanceFacts, chosen: dict[Cell, Choice]) -> float:
    """Objective (weight × minutes) of a complete roster."""
    return math.fsum(line.penalty * 60 for line in evaluate(instance, config, facts, chosen))
