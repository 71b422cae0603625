"""Descent with the skip bound ends at a true local optimum; kicks and iterated local search keep every hard rule."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wfm.roster.best_response import add_plan, best_response, construct_by_response, plan_value, response_context
from wfm.roster.checker import check_roster, parse_roster
from wfm.roster.domain import Config, Instance, RuleSettings
from wfm.roster.local_search import descend, iterated_local_search, kick, objective_of, search_state, to_chosen
from wfm.roster.model import to_assignments
from wfm.roster.options import instance_facts
from wfm.roster.outputs import roster_frame
from wfm.roster.synthetic import synthetic_instance


def _case(seed: int, load: float) -> tuple[Instance, Config]:
    """A small seeded instance on the hour grid (demand above or below the staff's hours)."""
    inst = synthetic_instance(8, 14, interval_minutes=60, n_shifts=8, seed=seed, load=load)
    return inst, Config(RuleSettings(interval_minutes=60))


def _violations(inst: Instance, cfg: Config, chosen: dict) -> list:
    frame = parse_roster(roster_frame(inst, to_assignments(chosen)))
    return check_roster(frame, inst.agents, inst.shifts, inst.time_off, cfg)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10_000), st.sampled_from([0.8, 1.3]))
def test_descent_with_the_skip_bound_ends_where_no_agent_can_improve(seed: int, load: float) -> None:
    inst, cfg = _case(seed, load)
    ctx = response_context(inst, cfg, instance_facts(inst, cfg))
    assert ctx.exact
    chosen = construct_by_response(ctx, list(range(len(inst.agents))))
    assert chosen is not None
    state = search_state(ctx, chosen)
    rng = np.random.default_rng(seed)
    start = objective_of(ctx, state)
    descend(ctx, state, float("inf"), rng)
    assert objective_of(ctx, state) <= start + 1e-6
    for a, plan in state.plans.items():
        others = state.scheduled.copy()
        add_plan(others, ctx, plan, -1)
        found = best_response(ctx, a, others)
        assert found is not None
        current = plan_value(ctx, a, plan, others)
        assert found[1] <= current + 1e-6 * max(1.0, abs(current)), (a, found[1], current)
    assert _violations(inst, cfg, to_chosen(state)) == []


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10_000))
def test_kicks_keep_every_hard_rule_and_search_never_gets_worse(seed: int) -> None:
    inst, cfg = _case(seed, 1.3)
    ctx = response_context(inst, cfg, instance_facts(inst, cfg))
    chosen = construct_by_response(ctx, list(range(len(inst.agents))))
    assert chosen is not None
    state = search_state(ctx, chosen)
    rng = np.random.default_rng(seed)
    for _ in range(3):
        kick(ctx, state, rng, n_agents=3, noise=600.0)
        assert _violations(inst, cfg, to_chosen(state)) == []
    start = objective_of(ctx, search_state(ctx, chosen))
    best, counters = iterated_local_search(ctx, chosen, float("inf"), rng, max_kicks=5)
    assert counters["kicks"] == 5
    assert objective_of(ctx, search_state(ctx, best)) <= start + 1e-6
    assert _violations(inst, cfg, best) == []
