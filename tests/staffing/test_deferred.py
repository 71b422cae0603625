"""Deferred work on the open-hours clock: exact on-time work, overdue backlog, the spread capacity profile."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wfm.staffing.deferred import (
    OpenClock,
    deferred_outcome,
    late_work_seconds,
    marginal_on_time_seconds,
    spread_capacity,
)

S = 900.0  # a 15-minute interval


def _simulated_on_time(work, capacity, is_open, response_seconds, steps=200):
    """Brute force: small time steps on the open clock, FIFO lots of work, each lot's finish against its deadline."""
    clock = OpenClock.of(is_open)
    points, uniform = clock.point(work), clock.uniform(work)
    cap_points, cap_uniform = clock.point(capacity), clock.uniform(capacity)
    window = response_seconds / S
    n = clock.n_slots + 1 + int(np.ceil(window)) + 2
    pad = n - points.size
    points, uniform = np.pad(points, (0, pad)), np.pad(uniform, (0, pad))
    cap_points, cap_uniform = np.pad(cap_points, (0, pad)), np.pad(cap_uniform, (0, pad))
    lots = []  # [arrival τ, amount left, amount, slot]
    on_time = np.zeros(n)
    for k in range(n):
        lots.extend([float(k), points[k] / steps, points[k] / steps, k] for _ in range(steps))
        budget = cap_points[k]
        for step in range(steps):
            tau = k + step / steps
            if step:
                lots.append([tau, uniform[k] / steps, uniform[k] / steps, k])
            budget += cap_uniform[k] / steps if step else 0.0
            for lot in lots:
                if budget <= 0:
                    break
                take = min(budget, lot[1])
                lot[1] -= take
                budget -= take
                if lot[1] <= 1e-12 and lot[2] > 0 and tau <= lot[0] + window + 1e-9:
                    on_time[lot[3]] += lot[2]
                    lot[2] = 0.0
            budget = 0.0 if step else budget
            lots = [lot for lot in lots if lot[1] > 1e-12]
        lots.append([float(k + 1) - 1e-12, 0.0, 0.0, k])
    return on_time[: clock.n_slots + 1].sum()


def test_work_served_as_it_arrives_is_on_time() -> None:
    out = deferred_outcome([900, 0, 0, 0], [900, 0, 0, 0], [1, 1, 1, 1], S, 900)
    assert out.on_time_seconds.tolist() == [900, 0, 0, 0]
    assert out.backlog_seconds.tolist() == [0, 0, 0, 0]


def test_capacity_two_intervals_later_misses_a_one_interval_window() -> None:
    # 900 s arrive uniformly in interval 0, all the capacity is in interval 2: every item is done after its deadline
    out = deferred_outcome([900, 0, 0, 0], [0, 0, 900, 0], [1, 1, 1, 1], S, 900)
    assert out.on_time_seconds.sum() == 0
    assert out.overdue_seconds.tolist() == [0, 900, 0, 0]  # due by the end of 1, served during 2
    assert late_work_seconds([900, 0, 0, 0], [0, 0, 900, 0], [1, 1, 1, 1], S, 900) == 900


def test_half_the_capacity_at_the_deadline_finishes_exactly_in_time() -> None:
    # items at x ∈ [0,1] of interval 1 are due at 2 + x; served S(2 + x) = 450 + 450x ≥ 900x for every x ≤ 1
    out = deferred_outcome([0, 900, 0, 0], [0, 450, 450, 0], [1, 1, 1, 1], S, 900)
    assert out.on_time_seconds.tolist() == [0, 900, 0, 0]


def test_a_partly_late_interval_is_split_exactly() -> None:
    # 900 s in interval 0, 600 s of capacity in interval 1 only, window 1 interval: item x is due at 1 + x and
    # served S(1 + x) = 600x ≥ 900x only at x = 0, so nothing is on time; with 1200 s: 1200x ≥ 900x always
    assert deferred_outcome([900, 0, 0], [0, 600, 0], [1, 1, 1], S, 900).on_time_seconds.sum() == 0
    assert deferred_outcome([900, 0, 0], [0, 1200, 0], [1, 1, 1], S, 900).on_time_seconds.sum() == 900
    # window 1.5 intervals: due at 1.5 + x, S = 600·min(1, 0.5 + x) ≥ 900x ⇔ x ≤ 2/3 → 600 s on time
    assert deferred_outcome([900, 0, 0], [0, 600, 0], [1, 1, 1], S, 1350).on_time_seconds.sum() == pytest.approx(600)


def test_overnight_backlog_is_due_at_opening_plus_the_window() -> None:
    # closed intervals 0 and 1 collect 900 s due at the opening + 1 interval; 600 s of capacity by then: 2/3 on
    # time, shared pro rata by the closed intervals that brought the work
    out = deferred_outcome([600, 300, 0, 0], [0, 0, 600, 300], [0, 0, 1, 1], S, 900)
    assert out.on_time_seconds.tolist() == pytest.approx([400, 200, 0, 0])
    assert out.overdue_seconds.tolist() == pytest.approx([0, 0, 300, 0])


def test_work_after_the_horizon_is_judged_against_the_tail_capacity() -> None:
    late = deferred_outcome([0, 900], [0, 0], [1, 1], S, 900)
    assert late.on_time_seconds.sum() == 0
    tail = deferred_outcome([0, 900], [0, 0], [1, 1], S, 900, tail_capacity=[900])
    assert tail.on_time_seconds.sum() == pytest.approx(900)


@settings(max_examples=15, deadline=None)
@given(
    data=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3), st.booleans()), min_size=2, max_size=7),
    window=st.sampled_from([317.0, 911.0, 1373.0, 2719.0]),  # off the work quanta: no finish exactly at a deadline
)
def test_exact_on_time_work_matches_a_fine_simulation(data, window) -> None:
    work = np.array([w * 300.0 for w, _, _ in data])
    capacity = np.array([c * 300.0 for _, c, _ in data])
    is_open = np.array([o for _, _, o in data])
    exact = deferred_outcome(work, capacity, is_open, S, window).on_time_seconds.sum()
    assert exact == pytest.approx(_simulated_on_time(work, capacity, is_open, window), abs=0.02 * work.sum() + 1e-6)


@settings(max_examples=40, deadline=None)
@given(
    work=st.lists(st.floats(0, 5000), min_size=1, max_size=40),
    closed=st.lists(st.booleans(), min_size=40, max_size=40),
    response=st.sampled_from([300.0, 900.0, 1000.0, 3600.0, 7200.0, 86400.0]),
)
def test_the_spread_capacity_finishes_everything_on_time(work, closed, response) -> None:
    work = np.array(work)
    is_open = ~np.array(closed[: work.size])
    if not is_open.any():
        is_open[-1] = True
    capacity, tail = spread_capacity(work, is_open, S, response)
    assert capacity[~is_open].sum() == 0
    assert capacity.sum() + tail.sum() >= work.sum() * (1 - 1e-9)
    if response >= S:  # no capacity beyond the work itself; under one interval the opening backlog needs P·S/R
        assert capacity.sum() + tail.sum() == pytest.approx(work.sum())
    out = deferred_outcome(work, capacity, is_open, S, response, tail_capacity=tail)
    assert out.on_time_seconds.sum() == pytest.approx(work.sum(), rel=1e-9, abs=1e-6)


def test_marginal_value_of_an_agent_is_highest_where_work_is_overdue() -> None:
    work = np.array([1800.0, 1800, 0, 0])
    gains = marginal_on_time_seconds(work, np.zeros(4), np.ones(4, bool), S, 1800, agent_seconds=900)
    # one agent in interval 0 or 1 finishes 900 s of work in time; in interval 3 nothing is due any more in time
    assert gains[3] == 0
    assert gains[0] > 0 and gains[1] > 0


def test_deferred_queue_counts_late_work_of_rostered_heads() -> None:
    # 1800 s arrive uniformly in interval 0, window 2 intervals, a head is worth 900 × 0.5 = 450 s. Heads [1, 1, 0]:
    # item x (position 1800x) is due at 2 + x, served S(2 + x) = 900 ⇒ on time iff x ≤ 1/2: 900 s late.
    # One more head in 0 or 1: S = 1350 ⇒ x ≤ 3/4 (450 s saved); in 2: S = 900 + 450x ⇒ x ≤ 2/3 (300 s saved)
    from wfm.staffing.deferred import DeferredQueue

    queue = DeferredQueue(np.array([1800.0, 0, 0]), np.ones(3, bool), S, 1800, agent_seconds=450)
    assert queue.late_seconds([2, 2, 0]) == pytest.approx(0.0)
    assert queue.late_seconds([1, 1, 0]) == pytest.approx(900.0)
    assert queue.marginal_seconds([1, 1, 0]) == pytest.approx([450.0, 450.0, 300.0])


@settings(max_examples=40, deadline=None)
@given(
    data=st.lists(st.tuples(st.floats(0, 3000), st.floats(0, 3000), st.booleans()), min_size=2, max_size=20),
    response=st.sampled_from([300.0, 900.0, 2000.0, 7200.0]),
)
def test_marginal_values_skip_only_intervals_where_a_head_is_worthless(data, response) -> None:
    work = np.array([w for w, _, _ in data])
    capacity = np.array([c for _, c, _ in data])
    is_open = np.array([o for _, _, o in data])
    gains = marginal_on_time_seconds(work, capacity, is_open, S, response, agent_seconds=500)
    base = deferred_outcome(work, capacity, is_open, S, response).on_time_seconds.sum()
    for i in range(work.size):  # the plain re-evaluation per interval
        more = capacity + 500 * (np.arange(work.size) == i)
        expected = deferred_outcome(work, more, is_open, S, response).on_time_seconds.sum() - base
        assert gains[i] == pytest.approx(expected, abs=1e-6)
