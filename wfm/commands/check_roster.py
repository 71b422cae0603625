"""`wfm check-roster`: verify every hard rule of a roster file independently of the solver."""

from __future__ import annotations

import argparse
import sys

from wfm.roster.checker import check_roster, read_roster
from wfm.roster.inputs import read_agents, read_rules, read_shifts, read_time_off

ORDER = 45


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `check-roster` subcommand."""
    p = subparsers.add_parser("check-roster", help="list every hard-rule violation in a roster file")
    p.add_argument("--roster", required=True, help="roster CSV (agent_id, name, date, start, end, activity, queue)")
    p.add_argument("--agents", required=True, help="agents CSV")
    p.add_argument("--shifts", required=True, help="shift templates CSV")
    p.add_argument("--time-off", help="time off CSV")
    p.add_argument("--rules", help="rules.toml")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Exit 0 when the roster satisfies every hard rule, 1 when violations are listed, 2 on bad input."""
    config = read_rules(args.rules)
    agents = read_agents(args.agents)
    shifts = read_shifts(args.shifts, config.rules.interval_minutes)
    time_off = read_time_off(args.time_off, {a.agent_id for a in agents}) if args.time_off else ()
    frame = read_roster(args.roster)
    violations = check_roster(frame, agents, shifts, time_off, config)
    for v in violations:
        print(f"{v.rule}\t{v.agent_id}\t{v.day or ''}\t{v.message}")
    print(f"check-roster: {len(violations)} violation(s) in {args.roster}", file=sys.stderr)
    return 1 if violations else 0
