"""The dynamic-programme pricing: same optimum as the agent's CP-SAT model, patterns that keep every rule."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from roster_fixtures import DAY, EARLY, LATE, MONDAY, NIGHT, agent, config, instance

from wfm.roster import patterns
from wfm.roster.checker import check_roster, parse_roster
from wfm.roster.domain import ShiftRequest, ShiftTemplate, TimeOff, Weights
from wfm.roster.model import to_assignments
from wfm.roster.options import instance_facts
from wfm.roster.outputs import roster_frame

SHORT = ShiftTemplate("S1000", 10 * 60, 6 * 60, category="day")
TEMPLATES = (EARLY, DAY, LATE, NIGHT, SHORT)


@st.composite
def cases(draw: st.DrawFn) -> tuple:
    """A one-agent instance with random run, weekend, minutes and template limits, requests and integer duals."""
    days = draw(st.integers(7, 15))
    shifts = tuple(t for t in TEMPLATES if draw(st.booleans())) or (DAY,)
    if len(shifts) > 1 and draw(st.booleans()):
        first, second = shifts[0], shifts[-1]
        shifts = (dataclasses.replace(first, not_followed_by=frozenset({second.name})), *shifts[1:])
    most_minutes = draw(st.one_of(st.none(), st.integers(0, days * 480)))
    least_minutes = draw(st.one_of(st.none(), st.integers(0, days * 300))) if most_minutes is not None else None
    limits = {
        "max_consecutive_days": draw(st.integers(1, 7)),
        "min_consecutive_days": draw(st.integers(1, 3)),
        "min_consecutive_days_off": draw(st.integers(1, 3)),
        "max_weekends": draw(st.one_of(st.none(), st.integers(0, 2))),
        "min_total_minutes": least_minutes,
        "max_total_minutes": most_minutes,
        "max_shifts": tuple((t.name, draw(st.integers(0, days))) for t in shifts if draw(st.booleans())),
    }
    leave = draw(st.sets(st.integers(0, days - 1), max_size=3))
    inst = instance(
        (agent("A1", **limits),),
        shifts,
        days=days,
        time_off=tuple(TimeOff("A1", inst_day(d)) for d in sorted(leave)),
    )
    requests = tuple(
        ShiftRequest("A1", draw(st.integers(0, days - 1)), draw(st.sampled_from([None, shifts[0].name])), on, w)
        for on, w in draw(st.lists(st.tuples(st.booleans(), st.integers(1, 3)), max_size=4))
    )
    inst = dataclasses.replace(inst, requests=requests)
    forward = draw(st.booleans())
    weights = Weights(paid_hours=draw(st.integers(0, 1)), days_off_together=0)
    cfg = config(weights, days_off_per_week=0, forward_rotation=forward)
    seed = draw(st.integers(0, 2**31))
    return inst, cfg, seed


def inst_day(day: int) -> date:
    """The date of horizon day `day` of the fixtures' instances."""
    return MONDAY + timedelta(days=day)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_programme_finds_the_cp_sat_optimum_and_its_pattern_keeps_every_rule(case: tuple) -> None:
    inst, cfg, seed = case
    facts = instance_facts(inst, cfg)
    couple = patterns.coupling(inst, cfg, facts)
    pricer = patterns.AgentPricer(inst, cfg, facts, 0, couple)
    assume(pricer.programme is not None)  # else too many states: CP-SAT prices that agent
    rng = np.random.default_rng(seed)
    duals = rng.integers(0, 40, len(couple.need)).astype(float) * (rng.random(len(couple.need)) < 0.3)
    assert pricer.programme is not None
    values = {
        item: pricer.literal_cost.get(item, 0) - patterns.cover_gain(couple, (item,), duals)
        for item, _ in pricer.literals
    }
    found, value = pricer.programme.solve(values, 3)  # directly: `price` would hide a failure behind CP-SAT
    by_cp, bound, proven = pricer.price_cp_sat(duals, 20.0)
    assert proven or not by_cp
    if not by_cp:
        assert found == []
        return
    best_cp = pricer.cost(by_cp[-1]) - patterns.cover_gain(couple, by_cp[-1], duals)
    assert found
    worth = [pricer.cost(p) - patterns.cover_gain(couple, p, duals) for p in found]
    assert abs(worth[-1] - value) < 1e-6 and min(worth) >= value - 1e-6
    assert abs(value - best_cp) < 1e-6 and value >= bound - 1e-6
    assert len(set(found)) == len(found)
    for pattern in found:
        frame = parse_roster(roster_frame(inst, to_assignments(patterns.roster_of([pattern]))))
        violations = check_roster(
            frame, inst.agents, inst.shifts, inst.time_off, cfg, first_day=inst.start, n_days=inst.days
        )
        assert violations == [], violations


def test_rules_outside_the_programme_fall_back_to_cp_sat() -> None:
    inst = instance((agent("A1", skills=("chat", "mail")),), (DAY,), days=14, queues=("chat", "mail"))
    weekly = config(Weights(days_off_together=0), days_off_per_week=2)
    rotating = config(Weights(days_off_together=0), days_off_per_week=0, max_consecutive_queue_days=2)
    plain = config(Weights(days_off_together=0), days_off_per_week=0)
    for cfg, expected in ((weekly, False), (rotating, False), (plain, True)):
        facts = instance_facts(inst, cfg)
        pricer = patterns.AgentPricer(inst, cfg, facts, 0, patterns.coupling(inst, cfg, facts))
        assert (pricer.programme is not None) is expected
