"""Service targets of a queue and exact integer ceilings used when turning them into agent counts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

# Ratios such as 21 / 0.7 come out as 30.000000000000004 in binary floating point; anything within this
# relative distance of an integer is that integer.
_CEIL_TOLERANCE = 1e-9


def exact_ceil(values: ArrayLike) -> NDArray[np.int64]:
    """Ceiling that ignores floating-point noise: ⌈21 / 0.7⌉ is 30, not 31."""
    x = np.asarray(values, dtype=float)
    nearest = np.round(x)
    close = np.abs(x - nearest) <= _CEIL_TOLERANCE * np.maximum(1.0, np.abs(x))
    return np.where(close, nearest, np.ceil(x)).astype(np.int64)


def scheduled_from_net(net_agents: ArrayLike, shrinkage: ArrayLike) -> NDArray[np.int64]:
    """Agents to schedule so that `net_agents` remain after shrinkage: ⌈net / (1 − shrinkage)⌉."""
    net = np.asarray(net_agents, dtype=float)
    s = np.asarray(shrinkage, dtype=float)
    if np.any((s < 0) | (s >= 1)):
        raise ValueError("shrinkage must be in [0, 1)")
    return exact_ceil(net / (1.0 - s))


@dataclass(frozen=True)
class ServiceTargets:
    """What a queue promises: SL within answer_seconds, an ASA ceiling, an occupancy cap (None = no target)."""

    service_level: float | None = 0.8
    answer_seconds: float = 20.0
    asa_seconds: float | None = None
    max_occupancy: float | None = None
    min_agents: int = 0

    def __post_init__(self) -> None:
        """Reject targets that cannot be met by any staffing."""
        if self.service_level is not None and not 0.0 <= self.service_level < 1.0:
            raise ValueError("service_level must be in [0, 1) — 1.0 needs infinitely many agents")
        if self.answer_seconds < 0:
            raise ValueError("answer_seconds must be >= 0")
        if self.asa_seconds is not None and self.asa_seconds <= 0:
            raise ValueError("asa_seconds must be > 0")
        if self.max_occupancy is not None and not 0.0 < self.max_occupancy <= 1.0:
            raise ValueError("max_occupancy must be in (0, 1]")
        if self.min_agents < 0:
            raise ValueError("min_agents must be >= 0")

    def occupancy_floor(self, busy_erlangs: ArrayLike) -> NDArray[np.int64]:
        """Fewest agents that keep occupancy at or below the cap: ⌈busy / max_occupancy⌉."""
        cap = 1.0 if self.max_occupancy is None else self.max_occupancy
        return exact_ceil(np.asarray(busy_erlangs, dtype=float) / cap)

    def met(self, service_level: NDArray, asa_seconds: NDArray, occupancy: NDArray) -> NDArray[np.bool_]:
        """Whether metrics at some staffing meet every target (element-wise)."""
        ok = np.ones(np.shape(service_level), dtype=bool)
        if self.service_level is not None:
            ok &= service_level >= self.service_level - 1e-12
        if self.asa_seconds is not None:
            ok &= asa_seconds <= self.asa_seconds + 1e-12
        if self.max_occupancy is not None:
            ok &= occupancy <= self.max_occupancy + 1e-12
        return ok
