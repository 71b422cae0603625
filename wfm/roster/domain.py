"""Domain types of the roster engine: agents, shift templates, time off, rules, weights, instance and roster."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np

from wfm.limits import MAX_ROSTER_DAYS
from wfm.roster.break_rules import BreakSettings

MINUTES_PER_DAY = 1440
DAYS_PER_WEEK = 7
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MAX_HORIZON_DAYS = MAX_ROSTER_DAYS


@dataclass(frozen=True)
class Agent:
    """One agent: skills (queues it may serve), contract limits, availability window and preferences."""

    agent_id: str
    name: str
    skills: tuple[str, ...]
    team: str = ""
    min_hours_week: float = 0.0
    max_hours_week: float | None = None
    max_days_week: int | None = None
    new_hire: bool = False
    earliest_start_minute: int | None = None
    latest_end_minute: int | None = None
    preferred_days_off: frozenset[int] = frozenset()
    preferred_categories: frozenset[str] = frozenset()
    contract: str = ""
    max_shifts: tuple[tuple[str, int], ...] = ()  # (template name, most shifts of it over the horizon)
    min_total_minutes: int | None = None  # paid minutes over the whole horizon
    max_total_minutes: int | None = None
    min_consecutive_days: int | None = None  # None: the [rules] value
    max_consecutive_days: int | None = None
    min_consecutive_days_off: int | None = None
    max_weekends: int | None = None  # weekends (Saturday or Sunday worked) over the whole horizon
    rotation: tuple[str, ...] = ()  # fixed weekly pattern of shift categories, e.g. ("early", "late")


@dataclass(frozen=True)
class ShiftTemplate:
    """A shift: start (minute of the day), length, weekdays allowed (0 = Monday), unpaid lunch and category."""

    name: str
    start_minute: int
    length_minutes: int
    weekdays: frozenset[int] = frozenset(range(DAYS_PER_WEEK))
    lunch_minutes: int = 0
    breaks_minutes: tuple[int, ...] = ()  # paid breaks (placed by a later rule; not yet in coverage)
    category: str = ""
    not_followed_by: frozenset[str] = frozenset()  # templates that may not start the next day

    @property
    def paid_minutes(self) -> int:
        """Length minus the unpaid lunch."""
        return self.length_minutes - self.lunch_minutes

    def lunch_offset_minutes(self, interval_minutes: int) -> int:
        """Where the lunch starts, in minutes after the shift start: the middle of the shift, on the grid."""
        middle = (self.length_minutes - self.lunch_minutes) // 2
        return (middle // interval_minutes) * interval_minutes


def templates_by_shape(shifts: tuple[ShiftTemplate, ...]) -> dict[tuple[int, int, int], int]:
    """(start minute, length minutes, lunch minutes) → index of the first template of that shape (how a worked
    block of a roster table is matched back to its template)."""
    shapes: dict[tuple[int, int, int], int] = {}
    for s, t in enumerate(shifts):
        shapes.setdefault((t.start_minute, t.length_minutes, t.lunch_minutes), s)
    return shapes


@dataclass(frozen=True)
class TimeOff:
    """Unavailability of an agent: a whole day (start/end None) or [start, end) minutes of that day."""

    agent_id: str
    day: date
    start_minute: int | None = None
    end_minute: int | None = None


@dataclass(frozen=True)
class RuleSettings:
    """Hard-rule parameters ([rules] in rules.toml)."""

    min_rest_hours: float = 11.0
    days_off_per_week: int = 2
    max_consecutive_days: int = 6
    interval_minutes: int = 15
    min_consecutive_days: int = 1  # runs touching the horizon's first or last day are exempt
    min_consecutive_days_off: int = 1  # runs touching the horizon's first or last day are exempt
    max_weekends_per_4_weeks: int = 4  # weekends with a Saturday or Sunday worked, in each 4-week block
    forbidden_successions: tuple[str, ...] = ()  # "Late>Early": Early may not start the day after Late
    forward_rotation: bool = False  # no next-day shift that starts earlier in the day than today's
    late_categories: tuple[str, ...] = ("late", "night")  # shift categories counted as late for fairness
    max_consecutive_queue_days: int = 0  # 0 = no limit; else at most this many days in a row on one queue
    fairness_carry_days: int = 84  # earlier rosters' days counted by fairness (before the start); 0 = all of them


@dataclass(frozen=True)
class Weights:
    """Soft-goal weights ([weights] in rules.toml); every penalty is weight × hours or weight × occurrences."""

    under_coverage: int = 100
    over_coverage: int = 5
    paid_hours: int = 1
    preferred_day_off: int = 10
    shift_category_preference: int = 5
    days_off_together: int = 3
    shift_requests: int = 1  # multiplies each request's own weight
    weekend_fairness: int = 0  # per weekend worked outside the group's fair share (floor–ceil of the mean)
    late_fairness: int = 0  # per late shift outside the group's fair share
    holiday_fairness: int = 0  # per holiday worked outside the fair share (needs holiday dates)


@dataclass(frozen=True)
class Config:
    """Rules and weights together (plus the break and lunch rules of rules.toml)."""

    rules: RuleSettings = RuleSettings()
    weights: Weights = Weights()
    breaks: BreakSettings = field(default_factory=BreakSettings)


@dataclass(frozen=True, eq=False)
class ShiftDemand:
    """Demand stated per day and shift template: agents required, weights per agent short and per agent extra."""

    required: np.ndarray  # (days, shifts) integer agents
    weight_under: np.ndarray  # (days, shifts) integer weight per agent short
    weight_over: np.ndarray  # (days, shifts) integer weight per agent extra


@dataclass(frozen=True)
class ShiftRequest:
    """An agent's wish for a day: work (`on`) or not work (`off`) a shift (None = any shift), with a weight."""

    agent_id: str
    day: int  # horizon day index
    shift: str | None
    on: bool
    weight: int


@dataclass(frozen=True)
class FairCounts:
    """Weekends (Saturday or Sunday worked), late shifts and holidays worked: an agent's fairness counts."""

    weekends: int = 0
    lates: int = 0
    holidays: int = 0


@dataclass(frozen=True, eq=False)
class Instance:
    """A roster problem: agents, templates, time off, queues and required agents per queue and interval."""

    agents: tuple[Agent, ...]
    shifts: tuple[ShiftTemplate, ...]
    time_off: tuple[TimeOff, ...]
    queues: tuple[str, ...]
    start: date
    days: int
    interval_minutes: int
    required: np.ndarray = field(repr=False)  # shape (len(queues), days * intervals_per_day), integer agents
    shift_demand: ShiftDemand | None = None  # demand per date and shift template instead of per interval
    requests: tuple[ShiftRequest, ...] = ()
    holidays: frozenset[int] = frozenset()  # horizon days that are public holidays (counted by holiday fairness)
    carried: dict[str, FairCounts] = field(default_factory=dict)  # agent_id → counts of earlier published rosters

    @property
    def intervals_per_day(self) -> int:
        """Number of grid intervals in one day."""
        return MINUTES_PER_DAY // self.interval_minutes

    @property
    def n_intervals(self) -> int:
        """Number of grid intervals in the horizon."""
        return self.days * self.intervals_per_day

    def day_date(self, day: int) -> date:
        """Calendar date of horizon day `day`."""
        return self.start + timedelta(days=day)

    def weekday(self, day: int) -> int:
        """Weekday (0 = Monday) of horizon day `day`."""
        return self.day_date(day).weekday()

    def weeks(self) -> list[range]:
        """Horizon days grouped into weeks of 7 days counted from the start date (the last may be shorter)."""
        return [range(w, min(w + DAYS_PER_WEEK, self.days)) for w in range(0, self.days, DAYS_PER_WEEK)]

    def interval_start(self, t: int) -> datetime:
        """Start time of grid interval t."""
        return datetime.combine(self.start, datetime.min.time()) + timedelta(minutes=t * self.interval_minutes)


@dataclass(frozen=True)
class Assignment:
    """Agent `agent` (index) works shift template `shift` (index) starting on horizon day `day`, on `queue`."""

    agent: int
    day: int
    shift: int
    queue: int


@dataclass(frozen=True)
class PenaltyLine:
    """One soft goal's outcome: its rule name, weight, amount (hours or occurrences) and penalty = weight × amount."""

    rule: str
    weight: int
    amount: float
    unit: str
    total: float | None = None  # set when the rule's terms carry different weights (shift demand, requests)

    @property
    def penalty(self) -> float:
        """Weight times amount (or the sum over terms of differing weights)."""
        return self.weight * self.amount if self.total is None else self.total


@dataclass(frozen=True)
class SolveStats:
    """How the solve went: status, objective, proven lower bound, relative gap, time and phases run."""

    status: str
    objective: float
    lower_bound: float
    gap: float
    elapsed_seconds: float
    phases: tuple[str, ...] = ()


@dataclass(frozen=True)
class RosterSolution:
    """A solved roster: its assignments, penalty report by rule name, scheduled agents per queue/interval, stats."""

    assignments: tuple[Assignment, ...]
    penalties: tuple[PenaltyLine, ...]
    scheduled: np.ndarray = field(repr=False, compare=False)  # same shape as Instance.required
    stats: SolveStats | None = None
