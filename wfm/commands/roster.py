"""`wfm roster`: build a roster from requirements, agents, shift templates, time off and rules."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date

from wfm.csvio import write_csv
from wfm.errors import InputError
from wfm.limits import MAX_TIME_LIMIT_SECONDS
from wfm.outputs import write_json
from wfm.roster.activities import WALL_SHARE, place_activities, placement_seconds_left
from wfm.roster.checker import check_roster, parse_roster
from wfm.roster.inputs import check_skills_name_queues, load_instance
from wfm.roster.outputs import report_dict, roster_frame
from wfm.roster.shift_outputs import request_summary, shift_coverage_frame
from wfm.roster.solve import SolveSettings, solve_roster
from wfm.roster.training import read_training

ORDER = 40


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `roster` subcommand."""
    p = subparsers.add_parser("roster", help="build a roster (CP-SAT) that covers the requirements")
    p.add_argument("--requirements", help="requirements CSV (queue, interval_start, required_agents)")
    p.add_argument("--shift-demand", help="shift-form demand CSV (date, shift, required[, weight_under, weight_over])")
    p.add_argument("--requests", help="shift requests CSV (agent_id, date, kind on|off[, shift, weight])")
    p.add_argument("--agents", required=True, help="agents CSV")
    p.add_argument("--shifts", required=True, help="shift templates CSV")
    p.add_argument("--time-off", help="time off CSV (agent_id, date[, start, end])")
    p.add_argument("--rules", help="rules.toml ([rules] and [weights])")
    p.add_argument("--training", help="training requirements CSV (see docs/roster.md); sessions go into the shifts")
    p.add_argument("--start", required=True, help="first day of the roster, YYYY-MM-DD")
    p.add_argument("--days", required=True, type=int, help="number of days (1–42)")
    p.add_argument("--time-limit", required=True, type=float, help="solver time limit in seconds")
    p.add_argument("--out", required=True, help="roster CSV to write")
    p.add_argument("--report", help="JSON report to write (status, bound, gap, penalties, coverage)")
    p.add_argument("--queues", help="queues CSV: adds the projected service level per interval to the report")
    p.add_argument("--seed", type=int, default=0, help="random seed of the search")
    p.set_defaults(func=run)


def parse_date(text: str, option: str) -> date:
    """A YYYY-MM-DD option value."""
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InputError(f'{option} "{text}" is not a date: expected YYYY-MM-DD') from exc


def run(args: argparse.Namespace) -> int:
    """Read, solve, check, then write the roster (and report); nothing is written when input is rejected."""
    if not 0 < args.time_limit <= MAX_TIME_LIMIT_SECONDS:
        raise InputError(
            f"--time-limit {args.time_limit:g}: expected seconds above 0 and at most {MAX_TIME_LIMIT_SECONDS:g}"
        )
    deadline = time.monotonic() + WALL_SHARE * args.time_limit
    instance, config = load_instance(
        requirements=args.requirements,
        agents=args.agents,
        shifts=args.shifts,
        time_off=args.time_off,
        rules=args.rules,
        start=parse_date(args.start, "--start"),
        days=args.days,
        shift_demand=args.shift_demand,
        requests=args.requests,
    )
    if args.queues:
        from wfm.staffing.queues import read_queues

        check_skills_name_queues(
            instance.agents, set(read_queues(args.queues)), args.agents, args.queues, each_skill=True
        )
    training = read_training(args.training, instance.agents, instance.interval_minutes) if args.training else ()
    solution = solve_roster(
        instance,
        config,
        SolveSettings(time_limit_seconds=args.time_limit, seed=args.seed),
        progress=lambda line: print(line, file=sys.stderr, flush=True),
    )
    place_limit = placement_seconds_left(deadline, len(solution.assignments))
    activities = place_activities(  # breaks, lunches and training in what is left of 1.1 × the limit
        instance, config, solution.assignments, training, place_limit, seed=args.seed
    )
    service = None
    if args.queues and args.requirements:
        from wfm.roster.service import projected_service_level

        service = projected_service_level(instance, activities.scheduled, args.requirements, args.queues)
    frame = roster_frame(instance, solution.assignments, activities)
    violations = check_roster(
        parse_roster(frame),
        instance.agents,
        instance.shifts,
        instance.time_off,
        config,
        first_day=instance.start,
        n_days=instance.days,
        training=training,
    )
    write_csv(frame, args.out)
    if args.report:
        report = report_dict(instance, solution, service, activities)
        report["violations"] = [v.message for v in violations]
        report["requests"] = request_summary(instance, solution.assignments)
        if instance.shift_demand is not None:
            report["shift_coverage"] = shift_coverage_frame(instance, solution.assignments).to_dict("records")
        write_json(report, args.report)
    stats = solution.stats
    assert stats is not None
    print(
        f"roster: {stats.status}, objective {stats.objective:.1f}, lower bound {stats.lower_bound:.1f}, "
        f"gap {stats.gap:.1%}, {len(solution.assignments)} shifts → {args.out}",
        file=sys.stderr,
    )
    for line in solution.penalties:
        print(f"  {line.rule}: {line.amount:.2f} {line.unit} × {line.weight} = {line.penalty:.1f}", file=sys.stderr)
    for v in violations:
        print(f"  VIOLATION {v.rule} {v.agent_id} {v.day}: {v.message}", file=sys.stderr)
    return 1 if violations else 0
