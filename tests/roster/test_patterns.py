"""Column generation over per-agent patterns: valid bound, rosters that keep every rule, same optimum as the model."""

from __future__ import annotations

import time

from roster_fixtures import EARLY, LATE, agent, config, instance

from wfm.roster import patterns
from wfm.roster.domain import Weights
from wfm.roster.options import instance_facts
from wfm.roster.sequence_search import _solve_by_full_model, solve_by_patterns

RULES = {"days_off_per_week": 0, "max_consecutive_days": 6}
WEIGHTS = Weights(paid_hours=0, over_coverage=5, days_off_together=0)


def _case():
    agents = tuple(agent(f"A{i}", min_consecutive_days=2, min_consecutive_days_off=2, max_weekends=1) for i in range(4))
    demand = {("chat", d, 6, 14): 2 for d in range(14)} | {("chat", d, 15, 23): 1 for d in range(14)}
    inst = instance(agents, (EARLY, LATE), days=14, demand=demand)
    cfg = config(WEIGHTS, **RULES)
    return inst, cfg, instance_facts(inst, cfg)


def test_column_generation_reaches_the_full_model_optimum_with_a_valid_bound() -> None:
    inst, cfg, facts = _case()
    by_patterns = solve_by_patterns(inst, cfg, facts, 20, 0, 0, time.monotonic(), lambda _: None)
    full = _solve_by_full_model(inst, cfg, facts, 20, 3000, 12_000, 0, time.monotonic(), lambda _: None)
    assert full.stats is not None and full.stats.status == "OPTIMAL"
    assert by_patterns.stats is not None
    assert by_patterns.stats.lower_bound <= full.stats.objective + 1e-9
    assert by_patterns.stats.objective == full.stats.objective


def test_every_priced_pattern_keeps_the_agents_rules_and_its_own_cost() -> None:
    inst, cfg, facts = _case()
    pool = patterns.new_pool(inst, cfg, facts)
    assert patterns.seed_pool(pool, 5.0) == []
    patterns.column_generation(pool, time.monotonic() + 10)
    assert pool.bound <= pool.lp_value + 1e-6
    for found in pool.patterns:
        assert found
        for pattern in found:
            worked = [any(d == day for day, _, _ in pattern) for d in range(inst.days)]
            for value, least in ((True, 2), (False, 2)):
                for first, length in _runs(worked, value):
                    if first > 0 and first + length < inst.days:
                        assert length >= least
            assert max((length for _, length in _runs(worked, True)), default=0) <= 6
            assert len({d // 7 for d in range(inst.days) if worked[d] and d % 7 >= 5}) <= 1


def _runs(worked: list[bool], value: bool) -> list[tuple[int, int]]:
    """(first day, length) of each run of days equal to `value`."""
    runs, d = [], 0
    while d < len(worked):
        if worked[d] != value:
            d += 1
            continue
        end = d
        while end < len(worked) and worked[end] == value:
            end += 1
        runs.append((d, end - d))
        d = end
    return runs


def test_seeding_by_cp_sat_slices_finds_every_feasible_agent_and_names_the_impossible_one() -> None:
    """Agents priced by CP-SAT share the seeding budget; one whose contract no pattern keeps comes back missing."""
    inst, cfg, _ = _case()
    impossible = agent("A9", min_consecutive_days=2, min_total_minutes=15 * 24 * 60)  # more than 14 days hold
    inst = instance((*inst.agents, impossible), (EARLY, LATE), days=14, demand={("chat", 0, 6, 14): 2})
    facts = instance_facts(inst, cfg)
    pool = patterns.new_pool(inst, cfg, facts)
    for pricer in pool.pricers:
        pricer.programme = pricer.relaxed = None  # every agent by the CP-SAT model
    lines: list[str] = []
    assert patterns.seed_pool(pool, 0.01, 2.0, say=lines.append) == [4]
    assert all(len(found) == 1 for found in pool.patterns[:4]) and not pool.patterns[4]
    assert not pool.pricers[4].feasible  # proven, not timed out
