"""`wfm benchmark curtois`: solve a Curtois–Qu instance with the roster engine and report the benchmark objective."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from wfm.benchmarks.curtois import hard_violations, read_curtois, roster_rows, score, to_engine
from wfm.csvio import write_csv
from wfm.errors import InputError
from wfm.limits import MAX_TIME_LIMIT_SECONDS
from wfm.outputs import write_json
from wfm.roster.solve import SolveSettings, solve_roster

ORDER = 90


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `benchmark` subcommand."""
    p = subparsers.add_parser("benchmark", help="solve a published benchmark instance (Curtois–Qu) with the engine")
    p.add_argument("suite", choices=["curtois"], help="benchmark family")
    p.add_argument("instance", help="instance file, e.g. Instance1.txt")
    p.add_argument("--time-limit", type=float, default=60.0, help="solver time limit in seconds (default 60)")
    p.add_argument("--out", help="roster CSV to write (employee, day, shift; one row per worked day)")
    p.add_argument("--report", help="JSON report to write (objective, parts, bound, time, penalties)")
    p.add_argument("--seed", type=int, default=0, help="random seed of the search")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Read, map, solve, re-score independently, then write the roster (and report)."""
    if not 0 < args.time_limit <= MAX_TIME_LIMIT_SECONDS:
        raise InputError(
            f"--time-limit {args.time_limit:g}: expected seconds above 0 and at most {MAX_TIME_LIMIT_SECONDS:g}"
        )
    ci = read_curtois(args.instance)
    instance, config = to_engine(ci)
    print(
        f"{ci.name}: {len(ci.staff)} staff, {ci.days} days, {len(ci.shifts)} shift types, {len(ci.cover)} cover rows",
        file=sys.stderr,
    )
    solution = solve_roster(
        instance,
        config,
        SolveSettings(time_limit_seconds=args.time_limit, seed=args.seed),
        progress=lambda line: print(line, file=sys.stderr, flush=True),
    )
    roster = roster_rows(instance, solution.assignments)
    parts = score(ci, roster)
    problems = hard_violations(ci, roster)
    stats = solution.stats
    assert stats is not None
    print(
        f"objective {parts.objective} (requests {parts.requests}, cover under {parts.cover_under}, "
        f"cover over {parts.cover_over}); bound {stats.lower_bound:g}; {stats.status}; "
        f"{stats.elapsed_seconds:.1f} s; hard-rule violations {len(problems)}"
    )
    for line in problems:
        print(f"violation: {line}", file=sys.stderr)
    if args.out:
        write_csv(roster, Path(args.out))
    if args.report:
        report = {
            "instance": ci.name,
            "objective": parts.objective,
            "requests": parts.requests,
            "cover_under": parts.cover_under,
            "cover_over": parts.cover_over,
            "lower_bound": stats.lower_bound,
            "status": stats.status,
            "elapsed_seconds": round(stats.elapsed_seconds, 2),
            "phases": list(stats.phases),
            "violations": problems,
            "penalties": [{"rule": p.rule, "amount": p.amount, "penalty": p.penalty} for p in solution.penalties],
        }
        write_json(report, args.report)
    return 1 if problems else 0
