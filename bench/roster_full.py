"""Full roster: the 200-agent × 28-day instance of bench/roster_scale.py with breaks, a break cap and training.

Run: .venv/bin/python bench/roster_full.py [--agents 200] [--days 28] [--time-limit 120] [--placement-share 0.15]
Breaks: 7–12 h shifts get a 30–60 min lunch 3–5 h in and two 15-min breaks, shorter ones one 15-min break;
1.5 h between pauses, none in the first or last hour; at most 25 % of a queue's agents on shift (at least 2)
pause at once. Training: new hires (every 10th agent) 2 h on every working day of the first 4 weeks, everyone
2 h a week (weekdays 08:00–20:00, 20 seats per slot). The time limit is split: the roster solve gets
(1 − share), the placement the rest. Rotation: forward rotation (no next-day shift starting earlier in the day),
weekend fairness 200 and late-shift fairness 100 per unit of spread; the spreads are printed among the agents
whose contract gives them a choice (weekend options; both late and other shifts).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from roster_scale import build_instance

from wfm.roster.activities import place_activities
from wfm.roster.break_rules import BreakCap, BreakRule, BreakSettings
from wfm.roster.checker import check_roster, parse_roster
from wfm.roster.domain import Config, RuleSettings, Weights
from wfm.roster.outputs import roster_frame, under_agent_hours
from wfm.roster.solve import SolveSettings, solve_roster
from wfm.roster.training import TrainingRequirement

BREAKS = BreakSettings(
    rules=(
        BreakRule("long", 7, 12, 30, 60, 3, 5, breaks=2, break_minutes=15, min_gap_hours=1.5),
        BreakRule("short", 0, 7, breaks=1, break_minutes=15, min_gap_hours=1.5),
    ),
    cap=BreakCap(default=0.25, min_agents=2),
)
WEEKDAYS = frozenset(range(5))
TRAINING = (
    TrainingRequirement("onboarding", "new_hire", (), "day", 1, 120, first_weeks=4, earliest_minute=8 * 60,
                        latest_minute=20 * 60, slot_step_minutes=60, capacity=20),
    TrainingRequirement("weekly_skills", "everyone", (), "week", 1, 120, weekdays=WEEKDAYS, earliest_minute=8 * 60,
                        latest_minute=20 * 60, slot_step_minutes=60, capacity=20),
)  # fmt: skip


def main() -> int:
    """Run the bench and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--agents", type=int, default=200)
    parser.add_argument("--days", type=int, default=28)
    parser.add_argument("--time-limit", type=float, default=120.0)
    parser.add_argument("--placement-share", type=float, default=0.15)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    inst, source = build_instance(args.agents, args.days, args.seed)
    inst = replace(inst, agents=tuple(replace(a, new_hire=i % 10 == 0) for i, a in enumerate(inst.agents)))
    config = Config(RuleSettings(forward_rotation=True), Weights(weekend_fairness=200, late_fairness=100), BREAKS)
    print(
        f"instance: {len(inst.agents)} agents ({sum(a.new_hire for a in inst.agents)} new hires) × {inst.days} days, "
        f"{len(inst.shifts)} templates, {len(inst.queues)} queues; demand: {source}"
    )
    placement_seconds = args.placement_share * args.time_limit
    started = time.monotonic()
    solution = solve_roster(
        inst,
        config,
        SolveSettings(time_limit_seconds=args.time_limit - placement_seconds, seed=args.seed),
        progress=lambda line: print("  " + line, file=sys.stderr, flush=True),
    )
    solve_seconds = time.monotonic() - started
    started = time.monotonic()
    plan = place_activities(inst, config, solution.assignments, TRAINING, placement_seconds, seed=args.seed)
    place_seconds = time.monotonic() - started
    stats = solution.stats
    assert stats is not None
    lp_under = _lp_under(inst, config)
    before, after = under_agent_hours(inst, solution.scheduled), under_agent_hours(inst, plan.scheduled)
    absent = _absent_agent_hours(plan)
    frame = roster_frame(inst, solution.assignments, plan)
    violations = check_roster(
        parse_roster(frame),
        inst.agents,
        inst.shifts,
        inst.time_off,
        config,
        training=TRAINING,
        first_day=inst.start,
        n_days=inst.days,
    )
    by_rule = Counter(v.rule for v in violations)
    print(f"solve {solve_seconds:.1f} s ({stats.status}), placement {place_seconds:.1f} s "
          f"(limits {args.time_limit - placement_seconds:g} + {placement_seconds:g} s)")  # fmt: skip
    print(f"objective {stats.objective:.1f}, lower bound {stats.lower_bound:.1f}, gap {stats.gap:.1%}")
    print(f"under-coverage agent-h: before placement {before:.1f}, after {after:.1f} (+{after - before:.1f}); "
          f"off the phones in placed pauses and training {absent:.1f} agent-h")  # fmt: skip
    for label, value in (("before", before), ("after", after)):
        print(f"  {label}: {(value - lp_under) / max(lp_under, 1e-9):+.1%} vs the LP relaxation's {lp_under:.1f}")
    print(f"breaks {plan.breaks['breaks_placed']}, lunches {plan.breaks['lunches_placed']}; cap "
          f"{plan.breaks['cap']}; cap cells over (placement) {plan.breaks['cap_violations']}")  # fmt: skip
    unmet = Counter(c["reason"] for c in plan.breaks["cap_not_met"])
    print(f"queue-days where the cap is not met: {dict(unmet) or 0}")
    for r in plan.training["requirements"]:
        reasons = Counter(m["reason"].split(" in ")[0] for m in r["not_met"])
        print(f"training {r['requirement']}: {r['delivered_hours']:g} of {r['required_hours']:g} h delivered"
              + (f"; not met: {dict(reasons)}" if reasons else ""))  # fmt: skip
    print(f"training total: {plan.training['delivered_hours']:g} of {plan.training['required_hours']:g} h")
    print(f"checker: {len(violations)} violation(s); break_cap {by_rule.get('break_cap', 0)}; {dict(by_rule)}")
    for label, loads, eligible in _rotation_loads(inst, config, solution.assignments):
        print(
            f"{label}: spread {int(loads.max() - loads.min())} among {int(eligible.sum())} agents whose contract "
            f"allows a choice (min {int(loads.min())}, max {int(loads.max())}, mean {loads.mean():.2f})"
        )
    return 1 if violations else 0


def _rotation_loads(inst, config: Config, assignments) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """Weekends worked and late shifts per eligible agent (the engine's own eligibility: weekend options; both
    late and other shifts among the options)."""
    from wfm.roster.best_response import response_context
    from wfm.roster.fairness import loads
    from wfm.roster.options import instance_facts

    ctx = response_context(inst, config, instance_facts(inst, config))
    rot = ctx.rotation
    weekends, lates = loads(ctx, {(x.agent, x.day): (x.shift, x.queue) for x in assignments})
    return [
        ("weekends worked", weekends[rot.weekend_eligible], rot.weekend_eligible),
        ("late shifts", lates[rot.late_eligible], rot.late_eligible),
    ]


def _lp_under(inst, config: Config) -> float:
    """Under-coverage agent-hours of the aggregate LP relaxation (no pauses or training in it)."""
    from wfm.roster.aggregate import solve_aggregate
    from wfm.roster.options import instance_facts

    return solve_aggregate(inst, config, instance_facts(inst, config)).under_agent_minutes / 60


def _absent_agent_hours(plan) -> float:
    """Agent-hours of placed breaks, lunches and training."""
    return float(np.sum([a.minutes for acts in plan.by_cell.values() for a in acts]) / 60)


if __name__ == "__main__":
    sys.exit(main())
