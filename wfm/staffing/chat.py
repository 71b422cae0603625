"""Chat staffing: agents hold up to k conversations at once, and handle time depends on how many they hold.

Model (a state-dependent birth–death chain, exact for Poisson arrivals and exponential handle times):
- state m = conversations in the system; chats arrive at rate λ;
- the router balances load, so with m ≤ n·k conversations in service on n agents, m mod n agents hold
  ⌊m/n⌋ + 1 conversations and the rest hold ⌊m/n⌋;
- an agent holding c conversations finishes each of them at rate 1 / AHT_c, where AHT_c = AHT · factor_c is
  the handle time of one conversation while c are held (``aht_factors``: factor for 1, 2, …, k held);
- beyond n·k the chats wait in one FCFS queue, served at rate R = n·k / AHT_k, so the wait of a chat that has
  to queue is exponential with rate R − λ.
With k = 1 and a flat AHT this is exactly Erlang C (M/M/n).
Reported ``occupancy`` is slot utilisation: mean conversations in service / (n·k).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import logsumexp

from wfm.staffing.erlang import QueueMetrics
from wfm.staffing.required import Staffing
from wfm.staffing.targets import ServiceTargets

_CHUNK_CELLS = 4_000_000


def _aht_by_held(aht_seconds: NDArray, aht_factors: Sequence[float]) -> NDArray:
    """AHT of one conversation while c = 1..k are held, per interval (rows) and level (columns)."""
    factors = np.asarray(aht_factors, dtype=float)
    if factors.ndim != 1 or factors.size == 0 or np.any(factors <= 0):
        raise ValueError("aht_factors must be a non-empty list of positive multipliers")
    return aht_seconds[:, None] * factors[None, :]


def _service_rates(agents: NDArray, aht_held: NDArray, states: int) -> NDArray:
    """Total completion rate per second in each state m = 1..states (rows: intervals)."""
    k = aht_held.shape[1]
    m = np.arange(1, states + 1)[None, :]
    n = np.maximum(agents, 1)[:, None]
    per_agent = np.minimum(m // n, k)  # conversations held by the lightly loaded agents
    extra = np.where(m // n >= k, 0, m % n)  # agents that hold one more
    # rate of an agent holding c conversations = c / AHT_c  (c = 0 contributes nothing)
    level_rate = np.concatenate([np.zeros((aht_held.shape[0], 1)), np.arange(1, k + 1) / aht_held], axis=1)
    low = np.take_along_axis(level_rate, per_agent, axis=1)
    high = np.take_along_axis(level_rate, np.minimum(per_agent + 1, k), axis=1)
    full = m >= n * k
    rate = (n - extra) * low + extra * high
    return np.where(full, n * level_rate[:, [k]], rate)


def chat_metrics(
    agents: ArrayLike,
    arrival_rate_per_second: ArrayLike,
    aht_seconds: ArrayLike,
    aht_factors: Sequence[float],
    answer_seconds: float,
) -> QueueMetrics:
    """P(wait), SL within answer_seconds, ASA and slot occupancy of the chat model for each interval."""
    n, lam, aht = (
        np.array(x, dtype=float).ravel()
        for x in np.broadcast_arrays(
            np.atleast_1d(agents), np.atleast_1d(arrival_rate_per_second), np.atleast_1d(aht_seconds)
        )
    )
    n = n.astype(np.int64)
    aht_held = _aht_by_held(aht, aht_factors)
    k = aht_held.shape[1]
    size = n.size
    out = {
        "p_wait": np.ones(size),
        "service_level": np.zeros(size),
        "asa_seconds": np.full(size, np.inf),
        "occupancy": np.ones(size),
        "p_abandon": np.zeros(size),
    }
    idle = (lam <= 0) | (aht <= 0)
    aht_held = np.where(idle[:, None], 1.0, aht_held)
    out["p_wait"][idle], out["service_level"][idle], out["asa_seconds"][idle], out["occupancy"][idle] = (
        0,
        1,
        0,
        0,
    )
    full_rate = n * k / aht_held[:, -1]
    stable = np.flatnonzero(~idle & (n > 0) & (full_rate > lam))
    if stable.size == 0:
        return QueueMetrics(**out)
    order = stable[np.argsort(n[stable])]
    start = 0
    while start < order.size:
        states = int(n[order[min(order.size - 1, start)]] * k)
        rows_per_chunk = max(1, _CHUNK_CELLS // max(states, 1))
        rows = order[start : start + rows_per_chunk]
        _chat_block(rows, n, lam, aht_held, answer_seconds, out)
        start += rows.size
    return QueueMetrics(**out)


def _chat_block(
    rows: NDArray, n: NDArray, lam: NDArray, aht_held: NDArray, answer_seconds: float, out: dict[str, NDArray]
) -> None:
    """Fill the metrics of one block of stable intervals in place."""
    k = aht_held.shape[1]
    nr, lr, ar = n[rows], lam[rows], aht_held[rows]
    states = int(nr.max() * k)
    rates = _service_rates(nr, ar, states)  # rates of states 1..states
    m = np.arange(1, states + 1)[None, :]
    in_range = m <= (nr * k)[:, None]
    log_step = np.where(in_range, np.log(lr[:, None] / rates), 0.0)
    log_p = np.concatenate([np.zeros((rows.size, 1)), np.cumsum(log_step, axis=1)], axis=1)
    log_p[:, 1:][~in_range] = -np.inf
    full_rate = nr * k / ar[:, -1]
    rho = lr / full_rate
    log_full = log_p[np.arange(rows.size), nr * k]
    # states ≥ n·k form a geometric tail: total weight p_{nk} / (1 − ρ)
    log_tail = log_full - np.log1p(-rho)
    below = log_p.copy()
    below[np.arange(rows.size), nr * k] = -np.inf
    log_below = logsumexp(below, axis=1)
    log_total = np.logaddexp(log_below, log_tail)
    p_wait = np.exp(log_tail - log_total)
    decay = full_rate - lr
    in_service = np.arange(states + 1)[None, :]
    probs = np.exp(log_p - log_total[:, None])
    busy_slots = np.sum(probs * np.minimum(in_service, (nr * k)[:, None]), axis=1)
    busy_slots += (np.exp(log_tail - log_total) - np.exp(log_full - log_total)) * nr * k
    out["p_wait"][rows] = np.clip(p_wait, 0.0, 1.0)
    out["service_level"][rows] = np.clip(1.0 - p_wait * np.exp(-decay * answer_seconds), 0.0, 1.0)
    out["asa_seconds"][rows] = p_wait / decay
    out["occupancy"][rows] = np.clip(busy_slots / (nr * k), 0.0, 1.0)


def required_agents_chat(
    volume: ArrayLike,
    interval_seconds: ArrayLike,
    aht_seconds: ArrayLike,
    aht_factors: Sequence[float],
    targets: ServiceTargets,
) -> Staffing:
    """Fewest agents meeting the chat targets: starts at the stability bound λ·AHT_k/k and steps up."""
    vol, seconds, aht = (
        np.array(x, dtype=float).ravel()
        for x in np.broadcast_arrays(np.atleast_1d(volume), np.atleast_1d(interval_seconds), np.atleast_1d(aht_seconds))
    )
    lam = vol / seconds
    k = len(aht_factors)
    size = vol.size
    agents = np.zeros(size, dtype=np.int64)
    out = {
        "p_wait": np.zeros(size),
        "service_level": np.ones(size),
        "asa_seconds": np.zeros(size),
        "occupancy": np.zeros(size),
        "p_abandon": np.zeros(size),
    }
    active = np.flatnonzero(lam > 0)
    slot_erlangs = lam[active] * aht[active] * aht_factors[-1] / k
    n = np.maximum(np.floor(slot_erlangs).astype(np.int64) + 1, max(1, targets.min_agents))
    for _ in range(100_000):
        if active.size == 0:
            break
        m = chat_metrics(n, lam[active], aht[active], aht_factors, targets.answer_seconds)
        done = targets.met(m.service_level, m.asa_seconds, m.occupancy)
        idx = active[done]
        agents[idx] = n[done]
        for name in out:
            out[name][idx] = getattr(m, name)[done]
        active, n = active[~done], n[~done] + 1
    return Staffing(agents, QueueMetrics(**out))
