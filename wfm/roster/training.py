"""Training requirements (training.csv): who trains, how often, how long, when, and how many seats per session.

Columns (one row per requirement; see docs/roster.md):
requirement, group (everyone | new_hire | team | skill | agents), members (team / skill name, or `;`-separated
agent ids), per (day | week | horizon), sessions (per working day, per week, or in the whole horizon),
session_minutes; optional: first_weeks (only the first N weeks of the horizon), days (Mon;Tue;…), earliest and
latest (HH:MM, the session lies inside), slot_step_minutes (sessions start at earliest + k × step; default the
session length), capacity (seats per session slot; blank or 0 = unlimited), together (yes: the whole group attends
the same sessions).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from wfm.csvio import FIRST_DATA_ROW, number_column, read_table
from wfm.errors import InputError
from wfm.roster.domain import MINUTES_PER_DAY, Agent
from wfm.roster.inputs import FALSE_WORDS, TRUE_WORDS, parse_clock, parse_weekdays

TRAINING_COLUMNS = ("requirement", "group", "per", "sessions", "session_minutes")
TRAINING_OPTIONAL = (
    "members",
    "first_weeks",
    "days",
    "earliest",
    "latest",
    "slot_step_minutes",
    "capacity",
    "together",
)
GROUPS = ("everyone", "new_hire", "team", "skill", "agents")
PERIODS = ("day", "week", "horizon")


@dataclass(frozen=True)
class TrainingRequirement:
    """One training requirement: its agents, sessions per period, session length, window and seats per slot."""

    name: str
    group: str
    members: tuple[str, ...]
    per: str
    sessions: int
    session_minutes: int
    first_weeks: int | None = None
    weekdays: frozenset[int] = frozenset(range(7))
    earliest_minute: int = 0
    latest_minute: int = MINUTES_PER_DAY
    slot_step_minutes: int = 0  # 0 = the session length
    capacity: int | None = None
    together: bool = False
    row: int = FIRST_DATA_ROW

    @property
    def step_minutes(self) -> int:
        """Minutes between allowed session starts."""
        return self.slot_step_minutes or self.session_minutes

    def slot_starts(self) -> list[int]:
        """Allowed session starts (minutes after the midnight of the shift's date)."""
        last = self.latest_minute - self.session_minutes
        return list(range(self.earliest_minute, last + 1, self.step_minutes))


def members_of(requirement: TrainingRequirement, agents: tuple[Agent, ...]) -> list[int]:
    """Indices of the agents a requirement applies to."""
    chosen = set(requirement.members)
    test = {
        "everyone": lambda a: True,
        "new_hire": lambda a: a.new_hire,
        "team": lambda a: a.team in chosen,
        "skill": lambda a: bool(chosen & set(a.skills)),
        "agents": lambda a: a.agent_id in chosen,
    }[requirement.group]
    return [i for i, a in enumerate(agents) if test(a)]


def read_training(
    path: str | Path, agents: tuple[Agent, ...], interval_minutes: int
) -> tuple[TrainingRequirement, ...]:
    """Training requirements from training.csv; bad cells are InputErrors naming file, row and column."""
    file = Path(path)
    frame = read_table(file, TRAINING_COLUMNS, TRAINING_OPTIONAL)
    sessions = number_column(frame, "sessions", file, minimum=1, integer=True)
    lengths = number_column(frame, "session_minutes", file, minimum=1, integer=True)
    first_weeks = number_column(frame, "first_weeks", file, minimum=0, integer=True, default=0)
    steps = number_column(frame, "slot_step_minutes", file, minimum=0, integer=True, default=0)
    capacity = number_column(frame, "capacity", file, minimum=0, integer=True, default=0)
    out, seen = [], set()
    for i in range(len(frame)):
        row = i + FIRST_DATA_ROW

        def cell(column: str, i: int = i) -> str:
            return str(frame[column].iat[i]).strip() if column in frame.columns else ""

        name = cell("requirement")
        if not name or name in seen:
            raise InputError(f'requirement "{name}" is empty or repeated', file=file, row=row, column="requirement")
        seen.add(name)
        group = cell("group").lower()
        if group not in GROUPS:
            raise InputError(
                f'"{group}" is not a group: expected one of {", ".join(GROUPS)}', file=file, row=row, column="group"
            )
        members = tuple(dict.fromkeys(p.strip() for p in cell("members").split(";") if p.strip()))
        _check_members(group, members, agents, file=file, row=row)
        per = cell("per").lower()
        if per not in PERIODS:
            raise InputError(
                f'"{per}" is not a period: expected one of {", ".join(PERIODS)}', file=file, row=row, column="per"
            )
        for column, value in (("session_minutes", lengths[i]), ("slot_step_minutes", steps[i])):
            if value % interval_minutes:
                raise InputError(
                    f"{value:g} minutes is not a multiple of the {interval_minutes}-minute interval",
                    file=file,
                    row=row,
                    column=column,
                )
        earliest = parse_clock(cell("earliest"), file=file, row=row, column="earliest")
        latest = parse_clock(cell("latest"), file=file, row=row, column="latest")
        earliest = 0 if earliest is None else earliest
        latest = MINUTES_PER_DAY if latest is None else latest
        if earliest % interval_minutes:
            raise InputError(
                f"{earliest // 60:02d}:{earliest % 60:02d} is not on the {interval_minutes}-minute grid",
                file=file,
                row=row,
                column="earliest",
            )
        if latest - earliest < lengths[i]:
            raise InputError(
                f"the window {cell('earliest') or '00:00'}–{cell('latest') or '24:00'} is shorter than the "
                f"{lengths[i]:g}-minute session",
                file=file,
                row=row,
                column="latest",
            )
        together = cell("together").lower()
        if together not in TRUE_WORDS | FALSE_WORDS:
            raise InputError(f'"{together}" is not yes/no', file=file, row=row, column="together")
        out.append(
            TrainingRequirement(
                name=name,
                group=group,
                members=members,
                per=per,
                sessions=int(sessions[i]),
                session_minutes=int(lengths[i]),
                first_weeks=int(first_weeks[i]) or None,
                weekdays=parse_weekdays(cell("days"), file=file, row=row, column="days") or frozenset(range(7)),
                earliest_minute=earliest,
                latest_minute=latest,
                slot_step_minutes=int(steps[i]),
                capacity=int(capacity[i]) or None,
                together=together in TRUE_WORDS,
                row=row,
            )
        )
    return tuple(out)


def _check_members(group: str, members: tuple[str, ...], agents: tuple[Agent, ...], *, file: Path, row: int) -> None:
    """Members name existing teams, skills or agent ids (and are blank for everyone / new_hire)."""
    if group in ("everyone", "new_hire"):
        if members:
            raise InputError(
                f"group {group} takes no members: leave the cell blank", file=file, row=row, column="members"
            )
        return
    if not members:
        raise InputError(f"group {group} needs members (names separated by ;)", file=file, row=row, column="members")
    known = {
        "team": {a.team for a in agents},
        "skill": {q for a in agents for q in a.skills},
        "agents": {a.agent_id for a in agents},
    }[group]
    unknown = [m for m in members if m not in known]
    if unknown:
        what = {"team": "team", "skill": "skill held by any agent", "agents": "agent in the agents file"}[group]
        raise InputError(f'"{unknown[0]}" is not a {what}', file=file, row=row, column="members")
