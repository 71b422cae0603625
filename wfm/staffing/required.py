"""Fewest agents that meet a queue's targets under Erlang C or Erlang A, for all intervals at once."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import gammaincc, gammaln

from wfm.staffing.erlang import QueueMetrics, _erlang_a_from_b, _erlang_c_from_c, erlang_c_from_b
from wfm.staffing.targets import ServiceTargets

_MAX_STEPS = 100_000


@dataclass(frozen=True)
class Staffing:
    """Net agents per interval and the queue metrics they achieve."""

    agents: NDArray[np.int64]
    metrics: QueueMetrics


def _erlang_b_start(agents: NDArray[np.int64], traffic_erlangs: NDArray) -> NDArray:
    """Erlang B at a starting agent count, exactly, as Poisson pmf / cdf (the recursion continues from here)."""
    n = agents.astype(float)
    a = traffic_erlangs
    log_pmf = n * np.log(a) - a - gammaln(n + 1.0)
    with np.errstate(divide="ignore"):
        log_cdf = np.log(gammaincc(n + 1.0, a))
    return np.exp(np.minimum(log_pmf - log_cdf, 0.0))


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
    active = np.flatnonzero(traffic > 0)
    n = _search_start(traffic[active], targets)
    a = traffic[active]
    h = aht[active]
    blocking = _erlang_b_start(n, a)
    t = np.full(a.shape, targets.answer_seconds)
    for _ in range(_MAX_STEPS):
        if active.size == 0:
            break
        m = _erlang_c_from_c(n, a, h, t, erlang_c_from_b(n, a, blocking))
        done = targets.met(m.service_level, m.asa_seconds, m.occupancy)
        idx = active[done]
        agents[idx] = n[done]
        for name in out:
            out[name][idx] = getattr(m, name)[done]
        keep = ~done
        active, n, a, h, t, blocking = active[keep], n[keep] + 1, a[keep], h[keep], t[keep], blocking[keep]
        ab = a * blocking
        blocking = ab / (n + ab)
    return Staffing(agents, QueueMetrics(**out))


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
    active = np.flatnonzero(traffic > 0)
    if active.size == 0:
        return Staffing(agents, QueueMetrics(**out))
    start = required_agents_erlang_c(vol[active], seconds[active], aht[active], targets).agents
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
    going_down = rows[ok & (n > 0)]
    for _ in range(_MAX_STEPS):
        if going_down.size == 0:
            break
        k = n[going_down].astype(float)
        b = blocking[going_down]
        with np.errstate(divide="ignore", invalid="ignore"):
            b_prev = np.where(k > 1, np.minimum(k * b / (a[going_down] * (1.0 - b)), 1.0), 1.0)
        n[going_down] -= 1
        blocking[going_down] = np.where(n[going_down] == 0, 1.0, b_prev)
        m, still = evaluate(going_down)
        for name in out:
            best[name][going_down[still]] = getattr(m, name)[still]
        undo = going_down[~still]
        n[undo] += 1
        going_down = going_down[still & (n[going_down] > 0)]
        # Restore Erlang B for rows that went one step too far.
        blocking[undo] = _erlang_b_start(n[undo], a[undo])
    # Step up until the targets are met (rare: impatient callers abandoning inside the answer time).
    going_up = rows[~found]
    for _ in range(_MAX_STEPS):
        if going_up.size == 0:
            break
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
