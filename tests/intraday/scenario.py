"""A tiny intraday scenario on disk: two voice queues on a 30-minute grid, five templates, a one-day roster of a
few agents, and a hand-made rest-of-day forecast, so each action's effect can be reasoned about by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

DAY = pd.Timestamp("2026-11-11")  # a Wednesday
UNTIL = DAY + pd.Timedelta(hours=10)

QUEUES = """queue,channel,interval_minutes,service_level,answer_seconds,shrinkage,min_agents
q1,voice,30,0.8,20,0,0
q2,voice,30,0.8,20,0,0
"""
SHIFTS = """shift,start,length_minutes,breaks
S8,08:00,480,30
S10,08:00,600,30
S6,08:00,360,30
L8,12:00,480,30
"""
RULES = """[rules]
interval_minutes = 30
min_rest_hours = 11
days_off_per_week = 0

[breaks_all]
min_shift_hours = 0
max_shift_hours = 24
breaks = 1
break_minutes = 30
earliest_hours = 1
end_margin_hours = 1
min_gap_hours = 1
"""
AGENTS = """agent_id,name,skills,min_hours_week,max_hours_week
b1,Break Agent,q1,0,50
b2,Training Agent,q1,0,50
b3,Overtime Agent,q2,0,50
m1,Move Agent,q1;q2,0,50
x1,Absent Agent,q1,0,50
"""


def write(
    folder: Path, roster_rows: list[tuple], time_off: str = "agent_id,date,start,end\n"
) -> dict[str, Path | None]:
    """The scenario's files in `folder`; roster_rows: (agent_id, start HH:MM, end HH:MM, activity, queue)."""
    names = {"b1": "Break Agent", "b2": "Training Agent", "b3": "Overtime Agent", "m1": "Move Agent"}
    names["x1"] = "Absent Agent"
    files = {
        "queues": folder / "queues.csv",
        "shifts": folder / "shifts.csv",
        "rules": folder / "rules.toml",
        "agents": folder / "agents.csv",
        "roster": folder / "roster.csv",
        "time_off": folder / "time_off.csv",
    }
    files["queues"].write_text(QUEUES, encoding="utf-8")
    files["shifts"].write_text(SHIFTS, encoding="utf-8")
    files["rules"].write_text(RULES, encoding="utf-8")
    files["agents"].write_text(AGENTS, encoding="utf-8")
    files["time_off"].write_text(time_off, encoding="utf-8")
    if len(time_off.strip().splitlines()) < 2:
        files["time_off"] = None  # the reader refuses a file without rows
    lines = ["agent_id,name,date,start,end,activity,queue"]
    for agent, start, end, activity, queue in roster_rows:
        lines.append(
            f"{agent},{names[agent]},{DAY:%Y-%m-%d},{DAY:%Y-%m-%d} {start},{DAY:%Y-%m-%d} {end},{activity},{queue}"
        )
    files["roster"].write_text("\n".join(lines) + "\n", encoding="utf-8")
    return files


def shift(agent: str, start: str, end: str, queue: str, *pauses: tuple[str, str, str, str]) -> list[tuple]:
    """Roster rows of one shift: work around the pauses (start, end, activity, label)."""
    rows, cursor = [], start
    for a, b, activity, label in sorted(pauses):
        if a > cursor:
            rows.append((agent, cursor, a, "work", queue))
        rows.append((agent, a, b, activity, label))
        cursor = b
    if end > cursor:
        rows.append((agent, cursor, end, "work", queue))
    return rows


def rest_forecast(volumes: dict[str, dict[str, float]], aht_seconds: float = 300.0) -> pd.DataFrame:
    """A rest-of-day forecast (10:00–20:00, 30 minutes) from {queue: {"HH:MM-HH:MM": contacts per interval}}."""
    stamps = pd.date_range(UNTIL, DAY + pd.Timedelta(hours=20), freq="30min", inclusive="left")
    rows = []
    for queue, spans in volumes.items():
        for stamp in stamps:
            volume = 0.0
            for span, value in spans.items():
                lo, hi = span.split("-")
                if f"{stamp:%H:%M}" >= lo and f"{stamp:%H:%M}" < hi:
                    volume = value
            rows.append((queue, stamp, volume))
    frame = pd.DataFrame(rows, columns=["queue", "interval_start", "volume"])
    frame["aht_seconds"] = aht_seconds
    frame["volume_lo"] = frame["volume"] * 0.8
    frame["volume_hi"] = frame["volume"] * 1.2
    return frame


def poisson_history(days: pd.DatetimeIndex, levels: dict[str, float], seed: int = 0) -> pd.DataFrame:
    """Interval history 08:00–20:00 on 30 minutes: a fixed bell-shaped profile times a level per queue."""
    rng = np.random.default_rng(seed)
    slots = np.arange(24)
    shape = 1.0 + 0.8 * np.sin(np.pi * slots / 23)
    rows = []
    for day in days:
        for queue, level in levels.items():
            for slot in slots:
                rows.append(
                    (queue, day + pd.Timedelta(hours=8, minutes=30 * int(slot)), rng.poisson(level * shape[slot]))
                )
    frame = pd.DataFrame(rows, columns=["queue", "interval_start", "offered"])
    frame["aht_seconds"] = 300.0
    return frame
