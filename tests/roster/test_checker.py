"""The independent checker: one crafted violation per hard rule on a two-agent roster, each found exactly."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest
from roster_fixtures import DAY, EARLY, LATE, MONDAY, agent, config

from wfm.roster.checker import check_roster, parse_roster
from wfm.roster.domain import TimeOff

AGENTS = (agent("A1", skills=("chat",), max_hours_week=40, min_hours_week=0), agent("A2", skills=("phone",)))
SHIFTS = (EARLY, DAY, LATE)


def rows(*shifts: tuple[str, int, str, int, str]) -> pd.DataFrame:
    """Roster rows from (agent, day, start HH:MM, hours, queue); other agent-days of a 7-day week are off."""
    out = []
    worked = {(a, d) for a, d, *_ in shifts}
    for a, d, start, hours, queue in shifts:
        begin = pd.Timestamp(MONDAY) + pd.Timedelta(days=d) + pd.Timedelta(start + ":00")
        out.append(
            [
                a,
                a,
                str((begin.normalize()).date()),
                f"{begin:%Y-%m-%d %H:%M}",
                f"{begin + pd.Timedelta(hours=hours):%Y-%m-%d %H:%M}",
                "work",
                queue,
            ]
        )
    for a in ("A1", "A2"):
        for d in range(7):
            if (a, d) not in worked:
                day = pd.Timestamp(MONDAY) + pd.Timedelta(days=d)
                out.append(
                    [
                        a,
                        a,
                        str(day.date()),
                        f"{day:%Y-%m-%d %H:%M}",
                        f"{day + pd.Timedelta(days=1):%Y-%m-%d %H:%M}",
                        "off",
                        "",
                    ]
                )
    return pd.DataFrame(out, columns=["agent_id", "name", "date", "start", "end", "activity", "queue"])


def rules_broken(frame: pd.DataFrame, agents=AGENTS, time_off=(), **rules) -> list[str]:
    """Names of the rules the checker reports."""
    found = check_roster(parse_roster(frame), agents, SHIFTS, time_off, config(**rules))
    return [v.rule for v in found]


def test_clean_roster_has_no_violation() -> None:
    assert rules_broken(rows(("A1", 0, "09:00", 8, "chat"), ("A2", 1, "06:00", 8, "phone"))) == []


def test_two_shifts_on_one_day() -> None:
    assert rules_broken(rows(("A1", 0, "06:00", 8, "chat"))) == []
    frame = pd.concat([rows(("A1", 0, "06:00", 8, "chat")), rows(("A1", 0, "15:00", 8, "chat")).iloc[:1]])
    assert sorted(rules_broken(frame)) == ["minimum_rest", "one_shift_per_day"]


def test_minimum_rest() -> None:
    assert rules_broken(rows(("A1", 0, "15:00", 8, "chat"), ("A1", 1, "06:00", 8, "chat"))) == ["minimum_rest"]
    assert rules_broken(rows(("A1", 0, "15:00", 8, "chat"), ("A1", 1, "06:00", 8, "chat")), min_rest_hours=7) == []


def test_days_off_per_week() -> None:
    six = rows(*[("A1", d, "09:00", 8, "chat") for d in range(6)])
    assert rules_broken(six, agents=(replace(AGENTS[0], max_hours_week=None), AGENTS[1])) == ["days_off_per_week"]


def test_max_consecutive_days() -> None:
    four = rows(*[("A1", d, "09:00", 8, "chat") for d in range(4)])
    assert rules_broken(four, max_consecutive_days=3) == ["max_consecutive_days"]


def test_weekly_hours_minimum_and_maximum() -> None:
    assert rules_broken(
        rows(("A1", 0, "09:00", 8, "chat")), agents=(replace(AGENTS[0], min_hours_week=16), AGENTS[1])
    ) == ["weekly_hours"]
    assert rules_broken(
        rows(("A1", 0, "09:00", 8, "chat"), ("A1", 1, "09:00", 8, "chat")),
        agents=(replace(AGENTS[0], max_hours_week=10), AGENTS[1]),
    ) == ["weekly_hours"]


def test_availability() -> None:
    early_bird = (replace(AGENTS[0], latest_end_minute=16 * 60), AGENTS[1])
    assert rules_broken(rows(("A1", 0, "09:00", 8, "chat")), agents=early_bird) == ["availability"]


def test_time_off() -> None:
    off = (TimeOff("A1", MONDAY, 12 * 60, 13 * 60),)
    assert rules_broken(rows(("A1", 0, "09:00", 8, "chat")), time_off=off) == ["time_off"]


def test_skills_and_unknown_template() -> None:
    assert rules_broken(rows(("A2", 0, "09:00", 8, "chat"))) == ["skills"]
    assert rules_broken(rows(("A1", 0, "10:00", 8, "chat"))) == ["shift_template"]


def test_unknown_agent() -> None:
    frame = rows(("A1", 0, "09:00", 8, "chat"))
    frame.loc[0, "agent_id"] = "ZZ"
    assert rules_broken(frame) == ["unknown_agent"]


def test_bad_activity_is_input_error() -> None:
    from wfm.errors import InputError

    frame = rows(("A1", 0, "09:00", 8, "chat"))
    frame.loc[0, "activity"] = "nap"
    with pytest.raises(InputError, match=r"row 2.*activity"):
        parse_roster(frame)
