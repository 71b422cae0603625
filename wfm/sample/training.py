"""The sample centre's training requirements (training.csv): onboarding for new hires, weekly skills for all."""

from __future__ import annotations

import pandas as pd

TRAINING_COLUMNS = (
    "requirement",
    "group",
    "members",
    "per",
    "sessions",
    "session_minutes",
    "first_weeks",
    "days",
    "earliest",
    "latest",
    "slot_step_minutes",
    "capacity",
    "together",
)
WEEKDAYS = "Mon;Tue;Wed;Thu;Fri"
TRAINING_ROWS = (
    # new hires: 2 h on every weekday they work in the first 4 weeks, sessions starting on the hour, 15 seats
    ("onboarding", "new_hire", "", "day", 1, 120, 4, WEEKDAYS, "09:00", "18:00", 60, 15, "no"),
    # everyone: 1 h of skills training a week, on weekdays 09:00–21:00, 12 seats per session
    ("weekly_skills", "everyone", "", "week", 1, 60, "", WEEKDAYS, "09:00", "21:00", "", 12, "no"),
    # the complaints team: two quality workshops in the horizon, 6 seats, sessions starting every half hour
    ("complaints_workshop", "team", "complaints", "horizon", 2, 60, "", "Tue;Wed;Thu", "10:00", "17:00", 30, 6, "no"),
)


def training_frame() -> pd.DataFrame:
    """The sample training.csv as a frame of text cells."""
    return pd.DataFrame([[str(v) for v in row] for row in TRAINING_ROWS], columns=list(TRAINING_COLUMNS))
