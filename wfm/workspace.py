"""The planner's workspace: the database opened (and seeded with the bundled sample on first start), and the
stored reference data written back out as contract files for the file-based engines. No Streamlit here."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from forecasting.events import EventCalendar, read_events, site_holidays
from wfm import store
from wfm.auth import preferences, users
from wfm.auth.permissions import acting_as, local_operator
from wfm.csvio import write_csv
from wfm.errors import InputError
from wfm.roster.activities import (
    WALL_SHARE,
    ActivityPlan,
    place_in_roster,
    placement_seconds_left,
    solve_seconds_within,
)
from wfm.roster.checker import check_roster, parse_roster
from wfm.roster.deferred_search import DeferredWork
from wfm.roster.domain import Assignment, Config, Instance, RosterSolution
from wfm.roster.edit_cap import keep_cap_on_day
from wfm.roster.fair_share import calendar_holiday_dates, fairness_section, frame_assignments, with_history
from wfm.roster.inputs import load_instance
from wfm.roster.joint import solve_and_place
from wfm.roster.outputs import roster_frame, with_days_rewritten
from wfm.roster.service import deferred_work as deferred_work_of
from wfm.roster.solve import SolveSettings
from wfm.roster.training import TrainingRequirement, read_training
from wfm.staffing.queues import QueueSettings, read_queues

SAMPLE_DIR = Path(__file__).resolve().parents[1] / "data"
SAMPLE_TRAINING = SAMPLE_DIR / "training.csv"
REFERENCE_FILES = ("queues.csv", "agents.csv", "shifts.csv", "time_off.csv", "events.csv", "rules.toml")


def open_workspace(
    url: str | None = None, sample_dir: Path = SAMPLE_DIR, progress: Callable[[str], None] | None = None
) -> Engine:
    """Engine on the database (WFM_DATABASE_URL or wfm.db), migrated; an empty database gets the sample data, and a
    database without users its first administrator (the password printed once, see wfm.auth.users)."""
    engine = store.make_engine(url)
    store.upgrade(engine)
    with Session(engine) as session:
        empty = store.get_queues(session).empty
    with acting_as(local_operator()):  # the server sets itself up, whoever opened the first page
        if empty and sample_dir.is_dir():
            store.load_folder(engine, sample_dir, progress=progress or (lambda _message: None))
        with Session(engine) as session, session.begin():
            password = users.ensure_first_admin(session)
    if password is not None:
        users.announce_first_admin(password)
    return engine


def _toml(rules: dict[str, dict[str, float]]) -> str:
    """Flat TOML tables ([rules], [weights]) from a nested dict of numbers."""
    lines = []
    for table, values in rules.items():
        lines.append(f"[{table}]")
        lines += [f"{key} = {value!r}" for key, value in values.items()]
        lines.append("")
    return "\n".join(lines)


def write_reference_folder(engine: Engine, folder: Path) -> Path:
    """The stored queues, agents, shifts, time off, events and rules as contract files in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    with Session(engine) as session:
        frames = {
            "queues.csv": store.get_queues(session),
            "agents.csv": store.get_agents(session),
            "shifts.csv": store.get_shifts(session),
            "time_off.csv": store.get_time_off(session),
            "events.csv": store.get_events(session),
        }
        rules = store.get_rules(session)
    for name, frame in frames.items():
        write_csv(frame, folder / name)
    (folder / "rules.toml").write_text(_toml(rules), encoding="utf-8")
    return folder


def queue_settings(engine: Engine) -> dict[str, QueueSettings]:
    """Queue settings as the staffing engine reads them, from the stored queues."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "queues.csv"
        with Session(engine) as session:
            write_csv(store.get_queues(session), path)
        return read_queues(path)


def history(engine: Engine, queues: list[str] | None = None) -> pd.DataFrame:
    """Stored interval history (contract columns)."""
    with Session(engine) as session:
        return store.get_history(session, queues=queues)


def event_calendar(engine: Engine, holidays: str | None = "CN") -> EventCalendar:
    """The stored events plus the site's public holidays (a country code, or None) over the stored years."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events.csv"
        with Session(engine) as session:
            events = store.get_events(session)
        if events.empty:
            calendar = EventCalendar()
        else:
            write_csv(events, path)
            calendar = read_events(path)
    if holidays:
        year = pd.Timestamp.now().year
        calendar = calendar + site_holidays(holidays, range(year - 3, year + 2))
    return calendar


def check_events(frame: pd.DataFrame, name: str = "events.csv") -> EventCalendar:
    """Validate an edited events table with the same reader as files (InputError names row and column)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        write_csv(frame, path)
        return read_events(path)


@dataclass(frozen=True)
class RosterBuild:
    """A solved roster with everything the pages show about it."""

    frame: pd.DataFrame
    solution: RosterSolution | None  # None for a roster loaded from the database (no solver run to report)
    instance: Instance
    config: Config
    requirements: pd.DataFrame
    activities: ActivityPlan | None = None  # placed breaks, lunches and training (None: the lunch mid-shift)


def load_roster_instance(engine: Engine, requirements: pd.DataFrame, start: date, days: int) -> tuple[Instance, Config]:
    """The roster instance from the stored agents, shifts, time off, rules and agents' preferences (as shift
    requests, weighed by the roster's preference penalty) plus a requirements frame."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_reference_folder(engine, Path(tmp))
        write_csv(requirements, folder / "requirements.csv")
        with Session(engine) as session:
            wishes = preferences.as_requests(session, start, days, store.get_shifts(session))
            known = set(store.get_agents(session)["agent_id"].astype(str))
        wishes = wishes[wishes["agent_id"].isin(known)]
        if len(wishes):
            write_csv(wishes, folder / "requests.csv")
        return load_instance(
            requirements=folder / "requirements.csv",
            agents=folder / "agents.csv",
            shifts=folder / "shifts.csv",
            time_off=folder / "time_off.csv",
            rules=folder / "rules.toml",
            start=start,
            days=days,
            requests=folder / "requests.csv" if len(wishes) else None,
        )


def build_roster(
    engine: Engine,
    requirements: pd.DataFrame,
    start: date,
    days: int,
    time_limit_seconds: float,
    progress: Callable[[str], None] | None = None,
    training_file: Path | None = SAMPLE_TRAINING,
) -> RosterBuild:
    """Solve a roster for the stored staff against the requirements, within the time limit, then place breaks,
    lunches and the training of `training_file` (skipped when the file is absent) in the shifts."""
    deadline = time.monotonic() + WALL_SHARE * time_limit_seconds
    instance, config = load_roster_instance(engine, requirements, start, days)
    instance = fairness_history(engine, instance, config)
    training = _training(training_file, instance)
    solve_seconds = solve_seconds_within(time_limit_seconds, len(instance.agents), instance.days)
    joint = solve_and_place(  # search, place, re-plan against the placed pauses (wfm/roster/joint.py)
        instance,
        config,
        # no fork inside the web server; email/ticket queues costed by late work (wfm/roster/deferred_search.py)
        SolveSettings(
            time_limit_seconds=solve_seconds, portfolio=False, deferred=deferred_work(engine, requirements, instance)
        ),
        training,
        lambda shifts: placement_seconds_left(deadline, shifts),
        progress=progress,
    )
    solution, plan = joint.solution, joint.activities
    if progress is not None:
        progress(
            f"breaks and lunches: {plan.breaks['breaks_placed']} + {plan.breaks['lunches_placed']} placed; training "
            f"{plan.training['delivered_hours']:g} of {plan.training['required_hours']:g} h"
        )
    frame = roster_frame(instance, solution.assignments, plan)
    return RosterBuild(frame, solution, instance, config, requirements, plan)


def deferred_work(engine: Engine, requirements: pd.DataFrame, instance: Instance) -> DeferredWork | None:
    """The email/ticket queues the roster search costs by late work (requirements with volume and AHT), else None."""
    if not {"volume", "aht_seconds"} <= set(requirements.columns):
        return None
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_csv(requirements, folder / "requirements.csv")
        with Session(engine) as session:
            write_csv(store.get_queues(session), folder / "queues.csv")
        return deferred_work_of(instance, folder / "requirements.csv", folder / "queues.csv")


def fairness_history(engine: Engine, instance: Instance, config: Config) -> Instance:
    """The instance with the site's holidays (stored events and the CN calendar) and the weekends, late shifts and
    holidays carried from the stored rosters' newest published versions (dates before the start, within
    `fairness_carry_days`)."""
    lookback = config.rules.fairness_carry_days
    first = pd.Timestamp(instance.start - timedelta(days=lookback)) if lookback else pd.Timestamp.min
    frames = []
    with Session(engine) as session:
        for name in store.list_rosters(session)["name"]:
            try:
                _info, segments = store.load_roster(session, str(name), published=True)
            except InputError:  # never published
                continue
            segments = segments[(segments["date"] < pd.Timestamp(instance.start)) & (segments["date"] >= first)]
            if not segments.empty:
                frames.append(parse_roster(_segment_text(segments)))
    holidays = calendar_holiday_dates(event_calendar(engine))
    return with_history(instance, config, frames, holidays)


def fairness_table(build: RosterBuild, frame: pd.DataFrame) -> dict:
    """The fairness section (per agent counts and carried counts, per comparable group spreads) of a roster table
    (built, loaded or edited)."""
    return fairness_section(build.instance, build.config, frame_assignments(build.instance, frame))


def service_limits_table(
    build: RosterBuild, frame: pd.DataFrame, projection: pd.DataFrame, queues: dict[str, QueueSettings]
) -> pd.DataFrame:
    """Per queue and day below target: hours short and the limits behind them (wfm.roster.service_limits)."""
    from wfm.roster.service_limits import service_limits

    return service_limits(build.instance, frame, projection, queues)


def _segment_text(segments: pd.DataFrame) -> pd.DataFrame:
    """Stored segments (typed) as roster-contract text."""
    return segments.assign(
        date=segments["date"].dt.strftime("%Y-%m-%d"),
        start=segments["start"].dt.strftime("%Y-%m-%d %H:%M"),
        end=segments["end"].dt.strftime("%Y-%m-%d %H:%M"),
        queue=segments["queue"].fillna(""),
    )


def _training(path: Path | None, instance: Instance) -> tuple[TrainingRequirement, ...]:
    """Training requirements from a file when it exists (the store does not hold them yet)."""
    if path is None or not Path(path).is_file():
        return ()
    return read_training(path, instance.agents, instance.interval_minutes)


def penalty_table(solution: RosterSolution) -> pd.DataFrame:
    """The penalty report: one row per soft rule with weight, amount, unit and penalty."""
    return pd.DataFrame(
        [
            {
                "rule": x.rule,
                "weight": x.weight,
                "amount": round(x.amount, 2),
                "unit": x.unit,
                "penalty": round(x.penalty, 2),
            }
            for x in solution.penalties
        ]
    )


def violations(frame: pd.DataFrame, instance: Instance, config: Config) -> list[str]:
    """The independent checker's verdict on a roster frame: one message per hard-rule violation."""
    parsed = parse_roster(frame)
    found = check_roster(parsed, instance.agents, instance.shifts, instance.time_off, config)
    return [f"{v.rule} · {v.agent_id}{f' · {v.day}' if v.day else ''}: {v.message}" for v in found]


def replace_day(
    frame: pd.DataFrame,
    instance: Instance,
    agent_id: str,
    day: date,
    shift: str | None,
    queue: str | None,
    config: Config | None = None,
) -> tuple[pd.DataFrame, list[str]]:
    """The roster with one agent's day replaced: a shift template on a queue, or a day off (shift None), and the
    agents whose pauses moved. With `config`, the new shift's breaks and lunch are placed around the others' (break
    rules and cap kept), and where the edit lowered a queue's break cap below the pauses already placed that day
    (and the next), those pauses are re-placed (wfm/roster/edit_cap.py)."""
    agents = [a.agent_id for a in instance.agents]
    if agent_id not in agents:
        raise InputError(f'agent "{agent_id}" is not in the roster')
    offset = (day - instance.start).days
    if not 0 <= offset < instance.days:
        raise InputError(f"{day} is outside the roster's {instance.days} days from {instance.start}")
    assignments = []
    if shift is not None:
        shift_index = [s.name for s in instance.shifts].index(shift)
        queue_index = list(instance.queues).index(queue)
        assignments.append(Assignment(agents.index(agent_id), offset, shift_index, queue_index))
    plan = None
    if assignments and config is not None:
        placed = place_in_roster(instance, config, frame, assignments[0])
        plan = ActivityPlan({(assignments[0].agent, offset): placed}, instance.required, {}, {}, 0.0)
    edited = with_days_rewritten(instance, frame, assignments, plan, {(agent_id, day.isoformat())})
    moved: list[str] = []
    if config is not None:
        for d in (offset, offset + 1):  # a shift removed late on the day can reach past midnight
            edited, agents_moved = keep_cap_on_day(instance, config, edited, d)
            moved += agents_moved
    return edited, moved


def stored_roster(engine: Engine, requirements: pd.DataFrame) -> RosterBuild | None:
    """The most recently saved roster with its instance (so it can be checked and edited), or None."""
    with Session(engine) as session:
        rosters = store.list_rosters(session)
        if rosters.empty:
            return None
        name = str(rosters.sort_values("created_at")["name"].iloc[-1])
        _info, segments = store.load_roster(session, name)
    frame = _segment_text(segments)
    first = pd.Timestamp(frame["date"].min()).date()
    days = (pd.Timestamp(frame["date"].max()).date() - first).days + 1
    instance, config = load_roster_instance(engine, requirements, first, days)
    return RosterBuild(frame, None, instance, config, requirements)
