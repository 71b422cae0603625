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

from wfm.staffing.erlang import QueueMetrics, _erlang_c_from_c, erlang_b_poisson, erlang_c_from_b
from wfm.staffing.required import (
    Staffing,
    agent_ceiling,
    check_search_inputs,
    raise_if_at_ceiling,
)
from wfm.staffing.targets import ServiceTargets, exact_ceil

# Intervals × chain states held at once (about 8 MiB per array): memory does not grow with intervals × states.
_CHUNK_CELLS = 1 << 20


def _aht_by_held(aht_seconds: NDArray, aht_factors: Sequence[float]) -> NDArray:
    """AHT of one conversation while c = 1..k are held, per interval (rows) and level (columns)."""
    factors = np.asarray(aht_factors, dtype=float)
    if factors.ndim != 1 or factors.size == 0 or not np.all(np.isfinite(factors) & (factors > 0)):
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
    order = stable[np.argsort(n[stable], kind="stable")]
    start = 0
    while start < order.size:
        rows = order[start : start + _block_rows(n[order[start:]] * k + 1)]
        _chat_block(rows, n, lam, aht_held, answer_seconds, out)
        start += rows.size
    return QueueMetrics(**out)


def _block_rows(states_sorted: NDArray[np.int64]) -> int:
    """How many of the next intervals (sorted by chain length) fit in _CHUNK_CELLS cells; at least one."""
    window = states_sorted[: max(1, _CHUNK_CELLS // max(int(states_sorted[0]), 1))]
    cells = np.arange(1, window.size + 1) * window  # a block of c rows holds c × (its longest chain) cells
    return max(1, int(np.count_nonzero(cells <= _CHUNK_CELLS)))


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
    """Fewest agents meeting the chat targets, at or above the search start (stability bound, occupancy floor).

    "Targets met" is monotone in the agents when the factors do not decrease (see _monotone_in_agents), so the
    search probes an estimate first, gallops away from it with doubling steps until the answer is bracketed and
    then bisects: the chain is solved O(log(distance from the estimate)) times per interval instead of once per
    agent. With a factor below the one before it, the search steps up one agent at a time.
    """
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
    active = np.flatnonzero(~(lam <= 0))
    traffic = lam[active] * aht[active]
    check_search_inputs(traffic, np.zeros(active.size, dtype=np.int64), active)
    slot_erlangs = traffic * aht_factors[-1] / k
    n = _chat_search_start(traffic, slot_erlangs, aht_factors, targets)
    check_search_inputs(traffic, n, active)
    ceiling = agent_ceiling(slot_erlangs, n)
    if active.size == 0:
        return Staffing(agents, QueueMetrics(**out))
    _aht_by_held(np.zeros(0), aht_factors)  # bad factors: the ValueError chat_metrics raises, before any estimate
    if _monotone_in_agents(aht_factors):
        guess = _chat_estimate(lam[active], aht[active], aht_factors, targets)
        # The headroom counts from the estimate too: a strict occupancy cap can put the answer above start + headroom.
        ceiling = agent_ceiling(slot_erlangs, np.maximum(n, guess))
        found = _bracket_search(n, ceiling, np.clip(guess, n, ceiling), active, lam, aht, aht_factors, targets, out)
        agents[active] = found
        return Staffing(agents, QueueMetrics(**out))
    while active.size:
        m = chat_metrics(n, lam[active], aht[active], aht_factors, targets.answer_seconds)
        done = targets.met(m.service_level, m.asa_seconds, m.occupancy)
        raise_if_at_ceiling(~done, n, ceiling, active)
        idx = active[done]
        agents[idx] = n[done]
        for name in out:
            out[name][idx] = getattr(m, name)[done]
        active, n, ceiling = active[~done], n[~done] + 1, ceiling[~done]
    return Staffing(agents, QueueMetrics(**out))


def _monotone_in_agents(aht_factors: Sequence[float]) -> bool:
    """Whether targets met at n agents are met at every larger count: true when no factor is below the one before.

    With AHT_c non-decreasing in c, adding an agent never raises the level any conversation is held at (the router
    spreads the same m conversations over more agents), so the completion rate of every state m is at least as
    high with n + 1 agents as with n (beyond n·k it is at least n·k / AHT_k). A birth–death chain with the same
    arrivals and higher completion rates is stochastically smaller, so with n + 1 agents P(m ≥ (n+1)·k) ≤
    P(m ≥ n·k) ≤ the P(wait) at n, the queue drains faster (R − λ grows), SL rises and ASA falls, and slot
    occupancy E[min(m / (n·k), 1)] falls (smaller m and more slots). With a factor below the previous one this
    argument fails, so those queues keep the one-agent-at-a-time search.
    """
    factors = np.asarray(aht_factors, dtype=float)
    return bool(np.all(np.diff(factors) >= 0))


def _bracket_search(
    start: NDArray[np.int64],
    ceiling: NDArray[np.int64],
    guess: NDArray[np.int64],
    positions: NDArray[np.int64],
    lam: NDArray,
    aht: NDArray,
    aht_factors: Sequence[float],
    targets: ServiceTargets,
    out: dict[str, NDArray],
) -> NDArray[np.int64]:
    """First count in [start, ceiling] meeting the targets, per interval (monotone predicate); metrics into out.

    Invariant: counts ≤ lo fail (lo = start − 1 counts as failing: the search never goes below its start) and
    counts ≥ hi meet (hi = ceiling + 1 until a count meets). The first probe is the estimate; while only one side
    is known the probes move away from it by 1, 2, 4, … agents; once both are known they bisect. Every interval
    still unresolved is probed in one chat_metrics call per round. An interval whose ceiling fails raises the error
    the one-at-a-time search would raise (the fewest steps from its start to its ceiling first, then position).
    """
    lo = start - 1
    hi = ceiling + 1
    probe = guess.copy()
    step = np.ones(start.size, dtype=np.int64)
    # +1: no count known to meet yet, walking up; −1: no failing count known above the start, walking down; 0: bisect
    walk = np.zeros(start.size, dtype=np.int64)
    first = np.ones(start.size, dtype=bool)
    live = np.arange(start.size)
    while live.size:
        rows = positions[live]
        m = chat_metrics(probe[live], lam[rows], aht[rows], aht_factors, targets.answer_seconds)
        ok = targets.met(m.service_level, m.asa_seconds, m.occupancy)
        met_rows = live[ok]
        for name in out:
            out[name][positions[met_rows]] = getattr(m, name)[ok]
        hi[met_rows] = probe[met_rows]
        lo[live[~ok]] = probe[live[~ok]]
        direction = np.where(ok, -1, 1)
        walk[live] = np.where(first[live] | (walk[live] == direction), direction, 0)
        first[live] = False
        live = live[hi[live] - lo[live] > 1]
        w, s = walk[live], step[live]
        cand = np.where(w < 0, hi[live] - s, np.where(w > 0, lo[live] + s, (lo[live] + hi[live]) // 2))
        probe[live] = np.clip(cand, lo[live] + 1, hi[live] - 1)
        step[live] = s * 2
    unreachable = np.flatnonzero(lo >= ceiling)
    if unreachable.size:
        steps = ceiling[unreachable] - start[unreachable]
        first_stuck = unreachable[steps == steps.min()]
        raise_if_at_ceiling(
            np.ones(first_stuck.size, dtype=bool), ceiling[first_stuck], ceiling[first_stuck], positions[first_stuck]
        )
    return hi


def _chat_estimate(
    lam: NDArray, aht: NDArray, aht_factors: Sequence[float], targets: ServiceTargets
) -> NDArray[np.int64]:
    """A close guess at the answer, where the search starts probing (the answer does not depend on it).

    The larger of: the fluid occupancy count, n with λ·AHT = n·g(cap·k), where g(x) is the completions per AHT of
    an agent holding x conversations on average (part ⌊x⌋, part ⌈x⌉); and ⌈slots / k⌉ for the fewest slots
    meeting the waiting targets in an Erlang C queue whose slots all serve at the slowest level AHT_k (with
    non-decreasing factors the chat chain is never slower, so this is an upper bound for those targets).
    """
    factors = np.asarray(aht_factors, dtype=float)
    k = factors.size
    guess = np.ones(lam.size, dtype=np.int64)
    traffic = lam * aht
    rows = np.flatnonzero((traffic > 0) & np.isfinite(traffic))
    if targets.max_occupancy is not None:
        x = targets.max_occupancy * k
        c = min(int(np.floor(x)), k - 1)
        rate = np.concatenate([[0.0], np.arange(1, k + 1) / factors])  # completions per AHT, holding 0..k
        per_agent = (c + 1 - x) * rate[c] + (x - c) * rate[c + 1]
        guess[rows] = np.maximum(guess[rows], exact_ceil(traffic[rows] / per_agent))
    if targets.service_level is not None or targets.asa_seconds is not None:
        slots = _erlang_c_slots(traffic[rows] * factors[-1], aht[rows] * factors[-1], targets)
        guess[rows] = np.maximum(guess[rows], -(-slots // k))
    return guess


def _erlang_c_slots(traffic: NDArray, aht: NDArray, targets: ServiceTargets) -> NDArray[np.int64]:
    """Fewest servers meeting the SL and ASA targets in Erlang C (bisection; B as Poisson pmf / cdf, n > A)."""
    lo = np.floor(traffic).astype(np.int64)  # fails: not more servers than traffic
    hi = lo + 1 + np.ceil(20.0 * np.sqrt(traffic)).astype(np.int64) + 100
    t = np.full(traffic.size, targets.answer_seconds)
    waiting = ServiceTargets(targets.service_level, targets.answer_seconds, targets.asa_seconds)
    live = np.flatnonzero(hi - lo > 1)
    while live.size:
        mid = (lo[live] + hi[live]) // 2
        a = traffic[live]
        m = _erlang_c_from_c(mid, a, aht[live], t[live], erlang_c_from_b(mid, a, erlang_b_poisson(mid, a)))
        ok = waiting.met(m.service_level, m.asa_seconds, m.occupancy)
        hi[live[ok]] = mid[ok]
        lo[live[~ok]] = mid[~ok]
        live = live[hi[live] - lo[live] > 1]
    return hi


def _chat_search_start(
    traffic_erlangs: NDArray, slot_erlangs: NDArray, aht_factors: Sequence[float], targets: ServiceTargets
) -> NDArray[np.int64]:
    """First agent count worth testing: above the stability bound, and one below the occupancy floor.

    Every chat is served at least as fast as at the quickest level, so conversations in service average at least
    traffic × min(aht_factors) and slot occupancy at n agents is at least that / (n·k): fewer agents than
    ⌈traffic × min factor / (k × cap)⌉ cannot meet the cap (one less is tested, against rounding).
    """
    k = len(aht_factors)
    stable = np.floor(slot_erlangs).astype(np.int64) + 1
    start = np.maximum(stable, max(1, targets.min_agents))
    if targets.max_occupancy is not None:
        floor = exact_ceil(traffic_erlangs * min(aht_factors) / (k * targets.max_occupancy)) - 1
        start = np.maximum(start, floor)
    return start
