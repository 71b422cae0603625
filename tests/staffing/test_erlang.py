"""Erlang B/C/A against published reference values and their known laws."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wfm.staffing import (
    ServiceTargets,
    erlang_a_metrics,
    erlang_b,
    erlang_c_metrics,
    required_agents_erlang_a,
    required_agents_erlang_c,
    scheduled_from_net,
)


def test_erlang_b_reference_values() -> None:
    assert erlang_b([10, 15, 20], 10.0) == pytest.approx([0.2146, 0.0365, 0.00187], abs=5e-5)


def test_erlang_b_of_zero_agents_is_one() -> None:
    assert erlang_b(0, 3.0) == pytest.approx(1.0)


def test_erlang_c_100_calls_30_minutes() -> None:
    m = erlang_c_metrics(14, 10.0, 180.0, 20.0)
    assert round(float(m.p_wait), 4) == 0.1741
    assert round(float(m.service_level), 4) == 0.8884
    assert round(float(m.asa_seconds), 1) == 7.8
    assert round(float(m.occupancy), 3) == 0.714


def test_required_100_calls_with_shrinkage_and_occupancy_cap() -> None:
    plain = required_agents_erlang_c(100, 1800, 180, ServiceTargets(0.8, 20))
    assert plain.agents.tolist() == [14]
    assert scheduled_from_net(plain.agents, 0.3).tolist() == [20]
    capped = required_agents_erlang_c(100, 1800, 180, ServiceTargets(0.8, 20, max_occupancy=0.70))
    assert capped.agents.tolist() == [15]
    assert scheduled_from_net(capped.agents, 0.3).tolist() == [22]


def test_1000_calls_an_hour_occupancy_cap_binds_at_40() -> None:
    r = required_agents_erlang_c(1000, 3600, 120, ServiceTargets(0.8, 20, max_occupancy=0.85))
    assert r.agents.tolist() == [40]
    assert round(float(r.metrics.p_wait[0]), 4) == 0.1907
    assert round(float(r.metrics.service_level[0]), 4) == 0.9372
    assert round(float(r.metrics.asa_seconds[0]), 2) == 3.43
    at35 = erlang_c_metrics(35, 1000 * 120 / 3600, 120, 20)
    assert round(float(at35.p_wait), 4) == 0.6965
    assert round(float(at35.service_level), 4) == 0.4724
    assert round(float(at35.asa_seconds), 2) == 50.15


def test_erlang_a_reference() -> None:
    m = erlang_a_metrics(14, 100 / 1800, 180, 300, 20)
    assert round(float(m.p_wait), 5) == 0.14526
    assert round(float(m.p_abandon), 6) == 0.013984
    assert round(float(m.service_level), 6) == 0.916792
    assert round(float(m.asa_seconds) / 60, 6) == 0.069919


def test_shrinkage_ceiling_is_exact() -> None:
    assert scheduled_from_net(21, 0.3).tolist() == 30  # math.ceil(21 / 0.7) would give 31
    assert scheduled_from_net(14, 0.3).tolist() == 20


def test_no_volume_needs_no_agents_unless_a_minimum_is_set() -> None:
    assert required_agents_erlang_c([0, 0], 900, 300, ServiceTargets(0.8, 20)).agents.tolist() == [0, 0]
    r = required_agents_erlang_c([0, 50], 900, 300, ServiceTargets(0.8, 20, min_agents=2))
    assert r.agents[0] == 0 and r.agents[1] >= 2


def test_asa_target_is_respected_and_can_be_the_binding_one() -> None:
    sl_only = required_agents_erlang_c(300, 900, 240, ServiceTargets(0.8, 20))
    strict = required_agents_erlang_c(300, 900, 240, ServiceTargets(0.8, 20, asa_seconds=2.0))
    assert strict.agents[0] > sl_only.agents[0]
    assert strict.metrics.asa_seconds[0] <= 2.0
    below = erlang_c_metrics(strict.agents - 1, 300 * 240 / 900, 240, 20)
    assert below.asa_seconds[0] > 2.0


def test_agents_at_or_below_traffic_are_not_enough() -> None:
    m = erlang_c_metrics([5, 10], 10.0, 180, 20)
    assert m.p_wait.tolist() == [1.0, 1.0]
    assert m.service_level.tolist() == [0.0, 0.0]
    assert np.isinf(m.asa_seconds).all()


def test_required_agents_are_minimal() -> None:
    rng = np.random.default_rng(7)
    volume = rng.uniform(1, 800, 400)
    aht = rng.uniform(60, 900, 400)
    targets = ServiceTargets(0.8, 20, max_occupancy=0.9)
    r = required_agents_erlang_c(volume, 900, aht, targets)
    m_at = erlang_c_metrics(r.agents, volume * aht / 900, aht, 20)
    m_below = erlang_c_metrics(r.agents - 1, volume * aht / 900, aht, 20)
    assert targets.met(m_at.service_level, m_at.asa_seconds, m_at.occupancy).all()
    assert not targets.met(m_below.service_level, m_below.asa_seconds, m_below.occupancy).any()


def test_erlang_a_required_agents_are_minimal() -> None:
    rng = np.random.default_rng(3)
    volume = rng.uniform(1, 600, 200)
    aht = rng.uniform(60, 600, 200)
    patience = rng.uniform(30, 600, 200)
    targets = ServiceTargets(0.8, 20)
    r = required_agents_erlang_a(volume, 900, aht, patience, targets)
    at = erlang_a_metrics(r.agents, volume / 900, aht, patience, 20)
    below = erlang_a_metrics(r.agents - 1, volume / 900, aht, patience, 20)
    assert (at.service_level >= 0.8).all()
    assert (below.service_level < 0.8).all()
    assert r.metrics.service_level == pytest.approx(at.service_level)


traffic = st.floats(0.05, 300.0)


@settings(max_examples=60, deadline=None)
@given(traffic=traffic, aht=st.floats(10, 1200), t=st.floats(0, 120))
def test_service_level_rises_with_agents(traffic: float, aht: float, t: float) -> None:
    n = np.arange(1, int(traffic * 2) + 30)
    sl = erlang_c_metrics(n, traffic, aht, t).service_level
    assert np.all(np.diff(sl) >= -1e-12)
    assert np.all((sl >= 0) & (sl <= 1))


@settings(max_examples=40, deadline=None)
@given(
    traffic=traffic,
    extra=st.integers(0, 20),
    aht=st.floats(30, 900),
    t=st.floats(0, 60),
    patience=st.floats(5, 3600),
)
def test_erlang_a_probabilities_in_range_and_monotone(
    traffic: float, extra: int, aht: float, t: float, patience: float
) -> None:
    n = np.arange(max(1, int(traffic) - 5), int(traffic) + extra + 6)
    m = erlang_a_metrics(n, traffic / aht, aht, patience, t)
    for p in (m.p_wait, m.p_abandon, m.service_level, m.occupancy):
        assert np.all((p >= 0) & (p <= 1))
    assert np.all(np.diff(m.service_level) >= -1e-9)
    assert np.all(np.diff(m.p_abandon) <= 1e-9)


@settings(max_examples=40, deadline=None)
@given(traffic=st.floats(0.1, 80), spare=st.integers(1, 15), aht=st.floats(30, 600), t=st.floats(0, 60))
def test_erlang_a_tends_to_erlang_c_as_patience_grows(traffic: float, spare: int, aht: float, t: float) -> None:
    n = int(np.floor(traffic)) + spare
    c = erlang_c_metrics(n, traffic, aht, t)
    # "patient" is relative to the wait: many times the conditional mean wait AHT / (n − A) of Erlang C
    patience = 1e6 * aht / (n - traffic)
    a = erlang_a_metrics(n, traffic / aht, aht, patience, t)
    assert float(a.p_wait) == pytest.approx(float(c.p_wait), abs=1e-4)
    assert float(a.service_level) == pytest.approx(float(c.service_level), abs=1e-4)
    assert float(a.p_abandon) < 1e-4


@settings(max_examples=60, deadline=None)
@given(traffic=st.floats(0.01, 500), below=st.integers(0, 50))
def test_erlang_c_is_one_when_agents_do_not_exceed_traffic(traffic: float, below: int) -> None:
    n = max(0, int(np.floor(traffic)) - below)
    assert float(erlang_c_metrics(n, traffic, 180, 20).p_wait) == 1.0


@settings(max_examples=60, deadline=None)
@given(volume=st.floats(0, 3000), aht=st.floats(10, 900), shrinkage=st.integers(0, 950).map(lambda x: x / 1000))
def test_shrinkage_never_changes_the_net_count(volume: float, aht: float, shrinkage: float) -> None:
    targets = ServiceTargets(0.8, 20, max_occupancy=0.85)
    net = required_agents_erlang_c(volume, 900, aht, targets).agents
    scheduled = scheduled_from_net(net, shrinkage)
    assert (scheduled >= net).all()
    assert (np.floor(scheduled * (1 - shrinkage) + 1e-9) >= net).all()
    assert (scheduled - 1 < net / (1 - shrinkage) + 1e-9).all()


def test_invalid_targets_are_refused() -> None:
    with pytest.raises(ValueError):
        ServiceTargets(1.0, 20)
    with pytest.raises(ValueError):
        ServiceTargets(0.8, 20, max_occupancy=0)
    with pytest.raises(ValueError):
        scheduled_from_net(10, 1.0)


def test_erlang_a_with_many_idle_agents_has_no_waiting() -> None:
    """Erlang B underflows to 0 here; P(wait) must follow it to 0, not jump to 1."""
    m = erlang_a_metrics([171, 500], 1 / 180, 180.0, 180.0, 20.0)
    assert m.p_wait.tolist() == pytest.approx([0.0, 0.0], abs=1e-12)
    assert m.service_level.tolist() == pytest.approx([1.0, 1.0])
    assert m.occupancy.tolist() == pytest.approx([1 / 171, 1 / 500])
