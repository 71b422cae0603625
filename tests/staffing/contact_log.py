"""A seeded event simulation that writes a per-contact log (with agents), for fidelity and calibration tests."""

from __future__ import annotations

import heapq
from collections import deque

import numpy as np
import pandas as pd


def simulate_contact_log(
    days: int,
    agents: tuple[int, ...],
    calls_per_hour: tuple[float, ...],
    seed: int,
    aht_seconds: float = 180.0,
    aht_cv: float = 1.0,
    patience_seconds: float = 300.0,
    hours_per_block: int = 3,
    start: str = "2024-01-01 08:00",
) -> pd.DataFrame:
    """Each day runs blocks of `hours_per_block` hours with agents[i] agents and calls_per_hour[i] Poisson arrivals.

    Handle times are gamma with the given mean and cv (cv 1 = exponential), patience exponential, one FCFS queue;
    a free agent that has waited longest takes the next call. Contacts get priority "1" or "2" at random.
    """
    rng = np.random.default_rng(seed)
    shape = 1.0 / aht_cv**2
    rows = []
    for day in range(days):
        origin = pd.Timestamp(start) + pd.Timedelta(days=day)
        for block, (n, rate) in enumerate(zip(agents, calls_per_hour, strict=True)):
            begin = block * hours_per_block * 3600.0
            end = begin + hours_per_block * 3600.0
            arrivals = begin + np.cumsum(rng.exponential(3600.0 / rate, size=int(rate * hours_per_block * 2)))
            arrivals = arrivals[arrivals < end]
            free = [(begin, f"agent{block}_{k}") for k in range(n)]  # (free since, agent)
            heapq.heapify(free)
            waiting: deque = deque()
            for t in arrivals:
                patience = rng.exponential(patience_seconds)
                handle = rng.gamma(shape, aht_seconds / shape)
                since, agent = free[0]
                service_start = max(t, since)
                if service_start - t > patience:
                    rows.append((origin, t, "abandoned", patience, np.nan, "", rng.integers(1, 3)))
                    continue
                heapq.heapreplace(free, (service_start + handle, agent))
                rows.append((origin, t, "answered", service_start - t, handle, agent, rng.integers(1, 3)))
            del waiting
    frame = pd.DataFrame(
        rows, columns=["origin", "t", "outcome", "wait_seconds", "handle_seconds", "agent_id", "priority"]
    )
    arrival = frame["origin"] + pd.to_timedelta(frame["t"].round(0), unit="s")
    log = pd.DataFrame(
        {
            "queue": "q",
            "arrival_ts": arrival,
            "outcome": frame["outcome"],
            "wait_seconds": frame["wait_seconds"].round(0),
            "handle_seconds": frame["handle_seconds"].round(0),
            "agent_id": frame["agent_id"],
            "priority": frame["priority"].astype(str),
        }
    )
    return log.sort_values(["queue", "arrival_ts"], kind="stable").reset_index(drop=True)
