"""`wfm scenario`: run what-if scenarios on a base plan and compare them side by side per day or week."""

from __future__ import annotations

import argparse
import sys

import pandas as pd

from forecasting.csv_input import read_table
from wfm.csvio import write_csv
from wfm.export import read_roster_segments
from wfm.scenarios import (
    base_scheduled_from_requirements,
    base_scheduled_from_roster,
    compare,
    read_scenarios,
    run_scenario,
)
from wfm.staffing.queues import read_queues
from wfm.staffing.requirements import build_requirements, read_forecast

ORDER = 55


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `scenario` subcommand."""
    p = subparsers.add_parser("scenario", help="run what-if scenarios (promotion peaks, extra staff) and compare")
    p.add_argument("--forecast", required=True, help="base forecast CSV")
    p.add_argument("--queues", required=True, help="queue settings CSV")
    p.add_argument("--scenarios", required=True, help="scenarios TOML ([[scenario]] tables, optional [costs])")
    p.add_argument("--roster", help="roster CSV of the base plan (default: exactly the base requirements scheduled)")
    p.add_argument(
        "--agents", help="agents CSV (its contract column prices the roster's hours by [costs.contract_hourly])"
    )
    p.add_argument("--by", choices=("day", "week"), default="day", help="comparison period")
    p.add_argument("--out", required=True, help="comparison CSV to write")
    p.add_argument("--details", help="optional CSV with every queue and interval of every scenario")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Read everything first, compute every scenario, then write (nothing is written on bad input)."""
    queues = read_queues(args.queues)
    forecast = read_forecast(args.forecast)
    scenarios, costs = read_scenarios(args.scenarios, queues)
    base_requirements = build_requirements(forecast, queues, source=args.forecast)
    if args.roster:
        segments = read_roster_segments(args.roster)
        contracts = {}
        if args.agents:
            agents = read_table(args.agents, required=("agent_id",), optional=("contract",)).frame
            if "contract" in agents.columns:
                contracts = dict(zip(agents["agent_id"].str.strip(), agents["contract"].str.strip(), strict=True))
        base = base_scheduled_from_roster(segments, base_requirements, contracts, costs)
    else:
        base = base_scheduled_from_requirements(base_requirements)
    results = []
    for i, scenario in enumerate(scenarios, start=1):
        print(f"[{i}/{len(scenarios)}] scenario {scenario.name} …", file=sys.stderr)
        results.append(run_scenario(forecast, queues, base, scenario))
    table = compare(results, costs, by=args.by)
    write_csv(table, args.out)
    if args.details:
        write_csv(pd.concat(results, ignore_index=True), args.details)
    summary = table.groupby("scenario", sort=False).agg(
        required_hours=("required_hours", "sum"), understaffed=("understaffed_intervals", "sum"), cost=("cost", "sum")
    )
    for name, row in summary.iterrows():
        print(
            f"{name}: {row.required_hours:,.0f} required agent-hours, {row.understaffed:.0f} understaffed "
            f"intervals, cost {row.cost:,.0f}",
            file=sys.stderr,
        )
    return 0
