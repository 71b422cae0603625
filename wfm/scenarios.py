"""What-if scenarios on a base plan: promotion peaks, AHT, deflection, targets, shrinkage, extra staff, cost.

A scenario transforms the base forecast and queue settings, recomputes the requirements with the staffing engine,
adds extra staff (overtime, temps, new hires) to the base plan's scheduled agents where the gap is largest, and is
compared with the base per day and per week.
"""

from __future__ import annotations

import dataclasses
import heapq
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from wfm.errors import InputError
from wfm.staffing.queues import QueueSettings
from wfm.staffing.requirements import build_requirements, projected_service

HOURS_PER_FTE_WEEK = 40.0
EXTRA_HOURS_COLUMNS = {
    "overtime": "extra_hours_overtime",
    "temp": "extra_hours_temp",
    "new_hire": "extra_hours_new_hire",
}


@dataclass(frozen=True)
class VolumePeak:
    """Volume × multiplier on chosen queues/channels between two dates, with a ramp before and returns after."""

    multiplier: float
    start: date
    end: date
    queues: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    ramp_days: int = 0
    returns_days: int = 0
    returns_multiplier: float = 1.0

    def factor_by_day(self, days: pd.Series) -> np.ndarray:
        """Multiplier for each date: linear ramp up to the peak, the peak, then returns decaying back to 1."""
        d = (pd.to_datetime(days) - pd.Timestamp(self.start)).dt.days.to_numpy()
        length = (pd.Timestamp(self.end) - pd.Timestamp(self.start)).days
        factor = np.ones(d.shape)
        peak = (d >= 0) & (d <= length)
        factor[peak] = self.multiplier
        if self.ramp_days > 0:
            ramp = (d < 0) & (d >= -self.ramp_days)
            factor[ramp] = 1.0 + (self.multiplier - 1.0) * (self.ramp_days + 1 + d[ramp]) / (self.ramp_days + 1)
        if self.returns_days > 0:
            after = d - length
            ret = (after > 0) & (after <= self.returns_days)
            fade = 1.0 - (after[ret] - 1) / self.returns_days
            factor[ret] = 1.0 + (self.returns_multiplier - 1.0) * fade
        return factor


@dataclass(frozen=True)
class ExtraStaff:
    """Agents added to the base plan: overtime hours, temps for the peak, new hires ramping up."""

    kind: str  # overtime | temp | new_hire
    queues: tuple[str, ...]
    start: date
    end: date
    agents: int = 0
    hours_per_day: float = 8.0
    total_hours: float = 0.0  # overtime: agent-hours per day, spread where the gap is largest
    ramp_weeks: int = 0  # new hires: productivity rises linearly to 100 % over this many weeks


@dataclass(frozen=True)
class Costs:
    """Hourly cost per contract type (`contract_hourly`, e.g. full_time / part_time; `hourly` for any other), temps,
    and the overtime premium on the regular rate."""

    hourly: float = 40.0
    temp_hourly: float = 45.0
    overtime_premium: float = 0.5
    contract_hourly: dict[str, float] = field(default_factory=dict)

    def rate(self, contract: str) -> float:
        """Hourly cost of an agent on this contract type."""
        return float(self.contract_hourly.get(contract, self.hourly))


@dataclass(frozen=True)
class Scenario:
    """A named what-if on top of the base plan."""

    name: str
    peaks: tuple[VolumePeak, ...] = ()
    aht_multiplier: dict[str, float] = field(default_factory=dict)
    deflection: dict[str, float] = field(default_factory=dict)  # share of volume a bot takes, by queue/channel
    service_level: dict[str, float] = field(default_factory=dict)
    shrinkage: dict[str, float] = field(default_factory=dict)
    extra_staff: tuple[ExtraStaff, ...] = ()


def _matches(key: str, settings: QueueSettings) -> bool:
    """A scenario key names a queue, a channel, or 'all'."""
    return key in (settings.queue, settings.channel, "all")


def _lookup(mapping: dict[str, float], settings: QueueSettings) -> float | None:
    """The most specific value for a queue: by queue name, else channel, else 'all'."""
    for key in (settings.queue, settings.channel, "all"):
        if key in mapping:
            return mapping[key]
    return None


def apply_to_forecast(forecast: pd.DataFrame, queues: dict[str, QueueSettings], scenario: Scenario) -> pd.DataFrame:
    """The scenario's forecast: peaks, bot deflection and AHT changes applied to the base forecast."""
    out = forecast.copy()
    days = out["interval_start"].dt.normalize()
    for peak in scenario.peaks:
        chosen = out["queue"].map(
            lambda q, p=peak: (not p.queues and not p.channels) or q in p.queues or queues[q].channel in p.channels
        )
        factor = peak.factor_by_day(days)
        out["volume"] = np.where(chosen, out["volume"] * factor, out["volume"])
    deflect = out["queue"].map(lambda q: _lookup(scenario.deflection, queues[q]) or 0.0)
    aht = out["queue"].map(lambda q: _lookup(scenario.aht_multiplier, queues[q]) or 1.0)
    out["volume"] = out["volume"] * (1.0 - deflect)
    out["aht_seconds"] = out["aht_seconds"] * aht
    return out


def apply_to_queues(queues: dict[str, QueueSettings], scenario: Scenario) -> dict[str, QueueSettings]:
    """Queue settings with the scenario's service-level and shrinkage changes."""
    changed = {}
    for name, settings in queues.items():
        sl = _lookup(scenario.service_level, settings)
        shrink = _lookup(scenario.shrinkage, settings)
        targets = settings.targets if sl is None else dataclasses.replace(settings.targets, service_level=sl)
        changed[name] = dataclasses.replace(
            settings, targets=targets, shrinkage=settings.shrinkage if shrink is None else shrink
        )
    return changed


def _fill_gaps(plan: pd.DataFrame, rows: np.ndarray, agent_intervals: int) -> None:
    """Add agents one interval at a time where required − scheduled is largest (in place, within `rows`)."""
    gap = plan["required_agents"].to_numpy() - plan["scheduled_agents"].to_numpy()
    heap = [(-float(gap[r]), int(r)) for r in rows]
    heapq.heapify(heap)
    added = np.zeros(len(plan), dtype=np.int64)
    for _ in range(agent_intervals):
        if not heap:
            break
        g, r = heapq.heappop(heap)
        added[r] += 1
        heapq.heappush(heap, (g + 1.0, r))
    plan["scheduled_agents"] = plan["scheduled_agents"].to_numpy() + added
    plan["extra_agent_intervals"] = plan["extra_agent_intervals"].to_numpy() + added


def add_extra_staff(plan: pd.DataFrame, extras: tuple[ExtraStaff, ...], interval_minutes: int) -> pd.DataFrame:
    """Scheduled agents plus each extra-staff block, placed day by day on the intervals with the largest gaps."""
    out = plan.copy()
    out["extra_agent_intervals"] = 0
    for column in EXTRA_HOURS_COLUMNS.values():
        out[column] = 0.0
    per_hour = 60 // interval_minutes
    days = out["interval_start"].dt.normalize()
    for extra in extras:
        span = pd.date_range(extra.start, extra.end, freq="D")
        for day in span:
            rows = np.flatnonzero((days == day) & out["queue"].isin(extra.queues).to_numpy())
            if rows.size == 0:
                continue
            paid_hours = extra.total_hours if extra.kind == "overtime" else extra.agents * extra.hours_per_day
            productivity = 1.0
            if extra.kind == "new_hire" and extra.ramp_weeks > 0:
                weeks_in = (day - pd.Timestamp(extra.start)).days / 7.0
                productivity = min(1.0, (weeks_in + 1.0) / (extra.ramp_weeks + 1.0))
            before = out["extra_agent_intervals"].to_numpy().copy()
            _fill_gaps(out, rows, round(paid_hours * productivity * per_hour))
            placed = out["extra_agent_intervals"].to_numpy() - before
            # paid hours are booked on the intervals that received the extra staff, in proportion
            share = placed / placed.sum() if placed.sum() > 0 else placed
            column = EXTRA_HOURS_COLUMNS[extra.kind]
            out[column] = out[column].to_numpy() + share * paid_hours
    return out


def run_scenario(
    forecast: pd.DataFrame,
    queues: dict[str, QueueSettings],
    base_scheduled: pd.DataFrame | Callable[[pd.DataFrame], pd.DataFrame],
    scenario: Scenario,
) -> pd.DataFrame:
    """Per queue and interval: the scenario's requirements, the scheduled agents with extras, projected service.

    `base_scheduled` is the plan's scheduled agents per queue and interval, or a function that makes them from the
    scenario's requirements (e.g. re-solving the roster for the scenario).
    """
    scenario_queues = apply_to_queues(queues, scenario)
    scenario_forecast = apply_to_forecast(forecast, queues, scenario)
    requirements = build_requirements(scenario_forecast, scenario_queues)
    if callable(base_scheduled):
        base_scheduled = base_scheduled(requirements)
    plan = requirements.merge(base_scheduled, on=["queue", "interval_start"], how="left")
    plan["scheduled_agents"] = plan["scheduled_agents"].fillna(0).astype(np.int64)
    minutes = min(q.interval_minutes for q in queues.values())
    plan = add_extra_staff(plan, scenario.extra_staff, minutes)
    projection = projected_service(requirements, plan[["queue", "interval_start", "scheduled_agents"]], scenario_queues)
    carried = ["extra_agent_intervals", *EXTRA_HOURS_COLUMNS.values()]
    if "hourly_rate" in plan.columns:
        carried.append("hourly_rate")
    extras = plan[["queue", "interval_start", *carried]]
    result = projection.merge(extras, on=["queue", "interval_start"])
    result["interval_hours"] = result["queue"].map(lambda q: queues[q].interval_minutes / 60.0)
    result["scenario"] = scenario.name
    return result


def compare(results: list[pd.DataFrame], costs: Costs, by: str = "day") -> pd.DataFrame:
    """Side-by-side figures per day or ISO week and scenario: FTE, hours, service level, understaffing, cost."""
    frame = pd.concat(results, ignore_index=True)
    if by == "week":
        frame["period"] = frame["interval_start"].dt.to_period("W-SUN").dt.start_time.dt.date
    elif by == "day":
        frame["period"] = frame["interval_start"].dt.date
    else:
        raise ValueError("by must be 'day' or 'week'")
    frame = frame.assign(
        required_hours=frame["required_agents"] * frame["interval_hours"],
        scheduled_hours=frame["scheduled_agents"] * frame["interval_hours"]
        - frame["extra_agent_intervals"] * frame["interval_hours"]
        + frame[list(EXTRA_HOURS_COLUMNS.values())].sum(axis=1),
        answered_in_target=frame["volume"] * frame["service_level"],
        understaffed=frame["scheduled_agents"] < frame["required_agents"],
        base_hours=(frame["scheduled_agents"] - frame["extra_agent_intervals"]) * frame["interval_hours"],
    )
    rates = frame["hourly_rate"] if "hourly_rate" in frame.columns else pd.Series(costs.hourly, index=frame.index)
    frame["regular_cost"] = frame["base_hours"] * rates.fillna(costs.hourly)
    grouped = frame.groupby(["scenario", "period"], sort=False, as_index=False).agg(
        volume=("volume", "sum"),
        required_hours=("required_hours", "sum"),
        scheduled_hours=("scheduled_hours", "sum"),
        answered_in_target=("answered_in_target", "sum"),
        understaffed_intervals=("understaffed", "sum"),
        overtime_hours=("extra_hours_overtime", "sum"),
        temp_hours=("extra_hours_temp", "sum"),
        new_hire_hours=("extra_hours_new_hire", "sum"),
        base_hours=("base_hours", "sum"),
        regular_cost=("regular_cost", "sum"),
    )
    days_in_period = 7.0 if by == "week" else 1.0
    grouped["required_fte"] = grouped["required_hours"] / (HOURS_PER_FTE_WEEK * days_in_period / 7.0)
    grouped["service_level"] = np.where(
        grouped["volume"] > 0, grouped["answered_in_target"] / grouped["volume"].where(grouped["volume"] > 0, 1), 1.0
    )
    regular = grouped["scheduled_hours"] - grouped["overtime_hours"] - grouped["temp_hours"]  # incl. new hires
    rate = grouped["regular_cost"] / grouped["base_hours"].where(grouped["base_hours"] > 0)
    rate = rate.fillna(costs.hourly)  # blended rate of the base plan's contracts
    grouped["cost"] = (
        regular * rate
        + grouped["overtime_hours"] * rate * (1.0 + costs.overtime_premium)
        + grouped["temp_hours"] * costs.temp_hourly
    )
    columns = [
        "scenario",
        "period",
        "volume",
        "required_hours",
        "required_fte",
        "scheduled_hours",
        "overtime_hours",
        "temp_hours",
        "new_hire_hours",
        "service_level",
        "understaffed_intervals",
        "cost",
    ]
    return grouped[columns]


def base_scheduled_from_roster(
    segments: pd.DataFrame, requirements: pd.DataFrame, contracts: dict[str, str], costs: Costs
) -> pd.DataFrame:
    """The base plan from a roster: agents at work per queue and interval, and their blended hourly cost.

    `segments` are roster rows (start/end as datetimes); `contracts` maps agent_id → contract type.
    """
    from wfm.export import coverage_table

    keys = requirements[["queue", "interval_start"]].reset_index(drop=True)
    span = requirements.reset_index(drop=True)
    total = np.zeros(len(span))
    paid = np.zeros(len(span))
    contract_of = segments["agent_id"].map(contracts).fillna("")
    for contract in sorted(contract_of.unique()):
        part = coverage_table(segments[contract_of == contract], span)["scheduled_agents"].to_numpy(float)
        total += part
        paid += part * costs.rate(contract)
    return keys.assign(
        scheduled_agents=np.round(total).astype(np.int64),
        hourly_rate=np.where(total > 0, paid / np.where(total > 0, total, 1.0), costs.hourly),
    )


def base_scheduled_from_requirements(requirements: pd.DataFrame) -> pd.DataFrame:
    """The base plan when no roster is given: exactly the base requirements are scheduled."""
    return requirements[["queue", "interval_start"]].assign(scheduled_agents=requirements["required_agents"])


def _date(value: object, where: str, path: Path) -> date:
    """A TOML date (or YYYY-MM-DD string)."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InputError(f'{where}: "{value}" is not a date, expected YYYY-MM-DD', file=path) from None


def _share(mapping: object, where: str, path: Path, low: float, high: float) -> dict[str, float]:
    """A table of queue/channel → number within [low, high]."""
    if not isinstance(mapping, dict):
        raise InputError(f"{where}: expected a table such as {{ chat = 0.2 }}", file=path)
    out = {}
    for key, value in mapping.items():
        if not isinstance(value, int | float) or not low <= float(value) <= high:
            raise InputError(f"{where}.{key}: expected a number between {low} and {high}, got {value!r}", file=path)
        out[str(key)] = float(value)
    return out


def scenario_from_dict(
    raw: dict, queues: dict[str, QueueSettings], i: int = 1, p: str | Path | None = None
) -> Scenario:
    """One scenario from its table (as in scenarios.toml, or as stored); bad keys and values name the scenario."""
    known_names = set(queues) | {q.channel for q in queues.values()} | {"all"}
    name = str(raw.get("name") or f"scenario {i}")
    where = f'scenario "{name}"'
    allowed = {"name", "peak", "aht_multiplier", "deflection", "service_level", "shrinkage", "extra_staff"}
    unknown = set(raw) - allowed
    if unknown:
        raise InputError(f"{where}: unknown key {sorted(unknown)[0]!r}, expected {', '.join(sorted(allowed))}", file=p)
    peaks = []
    for peak in raw.get("peak", []):
        targets = tuple(peak.get("queues", []))
        for t in targets:
            if t not in known_names:
                raise InputError(f'{where}: peak names unknown queue or channel "{t}"', file=p)
        peaks.append(
            VolumePeak(
                multiplier=float(peak["multiplier"]),
                start=_date(peak["start"], f"{where}.peak.start", p),
                end=_date(peak.get("end", peak["start"]), f"{where}.peak.end", p),
                queues=tuple(t for t in targets if t in queues),
                channels=tuple(t for t in targets if t not in queues and t != "all"),
                ramp_days=int(peak.get("ramp_days", 0)),
                returns_days=int(peak.get("returns_days", 0)),
                returns_multiplier=float(peak.get("returns_multiplier", 1.0)),
            )
        )
    extras = []
    for extra in raw.get("extra_staff", []):
        kind = extra.get("kind")
        if kind not in ("overtime", "temp", "new_hire"):
            raise InputError(f"{where}: extra_staff kind must be overtime, temp or new_hire, got {kind!r}", file=p)
        extra_queues = tuple(extra.get("queues", []))
        missing = [q for q in extra_queues if q not in queues]
        if missing or not extra_queues:
            raise InputError(f"{where}: extra_staff needs existing queue names, got {list(extra_queues)}", file=p)
        extras.append(
            ExtraStaff(
                kind=kind,
                queues=extra_queues,
                start=_date(extra["start"], f"{where}.extra_staff.start", p),
                end=_date(extra.get("end", extra["start"]), f"{where}.extra_staff.end", p),
                agents=int(extra.get("agents", 0)),
                hours_per_day=float(extra.get("hours_per_day", 8.0)),
                total_hours=float(extra.get("hours_per_day_total", 0.0)),
                ramp_weeks=int(extra.get("ramp_weeks", 0)),
            )
        )
    sl = _share(raw.get("service_level", {}), f"{where}.service_level", p, 0.0, 0.999)
    return Scenario(
        name=name,
        peaks=tuple(peaks),
        aht_multiplier=_share(raw.get("aht_multiplier", {}), f"{where}.aht_multiplier", p, 0.05, 20.0),
        deflection=_share(raw.get("deflection", {}), f"{where}.deflection", p, 0.0, 0.99),
        service_level=sl,
        shrinkage=_share(raw.get("shrinkage", {}), f"{where}.shrinkage", p, 0.0, 0.95),
        extra_staff=tuple(extras),
    )


def read_scenarios(path: str | Path, queues: dict[str, QueueSettings]) -> tuple[list[Scenario], Costs]:
    """scenarios.toml → scenarios and costs; unknown keys, queues or bad values name the scenario and key."""
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise InputError("file not found", file=p) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML ({exc})", file=p) from None
    cost_table = data.get("costs", {})
    try:
        costs = Costs(**cost_table)
    except TypeError:
        raise InputError(f"[costs]: unknown key, expected {', '.join(Costs.__dataclass_fields__)}", file=p) from None
    scenarios = [scenario_from_dict(raw, queues, i, p) for i, raw in enumerate(data.get("scenario", []), start=1)]
    if not scenarios:
        raise InputError("no [[scenario]] tables found", file=p)
    return scenarios, costs
