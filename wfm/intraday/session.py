"""One intraday run: the day-ahead forecast, the reforecast from today's actuals, the rest-of-day gap against the
roster and the suggested actions (shared by `wfm intraday`, the Intraday page and bench/intraday.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from forecasting.events import EventCalendar
from forecasting.intraday import (
    IntradayWeights,
    day_ahead_forecasts,
    learn_weights,
    learning_days,
    reforecast,
    rest_of_day_forecast,
    with_actuals,
)
from forecasting.pipeline import build_forecast
from wfm.csvio import FIRST_DATA_ROW, read_table
from wfm.errors import InputError
from wfm.intraday.actions import DEFAULT_COSTS, Action, Costs, suggest_actions
from wfm.intraday.gap import rest_of_day_gap
from wfm.roster.checker import ROSTER_COLUMNS, parse_roster
from wfm.roster.domain import Agent, Config, ShiftTemplate, TimeOff
from wfm.roster.inputs import read_agents, read_rules, read_shifts, read_time_off
from wfm.roster.training import read_training
from wfm.staffing.queues import QueueSettings, read_queues

TIME_FORMAT = "%Y-%m-%d %H:%M"
DEFAULT_LEARN_DAYS = 20
Progress = Callable[[str], None]


@dataclass(frozen=True, eq=False)
class RosterContext:
    """The roster's reference data: agents, templates, time off, rules, training and queue settings."""

    agents: tuple[Agent, ...]
    shifts: tuple[ShiftTemplate, ...]
    time_off: tuple[TimeOff, ...]
    config: Config
    queues: dict[str, QueueSettings]
    training: tuple = ()

    @staticmethod
    def from_files(
        agents: str | Path,
        queues: str | Path,
        shifts: str | Path | None,
        rules: str | Path | None = None,
        time_off: str | Path | None = None,
        training: str | Path | None = None,
    ) -> RosterContext:
        """Read every reference file with the product's readers (InputError names file, row and column)."""
        config = read_rules(rules)
        agent_list = read_agents(agents)
        templates = read_shifts(shifts, config.rules.interval_minutes) if shifts else ()
        offs = read_time_off(time_off, {a.agent_id for a in agent_list}) if time_off else ()
        sessions = read_training(training, agent_list, config.rules.interval_minutes) if training else ()
        return RosterContext(agent_list, templates, offs, config, read_queues(queues), sessions)


@dataclass(frozen=True, eq=False)
class Reforecast:
    """The day's forecast next to its actuals and reforecast, and the weights learned for the cut-off."""

    until: pd.Timestamp
    frame: pd.DataFrame  # forecasting.intraday.REFORECAST_COLUMNS
    weights: IntradayWeights
    model: str


@dataclass(frozen=True, eq=False)
class IntradayResult:
    """Everything the CLI writes and the page shows."""

    reforecast: pd.DataFrame
    weights: IntradayWeights
    gap: pd.DataFrame
    actions: list[Action]
    notes: list[str] = field(default_factory=list)
    roster: pd.DataFrame | None = None  # the roster as text rows (export contract)


def day_of(until: pd.Timestamp) -> pd.Timestamp:
    """The day a cut-off belongs to."""
    return pd.Timestamp(until).normalize()


def check_actuals(actuals: pd.DataFrame, until: pd.Timestamp, source: str | Path = "actuals") -> pd.DataFrame:
    """The actuals of the cut-off's day whose intervals start before the cut-off; InputError for rows of another
    day (naming the first one's file row when the file is at hand) or when none is left."""
    until = pd.Timestamp(until)
    stamps = pd.to_datetime(actuals["interval_start"])
    other = stamps.dt.normalize() != day_of(until)
    if other.any():
        row = _file_row(source, lambda s: s.dt.normalize() != day_of(until))
        raise InputError(
            f"{stamps[other].iloc[0]:%Y-%m-%d %H:%M} is not on {until:%Y-%m-%d}, the day of --until: give only "
            "that day's actuals",
            file=source,
            row=row,
            column="interval_start",
        )
    kept = actuals[stamps < until]
    if kept.empty:
        raise InputError(f"no actuals before {until:%Y-%m-%d %H:%M} (--until)", file=source, column="interval_start")
    return kept.reset_index(drop=True)


def _file_row(source: str | Path, bad: Callable[[pd.Series], pd.Series]) -> int | None:
    """The spreadsheet row of the first bad timestamp in a CSV file (None when the source is not a file)."""
    path = Path(str(source))
    if not path.is_file():
        return None
    try:
        frame = read_table(path, ("interval_start",))
        stamps = pd.to_datetime(frame["interval_start"], errors="coerce")
    except (InputError, ValueError):
        return None
    hits = np.flatnonzero(bad(stamps).fillna(False).to_numpy())
    return int(hits[0]) + FIRST_DATA_ROW if hits.size else None


def prepare_reforecast(
    history: pd.DataFrame,
    actuals: pd.DataFrame,
    until: pd.Timestamp,
    *,
    model: str = "calendar",
    calendar: EventCalendar | None = None,
    forecast: pd.DataFrame | None = None,
    learn_days: int = DEFAULT_LEARN_DAYS,
    progress: Progress | None = None,
) -> Reforecast:
    """The day-ahead forecast of the cut-off's day (given, or made by `model` from the history before the day),
    the weights learned from the `learn_days` days before it and the reforecast from the actuals so far."""
    until = pd.Timestamp(until)
    day = day_of(until)
    stamps = pd.to_datetime(history["interval_start"])
    past = history[stamps < day]
    if past.empty:
        raise InputError(f"the history has no data before {day:%Y-%m-%d}", file=history.attrs.get("file"))
    unknown = sorted(set(actuals["queue"].astype(str)) - set(past["queue"].astype(str)))
    if unknown:
        raise InputError(f'queue "{unknown[0]}" of the actuals has no history', column="queue")
    say = progress or (lambda _line: None)
    if forecast is None:
        say(f"day-ahead forecast of {day:%Y-%m-%d} ({model})")
        forecast = build_forecast(past, day, 1, model=model, calendar=calendar).frame
    else:
        forecast = forecast[pd.to_datetime(forecast["interval_start"]).dt.normalize() == day]
        if forecast.empty:
            raise InputError(f"the forecast has no rows on {day:%Y-%m-%d}", column="interval_start")
    days = learning_days(past, day, learn_days)
    backcasts = day_ahead_forecasts(past, days, model=model, calendar=calendar, progress=say)
    cutoff = int((until - day) / pd.Timedelta(minutes=1))
    weights = learn_weights(backcasts, cutoff)
    say(
        f"learned from {weights.days} queue-days: weights day {weights.day_weight:.2f}, recent "
        f"{weights.recent_weight:.2f}, AHT {weights.aht_weight:.2f}"
    )
    frame = reforecast(with_actuals(forecast, actuals), until, weights)
    return Reforecast(until, frame, weights, model)


def roster_text(frame: pd.DataFrame, source: str | Path = "roster") -> pd.DataFrame:
    """Roster rows (export contract) checked by the roster reader and written back in canonical text."""
    typed = parse_roster(frame[list(ROSTER_COLUMNS)], source)
    return pd.DataFrame(
        {
            "agent_id": typed["agent_id"].astype(str),
            "name": frame["name"].astype(str).to_numpy(),
            "date": [d.isoformat() for d in typed["date"]],
            "start": pd.to_datetime(typed["start"]).dt.strftime(TIME_FORMAT),
            "end": pd.to_datetime(typed["end"]).dt.strftime(TIME_FORMAT),
            "activity": typed["activity"].astype(str),
            "queue": typed["queue"].astype(str).replace("nan", ""),
        }
    )


def check_roster_day(roster: pd.DataFrame, context: RosterContext, day: pd.Timestamp, source: str | Path) -> None:
    """The roster names only known agents and has someone working on the day."""
    known = {a.agent_id for a in context.agents}
    unknown = ~roster["agent_id"].isin(known)
    if unknown.any():
        i = int(np.flatnonzero(unknown.to_numpy())[0])
        raise InputError(
            f'unknown agent "{roster["agent_id"].iat[i]}": not in the agents file',
            file=source,
            row=i + FIRST_DATA_ROW,
            column="agent_id",
        )
    working = (roster["date"].astype(str) == f"{day:%Y-%m-%d}") & (roster["activity"] != "off")
    if not working.any():
        raise InputError(f"the roster has no shift on {day:%Y-%m-%d}", file=source, column="date")


def gap_and_actions(
    refc: Reforecast,
    roster: pd.DataFrame,
    context: RosterContext,
    *,
    costs: Costs = DEFAULT_COSTS,
    per_kind: int = 5,
    with_actions: bool = True,
) -> IntradayResult:
    """The rest-of-day gap against the roster (text rows) and the checked suggestions."""
    day = day_of(refc.until)
    typed = parse_roster(roster)
    spans = typed[(typed["end"] > day) & (typed["start"] < day + pd.Timedelta(days=1))]
    rest = rest_of_day_forecast(refc.frame)
    gap = rest_of_day_gap(rest, context.queues, spans, context.time_off)
    actions, notes = [], []
    if with_actions and not gap.empty:
        actions, notes = suggest_actions(
            roster,
            gap,
            context.queues,
            context.agents,
            context.shifts,
            context.time_off,
            context.config,
            refc.until,
            training=context.training,
            costs=costs,
            per_kind=per_kind,
        )
    return IntradayResult(refc.frame, refc.weights, gap, actions, notes, roster)


@dataclass(frozen=True, eq=False)
class IntradayInputs:
    """Inputs of one run from files and frames (what bench/intraday.py and tests pass)."""

    history: pd.DataFrame
    actuals: pd.DataFrame
    until: pd.Timestamp
    roster: str | Path
    agents: str | Path
    queues: str | Path
    shifts: str | Path
    rules: str | Path | None = None
    time_off: str | Path | None = None
    training: str | Path | None = None
    calendar: EventCalendar | None = None
    model: str = "calendar"
    learn_days: int = DEFAULT_LEARN_DAYS


def run_intraday(inputs: IntradayInputs, progress: Progress | None = None, **options) -> IntradayResult:
    """Reforecast, gap and actions from files (see prepare_reforecast and gap_and_actions for `options`)."""
    context = RosterContext.from_files(
        inputs.agents, inputs.queues, inputs.shifts, inputs.rules, inputs.time_off, inputs.training
    )
    roster = roster_text(read_table(inputs.roster, ROSTER_COLUMNS), inputs.roster)
    check_roster_day(roster, context, day_of(inputs.until), inputs.roster)
    actuals = check_actuals(inputs.actuals, inputs.until)
    refc = prepare_reforecast(
        inputs.history,
        actuals,
        inputs.until,
        model=inputs.model,
        calendar=inputs.calendar,
        learn_days=inputs.learn_days,
        progress=progress,
    )
    return gap_and_actions(refc, roster, context, **options)
