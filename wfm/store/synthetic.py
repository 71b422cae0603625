"""Seeded synthetic roster segments (the export contract) for tests and the store benchmark."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = (
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
    "霞",
    "平",
)
QUEUES = ("phone_presale", "chat_presale", "phone_aftersale", "chat_aftersale")
SHIFT_STARTS_HOURS = (6, 7, 8, 9, 10, 11, 12, 13, 14, 22)


def synthetic_segments(n_agents: int, days: int, *, start: date = date(2026, 11, 2), seed: int = 0) -> pd.DataFrame:
    """A roster: per agent 5 days of 7 worked (work 3 h, lunch 1 h, work 2 h, break 15 min, work), else `off`.

    A worked day has 5 segments and a day off one row, ~3.9 rows per agent-day; shifts starting at 22:00 end the
    next day. Names are Chinese. Columns: the roster contract, date/start/end as datetime64.
    """
    rng = np.random.default_rng(seed)
    rows = []
    midnight = datetime.combine(start, datetime.min.time())
    for a in range(n_agents):
        agent_id = f"A{a + 1:04d}"
        name = SURNAMES[a % len(SURNAMES)] + GIVEN[(a // len(SURNAMES)) % len(GIVEN)]
        queue = QUEUES[int(rng.integers(len(QUEUES)))]
        hour = int(rng.choice(SHIFT_STARTS_HOURS))
        rest = {int(x) for x in rng.choice(7, size=2, replace=False)}
        for d in range(days):
            day = midnight + timedelta(days=d)
            if d % 7 in rest:
                rows.append((agent_id, name, day, day, day + timedelta(days=1), "off", ""))
                continue
            t = day + timedelta(hours=hour)
            parts = (("work", 180), ("lunch", 60), ("work", 120), ("break", 15), ("work", 165))
            for activity, minutes in parts:
                end = t + timedelta(minutes=minutes)
                rows.append((agent_id, name, day, t, end, activity, queue if activity == "work" else ""))
                t = end
    frame = pd.DataFrame(rows, columns=["agent_id", "name", "date", "start", "end", "activity", "queue"])
    for column in ("date", "start", "end"):
        frame[column] = frame[column].astype("datetime64[ns]")
    return frame
