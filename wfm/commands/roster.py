"""`wfm roster`: build a roster from requirements, agents, shift templates, time off and rules."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from typing import TYPE_CHECKING

from wfm.csvio import write_csv
from wfm.engines import add_engine_options, check_engine_options, open_engine
from wfm.errors import InputError
from wfm.limits import MAX_TIME_LIMIT_SECONDS
from wfm.outputs import write_json
from wfm.roster.activities import (
    WALL_SHARE,
    place_activities,
    placement_seconds,
    placement_seconds_left,
    solve_seconds_within,
)
from wfm.roster.checker import check_roster, parse_roster
from wfm.roster.domain import Config, Instance, RosterSolution
from wfm.roster.fair_share import fairness_section
from wfm.roster.inputs import check_skills_name_queues, load_instance
from wfm.roster.joint import solve_and_place
from wfm.roster.outputs import report_dict, roster_frame
from wfm.roster.shift_outputs import request_summary, shift_coverage_frame
from wfm.roster.solve import SolveSettings
from wfm.roster.training import read_training

if TYPE_CHECKING:
    from wfm.roster.deferred_search import DeferredWork

ORDER = 40
# A team's solve keeps two cores busy (the search and the LP bound's thread): the default local cluster for
# --by team has one worker per two CPUs (docs/scale.md).
CORES_PER_TEAM = 2


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
    p.add_argument(
        "--deferred-objective",
        choices=("late-work", "heads"),
        default="late-work",
        help="email/ticket queues (with --queues and requirements carrying volume and AHT): late-work (default) "
        "costs work answered after its response window; heads counts heads short per interval like calls",
    )
    p.add_argument("--seed", type=int, default=0, help="random seed of the search")
    p.add_argument("--by", help="team: solve each team (agents' team column) on its own, then merge (docs/scale.md)")
    p.add_argument(
        "--previous",
        action="append",
        default=[],
        metavar="ROSTER.csv",
        help="an earlier published roster (repeatable): its weekends, late shifts and holidays count for fairness",
    )
    p.add_argument("--holidays", help="site holiday calendar for holiday fairness: a country code (CN, US…)")
    p.add_argument("--events", help="events CSV: its holiday events' days count for holiday fairness")
    p.add_argument(
        "--rounds",
        type=_rounds,
        default=2,
        help="search rounds: 2 (default) re-plans once against the breaks, lunches and training placed after the "
        "first; 1 plans as if nobody pauses",
    )
    add_engine_options(p, "teams (with --by team)")
    p.set_defaults(func=run)


def _rounds(text: str) -> int:
    """A --rounds value: a whole number from 1 to 5."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= 5:
        raise argparse.ArgumentTypeError(f'"{text}": expected a whole number from 1 to 5')
    return value


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
    _check_by_team(args)
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
    instance = _with_fairness_history(args, instance, config)
    if args.queues:
        from wfm.staffing.queues import read_queues

        check_skills_name_queues(
            instance.agents, set(read_queues(args.queues)), args.agents, args.queues, each_skill=True
        )
    training = read_training(args.training, instance.agents, instance.interval_minutes) if args.training else ()
    teams, joint = None, None
    if args.by:  # teams solved on the engine and merged (wfm/roster/teams.py); breaks below, on the whole roster
        solution, teams = _solve_by_team(args, instance, config)
        place_limit = placement_seconds(args.time_limit)  # 10 % of the limit (3–15 s), after the teams
        activities = place_activities(instance, config, solution.assignments, training, place_limit, seed=args.seed)
    else:  # search, place breaks, lunches and training, re-plan against them (wfm/roster/joint.py)
        joint = solve_and_place(
            instance,
            config,
            SolveSettings(
                time_limit_seconds=solve_seconds_within(args.time_limit, len(instance.agents), instance.days),
                seed=args.seed,
                deferred=_deferred(args, instance),
            ),
            training,
            lambda shifts: placement_seconds_left(deadline, shifts),  # in what is left of 1.1 × the limit
            progress=lambda line: print(line, file=sys.stderr, flush=True),
            rounds=args.rounds,
        )
        solution, activities = joint.solution, joint.activities
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
        report["fairness"] = fairness_section(instance, config, solution.assignments)
        if instance.shift_demand is not None:
            report["shift_coverage"] = shift_coverage_frame(instance, solution.assignments).to_dict("records")
        if teams is not None:
            report["teams"] = teams
        if joint is not None:
            report["replanning"] = {
                "kept_round": joint.kept_round,
                "rounds": list(joint.rounds),
                "shifts_moved_for_break_cap": list(joint.cap_moves),
            }
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


def _deferred(args: argparse.Namespace, instance: Instance) -> DeferredWork | None:
    """With --queues and requirements carrying volume and AHT: the email/ticket queues the search costs by late
    work (wfm/roster/deferred_search.py); else None (heads per interval for every queue)."""
    if not (args.queues and args.requirements) or getattr(args, "deferred_objective", "late-work") == "heads":
        return None
    from wfm.roster.service import deferred_work

    return deferred_work(instance, args.requirements, args.queues)


def _with_fairness_history(args: argparse.Namespace, instance: Instance, config: Config) -> Instance:
    """The instance with its holidays (--holidays, --events) and the counts carried from --previous rosters."""
    from pathlib import Path

    from wfm.roster.checker import read_roster
    from wfm.roster.fair_share import holiday_calendar_dates, with_history

    written = {Path(p).resolve() for p in (args.out, args.report) if p}
    for path in args.previous:
        if Path(path).resolve() in written:
            raise InputError(f"--previous {path} is also an output of this command")
    years = range(instance.start.year - 1, instance.start.year + 2)
    holidays = holiday_calendar_dates(args.holidays, args.events, years)
    return with_history(instance, config, [read_roster(p) for p in args.previous], holidays)


def _check_by_team(args: argparse.Namespace) -> None:
    """--by, --engine, --address and --workers: InputError for a value or combination that cannot run."""
    if args.by is not None and args.by != "team":
        raise InputError(f'--by "{args.by}" is unknown; expected team')
    check_engine_options(args.engine, args.address, args.workers)
    if args.by is None and (args.engine != "local" or args.workers is not None):
        raise InputError("--engine and --workers need --by team (one roster without teams is one solve)")


def _solve_by_team(args: argparse.Namespace, instance: Instance, config: Config) -> tuple[RosterSolution, list[dict]]:
    """Split by team, solve the teams on the engine, merge; also the report's `teams` rows."""
    from wfm.roster.teams import merge_teams, solve_teams, split_by_team, team_report

    parts = split_by_team(instance, args.agents)
    print(f"by team: {len(parts)} teams on the {args.engine} engine", file=sys.stderr, flush=True)
    started = time.monotonic()
    with open_engine(args.engine, args.address, args.workers, cores_per_part=CORES_PER_TEAM) as engine:
        results = solve_teams(
            engine,
            parts,
            config,
            args.time_limit,
            args.seed,
            progress=lambda line: print(line, file=sys.stderr, flush=True),
        )
    solution = merge_teams(instance, parts, results, time.monotonic() - started, args.engine)
    return solution, team_report(parts, results)
