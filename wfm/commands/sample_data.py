"""`wfm sample-data`: write the bundled, seeded sample data set (history, events, queues, staff, rules)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ORDER = 10
OUTPUTS: tuple[str, ...] = ()  # --out is the folder the sample is written into, not a file


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the sample-data subcommand."""
    p = subparsers.add_parser(
        "sample-data",
        help="write the seeded sample data set (two years of history, queues, agents, shifts, rules)",
        description="Write the sample e-commerce contact centre: history.csv.gz, events.csv, queues.csv, "
        "agents.csv, shifts.csv, time_off.csv and rules.toml. The same seed gives the same bytes.",
    )
    p.add_argument("--out", type=Path, default=Path("data"), help="folder to write into (default: data/)")
    p.add_argument("--seed", type=int, default=None, help="random seed (default: the sample's own seed)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Generate and write the files; prints where they went."""
    from wfm.errors import InputError
    from wfm.sample import DEFAULT_SEED, write_sample_data

    seed = DEFAULT_SEED if args.seed is None else args.seed
    if seed < 0:
        raise InputError(f"--seed {seed}: expected a whole number ≥ 0")
    if args.out.exists() and not args.out.is_dir():
        raise InputError("--out must be a folder, not a file", file=args.out)
    print(f"writing the sample data set (seed {seed}) to {args.out}/ ...", file=sys.stderr)
    try:
        written = write_sample_data(args.out, seed=seed)
    except OSError as exc:
        raise InputError(f"cannot write there ({exc.strerror or exc})", file=args.out) from None
    for path in written:
        print(f"{path}  {path.stat().st_size:,} bytes")
    return 0
