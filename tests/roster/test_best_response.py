"""The dynamic programme's best response of one agent is feasible and as good as CP-SAT's optimum."""

from __future__ import annotations

import itertools
import time

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from roster_fixtures import DAY, EARLY, LATE, NIGHT, agent, config, instance

from wfm.roster.best_response import (
    best_response,
    construct_by_response,
    coverage_cost,
    improve_by_exact_response,
    response_context,
)
from wfm.roster.checker import check_roster, parse_roster
from wfm.roster.domain import Assignment, TimeOff, Weights
from wfm.roster.fairness import even_out, swap_weeks
from wfm.roster.local_search import iterated_local_search
from wfm.roster.model import evaluate
from wfm.roster.options import instance_facts
from wfm.roster.outputs import roster_frame
from wfm.roster.search import agent_order, solve_cells


@st.composite
def one_agent_cases(draw: st.DrawFn):
    """(instance, config) with one agent, 2–10 days, random demand, contract and rules."""
    days = draw(st.integers(2, 10))
    queues = ("chat", "phone")
    solo = agent(
        "A1",
        skills=draw(st.sampled_from([("chat",), ("chat", "phone")])),
        min_hours_week=draw(st.sampled_from([0, 8, 16])),
        max_hours_week=draw(st.sampled_from([16, 24, 40, None])),
        max_days_week=draw(st.sampled_from([None, 3, 4])),
        preferred_days_off=frozenset(draw(st.sets(st.integers(0, 6), max_size=2))),
        preferred_categories=frozenset(draw(st.sets(st.sampled_from(["early", "late"]), max_size=1))),
    )
    demand = {
        (draw(st.sampled_from(queues)), draw(st.integers(0, days - 1)), h, h + draw(st.integers(1, 10))): draw(
            st.integers(1, 2)
        )
        for h in draw(st.lists(st.integers(0, 16), min_size=1, max_size=8))
    }
    offs = (TimeOff("A1", instance((solo,), days=days).day_date(draw(st.integers(0, days - 1)))),)
    inst = instance(
        (solo,),
        (EARLY, DAY, LATE, NIGHT),
        days=days,
        queues=queues,
        demand=demand,
        time_off=offs[: draw(st.integers(0, 1))],
    )
    cfg = config(
        Weights(days_off_together=draw(st.sampled_from([0, 3, 50]))),
        min_rest_hours=draw(st.sampled_from([8, 11, 12])),
        days_off_per_week=draw(st.integers(1, 2)),
        max_consecutive_days=draw(st.integers(2, 6)),
    )
    return inst, cfg


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(one_agent_cases())
def test_best_response_matches_the_cp_sat_optimum_and_passes_the_checker(case) -> None:
    inst, cfg = case
    facts = instance_facts(inst, cfg)
    ctx = response_context(inst, cfg, facts)
    assert ctx.exact
    nobody = np.zeros(inst.required.shape, dtype=np.int64)
    found = best_response(ctx, 0, nobody)
    exact = solve_cells(inst, cfg, facts, list(facts.options), {}, 10.0)
    if found is None:
        assert exact.status == "INFEASIBLE"
        return
    assert exact.status == "OPTIMAL"
    plan, value = found
    assert abs((coverage_cost(ctx, nobody) - value) - exact.objective) < 1e-6
    assignments = tuple(Assignment(0, d, s, q) for d, s, q in plan)
    frame = parse_roster(roster_frame(inst, assignments))
    assert check_roster(frame, inst.agents, inst.shifts, inst.time_off, cfg) == []


def test_exact_response_fills_the_gap_the_other_agent_leaves() -> None:
    inst = instance(
        (agent("A1"), agent("A2")), (EARLY, LATE), days=1, demand={("chat", 0, 6, 14): 1, ("chat", 0, 15, 23): 1}
    )
    cfg = config(Weights(paid_hours=0, over_coverage=1))
    ctx = response_context(inst, cfg, instance_facts(inst, cfg))
    both_early = {(0, 0): (0, 0), (1, 0): (0, 0)}
    improved, moves = improve_by_exact_response(ctx, both_early, float("inf"), np.random.default_rng(0))
    assert moves == 1
    assert sorted(improved.values()) == [(0, 0), (1, 0)]


def test_response_keeps_the_weekend_cap_and_queue_rotation() -> None:
    demand = {(q, d, 9, 17): 3 for q in ("chat", "phone") for d in range(28) if d % 7 >= 5}
    inst = instance((agent("A1", skills=("chat", "phone")),), (DAY,), days=28, queues=("chat", "phone"), demand=demand)
    cfg = config(Weights(), max_weekends_per_4_weeks=2, max_consecutive_queue_days=1)
    ctx = response_context(inst, cfg, instance_facts(inst, cfg))
    assert ctx.exact  # the programme still runs: the cap and the rotation are kept by `respond`
    found = best_response(ctx, 0, np.zeros(inst.required.shape, dtype=np.int64))
    assert found is not None
    plan = found[0]
    assert len({d // 7 for d, _, _ in plan if d % 7 >= 5}) == 2  # four weekends wanted, two allowed
    assert all(q1 != q2 for (d1, _, q1), (d2, _, q2) in itertools.pairwise(plan) if d2 == d1 + 1)
    chosen = {(0, d): (s, q) for d, s, q in plan}
    frame = parse_roster(roster_frame(inst, [Assignment(0, d, s, q) for (_, d), (s, q) in chosen.items()]))
    assert check_roster(frame, inst.agents, inst.shifts, inst.time_off, cfg, first_day=inst.start, n_days=28) == []


def test_even_out_spreads_late_shifts_after_the_local_search() -> None:
    early = DAY.__class__("D0700", 7 * 60, 8 * 60, category="day")
    demand = {("chat", d, h, h + 8): 2 for d in range(14) for h in (7, 15)}
    agents = tuple(agent(f"A{i}", preferred_categories=frozenset({"late"}) if i < 2 else frozenset()) for i in range(6))
    inst = instance(agents, (early, LATE), days=14, demand=demand)
    cfg = config(Weights(late_fairness=200), min_rest_hours=0)
    facts = instance_facts(inst, cfg)
    ctx = response_context(inst, cfg, facts)
    chosen = construct_by_response(ctx, agent_order(inst, 0))
    assert chosen is not None
    chosen, _ = iterated_local_search(ctx, chosen, time.monotonic() + 2.0, np.random.default_rng(0), max_kicks=20)
    before = evaluate(inst, cfg, facts, chosen)
    spread_before = next(p.amount for p in before if p.rule == "late_fairness")
    value = sum(p.penalty for p in before) * 60
    evened, after_value, _ = even_out(ctx, chosen, value, time.monotonic() + 4.0)
    after = evaluate(inst, cfg, facts, evened)
    assert after_value <= value
    assert next(p.amount for p in after if p.rule == "late_fairness") <= min(2, spread_before)
    frame = parse_roster(roster_frame(inst, [Assignment(a, d, s, q) for (a, d), (s, q) in evened.items()]))
    assert check_roster(frame, inst.agents, inst.shifts, inst.time_off, cfg, first_day=inst.start, n_days=14) == []


def test_swap_weeks_trades_late_weeks_without_touching_coverage() -> None:
    early = DAY.__class__("D0700", 7 * 60, 8 * 60, category="day")
    demand = {("chat", d, h, h + 8): 1 for d in range(14) for h in (7, 15)}
    inst = instance((agent("A1"), agent("A2")), (early, LATE), days=14, demand=demand)
    cfg = config(Weights(late_fairness=100), min_rest_hours=0, days_off_per_week=0, max_consecutive_days=14)
    ctx = response_context(inst, cfg, instance_facts(inst, cfg))
    unfair = {(0, d): (1, 0) for d in range(14)} | {(1, d): (0, 0) for d in range(14)}
    fair, swaps = swap_weeks(ctx, unfair, time.monotonic() + 5.0)
    assert swaps >= 1
    lates = [sum(1 for (a, _), (s, _) in fair.items() if a == i and s == 1) for i in (0, 1)]
    assert max(lates) - min(lates) <= 2
    assert sorted((d, s) for (_, d), (s, _) in fair.items()) == sorted((d, s) for (_, d), (s, _) in unfair.items())
    frame = parse_roster(roster_frame(inst, [Assignment(a, d, s, q) for (a, d), (s, q) in fair.items()]))
    assert check_roster(frame, inst.agents, inst.shifts, inst.time_off, cfg, first_day=inst.start, n_days=14) == []
