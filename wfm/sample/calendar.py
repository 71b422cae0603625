"""The sample centre's event calendar: Chinese public holidays and e-commerce promotions with their effects."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

import holidays
import numpy as np
import pandas as pd

EVENT_COLUMNS = ("event", "start", "end", "kind")
KINDS = ("promotion", "holiday", "returns")
GROUPS = ("presale", "aftersale", "complaints")
# Holiday names of the `holidays` package (English) → event names; the first match in this order names a block.
_HOLIDAY_NAMES = (
    ("Chinese New Year", "spring_festival"),
    ("National Day", "national_day"),
    ("Labor Day", "labour_day"),
    ("New Year's Day", "new_year"),
    ("Tomb-Sweeping", "qingming"),
    ("Dragon Boat", "dragon_boat"),
    ("Mid-Autumn", "mid_autumn"),
)
_HOLIDAY_EFFECT = {
    "spring_festival": {"presale": 0.35, "aftersale": 0.3, "complaints": 0.3},
    "national_day": {"presale": 0.8, "aftersale": 0.6, "complaints": 0.55},
}
_OTHER_HOLIDAY_EFFECT = {"presale": 0.8, "aftersale": 0.65, "complaints": 0.6}
_MAKEUP_WORKDAY = re.compile(r"substituted from (\d{2})/(\d{2})/(\d{4})")


@dataclass(frozen=True)
class Event:
    """A dated event and its volume multiplier per queue group, moving linearly from its first to last day."""

    event: str
    start: date
    end: date
    kind: str
    first: Mapping[str, float]
    last: Mapping[str, float] = field(default_factory=dict)
    evening_boost: float = 1.0  # extra weight on 20:00–24:00 (shopping-festival nights)

    def multiplier(self, group: str, day: date) -> float:
        """Volume multiplier for a queue group on a day inside the event."""
        first = self.first.get(group, 1.0)
        last = self.last.get(group, first)
        span = (self.end - self.start).days
        share = (day - self.start).days / span if span else 0.0
        return first + (last - first) * share


def _promotions(year: int) -> list[Event]:
    """The yearly promotions (3.8, 618, Double 11, Double 12) with pre-sale ramps and returns after."""
    d = lambda month, day: date(year, month, day)  # noqa: E731
    up = {"presale": 1.0, "aftersale": 1.0, "complaints": 1.0}
    return [
        Event("womens_day_presale", d(3, 1), d(3, 7), "promotion", {"presale": 1.15}, {"presale": 1.6}),
        Event("womens_day", d(3, 8), d(3, 8), "promotion", {"presale": 2.6, "aftersale": 1.3, "complaints": 1.2}),
        Event(
            "womens_day_returns",
            d(3, 9),
            d(3, 18),
            "returns",
            {"aftersale": 1.5, "complaints": 1.4},
            {"aftersale": 1.1, "complaints": 1.05},
        ),
        Event(
            "618_presale",
            d(5, 20),
            d(6, 17),
            "promotion",
            {"presale": 1.3, "aftersale": 1.05},
            {"presale": 2.0, "aftersale": 1.3},
            evening_boost=1.2,
        ),
        Event("618", d(6, 18), d(6, 18), "promotion", {"presale": 5.0, "aftersale": 2.5, "complaints": 2.0}, {}, 1.6),
        Event(
            "618_returns",
            d(6, 19),
            d(6, 30),
            "returns",
            {"presale": 0.85, "aftersale": 2.0, "complaints": 1.8},
            up | {"aftersale": 1.1, "complaints": 1.1},
        ),
        Event(
            "double_11_presale",
            d(10, 20),
            d(11, 10),
            "promotion",
            {"presale": 1.4, "aftersale": 1.05},
            {"presale": 2.4, "aftersale": 1.4},
            evening_boost=1.3,
        ),
        Event(
            "double_11",
            d(11, 11),
            d(11, 11),
            "promotion",
            {"presale": 8.0, "aftersale": 4.5, "complaints": 3.0},
            {},
            1.5,
        ),
        Event(
            "double_11_returns",
            d(11, 12),
            d(11, 30),
            "returns",
            {"presale": 1.1, "aftersale": 3.0, "complaints": 2.8},
            {"presale": 0.9, "aftersale": 1.2, "complaints": 1.2},
        ),
        Event("double_12_presale", d(12, 6), d(12, 11), "promotion", {"presale": 1.1}, {"presale": 1.5}),
        Event("double_12", d(12, 12), d(12, 12), "promotion", {"presale": 3.0, "aftersale": 1.6, "complaints": 1.4}),
        Event(
            "double_12_returns",
            d(12, 13),
            d(12, 22),
            "returns",
            {"aftersale": 1.6, "complaints": 1.5},
            {"aftersale": 1.1, "complaints": 1.1},
        ),
    ]


def _holiday_blocks(years: range) -> list[Event]:
    """Chinese public holidays (the `holidays` package, CN) merged with the weekends they bridge into breaks."""
    calendar = holidays.country_holidays("CN", years=list(years), language="en_US")
    names = {day: name for day, name in calendar.items()}
    workdays = {
        date(int(m[3]), int(m[1]), int(m[2])) for name in names.values() for m in _MAKEUP_WORKDAY.finditer(name)
    }

    def is_off(day: date) -> bool:
        return day in names or (day.weekday() >= 5 and day not in workdays)

    events: list[Event] = []
    seen: set[date] = set()
    for day in sorted(names):
        if day in seen:
            continue
        start, end = day, day
        while is_off(start - timedelta(days=1)):
            start -= timedelta(days=1)
        while is_off(end + timedelta(days=1)):
            end += timedelta(days=1)
        block = [start + timedelta(days=i) for i in range((end - start).days + 1)]
        seen.update(block)
        labels = " ".join(names.get(b, "") for b in block)
        event = next((key for text, key in _HOLIDAY_NAMES if text in labels), "public_holiday")
        effect = _HOLIDAY_EFFECT.get(event, _OTHER_HOLIDAY_EFFECT)
        events.append(Event(event, start, end, "holiday", effect))
        if event == "spring_festival":
            after = end + timedelta(days=1)
            events.append(
                Event(
                    "spring_festival_returns",
                    after,
                    after + timedelta(days=9),
                    "returns",
                    {"aftersale": 1.7, "complaints": 1.6},
                    {"aftersale": 1.1, "complaints": 1.05},
                )
            )
    return events


def sample_events(first_day: date, last_day: date) -> list[Event]:
    """Every event overlapping [first_day, last_day], sorted by start."""
    years = range(first_day.year, last_day.year + 1)
    events = [e for year in years for e in _promotions(year)] + _holiday_blocks(years)
    inside = [e for e in events if e.end >= first_day and e.start <= last_day]
    return sorted(inside, key=lambda e: (e.start, e.end, e.event))


def events_frame(events: list[Event]) -> pd.DataFrame:
    """The contents of events.csv: event, start, end (inclusive dates), kind."""
    return pd.DataFrame(
        [(e.event, e.start.isoformat(), e.end.isoformat(), e.kind) for e in events], columns=list(EVENT_COLUMNS)
    )


def day_effects(days: pd.DatetimeIndex, group: str, events: list[Event]) -> tuple[np.ndarray, np.ndarray]:
    """Per day: the product of event volume multipliers for a queue group, and the evening boost."""
    volume = np.ones(len(days))
    evening = np.ones(len(days))
    index = {d.date(): i for i, d in enumerate(days)}
    for event in events:
        day = event.start
        while day <= event.end:
            i = index.get(day)
            if i is not None:
                volume[i] *= event.multiplier(group, day)
                evening[i] = max(evening[i], event.evening_boost)
            day += timedelta(days=1)
    return volume, evening
