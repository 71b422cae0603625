"""Deferred work (email, tickets): a fluid FIFO on the open-hours clock — capacity profile, on-time work, shortfall.

The response window runs on the queue's *open-hours clock* (the business-hours SLA of helpdesk tools): it stops while
the queue is closed, so an item that arrives while closed is due at opening + its full window, and one that arrives
with r seconds of its window left at closing is due at the next opening + r. No deadline passes while the site is
closed. Work is measured in agent-seconds (volume × AHT) and capacity in agent-seconds a queue's agents can work.

On that clock (one slot per open interval, closed stretches collapsed to the instant of the next opening):
- work of an open interval arrives uniformly over its slot; work of closed intervals arrives as a point mass at the
  next opening (the backlog at opening); capacity likewise (agents working while closed clear backlog at opening);
- the backlog is served first-in-first-out as a fluid: Q' = max(0, Q + P − Cp) at a slot's start, then
  Q(x) = max(0, Q' + (U − c)·x) inside it (arrivals U and capacity c uniform, x the fraction of the slot);
- an item is on time when the served work reaches its position by its deadline, S(arrival + R) ≥ position; the
  on-time work is computed exactly (S is piecewise linear, with at most one kink per slot).
Work still waiting at the horizon's end is judged against `tail_capacity` after it (per slot; default: none).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

_EPS = 1e-9


@dataclass(frozen=True)
class OpenClock:
    """Interval grid ↦ open-hours slots: slot of each interval (closed → next opening; m = after the last)."""

    is_open: NDArray[np.bool_]
    slot: NDArray[np.int64]
    n_slots: int  # open intervals in the grid (m); slot m collects what comes after the last open interval

    @classmethod
    def of(cls, is_open: ArrayLike) -> OpenClock:
        """The clock of an open/closed mask over a contiguous interval grid."""
        mask = np.asarray(is_open, dtype=bool).ravel()
        opens_before = np.cumsum(mask) - mask
        return cls(mask, opens_before.astype(np.int64), int(mask.sum()))

    def uniform(self, values: ArrayLike) -> NDArray[np.float64]:
        """Per slot (m + 1 of them): the values of open intervals (spread over their slot)."""
        out = np.zeros(self.n_slots + 1)
        v = np.asarray(values, dtype=float).ravel()
        np.add.at(out, self.slot[self.is_open], v[self.is_open])
        return out

    def point(self, values: ArrayLike) -> NDArray[np.float64]:
        """Per slot (m + 1): the values of closed intervals, collected at the instant of the next opening."""
        out = np.zeros(self.n_slots + 1)
        v = np.asarray(values, dtype=float).ravel()
        np.add.at(out, self.slot[~self.is_open], v[~self.is_open])
        return out

    def to_grid(self, per_slot: ArrayLike) -> NDArray[np.float64]:
        """A per-slot value (first m) back on the interval grid: on open intervals, 0 on closed ones."""
        out = np.zeros(self.is_open.size)
        out[self.is_open] = np.asarray(per_slot, dtype=float)[: self.n_slots]
        return out


def window_slots(response_seconds: float, interval_seconds: float) -> int:
    """W = ⌈response / interval⌉ slots (at least 1): a slot's work spread over W slots meets its deadline."""
    ratio = response_seconds / interval_seconds
    return max(1, int(np.ceil(ratio - 1e-9)))


def _moving_share(values: NDArray, window: int) -> NDArray[np.float64]:
    """Per slot: Σ of the last `window` values (its own included) / window — each value spread over `window`."""
    padded = np.concatenate([values, np.zeros(window - 1)])
    cumulative = np.concatenate([[0.0], np.cumsum(padded)])
    i = np.arange(padded.size)
    return (cumulative[i + 1] - cumulative[np.maximum(i + 1 - window, 0)]) / window


def spread_capacity(
    work_seconds: ArrayLike, is_open: ArrayLike, interval_seconds: float, response_seconds: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The fluid capacity profile that finishes every item within its window on the open-hours clock.

    Work arriving in an open slot is spread evenly over the W = ⌈R / interval⌉ slots starting with its own; the
    backlog at an opening (work that arrived while closed, due at opening + R) over the ⌊R / interval⌋ slots from
    the opening, or, when R is shorter than an interval, worked in the opening slot at the pace P / R (capacity
    P·interval / R). Returns the capacity on the grid (0 while closed) and the capacity per slot after the horizon.
    """
    clock = OpenClock.of(is_open)
    work = np.asarray(work_seconds, dtype=float).ravel()
    window = window_slots(response_seconds, interval_seconds)
    point_window = max(1, int(np.floor(response_seconds / interval_seconds + 1e-9)))
    point_scale = max(1.0, interval_seconds / response_seconds)
    uniform = _moving_share(clock.uniform(work), window)
    points = _moving_share(clock.point(work) * point_scale, point_window)
    size = max(uniform.size, points.size)
    spread = np.pad(uniform, (0, size - uniform.size)) + np.pad(points, (0, size - points.size))
    return clock.to_grid(spread[: clock.n_slots]), spread[clock.n_slots :]


@dataclass(frozen=True)
class DeferredOutcome:
    """Per grid interval: work arrived (agent-seconds), work of it finished within its window, and the backlog and
    overdue work at the interval's end (cumulative due − served, ≥ 0), all on the open-hours clock."""

    work_seconds: NDArray[np.float64]
    on_time_seconds: NDArray[np.float64]
    backlog_seconds: NDArray[np.float64]
    overdue_seconds: NDArray[np.float64]

    @property
    def late_seconds(self) -> NDArray[np.float64]:
        """Work of each interval not finished within its window."""
        return np.maximum(self.work_seconds - self.on_time_seconds, 0.0)

    @property
    def service_level(self) -> NDArray[np.float64]:
        """Share of each interval's work finished within the window (1 where nothing arrived)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.work_seconds > 0, self.on_time_seconds / self.work_seconds, 1.0)


def _served(points: NDArray, uniform: NDArray, cap_points: NDArray, cap_uniform: NDArray):
    """Fluid FIFO per slot: served before the slot, backlog just after its start (Q'), arrivals before the slot."""
    n = points.size
    steps = np.empty(2 * n)
    steps[0::2] = points - cap_points
    steps[1::2] = uniform - cap_uniform
    net = np.concatenate([[0.0], np.cumsum(steps)])
    queue = net - np.minimum.accumulate(net)  # Lindley: Q = N − min(0, min N)
    arrived = np.concatenate([[0.0], np.cumsum(points + uniform)])
    backlog_start = queue[0:-1:2]  # Q before slot k
    backlog_after_point = queue[1::2]  # Q' after the point mass of slot k
    served_start = arrived[:-1] - backlog_start
    return served_start, backlog_after_point, arrived


def _served_at(tau_slots: NDArray, left: bool, points, uniform, cap_uniform, after_point, arrived) -> NDArray:
    """S(τ) (τ in slots): right limits, or left limits at slot edges when `left`."""
    n = points.size
    k = np.ceil(tau_slots - _EPS).astype(np.int64) - 1 if left else np.floor(tau_slots + _EPS).astype(np.int64)
    k = np.clip(k, 0, n - 1)
    x = np.clip(tau_slots - k, 0.0, 1.0)
    a_after_point = arrived[k] + points[k]
    queue = np.maximum(0.0, after_point[k] + (uniform[k] - cap_uniform[k]) * x)
    return a_after_point + uniform[k] * x - queue


def _slot_series(clock: OpenClock, work: NDArray, capacity_seconds: ArrayLike, window: float, tail_capacity):
    """Arrivals and capacity per open-clock slot (point masses at slot starts, uniform parts), with slot m for what
    comes after the last opening and ⌈window⌉ + 2 slots after the horizon (tail capacity, no arrivals)."""
    capacity = np.asarray(capacity_seconds, dtype=float).ravel()
    extra = int(np.ceil(window)) + 2
    tail = np.zeros(extra) if tail_capacity is None else np.asarray(tail_capacity, dtype=float).ravel()[:extra]
    tail = np.concatenate([tail, np.zeros(extra - tail.size)])
    m = clock.n_slots
    points = np.concatenate([clock.point(work), np.zeros(extra)])
    uniform = np.concatenate([clock.uniform(work)[:m], [0.0], np.zeros(extra)])
    cap_points = np.concatenate([clock.point(capacity), np.zeros(extra)])
    cap_uniform = np.concatenate([clock.uniform(capacity)[:m], tail[:1], tail[1:], [0.0]])
    return points, uniform, cap_points, cap_uniform


def deferred_outcome(
    work_seconds: ArrayLike,
    capacity_seconds: ArrayLike,
    is_open: ArrayLike,
    interval_seconds: float,
    response_seconds: float,
    tail_capacity: ArrayLike | None = None,
) -> DeferredOutcome:
    """On-time work per interval when the capacity works the backlog FIFO on the open-hours clock (exact)."""
    clock = OpenClock.of(is_open)
    work = np.asarray(work_seconds, dtype=float).ravel()
    window = response_seconds / interval_seconds  # in slots
    points, uniform, cap_points, cap_uniform = _slot_series(clock, work, capacity_seconds, window, tail_capacity)
    _served_before, after_point, arrived = _served(points, uniform, cap_points, cap_uniform)
    args = (points, uniform, cap_uniform, after_point, arrived)

    # point masses: every item of slot k's point mass is due at k + window
    n = points.size
    k = np.arange(n)
    s_due = _served_at(k + window, False, *args)
    on_time_point = np.clip(s_due - arrived[:-1], 0.0, points)

    # uniform arrivals in slot k: position y = arrived[k] + P_k + U_k·x, due at τ = k + x + window, x ∈ [0, 1]
    d0 = k + window
    boundary = np.floor(d0 + _EPS) + 1.0  # the next slot edge after the first deadline
    kinks = []
    for j in (np.floor(d0 + _EPS), np.floor(d0 + _EPS) + 1.0):
        jj = np.clip(j.astype(np.int64), 0, n - 1)
        rate = cap_uniform[jj] - uniform[jj]
        with np.errstate(divide="ignore", invalid="ignore"):
            kinks.append(np.where(rate > 0, j + after_point[jj] / rate, np.inf))
    cuts = np.stack([d0, np.minimum(boundary, d0 + 1), *[np.clip(v, d0, d0 + 1) for v in kinks], d0 + 1], axis=1)
    cuts = np.sort(cuts, axis=1)
    lo, hi = cuts[:, :-1], cuts[:, 1:]
    g_lo = _served_at(lo, False, *args) - (arrived[:-1, None] + points[:, None] + uniform[:, None] * (lo - d0[:, None]))
    g_hi = _served_at(hi, True, *args) - (arrived[:-1, None] + points[:, None] + uniform[:, None] * (hi - d0[:, None]))
    length = (hi - lo) * uniform[:, None]
    share = np.where(
        (g_lo >= -_EPS) & (g_hi >= -_EPS),
        1.0,
        np.where(
            (g_lo < -_EPS) & (g_hi < -_EPS),
            0.0,
            np.maximum(g_lo, g_hi) / np.maximum(np.abs(g_lo - g_hi), _EPS),
        ),
    )
    on_time_uniform = (length * np.clip(share, 0.0, 1.0)).sum(axis=1)

    # back on the grid: open intervals own their slot's uniform part; the point mass is shared by the closed
    # intervals that fed it, pro rata to their work
    on_time = np.zeros(work.size)
    open_idx = np.flatnonzero(clock.is_open)
    on_time[open_idx] = on_time_uniform[clock.slot[open_idx]]
    closed_idx = np.flatnonzero(~clock.is_open)
    if closed_idx.size:
        slots = clock.slot[closed_idx]
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(points[slots] > 0, on_time_point[slots] / points[slots], 1.0)
        on_time[closed_idx] = work[closed_idx] * ratio
    on_time = np.minimum(on_time, work)

    # backlog and overdue at each grid interval's end (closed intervals: as at the next opening, before its work)
    end_tau = np.where(clock.is_open, clock.slot + 1.0, clock.slot.astype(float))
    served_end = _served_at(end_tau, True, *args)
    arrived_end = np.cumsum(work)
    due_end = _due_at(end_tau - window, points, uniform, arrived)
    return DeferredOutcome(
        work_seconds=work,
        on_time_seconds=on_time,
        backlog_seconds=np.maximum(arrived_end - served_end, 0.0),
        overdue_seconds=np.maximum(due_end - served_end, 0.0),
    )


def _due_at(tau_slots: NDArray, points: NDArray, uniform: NDArray, arrived: NDArray) -> NDArray:
    """Work that arrived by τ (right limit: point masses at τ included), i.e. cumulative due at τ + window."""
    n = points.size
    k = np.clip(np.floor(tau_slots + _EPS).astype(np.int64), 0, n - 1)
    x = np.clip(tau_slots - k, 0.0, 1.0)
    return np.where(tau_slots < -_EPS, 0.0, arrived[k] + points[k] + uniform[k] * x)


def late_work_seconds(
    work_seconds: ArrayLike,
    capacity_seconds: ArrayLike,
    is_open: ArrayLike,
    interval_seconds: float,
    response_seconds: float,
    tail_capacity: ArrayLike | None = None,
) -> float:
    """The deferred-work shortfall: agent-seconds of work not finished within its window (FIFO, open clock)."""
    outcome = deferred_outcome(
        work_seconds, capacity_seconds, is_open, interval_seconds, response_seconds, tail_capacity
    )
    return float(outcome.late_seconds.sum())


def marginal_on_time_seconds(
    work_seconds: ArrayLike,
    capacity_seconds: ArrayLike,
    is_open: ArrayLike,
    interval_seconds: float,
    response_seconds: float,
    agent_seconds: float,
    tail_capacity: ArrayLike | None = None,
) -> NDArray[np.float64]:
    """Per interval: on-time work gained if one more agent (agent_seconds of capacity) worked that interval —
    the marginal value a roster search can use in place of "one head short" for a deferred queue."""
    capacity = np.asarray(capacity_seconds, dtype=float).ravel()
    base = deferred_outcome(work_seconds, capacity, is_open, interval_seconds, response_seconds, tail_capacity)
    total = base.on_time_seconds.sum()
    gains = np.zeros(capacity.size)
    # capacity where the queue stays empty is lost (FIFO works no item ahead of its arrival): gain 0, no re-run
    clock = OpenClock.of(is_open)
    work = np.asarray(work_seconds, dtype=float).ravel()
    points, uniform, cap_points, cap_uniform = _slot_series(
        clock, work, capacity, response_seconds / interval_seconds, tail_capacity
    )
    _before, after_point, _arrived = _served(points, uniform, cap_points, cap_uniform)
    slot = clock.slot
    busy = np.where(clock.is_open, (after_point[slot] > _EPS) | (uniform[slot] > cap_uniform[slot] + _EPS), False)
    busy |= ~clock.is_open & (after_point[slot] > _EPS)
    # capacity after the last late item's deadline cannot make any item on time
    late = np.flatnonzero(base.late_seconds > _EPS)
    last_useful = slot[late[-1]] + int(np.ceil(response_seconds / interval_seconds)) + 1 if late.size else -1
    busy &= slot <= last_useful
    for i in np.flatnonzero(busy):  # one exact re-evaluation per busy interval (O(n) each, vectorised inside)
        more = capacity.copy()
        more[i] += agent_seconds
        out = deferred_outcome(work_seconds, more, is_open, interval_seconds, response_seconds, tail_capacity)
        gains[i] = out.on_time_seconds.sum() - total
    return gains


@dataclass(frozen=True)
class DeferredQueue:
    """One deferred queue as a roster search sees it: its work on the horizon's grid and what one rostered head is
    worth — the hook for optimising late work instead of heads short (agent_seconds = interval × max_occupancy ×
    (1 − shrinkage))."""

    work_seconds: NDArray[np.float64]
    is_open: NDArray[np.bool_]
    interval_seconds: float
    response_seconds: float
    agent_seconds: float
    tail_capacity: NDArray[np.float64] | None = None

    def late_seconds(self, heads: ArrayLike) -> float:
        """Work finished after its window (agent-seconds) when `heads` agents are rostered per interval."""
        capacity = np.asarray(heads, dtype=float) * self.agent_seconds
        return late_work_seconds(
            self.work_seconds, capacity, self.is_open, self.interval_seconds, self.response_seconds, self.tail_capacity
        )

    def marginal_seconds(self, heads: ArrayLike) -> NDArray[np.float64]:
        """Per interval: late work saved (agent-seconds) by one more head there, given `heads`."""
        capacity = np.asarray(heads, dtype=float) * self.agent_seconds
        return marginal_on_time_seconds(
            self.work_seconds,
            capacity,
            self.is_open,
            self.interval_seconds,
            self.response_seconds,
            self.agent_seconds,
            self.tail_capacity,
        )
