"""Email / ticket staffing: deferred work with a response-time deadline on the open-hours clock.

Model (documented in docs/staffing.md; the clock and the FIFO fluid are in `wfm.staffing.deferred`):
- the response window runs while the queue is open: work arriving while closed is due at opening + the window;
- the capacity profile is `spread_capacity`: each open interval's work spread evenly over the W = ⌈R / interval⌉
  open intervals starting with its own, the backlog at an opening over the ⌊R / interval⌋ open intervals after it
  (not dumped into the first open interval), so every item can be finished before its deadline;
- agents = ⌈workload / (interval_seconds × max_occupancy)⌉ in open intervals (`required_agents_email`); the
  requirements table rounds once after shrinkage: ⌈workload / (interval × max_occupancy × (1 − shrinkage))⌉
  (`email_requirement`);
- the predicted service level is each interval's share of work finished within its window when the capacity
  works the backlog first-in-first-out as a fluid (`deferred_outcome`, exact).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from wfm.staffing.deferred import OpenClock, deferred_outcome, spread_capacity
from wfm.staffing.erlang import QueueMetrics
from wfm.staffing.required import Staffing
from wfm.staffing.targets import ServiceTargets, exact_ceil, scheduled_from_net

_SAMPLES_PER_INTERVAL = 16


def fifo_service_level(
    work_seconds: NDArray, capacity_seconds: NDArray, interval_seconds: float, response_seconds: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Per interval: share of work finished within response_seconds, and mean response delay (seconds), FIFO
    (sampled at 16 points per interval; `wfm.staffing.deferred.deferred_outcome` is the exact on-time share)."""
    size = work_seconds.size
    edges = np.arange(size + 1) * interval_seconds
    arrived = np.concatenate([[0.0], np.cumsum(work_seconds)])
    net = np.concatenate([[0.0], np.cumsum(work_seconds - capacity_seconds)])
    served = arrived - (net - np.minimum.accumulate(net))  # idle capacity is lost, not banked (Lindley)
    fractions = (np.arange(_SAMPLES_PER_INTERVAL) + 0.5) / _SAMPLES_PER_INTERVAL
    arrival_times = edges[:-1, None] + fractions[None, :] * interval_seconds
    position = arrived[:-1, None] + fractions[None, :] * work_seconds[:, None]
    # served(t) is piecewise linear and non-decreasing: invert it by interpolation on the strictly rising part
    finish = np.interp(position, served, edges, right=np.inf)
    done_late = position > served[-1] + 1e-9
    finish = np.where(done_late, np.inf, np.maximum(finish, arrival_times))
    delay = finish - arrival_times
    on_time = delay <= response_seconds + 1e-9
    share = np.where(work_seconds > 0, on_time.mean(axis=1), 1.0)
    with np.errstate(invalid="ignore"):
        mean_delay = np.where(work_seconds > 0, delay.mean(axis=1), 0.0)
    return share, mean_delay


def mean_delay_seconds(
    work_seconds: NDArray, capacity_seconds: NDArray, is_open: NDArray, interval_seconds: float
) -> NDArray[np.float64]:
    """Mean response delay per interval on the open-hours clock (FIFO fluid, sampled; closed: from the opening)."""
    clock = OpenClock.of(is_open)
    work = clock.uniform(work_seconds) + clock.point(work_seconds)
    capacity = clock.uniform(capacity_seconds) + clock.point(capacity_seconds)
    _share, delay = fifo_service_level(work, capacity, interval_seconds, np.inf)
    return np.where(np.asarray(work_seconds) > 0, delay[clock.slot], 0.0)


def email_metrics(
    work_seconds: NDArray,
    agents: NDArray,
    is_open: NDArray,
    interval_seconds: float,
    response_seconds: float,
    max_occupancy: float,
    tail_capacity: NDArray | None = None,
) -> QueueMetrics:
    """Service level (on-time share of work), mean delay and occupancy when `agents` work the queue."""
    work = np.asarray(work_seconds, dtype=float)
    capacity = np.asarray(agents, dtype=float) * interval_seconds * max_occupancy
    outcome = deferred_outcome(work, capacity, is_open, interval_seconds, response_seconds, tail_capacity)
    delay = mean_delay_seconds(work, capacity, is_open, interval_seconds)
    with np.errstate(divide="ignore", invalid="ignore"):
        occupancy = np.where(agents > 0, np.minimum(work / (agents * interval_seconds), 1.0), 0.0)
    zeros = np.zeros(work.size)
    return QueueMetrics(np.where(work > 0, 1.0, 0.0), outcome.service_level, delay, occupancy, zeros)


def email_requirement(
    volume: ArrayLike,
    interval_seconds: float,
    aht_seconds: ArrayLike,
    response_seconds: float,
    targets: ServiceTargets,
    is_open: ArrayLike | None = None,
    shrinkage: float = 0.0,
) -> tuple[NDArray[np.int64], NDArray[np.int64], QueueMetrics]:
    """Scheduled and net agents per interval so every item is answered within its window (open-hours clock).

    Deferred work is a fluid: scheduled = ⌈workload / (interval × max_occupancy × (1 − shrinkage))⌉, rounded once
    (not net first, then scheduled), at least the scheduled count of `min_agents` while open; net = ⌊scheduled ×
    (1 − shrinkage)⌋, and the metrics are those of the unrounded scheduled × (1 − shrinkage) agents.
    """
    vol = np.asarray(volume, dtype=float).ravel()
    aht = np.broadcast_to(np.asarray(aht_seconds, dtype=float), vol.shape)
    open_mask = np.ones(vol.shape, dtype=bool) if is_open is None else np.asarray(is_open, dtype=bool).ravel()
    work = vol * aht
    workload, tail = spread_capacity(work, open_mask, interval_seconds, response_seconds)
    occupancy_cap = targets.max_occupancy or 1.0
    present = 1.0 - shrinkage
    scheduled = exact_ceil(workload / (interval_seconds * occupancy_cap * present))
    floor = scheduled_from_net(targets.min_agents, shrinkage)
    scheduled = np.where(open_mask, np.maximum(scheduled, floor), scheduled).astype(np.int64)
    fluid = scheduled * present
    metrics = email_metrics(work, fluid, open_mask, interval_seconds, response_seconds, occupancy_cap, tail)
    return scheduled, np.floor(fluid + 1e-9).astype(np.int64), metrics


def required_agents_email(
    volume: ArrayLike,
    interval_seconds: float,
    aht_seconds: ArrayLike,
    response_seconds: float,
    targets: ServiceTargets,
    is_open: ArrayLike | None = None,
) -> Staffing:
    """Agents per interval (a contiguous series) so every item is answered within its window (open-hours clock)."""
    vol = np.asarray(volume, dtype=float).ravel()
    aht = np.broadcast_to(np.asarray(aht_seconds, dtype=float), vol.shape)
    open_mask = np.ones(vol.shape, dtype=bool) if is_open is None else np.asarray(is_open, dtype=bool).ravel()
    work = vol * aht
    workload, tail = spread_capacity(work, open_mask, interval_seconds, response_seconds)
    occupancy_cap = targets.max_occupancy or 1.0
    agents = exact_ceil(workload / (interval_seconds * occupancy_cap))
    agents = np.where(open_mask & (agents > 0), np.maximum(agents, targets.min_agents), agents)
    metrics = email_metrics(work, agents, open_mask, interval_seconds, response_seconds, occupancy_cap, tail)
    return Staffing(agents.astype(np.int64), metrics)
