"""The aggregate relaxation: how many agents of each skill group work each shift, day and queue (an LP).

It drops agent identities (rest, consecutive days, preferences) and integrality, so its optimum is a lower
bound on the full roster objective. Groups are agents with the same skill queues; per-group capacities respect
each agent's allowed options, weekly working days and weekly paid hours. Solved with GLOP in about a second.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import dataclass

from ortools.linear_solver import pywraplp

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
) -> AggregateResult:
    """Build and solve the aggregate LP (no bound when it is not solved to optimality within the time limit, or
    by the `deadline` on the monotonic clock, which also bounds building it)."""
    end = math.inf if deadline is None else deadline
    lp = pywraplp.Solver.CreateSolver("GLOP")
    inf = lp.infinity()
    weights, step = config.weights, instance.interval_minutes
    n_q, n_t, per_day = len(instance.queues), instance.n_intervals, instance.intervals_per_day
    balance = {}
    objective = lp.Objective()
    under, over = [], []
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
                    for t in idx[idx < n_t]:
                        balance[(q, int(t))].SetCoefficient(var, 1)
                    weekly[d // 7].append((shift.paid_minutes, var))
        for w, terms in weekly.items():
            limits = [facts.weeks[a][w] for a in members]
            paid_row = lp.Constraint(sum(x.min_paid_minutes for x in limits), sum(x.max_paid_minutes for x in limits))
            days_row = lp.Constraint(0, sum(x.max_days for x in limits))
            for minutes, var in terms:
                paid_row.SetCoefficient(var, minutes)
                days_row.SetCoefficient(var, 1)
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
