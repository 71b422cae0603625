"""Relaxed pattern pricing: weekend and per-shift counts priced by multipliers give patterns that keep every rule
and a valid bound, checked against the exact programme and the agent's own CP-SAT model."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from roster_fixtures import EARLY, LATE, agent, config, instance

from wfm.roster import patterns
from wfm.roster.domain import Weights
from wfm.roster.options import instance_facts, weekend_index
from wfm.roster.pattern_programme import build_programme
from wfm.roster.relaxed_pricing import count_excess, relaxed_price


def _case():
    people = (
        agent("A1", min_consecutive_days=2, min_consecutive_days_off=2, max_weekends=1, max_shifts=(("L1500", 3),)),
        agent("A2", max_consecutive_days=4, max_weekends=0, max_shifts=(("E0600", 4), ("L1500", 2))),
    )
    inst = instance(people, (EARLY, LATE), days=14, demand={("chat", d, 6, 23): 1 for d in range(14)})
    cfg = config(Weights(paid_hours=0, over_coverage=0, days_off_together=0), days_off_per_week=0)
    return inst, cfg, instance_facts(inst, cfg)


def test_count_excess_names_each_shift_and_the_weekends_over_their_limits() -> None:
    weekends = {0: [5, 6], 1: [12, 13]}
    pattern = ((0, 1, 0), (1, 1, 0), (5, 1, 0), (6, 0, 0), (12, 1, 0))
    assert count_excess(pattern, {1: 2, 0: 5}, 1, weekends) == ({1: 2}, 1)
    assert count_excess(pattern, {1: 4}, None, weekends) == ({}, 0)


@pytest.mark.parametrize("seed", range(6))
def test_relaxed_patterns_keep_every_rule_and_the_bound_is_below_the_exact_minimum(seed: int) -> None:
    """Random values (duals that favour late shifts and weekends, so the unpriced optimum breaks the counts)."""
    inst, cfg, facts = _case()
    rng = random.Random(seed)
    pool = patterns.new_pool(inst, cfg, facts)
    for a in range(len(inst.agents)):
        exact = build_programme(inst, cfg, facts, a)
        relaxed = build_programme(inst, cfg, facts, a, relaxed=True)
        assert exact is not None and relaxed is not None
        values = {
            (d, s, q): -rng.uniform(1, 10) * (3 if s == 1 else 1) * (2 if d % 7 >= 5 else 1)
            for d in range(inst.days)
            for s, q in facts.options.get((a, d), [])
        }
        _, exact_min = exact.solve(values, 1)
        limits = facts.limits[a]
        found, bound = relaxed_price(
            relaxed, values, limits.max_shifts, limits.max_weekends, weekend_index(inst), count=5, iterations=60
        )
        assert bound <= exact_min + 1e-6
        assert found, "the priced counts reach a pattern that keeps them"
        best = found[-1]
        assert sum(values[item] for item in best) >= exact_min - 1e-6
        for pattern in found:
            assert count_excess(pattern, limits.max_shifts, limits.max_weekends, weekend_index(inst)) == ({}, 0)
            assert pool.pricers[a].keeps_rules(pattern)


def test_pricing_falls_back_to_the_relaxed_programme_and_its_bound_is_valid() -> None:
    """An agent whose exact programme is withheld is priced relaxed first when asked; the bound stays valid."""
    inst, cfg, facts = _case()
    pool = patterns.new_pool(inst, cfg, facts)
    pricer = pool.pricers[0]
    exact_min = pricer.price(np.zeros(len(pool.couple.need)), 5.0)[1]
    pricer.relaxed, pricer.programme = build_programme(inst, cfg, facts, 0, relaxed=True), None
    found, bound, proven = pricer.price(np.zeros(len(pool.couple.need)), 5.0, relaxed_first=True)
    assert found and proven and math.isfinite(bound)
    assert bound <= exact_min + 1e-6
    assert all(pricer.keeps_rules(p) for p in found)
