"""Fewest agents that meet a queue's targets under Erlang C or Erlang A, for all intervals at once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from wfm.errors import InputError
from wfm.limits import MAX_AGENTS_PER_INTERVAL, MAX_TRAFFIC_ERLANGS
from wfm.staffing.erlang import (
    QueueMetrics,
    _erlang_a_from_b,
    _erlang_c_from_c,
    erlang_b,
    erlang_b_poisson,
    erlang_c_from_b,
)
from wfm.staffing.targets import ServiceTargets

# A search for one interval tries at most start + HEADROOM_PER_SQRT_ERLANG·√A + HEADROOM_AGENTS agents (A: traffic
# in Erlangs), and never more than MAX_AGENTS_PER_INTERVAL. Square-root staffing needs about β·√A agents above the
# traffic with β ≈ 3–7 for the strictest targets (P(wait) below 1e-10), so the headroom is far beyond any real need.
HEADROOM_PER_SQRT_ERLANG = 20.0
HEADROOM_AGENTS = 100


class StaffingLimitError(InputError):
    """A staffing search reached its ceiling; `interval` is the position of the first interval concerned."""

    def __init__(self, message: str, interval: int) -> None:
        self.interval = interval
        super().__init__(message)


def agent_ceiling(traffic_erlangs: NDArray, start: NDArray[np.int64]) -> NDArray[np.int64]:
    """Most agents a search may try per interval: start + 20·√A + 100, at most MAX_AGENTS_PER_INTERVAL."""
    headroom = np.ceil(HEADROOM_PER_SQRT_ERLANG * np.sqrt(np.maximum(traffic_erlangs, 0.0))).astype(np.int64)
    return np.minimum(start.astype(np.int64) + headroom + HEADROOM_AGENTS, MAX_AGENTS_PER_INTERVAL)


def check_search_inputs(traffic_erlangs: NDArray, start: NDArray[np.int64], positions: NDArray[np.int64]) -> None:
    """Reject traffic above MAX_TRAFFIC_ERLANGS (or not finite) and searches that would start above the ceiling."""
    over = np.flatnonzero(~(traffic_erlangs <= MAX_TRAFFIC_ERLANGS))
    if over.size:
        raise StaffingLimitError(
            f"traffic {traffic_erlangs[over[0]]:,.0f} Erlangs is above the ceiling {MAX_TRAFFIC_ERLANGS:,g} Erlangs",
            int(positions[over[0]]),
        )
    high = np.flatnonzero(start > MAX_AGENTS_PER_INTERVAL)
    if high.size:
        raise StaffingLimitError(
            f"the targets need at least {int(start[high[0]]):,} agents in one interval, above the ceiling "
            f"{MAX_AGENTS_PER_INTERVAL:,}",
            int(positions[high[0]]),
        )


def raise_if_at_ceiling(
    unmet: NDArray[np.bool_], agents: NDArray[np.int64], ceiling: NDArray[np.int64], positions: NDArray[np.int64]
) -> None:
    """Stop a search whose unmet intervals reached their ceiling, with an error naming the first one."""
    stuck = np.flatnonzero(unmet & (agents >= ceiling))
    if stuck.size == 0:
        return
    i = stuck[0]
    if ceiling[i] >= MAX_AGENTS_PER_INTERVAL:
        reason = f"more than {MAX_AGENTS_PER_INTERVAL:,} agents in one interval, above the ceiling"
    else:
        reason = f"more than {int(ceiling[i]):,} agents, the search ceiling for this traffic: check the targets"
    raise StaffingLimitError(f"the targets cannot be met with {reason}", int(positions[i]))


@dataclass(frozen=True)
class Staffing:
    """Net agents per interval and the queue metrics they achieve."""

    agents: NDArray[np.int64]
    metrics: QueueMetrics


def _erlang_b_start(agents: NDArray[np.int64], traffic_erlangs: NDArray) -> NDArray:
    """Erlang B at a starting agent count, exactly, as Poisson pmf / cdf (the recursion continues from here)."""
    return erlang_b_poisson(agents, traffic_erlangs)


def _as_arrays(*values: ArrayLike) -> list[NDArray]:
    """Broadcast inputs to 1-d float arrays of one length."""
    arrays = np.broadcast_arrays(*(np.atleast_1d(np.asarray(v, dtype=float)) for v in values))
    return [np.array(a, dtype=float).ravel() for a in arrays]


def _empty_metrics(size: int) -> dict[str, NDArray]:
    """Metrics arrays for intervals with no volume (perfect service, no work)."""
    return {
        "p_wait": np.zeros(size),
        "service_level": np.ones(size),
        "asa_seconds": np.zeros(size),
        "occupancy": np.zeros(size),
        "p_abandon": np.zeros(size),
    }


def _search_start(traffic: NDArray, targets: ServiceTargets) -> NDArray[np.int64]:
    """Lowest agent count worth testing: above the traffic when waiting targets exist, and the occupancy floor."""
    start = targets.occupancy_floor(traffic)
    if targets.service_level is not None or targets.asa_seconds is not None:
        start = np.maximum(start, np.floor(traffic).astype(np.int64) + 1)
    return np.maximum(np.maximum(start, 1), targets.min_agents)


def required_agents_erlang_c(
    volume: ArrayLike, interval_seconds: ArrayLike, aht_seconds: ArrayLike, targets: ServiceTargets
) -> Staffing:
    """Erlang C: the fewest agents meeting SL within t, the ASA ceiling and the occupancy cap; 0 with no volume.

    The search starts at the first agent count above the traffic (B computed there exactly) and steps up with
    the Erlang B recursion B(n+1) = A·B / (n + 1 + A·B); only intervals not yet satisfied stay in the loop.
    """
    vol, seconds, aht = _as_arrays(volume, interval_seconds, aht_seconds)
    traffic = vol * aht / seconds
    size = traffic.size
    agents = np.zeros(size, dtype=np.int64)
    out = _empty_metrics(size)
    active = np.flatnonzero(~(traffic <= 0))
    check_search_inputs(traffic[active], np.zeros(active.size, dtype=np.int64), active)
    n = _search_start(traffic[active], targets)
    check_search_inputs(traffic[active], n, active)
    a = traffic[active]
    ceiling = agent_ceiling(a, n)
    h = aht[active]
    blocking = _erlang_b_start(n, a)
    t = np.full(a.shape, targets.answer_seconds)
    while active.size:
        m = _erlang_c_from_c(n, a, h, t, erlang_c_from_b(n, a, blocking))
        done = targets.met(m.service_level, m.asa_seconds, m.occupancy)
        raise_if_at_ceiling(~done, n, ceiling, active)
        idx = active[done]
        agents[idx] = n[done]
        for name in out:
            out[name][idx] = getattr(m, name)[done]
        keep = ~done
        active, n, a, h, t, blocking = active[keep], n[keep] + 1, a[keep], h[keep], t[keep], blocking[keep]
        ceiling = ceiling[keep]
        ab = a * blocking
        blocking = ab / (n + ab)
    return Staffing(agents, QueueMetrics(**out))


# The Erlang A search lowers the agents one at a time for this many steps, then doubles the step and bisects.
_LINEAR_STEPS_DOWN = 8


def _blocking_below(blocking: NDArray, agents: NDArray[np.int64], traffic: NDArray, steps: NDArray) -> NDArray:
    """Erlang B at agents − steps from B at agents, by the downward recursion B(k−1) = k·B / (A·(1 − B))."""
    b = blocking.astype(float)
    k = agents.astype(float)
    for i in range(int(steps.max(initial=0))):
        move = i < steps
        with np.errstate(divide="ignore", invalid="ignore"):
            previous = np.where(k > 1, np.minimum(k * b / (traffic * (1.0 - b)), 1.0), 1.0)
        b = np.where(move, previous, b)
        k = np.where(move, k - 1, k)
    return np.where(k == 0, 1.0, b)


def _descend(
    rows: NDArray[np.int64],
    n: NDArray[np.int64],
    blocking: NDArray,
    traffic: NDArray,
    evaluate: Callable[[NDArray[np.int64]], tuple[QueueMetrics, NDArray[np.bool_]]],
    best: dict[str, NDArray],
) -> None:
    """Lower n (in place) on rows that meet the targets to the fewest agents that still meet them.

    One agent at a time for the first _LINEAR_STEPS_DOWN steps, then with a doubling step and bisection once a
    count fails (the targets are monotone in the agents), so the evaluations grow with log(agents).
    """
    good, good_b = n[rows].copy(), blocking[rows].copy()
    bad = np.full(rows.size, -1, dtype=np.int64)
    step = np.ones(rows.size, dtype=np.int64)
    probes = np.zeros(rows.size, dtype=np.int64)
    live = np.flatnonzero(good > 0)
    while live.size:
        cand = np.where(bad[live] < 0, np.maximum(good[live] - step[live], 0), (good[live] + bad[live]) // 2)
        far = (bad[live] >= 0) | (step[live] > 1)  # a jump: Erlang B directly (the downward recursion is unstable)
        b = _blocking_below(good_b[live], good[live], traffic[rows[live]], np.where(far, 0, good[live] - cand))
        b[far] = erlang_b(cand[far], traffic[rows[live[far]]])
        n[rows[live]], blocking[rows[live]] = cand, b
        m, ok = evaluate(rows[live])
        for name in best:
            best[name][rows[live[ok]]] = getattr(m, name)[ok]
        good[live[ok]], good_b[live[ok]] = cand[ok], b[ok]
        bad[live[~ok]] = cand[~ok]
        probes[live] += 1
        step[live] = np.where(probes[live] >= _LINEAR_STEPS_DOWN, step[live] * 2, 1)
        live = np.flatnonzero(np.where(bad < 0, good > 0, good - bad > 1))
    n[rows], blocking[rows] = good, good_b


def required_agents_erlang_a(
    volume: ArrayLike,
    interval_seconds: ArrayLike,
    aht_seconds: ArrayLike,
    patience_seconds: ArrayLike,
    targets: ServiceTargets,
) -> Staffing:
    """Erlang A: the fewest agents meeting the targets with exponential patience of the given mean.

    Service level is answered within t over all offered. Starts from the Erlang C answer for the same targets,
    then steps down while the targets still hold, or up until they do, moving Erlang B by its recursion.
    """
    vol, seconds, aht, patience = _as_arrays(volume, interval_seconds, aht_seconds, patience_seconds)
    lam = vol / seconds
    traffic = lam * aht
    size = traffic.size
    agents = np.zeros(size, dtype=np.int64)
    out = _empty_metrics(size)
    active = np.flatnonzero(~(traffic <= 0))
    if active.size == 0:
        return Staffing(agents, QueueMetrics(**out))
    try:
        start = required_agents_erlang_c(vol[active], seconds[active], aht[active], targets).agents
    except StaffingLimitError as exc:
        raise StaffingLimitError(exc.detail, int(active[exc.interval])) from None
    n = np.maximum(start, max(targets.min_agents, 0))
    a, lam_a, h, pat = traffic[active], lam[active], aht[active], patience[active]
    t = np.full(a.shape, targets.answer_seconds)
    blocking = _erlang_b_start(np.maximum(n, 1), a)
    blocking = np.where(n == 0, 1.0, blocking)

    def evaluate(rows: NDArray[np.int64]) -> tuple[QueueMetrics, NDArray[np.bool_]]:
        m = _erlang_a_from_b(n[rows], lam_a[rows], h[rows], pat[rows], t[rows], blocking[rows])
        ok = targets.met(m.service_level, m.asa_seconds, m.occupancy) & (n[rows] >= targets.min_agents)
        return m, ok

    rows = np.arange(active.size)
    metrics, ok = evaluate(rows)
    best = {name: getattr(metrics, name).copy() for name in out}
    found = ok.copy()
    # Step down while the smaller count still meets the targets.
    _descend(rows[ok & (n > 0)], n, blocking, a, evaluate, best)
    # Step up until the targets are met (rare: impatient callers abandoning inside the answer time).
    going_up = rows[~found]
    ceiling = agent_ceiling(a, n)
    while going_up.size:
        raise_if_at_ceiling(np.ones(going_up.size, dtype=bool), n[going_up], ceiling[going_up], active[going_up])
        ab = a[going_up] * blocking[going_up]
        n[going_up] += 1
        blocking[going_up] = ab / (n[going_up] + ab)
        m, ok_up = evaluate(going_up)
        for name in out:
            best[name][going_up[ok_up]] = getattr(m, name)[ok_up]
        going_up = going_up[~ok_up]
    agents[active] = n
    for name in out:
        out[name][active] = best[name]
    return Staffing(agents, QueueMetrics(**out))
