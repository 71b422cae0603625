"""Deadlines: every phase stops at its deadline, measured here in units of work (pattern evaluations, dynamic
programmes) by a counting clock, never in seconds; and a roster placed with no time left still keeps the break cap."""

from __future__ import annotations

import time
from datetime import date

import numpy as np
import pytest

from wfm.roster import breaks, local_search
from wfm.roster.activities import place_activities
from wfm.roster.aggregate import solve_aggregate
from wfm.roster.best_response import response_context
from wfm.roster.break_rules import BreakCap, BreakRule, BreakSettings
from wfm.roster.checker import check_roster, parse_roster
from wfm.roster.domain import Agent, Assignment, Config, Instance, RuleSettings, ShiftTemplate
from wfm.roster.greedy import greedy_roster
from wfm.roster.local_search import construct_by_deadline
from wfm.roster.model import to_assignments
from wfm.roster.options import instance_facts
from wfm.roster.outputs import roster_frame
from wfm.roster.search import agent_order
from wfm.roster.synthetic import synthetic_instance
from wfm.roster.training import TrainingRequirement

LONG = BreakRule("long", 7, 12, 30, 60, 3, 5, breaks=2, break_minutes=15, min_gap_hours=1.5)
SHORT = BreakRule("short", 0, 7, breaks=1, break_minutes=15, min_gap_hours=1.5)
CAP = BreakSettings((LONG, SHORT), BreakCap(default=0.25, min_agents=1))
WEEKLY = TrainingRequirement("weekly", "everyone", (), "week", 1, 60, earliest_minute=8 * 60, latest_minute=20 * 60)


def violations(inst: Instance, cfg: Config, assignments: list[Assignment], plan=None, training=()) -> list[str]:
    """Rule names the independent checker reports for the roster (with its placed activities)."""
    frame = roster_frame(inst, assignments, plan)
    found = check_roster(
        parse_roster(frame),
        inst.agents,
        inst.shifts,
        inst.time_off,
        cfg,
        training=training,
        first_day=inst.start,
        n_days=inst.days,
    )
    return [v.rule for v in found]


def crowded_day(starts: tuple[int, ...], per_start: int) -> tuple[Instance, list[Assignment]]:
    """One queue and day, `per_start` agents on a 9-hour shift starting at each hour in `starts`: placing the
    pauses in start order leaves some intervals over a 25 % cap."""
    shifts = tuple(ShiftTemplate(f"F{h:02d}", h * 60, 540, lunch_minutes=60, breaks_minutes=(15, 15)) for h in starts)
    agents = tuple(Agent(f"A{i}", f"Agent {i}", ("chat",)) for i in range(per_start * len(starts)))
    required = np.zeros((1, 96), dtype=np.int64)
    required[0, 40:60] = len(agents)
    inst = Instance(agents, shifts, (), ("chat",), date(2026, 11, 2), 1, 15, required)
    return inst, [Assignment(a, 0, a % len(starts), 0) for a in range(len(agents))]


@pytest.mark.parametrize(("starts", "per_start"), [((7, 8), 4), ((7, 9), 8), ((8, 10), 12), ((7, 8, 9), 12)])
def test_placement_with_no_time_left_still_keeps_the_cap(starts: tuple[int, ...], per_start: int) -> None:
    inst, assignments = crowded_day(starts, per_start)
    cfg = Config(RuleSettings(interval_minutes=15), breaks=CAP)
    plan = place_activities(inst, cfg, assignments, time_limit_seconds=0.0)
    assert plan.breaks["cap_violations"] == 0
    assert plan.breaks["cap_not_met"] == []
    assert violations(inst, cfg, assignments, plan) == []


@pytest.mark.parametrize(("starts", "per_start"), [((7, 8), 8), ((7, 8), 12), ((8, 10), 6), ((7, 8, 9), 6)])
def test_crowded_days_get_the_repairs_they_need(starts: tuple[int, ...], per_start: int) -> None:
    inst, assignments = crowded_day(starts, per_start)
    cfg = Config(RuleSettings(interval_minutes=15), breaks=CAP)
    plan = place_activities(inst, cfg, assignments, time_limit_seconds=5.0)
    assert plan.breaks["cap_violations"] == 0
    assert violations(inst, cfg, assignments, plan) == []


class WorkClock:
    """A clock that reads the work done so far: one unit per pause-pattern evaluation."""

    def __init__(self) -> None:
        self.units = 0

    def __call__(self) -> float:
        return float(self.units)


def counting_pattern_costs(monkeypatch: pytest.MonkeyPatch, clock: WorkClock) -> None:
    """Make every pause-pattern evaluation advance the clock by one unit."""
    original = breaks.PauseBoard.pattern_costs

    def counted(self, *args, **kwargs):
        clock.units += 1
        return original(self, *args, **kwargs)

    monkeypatch.setattr(breaks.PauseBoard, "pattern_costs", counted)


def mid_size_roster() -> tuple[Instance, Config, list[Assignment]]:
    """40 agents × 7 days of the seeded generator, rostered by the greedy construction."""
    inst = synthetic_instance(40, 7, seed=3)
    cap = BreakSettings((LONG, SHORT), BreakCap(default=0.3, min_agents=1))  # at 0.25 a day is proven infeasible
    cfg = Config(RuleSettings(interval_minutes=inst.interval_minutes), breaks=cap)
    facts = instance_facts(inst, cfg)
    chosen, _short = greedy_roster(inst, cfg, facts, list(range(len(inst.agents))))
    return inst, cfg, to_assignments(chosen)


@pytest.mark.parametrize("limit_shifts", [1.0, 2.0])
def test_placement_phases_stop_at_the_deadline_in_units_of_work(
    monkeypatch: pytest.MonkeyPatch, limit_shifts: float
) -> None:
    inst, cfg, assignments = mid_size_roster()
    clock = WorkClock()
    counting_pattern_costs(monkeypatch, clock)
    limit_units = limit_shifts * len(assignments)  # placing every shift once is the work that cannot be skipped
    plan = place_activities(inst, cfg, assignments, (WEEKLY,), limit_units, clock=clock)
    # training alone would evaluate patterns for every agent, weekday and slot: far beyond the limit
    assert clock.units <= limit_units + len(assignments)
    assert plan.breaks["cap_violations"] == 0
    assert violations(inst, cfg, assignments, plan, (WEEKLY,)) == []
    late = [m for r in plan.training["requirements"] for m in r["not_met"]]
    assert late and all(m["reason"] == "not placed within the placement time" for m in late)


def test_placement_with_time_enough_places_all_training() -> None:
    inst, cfg, assignments = mid_size_roster()
    plan = place_activities(inst, cfg, assignments, (WEEKLY,), 30.0)
    reasons = {m["reason"] for r in plan.training["requirements"] for m in r["not_met"]}
    assert "not placed within the placement time" not in reasons
    assert violations(inst, cfg, assignments, plan, (WEEKLY,)) == []


def test_construction_switches_to_greedy_plans_behind_the_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    inst = synthetic_instance(30, 14, seed=5)
    cfg = Config(RuleSettings(interval_minutes=inst.interval_minutes))
    ctx = response_context(inst, cfg, instance_facts(inst, cfg))
    programmes = WorkClock()
    original = local_search.best_response

    def counted(*args, **kwargs):
        programmes.units += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(local_search, "best_response", counted)
    order = agent_order(inst, 0)
    chosen, greedy = construct_by_deadline(ctx, order, 10.0, clock=programmes)
    assert chosen is not None
    assert greedy > 0 and programmes.units + greedy == len(inst.agents)
    assert programmes.units < len(inst.agents) // 2
    assert violations(inst, cfg, to_assignments(chosen)) == []
    programmes.units = 0
    _all, none_greedy = construct_by_deadline(ctx, order, float("inf"), clock=programmes)
    assert none_greedy == 0 and programmes.units == len(inst.agents)


def test_the_bound_is_not_waited_for_past_its_deadline() -> None:
    inst = synthetic_instance(20, 7, seed=1)
    cfg = Config(RuleSettings(interval_minutes=inst.interval_minutes))
    result = solve_aggregate(inst, cfg, instance_facts(inst, cfg), 60.0, deadline=time.monotonic() - 1.0)
    assert result.status == "NOT_SOLVED" and result.bound == 0.0
