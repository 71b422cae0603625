"""Laws on random small instances: every solver roster passes the checker; the report agrees with the coverage."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from roster_fixtures import DAY, EARLY, LATE, NIGHT, agent, check, config, instance

from wfm.roster.diagnose import RosterInfeasible
from wfm.roster.domain import TimeOff
from wfm.roster.solve import SolveSettings, solve_roster


@st.composite
def small_cases(draw: st.DrawFn):
    """(instance, config) with 2–3 agents, 2–9 days, random demand, contracts and rules."""
    days = draw(st.integers(2, 9))
    queues = ("chat", "phone")
    agents = tuple(
        agent(
            f"A{i}",
            skills=draw(st.sampled_from([("chat",), ("phone",), ("chat", "phone")])),
            min_hours_week=draw(st.sampled_from([0, 8, 16])),
            max_hours_week=draw(st.sampled_from([24, 40, None])),
            earliest_start_minute=draw(st.sampled_from([None, 5 * 60])),
            preferred_days_off=frozenset(draw(st.sets(st.integers(0, 6), max_size=2))),
        )
        for i in range(draw(st.integers(2, 3)))
    )
    demand = {
        (draw(st.sampled_from(queues)), draw(st.integers(0, days - 1)), h, h + draw(st.integers(1, 8))): draw(
            st.integers(1, 3)
        )
        for h in draw(st.lists(st.integers(0, 15), min_size=1, max_size=5))
    }
    offs = tuple(
        TimeOff(a.agent_id, instance(agents, days=days).day_date(draw(st.integers(0, days - 1))))
        for a in agents
        if draw(st.booleans())
    )
    inst = instance(agents, (EARLY, DAY, LATE, NIGHT), days=days, queues=queues, demand=demand, time_off=offs)
    cfg = config(
        min_rest_hours=draw(st.sampled_from([8, 11, 12])),
        days_off_per_week=draw(st.integers(1, 2)),
        max_consecutive_days=draw(st.integers(3, 6)),
    )
    return inst, cfg


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_cases())
def test_solver_rosters_pass_the_checker_and_report_matches_coverage(case) -> None:
    inst, cfg = case
    try:
        solution = solve_roster(inst, cfg, SolveSettings(time_limit_seconds=1.0))
    except RosterInfeasible as exc:
        assert "agent A" in str(exc)
        return
    assert check(inst, cfg, solution) == []
    under_hours = np.clip(inst.required - solution.scheduled, 0, None).sum() * inst.interval_minutes / 60
    over_hours = np.clip(solution.scheduled - inst.required, 0, None).sum() * inst.interval_minutes / 60
    report = {p.rule: p.amount for p in solution.penalties}
    assert report["under_coverage"] == under_hours
    assert report["over_coverage"] == over_hours
    assert solution.stats is not None and solution.stats.lower_bound <= solution.stats.objective + 1e-6
