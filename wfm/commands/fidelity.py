"""`wfm fidelity`: how well Erlang C, Erlang A and the calibrated model predicted a contact log's real service."""

from __future__ import annotations

import argparse
import sys
from datetime import time

import pandas as pd

from forecasting.contacts import read_contacts
from forecasting.csv_input import read_table, text_column, timestamps
from wfm.csvio import write_csv
from wfm.errors import InputError
from wfm.outputs import write_json
from wfm.staffing.calibrated import save_parameter_set
from wfm.staffing.fidelity import EXTRA_COLUMNS, IDLE_GAP_MINUTES, INTERVAL_COLUMNS, Scope, run_fidelity

ORDER = 35
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `fidelity` subcommand."""
    p = subparsers.add_parser("fidelity", help="staffing models against what really happened in a contact log")
    p.add_argument(
        "--contacts",
        required=True,
        help="per-contact log CSV: queue, arrival_ts, outcome, wait_seconds, handle_seconds[, agent_id, priority]",
    )
    p.add_argument("--interval-minutes", type=int, default=30)
    p.add_argument("--answer-seconds", type=float, default=20.0, help="service-level answer time")
    p.add_argument("--train-until", required=True, help="last date (inclusive) the calibrated model learns from")
    p.add_argument("--out", required=True, help="intervals CSV to write (one row per interval and model)")
    p.add_argument("--report", help="JSON report to write: MAE and bias per model, train/test, occupancy band")
    p.add_argument("--params-out", help="JSON of the learned parameters, for wfm requirements --calibration")
    p.add_argument(
        "--idle-gap-minutes", type=float, default=IDLE_GAP_MINUTES, help="idle time still counted as present"
    )
    p.add_argument("--min-offered", type=int, default=20, help="score only intervals with at least this many offered")
    p.add_argument(
        "--weekdays", default="mon,tue,wed,thu,fri,sat,sun", help="scored weekdays, e.g. sun,mon,tue,wed,thu"
    )
    p.add_argument("--hours", default="00:00-24:00", help="scored hours, e.g. 07:00-24:00")
    p.set_defaults(func=run)


def _scope(args: argparse.Namespace) -> Scope:
    """The scored intervals from --min-offered, --weekdays and --hours."""
    days = [d.strip().lower()[:3] for d in args.weekdays.split(",") if d.strip()]
    if not days or any(d not in DAY_NAMES for d in days):
        raise InputError(f'--weekdays "{args.weekdays}": expected names such as sun,mon,tue')
    try:
        start, end = (part.strip() for part in args.hours.split("-"))
        open_time = time.fromisoformat(start)
        close_time = None if end == "24:00" else time.fromisoformat(end)
    except ValueError:
        raise InputError(f'--hours "{args.hours}": expected HH:MM-HH:MM, e.g. 07:00-24:00') from None
    if args.min_offered < 1:
        raise InputError("--min-offered: expected a whole number ≥ 1")
    return Scope(args.min_offered, tuple(DAY_NAMES.index(d) for d in days), open_time, close_time)


def read_log(path: str) -> pd.DataFrame:
    """The contact log as read_contacts returns it, plus its optional `priority` column (in the same order)."""
    contacts = read_contacts(path)
    table = read_table(path, required=("queue", "arrival_ts", "outcome"), optional=("priority",))
    if not table.has("priority"):
        return contacts
    frame = pd.DataFrame(
        {
            "queue": text_column(table, "queue"),
            "arrival_ts": timestamps(table, "arrival_ts"),
            "priority": text_column(table, "priority"),
        }
    )
    ordered = frame.sort_values(["queue", "arrival_ts"], kind="stable").reset_index(drop=True)
    return contacts.assign(priority=ordered["priority"].to_numpy())


def run(args: argparse.Namespace) -> int:
    """Read and check, compute, then write (nothing is written when an input is rejected)."""
    try:
        train_until = pd.Timestamp(args.train_until)
    except ValueError:
        raise InputError(f'--train-until "{args.train_until}": expected a date such as 1999-02-28') from None
    scope = _scope(args)
    contacts = read_log(args.contacts)
    result = run_fidelity(
        contacts,
        interval_minutes=args.interval_minutes,
        answer_seconds=args.answer_seconds,
        train_until=train_until,
        scope=scope,
        idle_gap_minutes=args.idle_gap_minutes,
        progress=lambda message: print(message, file=sys.stderr),
    )
    write_csv(result.intervals[[*INTERVAL_COLUMNS, *EXTRA_COLUMNS]], args.out)
    if args.report:
        write_json(result.report, args.report)
    if args.params_out:
        save_parameter_set(result.parameters, args.params_out)
    for model, splits in result.report["models"].items():
        parts = [
            f"{split} SL MAE {e['service_level']['mae']:.1f} (bias {e['service_level']['bias']:+.1f}), "
            f"abandonment MAE {e['abandon_rate']['mae']:.1f}"
            for split, e in sorted(splits.items(), key=lambda item: item[0] != "train")
        ]
        print(f"{model:11s} " + " | ".join(parts), file=sys.stderr)
    return 0
