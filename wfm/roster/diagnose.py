"""Explaining conflicting hard rules: quick per-agent pre-checks, then CP-SAT assumptions for a named core."""

from __future__ import annotations

from collections.abc import Iterable

from ortools.sat.python import cp_model

from wfm.errors import InputError
from wfm.roster.domain import Config, Instance
from wfm.roster.model import build_model
from wfm.roster.options import InstanceFacts
from wfm.roster.rules import RULES, SOFT_RULES

HARD_RULES = tuple(rule for rule in RULES if rule.__name__ not in SOFT_RULES)


class RosterInfeasible(InputError):
    """The hard rules of some agents contradict each other; the message names each agent and rule."""


def precheck(instance: Instance, config: Config, facts: InstanceFacts) -> list[str]:
    """Agents whose weekly minimum hours cannot be reached even ignoring rest and consecutive-day rules."""
    problems = []
    for a, agent in enumerate(instance.agents):
        for w, week in enumerate(facts.weeks[a]):
            if week.min_paid_minutes == 0:
                continue
            best_per_day = sorted(
                (
                    max((instance.shifts[s].paid_minutes for s, _ in facts.options[(a, d)]), default=0)
                    for d in week.days
                ),
                reverse=True,
            )
            reachable = sum(best_per_day[: week.max_days])
            if reachable < week.min_paid_minutes:
                why = _blockers(facts, a, week.days)
                problems.append(
                    f"agent {agent.agent_id} ({agent.name}): rule weekly_hours needs at least "
                    f"{week.min_paid_minutes / 60:g} h in week {w + 1}, but at most {reachable / 60:g} h fit "
                    f"its skills, {why} and {week.max_days} working days (days_off_per_week / max_days_week)"
                )
    return problems


def _blockers(facts: InstanceFacts, a: int, days: Iterable[int]) -> str:
    """Which availability rules removed options in these days, as text."""
    reasons = sorted({r for d in days for r in facts.blocked[(a, d)].values()})
    names = {
        "availability": "availability window",
        "time_off": "time off",
        "template_days": "shift days",
        "rotation_pattern": "fixed rotation",
    }
    return ", ".join(names[r] for r in reasons) if reasons else "the shift templates"


def explain_agent(instance: Instance, config: Config, facts: InstanceFacts, agent: int) -> list[str] | None:
    """The rules (a sufficient set) that make this agent's roster impossible, or None when it is feasible."""
    cells = [(agent, d) for d in range(instance.days)]
    built = build_model(instance, config, facts, cells, {}, diagnose=True, rules=HARD_RULES)
    assert built.assumptions is not None
    names = list(built.assumptions)
    built.model.clear_objective()
    built.model.add_assumptions([built.assumptions[n] for n in names])
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1  # cores of assumptions are only reported by a single worker
    solver.parameters.max_time_in_seconds = 10.0
    status = solver.solve(built.model)
    if status != cp_model.INFEASIBLE:
        return None
    core = solver.sufficient_assumptions_for_infeasibility()
    by_index = {built.assumptions[n].index: n for n in names}
    return sorted(by_index[i] for i in core if i in by_index) or names


def diagnose(instance: Instance, config: Config, facts: InstanceFacts, agents: Iterable[int]) -> list[str]:
    """One line per infeasible agent: its id, name and the conflicting rules."""
    lines = []
    for a in agents:
        rules = explain_agent(instance, config, facts, a)
        if rules:
            agent = instance.agents[a]
            lines.append(f"agent {agent.agent_id} ({agent.name}): hard rules {' + '.join(rules)} conflict")
    return lines


def raise_if_any(problems: list[str]) -> None:
    """Raise RosterInfeasible listing every problem (the first ones in the message)."""
    if problems:
        more = f" (and {len(problems) - 5} more agents)" if len(problems) > 5 else ""
        raise RosterInfeasible("no roster satisfies the hard rules: " + "; ".join(problems[:5]) + more)
