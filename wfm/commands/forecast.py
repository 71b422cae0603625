"""`wfm forecast`: forecast volume (with bounds) and AHT per queue and interval from a history CSV."""

from __future__ import annotations

import argparse
import sys
from datetime import date

import pandas as pd

from forecasting.events import EventCalendar, check_holiday_spec, read_events, site_holidays
from forecasting.history import read_history
from forecasting.models import ALIASES, AUTO_ALIASES
from forecasting.pipeline import ForecastRun, build_forecast
from wfm.engines import add_engine_options, check_engine_options, open_engine
from wfm.errors import InputError
from wfm.limits import MAX_FORECAST_DAYS
from wfm.outputs import write_json, write_table

ORDER = 20


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `forecast` subcommand."""
    p = subparsers.add_parser("forecast", help="forecast volume and AHT per queue and interval")
    p.add_argument("--history", required=True, help="history CSV (queue, interval_start, offered[, aht_seconds])")
    p.add_argument("--start", required=True, help="first forecast day, YYYY-MM-DD")
    p.add_argument("--days", required=True, type=int, help="number of days to forecast")
    p.add_argument("--out", required=True, help="forecast CSV to write")
    p.add_argument("--backtest", help="write the backtest report (JSON) here")
    p.add_argument(
        "--events", help="events CSV: event, start, end, kind (promotion|holiday|returns|closed|half_day)[, uplift]"
    )
    p.add_argument(
        "--holidays", help="site holiday calendars, comma-separated: country codes (CN, IL, US…) and markets (NYSE)"
    )
    p.add_argument(
        "--model",
        default="auto",
        help=f"auto (lowest backtest WAPE of {', '.join(AUTO_ALIASES)}) or one of: {', '.join(ALIASES)}",
    )
    p.add_argument("--aht-seconds", type=float, help="AHT to use where the history has none")
    add_engine_options(p, "queues' fits, forecasts and backtests")
    p.set_defaults(func=run)


def _start_day(text: str) -> pd.Timestamp:
    """The --start option as a day."""
    try:
        return pd.Timestamp(date.fromisoformat(text.strip()))
    except ValueError:
        raise InputError(f'--start "{text}" is not a date; expected YYYY-MM-DD') from None


def _calendar(args: argparse.Namespace, history: pd.DataFrame, start: pd.Timestamp, days: int) -> EventCalendar:
    """Events from --events plus the --holidays site calendar over the history and forecast years."""
    calendar = read_events(args.events) if args.events else EventCalendar()
    if args.holidays:
        check_holiday_spec(args.holidays)
        first = pd.to_datetime(history["interval_start"]).min().year
        last = (start + pd.Timedelta(days=days)).year
        calendar = calendar + site_holidays(args.holidays, range(first - 1, last + 2))
    return calendar


def run(args: argparse.Namespace) -> int:
    """Read, forecast, then write the forecast (and report); nothing is written if the input is bad."""
    if args.days < 1 or args.days > MAX_FORECAST_DAYS:
        raise InputError(f"--days {args.days} is out of range; expected 1 to {MAX_FORECAST_DAYS}")
    if args.model != "auto" and args.model not in ALIASES:
        raise InputError(f'--model "{args.model}" is unknown; expected auto or one of {", ".join(ALIASES)}')
    if args.aht_seconds is not None and not args.aht_seconds > 0:
        raise InputError(f"--aht-seconds {args.aht_seconds} must be positive")
    check_engine_options(args.engine, args.address, args.workers)
    start = _start_day(args.start)
    history = read_history(args.history)
    if "aht_seconds" not in history.columns and args.aht_seconds is None:
        raise InputError("the history has no aht_seconds column; pass --aht-seconds", file=args.history)
    calendar = _calendar(args, history, start, args.days)
    if not (pd.to_datetime(history["interval_start"]) < start).any():
        raise InputError(f"the history has no data before --start {start.date()}", file=args.history)

    def progress(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    options = {
        "model": args.model,
        "calendar": calendar,
        "backtest": bool(args.backtest),
        "aht_seconds": args.aht_seconds,
        "progress": progress,
    }
    if args.engine == "local":
        result = build_forecast(history, start, args.days, **options)
    else:  # the same result, the queues in batches on the engine's workers (docs/scale.md)
        from forecasting.engines import build_forecast_on

        with open_engine(args.engine, args.address, args.workers) as engine:
            result = build_forecast_on(engine, history, start, args.days, **options)
    if result.frame["aht_seconds"].isna().any():
        raise InputError("some queues have no AHT in the history; pass --aht-seconds", file=args.history)
    write_table(result.frame, args.out, date_format="%Y-%m-%d %H:%M:%S")
    if args.backtest:
        write_json(_backtest_report(result), args.backtest)
    for warning in result.warnings:
        print(f"wfm: warning: {warning}", file=sys.stderr)
    print(f"wrote {len(result.frame)} rows ({result.model}) to {args.out}", file=sys.stderr)
    return 0


def _backtest_report(result: ForecastRun) -> dict:
    """The backtest report, or why there is none (a history too short to hold out any week)."""
    if result.backtest is not None:
        return result.backtest.to_dict()
    return {"backtest": None, "model": result.model, "warnings": list(result.warnings)}
