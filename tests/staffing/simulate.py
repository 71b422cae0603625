"""Seeded discrete-event simulations used to check the staffing formulas: Erlang A with ciw, chat by hand."""

from __future__ import annotations

import math
import random
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import ciw
import numpy as np
from scipy import stats

from wfm.staffing import patience_from_contacts

# Arrivals in the last stretch of a run are not counted, so every counted contact has left the queue by the end.
DRAIN_SECONDS = 3600.0


@dataclass(frozen=True)
class RunResult:
    """Shares over the contacts offered in one run's measurement window (and time-average slot use)."""

    offered: int
    p_wait: float
    p_abandon: float
    service_level: float
    asa_seconds: float
    occupancy: float = float("nan")
    patience_seconds: float = float("nan")


@dataclass(frozen=True)
class Estimate:
    """Mean over independent replications and the half-width of its confidence interval."""

    mean: float
    half_width: float

    def covers(self, value: float) -> bool:
        """Whether the exact value lies inside the interval."""
        return abs(float(value) - self.mean) <= self.half_width


def replicate(run: Callable[[int], RunResult], seeds: Sequence[int], confidence: float = 0.99) -> dict[str, Estimate]:
    """Independent replications: per metric, the mean and the Student-t half-width at `confidence`."""
    results = [run(seed) for seed in seeds]
    quantile = stats.t.ppf(0.5 + confidence / 2, len(results) - 1)
    out = {}
    for name in RunResult.__dataclass_fields__:
        values = np.array([getattr(r, name) for r in results], dtype=float)
        out[name] = Estimate(float(values.mean()), float(quantile * values.std(ddof=1) / np.sqrt(values.size)))
    return out


def simulate_erlang_a(
    agents: int,
    arrival_rate_per_second: float,
    aht_seconds: float,
    patience_seconds: float,
    answer_seconds: float,
    horizon_seconds: float,
    warmup_seconds: float,
    seed: int,
) -> RunResult:
    """M/M/n+M with ciw: Poisson arrivals, exponential service and exponential patience (reneging).

    Infinite patience simulates M/M/n (Erlang C). ``patience_seconds`` of the result is the estimate
    patience_from_contacts makes from the run's own per-contact log (waits and who abandoned).
    """
    reneging = None if math.isinf(patience_seconds) else [ciw.dists.Exponential(1.0 / patience_seconds)]
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(arrival_rate_per_second)],
        service_distributions=[ciw.dists.Exponential(1.0 / aht_seconds)],
        number_of_servers=[agents],
        reneging_time_distributions=reneging,
    )
    ciw.seed(seed)
    simulation = ciw.Simulation(network)
    simulation.simulate_until_max_time(horizon_seconds)
    records = simulation.get_all_records()
    arrival = np.array([r.arrival_date for r in records])
    wait = np.array([r.waiting_time for r in records])
    reneged = np.array([r.record_type == "renege" for r in records])
    window = (arrival >= warmup_seconds) & (arrival < horizon_seconds - DRAIN_SECONDS)
    wait, reneged = wait[window], reneged[window]
    return RunResult(
        offered=int(window.sum()),
        p_wait=float(np.mean(wait > 0)),
        p_abandon=float(np.mean(reneged)),
        service_level=float(np.mean(~reneged & (wait <= answer_seconds))),
        asa_seconds=float(np.mean(wait)),
        patience_seconds=patience_from_contacts(wait, reneged) if reneging else math.nan,
    )


def simulate_chat(
    agents: int,
    arrival_rate_per_second: float,
    aht_seconds: float,
    aht_factors: Sequence[float],
    answer_seconds: float,
    horizon_seconds: float,
    warmup_seconds: float,
    seed: int,
    rebalance: bool = True,
) -> RunResult:
    """Chat agents holding up to k conversations, each finishing at rate 1/(AHT·factor_c) while c are held.

    Every agent is simulated on its own: a new chat goes to the least-loaded agent (lowest index on ties) or, when
    all hold k, waits in one FCFS queue for the first freed slot. With ``rebalance`` a departure that leaves an
    agent two below the busiest moves one conversation over (the model's balanced router); without it the
    router only balances on arrival, as a real one does.
    """
    k = len(aht_factors)
    completion = [0.0] + [c / (aht_seconds * aht_factors[c - 1]) for c in range(1, k + 1)]
    rng = random.Random(seed)
    held = [0] * agents
    queue: deque[tuple[float, bool]] = deque()
    now = 0.0
    count_until = horizon_seconds - DRAIN_SECONDS
    offered = waited = in_target = 0
    total_wait = busy_area = 0.0
    while now < horizon_seconds:
        rates = [completion[c] for c in held]
        total = arrival_rate_per_second + sum(rates)
        step = rng.expovariate(total)
        overlap = min(now + step, horizon_seconds) - max(now, warmup_seconds)
        if overlap > 0:
            busy_area += sum(held) * overlap
        now += step
        if now >= horizon_seconds:
            break
        pick = rng.random() * total
        if pick < arrival_rate_per_second:
            counted = warmup_seconds <= now < count_until
            offered += counted
            least = min(range(agents), key=held.__getitem__)
            if held[least] < k:
                held[least] += 1
                in_target += counted
            else:
                queue.append((now, counted))
            continue
        pick -= arrival_rate_per_second
        agent = 0
        while agent < agents - 1 and pick >= rates[agent]:
            pick -= rates[agent]
            agent += 1
        held[agent] -= 1
        if queue:
            arrived, counted = queue.popleft()
            held[agent] += 1
            if counted:
                waited += 1
                in_target += now - arrived <= answer_seconds
                total_wait += now - arrived
        elif rebalance:
            busiest = max(range(agents), key=held.__getitem__)
            if held[busiest] - held[agent] >= 2:
                held[busiest] -= 1
                held[agent] += 1
    if any(counted for _, counted in queue):
        raise RuntimeError("a counted chat was still waiting at the end: lengthen DRAIN_SECONDS")
    return RunResult(
        offered=offered,
        p_wait=waited / offered,
        p_abandon=0.0,
        service_level=in_target / offered,
        asa_seconds=total_wait / offered,
        occupancy=busy_area / ((horizon_seconds - warmup_seconds) * agents * k),
    )
