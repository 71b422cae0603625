"""An agent's published shifts as an iCalendar (RFC 5545) file, written with the icalendar library.

Times are the site's local wall-clock times, as in the roster; they are written as floating times (no time zone),
so a calendar shows them at the same clock time wherever it is.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
from icalendar import Calendar, Event

PRODUCT_ID = "-//wfm//agent schedule//EN"


def shifts_of(segments: pd.DataFrame) -> pd.DataFrame:
    """One row per worked day: date, start (first segment), end (last), queues worked, and the day's segments."""
    worked = segments[segments["activity"] != "off"]
    rows = []
    for day, group in worked.groupby(pd.to_datetime(worked["date"]).dt.date):
        ordered = group.sort_values("start")
        queues = sorted({q for q in ordered.loc[ordered["activity"] == "work", "queue"].fillna("") if q})
        detail = "\n".join(
            f"{pd.Timestamp(r.start):%H:%M}–{pd.Timestamp(r.end):%H:%M} {r.activity} {r.queue or ''}".rstrip()
            for r in ordered.itertuples(index=False)
        )
        start = pd.Timestamp(ordered["start"].min()).to_pydatetime()
        end = pd.Timestamp(ordered["end"].max()).to_pydatetime()
        rows.append((day, start, end, ", ".join(queues), detail))
    return pd.DataFrame(rows, columns=["date", "start", "end", "queues", "detail"])


def calendar_bytes(agent_code: str, segments: pd.DataFrame, *, now: datetime | None = None) -> bytes:
    """The ICS file of an agent's shifts: one event per worked day, its breaks and queues in the description."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"Shifts {agent_code}")
    stamp = now or datetime.now(UTC)
    for shift in shifts_of(segments).itertuples(index=False):
        event = Event()
        event.add("uid", f"{agent_code}-{shift.date:%Y%m%d}@wfm")
        event.add("dtstamp", stamp)
        event.add("dtstart", shift.start)
        event.add("dtend", shift.end)
        event.add("summary", f"Shift {shift.queues}".strip())
        event.add("description", shift.detail)
        calendar.add_component(event)
    return calendar.to_ical()
