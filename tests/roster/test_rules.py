"""One test per rule on a tiny instance: the solver respects each hard rule, each soft goal costs exactly this."""

from __future__ import annotations

from dataclasses import replace

import pytest
from roster_fixtures import DAY, EARLY, LATE, NIGHT, agent, config, instance, penalty, solve_checked, worked_days

from wfm.roster.diagnose import RosterInfeasible
from wfm.roster.domain import TimeOff, Weights

NO_PAY = Weights(paid_hours=0, over_coverage=0, days_off_together=0)


def test_one_shift_per_day_leaves_the_second_shift_uncovered() -> None:
    inst = instance((agent(),), (EARLY, LATE), days=1, demand={("chat", 0, 6, 14): 1, ("chat", 0, 15, 23): 1})
    solution = solve_checked(inst, config(NO_PAY))
    assert len(solution.assignments) == 1
    assert penalty(solution, "under_coverage") == 8


def test_minimum_rest_forbids_late_then_early() -> None:
    inst = instance((agent(),), (EARLY, LATE), days=2, demand={("chat", 0, 15, 23): 1, ("chat", 1, 6, 14): 1})
    solution = solve_checked(inst, config(NO_PAY))
    assert len(solution.assignments) == 1  # 23:00 → 06:00 is 7 h, under the 11 h minimum
    relaxed = solve_checked(inst, config(NO_PAY, min_rest_hours=7))
    assert len(relaxed.assignments) == 2


def test_minimum_rest_across_midnight_for_night_shifts() -> None:
    inst = instance(
        (agent(),), (NIGHT, DAY), days=2, demand={("chat", 0, 22, 24): 1, ("chat", 1, 0, 6): 1, ("chat", 1, 9, 17): 1}
    )
    solution = solve_checked(inst, config(NO_PAY))
    assert len(solution.assignments) == 1  # night ends 06:00, the day shift at 09:00 would leave 3 h
    assert penalty(solution, "under_coverage") == 8


def test_days_off_per_week_default_two() -> None:
    inst = instance((agent(),), days=7, demand={("chat", d, 9, 17): 1 for d in range(7)})
    solution = solve_checked(inst, config(NO_PAY))
    assert len(worked_days(solution)) == 5
    assert penalty(solution, "under_coverage") == 16


def test_max_days_week_of_the_agent() -> None:
    inst = instance((agent(max_days_week=3),), days=7, demand={("chat", d, 9, 17): 1 for d in range(7)})
    assert len(worked_days(solve_checked(inst, config(NO_PAY)))) == 3


def test_max_consecutive_days() -> None:
    inst = instance((agent(),), days=7, demand={("chat", d, 9, 17): 1 for d in range(7)})
    solution = solve_checked(inst, config(NO_PAY, days_off_per_week=0, max_consecutive_days=3))
    days = worked_days(solution)
    assert len(days) == 6 and 3 not in days  # 3 on, 1 off, 3 on


def test_weekly_hours_minimum_forces_work_without_demand() -> None:
    inst = instance((agent(min_hours_week=16),), days=7)
    solution = solve_checked(inst, config())
    assert len(solution.assignments) == 2
    assert penalty(solution, "paid_hours") == 16
    assert penalty(solution, "over_coverage") == 16


def test_weekly_hours_maximum_caps_work() -> None:
    inst = instance((agent(max_hours_week=24),), days=7, demand={("chat", d, 9, 17): 1 for d in range(7)})
    assert len(solve_checked(inst, config(NO_PAY)).assignments) == 3


def test_availability_window() -> None:
    late_only = agent(earliest_start_minute=14 * 60)
    inst = instance((late_only,), (EARLY, LATE), days=1, demand={("chat", 0, 6, 23): 1})
    solution = solve_checked(inst, config(NO_PAY))
    assert [inst.shifts[x.shift].name for x in solution.assignments] == ["L1500"]


def test_time_off_whole_day_and_part_day() -> None:
    offs = (TimeOff("A1", inst_day(0)), TimeOff("A1", inst_day(1), 16 * 60, 18 * 60))
    inst = instance((agent(),), days=3, demand={("chat", d, 9, 17): 1 for d in range(3)}, time_off=offs)
    assert worked_days(solve_checked(inst, config(NO_PAY))) == [2]


def inst_day(offset: int):
    """Date of horizon day `offset` in the tiny instances."""
    from datetime import timedelta

    from roster_fixtures import MONDAY

    return MONDAY + timedelta(days=offset)


def test_skills_only_and_one_queue_per_shift() -> None:
    both = agent("A1", skills=("chat", "phone"))
    phone_only = agent("A2", skills=("phone",))
    inst = instance(
        (both, phone_only), days=1, queues=("chat", "phone"), demand={("chat", 0, 9, 17): 1, ("phone", 0, 9, 17): 1}
    )
    solution = solve_checked(inst, config(NO_PAY))
    queues = {inst.agents[x.agent].agent_id: inst.queues[x.queue] for x in solution.assignments}
    assert queues == {"A1": "chat", "A2": "phone"}
    assert penalty(solution, "under_coverage") == 0


def test_under_coverage_is_soft_and_exact() -> None:
    inst = instance((agent(),), days=1, demand={("chat", 0, 9, 17): 3})
    solution = solve_checked(inst, config())
    assert penalty(solution, "under_coverage") == 16  # 3 needed, 1 agent, 8 hours
    assert solution.stats is not None and solution.stats.status == "OPTIMAL"


def test_over_coverage_exact() -> None:
    inst = instance((agent(),), days=1, demand={("chat", 0, 9, 13): 1})
    solution = solve_checked(inst, config())
    assert penalty(solution, "over_coverage") == 4
    assert penalty(solution, "paid_hours") == 8


def test_paid_hours_exclude_lunch() -> None:
    with_lunch = replace(DAY, length_minutes=9 * 60, lunch_minutes=60)
    inst = instance((agent(),), (with_lunch,), days=1, demand={("chat", 0, 9, 18): 1})
    solution = solve_checked(inst, config())
    assert penalty(solution, "paid_hours") == 8
    assert penalty(solution, "under_coverage") == 1  # the lunch hour is not covered


def test_preferred_day_off() -> None:
    inst = instance((agent(preferred_days_off=frozenset({0})),), days=1, demand={("chat", 0, 9, 17): 1})
    solution = solve_checked(inst, config())
    assert penalty(solution, "preferred_day_off") == 1
    expensive = Weights(preferred_day_off=1000)
    assert penalty(solve_checked(inst, config(expensive)), "preferred_day_off") == 0


def test_shift_category_preference() -> None:
    inst = instance(
        (agent(preferred_categories=frozenset({"early"})),), (EARLY, LATE), days=1, demand={("chat", 0, 15, 23): 1}
    )
    solution = solve_checked(inst, config())
    assert penalty(solution, "shift_category_preference") == 1
    assert [inst.shifts[x.shift].name for x in solution.assignments] == ["L1500"]


def test_days_off_together() -> None:
    inst = instance((agent(),), days=3, demand={("chat", 0, 9, 17): 1, ("chat", 2, 9, 17): 1})
    solution = solve_checked(inst, config())
    assert worked_days(solution) == [0, 2]
    assert penalty(solution, "days_off_together") == 1


def test_conflicting_rules_name_the_agent_and_rule() -> None:
    boxed = agent("A7", min_hours_week=40, latest_end_minute=12 * 60)
    inst = instance((boxed, agent("A2")), days=7, demand={("chat", 0, 9, 17): 1})
    with pytest.raises(RosterInfeasible, match=r"agent A7 .*weekly_hours"):
        solve_checked(inst, config())


def test_diagnosis_by_assumptions_names_rest_and_hours() -> None:
    from wfm.roster.diagnose import explain_agent
    from wfm.roster.options import instance_facts

    # late shifts on Mon/Wed/Fri, early ones on Tue/Thu/Sat: a late then an early breaks the rest, so at most
    # 3 shifts (24 h) fit, while the contract asks 32 h; the quick pre-check (48 h reachable) does not see it
    late = replace(LATE, weekdays=frozenset({0, 2, 4}))
    early = replace(EARLY, weekdays=frozenset({1, 3, 5}))
    inst = instance((agent("A9", min_hours_week=32),), (early, late), days=7)
    cfg = config(days_off_per_week=0, max_consecutive_days=7)
    rules = explain_agent(inst, cfg, instance_facts(inst, cfg), 0)
    assert rules is not None and {"minimum_rest", "weekly_hours"} <= set(rules)
    with pytest.raises(RosterInfeasible, match=r"agent A9 .*minimum_rest.*weekly_hours"):
        solve_checked(inst, cfg)
