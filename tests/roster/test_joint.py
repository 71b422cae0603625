"""Break-aware planning: the break-aware LP bound (exact on tiny cases, never above a placed roster) and the
search ↔ placement rounds of wfm.roster.joint (kept round never worse after placement, every roster checked)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from wfm.cli import main
from wfm.roster.activities import place_activities
from wfm.roster.aggregate import solve_aggregate
from wfm.roster.break_rules import BreakCap, BreakRule, BreakSettings
from wfm.roster.checker import check_roster, parse_roster
from wfm.roster.domain import Agent, Config, Instance, RuleSettings, ShiftTemplate
from wfm.roster.joint import after_placement_objective, coverage_penalty, solve_and_place
from wfm.roster.options import instance_facts
from wfm.roster.outputs import roster_frame
from wfm.roster.solve import SolveSettings, solve_roster
from wfm.roster.synthetic import synthetic_instance

MONDAY = date(2026, 11, 2)
FOUR_HOURS = ShiftTemplate("D0900", 9 * 60, 4 * 60)
ONE_BREAK = BreakSettings((BreakRule("one", 0, 24, breaks=1, break_minutes=60, min_gap_hours=0),), None)
FULL_BREAKS = BreakSettings(
    rules=(
        BreakRule("long", 7, 12, 30, 60, 3, 5, breaks=2, break_minutes=15, min_gap_hours=1.5),
        BreakRule("short", 0, 7, breaks=1, break_minutes=15, min_gap_hours=1.5),
    ),
    cap=BreakCap(default=0.25, min_agents=2),
)


def _one_agent(required_by_hour: dict[int, int]) -> tuple[Instance, Config]:
    """One agent, one day on an hour grid, the 09:00 four-hour shift with one 60-min break 10:00 or 11:00."""
    required = np.zeros((1, 24), dtype=np.int64)
    for hour, need in required_by_hour.items():
        required[0, hour] = need
    inst = Instance((Agent("A1", "Agent 1", ("chat",)),), (FOUR_HOURS,), (), ("chat",), MONDAY, 1, 60, required)
    return inst, Config(RuleSettings(interval_minutes=60), breaks=ONE_BREAK)


def test_break_aware_bound_counts_the_break_as_under_coverage() -> None:
    inst, cfg = _one_agent({9: 1, 10: 1, 11: 1, 12: 1})
    facts = instance_facts(inst, cfg)
    free = solve_aggregate(inst, cfg, facts)
    aware = solve_aggregate(inst, cfg, facts, pauses=True)
    # 240 paid minutes × 1; the break leaves one hour short: 100 × 60 more
    assert free.bound == pytest.approx(240.0)
    assert aware.bound == pytest.approx(240.0 + 100 * 60)
    assert aware.under_agent_minutes == pytest.approx(60.0)


def test_break_aware_bound_puts_the_break_on_the_surplus() -> None:
    inst, cfg = _one_agent({9: 1, 11: 1, 12: 1})  # nobody needed at 10:00
    facts = instance_facts(inst, cfg)
    free = solve_aggregate(inst, cfg, facts)
    aware = solve_aggregate(inst, cfg, facts, pauses=True)
    assert free.bound == pytest.approx(240.0 + 5 * 60)  # break-free: the agent is one hour extra at 10:00
    assert aware.bound == pytest.approx(240.0)  # the break sits at 10:00: nothing short, nothing extra


def test_training_in_the_break_aware_bound_takes_agents_off_the_phones() -> None:
    inst, cfg = _one_agent({9: 1, 10: 1, 11: 1, 12: 1})
    aware = solve_aggregate(inst, cfg, instance_facts(inst, cfg), pauses=True, training_agent_minutes=60)
    assert aware.bound == pytest.approx(240.0 + 2 * 100 * 60)  # a break and an hour of training: 2 h short


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_break_aware_bounds_never_above_a_placed_roster_and_per_template_is_tighter(seed: int) -> None:
    inst = synthetic_instance(10, 7, seed=seed, load=1.2)
    cfg = Config(RuleSettings(), breaks=FULL_BREAKS)
    solution = solve_roster(inst, cfg, SolveSettings(time_limit_seconds=3, seed=seed))
    plan = place_activities(inst, cfg, solution.assignments, (), 3.0, seed=seed)
    facts = instance_facts(inst, cfg)
    pooled = solve_aggregate(inst, cfg, facts, pauses=True)
    own = solve_aggregate(inst, cfg, facts, pauses=True, pauses_per_template=True)
    assert own.status == pooled.status == "OPTIMAL"
    assert pooled.bound <= own.bound + 1e-6
    assert own.bound / 60 <= after_placement_objective(inst, cfg, solution, plan) + 1e-6


def test_pause_windows_per_template_keep_an_early_lunch_out_of_a_late_window() -> None:
    # two templates, one agent each: 08:00 and 12:00, 4 h, one 60-min break starting 1 or 2 h in (09/10, 13/14);
    # one agent needed 08:00–16:00 except 13:00–15:00, where the late agent's break costs nothing
    early, late = ShiftTemplate("D0800", 8 * 60, 4 * 60), ShiftTemplate("D1200", 12 * 60, 4 * 60)
    rule = BreakSettings((BreakRule("one", 0, 24, breaks=1, break_minutes=60, min_gap_hours=0),), None)
    required = np.zeros((1, 24), dtype=np.int64)
    required[0, 8:16] = 1
    required[0, 13:15] = 0
    agents = (Agent("A1", "Agent 1", ("chat",), max_days_week=1), Agent("A2", "Agent 2", ("chat",), max_days_week=1))
    inst = Instance(agents, (early, late), (), ("chat",), MONDAY, 1, 60, required)
    cfg = Config(RuleSettings(interval_minutes=60), breaks=rule)
    facts = instance_facts(inst, cfg)
    pooled = solve_aggregate(inst, cfg, facts, pauses=True)
    own = solve_aggregate(inst, cfg, facts, pauses=True, pauses_per_template=True)
    # the early agent's break leaves 09:00 or 10:00 short: 1 h in every roster; pooled windows let both breaks sit
    # in the late window's surplus at 13:00 and 14:00
    assert own.under_agent_minutes == pytest.approx(60.0)
    assert pooled.under_agent_minutes == pytest.approx(0.0)


def test_coverage_penalty_counts_under_and_over_agent_hours() -> None:
    inst, cfg = _one_agent({9: 2, 10: 1})
    scheduled = np.zeros((1, 24), dtype=np.int64)
    scheduled[0, 9:13] = 1
    under, over, penalty = coverage_penalty(inst, cfg, scheduled)
    assert (under, over) == (1.0, 2.0)
    assert penalty == 100 * 1.0 + 5 * 2.0


def test_rounds_keep_the_best_after_placement_and_pass_the_checker() -> None:
    inst = synthetic_instance(16, 7, seed=3, load=1.1)
    cfg = Config(RuleSettings(), breaks=FULL_BREAKS)
    result = solve_and_place(inst, cfg, SolveSettings(time_limit_seconds=15, seed=0), (), 2.0, rounds=2)
    values = [r["objective_after_placement"] for r in result.rounds]
    assert len(values) == 2 and result.kept_round in (1, 2)
    assert values[result.kept_round - 1] == pytest.approx(min(values))
    kept = after_placement_objective(inst, cfg, result.solution, result.activities)
    assert kept == pytest.approx(min(values), abs=0.01)
    frame = parse_roster(roster_frame(inst, result.solution.assignments, result.activities))
    assert check_roster(frame, inst.agents, inst.shifts, inst.time_off, cfg, first_day=inst.start, n_days=7) == []


def test_one_round_plans_once() -> None:
    inst = synthetic_instance(8, 7, seed=4)
    cfg = Config(RuleSettings(), breaks=FULL_BREAKS)
    result = solve_and_place(inst, cfg, SolveSettings(time_limit_seconds=3), (), 1.0, rounds=1)
    assert [r["round"] for r in result.rounds] == [1] and result.kept_round == 1


def test_start_roster_is_kept_or_improved() -> None:
    inst = synthetic_instance(12, 7, seed=5)
    cfg = Config(RuleSettings())
    first = solve_roster(inst, cfg, SolveSettings(time_limit_seconds=2))
    start = {(x.agent, x.day): (x.shift, x.queue) for x in first.assignments}
    again = solve_roster(inst, cfg, SolveSettings(time_limit_seconds=2), initial=start)
    assert again.stats is not None and first.stats is not None
    assert again.stats.objective <= first.stats.objective + 1e-6
    raised = replace(inst, required=inst.required + 1)
    assert solve_roster(raised, cfg, SolveSettings(time_limit_seconds=2), initial=start).assignments


@pytest.mark.parametrize("value", ["0", "6", "two"])
def test_bad_rounds_option_exits_2(tmp_path: Path, value: str, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "roster.csv"
    args = ["roster", "--requirements", "r.csv", "--agents", "a.csv", "--shifts", "s.csv", "--start", "2026-11-02"]
    with pytest.raises(SystemExit) as exit_info:
        main([*args, "--days", "7", "--time-limit", "5", "--out", str(out), "--rounds", value])
    assert exit_info.value.code == 2
    assert "--rounds" in capsys.readouterr().err and not out.exists()


NINE_HOURS = ShiftTemplate("D0800", 8 * 60, 9 * 60)  # 9 paid hours, no lunch


def test_weekly_patterns_bound_counts_whole_shifts() -> None:
    # one agent, at most 40 paid hours a week, only 9-hour shifts, 9 hours needed every day: summed hours allow
    # 40 / 9 = 4.44 shifts, whole shifts only 4 — so 3 days stay uncovered, not 2.56
    required = np.zeros((1, 7 * 24), dtype=np.int64)
    for day in range(7):
        required[0, day * 24 + 8 : day * 24 + 17] = 1
    who = Agent("A1", "Agent 1", ("chat",), max_hours_week=40.0)
    inst = Instance((who,), (NINE_HOURS,), (), ("chat",), MONDAY, 7, 60, required)
    cfg = Config(RuleSettings(interval_minutes=60))
    facts = instance_facts(inst, cfg)
    summed = solve_aggregate(inst, cfg, facts)
    whole = solve_aggregate(inst, cfg, facts, weekly_patterns=True)
    assert summed.under_agent_minutes == pytest.approx((7 - 40 / 9) * 9 * 60)
    assert whole.under_agent_minutes == pytest.approx(3 * 9 * 60)
    assert whole.bound == pytest.approx(4 * 540 * 1 + 3 * 9 * 60 * 100)
    solution = solve_roster(inst, cfg, SolveSettings(time_limit_seconds=5))
    assert solution.stats is not None and solution.stats.objective * 60 >= whole.bound - 1e-6


@pytest.mark.parametrize("seed", [0, 1])
def test_weekly_patterns_bound_never_above_a_solved_roster(seed: int) -> None:
    inst = synthetic_instance(12, 14, seed=seed, load=1.3)
    cfg = Config(RuleSettings())
    bound = solve_aggregate(inst, cfg, instance_facts(inst, cfg), weekly_patterns=True)
    solution = solve_roster(inst, cfg, SolveSettings(time_limit_seconds=4, seed=seed))
    assert bound.status == "OPTIMAL" and solution.stats is not None
    assert bound.bound / 60 <= solution.stats.objective + 1e-6
