"""The two-core portfolio: a forked second local search beside the main one, the better roster kept."""

from __future__ import annotations

import time

from wfm.roster.best_response import response_context
from wfm.roster.checker import check_roster, parse_roster
from wfm.roster.domain import Config, RuleSettings
from wfm.roster.local_search import objective_of, search_state
from wfm.roster.options import instance_facts
from wfm.roster.outputs import roster_frame
from wfm.roster.portfolio import portfolio_available, search_pair
from wfm.roster.solve import SolveSettings, solve_roster
from wfm.roster.synthetic import synthetic_instance
from wfm.roster.variables import Cell, Choice


def _start(inst, cfg) -> dict[Cell, Choice]:
    """A quick roster to start from."""
    first = solve_roster(inst, cfg, SolveSettings(time_limit_seconds=1.5, portfolio=False))
    return {(x.agent, x.day): (x.shift, x.queue) for x in first.assignments}


def test_pair_returns_a_roster_no_worse_than_its_start_and_says_how_many_searches_ran() -> None:
    inst = synthetic_instance(20, 7, seed=11, load=1.1)
    cfg = Config(RuleSettings())
    ctx = response_context(inst, cfg, instance_facts(inst, cfg))
    start = _start(inst, cfg)
    found, counters = search_pair(ctx, start, time.monotonic() + 3.0, seed=1)
    assert counters["portfolio"] == (2 if portfolio_available() else 1)
    assert counters["child_better"] in (0, 1)
    assert objective_of(ctx, search_state(ctx, found)) <= objective_of(ctx, search_state(ctx, start)) + 1e-6
    assert set(found) <= {(a, d) for a in range(len(inst.agents)) for d in range(inst.days)}


def test_large_solve_with_the_portfolio_passes_the_checker() -> None:
    inst = synthetic_instance(60, 14, seed=12)
    cfg = Config(RuleSettings())
    solution = solve_roster(inst, cfg, SolveSettings(time_limit_seconds=12, portfolio=True))
    frame = parse_roster(roster_frame(inst, solution.assignments))
    assert check_roster(frame, inst.agents, inst.shifts, inst.time_off, cfg, first_day=inst.start, n_days=14) == []
    assert any("iterated local search" in phase for phase in solution.stats.phases)


def test_segments_restart_both_searches_from_the_better_roster() -> None:
    inst = synthetic_instance(20, 7, seed=13, load=1.2)
    cfg = Config(RuleSettings())
    ctx = response_context(inst, cfg, instance_facts(inst, cfg))
    start = _start(inst, cfg)
    found, counters = search_pair(ctx, start, time.monotonic() + 4.0, seed=2, segment_seconds=1.0)
    assert 0 <= counters["child_better"] <= 4
    assert objective_of(ctx, search_state(ctx, found)) <= objective_of(ctx, search_state(ctx, start)) + 1e-6
