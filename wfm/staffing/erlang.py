"""Erlang B, Erlang C (M/M/n) and Erlang A (M/M/n+M) metrics, vectorised over arrays of intervals.

Units: arrival rates are per second, handle and patience times are in seconds, traffic is in Erlangs
(``traffic_erlangs = arrival_rate_per_second * aht_seconds``). Every function accepts scalars or numpy arrays
that broadcast together and returns float arrays.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import gammaincc, gammaln, logsumexp

FloatArray = NDArray[np.float64]

# Relative weight below which a queue-length state is dropped from Erlang A sums (e^-40 ~ 4e-18).
_LOG_TAIL_TOLERANCE = -40.0
_MAX_QUEUE_STATES = 1 << 14
_CHUNK_ROWS = 512
# Intervals × queue states held at once by the Erlang A chain (about 8 MiB per array): a block of intervals whose
# chain needs more states is split, so memory does not grow with intervals × states.
_CHUNK_CELLS = 1 << 20
# Above this many agents (and more agents than traffic), Erlang B is evaluated in closed form instead of by recursion.
_RECURSION_MAX_AGENTS = 1000
# Intervals per block of the direct Erlang B sum for fewer agents than traffic.
_OVERLOADED_ROWS = 16


def erlang_b(agents: ArrayLike, traffic_erlangs: ArrayLike) -> FloatArray:
    """Blocking probability B(n, A) by the recursion B(k) = A·B(k−1) / (k + A·B(k−1)), B(0) = 1.

    Above 1000 agents B is computed directly (Poisson pmf / cdf with at least as many agents as traffic, else a sum
    of positive terms), so the work does not grow with the largest count; the recursion runs only where needed.
    """
    n, a = np.broadcast_arrays(np.asarray(agents, dtype=np.int64), np.asarray(traffic_erlangs, dtype=float))
    if np.any(n < 0):
        raise ValueError("agents must be >= 0")
    shape = n.shape
    n, a = n.ravel(), a.ravel()
    result = np.ones(n.shape, dtype=float)
    large = n > _RECURSION_MAX_AGENTS
    closed = large & (n >= a)
    result[closed] = erlang_b_poisson(n[closed], a[closed])
    overloaded = large & ~closed
    result[overloaded] = erlang_b_overloaded(n[overloaded], a[overloaded])
    rows = np.flatnonzero(~large & (n > 0))
    rows = rows[np.argsort(n[rows], kind="stable")]
    counts = n[rows]
    blocking = np.ones(rows.size, dtype=float)
    first = 0  # rows[:first] have reached their own count
    for k in range(1, int(counts[-1]) + 1 if rows.size else 1):
        ab = a[rows[first:]] * blocking[first:]
        blocking[first:] = ab / (k + ab)
        first = int(np.searchsorted(counts, k, side="right"))
    result[rows] = blocking
    return result.reshape(shape)


def erlang_b_poisson(agents: NDArray, traffic_erlangs: NDArray) -> FloatArray:
    """Erlang B exactly as Poisson pmf / cdf at n ≥ 1 agents (accurate where the cdf does not underflow, n ≳ A)."""
    n = np.asarray(agents).astype(float)
    a = np.asarray(traffic_erlangs, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_pmf = n * np.log(a) - a - gammaln(n + 1.0)
        log_cdf = np.log(gammaincc(n + 1.0, a))
    return np.exp(np.minimum(log_pmf - log_cdf, 0.0))


def erlang_b_overloaded(agents: NDArray, traffic_erlangs: NDArray) -> FloatArray:
    """Erlang B for fewer agents than traffic: 1/B = Σ_{j=0..n} n!/((n−j)!·A^j), decreasing positive terms.

    Terms are added (in log space) until the last one is below e^−40 of the sum: about 9·√A terms near n ≈ A.
    """
    n = np.asarray(agents).astype(float)
    a = np.asarray(traffic_erlangs, dtype=float)
    out = np.ones(n.size)
    for lo in range(0, n.size, _OVERLOADED_ROWS):
        rows = slice(lo, lo + _OVERLOADED_ROWS)
        out[rows] = np.exp(-_log_inverse_b(n[rows], a[rows]))
    return out


def _log_inverse_b(n: FloatArray, a: FloatArray) -> FloatArray:
    """log(1/B) for rows with n < A, doubling the number of terms until the tail is negligible."""
    terms = 64
    while True:
        j = np.arange(terms, dtype=float)[None, :]
        count = n[:, None] - j
        with np.errstate(invalid="ignore"):
            log_t = np.where(
                count >= 0,
                gammaln(n + 1.0)[:, None] - gammaln(np.maximum(count, 0.0) + 1.0) - j * np.log(a)[:, None],
                -np.inf,
            )
        total = logsumexp(log_t, axis=1)
        if terms > n.max() or np.all(log_t[:, -1] - total < _LOG_TAIL_TOLERANCE):
            return total
        terms *= 2


def erlang_c_from_b(agents: ArrayLike, traffic_erlangs: ArrayLike, blocking: ArrayLike) -> FloatArray:
    """Probability of waiting C(n, A) = n·B / (n − A·(1 − B)) from Erlang B; 1 when agents ≤ traffic."""
    n = np.asarray(agents, dtype=float)
    a = np.asarray(traffic_erlangs, dtype=float)
    b = np.asarray(blocking, dtype=float)
    stable = n > a
    with np.errstate(divide="ignore", invalid="ignore"):
        c = np.where(stable, n * b / (n - a * (1.0 - b)), 1.0)
    return np.clip(c, 0.0, 1.0)


@dataclass(frozen=True)
class QueueMetrics:
    """Per-interval queue performance at a given number of agents (arrays of equal shape)."""

    p_wait: FloatArray
    service_level: FloatArray
    asa_seconds: FloatArray
    occupancy: FloatArray
    p_abandon: FloatArray


def erlang_c_metrics(
    agents: ArrayLike, traffic_erlangs: ArrayLike, aht_seconds: ArrayLike, answer_seconds: ArrayLike
) -> QueueMetrics:
    """Erlang C: P(wait), SL = 1 − C·exp(−(n − A)·t / AHT), ASA = C·AHT / (n − A), occupancy = A / n."""
    n, a, aht, t = np.broadcast_arrays(
        np.asarray(agents, dtype=np.int64),
        np.asarray(traffic_erlangs, dtype=float),
        np.asarray(aht_seconds, dtype=float),
        np.asarray(answer_seconds, dtype=float),
    )
    c = erlang_c_from_b(n, a, erlang_b(n, a))
    return _erlang_c_from_c(n, a, aht, t, c)


def _erlang_c_from_c(n: NDArray, a: FloatArray, aht: FloatArray, t: FloatArray, c: FloatArray) -> QueueMetrics:
    """Erlang C metrics given the probability of waiting (shared by the public function and the search)."""
    n = n.astype(float)
    stable = n > a
    idle = a <= 0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        spare = np.where(stable, n - a, 1.0)
        sl = np.where(stable, 1.0 - c * np.exp(-spare * t / aht), 0.0)
        asa = np.where(stable, c * aht / spare, np.inf)
        occupancy = np.where(n > 0, np.minimum(a / np.where(n > 0, n, 1.0), 1.0), np.where(idle, 0.0, 1.0))
    sl = np.where(idle, 1.0, np.clip(sl, 0.0, 1.0))
    asa = np.where(idle, 0.0, asa)
    c = np.where(idle, 0.0, c)
    return QueueMetrics(c, sl, asa, occupancy, np.zeros_like(c))


def erlang_a_metrics(
    agents: ArrayLike,
    arrival_rate_per_second: ArrayLike,
    aht_seconds: ArrayLike,
    patience_seconds: ArrayLike,
    answer_seconds: ArrayLike,
) -> QueueMetrics:
    """Erlang A (M/M/n+M) from the exact birth–death chain with exponential patience.

    States k ≤ n have weight A^k/k!; queue states n+j have weight π_n·Π_{i=1..j} λ/(nμ + iθ). A caller who
    finds j waiting is served with probability nμ/(nμ + (j+1)θ), and is served within t with probability
    nμ/(nμ + (j+1)θ) · (1 − I_{exp(−θt)}(nμ/θ + 1, j + 1)) (regularised incomplete beta), because the
    exponentially tilted wait is a sum of exponentials with rates nμ + θ, …, nμ + (j+1)θ.
    ``service_level`` is answered within t over all offered (abandoned callers count as failures);
    ``asa_seconds`` is the mean wait over all offered callers, served or abandoned (= P(abandon) / θ);
    ``occupancy`` is the mean number of busy agents over n.
    """
    n, lam, aht, patience, t = np.broadcast_arrays(
        np.asarray(agents, dtype=np.int64),
        np.asarray(arrival_rate_per_second, dtype=float),
        np.asarray(aht_seconds, dtype=float),
        np.asarray(patience_seconds, dtype=float),
        np.asarray(answer_seconds, dtype=float),
    )
    shape = n.shape
    n, lam, aht, patience, t = (x.ravel() for x in (n, lam, aht, patience, t))
    blocking = erlang_b(n, lam * aht)
    metrics = _erlang_a_from_b(n, lam, aht, patience, t, blocking)
    return QueueMetrics(*(np.reshape(getattr(metrics, f), shape) for f in QueueMetrics.__dataclass_fields__))


def _erlang_a_from_b(
    n: NDArray, lam: FloatArray, aht: FloatArray, patience: FloatArray, t: FloatArray, blocking: FloatArray
) -> QueueMetrics:
    """Erlang A metrics for 1-d arrays given Erlang B at the same agents and traffic."""
    out = {name: np.empty(n.shape, dtype=float) for name in QueueMetrics.__dataclass_fields__}
    patient = ~np.isfinite(patience)  # infinite patience is Erlang C
    if patient.any():
        c = erlang_c_from_b(n[patient], lam[patient] * aht[patient], blocking[patient])
        part = _erlang_c_from_c(n[patient], lam[patient] * aht[patient], aht[patient], t[patient], c)
        for name in out:
            out[name][patient] = getattr(part, name)
    rows = np.flatnonzero(~patient)
    pending = [rows[lo : lo + _CHUNK_ROWS] for lo in range(0, rows.size, _CHUNK_ROWS)]
    while pending:
        block = pending.pop()
        max_states = _MAX_QUEUE_STATES if block.size == 1 else _CHUNK_CELLS // block.size
        part = _erlang_a_chunk(n[block], lam[block], aht[block], patience[block], t[block], blocking[block], max_states)
        if part is None:  # the chain needs more states than the block may hold: halve the block
            pending += [block[: block.size // 2], block[block.size // 2 :]]
            continue
        for name in out:
            out[name][block] = getattr(part, name)
    return QueueMetrics(**out)


def _queue_log_weights(
    n: FloatArray, lam: FloatArray, mu: FloatArray, theta: FloatArray, max_states: int = _MAX_QUEUE_STATES
) -> FloatArray | None:
    """log of π_{n+j}/π_n for j = 0..J−1, growing J until the tail is negligible for every row.

    None when the rows need more than `max_states` states (below _MAX_QUEUE_STATES): the caller splits the rows.
    """
    rate_ratio = lam / theta  # x = λ/θ
    b = n * mu / theta  # nμ/θ
    states = 64
    while True:
        j = np.arange(states, dtype=float)[None, :]
        # Π_{i=1..j} λ/(nμ + iθ) = x^j · Γ(b+1) / Γ(b+j+1)
        log_w = j * np.log(rate_ratio)[:, None] + gammaln(b + 1.0)[:, None] - gammaln(b[:, None] + j + 1.0)
        total = logsumexp(log_w, axis=1)
        if states >= _MAX_QUEUE_STATES or np.all(log_w[:, -1] - total < _LOG_TAIL_TOLERANCE):
            return log_w
        if states * 2 > max_states:
            return None
        states *= 2


def _erlang_a_chunk(
    n: NDArray,
    lam: FloatArray,
    aht: FloatArray,
    patience: FloatArray,
    t: FloatArray,
    blocking: FloatArray,
    max_states: int = _MAX_QUEUE_STATES,
) -> QueueMetrics | None:
    """Erlang A on a block of intervals (broadcast 2-d over queue states); None if it needs over max_states states."""
    nf = n.astype(float)
    idle = (lam <= 0) | (aht <= 0)
    aht = np.where(idle, 1.0, aht)
    mu = 1.0 / aht
    lam_safe = np.where(idle, 1e-12, lam)
    theta = 1.0 / np.maximum(patience, 1e-9)
    log_w = _queue_log_weights(nf, lam_safe, mu, theta, max_states)
    if log_w is None:
        return None
    j = np.arange(log_w.shape[1], dtype=float)[None, :]
    serve_rate = (nf * mu)[:, None]
    served_share = np.where(serve_rate > 0, serve_rate / (serve_rate + (j + 1.0) * theta[:, None]), 0.0)

    # π_n relative to the queue-state weights: Σ_{k<n} π_k / π_n = 1/B − 1, so P(wait) = s·B / (1 − B + s·B),
    # written so that it cannot overflow when B underflows to 0 (many idle agents).
    # Queue states beyond the last one kept decay at least geometrically with r = λ/(nμ + Jθ) (tiny θ, near-critical
    # load): their weight is added as w_{J−1}·r/(1 − r); they wait far beyond t, and abandon at the last state's rate.
    states = log_w.shape[1]
    with np.errstate(divide="ignore", invalid="ignore"):
        log_r = np.log(lam_safe) - np.log(nf * mu + states * theta)
        log_tail = np.where(log_r < 0, log_w[:, -1] + log_r - np.log(-np.expm1(np.minimum(log_r, -1e-300))), -np.inf)
    log_kept = logsumexp(log_w, axis=1)
    log_s = np.logaddexp(log_kept, log_tail)
    with np.errstate(divide="ignore", over="ignore"):
        ratio = np.exp(np.log1p(-np.minimum(blocking, 1.0)) - log_s - np.log(blocking))  # (1 − B) / (s·B)
    p_wait = np.where(nf == 0, 1.0, 1.0 / (1.0 + ratio))
    queue_probs = np.exp(log_w - log_s[:, None]) * p_wait[:, None]  # P(arrival finds j waiting)
    tail_prob = np.exp(log_tail - log_s) * p_wait

    # P(served within t | j) uses the negative-binomial form of I_z(α, m): cumulative sums of its pmf.
    alpha = (nf * mu / theta + 1.0)[:, None]
    z = np.exp(-theta * t)[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        log_step = np.log1p(-z) + np.log((alpha + j - 1.0) / np.maximum(j, 1.0))
    log_step[:, 0] = 0.0
    log_pmf = alpha * np.log(z) + np.cumsum(log_step, axis=1)
    incomplete_beta = np.clip(np.cumsum(np.exp(log_pmf), axis=1), 0.0, 1.0)  # I_z(α, j+1)
    within_t = served_share * (1.0 - incomplete_beta)

    tail_abandon = (states + 1.0) * theta / (nf * mu + (states + 1.0) * theta)
    p_abandon = np.sum(queue_probs * (1.0 - served_share), axis=1) + tail_prob * tail_abandon
    service_level = (1.0 - p_wait) + np.sum(queue_probs * within_t, axis=1)
    asa = p_abandon / theta
    busy = lam * (1.0 - p_abandon) * aht
    with np.errstate(divide="ignore", invalid="ignore"):
        occupancy = np.where(nf > 0, busy / np.where(nf > 0, nf, 1.0), np.where(idle, 0.0, 1.0))
    return QueueMetrics(
        p_wait=np.where(idle, 0.0, np.clip(p_wait, 0.0, 1.0)),
        service_level=np.where(idle, 1.0, np.clip(service_level, 0.0, 1.0)),
        asa_seconds=np.where(idle, 0.0, asa),
        occupancy=np.clip(occupancy, 0.0, 1.0),
        p_abandon=np.where(idle, 0.0, np.clip(np.where(nf == 0, 1.0, p_abandon), 0.0, 1.0)),
    )
