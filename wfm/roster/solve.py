"""The roster driver: pre-checks, aggregate bound, then one full model (small) or construction + LNS (large)."""

from __future__ import annotations

import math
import time
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field, replace

import numpy as np

from wfm.roster.aggregate import NOT_SOLVED, AggregateResult, solve_aggregate
from wfm.roster.best_response import (
    ResponseContext,
    add_plan,
    coverage_cost,
    improve_by_exact_response,
    programme_models_all_rules,
    response_context,
)
from wfm.roster.deferred_search import DeferredWork, deferred_pricing
from wfm.roster.diagnose import precheck, raise_if_any
from wfm.roster.domain import Config, Instance, RosterSolution
from wfm.roster.fair_share import fairness_weighted
from wfm.roster.fairness import even_out, swap_weeks
from wfm.roster.greedy import improve_by_best_response
from wfm.roster.local_search import construct_by_deadline, iterated_local_search
from wfm.roster.model import evaluate
from wfm.roster.options import InstanceFacts, instance_facts
from wfm.roster.portfolio import search_pair
from wfm.roster.search import Progress, agent_order, construct, large_neighbourhood_search, solve_cells
from wfm.roster.sequence_search import finished_solution, solve_by_cp_sat
from wfm.roster.variables import Cell, Choice

FAIRNESS_SHARE = 0.3  # of the search time, for re-solving the most and least loaded agents together
BUILD_PER_EVALUATION = 4.0  # building a fairness sub-model / evaluating the roster (measured: 2.2 s / 0.6 s)
CONSTRUCTION_SHARE = 0.6  # of the time before the reserve: after it, agents behind schedule get greedy plans


@dataclass(frozen=True)
class SolveSettings:
    """Search settings: total time, largest instance solved as one model, LNS neighbourhood size, random seed."""

    time_limit_seconds: float = 60.0
    full_model_literals: int = 12_000
    batch_literals: int = 3_000
    seed: int = 0
    portfolio: bool = True  # large instances: a second local search with another seed in a forked process
    # email/ticket queues (from wfm.roster.service.deferred_queues): the search costs their late work instead of
    # heads short (wfm/roster/deferred_search.py); on the dynamic programme's path only
    deferred: DeferredWork | None = field(default=None, compare=False, repr=False)


def solve_roster(
    instance: Instance,
    config: Config,
    settings: SolveSettings = SolveSettings(),
    progress: Progress | None = None,
    initial: dict[Cell, Choice] | None = None,
    facts: InstanceFacts | None = None,
) -> RosterSolution:
    """Solve within the time limit; raise RosterInfeasible naming agents and rules when hard rules conflict.

    `initial`: a complete roster to start the search from instead of constructing one (wfm.roster.joint uses it
    to re-plan against demand raised by the pauses placed in the previous round); no LP bound is computed then.
    `facts`: the instance's options and limits when the caller has them (they do not depend on the demand)."""
    started = time.monotonic()
    deadline = started + settings.time_limit_seconds
    if facts is None:
        facts = instance_facts(instance, config)
    raise_if_any(precheck(instance, config, facts))
    say = progress or (lambda _: None)
    total_literals = sum(len(v) for v in facts.options.values())
    say(
        f"model: {len(instance.agents)} agents, {instance.days} days, {len(instance.shifts)} shifts, "
        f"{len(instance.queues)} queues, {total_literals} shift literals"
    )
    ctx = response_context(instance, config, facts, deferred_pricing(instance, config, settings.deferred))
    if not programme_models_all_rules(instance, config, facts):
        if initial is not None:  # the CP-SAT path starts from its own construction: keep the given roster
            return finished_solution(instance, config, facts, dict(initial), 0.0, started, ("start",))
        return solve_by_cp_sat(
            instance,
            config,
            facts,
            settings.time_limit_seconds,
            settings.batch_literals,
            settings.full_model_literals,
            settings.seed,
            started,
            say,
        )
    finish = deadline - _reserve_seconds(settings.time_limit_seconds, len(instance.agents))
    # the LP bound runs in a thread (GLOP releases the interpreter lock) while the heuristics run
    pool = ThreadPoolExecutor(max_workers=1)
    lp_end = min(started + 0.6 * settings.time_limit_seconds, finish)
    pending: Future[AggregateResult] = Future()
    if initial is None:
        pending = pool.submit(
            solve_aggregate, instance, config, facts, settings.time_limit_seconds, lp_end, weekly_patterns=True
        )
    else:
        pending.set_result(NOT_SOLVED)
    pool.shutdown(wait=False)
    chosen, greedy = (dict(initial), 0) if initial is not None else (None, 0)
    if ctx.exact and chosen is None:
        construction_end = started + CONSTRUCTION_SHARE * (finish - started)
        chosen, greedy = construct_by_deadline(ctx, agent_order(instance, settings.seed), construction_end)
    if chosen is None:
        chosen = construct(instance, config, facts, seed=settings.seed, progress=say)
    say(
        f"{'start' if initial is not None else 'construction'}: "
        f"objective {_objective(instance, config, facts, chosen) / 60:.1f}"
        f"{f' ({greedy} greedy plans to keep the deadline)' if greedy else ''}, "
        f"elapsed {time.monotonic() - started:.1f} s"
    )
    rng = np.random.default_rng(settings.seed)
    large = total_literals > settings.full_model_literals
    counters: dict[str, int] = {}
    fair = fairness_weighted(config)  # weekend, late or holiday fairness (issue #19 fairness helper)
    if ctx.exact and large:
        search_end = finish - (FAIRNESS_SHARE * (finish - time.monotonic()) if fair else 0.0)
        search = search_pair if settings.portfolio else _single_search  # two cores: a second, forked search
        chosen, counters = search(
            ctx,
            chosen,
            search_end,
            settings.seed,
            progress=lambda value: say(
                f"best-response passes: objective {value / 60:.1f}, elapsed {time.monotonic() - started:.1f} s"
            ),
        )
        moves = counters["moves"]
        if fair:
            chosen, swapped = swap_weeks(ctx, chosen, (time.monotonic() + finish) / 2, seed=settings.seed)
            say(f"fairness: {swapped} weeks, weekends or days swapped between loaded and light agents")
            begun = time.monotonic()
            objective = _objective(instance, config, facts, chosen)
            # a sub-model with every other cell fixed walks the same rules as the evaluation, a few times slower
            build_seconds = BUILD_PER_EVALUATION * (time.monotonic() - begun)
            chosen, _, evened = even_out(
                ctx, chosen, objective, finish, seed=settings.seed, progress=say, build_seconds=build_seconds
            )
            counters["evened"] = evened
    elif ctx.exact:
        chosen, moves = improve_by_exact_response(ctx, chosen, finish, rng)
    else:
        chosen, moves = improve_by_best_response(instance, config, facts, chosen, finish, rng)
    objective = _objective(instance, config, facts, chosen)
    say(
        f"best response ({'exact' if ctx.exact else 'greedy'}, {moves} re-plans): objective {objective / 60:.1f}, "
        f"elapsed {time.monotonic() - started:.1f} s"
    )
    aggregate = _aggregate_by(pending, finish)
    bound = max(0.0, aggregate.bound)
    say(f"aggregate bound: {bound / 60:.1f} ({aggregate.status}), elapsed {time.monotonic() - started:.1f} s")
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
        if ctx.deferred is not None and result.chosen is not None:  # the full model counts email heads
            objective = _deferred_objective(ctx, chosen, objective)
            result = replace(result, objective=_deferred_objective(ctx, result.chosen, result.objective))
        if result.chosen is not None and result.objective <= objective:
            chosen, objective = result.chosen, result.objective
        bound = max(bound, result.bound)
        status = "OPTIMAL" if result.status == "OPTIMAL" else "FEASIBLE"
        phases = ("aggregate bound", "greedy", "best response", "full model")
    elif ctx.exact:
        second = ""
        if counters.get("portfolio") == 2:
            second = f"; a second search on the other core {'won' if counters.get('child_better') else 'lost'}"
        say(
            f"iterated local search ({counters['kicks']} kicks, {counters['better']} better{second}; "
            f"{counters['responses']} programmes run, {counters['skipped']} skipped by the bound)"
        )
        status = "OPTIMAL" if objective <= bound + 1e-6 else "FEASIBLE"
        phases = (
            "aggregate bound",
            "exact best response",
            f"iterated local search ({counters['kicks']} kicks, {counters['better']} better)",
        )
    else:
        chosen, objective, iterations = large_neighbourhood_search(
            instance,
            config,
            facts,
            chosen,
            objective,
            finish,
            batch_literals=settings.batch_literals,
            seed=settings.seed,
            bound=bound,
            progress=say,
            started=started,
        )
        status = "OPTIMAL" if objective <= bound + 1e-6 else "FEASIBLE"
        phases = ("aggregate bound", "greedy", "best response", f"lns ({iterations} neighbourhoods)")
    if ctx.deferred is not None:
        late = ctx.deferred.late_seconds(_scheduled(ctx, chosen))
        say(
            "deferred work late: "
            + ", ".join(
                f"{instance.queues[q]} {seconds / 3600:.1f} h (overdue {overdue / 3600:.0f} h-intervals)"
                for q, (seconds, overdue) in late.items()
            )
            + f" (prices refreshed {ctx.deferred.refreshes} times)"
        )
        status = "FEASIBLE"  # the bound and the full model count heads, not late work
    return finished_solution(instance, config, facts, chosen, bound, started, phases, proven=status == "OPTIMAL")


def _scheduled(ctx: ResponseContext, chosen: dict[Cell, Choice]) -> np.ndarray:
    """Heads per queue and interval of a roster."""
    scheduled = np.zeros(ctx.instance.required.shape, dtype=np.int64)
    for (_, d), (s, q) in chosen.items():
        add_plan(scheduled, ctx, [(d, s, q)], 1)
    return scheduled


def _deferred_objective(ctx: ResponseContext, chosen: dict[Cell, Choice], objective: float) -> float:
    """A roster's objective with the deferred queues' heads short replaced by their late work."""
    scheduled = _scheduled(ctx, chosen)
    return objective - coverage_cost(replace(ctx, deferred=None), scheduled) + coverage_cost(ctx, scheduled)


def _single_search(
    ctx, chosen: dict[Cell, Choice], deadline: float, seed: int, progress=None
) -> tuple[dict[Cell, Choice], dict[str, int]]:
    """One iterated local search (the portfolio switched off)."""
    return iterated_local_search(ctx, chosen, deadline, np.random.default_rng(seed), progress=progress)


def _aggregate_by(pending: Future[AggregateResult], finish: float) -> AggregateResult:
    """The LP's result, or no bound when it is still running at `finish` (it stops by then on its own deadline)."""
    try:
        return pending.result(timeout=max(0.0, finish - time.monotonic()))
    except FutureTimeout:
        return NOT_SOLVED


def _reserve_seconds(time_limit_seconds: float, n_agents: int) -> float:
    """Time kept for evaluating and reporting the final roster (it grows with the number of agents)."""
    return min(0.25 * time_limit_seconds, 0.2 + 0.004 * n_agents)


def _objective(instance: Instance, config: Config, facts: InstanceFacts, chosen: dict[Cell, Choice]) -> float:
    """Objective (weight × minutes) of a complete roster."""
    return math.fsum(line.penalty * 60 for line in evaluate(instance, config, facts, chosen))
