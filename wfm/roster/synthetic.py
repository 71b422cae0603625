"""A seeded generator of roster instances (agents, ~40 shift templates, time off, demand) for tests and bench."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from wfm.roster.domain import MINUTES_PER_DAY, Agent, Instance, ShiftTemplate, TimeOff

QUEUES = ("aftersale_chat", "presale_chat", "complaints_phone")


def synthetic_shifts(n_shifts: int = 40, interval_minutes: int = 15) -> tuple[ShiftTemplate, ...]:
    """Full shifts (9 h with a 1 h lunch) and part-time 5 h shifts from 06:00, one night shift across midnight."""
    shifts = [ShiftTemplate("N2200", 22 * 60, 540, lunch_minutes=60, category="night")]
    step = max(30, interval_minutes)
    start = 6 * 60
    while len(shifts) < n_shifts:
        for length, lunch, tag in ((540, 60, "F"), (300, 0, "P")):
            if len(shifts) < n_shifts:
                category = "early" if start < 9 * 60 else "day" if start < 12 * 60 else "late"
                name = f"{tag}{start // 60:02d}{start % 60:02d}"
                shifts.append(ShiftTemplate(name, start, length, lunch_minutes=lunch, category=category))
        start += step
        if start + 300 > MINUTES_PER_DAY:
            break
    return tuple(shifts)


def synthetic_agents(n_agents: int, rng: np.random.Generator, queues: tuple[str, ...] = QUEUES) -> tuple[Agent, ...]:
    """Agents with 1–3 skills, full- or part-time contracts, some availability windows and preferences."""
    agents = []
    for i in range(n_agents):
        n_skills = int(rng.choice([1, 2, 3], p=[0.5, 0.35, 0.15]))
        skills = tuple(str(q) for q in rng.choice(queues, size=n_skills, replace=False))
        part_time = rng.random() < 0.2
        window = rng.random() < 0.2
        agents.append(
            Agent(
                agent_id=f"A{i + 1:04d}",
                name=f"Agent {i + 1}",
                skills=skills,
                team=f"T{i % 8 + 1}",
                min_hours_week=16.0 if part_time else 32.0,
                max_hours_week=25.0 if part_time else 40.0,
                max_days_week=5,
                earliest_start_minute=8 * 60 if window else None,
                latest_end_minute=21 * 60 if window else None,
                preferred_days_off=frozenset(int(x) for x in rng.choice(7, size=2, replace=False))
                if rng.random() < 0.5
                else frozenset(),
                preferred_categories=frozenset({str(rng.choice(["early", "day", "late"]))})
                if rng.random() < 0.3
                else frozenset(),
            )
        )
    return tuple(agents)


def demand_curve(
    days: int,
    interval_minutes: int,
    queues: tuple[str, ...],
    start: date,
    peak_agents: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """Agents needed (real numbers) per queue and interval: two daily humps, weekday factors, queue shares, noise."""
    per_day = MINUTES_PER_DAY // interval_minutes
    hours = (np.arange(per_day) + 0.5) * interval_minutes / 60
    shape = np.exp(-(((hours - 10.5) / 2.2) ** 2)) + 0.85 * np.exp(-(((hours - 20.0) / 2.0) ** 2))
    shape = np.where((hours > 7.5) & (hours < 23.5), 0.15 + shape, 0.02)
    shape = shape / shape.max()
    weekday_factor = np.array([1.1, 1.0, 0.95, 0.95, 1.0, 0.85, 0.8])
    shares = np.linspace(1.0, 0.5, len(queues))
    shares = shares / shares.sum()
    grid = np.zeros((len(queues), days * per_day))
    for d in range(days):
        factor = weekday_factor[(start + timedelta(days=d)).weekday()]
        for q, share in enumerate(shares):
            noisy = peak_agents * share * factor * shape * rng.normal(1.0, 0.05, per_day)
            grid[q, d * per_day : (d + 1) * per_day] = np.clip(noisy, 0, None)
    return grid


def synthetic_instance(
    n_agents: int = 200,
    days: int = 28,
    *,
    interval_minutes: int = 15,
    n_shifts: int = 40,
    seed: int = 0,
    start: date = date(2026, 11, 2),
    load: float = 1.0,
) -> Instance:
    """A seeded instance whose demand is 85 % of the staff's maximum hours at `load` = 1.0 (more → shortage)."""
    rng = np.random.default_rng(seed)
    agents = synthetic_agents(n_agents, rng)
    shifts = synthetic_shifts(n_shifts, interval_minutes)
    time_off = tuple(
        TimeOff(agents[int(a)].agent_id, start + timedelta(days=int(rng.integers(days))))
        for a in rng.choice(n_agents, size=max(1, n_agents // 10), replace=False)
    )
    per_day = MINUTES_PER_DAY // interval_minutes
    capacity_hours = sum(a.max_hours_week or 40.0 for a in agents) * days / 7 * 0.85
    curve = demand_curve(days, interval_minutes, QUEUES, start, 1.0, np.random.default_rng(seed + 1))
    scale = load * capacity_hours / (curve.sum() * interval_minutes / 60)
    required = np.round(curve * scale).astype(np.int64)
    assert required.shape == (len(QUEUES), days * per_day)
    return Instance(agents, shifts, time_off, QUEUES, start, days, interval_minutes, required)
