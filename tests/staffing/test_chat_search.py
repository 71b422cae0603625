"""Chat staffing search: the same agents (or error) as one agent at a time, with chain solves growing with log(n)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import wfm.staffing.chat as chat
from wfm.staffing.required import StaffingLimitError, agent_ceiling, raise_if_at_ceiling
from wfm.staffing.targets import ServiceTargets

SECONDS = 1800.0
METRICS = ("p_wait", "service_level", "asa_seconds", "occupancy", "p_abandon")
DEFAULT_FACTORS = (1.0, 1.25, 1.5)


def _linear_reference(volume, seconds, aht, factors, targets):
    """The plain search: from the search start up one agent at a time, stopping at the search ceiling."""
    lam = np.asarray(volume, dtype=float) / seconds
    aht = np.broadcast_to(np.asarray(aht, dtype=float), lam.shape)
    k = len(factors)
    agents = np.zeros(lam.size, dtype=np.int64)
    metrics = {name: np.zeros(lam.size) for name in METRICS}
    metrics["service_level"][:] = 1.0
    active = np.flatnonzero(lam > 0)
    traffic = lam[active] * aht[active]
    n = chat._chat_search_start(traffic, traffic * factors[-1] / k, factors, targets)
    ceiling = agent_ceiling(traffic * factors[-1] / k, n)
    while active.size:
        m = chat.chat_metrics(n, lam[active], aht[active], factors, targets.answer_seconds)
        ok = targets.met(m.service_level, m.asa_seconds, m.occupancy)
        raise_if_at_ceiling(~ok, n, ceiling, active)
        agents[active[ok]] = n[ok]
        for name in METRICS:
            metrics[name][active[ok]] = getattr(m, name)[ok]
        active, n, ceiling = active[~ok], n[~ok] + 1, ceiling[~ok]
    return agents, metrics


def _outcome(search, *args):
    """Agents and metrics, or the error message and interval."""
    try:
        result = search(*args)
    except StaffingLimitError as exc:
        return "error", (str(exc), exc.interval), None
    if isinstance(result, tuple):
        return "agents", result[0].tolist(), result[1]
    return "agents", result.agents.tolist(), {name: getattr(result.metrics, name) for name in METRICS}


def _assert_same_as_reference(volume, seconds, aht, factors, targets) -> None:
    kind, value, metrics = _outcome(chat.required_agents_chat, volume, seconds, aht, factors, targets)
    expected_kind, expected_value, expected_metrics = _outcome(
        _linear_reference, volume, seconds, aht, factors, targets
    )
    assert (kind, value) == (expected_kind, expected_value)
    if metrics is not None:
        for name in METRICS:
            np.testing.assert_allclose(metrics[name], expected_metrics[name], rtol=1e-12, atol=1e-15)


class _CountChains:
    """Counts chat_metrics calls and the interval chains solved in them."""

    def __init__(self, monkeypatch) -> None:
        self.calls = 0
        self.chains = 0
        original = chat.chat_metrics

        def counting(agents, *rest):
            self.calls += 1
            self.chains += int(np.size(agents))
            return original(agents, *rest)

        monkeypatch.setattr(chat, "chat_metrics", counting)


targets_strategy = st.builds(
    ServiceTargets,
    service_level=st.sampled_from([None, 0.5, 0.8, 0.95, 0.99]),
    answer_seconds=st.sampled_from([0.0, 10.0, 30.0, 120.0]),
    asa_seconds=st.sampled_from([None, None, 5.0, 60.0]),
    max_occupancy=st.sampled_from([None, 0.6, 0.85, 1.0]),
    min_agents=st.sampled_from([0, 0, 0, 4]),
).filter(lambda t: t.service_level is not None or t.asa_seconds is not None or t.max_occupancy is not None)

factors_strategy = st.tuples(
    st.lists(st.floats(0.05, 20.0), min_size=1, max_size=5), st.sampled_from(["sorted", "sorted", "as drawn"])
).map(lambda fs: tuple(sorted(fs[0])) if fs[1] == "sorted" else tuple(fs[0]))


@settings(max_examples=150, deadline=None)
@given(
    volume=st.lists(st.one_of(st.just(0.0), st.floats(0.01, 400.0)), min_size=1, max_size=12),
    aht=st.floats(20.0, 900.0),
    factors=factors_strategy,
    targets=targets_strategy,
)
def test_search_returns_what_one_agent_at_a_time_returns(volume, aht, factors, targets) -> None:
    _assert_same_as_reference(np.array(volume), SECONDS, aht, factors, targets)


@settings(max_examples=20, deadline=None)
@given(
    traffic=st.lists(st.floats(200.0, 1500.0), min_size=1, max_size=4),
    targets=targets_strategy,
    slowdown=st.sampled_from([0.0, 0.25, 0.6]),
)
def test_search_matches_the_reference_on_medium_queues(traffic, targets, slowdown) -> None:
    factors = tuple(1.0 + slowdown * c for c in range(3))
    aht = 400.0
    _assert_same_as_reference(np.array(traffic) * SECONDS / aht, SECONDS, aht, factors, targets)


@settings(max_examples=40, deadline=None)
@given(
    rate=st.floats(0.001, 0.5),
    aht=st.floats(30.0, 900.0),
    factors=st.lists(st.floats(0.05, 20.0), min_size=1, max_size=5).map(lambda f: tuple(sorted(f))),
    t=st.sampled_from([0.0, 20.0, 60.0]),
)
def test_metrics_are_monotone_in_agents_when_factors_do_not_decrease(rate, aht, factors, t) -> None:
    """What the bisection relies on: SL up, P(wait), ASA and slot occupancy down as agents are added."""
    k = len(factors)
    first = int(np.floor(rate * aht * factors[-1] / k)) + 1
    m = chat.chat_metrics(np.arange(first, first + 60), rate, aht, factors, t)
    assert np.all(np.diff(m.service_level) >= -1e-12)
    for values in (m.p_wait, m.asa_seconds, m.occupancy):
        assert np.all(np.diff(values) <= 1e-12 * np.maximum(np.abs(values[:-1]), 1.0))


def test_near_the_traffic_ceiling_two_chains_per_interval_suffice(monkeypatch) -> None:
    """99 % of MAX_TRAFFIC_ERLANGS, concurrency 3: 10,880 agents (979 above the start) from an estimate in 2 probes."""
    count = _CountChains(monkeypatch)
    volume = np.full(4, 0.99 * 20_000 * 900 / 600)
    r = chat.required_agents_chat(volume, 900.0, 600.0, DEFAULT_FACTORS, ServiceTargets(0.8, 30, max_occupancy=0.85))
    assert r.agents.tolist() == [10_880] * 4
    assert count.calls <= 4 and count.chains <= 4 * 4  # one agent at a time: 980 calls


@pytest.mark.parametrize(
    "targets",
    [
        ServiceTargets(0.8, 30, max_occupancy=0.85),
        ServiceTargets(0.95, 10, asa_seconds=5),
        ServiceTargets(None, 30, max_occupancy=0.8),
    ],
)
def test_without_a_useful_estimate_the_chain_solves_grow_with_log_agents(monkeypatch, targets) -> None:
    """The estimate only places the first probe: from the search start, doubling steps and bisection find it."""
    monkeypatch.setattr(chat, "_chat_estimate", lambda lam, *rest: np.ones(lam.size, dtype=np.int64))
    traffic, aht = 19_800.0, 600.0
    reference = chat.required_agents_chat(traffic * 900 / aht, 900.0, aht, DEFAULT_FACTORS, targets).agents[0]
    count = _CountChains(monkeypatch)
    r = chat.required_agents_chat(traffic * 900 / aht, 900.0, aht, DEFAULT_FACTORS, targets)
    assert r.agents[0] == reference
    start = chat._chat_search_start(np.array([traffic]), np.array([traffic * 1.5 / 3]), DEFAULT_FACTORS, targets)[0]
    distance = int(reference - start)
    assert count.calls <= 2 * int(np.ceil(np.log2(distance + 2))) + 2


def test_ordinary_volumes_need_no_more_chains_than_one_agent_at_a_time(monkeypatch) -> None:
    volume = np.r_[np.zeros(8), np.linspace(1, 150, 40), np.linspace(150, 1, 40), np.zeros(8)]
    targets = ServiceTargets(0.8, 30, max_occupancy=0.85)
    monkeypatch.setattr(chat, "_monotone_in_agents", lambda factors: False)
    linear = _CountChains(monkeypatch)
    expected = chat.required_agents_chat(volume, 900.0, 600.0, DEFAULT_FACTORS, targets).agents
    monkeypatch.undo()
    search = _CountChains(monkeypatch)
    assert (
        chat.required_agents_chat(volume, 900.0, 600.0, DEFAULT_FACTORS, targets).agents.tolist() == expected.tolist()
    )
    assert search.chains <= linear.chains and search.calls <= linear.calls


class _Unreachable(ServiceTargets):
    """Targets no staffing meets."""

    def met(self, service_level, asa_seconds, occupancy):
        return np.zeros(np.shape(service_level), dtype=bool)


def test_an_unreachable_target_names_the_interval_the_linear_search_names(monkeypatch) -> None:
    """The interval with the fewest steps from its start to its ceiling (then the first), with few chain solves."""
    volume = np.array([0.0, 40.0, 3.0, 900.0, 3.0, 60.0])
    errors = []
    for monotone in (False, True):
        monkeypatch.setattr(chat, "_monotone_in_agents", lambda factors, monotone=monotone: monotone)
        count = _CountChains(monkeypatch)
        with pytest.raises(StaffingLimitError, match="search ceiling") as exc:
            chat.required_agents_chat(volume, SECONDS, 300.0, DEFAULT_FACTORS, _Unreachable())
        errors.append((str(exc.value), exc.value.interval, count.calls))
    (linear_message, linear_interval, linear_calls), (message, interval, calls) = errors
    assert (message, interval) == (linear_message, linear_interval) == (linear_message, 2)
    assert linear_calls > 100 and calls < 20


def test_unreachable_at_high_traffic_is_found_without_stepping(monkeypatch) -> None:
    count = _CountChains(monkeypatch)
    volume = 19_800 * SECONDS / 600.0
    with pytest.raises(StaffingLimitError, match="search ceiling") as exc:
        chat.required_agents_chat([1.0, volume], SECONDS, 600.0, DEFAULT_FACTORS, _Unreachable())
    traffic = np.array([600.0 / SECONDS, 19_800.0])
    start = chat._chat_search_start(traffic, traffic * 1.5 / 3, DEFAULT_FACTORS, _Unreachable())
    steps = agent_ceiling(traffic * 1.5 / 3, start) - start
    assert exc.value.interval == int(np.argmin(steps))
    assert count.calls < 40  # one agent at a time: 20·√9,900 + 100 ≈ 2,090 solves
