"""Tiny roster instances (hour grid) and a solve-then-check helper shared by the roster tests."""

from __future__ import annotations

from datetime import date

import numpy as np

from wfm.roster.checker import Violation, check_roster, parse_roster
from wfm.roster.domain import Agent, Config, Instance, RosterSolution, RuleSettings, ShiftTemplate, TimeOff, Weights
from wfm.roster.outputs import roster_frame
from wfm.roster.solve import SolveSettings, solve_roster

MONDAY = date(2026, 11, 2)
HOUR = 60
DAY = ShiftTemplate("D0900", 9 * HOUR, 8 * HOUR, category="day")
EARLY = ShiftTemplate("E0600", 6 * HOUR, 8 * HOUR, category="early")
LATE = ShiftTemplate("L1500", 15 * HOUR, 8 * HOUR, category="late")
NIGHT = ShiftTemplate("N2200", 22 * HOUR, 8 * HOUR, category="night")


def agent(agent_id: str = "A1", skills: tuple[str, ...] = ("chat",), **kwargs: object) -> Agent:
    """An agent without contract limits unless given."""
    return Agent(agent_id=agent_id, name=f"Name {agent_id}", skills=skills, **kwargs)  # type: ignore[arg-type]


def instance(
    agents: tuple[Agent, ...],
    shifts: tuple[ShiftTemplate, ...] = (DAY,),
    *,
    days: int = 7,
    queues: tuple[str, ...] = ("chat",),
    demand: dict[tuple[str, int, int, int], int] | None = None,
    time_off: tuple[TimeOff, ...] = (),
) -> Instance:
    """Hourly instance; demand maps (queue, day, first hour, last hour exclusive) → required agents."""
    required = np.zeros((len(queues), days * 24), dtype=np.int64)
    for (queue, day, first, last), need in (demand or {}).items():
        required[queues.index(queue), day * 24 + first : day * 24 + last] = need
    return Instance(agents, shifts, time_off, queues, MONDAY, days, HOUR, required)


def config(weights: Weights | None = None, **rules: object) -> Config:
    """Hour-grid rules with overrides."""
    return Config(RuleSettings(interval_minutes=HOUR, **rules), weights or Weights())  # type: ignore[arg-type]


def check(inst: Instance, cfg: Config, solution: RosterSolution) -> list[Violation]:
    """The independent checker's verdict on a solution, through the export table."""
    frame = parse_roster(roster_frame(inst, solution.assignments))
    return check_roster(frame, inst.agents, inst.shifts, inst.time_off, cfg, first_day=inst.start, n_days=inst.days)


def solve_checked(inst: Instance, cfg: Config, time_limit_seconds: float = 5.0) -> RosterSolution:
    """Solve, and fail the test if the checker finds any hard-rule violation."""
    solution = solve_roster(inst, cfg, SolveSettings(time_limit_seconds=time_limit_seconds))
    violations = check(inst, cfg, solution)
    assert violations == [], violations
    return solution


def penalty(solution: RosterSolution, rule: str) -> float:
    """The amount (hours or occurrences) of one rule in the penalty report."""
    return next(p.amount for p in solution.penalties if p.rule == rule)


def worked_days(solution: RosterSolution, agent_index: int = 0) -> list[int]:
    """Horizon days on which an agent works."""
    return sorted(x.day for x in solution.assignments if x.agent == agent_index)
