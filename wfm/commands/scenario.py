"""`wfm scenario`: run what-if scenarios on a base plan and compare them side by side per day or week."""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from forecasting.csv_input import read_table
from wfm.csvio import write_csv
from wfm.errors import InputError
from wfm.export import read_roster_segments
from wfm.limits import MAX_TIME_LIMIT_SECONDS
from wfm.roster.inputs import load_instance
from wfm.roster.outputs import roster_frame
from wfm.roster.solve import SolveSettings, solve_roster
from wfm.scenarios import (
    Costs,
    base_scheduled_from_requirements,
    base_scheduled_from_roster,
    check_scenario,
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
    p.add_argument(
        "--reroster",
        type=float,
        metavar="SECONDS",
        help="re-solve the roster for every scenario within this time limit (needs --agents, --shifts)",
    )
    p.add_argument("--shifts", help="shift templates CSV (with --reroster)")
    p.add_argument("--time-off", help="time off CSV (with --reroster)")
    p.add_argument("--rules", help="rules.toml (with --reroster)")
    p.add_argument("--by", choices=("day", "week"), default="day", help="comparison period")
    p.add_argument("--out", required=True, help="comparison CSV to write")
    p.add_argument("--details", help="optional CSV with every queue and interval of every scenario")
    p.set_defaults(func=run)


def _rosterer(args: argparse.Namespace, forecast: pd.DataFrame, costs: Costs) -> Callable[[pd.DataFrame], pd.DataFrame]:
    """A function that solves a roster for a scenario's requirements and returns its scheduled agents and rates."""
    if not 0 < args.reroster <= MAX_TIME_LIMIT_SECONDS or not args.agents or not args.shifts:
        raise InputError(
            f"--reroster needs a number of seconds above 0 and at most {MAX_TIME_LIMIT_SECONDS:,g}, "
            "--agents and --shifts"
        )
    first = forecast["interval_start"].min().date()
    days = min(42, (forecast["interval_start"].max().date() - first).days + 1)

    def solve(requirements: pd.DataFrame) -> pd.DataFrame:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "requirements.csv"
            write_csv(requirements, path)
            instance, config = load_instance(
                requirements=path,
                agents=args.agents,
                shifts=args.shifts,
                time_off=args.time_off,
                rules=args.rules,
                start=first,
                days=days,
            )
        solution = solve_roster(
            instance,
            config,
            SolveSettings(time_limit_seconds=args.reroster),
            progress=lambda line: print(f"  {line}", file=sys.stderr, flush=True),
        )
        frame = roster_frame(instance, solution.assignments)
        segments = frame.assign(start=pd.to_datetime(frame["start"]), end=pd.to_datetime(frame["end"]))
        contracts = {a.agent_id: "" for a in instance.agents} | _contracts(args.agents)
        return base_scheduled_from_roster(segments, requirements, contracts, costs)

    return solve


def _contracts(path: str | None) -> dict[str, str]:
    """agent_id → contract type from an agents CSV (empty without the file or the column)."""
    if not path:
        return {}
    agents = read_table(path, required=("agent_id",), optional=("contract",)).frame
    if "contract" not in agents.columns:
        return {}
    return dict(zip(agents["agent_id"].str.strip(), agents["contract"].str.strip(), strict=True))


def run(args: argparse.Namespace) -> int:
    """Read everything first, compute every scenario, then write (nothing is written on bad input)."""
    queues = read_queues(args.queues)
    forecast = read_forecast(args.forecast)
    scenarios, costs = read_scenarios(args.scenarios, queues)
    for scenario in scenarios:
        check_scenario(forecast, queues, scenario, source=args.forecast)
    base_requirements = build_requirements(forecast, queues, source=args.forecast)
    if args.roster:
        segments = read_roster_segments(args.roster)
        base = base_scheduled_from_roster(segments, base_requirements, _contracts(args.agents), costs)
    else:
        base = base_scheduled_from_requirements(base_requirements)
    if args.reroster is not None:
        base = _rosterer(args, forecast, costs)
    results = []
    for i, scenario in enumerate(scenarios, start=1):
        print(f"[{i}/{len(scenarios)}] scenario {scenario.name} …", file=sys.stderr)
        results.append(run_scenario(forecast, queues, base, scenario, source=args.forecast))
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
