"""Small synthetic histories for the forecasting tests (weekday shape, intraday shape, closed weekends)."""

from __future__ import annotations

import numpy as np
import pandas as pd

WEEKDAY_LEVEL = np.array([1.2, 1.0, 1.0, 0.95, 1.05, 0.0, 0.0])


def weekly_history(
    weeks: int = 6, queues: tuple[str, ...] = ("a", "b"), start: str = "2024-01-01", noise: bool = True, seed: int = 1
) -> pd.DataFrame:
    """Hourly unique_id/ds/y frame, open 08:00–18:00 on weekdays, with Poisson noise if asked."""
    rng = np.random.default_rng(seed)
    rows = []
    for q, queue in enumerate(queues):
        for day in pd.date_range(start, periods=7 * weeks, freq="D"):
            level = WEEKDAY_LEVEL[day.weekday()]
            if level == 0:
                continue
            for hour in range(8, 18):
                mean = (50 + 20 * q) * level * (1 + 0.5 * np.sin((hour - 8) / 10 * np.pi))
                value = rng.poisson(mean) if noise else round(mean, 6)
                rows.append((queue, day + pd.Timedelta(hours=hour), float(value)))
    return pd.DataFrame(rows, columns=["unique_id", "ds", "y"])
