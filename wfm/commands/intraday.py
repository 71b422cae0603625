"""`wfm intraday`: reforecast the rest of today from its actuals, the gap against the roster, suggested actions."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime

import pandas as pd

from forecasting.events import EventCalendar, check_holiday_spec, read_events, site_holidays
from forecasting.history import read_history
from forecasting.models import ALIASES
from wfm.csvio import read_table
from wfm.errors import InputError
from wfm.intraday.actions import Action, Costs, actions_frame, apply_action
from wfm.intraday.session import (
    DEFAULT_LEARN_DAYS,
    RosterContext,
    check_actuals,
    check_roster_day,
    day_of,
    gap_and_actions,
    prepare_reforecast,
    roster_text,
)
from wfm.outputs import write_table
from wfm.roster.checker import ROSTER_COLUMNS
from wfm.staffing.requirements import read_forecast

ORDER = 42
OUTPUTS = ("out", "actions", "reforecast", "roster_out")
MAX_LEARN_DAYS = 120
MAX_HOURLY_COST = 100_000.0
MAX_PREMIUM = 10.0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `intraday` subcommand."""
    p = subparsers.add_parser("intraday", help="reforecast the rest of today, the staffing gap and actions to close it")
    p.add_argument("--history", required=True, help="history CSV before today (queue, interval_start, offered[, aht])")
    p.add_argument("--actuals", required=True, help="today's actuals so far, in the history's columns")
    p.add_argument("--until", required=True, help='the cut-off, "YYYY-MM-DD HH:MM": intervals ended by then are known')
    p.add_argument("--roster", required=True, help="the published roster CSV (agent_id, name, date, start, end, …)")
    p.add_argument("--agents", required=True, help="agents CSV")
    p.add_argument("--queues", required=True, help="queue settings CSV")
    p.add_argument("--out", required=True, help="gap CSV to write (rest-of-day requirements, agents, service level)")
    p.add_argument("--actions", help="suggested actions CSV to write (needs --shifts)")
    p.add_argument("--reforecast", help="CSV to write: the whole day's actual, forecast and reforecast per interval")
    p.add_argument("--shifts", help="shift templates CSV (needed for --actions)")
    p.add_argument("--rules", help="rules.toml (grid, rest, weekly hours, break rules and cap)")
    p.add_argument("--time-off", help="approved time off CSV: those agents are absent from the phones")
    p.add_argument("--training", help="training requirements CSV (keeps moved sessions in their windows)")
    p.add_argument("--forecast", help="today's day-ahead forecast CSV (default: made by --model from the history)")
    p.add_argument("--events", help="events CSV for the forecasts")
    p.add_argument("--holidays", help="site holiday calendar for the forecasts (CN, IL, NYSE…)")
    p.add_argument("--model", default="calendar", help=f"forecast model, one of: {', '.join(ALIASES)}")
    p.add_argument(
        "--learn-days", type=int, default=DEFAULT_LEARN_DAYS, help="past days the reforecast weights learn from"
    )
    p.add_argument("--hourly-cost", type=float, default=Costs.hourly, help="cost of an agent-hour (default 30)")
    p.add_argument("--overtime-premium", type=float, default=Costs.overtime_premium, help="overtime premium (0.5)")
    p.add_argument(
        "--apply",
        type=int,
        metavar="K",
        help="apply suggested action K (its action_id): needs --roster-out and/or --save-as",
    )
    p.add_argument("--roster-out", help="with --apply: the roster CSV with the action applied")
    p.add_argument(
        "--save-as",
        metavar="NAME",
        help="with --apply: save the new roster as a version of roster NAME "
        "in the database (refused when --expected-version is not its newest)",
    )
    p.add_argument("--expected-version", type=int, help="with --save-as: the version the roster file is (0: new)")
    p.add_argument("--url", help="with --save-as: SQLAlchemy database URL (default: $WFM_DATABASE_URL, else wfm.db)")
    p.add_argument("--user", help="with --save-as: who saves, for the audit log")
    p.set_defaults(func=run)


def parse_until(text: str) -> pd.Timestamp:
    """The --until value: a date and a time of day."""
    try:
        moment = datetime.strptime(text.strip(), "%Y-%m-%d %H:%M")
    except ValueError:
        raise InputError(
            f'--until "{text}" is not a moment: expected "YYYY-MM-DD HH:MM", e.g. "2026-11-11 12:00"'
        ) from None
    return pd.Timestamp(moment)


def _check_options(args: argparse.Namespace) -> None:
    """Option values that cannot run."""
    if args.model not in ALIASES:
        raise InputError(f'--model "{args.model}" is unknown; expected one of {", ".join(ALIASES)}')
    if not 0 <= args.learn_days <= MAX_LEARN_DAYS:
        raise InputError(f"--learn-days {args.learn_days}: expected 0 to {MAX_LEARN_DAYS}")
    if not 0 <= args.hourly_cost <= MAX_HOURLY_COST:
        raise InputError(f"--hourly-cost {args.hourly_cost:g}: expected 0 to {MAX_HOURLY_COST:g}")
    if not 0 <= args.overtime_premium <= MAX_PREMIUM:
        raise InputError(f"--overtime-premium {args.overtime_premium:g}: expected 0 to {MAX_PREMIUM:g}")
    if (args.actions or args.apply is not None) and not args.shifts:
        option = "--actions" if args.actions else "--apply"
        raise InputError(f"{option} needs --shifts: every suggestion is checked against the shift templates")
    _check_apply(args)


def _check_apply(args: argparse.Namespace) -> None:
    """The --apply options go together."""
    if args.apply is None:
        for option in ("roster_out", "save_as", "expected_version"):
            if getattr(args, option) is not None:
                raise InputError(f"--{option.replace('_', '-')} needs --apply K (the suggested action to apply)")
        return
    if args.apply < 1:
        raise InputError(f"--apply {args.apply}: expected an action number from 1 (the action_id of the list)")
    if not args.roster_out and not args.save_as:
        raise InputError("--apply needs --roster-out FILE and/or --save-as NAME: where the new roster goes")
    if args.save_as and args.expected_version is None:
        raise InputError("--save-as needs --expected-version: the roster version the --roster file is (0: new)")


def _calendar(args: argparse.Namespace, history: pd.DataFrame, day: pd.Timestamp) -> EventCalendar:
    """Events from --events plus the --holidays calendar over the history's years."""
    calendar = read_events(args.events) if args.events else EventCalendar()
    if args.holidays:
        check_holiday_spec(args.holidays)
        first = pd.to_datetime(history["interval_start"]).min().year
        calendar = calendar + site_holidays(args.holidays, range(first - 1, day.year + 2))
    return calendar


def run(args: argparse.Namespace) -> int:
    """Read and check everything, reforecast, compute the gap and actions, then write (nothing on bad input)."""
    _check_options(args)
    until = parse_until(args.until)
    day = day_of(until)
    context = RosterContext.from_files(args.agents, args.queues, args.shifts, args.rules, args.time_off, args.training)
    roster = roster_text(read_table(args.roster, ROSTER_COLUMNS), args.roster)
    check_roster_day(roster, context, day, args.roster)
    history = read_history(args.history)
    actuals = check_actuals(read_history(args.actuals), until, args.actuals)
    forecast = read_forecast(args.forecast) if args.forecast else None
    unknown = sorted(set(history["queue"]) - set(context.queues))
    if unknown:
        raise InputError(f'queue "{unknown[0]}" of the history has no settings in the queues file', file=args.queues)

    def progress(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    refc = prepare_reforecast(
        history,
        actuals,
        until,
        model=args.model,
        calendar=_calendar(args, history, day),
        forecast=forecast,
        learn_days=args.learn_days,
        progress=progress,
    )
    progress("gap against the roster" + (" and suggested actions" if args.actions else ""))
    result = gap_and_actions(
        refc,
        roster,
        context,
        costs=Costs(args.hourly_cost, args.overtime_premium),
        with_actions=bool(args.actions) or args.apply is not None,
    )
    applied = _applied(args, result)
    write_table(result.gap, args.out, date_format="%Y-%m-%d %H:%M")
    if args.actions:
        write_table(actions_frame(result.actions), args.actions)
    if args.reforecast:
        write_table(result.reforecast, args.reforecast, date_format="%Y-%m-%d %H:%M")
    short = float((-result.gap["gap"]).clip(lower=0).sum())
    print(
        f"wrote {len(result.gap)} rest-of-day intervals to {args.out} ({short:g} agent-intervals short)"
        + (f", {len(result.actions)} actions to {args.actions}" if args.actions else ""),
        file=sys.stderr,
    )
    for action in result.actions:
        print(f"  {action.summary()}", file=sys.stderr)
    for note in result.notes:
        print(f"  note: {note}", file=sys.stderr)
    if applied is not None:
        _write_applied(args, *applied)
    return 0


def _applied(args: argparse.Namespace, result) -> tuple[Action, pd.DataFrame] | None:
    """The action --apply names and the roster with it applied (None without --apply)."""
    if args.apply is None:
        return None
    if args.apply > len(result.actions):
        raise InputError(f"--apply {args.apply}: only {len(result.actions)} action(s) were suggested; nothing written")
    action = result.actions[args.apply - 1]
    return action, apply_action(result.roster, action)


def _write_applied(args: argparse.Namespace, action: Action, roster: pd.DataFrame) -> None:
    """The new roster to --roster-out and, with --save-as, as a new version through the store's save (a stale
    --expected-version is refused and nothing is written)."""
    if args.roster_out:
        write_table(roster, args.roster_out)
    print(f"applied #{action.action_id}: {action.description}", file=sys.stderr)
    if not args.save_as:
        return
    from sqlalchemy.orm import Session

    from wfm.store.engine import make_engine
    from wfm.store.migrate import current_revision, head_revision
    from wfm.store.rosters import save_roster

    engine = make_engine(args.url)
    try:
        if current_revision(engine) != head_revision():
            raise InputError("the database schema is not at the newest revision: run `wfm db upgrade`")
        with Session(engine) as session, session.begin():
            info = save_roster(
                session,
                args.save_as,
                roster,
                expected_version=args.expected_version,
                user=args.user,
                note=f"intraday {action.kind}: {action.description}",
            )
    finally:
        engine.dispose()
    print(f'saved roster "{info.name}" version {info.version} (draft)', file=sys.stderr)
