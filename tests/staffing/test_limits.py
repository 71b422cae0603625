"""Search ceilings and bounded work: results unchanged for normal inputs, a quick clean error for extreme ones."""

from __future__ import annotations

import heapq

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import wfm.staffing.chat as chat
import wfm.staffing.erlang as erlang
import wfm.staffing.required as required
from wfm.errors import InputError
from wfm.limits import MAX_AGENTS_PER_INTERVAL
from wfm.scenarios import water_fill
from wfm.staffing.calibrated import required_agents_calibrated, simple_parameters
from wfm.staffing.erlang import erlang_a_metrics, erlang_b, erlang_c_metrics
from wfm.staffing.required import StaffingLimitError, required_agents_erlang_a, required_agents_erlang_c
from wfm.staffing.targets import ServiceTargets

SECONDS = 1800.0


def _recursion(n: int, a: float) -> float:
    """Erlang B by the plain recursion (the reference)."""
    b = 1.0
    for k in range(1, n + 1):
        b = a * b / (k + a * b)
    return b


def _met(targets: ServiceTargets, m) -> bool:
    return bool(np.ravel(targets.met(m.service_level, m.asa_seconds, m.occupancy))[0])


targets_strategy = st.builds(
    ServiceTargets,
    service_level=st.sampled_from([None, 0.5, 0.8, 0.95]),
    answer_seconds=st.sampled_from([0.0, 10.0, 20.0, 60.0]),
    asa_seconds=st.sampled_from([None, 5.0, 30.0]),
    max_occupancy=st.sampled_from([None, 0.7, 0.85]),
).filter(lambda t: t.service_level is not None or t.asa_seconds is not None or t.max_occupancy is not None)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(0, 3000), a=st.floats(0.0, 4000.0))
def test_erlang_b_matches_the_recursion(n: int, a: float) -> None:
    assert erlang_b(n, a)[()] == pytest.approx(_recursion(n, a), rel=1e-9, abs=1e-300)


@settings(max_examples=40, deadline=None)
@given(volume=st.floats(1.0, 3000.0), aht=st.floats(20.0, 1200.0), targets=targets_strategy)
def test_erlang_c_answer_is_the_fewest_agents_meeting_the_targets(volume: float, aht: float, targets) -> None:
    n = int(required_agents_erlang_c(volume, SECONDS, aht, targets).agents[0])
    traffic = volume * aht / SECONDS
    assert _met(targets, erlang_c_metrics(n, traffic, aht, targets.answer_seconds))
    assert n == 1 or not _met(targets, erlang_c_metrics(n - 1, traffic, aht, targets.answer_seconds))


@settings(max_examples=30, deadline=None)
@given(
    volume=st.floats(1.0, 3000.0),
    aht=st.floats(20.0, 900.0),
    patience=st.floats(5.0, 900.0),
    targets=targets_strategy,
)
def test_erlang_a_answer_is_the_fewest_agents_meeting_the_targets(volume, aht, patience, targets) -> None:
    n = int(required_agents_erlang_a(volume, SECONDS, aht, patience, targets).agents[0])
    lam = volume / SECONDS
    assert _met(targets, erlang_a_metrics(n, lam, aht, patience, targets.answer_seconds))
    assert n == 0 or not _met(targets, erlang_a_metrics(n - 1, lam, aht, patience, targets.answer_seconds))


@settings(max_examples=25, deadline=None)
@given(volume=st.floats(1.0, 800.0), aht=st.floats(60.0, 900.0), targets=targets_strategy)
def test_chat_answer_is_the_fewest_agents_meeting_the_targets(volume, aht, targets) -> None:
    factors = (1.0, 1.25, 1.6)
    n = int(chat.required_agents_chat(volume, SECONDS, aht, factors, targets).agents[0])
    lam = volume / SECONDS
    assert _met(targets, chat.chat_metrics(n, lam, aht, factors, targets.answer_seconds))
    assert n == 1 or not _met(targets, chat.chat_metrics(n - 1, lam, aht, factors, targets.answer_seconds))


def test_erlang_a_far_below_erlang_c_is_found_with_few_evaluations(monkeypatch) -> None:
    """Impatient callers and a low target: the answer is hundreds of agents below Erlang C's, found by bisection."""
    calls = []
    original = required._erlang_a_from_b
    monkeypatch.setattr(required, "_erlang_a_from_b", lambda *a: calls.append(1) or original(*a))
    targets = ServiceTargets(0.5, 20.0, asa_seconds=30.0)
    volume, aht, patience = 435.5 * SECONDS / 1040.0, 1040.0, 21.76
    n = int(required_agents_erlang_a(volume, SECONDS, aht, patience, targets).agents[0])
    assert n == 251  # SL 0.5001 at 251 agents, 0.4970 at 250 (the old downward recursion drifted to 1 agent)
    assert len(calls) < 40


def test_erlang_a_with_no_waiting_target_stops_quickly(monkeypatch) -> None:
    calls = []
    original = required._erlang_a_from_b
    monkeypatch.setattr(required, "_erlang_a_from_b", lambda *a: calls.append(1) or original(*a))
    volume = 20_000 * SECONDS / 600.0  # 20,000 Erlangs
    result = required_agents_erlang_a(volume, SECONDS, 600.0, 300.0, ServiceTargets(0.0, 20.0))
    assert result.agents[0] == 0 and len(calls) < 80


def test_a_start_above_the_agent_ceiling_is_an_error_before_any_evaluation(monkeypatch) -> None:
    calls = []
    monkeypatch.setattr(required, "_erlang_c_from_c", lambda *a: calls.append(1))
    volume = 20_000 * SECONDS / 600.0
    with pytest.raises(StaffingLimitError, match="at least 66,667 agents in one interval, above the ceiling 50,000"):
        required_agents_erlang_c([10.0, volume], SECONDS, 600.0, ServiceTargets(0.8, 20.0, max_occupancy=0.3))
    assert calls == []


class _Unreachable(ServiceTargets):
    """Targets no staffing meets."""

    def met(self, service_level, asa_seconds, occupancy):
        return np.zeros(np.shape(service_level), dtype=bool)


def test_an_unreachable_target_stops_at_the_traffic_ceiling(monkeypatch) -> None:
    """The search stops at start + 20·√A + 100 agents with an error naming the interval."""
    calls = []
    original = required._erlang_c_from_c
    monkeypatch.setattr(required, "_erlang_c_from_c", lambda *a: calls.append(1) or original(*a))
    with pytest.raises(StaffingLimitError, match="search ceiling") as exc:
        required_agents_erlang_c([0.0, 100.0], SECONDS, 18.0, _Unreachable())
    assert exc.value.interval == 1
    assert len(calls) == 1 + 20 + 100  # traffic 1 Erlang: start 2, ceiling 2 + 20 + 100


def test_traffic_above_the_ceiling_is_an_error(monkeypatch) -> None:
    with pytest.raises(StaffingLimitError, match="above the ceiling 20,000 Erlangs"):
        required_agents_erlang_c([1e9], SECONDS, 600.0, ServiceTargets())
    with pytest.raises(StaffingLimitError, match="above the ceiling 20,000 Erlangs"):
        chat.required_agents_chat([np.inf], SECONDS, 600.0, (1.0,), ServiceTargets())


def test_chat_occupancy_floor_beyond_the_ceiling_is_an_error_before_any_chain(monkeypatch) -> None:
    calls = []
    monkeypatch.setattr(chat, "chat_metrics", lambda *a: calls.append(1))
    volume = 20_000 * SECONDS / 600.0
    with pytest.raises(StaffingLimitError, match="above the ceiling 50,000"):
        chat.required_agents_chat(volume, SECONDS, 600.0, (1.0, 1.25, 1.6), ServiceTargets(0.8, 30, max_occupancy=0.01))
    assert calls == []


def test_calibrated_search_stops_at_the_agent_ceiling() -> None:
    params = simple_parameters(availability=0.5, patience_seconds=300.0, aht_cv=1.5, swing=0.3)
    volume = 20_000 * SECONDS / 600.0
    with pytest.raises(InputError, match=f"more than {MAX_AGENTS_PER_INTERVAL:,} agents"):
        required_agents_calibrated(params, [volume], SECONDS, 600.0, ServiceTargets(0.8, 20.0))


def test_chat_blocks_stay_within_the_cell_budget(monkeypatch) -> None:
    """One huge interval among small ones: every block holds at most the budget (or one interval)."""
    sizes = []
    original = chat._chat_block

    def spy(rows, n, *rest):
        sizes.append((rows.size, int(n[rows].max()) * 3 + 1))
        return original(rows, n, *rest)

    monkeypatch.setattr(chat, "_chat_block", spy)
    monkeypatch.setattr(chat, "_CHUNK_CELLS", 2_000)
    agents = np.r_[np.full(300, 4), 2_000]
    lam = np.r_[np.full(300, 0.01), 2.0]
    small_budget = chat.chat_metrics(agents, lam, 300.0, (1.0, 1.25, 1.6), 30.0)
    monkeypatch.setattr(chat, "_CHUNK_CELLS", 1 << 20)
    default = chat.chat_metrics(agents, lam, 300.0, (1.0, 1.25, 1.6), 30.0)
    assert all(rows * states <= 2_000 or rows == 1 for rows, states in sizes[: len(sizes) // 2])
    np.testing.assert_allclose(small_budget.service_level, default.service_level, rtol=1e-12)


def test_erlang_a_blocks_split_when_the_chain_is_long(monkeypatch) -> None:
    """A small cell budget splits blocks of long chains: memory per block is bounded, the metrics are the same."""
    shapes = []
    original = erlang._queue_log_weights

    def spy(*args):
        out = original(*args)
        if out is not None:
            shapes.append(out.shape)
        return out

    n = np.r_[np.full(64, 20), 400]
    lam = np.r_[np.full(64, 0.01), 0.8]
    default = erlang_a_metrics(n, lam, 500.0, np.r_[np.full(64, 300.0), 3000.0], 20.0)
    monkeypatch.setattr(erlang, "_queue_log_weights", spy)
    monkeypatch.setattr(erlang, "_CHUNK_CELLS", 4_096)
    small = erlang_a_metrics(n, lam, 500.0, np.r_[np.full(64, 300.0), 3000.0], 20.0)
    assert all(rows * states <= 4_096 or rows == 1 for rows, states in shapes)
    for name in ("service_level", "p_abandon", "asa_seconds"):
        np.testing.assert_allclose(getattr(small, name), getattr(default, name), rtol=1e-9, atol=1e-15)


def _heap_fill(gaps: list[int], units: int) -> list[int]:
    """The original placement: one unit at a time to the largest gap, ties to the first row."""
    heap = [(-float(g), r) for r, g in enumerate(gaps)]
    heapq.heapify(heap)
    added = [0] * len(gaps)
    for _ in range(units):
        if not heap:
            break
        g, r = heapq.heappop(heap)
        added[r] += 1
        heapq.heappush(heap, (g + 1.0, r))
    return added


@settings(max_examples=200, deadline=None)
@given(gaps=st.lists(st.integers(-20, 40), max_size=30), units=st.integers(0, 400))
def test_water_fill_places_like_one_at_a_time(gaps: list[int], units: int) -> None:
    assert water_fill(np.array(gaps), units).tolist() == _heap_fill(gaps, units)


def test_water_fill_of_millions_of_units_is_immediate() -> None:
    added = water_fill(np.array([5, 3, 0]), 120_000 * 60)
    assert added.sum() == 120_000 * 60 and added.max() - added.min() <= 6
