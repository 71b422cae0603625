"""Exact per-queue-day pause placement (wfm.roster.pause_polish): on tiny centres its placement costs exactly the
brute-force minimum over every combination of pause patterns under the cap, and it is proven optimal."""

from __future__ import annotations

from datetime import date
from itertools import product

import numpy as np
import pytest

from wfm.roster.activities import place_activities
from wfm.roster.break_rules import BreakCap, BreakRule, BreakSettings
from wfm.roster.breaks import pause_plans
from wfm.roster.checker import check_roster, parse_roster
from wfm.roster.domain import Agent, Assignment, Config, Instance, RuleSettings, ShiftTemplate
from wfm.roster.outputs import roster_frame

MONDAY = date(2026, 11, 2)
SHIFTS = (ShiftTemplate("D0800", 8 * 60, 6 * 60), ShiftTemplate("D0900", 9 * 60, 6 * 60))
RULES = BreakSettings(
    (BreakRule("two", 0, 24, breaks=2, break_minutes=30, min_gap_hours=1, earliest_hours=1, end_margin_hours=1),),
    BreakCap(default=0.5, min_agents=1),
)


def _cost(cfg: Config, required: np.ndarray, present: np.ndarray) -> float:
    """Under weight × agents short + over weight × agents extra, per interval."""
    gap = present - required
    return float(
        cfg.weights.under_coverage * np.clip(-gap, 0, None).sum() + cfg.weights.over_coverage * gap.clip(0).sum()
    )


def _brute_force(inst: Instance, cfg: Config, roster: list[Assignment]) -> float:
    """The cheapest combination of the shifts' pause patterns that keeps the cap in every interval."""
    step, per_day = inst.interval_minutes, inst.intervals_per_day
    on_shift = np.zeros(per_day)
    masks = []
    for x in roster:
        shift = inst.shifts[x.shift]
        lo = shift.start_minute // step
        on_shift[lo : lo + shift.length_minutes // step] += 1
        full = []
        for mask in pause_plans(shift, cfg.breaks, step).masks:
            row = np.zeros(per_day)
            row[lo : lo + len(mask)] = mask
            full.append(row)
        masks.append(full)
    cap = np.maximum(1, np.floor(0.5 * on_shift + 1e-9))
    best = float("inf")
    for combo in product(*masks):
        paused = np.sum(combo, axis=0)
        if (paused <= cap).all():
            best = min(best, _cost(cfg, inst.required[0], on_shift - paused))
    return best


@pytest.mark.parametrize("seed", range(6))
def test_exact_placement_costs_the_brute_force_minimum(seed: int) -> None:
    rng = np.random.default_rng(seed)
    required = np.zeros((1, 48), dtype=np.int64)
    required[0, 16:30] = rng.integers(1, 4, size=14)  # 08:00–15:00, 1–3 agents per half-hour
    agents = tuple(Agent(f"A{i}", f"Agent {i}", ("phone",)) for i in range(3))
    inst = Instance(agents, SHIFTS, (), ("phone",), MONDAY, 1, 30, required)
    cfg = Config(RuleSettings(interval_minutes=30), breaks=RULES)
    roster = [Assignment(a, 0, int(rng.integers(0, 2)), 0) for a in range(3)]
    plan = place_activities(inst, cfg, roster, (), 30.0, seed=seed, polish=1.0)
    assert plan.breaks["exact_queue_days"]["proven_optimal"] == 1
    assert _cost(cfg, required[0], plan.scheduled[0]) == _brute_force(inst, cfg, roster)
    frame = roster_frame(inst, roster, plan)
    assert check_roster(parse_roster(frame), agents, SHIFTS, (), cfg, first_day=MONDAY, n_days=1) == []
