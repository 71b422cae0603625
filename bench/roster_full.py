"""Full roster: the 200-agent × 28-day instance of bench/roster_scale.py with breaks, a break cap and training.

Run: .venv/bin/python bench/roster_full.py [--agents 200] [--days 28] [--time-limit 120] [--placement-share 0.15]
     [--rounds 2]  (wfm.roster.joint: round 2 re-plans against the pauses placed after round 1; 1 = no re-plan)
     [--exact-seconds 30]  (where the gap lies: the LP with the roster's shifts fixed, exact pauses per queue-day)
     [--template-bound]  (the break-aware LP with each template's pauses in its own windows: a tighter bound)
Breaks: 7–12 h shifts get a 30–60 min lunch 3–5 h in and two 15-min breaks, shorter ones one 15-min break;
1.5 h between pauses, none in the first or last hour; at most 25 % of a queue's agents on shift (at least 2)
pause at once. Training: new hires (every 10th agent) 2 h on every working day of the first 4 weeks, everyone
2 h a week (weekdays 08:00–20:00, 20 seats per slot). The time limit is split: the roster solve gets
(1 − share), the placement the rest. Rotation: forward rotation (no next-day shift starting earlier in the day),
weekend fairness 200 and late-shift fairness 100 per weekend / late shift outside the band of the group's fair
share; the spreads are printed per comparable group (wfm.roster.fair_share.group_key: same contract and window;
agents whose options give them a choice of weekends; of late and other shifts).
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

from roster_scale import add_demand_options, build_instance, set_demand

from wfm.roster.break_rules import BreakCap, BreakRule, BreakSettings
from wfm.roster.checker import check_roster, parse_roster
from wfm.roster.domain import Config, RuleSettings, Weights
from wfm.roster.joint import after_placement_objective, solve_and_place
from wfm.roster.outputs import roster_frame, under_agent_hours
from wfm.roster.solve import SolveSettings
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


def _print_exact_placement(inst, config, solution, after: float, seconds: float, seed: int) -> None:
    """Place the kept roster again, then re-place each queue-day's pauses exactly: proven optimal / visited."""
    from wfm.roster.activities import place_activities

    exact = place_activities(inst, config, solution.assignments, TRAINING, seconds, seed=seed, polish=1.0)
    found, again = exact.breaks["exact_queue_days"], under_agent_hours(inst, exact.scheduled)
    print(f"exact pauses per queue-day ({seconds:g} s, CP-SAT): {found['visited']} of {found['queue_days']} "
          f"queue-days visited, {found['proven_optimal']} proven optimal, {found['better']} made cheaper; "
          f"under-coverage after placement {after:.1f} → {again:.1f} agent-h")  # fmt: skip


def main() -> int:
    """Run the bench and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--agents", type=int, default=200)
    parser.add_argument("--days", type=int, default=28)
    parser.add_argument("--time-limit", type=float, default=120.0)
    parser.add_argument("--placement-share", type=float, default=0.15)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rounds", type=int, default=2, help="search rounds (2: re-plan against placed pauses)")
    parser.add_argument(
        "--template-bound",
        action="store_true",
        help="also the break-aware LP with each template's pauses in its own windows (tighter; minutes at 200 × 28)",
    )
    parser.add_argument(
        "--exact-seconds",
        type=float,
        default=30.0,
        help="after the run: the break-aware LP with the kept roster's shifts fixed, and the roster placed again "
        "with each queue-day's pauses re-placed exactly (wfm/roster/pause_polish.py) for this long: how much of "
        "the gap is the shifts, the placement and the relaxation (0: skip)",
    )
    add_demand_options(parser)
    args = parser.parse_args()
    set_demand(args)
    inst, source = build_instance(args.agents, args.days, args.seed)
    inst = replace(inst, agents=tuple(replace(a, new_hire=i % 10 == 0) for i, a in enumerate(inst.agents)))
    config = Config(RuleSettings(forward_rotation=True), Weights(weekend_fairness=200, late_fairness=100), BREAKS)
    print(
        f"instance: {len(inst.agents)} agents ({sum(a.new_hire for a in inst.agents)} new hires) × {inst.days} days, "
        f"{len(inst.shifts)} templates, {len(inst.queues)} queues; demand: {source}"
    )
    placement_seconds = args.placement_share * args.time_limit
    started = time.monotonic()
    joint = solve_and_place(
        inst,
        config,
        SolveSettings(time_limit_seconds=args.time_limit - placement_seconds, seed=args.seed),
        TRAINING,
        placement_seconds,
        progress=lambda line: print("  " + line, file=sys.stderr, flush=True),
        rounds=args.rounds,
    )
    total_seconds = time.monotonic() - started
    solution, plan = joint.solution, joint.activities
    place_seconds = plan.seconds
    solve_seconds = total_seconds - place_seconds
    stats = solution.stats
    assert stats is not None
    for r in joint.rounds:
        print(f"round {r['round']}: objective before placement {r['objective_before_placement']:.1f}, after "
              f"{r['objective_after_placement']:.1f}; under {r['under_coverage_agent_hours_after']:.1f}, over "
              f"{r['over_coverage_agent_hours_after']:.1f} agent-h after placement")  # fmt: skip
    print(f"kept round {joint.kept_round}; wall time {total_seconds:.1f} s for a {args.time_limit:g} s limit")
    lp_under = _lp_under(inst, config)
    training_minutes = 60.0 * plan.training["delivered_hours"]
    aware, aware_lp_seconds = _break_aware_lp(inst, config, training_minutes)
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
    after_objective = after_placement_objective(inst, config, solution, plan)
    aware_under, aware_bound = aware.under_agent_minutes / 60, aware.bound / 60
    print(f"break-aware LP ({aware.status}, pauses in their windows under the cap, {training_minutes / 60:.0f} "
          f"agent-h of training anywhere; {aware_lp_seconds:.0f} s): bound {aware_bound:.1f}, its "
          f"under-coverage {aware_under:.1f} agent-h")  # fmt: skip
    aware_gap = (after_objective - aware_bound) / after_objective
    if args.template_bound:
        own, own_seconds = _break_aware_lp(inst, config, training_minutes, per_template=True)
        own_under = own.under_agent_minutes / 60
        print(f"  with each template's pauses in its own windows ({own.status}, {own_seconds:.0f} s): bound "
              f"{own.bound / 60:.1f}, under-coverage {own_under:.1f} agent-h; after placement "
              f"{(after - own_under) / max(own_under, 1e-9):+.1%} vs it")  # fmt: skip
    print(f"  after placement: under-coverage {(after - aware_under) / max(aware_under, 1e-9):+.1%} vs the "
          f"break-aware LP's; objective {after_objective:.1f}, gap {aware_gap:.1%} to its bound")  # fmt: skip
    if args.exact_seconds > 0:
        fixed, fixed_seconds = _break_aware_lp(inst, config, training_minutes, solution.assignments)
        print(f"  the same LP with every agent-day fixed to the kept roster's shift ({fixed.status}, "
              f"{fixed_seconds:.0f} s): under-coverage {fixed.under_agent_minutes / 60:.1f} agent-h — the "
              f"roster's shifts cost {fixed.under_agent_minutes / max(aware.under_agent_minutes, 1e-9) - 1:+.1%} "
              f"in the relaxation, its placement "
              f"{after * 60 / max(fixed.under_agent_minutes, 1e-9) - 1:+.1%} more")  # fmt: skip
        _print_exact_placement(inst, config, solution, after, args.exact_seconds, args.seed)
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
    worst = _print_fairness(inst, config, solution.assignments)
    print(f"fairness: worst spread among comparable agents: weekends {worst['weekends']}, lates {worst['lates']} "
          f"(targets ≤ 1, ≤ 2)")  # fmt: skip
    return 1 if violations else 0


def _print_fairness(inst, config: Config, assignments) -> dict[str, int]:
    """Per comparable group (same contract and window; agents whose options give them a choice) and kind: the
    spread (most − least), min, max and mean, as the report's `fairness` section has them; returns the worst
    spread per kind."""
    from wfm.roster.fair_share import fair_tables, fairness_report
    from wfm.roster.options import instance_facts

    tables = fair_tables(inst, config, instance_facts(inst, config).options)
    report = fairness_report(inst, config, assignments, tables)
    worst = {"weekends": 0, "lates": 0, "holidays": 0}
    for g in report["groups"]:
        worst[g["kind"]] = max(worst[g["kind"]], g["spread"])
        print(
            f"  {g['kind']:<8} spread {g['spread']} in {g['group']!r} ({g['agents']} agents; min {g['min']}, "
            f"max {g['max']}, mean {g['mean']:.2f}; outside the band {g['outside_band']})"
        )
        if g["kind"] == "lates" and g["spread"] > 2:
            _print_outside_by_skills(inst, tables, report, g, assignments)
    return worst


def _print_outside_by_skills(inst, tables, report: dict, group: dict, assignments) -> None:
    """The agents of a late-shift group outside its band by skill set, with the late shifts the roster has on
    each single-skill queue (what limits them: a single-skill agent's lates can only be that queue's)."""
    low, high = int(np.floor(group["mean"])), int(np.ceil(group["mean"]))
    outside: dict[str, list[int]] = {}
    for a, row in enumerate(report["agents"]):
        total = row["lates"] + row["lates_carried"]
        if row["group"] == group["group"] and row["lates_counted"] and not low <= total <= high:
            outside.setdefault(" + ".join(sorted(inst.agents[a].skills)), []).append(total)
    late_on = Counter(inst.queues[x.queue] for x in assignments if tables.late_shift[x.shift])
    parts = [
        f"{skills} {len(v)} ({min(v)}–{max(v)})"
        + (f", {late_on[skills]} lates on that queue" if skills in late_on else "")
        for skills, v in sorted(outside.items(), key=lambda x: -len(x[1]))
    ]
    print(f"    outside the band [{low}, {high}] by skills: " + "; ".join(parts))


def _lp_under(inst, config: Config) -> float:
    """Under-coverage agent-hours of the aggregate LP relaxation (no pauses or training in it)."""
    from wfm.roster.aggregate import solve_aggregate
    from wfm.roster.options import instance_facts

    return solve_aggregate(inst, config, instance_facts(inst, config)).under_agent_minutes / 60


def _break_aware_lp(
    inst, config: Config, training_minutes: float, assignments=None, per_template: bool = False
) -> tuple:
    """The break-aware LP relaxation (wfm.roster.aggregate, pauses=True) and the seconds it took; with
    `assignments`, every agent-day fixed to the roster's shift and queue (only the pauses and training free);
    `per_template`: each template's pauses in its own windows (tighter, slower)."""
    from wfm.roster.aggregate import solve_aggregate
    from wfm.roster.options import instance_facts

    started = time.monotonic()
    facts = instance_facts(inst, config)
    if assignments is not None:
        cells = {(x.agent, x.day): (x.shift, x.queue) for x in assignments}
        facts = replace(facts, options={c: [cells[c]] if c in cells else [] for c in facts.options})
    result = solve_aggregate(
        inst,
        config,
        facts,
        3600.0,
        pauses=True,
        training_agent_minutes=training_minutes,
        pauses_per_template=per_template,
    )
    return result, time.monotonic() - started


def _absent_agent_hours(plan) -> float:
    """Agent-hours of placed breaks, lunches and training."""
    return float(np.sum([a.minutes for acts in plan.by_cell.values() for a in acts]) / 60)


if __name__ == "__main__":
    sys.exit(main())
