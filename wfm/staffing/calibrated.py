"""The calibrated staffing model: Erlang A corrected by what a centre's own contact log shows Erlang misses.

Learned from the train part of a per-contact log (see docs/fidelity.md):
- priority classes (optional `priority` column): each class has its own share of the volume, its own
  *availability* (effective agents for that class = availability × agents present) and its own patience;
- patience: mean patience per class, the exponential maximum-likelihood estimate (total wait ÷ abandonments);
- handle-time spread: the coefficient of variation of handle times; waits are stretched by (1 + cv²)/2, the
  Allen–Cunneen factor for general service times (cv = 1 is exactly Erlang A);
- within-interval swing: the relative spread of capacity against load inside an interval (agents present and
  arrivals measured over sub-slots of a sixth of the interval); metrics are averaged over agents × (1 − s, 1, 1 + s);
- availability per class: fitted on the train intervals (ternary search, mean absolute error of the service level
  plus that of the abandonment rate).
Fractional effective agents are handled by linear interpolation between the two neighbouring whole numbers.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike, NDArray

from forecasting.file_text import read_text
from wfm.errors import InputError
from wfm.limits import MAX_AGENTS_PER_INTERVAL
from wfm.outputs import write_json
from wfm.staffing.erlang import QueueMetrics, erlang_a_metrics
from wfm.staffing.required import Staffing, raise_if_at_ceiling, required_agents_erlang_c
from wfm.staffing.targets import ServiceTargets

SWING_POINTS = (-1.0, 0.0, 1.0)
AVAILABILITY_RANGE = (0.2, 2.5)
PATIENCE_FACTOR_RANGE = (0.25, 4.0)
_FIELDS = ("p_wait", "service_level", "asa_seconds", "occupancy", "p_abandon")


@dataclass(frozen=True)
class ClassParameters:
    """One priority class: its share of the volume, its agents' availability and its callers' mean patience."""

    name: str
    share: float
    availability: float
    patience_seconds: float


@dataclass(frozen=True)
class CalibratedParameters:
    """Everything the calibrated model learned from a contact log (plus where it was learned)."""

    classes: tuple[ClassParameters, ...]
    aht_cv: float = 1.0
    swing: float = 0.0
    idle_gap_minutes: float = 10.0
    trained_on: str = ""
    train_intervals: int = 0
    train_errors: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Reject parameters the model cannot use."""
        if not self.classes:
            raise ValueError("at least one class is needed")
        if any(c.availability <= 0 or c.patience_seconds <= 0 or c.share < 0 for c in self.classes):
            raise ValueError("availability and patience must be > 0 and shares ≥ 0")
        if self.aht_cv < 0 or not 0 <= self.swing < 1:
            raise ValueError("aht_cv must be ≥ 0 and swing in [0, 1)")

    @property
    def stretch(self) -> float:
        """Factor applied to waits for the handle-time spread: (1 + cv²) / 2."""
        return (1.0 + self.aht_cv**2) / 2.0

    @property
    def availability(self) -> float:
        """Volume-weighted effective availability over the classes."""
        shares = np.array([c.share for c in self.classes])
        shares = shares / shares.sum() if shares.sum() > 0 else np.full(shares.size, 1.0 / shares.size)
        return float(np.dot(shares, [c.availability for c in self.classes]))


def simple_parameters(
    availability: float = 1.0, patience_seconds: float = np.inf, aht_cv: float = 1.0, swing: float = 0.0
) -> CalibratedParameters:
    """One-class parameters, e.g. from the queue settings columns availability, aht_cv, patience_seconds."""
    return CalibratedParameters((ClassParameters("all", 1.0, availability, patience_seconds),), aht_cv, swing)


def _interpolated(agents: NDArray, lam: NDArray, aht: NDArray, patience: float, answer: float, stretch: float) -> dict:
    """Erlang A at fractional agents (linear between neighbours); the answer-time test on waits × `stretch`."""
    agents = np.maximum(agents, 0.0)
    low = np.floor(agents)
    weight = agents - low
    time_scale = patience  # the chain keeps the learned patience; only the answer-time test is stretched
    out = {}
    below = erlang_a_metrics(low.astype(np.int64), lam, aht, time_scale, answer / stretch)
    above = erlang_a_metrics(low.astype(np.int64) + 1, lam, aht, time_scale, answer / stretch)
    for name in _FIELDS:
        low_value, high_value = getattr(below, name), getattr(above, name)
        with np.errstate(invalid="ignore"):
            mixed = (1.0 - weight) * low_value + weight * high_value
        out[name] = np.where(weight == 0, low_value, np.where(weight == 1, high_value, mixed))
    out["asa_seconds"] = out["asa_seconds"] * stretch
    return out


def calibrated_metrics(
    params: CalibratedParameters,
    agents: ArrayLike,
    arrival_rate_per_second: ArrayLike,
    aht_seconds: ArrayLike,
    answer_seconds: float,
    shares: NDArray | None = None,
) -> QueueMetrics:
    """Queue metrics per interval at `agents` present (may be fractional) under the learned parameters.

    `shares` (intervals × classes) gives each interval's class mix; by default the learned mix is used.
    """
    n, lam, aht = (np.atleast_1d(np.asarray(x, dtype=float)) for x in (agents, arrival_rate_per_second, aht_seconds))
    n, lam, aht = np.broadcast_arrays(n, lam, aht)
    mix = _class_shares(params, shares, n.size)
    total = {name: np.zeros(n.size) for name in _FIELDS}
    for k, cls in enumerate(params.classes):
        if not np.any(mix[:, k] > 0):
            continue
        for z in SWING_POINTS:
            part = _interpolated(
                n * cls.availability * (1.0 + params.swing * z),
                lam,
                aht,
                cls.patience_seconds,
                answer_seconds,
                params.stretch,
            )
            for name in _FIELDS:
                total[name] += mix[:, k] * part[name] / len(SWING_POINTS)
    busy = lam * (1.0 - total["p_abandon"]) * aht
    with np.errstate(divide="ignore", invalid="ignore"):
        total["occupancy"] = np.clip(np.where(n > 0, busy / np.where(n > 0, n, 1.0), np.where(lam > 0, 1.0, 0.0)), 0, 1)
    return QueueMetrics(**{name: np.clip(total[name], 0.0, None) for name in _FIELDS})


def _class_shares(params: CalibratedParameters, shares: NDArray | None, size: int) -> NDArray:
    """Intervals × classes matrix of shares summing to 1 per row."""
    if shares is None:
        learned = np.array([c.share for c in params.classes], dtype=float)
        mix = np.tile(learned, (size, 1))
    else:
        mix = np.asarray(shares, dtype=float).reshape(size, len(params.classes))
    sums = mix.sum(axis=1, keepdims=True)
    even = np.full_like(mix, 1.0 / mix.shape[1])
    return np.where(sums > 0, mix / np.where(sums > 0, sums, 1.0), even)


def required_agents_calibrated(
    params: CalibratedParameters,
    volume: ArrayLike,
    interval_seconds: float,
    aht_seconds: ArrayLike,
    targets: ServiceTargets,
) -> Staffing:
    """Fewest whole agents present meeting the targets under the calibrated model (bisection on all intervals)."""
    vol = np.atleast_1d(np.asarray(volume, dtype=float))
    aht = np.broadcast_to(np.asarray(aht_seconds, dtype=float), vol.shape).astype(float)
    lam = vol / interval_seconds
    active = lam * aht > 0
    agents = np.zeros(vol.size, dtype=np.int64)
    lo = np.zeros(vol.size, dtype=np.int64)  # not enough (or zero)
    erlang_c = required_agents_erlang_c(vol, interval_seconds, np.where(active, aht, 1.0), targets).agents
    lowest = min(c.availability for c in params.classes) * (1.0 - params.swing)
    ceiling = np.full(vol.size, MAX_AGENTS_PER_INTERVAL, dtype=np.int64)
    hi = np.minimum(np.maximum(np.ceil(erlang_c / lowest).astype(np.int64) * 2 + 2, 1), ceiling)

    def met(n: NDArray) -> NDArray[np.bool_]:
        m = calibrated_metrics(params, n, lam, aht, targets.answer_seconds)
        return targets.met(m.service_level, m.asa_seconds, m.occupancy) & (n >= targets.min_agents)

    ok_hi = met(hi)
    while not np.all(ok_hi | ~active):
        raise_if_at_ceiling(active & ~ok_hi, hi, ceiling, np.arange(vol.size))
        hi = np.where(ok_hi, hi, np.minimum(hi * 2, ceiling))
        ok_hi = met(hi)
    while True:
        open_rows = active & (hi - lo > 1)
        if not open_rows.any():
            break
        mid = (lo + hi) // 2
        ok = met(np.where(open_rows, mid, hi))
        hi = np.where(open_rows & ok, mid, hi)
        lo = np.where(open_rows & ~ok, mid, lo)
    agents[active] = hi[active]
    agents = np.where(active, agents, 0)
    metrics = calibrated_metrics(params, agents, lam, aht, targets.answer_seconds)
    idle = ~active
    fields = {name: getattr(metrics, name) for name in _FIELDS}
    for name, value in (
        ("p_wait", 0.0),
        ("service_level", 1.0),
        ("asa_seconds", 0.0),
        ("occupancy", 0.0),
        ("p_abandon", 0.0),
    ):
        fields[name] = np.where(idle, value, fields[name])
    return Staffing(agents, QueueMetrics(**fields))


def describe(params: CalibratedParameters) -> list[str]:
    """The learned parameters and the model's assumptions in plain words, one sentence per line (for the UI)."""
    lines = []
    if params.trained_on:
        lines.append(f"Learned from {params.trained_on} ({params.train_intervals} intervals).")
    for c in params.classes:
        label = "All callers" if len(params.classes) == 1 else f'Priority class "{c.name}" ({c.share:.0%} of calls)'
        patience = (
            "never abandon"
            if not np.isfinite(c.patience_seconds)
            else f"abandon as if they waited {c.patience_seconds:.0f} s on average (effective patience)"
        )
        lines.append(
            f"{label}: the agents present answer as if {c.availability:.0%} of them were free for these calls; "
            f"callers {patience}."
        )
    lines.append(
        f"Handle times vary with a coefficient of variation of {params.aht_cv:.2f}; for the service level, waits "
        f"are taken {params.stretch:.2f}× as long as with exponential handle times."
    )
    if params.swing > 0:
        lines.append(
            f"Inside an interval, agents present and arrivals swing by about ±{params.swing:.0%}; "
            "the model averages over these swings."
        )
    lines.append(
        "Assumptions: calls arrive at random (Poisson) within each swing; each class sees its own share of the "
        "agents present (its availability) and is served first come, first served; patience is exponential; "
        "the learned figures hold while the centre works as in the train period; agents present are counted as in the "
        f"fidelity report (serving, or idle ≤ {params.idle_gap_minutes:g} min between two calls)."
    )
    return lines


def _class_part(
    cls: ClassParameters,
    availability: float,
    swing: float,
    stretch: float,
    agents: NDArray,
    lam: NDArray,
    aht: NDArray,
    answer: float,
) -> tuple[NDArray, NDArray]:
    """Service level and abandonment of one class at a candidate availability (averaged over the swing)."""
    sl = np.zeros(agents.size)
    ab = np.zeros(agents.size)
    for z in SWING_POINTS:
        part = _interpolated(agents * availability * (1.0 + swing * z), lam, aht, cls.patience_seconds, answer, stretch)
        sl += part["service_level"] / len(SWING_POINTS)
        ab += part["p_abandon"] / len(SWING_POINTS)
    return sl, ab


def _golden(loss: Callable[[float], float], lo: float, hi: float, tolerance: float = 0.005) -> float:
    """Minimum of a one-dimensional loss on [lo, hi] by golden-section search."""
    ratio = (np.sqrt(5.0) - 1.0) / 2.0
    x1, x2 = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
    f1, f2 = loss(x1), loss(x2)
    while hi - lo > tolerance:
        if f1 <= f2:
            hi, x2, f2 = x2, x1, f1
            x1 = hi - ratio * (hi - lo)
            f1 = loss(x1)
        else:
            lo, x1, f1 = x1, x2, f2
            x2 = lo + ratio * (hi - lo)
            f2 = loss(x2)
    return (lo + hi) / 2.0


def fit_calibrated(
    *,
    class_names: tuple[str, ...],
    class_shares: NDArray,
    patience_seconds: tuple[float, ...],
    aht_cv: float,
    swing: float,
    agents: ArrayLike,
    arrival_rate_per_second: ArrayLike,
    aht_seconds: ArrayLike,
    real_service_level: ArrayLike,
    real_abandon_rate: ArrayLike,
    interval_shares: NDArray,
    answer_seconds: float,
    idle_gap_minutes: float = 10.0,
    trained_on: str = "",
    rounds: int = 2,
) -> CalibratedParameters:
    """Fit each class's availability on train intervals: the least MAE of service level plus abandonment rate.

    Everything else (shares, patience, handle-time cv, swing) is measured, not fitted. Availability is searched
    by golden section in AVAILABILITY_RANGE, one class at a time with the others fixed, `rounds` times.
    """
    n, lam, aht, sl, ab = (
        np.asarray(x, dtype=float).ravel()
        for x in (agents, arrival_rate_per_second, aht_seconds, real_service_level, real_abandon_rate)
    )
    if n.size == 0:
        raise InputError("no train intervals to learn from: check --train-until and the scope")
    mix = np.asarray(interval_shares, dtype=float).reshape(n.size, len(class_names))
    classes = [
        ClassParameters(name, float(s), 1.0, float(p))
        for name, s, p in zip(class_names, class_shares, patience_seconds, strict=True)
    ]
    stretch = (1.0 + aht_cv**2) / 2.0
    parts = [_class_part(c, 1.0, swing, stretch, n, lam, aht, answer_seconds) for c in classes]
    availability = [1.0] * len(classes)

    def loss(k: int, a: float, rest_sl: NDArray, rest_ab: NDArray) -> float:
        s, b = _class_part(classes[k], a, swing, stretch, n, lam, aht, answer_seconds)
        return float(np.mean(np.abs(rest_sl + mix[:, k] * s - sl)) + np.mean(np.abs(rest_ab + mix[:, k] * b - ab)))

    for _ in range(rounds):
        for k in range(len(classes)):
            if not np.any(mix[:, k] > 0):
                continue
            rest_sl = sum(mix[:, j] * parts[j][0] for j in range(len(classes)) if j != k)
            rest_ab = sum(mix[:, j] * parts[j][1] for j in range(len(classes)) if j != k)
            availability[k] = round(
                _golden(lambda a, k=k, rs=rest_sl, ra=rest_ab: loss(k, a, rs, ra), *AVAILABILITY_RANGE), 3
            )
            parts[k] = _class_part(classes[k], availability[k], swing, stretch, n, lam, aht, answer_seconds)

        def patience_loss(log_factor: float, base: tuple[ClassParameters, ...] = tuple(classes)) -> float:
            trial = [ClassParameters(c.name, c.share, 1.0, c.patience_seconds * np.exp(log_factor)) for c in base]
            pred = [
                _class_part(c, a, swing, stretch, n, lam, aht, answer_seconds)
                for c, a in zip(trial, availability, strict=True)
            ]
            s = sum(mix[:, k] * pred[k][0] for k in range(len(base)))
            b = sum(mix[:, k] * pred[k][1] for k in range(len(base)))
            return float(np.mean(np.abs(s - sl)) + np.mean(np.abs(b - ab)))

        factor = float(np.exp(_golden(patience_loss, *np.log(PATIENCE_FACTOR_RANGE), tolerance=0.05)))
        classes = [ClassParameters(c.name, c.share, 1.0, round(c.patience_seconds * factor, 1)) for c in classes]
        parts = [
            _class_part(c, a, swing, stretch, n, lam, aht, answer_seconds)
            for c, a in zip(classes, availability, strict=True)
        ]
    fitted = tuple(
        ClassParameters(c.name, c.share, a, c.patience_seconds) for c, a in zip(classes, availability, strict=True)
    )
    pred_sl = sum(mix[:, k] * parts[k][0] for k in range(len(classes)))
    pred_ab = sum(mix[:, k] * parts[k][1] for k in range(len(classes)))
    errors = {
        "service_level_mae_points": round(float(100 * np.mean(np.abs(pred_sl - sl))), 2),
        "abandon_rate_mae_points": round(float(100 * np.mean(np.abs(pred_ab - ab))), 2),
    }
    return CalibratedParameters(fitted, aht_cv, swing, idle_gap_minutes, trained_on, int(n.size), errors)


def save_parameter_set(parameters: Mapping[str, CalibratedParameters], path: str | Path) -> None:
    """Write the parameters of several queues as one JSON object keyed by queue name."""
    data = {}
    for queue, params in parameters.items():
        data[queue] = {**asdict(params), "description": describe(params)}
    write_json(data, path)


def load_parameter_set(path: str | Path) -> dict[str, CalibratedParameters]:
    """Read a JSON written by save_parameter_set (`wfm fidelity --params-out`); bad files raise InputError."""
    try:
        data = json.loads(read_text(path).lstrip("\ufeff"), parse_constant=_no_constant)
        if not isinstance(data, dict) or not data:
            raise ValueError("expected an object keyed by queue name")
        return {str(queue): _from_dict(entry) for queue, entry in data.items()}
    except FileNotFoundError:
        raise InputError("file not found", file=path) from None
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        raise InputError(f"not a calibrated-parameters JSON file ({exc})", file=path) from None


def _no_constant(name: str) -> float:
    """JSON's NaN and Infinity are not parameters."""
    raise ValueError(f"{name} is not a finite number")


def _from_dict(data: Mapping) -> CalibratedParameters:
    """Parameters from their JSON form."""
    classes = tuple(
        ClassParameters(str(c["name"]), float(c["share"]), float(c["availability"]), float(c["patience_seconds"]))
        for c in data["classes"]
    )
    return CalibratedParameters(
        classes=classes,
        aht_cv=float(data.get("aht_cv", 1.0)),
        swing=float(data.get("swing", 0.0)),
        idle_gap_minutes=float(data.get("idle_gap_minutes", 10.0)),
        trained_on=str(data.get("trained_on", "")),
        train_intervals=int(data.get("train_intervals", 0)),
        train_errors={str(k): float(v) for k, v in data.get("train_errors", {}).items()},
    )
