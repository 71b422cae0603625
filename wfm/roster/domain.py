"""Domain types of the roster engine: agents, shift templates, time off, rules, weights, instance and roster."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np

MINUTES_PER_DAY = 1440
DAYS_PER_WEEK = 7
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MAX_HORIZON_DAYS = 42


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

    @property
    def paid_minutes(self) -> int:
        """Length minus the unpaid lunch."""
        return self.length_minutes - self.lunch_minutes

    def lunch_offset_minutes(self, interval_minutes: int) -> int:
        """Where the lunch starts, in minutes after the shift start: the middle of the shift, on the grid."""
        middle = (self.length_minutes - self.lunch_minutes) // 2
        return (middle // interval_minutes) * interval_minutes


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


@dataclass(frozen=True)
class Weights:
    """Soft-goal weights ([weights] in rules.toml); every penalty is weight × hours or weight × occurrences."""

    under_coverage: int = 100
    over_coverage: int = 5
    paid_hours: int = 1
    preferred_day_off: int = 10
    shift_category_preference: int = 5
    days_off_together: int = 3


@dataclass(frozen=True)
class Config:
    """Rules and weights together."""

    rules: RuleSettings = RuleSettings()
    weights: Weights = Weights()


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

    @property
    def penalty(self) -> float:
        """Weight times amount."""
        return self.weight * self.amount


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
