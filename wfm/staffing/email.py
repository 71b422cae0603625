"""Email / ticket staffing: deferred work with a response-time deadline, as a backlog spread over the window.

Model (documented in docs/staffing.md):
- the work arriving in an interval (volume × AHT, agent-seconds) is spread evenly over the W intervals that
  start with its own, W = ⌈response_seconds / interval_seconds⌉, so every item can be finished before its
  deadline;
- spread work that falls on a closed interval is carried to the next open interval (backlog carry-over);
- agents = ⌈workload / (interval_seconds × max_occupancy)⌉ in open intervals;
- the predicted service level is the share of each interval's items finished within the response time when
  the scheduled capacity works the backlog first-in-first-out as a fluid (arrivals uniform inside the interval).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from wfm.staffing.erlang import QueueMetrics
from wfm.staffing.required import Staffing
from wfm.staffing.targets import ServiceTargets, exact_ceil

_SAMPLES_PER_INTERVAL = 16


def spread_workload(work_seconds: NDArray, window_intervals: int, is_open: NDArray[np.bool_]) -> NDArray[np.float64]:
    """Agent-seconds to work in each interval: each interval's work spread evenly over its window."""
    if window_intervals < 1:
        raise ValueError("window_intervals must be >= 1")
    cumulative = np.concatenate([[0.0], np.cumsum(work_seconds)])
    size = work_seconds.size
    i = np.arange(size)
    # workload in interval i = Σ_{j=i−W+1..i} work_j / W  (a moving sum, via cumulative sums)
    spread = (cumulative[i + 1] - cumulative[np.maximum(i + 1 - window_intervals, 0)]) / window_intervals
    if is_open.all():
        return spread
    carried = np.zeros(size)
    due = np.cumsum(spread)
    open_idx = np.flatnonzero(is_open)
    if open_idx.size == 0:
        return carried
    # each open interval works everything due since the previous open interval
    previous_due = np.concatenate([[0.0], due[open_idx[:-1]]])
    carried[open_idx] = due[open_idx] - previous_due
    carried[open_idx[-1]] += due[-1] - due[open_idx[-1]]
    return carried


def fifo_service_level(
    work_seconds: NDArray, capacity_seconds: NDArray, interval_seconds: float, response_seconds: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Per interval: share of work finished within response_seconds, and mean response delay (seconds), FIFO."""
    size = work_seconds.size
    edges = np.arange(size + 1) * interval_seconds
    arrived = np.concatenate([[0.0], np.cumsum(work_seconds)])
    served = np.concatenate([[0.0], np.cumsum(capacity_seconds)])
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


def required_agents_email(
    volume: ArrayLike,
    interval_seconds: float,
    aht_seconds: ArrayLike,
    response_seconds: float,
    targets: ServiceTargets,
    is_open: ArrayLike | None = None,
) -> Staffing:
    """Agents per interval (a contiguous series) so every item is answered within response_seconds."""
    vol = np.asarray(volume, dtype=float).ravel()
    aht = np.broadcast_to(np.asarray(aht_seconds, dtype=float), vol.shape)
    open_mask = np.ones(vol.shape, dtype=bool) if is_open is None else np.asarray(is_open, dtype=bool).ravel()
    window = max(1, int(exact_ceil(response_seconds / interval_seconds)))
    size = vol.size
    # pad the window after the horizon so the last items are spread, not dropped
    work = np.concatenate([vol * aht, np.zeros(window - 1)])
    open_padded = np.concatenate([open_mask, np.ones(window - 1, dtype=bool)])
    workload_padded = spread_workload(work, window, open_padded)
    workload = workload_padded[:size]
    occupancy_cap = targets.max_occupancy or 1.0
    agents = exact_ceil(workload / (interval_seconds * occupancy_cap))
    agents = np.where(open_mask & (agents > 0), np.maximum(agents, targets.min_agents), agents)
    capacity = np.concatenate([agents * interval_seconds * occupancy_cap, workload_padded[size:]])
    sl, delay = fifo_service_level(work, capacity, interval_seconds, response_seconds)
    sl, delay = sl[:size], delay[:size]
    with np.errstate(divide="ignore", invalid="ignore"):
        occupancy = np.where(agents > 0, workload / (agents * interval_seconds), 0.0)
    zeros = np.zeros(vol.shape)
    metrics = QueueMetrics(
        p_wait=np.where(vol > 0, 1.0, 0.0),
        service_level=sl,
        asa_seconds=delay,
        occupancy=np.clip(occupancy, 0.0, 1.0),
        p_abandon=zeros,
    )
    return Staffing(agents.astype(np.int64), metrics)
