"""Test helpers for the sign-in and self-service tests: actors of each role for the small data folder
(tests/store/data: A001 and A004 in 售前一组 with phone_presale, A002 in 售后组, A003 in 投诉组) and a hand-made
week roster with lunches and breaks placed as the shift templates say."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from wfm.auth.permissions import Actor

TEAM = "售前一组"
ADMIN = Actor("ada", "admin")
PLANNER = Actor("pat", "planner")
SUPERVISOR = Actor("sue", "supervisor", teams=(TEAM,))
OTHER_SUPERVISOR = Actor("sam", "supervisor", teams=("售后组",))
AGENT = Actor("ann", "agent", agent_code="A001")
COLLEAGUE = Actor("bo", "agent", agent_code="A004")
ROLES = {"admin": ADMIN, "planner": PLANNER, "supervisor": SUPERVISOR, "agent": AGENT}
START = date(2026, 11, 2)  # a Monday
SHIFT_HOURS = {"E0800": 8, "D1000": 10, "L1500": 15}
NAMES = {"A001": "张伟", "A002": "李娜", "A004": "王芳"}
COLUMNS = ["agent_id", "name", "date", "start", "end", "activity", "queue"]


def shift_rows(agent: str, day: date, shift: str, queue: str) -> list[tuple]:
    """A 9-hour shift: work, a 15-minute break, work, a 60-minute lunch, work, a break, work."""
    first = pd.Timestamp(day) + pd.Timedelta(hours=SHIFT_HOURS[shift])
    parts = [(0, 120, "work"), (120, 135, "break"), (135, 240, "work"), (240, 300, "lunch")]
    parts += [(300, 420, "work"), (420, 435, "break"), (435, 540, "work")]
    return [
        (
            agent,
            NAMES[agent],
            day.isoformat(),
            (first + pd.Timedelta(minutes=a)).strftime("%Y-%m-%d %H:%M"),
            (first + pd.Timedelta(minutes=b)).strftime("%Y-%m-%d %H:%M"),
            activity,
            queue if activity == "work" else "",
        )
        for a, b, activity in parts
    ]


def week(a004_shift: str = "D1000", a004_off: int = 2, a002_shift: str = "D1000") -> pd.DataFrame:
    """A001 early Mon–Fri, A004 `a004_shift` Mon–Fri except day `a004_off`, A002 on chat Mon–Fri."""
    rows = []
    for offset in range(5):
        day = START + timedelta(days=offset)
        rows += shift_rows("A001", day, "E0800", "phone_presale")
        if offset != a004_off:
            rows += shift_rows("A004", day, a004_shift, "phone_presale")
        rows += shift_rows("A002", day, a002_shift, "chat_aftersale")
    return pd.DataFrame(rows, columns=COLUMNS)
