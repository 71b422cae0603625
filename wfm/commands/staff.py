"""`wfm staff`: agents needed for one interval, with the service they give."""

from __future__ import annotations

import argparse
import json
import math

import numpy as np

from wfm.errors import InputError
from wfm.limits import (
    MAX_AHT_SECONDS,
    MAX_ANSWER_SECONDS,
    MAX_CHAT_AHT_FACTOR,
    MAX_CONCURRENCY,
    MAX_CONTACTS_PER_INTERVAL,
    MAX_INTERVAL_MINUTES,
    MAX_PATIENCE_SECONDS,
    MAX_TRAFFIC_ERLANGS,
    MIN_CHAT_AHT_FACTOR,
    MIN_INTERVAL_MINUTES,
)
from wfm.staffing.chat import required_agents_chat
from wfm.staffing.queues import default_aht_factors
from wfm.staffing.required import required_agents_erlang_a, required_agents_erlang_c
from wfm.staffing.targets import ServiceTargets, scheduled_from_net

ORDER = 20


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `staff` subcommand."""
    p = subparsers.add_parser("staff", help="agents needed for one interval (Erlang C, Erlang A or chat)")
    p.add_argument("--volume", type=float, required=True, help="contacts offered in the interval")
    p.add_argument("--interval-minutes", type=float, required=True)
    p.add_argument("--aht-seconds", type=float, required=True, help="average handle time")
    p.add_argument("--service-level", type=float, default=0.8, help="share answered within --answer-seconds")
    p.add_argument("--answer-seconds", type=float, default=20.0)
    p.add_argument("--asa-seconds", type=float, help="ceiling on the average speed of answer")
    p.add_argument("--max-occupancy", type=float, help="cap on agent occupancy, e.g. 0.85")
    p.add_argument("--shrinkage", type=float, default=0.0, help="share of paid time not on the queue")
    p.add_argument("--patience-seconds", type=float, help="callers' mean patience: selects Erlang A")
    p.add_argument("--concurrency", type=int, default=1, help="chats an agent holds at once: selects chat")
    p.add_argument("--aht-factors", help="chat AHT multipliers by chats held, e.g. 1;1.25;1.6")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run)


def _check(args: argparse.Namespace) -> ServiceTargets:
    """Validate the numbers and build the targets; bad values raise InputError naming the option."""
    rules = [
        (0 <= args.volume <= MAX_CONTACTS_PER_INTERVAL, "--volume", f"expected 0 to {MAX_CONTACTS_PER_INTERVAL:,}"),
        (
            MIN_INTERVAL_MINUTES <= args.interval_minutes <= MAX_INTERVAL_MINUTES,
            "--interval-minutes",
            f"expected {MIN_INTERVAL_MINUTES} to {MAX_INTERVAL_MINUTES} minutes",
        ),
        (
            0 < args.aht_seconds <= MAX_AHT_SECONDS,
            "--aht-seconds",
            f"expected a number > 0 and <= {MAX_AHT_SECONDS:,g}",
        ),
        (0 <= args.service_level < 1, "--service-level", "expected a share in [0, 1), e.g. 0.8"),
        (
            0 <= args.answer_seconds <= MAX_ANSWER_SECONDS,
            "--answer-seconds",
            f"expected 0 to {MAX_ANSWER_SECONDS:,g} seconds",
        ),
        (
            args.asa_seconds is None or 0 < args.asa_seconds <= MAX_ANSWER_SECONDS,
            "--asa-seconds",
            f"expected a number > 0 and <= {MAX_ANSWER_SECONDS:,g}",
        ),
        (
            args.max_occupancy is None or 0 < args.max_occupancy <= 1,
            "--max-occupancy",
            "expected a share in (0, 1]",
        ),
        (0 <= args.shrinkage < 1, "--shrinkage", "expected a share in [0, 1)"),
        (
            args.patience_seconds is None or 0 < args.patience_seconds <= MAX_PATIENCE_SECONDS,
            "--patience-seconds",
            f"expected a number > 0 and <= {MAX_PATIENCE_SECONDS:,g}",
        ),
        (
            1 <= args.concurrency <= MAX_CONCURRENCY,
            "--concurrency",
            f"expected a whole number from 1 to {MAX_CONCURRENCY}",
        ),
    ]
    for ok, option, expected in rules:
        value = getattr(args, option[2:].replace("-", "_"))
        if not ok or (isinstance(value, float) and not math.isfinite(value)):
            raise InputError(f"{option}: {value!r} — {expected}")
    _check_traffic(args)
    return ServiceTargets(args.service_level, args.answer_seconds, args.asa_seconds, args.max_occupancy)


def _check_traffic(args: argparse.Namespace) -> None:
    """The offered load --volume × --aht-seconds / interval at most MAX_TRAFFIC_ERLANGS."""
    traffic = args.volume * args.aht_seconds / (args.interval_minutes * 60.0)
    if traffic > MAX_TRAFFIC_ERLANGS:
        raise InputError(
            f"--volume × --aht-seconds / --interval-minutes is {traffic:,.0f} Erlangs, above the ceiling "
            f"{MAX_TRAFFIC_ERLANGS:,g} Erlangs (agents busy at once in one queue)"
        )


def _factors(args: argparse.Namespace) -> tuple[float, ...]:
    """Chat AHT multipliers from the option, or the default slow-down."""
    if not args.aht_factors:
        return default_aht_factors(args.concurrency)
    try:
        factors = tuple(float(x) for x in args.aht_factors.split(";"))
    except ValueError:
        raise InputError(f'--aht-factors: "{args.aht_factors}" — expected numbers separated by ";"') from None
    if len(factors) != args.concurrency or not all(MIN_CHAT_AHT_FACTOR <= f <= MAX_CHAT_AHT_FACTOR for f in factors):
        raise InputError(
            f"--aht-factors: expected {args.concurrency} multipliers between {MIN_CHAT_AHT_FACTOR:g} and "
            f"{MAX_CHAT_AHT_FACTOR:g}, one per chat held"
        )
    return factors


def run(args: argparse.Namespace) -> int:
    """Compute and print the staffing for one interval."""
    targets = _check(args)
    seconds = args.interval_minutes * 60.0
    if args.concurrency > 1 or args.aht_factors:
        model = "chat"
        result = required_agents_chat(args.volume, seconds, args.aht_seconds, _factors(args), targets)
    elif args.patience_seconds is not None:
        model = "erlang-a"
        result = required_agents_erlang_a(args.volume, seconds, args.aht_seconds, args.patience_seconds, targets)
    else:
        model = "erlang-c"
        result = required_agents_erlang_c(args.volume, seconds, args.aht_seconds, targets)
    m = result.metrics
    net = int(result.agents[0])

    def value(x: np.ndarray) -> float | None:
        v = float(x[0])
        return round(v, 10) if math.isfinite(v) else None

    answer = {
        "model": model,
        "traffic_erlangs": round(args.volume * args.aht_seconds / seconds, 6),
        "agents": net,
        "scheduled": int(scheduled_from_net(net, args.shrinkage)),
        "service_level": value(m.service_level),
        "asa_seconds": value(m.asa_seconds),
        "occupancy": value(m.occupancy),
        "p_wait": value(m.p_wait),
    }
    if model == "erlang-a":
        answer["p_abandon"] = value(m.p_abandon)
    if args.json:
        print(json.dumps(answer))
    else:
        width = max(len(k) for k in answer)
        for key, v in answer.items():
            print(f"{key:<{width}}  {v}")
    return 0
