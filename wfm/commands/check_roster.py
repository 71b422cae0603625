"""`wfm check-roster`: verify every hard rule of a roster file independently of the solver."""

from __future__ import annotations

import argparse
import sys

import numpy as np
import pandas as pd

from wfm.benchmarks.curtois import read_curtois, read_curtois_roster, segments_of, to_engine
from wfm.csvio import FIRST_DATA_ROW
from wfm.errors import InputError
from wfm.roster.checker import Violation, check_roster, read_roster
from wfm.roster.inputs import read_agents, read_rules, read_shifts, read_time_off
from wfm.roster.training import read_training

ORDER = 45


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `check-roster` subcommand."""
    p = subparsers.add_parser("check-roster", help="list every hard-rule violation in a roster file")
    p.add_argument(
        "--roster",
        required=True,
        help="roster CSV (agent_id, name, date, start, end, activity, queue; or employee, day, shift with --curtois)",
    )
    p.add_argument("--agents", help="agents CSV")
    p.add_argument("--shifts", help="shift templates CSV")
    p.add_argument("--time-off", help="time off CSV")
    p.add_argument("--rules", help="rules.toml")
    p.add_argument("--training", help="training requirements CSV (checks session windows, seats and hours)")
    p.add_argument("--curtois", metavar="INSTANCE", help="check a benchmark roster against this Curtois–Qu instance")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Exit 0 when the roster satisfies every hard rule, 1 when violations are listed, 2 on bad input."""
    if args.curtois:
        violations = _check_curtois(args)
    else:
        if not args.agents or not args.shifts:
            raise InputError("--agents and --shifts are required (or --curtois INSTANCE for a benchmark roster)")
        config = read_rules(args.rules)
        agents = read_agents(args.agents)
        shifts = read_shifts(args.shifts, config.rules.interval_minutes)
        time_off = read_time_off(args.time_off, {a.agent_id for a in agents}) if args.time_off else ()
        training = read_training(args.training, agents, config.rules.interval_minutes) if args.training else ()
        frame = read_roster(args.roster)
        _check_agents_known(frame, {a.agent_id for a in agents}, args.roster, args.agents)
        violations = check_roster(frame, agents, shifts, time_off, config, training=training)
    for v in violations:
        print(f"{v.rule}\t{v.agent_id}\t{v.day or ''}\t{v.message}")
    print(f"check-roster: {len(violations)} violation(s) in {args.roster}", file=sys.stderr)
    return 1 if violations else 0


def _check_curtois(args: argparse.Namespace) -> list[Violation]:
    """A benchmark roster (employee, day, shift) checked by the roster checker against the mapped instance."""
    ci = read_curtois(args.curtois)
    instance, config = to_engine(ci)
    frame = segments_of(ci, read_curtois_roster(args.roster, ci))
    if frame.empty:
        return []
    return check_roster(
        frame,
        instance.agents,
        instance.shifts,
        instance.time_off,
        config,
        first_day=instance.start,
        n_days=instance.days,
    )


def _check_agents_known(frame: pd.DataFrame, known: set[str], roster: str, agents_file: str) -> None:
    """A roster row naming an agent missing from the agents file is an input error (exit 2), not a violation."""
    unknown = ~frame["agent_id"].isin(known)
    if unknown.any():
        i = int(np.flatnonzero(unknown.to_numpy())[0])
        raise InputError(
            f'unknown agent "{frame["agent_id"].iat[i]}": not in the agents file {agents_file}',
            file=roster,
            row=i + FIRST_DATA_ROW,
            column="agent_id",
        )
