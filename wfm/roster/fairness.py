"""Evening out weekends and late shifts: re-solve the most and the least loaded agents together with CP-SAT.

The dynamic programme moves one agent at a time, so a swap of a late shift from a loaded agent to a light one
(neutral for coverage, better for the spread) is out of its reach. Here the plans of a few agents from both ends
of the load ranking are freed at once and re-solved exactly against everyone else, with the model's own spread
penalties; a result is kept when the full objective does not get worse.
"""

from __future__ import annotations

import time

import numpy as np

from wfm.roster.domain import Config, Instance
from wfm.roster.options import InstanceFacts, weekend_index
from wfm.roster.search import Progress, solve_cells
from wfm.roster.variables import Cell, Choice


def loads(instance: Instance, config: Config, chosen: dict[Cell, Choice]) -> tuple[np.ndarray, np.ndarray]:
    """(weekends worked, late shifts) per agent."""
    weekend_of = {d: w for w, days in weekend_index(instance).items() for d in days}
    late = {s for s, shift in enumerate(instance.shifts) if shift.category in config.rules.late_categories}
    weekends: set[tuple[int, int]] = set()
    lates = np.zeros(len(instance.agents), dtype=np.int64)
    for (a, d), (s, _) in chosen.items():
        if d in weekend_of:
            weekends.add((a, weekend_of[d]))
        lates[a] += s in late
    counts = np.zeros(len(instance.agents), dtype=np.int64)
    for a, _ in weekends:
        counts[a] += 1
    return counts, lates


def even_out(
    instance: Instance,
    config: Config,
    facts: InstanceFacts,
    chosen: dict[Cell, Choice],
    objective: float,
    deadline: float,
    *,
    eligible_weekends: np.ndarray,
    eligible_lates: np.ndarray,
    seed: int = 0,
    group: int = 4,
    progress: Progress | None = None,
) -> tuple[dict[Cell, Choice], float, int]:
    """Re-solve groups of the most and least loaded eligible agents until the deadline; returns the roster, its
    objective (weight × minutes) and the number of improvements."""
    rng = np.random.default_rng(seed)
    weights = config.weights
    kinds = [k for k, w in (("weekends", weights.weekend_fairness), ("lates", weights.late_fairness)) if w > 0]
    improved = 0
    while kinds and time.monotonic() < deadline - 0.5:
        kind = kinds[int(rng.integers(len(kinds)))]
        counts = loads(instance, config, chosen)[0 if kind == "weekends" else 1]
        eligible = np.flatnonzero(eligible_weekends if kind == "weekends" else eligible_lates)
        if len(eligible) < 2:
            break
        order = eligible[np.argsort(counts[eligible] + rng.random(len(eligible)) * 0.5)]
        half = max(1, group // 2)
        agents = [*order[:half].tolist(), *order[-half:].tolist()]
        cells = [(a, d) for a in agents for d in range(instance.days)]
        limit = min(3.0, deadline - time.monotonic() - 0.3)
        if limit <= 0.2:
            break
        result = solve_cells(instance, config, facts, cells, chosen, limit, seed=int(rng.integers(1 << 30)))
        if result.chosen is not None and result.objective < objective - 1e-6:
            chosen, objective = result.chosen, result.objective
            improved += 1
            if progress:
                progress(f"fairness ({kind}): objective {objective / 60:.1f}")
    return chosen, objective, improved
