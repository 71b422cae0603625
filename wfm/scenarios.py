"""What-if scenarios on a base plan: promotion peaks, AHT, deflection, targets, shrinkage, extra staff, cost.

A scenario transforms the base forecast and queue settings, recomputes the requirements with the staffing engine,
adds extra staff (overtime, temps, new hires) to the base plan's scheduled agents where the gap is largest, and is
compared with the base per day and per week.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from wfm.csvio import read_toml
from wfm.errors import InputError
from wfm.limits import (
    MAX_AHT_MULTIPLIER,
    MAX_EXTRA_AGENTS,
    MAX_EXTRA_STAFF_PER_SCENARIO,
    MAX_HOURLY_COST,
    MAX_HOURS_PER_DAY,
    MAX_OVERTIME_HOURS_PER_DAY,
    MAX_OVERTIME_PREMIUM,
    MAX_PEAKS_PER_SCENARIO,
    MAX_RAMP_WEEKS,
    MAX_SCENARIO_DAYS,
    MAX_SCENARIOS,
    MAX_VOLUME_MULTIPLIER,
    MIN_AHT_MULTIPLIER,
)
from wfm.staffing.bounds import show_number
from wfm.staffing.queues import QueueSettings
from wfm.staffing.requirements import build_requirements, check_requirements_inputs, projected_service

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


def water_fill(gaps: np.ndarray, units: int) -> np.ndarray:
    """Units given one at a time to the largest gap (ties: the first row), each lowering that gap by one.

    Computed in closed form: every gap is brought down to the level T (the smallest whole level reachable with the
    units), and the units left over go to the first rows standing at T. Work is O(rows · log(units)).
    """
    g = np.rint(np.asarray(gaps, dtype=float)).astype(np.int64)
    added = np.zeros(g.size, dtype=np.int64)
    if g.size == 0 or units <= 0:
        return added
    low, high = int(g.min()) - units // g.size - 1, int(g.max())  # S(low) >= units >= S(high) = 0

    def needed(level: int) -> int:
        return int(np.maximum(g - level, 0).sum())

    while high - low > 1:
        mid = (low + high) // 2
        low, high = (mid, high) if needed(mid) > units else (low, mid)
    level = high if needed(high) <= units else low
    added = np.maximum(g - level, 0)
    left = units - int(added.sum())
    at_level = np.flatnonzero(g >= level)
    added[at_level[:left]] += 1
    return added


def _fill_gaps(plan: pd.DataFrame, rows: np.ndarray, agent_intervals: int) -> None:
    """Add agents one interval at a time where required − scheduled is largest (in place, within `rows`)."""
    gap = plan["required_agents"].to_numpy() - plan["scheduled_agents"].to_numpy()
    added = np.zeros(len(plan), dtype=np.int64)
    added[rows] = water_fill(gap[rows], agent_intervals)
    plan["scheduled_agents"] = plan["scheduled_agents"].to_numpy() + added
    plan["extra_agent_intervals"] = plan["extra_agent_intervals"].to_numpy() + added


def add_extra_staff(plan: pd.DataFrame, extras: tuple[ExtraStaff, ...], interval_minutes: int) -> pd.DataFrame:
    """Scheduled agents plus each extra-staff block, placed day by day on the intervals with the largest gaps."""
    out = plan.copy()
    out["extra_agent_intervals"] = 0
    for column in EXTRA_HOURS_COLUMNS.values():
        out[column] = 0.0
    per_hour = 60.0 / interval_minutes
    days = out["interval_start"].dt.normalize()
    for extra in extras:
        chosen = out["queue"].isin(extra.queues).to_numpy()
        in_span = chosen & (days >= pd.Timestamp(extra.start)).to_numpy() & (days <= pd.Timestamp(extra.end)).to_numpy()
        for day in map(pd.Timestamp, np.unique(days[in_span])):  # only days the plan covers
            rows = np.flatnonzero(in_span & (days == day).to_numpy())
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


def _scenario_source(source: str, scenario: Scenario) -> str:
    """How errors name a forecast changed by a scenario."""
    return f'{source} with scenario "{scenario.name}"'


def check_scenario(
    forecast: pd.DataFrame, queues: dict[str, QueueSettings], scenario: Scenario, source: str = "forecast"
) -> None:
    """Reject a scenario whose changed forecast leaves the plausible ranges (volume, AHT, traffic), before any work."""
    check_requirements_inputs(
        apply_to_forecast(forecast, queues, scenario),
        apply_to_queues(queues, scenario),
        _scenario_source(source, scenario),
    )


def run_scenario(
    forecast: pd.DataFrame,
    queues: dict[str, QueueSettings],
    base_scheduled: pd.DataFrame | Callable[[pd.DataFrame], pd.DataFrame],
    scenario: Scenario,
    source: str = "forecast",
) -> pd.DataFrame:
    """Per queue and interval: the scenario's requirements, the scheduled agents with extras, projected service.

    `base_scheduled` is the plan's scheduled agents per queue and interval, or a function that makes them from the
    scenario's requirements (e.g. re-solving the roster for the scenario). `source` names the forecast in errors.
    """
    scenario_queues = apply_to_queues(queues, scenario)
    scenario_forecast = apply_to_forecast(forecast, queues, scenario)
    requirements = build_requirements(scenario_forecast, scenario_queues, source=_scenario_source(source, scenario))
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


def _date(value: object, where: str, path: Path | None) -> date:
    """A TOML date (or YYYY-MM-DD string)."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InputError(f'{where}: "{value}" is not a date, expected YYYY-MM-DD', file=path) from None


def _number(value: object, where: str, path: Path | None, low: float, high: float, *, whole: bool = False) -> float:
    """A finite number within [low, high] (a whole number if `whole`); anything else names the key and the range."""
    span = f"expected {show_number(low)} to {show_number(high)}"
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(f"{where}: {value!r} is not a number, {span}", file=path)
    number = float(value)
    if not math.isfinite(number):
        raise InputError(f"{where}: {number} is not a finite number, {span}", file=path)
    if number > high:
        raise InputError(f"{where}: {show_number(number)} is above the ceiling {show_number(high)}", file=path)
    if number < low:
        raise InputError(f"{where}: {show_number(number)} is below the floor {show_number(low)}", file=path)
    if whole and number != round(number):
        raise InputError(f"{where}: {show_number(number)} is not a whole number", file=path)
    return number


def _span(table: dict, where: str, path: Path | None) -> tuple[date, date]:
    """`start` and `end` (default: start) of a table, end not before start and at most MAX_SCENARIO_DAYS apart."""
    if "start" not in table:
        raise InputError(f"{where}.start: missing, expected a date YYYY-MM-DD", file=path)
    start = _date(table["start"], f"{where}.start", path)
    end = _date(table.get("end", table["start"]), f"{where}.end", path)
    if end < start:
        raise InputError(f"{where}.end: {end} is before the start {start}", file=path)
    if (end - start).days > MAX_SCENARIO_DAYS:
        raise InputError(
            f"{where}.end: {end} is {(end - start).days} days after the start, expected at most {MAX_SCENARIO_DAYS}",
            file=path,
        )
    return start, end


def _tables(raw: object, where: str, path: Path | None, most: int) -> list[dict]:
    """An array of tables (a single table counts as one), at most `most` of them."""
    items = [raw] if isinstance(raw, dict) else raw
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise InputError(f"{where}: expected a table or an array of tables", file=path)
    if len(items) > most:
        raise InputError(f"{where}: {len(items)} tables, expected at most {most}", file=path)
    return items


def _names(raw: object, where: str, path: Path | None) -> tuple[str, ...]:
    """A list of queue or channel names."""
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        raise InputError(f'{where}: expected a list of names such as ["voice", "chat_presale"]', file=path)
    return tuple(raw)


def _known_keys(table: dict, allowed: set[str], where: str, path: Path | None) -> None:
    """Reject keys outside `allowed` (a misspelt key would otherwise be ignored)."""
    unknown = set(table) - allowed
    if unknown:
        raise InputError(
            f"{where}: unknown key {sorted(unknown)[0]!r}, expected {', '.join(sorted(allowed))}", file=path
        )


def _share(mapping: object, where: str, path: Path | None, low: float, high: float) -> dict[str, float]:
    """A table of queue/channel → number within [low, high]."""
    if not isinstance(mapping, dict):
        raise InputError(f"{where}: expected a table such as {{ chat = 0.2 }}", file=path)
    out = {}
    for key, value in mapping.items():
        ok = isinstance(value, int | float) and not isinstance(value, bool) and low <= float(value) <= high
        if not ok:
            raise InputError(f"{where}.{key}: expected a number between {low} and {high}, got {value!r}", file=path)
        out[str(key)] = float(value)
    return out


PEAK_KEYS = {"multiplier", "start", "end", "queues", "ramp_days", "returns_days", "returns_multiplier"}
EXTRA_STAFF_KEYS = {"kind", "queues", "start", "end", "agents", "hours_per_day", "hours_per_day_total", "ramp_weeks"}


def _peak(raw: dict, queues: dict[str, QueueSettings], scenario: str, label: str, p: Path | None) -> VolumePeak:
    """One [[scenario.peak]] table, every number finite and within its range."""
    where = f"{scenario}.{label}"
    _known_keys(raw, PEAK_KEYS, where, p)
    known_names = set(queues) | {q.channel for q in queues.values()} | {"all"}
    targets = _names(raw.get("queues", []), f"{where}.queues", p)
    for t in targets:
        if t not in known_names:
            raise InputError(f'{scenario}: {label} names unknown queue or channel "{t}"', file=p)
    if "multiplier" not in raw:
        raise InputError(f"{where}.multiplier: missing, expected 0 to {MAX_VOLUME_MULTIPLIER:g}", file=p)
    start, end = _span(raw, where, p)
    return VolumePeak(
        multiplier=_number(raw["multiplier"], f"{where}.multiplier", p, 0.0, MAX_VOLUME_MULTIPLIER),
        start=start,
        end=end,
        queues=tuple(t for t in targets if t in queues),
        channels=tuple(t for t in targets if t not in queues and t != "all"),
        ramp_days=int(_number(raw.get("ramp_days", 0), f"{where}.ramp_days", p, 0, MAX_SCENARIO_DAYS, whole=True)),
        returns_days=int(
            _number(raw.get("returns_days", 0), f"{where}.returns_days", p, 0, MAX_SCENARIO_DAYS, whole=True)
        ),
        returns_multiplier=_number(
            raw.get("returns_multiplier", 1.0), f"{where}.returns_multiplier", p, 0.0, MAX_VOLUME_MULTIPLIER
        ),
    )


def _extra_staff(raw: dict, queues: dict[str, QueueSettings], where: str, p: Path | None) -> ExtraStaff:
    """One [[scenario.extra_staff]] table, every number finite and within its range."""
    _known_keys(raw, EXTRA_STAFF_KEYS, where, p)
    kind = raw.get("kind")
    if kind not in EXTRA_HOURS_COLUMNS:
        raise InputError(f"{where}: extra_staff kind must be overtime, temp or new_hire, got {kind!r}", file=p)
    extra_queues = _names(raw.get("queues", []), f"{where}.queues", p)
    missing = [q for q in extra_queues if q not in queues]
    if missing or not extra_queues:
        raise InputError(f"{where}: extra_staff needs existing queue names, got {list(extra_queues)}", file=p)
    start, end = _span(raw, where, p)
    return ExtraStaff(
        kind=kind,
        queues=extra_queues,
        start=start,
        end=end,
        agents=int(_number(raw.get("agents", 0), f"{where}.agents", p, 0, MAX_EXTRA_AGENTS, whole=True)),
        hours_per_day=_number(raw.get("hours_per_day", 8.0), f"{where}.hours_per_day", p, 0.0, MAX_HOURS_PER_DAY),
        total_hours=_number(
            raw.get("hours_per_day_total", 0.0), f"{where}.hours_per_day_total", p, 0.0, MAX_OVERTIME_HOURS_PER_DAY
        ),
        ramp_weeks=int(_number(raw.get("ramp_weeks", 0), f"{where}.ramp_weeks", p, 0, MAX_RAMP_WEEKS, whole=True)),
    )


def _indexed(label: str, items: list, i: int) -> str:
    """`peak` when a scenario has one such table, else `peak[2]` (1-based)."""
    return label if len(items) == 1 else f"{label}[{i}]"


def scenario_from_dict(
    raw: dict, queues: dict[str, QueueSettings], i: int = 1, p: str | Path | None = None
) -> Scenario:
    """One scenario from its table (as in scenarios.toml, or as stored); bad keys and values name the scenario."""
    p = Path(p) if p is not None else None
    if not isinstance(raw, dict):
        raise InputError(f"scenario {i}: expected a [[scenario]] table", file=p)
    name = str(raw.get("name") or f"scenario {i}")
    where = f'scenario "{name}"'
    allowed = {"name", "peak", "aht_multiplier", "deflection", "service_level", "shrinkage", "extra_staff"}
    _known_keys(raw, allowed, where, p)
    peak_tables = _tables(raw.get("peak", []), f"{where}.peak", p, MAX_PEAKS_PER_SCENARIO)
    peaks = [_peak(t, queues, where, _indexed("peak", peak_tables, k), p) for k, t in enumerate(peak_tables, start=1)]
    extra_tables = _tables(raw.get("extra_staff", []), f"{where}.extra_staff", p, MAX_EXTRA_STAFF_PER_SCENARIO)
    extras = [
        _extra_staff(t, queues, f"{where}.{_indexed('extra_staff', extra_tables, k)}", p)
        for k, t in enumerate(extra_tables, start=1)
    ]
    return Scenario(
        name=name,
        peaks=tuple(peaks),
        aht_multiplier=_share(
            raw.get("aht_multiplier", {}), f"{where}.aht_multiplier", p, MIN_AHT_MULTIPLIER, MAX_AHT_MULTIPLIER
        ),
        deflection=_share(raw.get("deflection", {}), f"{where}.deflection", p, 0.0, 0.99),
        service_level=_share(raw.get("service_level", {}), f"{where}.service_level", p, 0.0, 0.999),
        shrinkage=_share(raw.get("shrinkage", {}), f"{where}.shrinkage", p, 0.0, 0.95),
        extra_staff=tuple(extras),
    )


def costs_from_dict(table: object, p: Path | None = None) -> Costs:
    """[costs]: hourly rates within [0, MAX_HOURLY_COST] and the overtime premium within [0, MAX_OVERTIME_PREMIUM]."""
    if not isinstance(table, dict):
        raise InputError("[costs]: expected a table", file=p)
    _known_keys(table, set(Costs.__dataclass_fields__), "[costs]", p)
    values: dict = {}
    for key in ("hourly", "temp_hourly"):
        if key in table:
            values[key] = _number(table[key], f"[costs].{key}", p, 0.0, MAX_HOURLY_COST)
    if "overtime_premium" in table:
        values["overtime_premium"] = _number(
            table["overtime_premium"], "[costs].overtime_premium", p, 0.0, MAX_OVERTIME_PREMIUM
        )
    if "contract_hourly" in table:
        contracts = table["contract_hourly"]
        if not isinstance(contracts, dict):
            raise InputError("[costs].contract_hourly: expected a table such as { full_time = 40 }", file=p)
        values["contract_hourly"] = {
            str(k): _number(v, f"[costs].contract_hourly.{k}", p, 0.0, MAX_HOURLY_COST) for k, v in contracts.items()
        }
    return Costs(**values)


def read_scenarios(path: str | Path, queues: dict[str, QueueSettings]) -> tuple[list[Scenario], Costs]:
    """scenarios.toml → scenarios and costs; unknown keys, queues or bad values name the scenario and key."""
    p = Path(path)
    data = read_toml(p)
    costs = costs_from_dict(data.get("costs", {}), p)
    tables = _tables(data.get("scenario", []), "scenario", p, MAX_SCENARIOS)
    scenarios = [scenario_from_dict(raw, queues, i, p) for i, raw in enumerate(tables, start=1)]
    if not scenarios:
        raise InputError("no [[scenario]] tables found", file=p)
    return scenarios, costs
