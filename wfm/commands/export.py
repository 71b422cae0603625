"""`wfm export`: a roster as segments, an agent × day grid, or coverage per interval, as CSV for Excel."""

from __future__ import annotations

import argparse
import sys

from wfm.errors import InputError
from wfm.export import (
    KINDS,
    coverage_table,
    grid_table,
    read_requirements_table,
    read_roster_segments,
    segments_table,
    write_excel_csv,
)

ORDER = 60


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `export` subcommand."""
    p = subparsers.add_parser("export", help="export a roster as segments, an agent × day grid, or coverage")
    p.add_argument("--roster", required=True, help="roster CSV: agent_id, name, date, start, end, activity, queue")
    p.add_argument("--kind", required=True, choices=KINDS, help="what to write")
    p.add_argument("--requirements", help="requirements CSV (needed for --kind coverage)")
    p.add_argument("--interval-minutes", type=int, help="coverage interval (default: detected from the requirements)")
    p.add_argument("--off-label", default="off", help='grid cell text for a day off (default "off", e.g. 休)')
    p.add_argument("--out", required=True, help="CSV file to write (UTF-8 with BOM)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Read and check everything, then write the one output file (nothing is written on bad input)."""
    if args.kind == "coverage" and not args.requirements:
        raise InputError("--kind coverage needs --requirements R.csv (required agents per queue and interval)")
    segments = read_roster_segments(args.roster)
    if args.kind == "segments":
        table = segments_table(segments)
    elif args.kind == "grid":
        table = grid_table(segments, off_label=args.off_label)
    else:
        requirements = read_requirements_table(args.requirements)
        table = coverage_table(segments, requirements, interval_minutes=args.interval_minutes)
    write_excel_csv(table, args.out)
    print(f"wrote {len(table)} rows ({args.kind}) to {args.out}", file=sys.stderr)
    return 0
