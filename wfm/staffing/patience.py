"""Mean patience of callers estimated from history: total waiting time of all callers ÷ abandonments."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def patience_from_totals(total_wait_seconds: ArrayLike, abandoned: ArrayLike) -> float:
    """Mean patience (s) under exponential patience: Σ waiting time of all callers / Σ abandonments.

    Every caller who waited was exposed to abandoning for as long as it waited, so the abandonment rate θ is
    abandonments per second of waiting, and mean patience is 1/θ. Infinite when nobody abandoned.
    """
    wait = float(np.sum(np.asarray(total_wait_seconds, dtype=float)))
    abandons = float(np.sum(np.asarray(abandoned, dtype=float)))
    if wait < 0 or abandons < 0:
        raise ValueError("waiting time and abandonments must be >= 0")
    return wait / abandons if abandons > 0 else float("inf")


def patience_from_contacts(wait_seconds: ArrayLike, abandoned: ArrayLike) -> float:
    """Mean patience (s) from a per-contact log: waits of answered and abandoned contacts, and who abandoned."""
    wait = np.asarray(wait_seconds, dtype=float)
    gave_up = np.asarray(abandoned, dtype=bool)
    if wait.shape != gave_up.shape:
        raise ValueError("wait_seconds and abandoned must have the same length")
    if np.any(np.isnan(wait)) or np.any(wait < 0):
        raise ValueError("wait_seconds must be known and >= 0 for every contact")
    return patience_from_totals(wait.sum(), gave_up.sum())


def patience_from_history(asa_seconds: ArrayLike, answered: ArrayLike, abandoned: ArrayLike) -> float:
    """Mean patience (s) from interval history when ASA is the mean wait of answered calls only.

    Abandoned callers' waits are not in ASA; they are approximated by the same mean wait, so the total wait is
    ASA × (answered + abandoned). Prefer the per-contact estimate when a log exists.
    """
    total_wait = np.asarray(asa_seconds, dtype=float) * (np.asarray(answered, float) + np.asarray(abandoned, float))
    return patience_from_totals(np.nansum(total_wait), np.sum(abandoned))
