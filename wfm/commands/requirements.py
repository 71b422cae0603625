"""`wfm requirements`: agents needed per queue and interval from a forecast and the queue settings."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace

from wfm.csvio import write_csv
from wfm.staffing.calibrated import load_parameter_set
from wfm.staffing.queues import MODELS, read_queues
from wfm.staffing.requirements import build_requirements, read_forecast

ORDER = 30


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `requirements` subcommand."""
    p = subparsers.add_parser("requirements", help="agents needed per queue and interval from a forecast")
    p.add_argument("--forecast", required=True, help="forecast CSV: queue, interval_start, volume, aht_seconds")
    p.add_argument("--queues", required=True, help="queue settings CSV")
    p.add_argument("--out", required=True, help="requirements CSV to write")
    p.add_argument("--model", choices=MODELS, help="override the voice queues' staffing model")
    p.add_argument(
        "--calibration", help="learned parameters (wfm fidelity --params-out): those queues use the calibrated model"
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Read, compute, then write (nothing is written when an input is rejected)."""
    queues = read_queues(args.queues)
    if args.calibration:
        learned = load_parameter_set(args.calibration)
        queues = {
            name: replace(q, model="calibrated", calibration=learned[name]) if name in learned else q
            for name, q in queues.items()
        }
    forecast = read_forecast(args.forecast)
    table = build_requirements(forecast, queues, model=args.model, source=args.forecast)
    write_csv(table, args.out)
    print(
        f"wrote {len(table)} rows for {table['queue'].nunique()} queues to {args.out} "
        f"(peak {int(table['required_agents'].max()) if len(table) else 0} agents scheduled in one interval)",
        file=sys.stderr,
    )
    return 0
