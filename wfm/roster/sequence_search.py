"""Search for instances with rules outside the dynamic programme (minimum runs, weekend limits, horizon totals,
shift-form demand, requests, fairness): CP-SAT on the full model or by agent batches, then LNS with hinted sub-models.
"""

from __future__ import annotations

import math
import random
import time

from wfm.roster import patterns
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
    """For rules outside the dynamic programme: column generation and diving when the objective splits into
    per-agent penalties plus coverage (`solve_by_patterns`), else the full model / batches and LNS."""
    if patterns.applies(instance, config):
        return solve_by_patterns(instance, config, facts, time_limit_seconds, full_model_literals, seed, started, say)
    return _solve_by_full_model(
        instance, config, facts, time_limit_seconds, batch_literals, full_model_literals, seed, started, say
    )


def solve_by_patterns(
    instance: Instance,
    config: Config,
    facts: InstanceFacts,
    time_limit_seconds: float,
    full_model_literals: int,
    seed: int,
    started: float,
    say: Progress,
) -> RosterSolution:
    """Small models: the full model first (done when proven optimal). Then column generation over per-agent
    patterns (LP bound), diving to a roster, the integer master over the pools, and LNS on the full model
    (k agents × all days, adaptive k) with the integer master re-solved on the grown pools between rounds."""
    deadline = started + time_limit_seconds
    finish = deadline - min(0.25 * time_limit_seconds, 0.2 + 0.004 * len(instance.agents))
    span = finish - started
    total_literals = sum(len(v) for v in facts.options.values())
    small = total_literals <= full_model_literals
    chosen: dict[Cell, Choice] | None = None
    bound = 0.0
    phases: list[str] = []
    if small:
        first = solve_cells(
            instance,
            config,
            facts,
            list(facts.options),
            {},
            min(0.1 * span, 1.0),
            seed=seed,
            progress=say,
            started=started,
        )
        phases.append("full model")
        bound = max(bound, first.bound)
        if first.chosen is not None:
            chosen = first.chosen
            if first.status == "OPTIMAL":
                return finished_solution(instance, config, facts, chosen, bound, started, tuple(phases))
    pool = patterns.new_pool(instance, config, facts)
    missing = patterns.seed_pool(pool, max(1.0, 0.1 * span), say=_timed(say, started))
    if missing:
        problems = diagnose(instance, config, facts, missing)
        raise_if_any(problems or [f"no roster found for agents {missing} within the time limit"])
    if chosen is not None:
        pool.add_roster(chosen)
    patterns.column_generation(pool, started + 0.45 * span, say=_timed(say, started))
    fixed = patterns.dive(pool, started + 0.65 * span, say=_timed(say, started))
    if len(fixed) == len(instance.agents):
        dived = [pool.patterns[a][fixed[a]] for a in range(len(instance.agents))]
    else:
        hint = patterns.patterns_of(chosen, len(instance.agents)) if chosen is not None else None
        limit = max(1.0, 0.05 * span)
        dived, _ = patterns.solve_master_ip(pool, hint, limit, seed=seed, fixed=fixed)
        if dived is None:  # only without a roster from the full model: keep the heaviest patterns
            best = patterns.solve_master_lp(pool, fixed)[3]
            heaviest = {a: max((w, i) for b, i, w in best if b == a)[1] for a in range(len(instance.agents))}
            dived = [pool.patterns[a][heaviest[a]] for a in range(len(instance.agents))]
    phases.extend([f"column generation ({pool.iterations} LP solves)", "diving"])
    chosen, objective = _better(instance, config, facts, chosen, patterns.roster_of(dived))
    offset = objective - patterns.pool_objective(pool, patterns.patterns_of(chosen, len(instance.agents)))
    step = patterns.granularity(pool)
    if math.isfinite(pool.bound):
        bound = max(bound, offset + math.ceil((pool.bound - 1e-6) / step) * step)
    say(f"diving: objective {objective / 60:.1f}, bound {bound / 60:.1f}, elapsed {time.monotonic() - started:.1f} s")
    chosen, objective, rounds = _improve(
        instance, config, facts, pool, chosen, objective, bound, finish, seed=seed, started=started, say=say
    )
    phases.append(f"integer master and lns ({rounds} neighbourhoods)")
    return finished_solution(instance, config, facts, chosen, bound, started, tuple(phases))


def _timed(say: Progress, started: float) -> Progress:
    """A progress function that appends the elapsed time."""
    return lambda line: say(f"{line}, elapsed {time.monotonic() - started:.1f} s")


def _better(
    instance: Instance,
    config: Config,
    facts: InstanceFacts,
    current: dict[Cell, Choice] | None,
    candidate: dict[Cell, Choice],
) -> tuple[dict[Cell, Choice], float]:
    """The better of two rosters by the real objective (the candidate when there is no current one)."""
    value = _objective(instance, config, facts, candidate)
    if current is not None:
        mine = _objective(instance, config, facts, current)
        if mine < value:
            return current, mine
    return candidate, value


def _objective(instance: Instance, config: Config, facts: InstanceFacts, chosen: dict[Cell, Choice]) -> float:
    """The objective (weight × minutes) of a complete roster."""
    return math.fsum(line.penalty * 60 for line in evaluate(instance, config, facts, chosen))


def _improve(
    instance: Instance,
    config: Config,
    facts: InstanceFacts,
    pool: patterns.PatternPool,
    chosen: dict[Cell, Choice],
    objective: float,
    bound: float,
    finish: float,
    *,
    seed: int,
    started: float,
    say: Progress,
) -> tuple[dict[Cell, Choice], float, int]:
    """Alternate the integer master over the pools (hinted with the incumbent) and LNS rounds on the full model."""
    rng = random.Random(seed)
    n_agents = len(instance.agents)
    k = min(n_agents, 3)
    rounds = 0
    master_every = 15.0
    next_master = time.monotonic()
    while time.monotonic() < finish - 0.2 and objective > bound + 1e-6:
        if time.monotonic() >= next_master:
            current = patterns.patterns_of(chosen, n_agents)
            pool.add_roster(chosen)
            limit = min(finish - time.monotonic(), max(1.0, 0.05 * (finish - started)))
            picked, _ = patterns.solve_master_ip(pool, current, limit, seed=rng.randrange(1 << 30))
            if picked is not None:
                chosen, value = _better(instance, config, facts, chosen, patterns.roster_of(picked))
                if value < objective - 1e-6:
                    say(f"integer master: objective {value / 60:.1f}, elapsed {time.monotonic() - started:.1f} s")
                objective = value
            next_master = time.monotonic() + master_every
            continue
        rounds += 1
        agents = rng.sample(range(n_agents), k)
        cells = [(a, d) for a in agents for d in range(instance.days)]
        limit = min(finish - time.monotonic(), 1.0)
        result = solve_cells(instance, config, facts, cells, chosen, limit, seed=rng.randrange(1 << 30))
        if result.chosen is not None and result.objective < objective - 1e-6:
            chosen, objective = result.chosen, result.objective
            say(
                f"lns {rounds} ({k} agents): objective {objective / 60:.1f}, elapsed {time.monotonic() - started:.1f} s"
            )
        if result.status == "OPTIMAL":
            k = min(n_agents, k + 1)
        elif k > 2:
            k -= 1
    return chosen, objective, rounds


def _solve_by_full_model(
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
    """The full model for a third of the time (or construction by agent batches when large), large-neighbourhood
    search with hinted sub-models, then the hinted full model again to close the bound."""
    deadline = started + time_limit_seconds
    finish = deadline - min(0.25 * time_limit_seconds, 0.2 + 0.004 * len(instance.agents))
    total_literals = sum(len(v) for v in facts.options.values())
    small = total_literals <= 2 * full_model_literals
    bound = 0.0
    if instance.shift_demand is None:
        bound = max(0.0, solve_aggregate(instance, config, facts, 0.2 * time_limit_seconds, weekly_patterns=True).bound)
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
            return finished_solution(instance, config, facts, chosen, bound, started, ("full model",))
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
    return finished_solution(instance, config, facts, chosen, bound, started, phases)


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


def finished_solution(
    instance: Instance,
    config: Config,
    facts: InstanceFacts,
    chosen: dict[Cell, Choice],
    bound: float,
    started: float,
    phases: tuple[str, ...],
    *,
    proven: bool = False,
) -> RosterSolution:
    """The solution with its penalty report, coverage and statistics (OPTIMAL when proven or at the bound)."""
    lines = tuple(evaluate(instance, config, facts, chosen))
    objective = math.fsum(line.penalty * 60 for line in lines)
    stats = SolveStats(
        status="OPTIMAL" if proven or objective <= bound + 1e-6 else "FEASIBLE",
        objective=objective / 60,
        lower_bound=bound / 60,
        gap=(objective - bound) / objective if objective > 0 else 0.0,
        elapsed_seconds=time.monotonic() - started,
        phases=phases,
    )
    return RosterSolution(to_assignments(chosen), lines, scheduled_agents(instance, facts, chosen), stats)
