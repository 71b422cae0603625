"""Daily operations report: hand-checked sums, weights and peak hours."""

from __future__ import annotations

import pandas as pd
import pytest

from wfm.reports import daily_operations


def test_daily_report_weights_and_peak_hour() -> None:
    history = pd.DataFrame(
        {
            "queue": ["phone_presale"] * 4,
            "interval_start": pd.to_datetime(
                ["2026-11-11 09:00", "2026-11-11 09:30", "2026-11-11 14:00", "2026-11-12 09:00"]
            ),
            "offered": [100.0, 50.0, 120.0, 10.0],
            "answered": [90.0, 50.0, 100.0, 10.0],
            "abandoned": [10.0, 0.0, 20.0, 0.0],
            "answered_in_target": [72.0, 45.0, 60.0, 10.0],
            "aht_seconds": [200.0, 100.0, 300.0, 50.0],
            "asa_seconds": [10.0, 4.0, 40.0, 1.0],
        }
    )
    report = daily_operations(history, {"phone_presale": "voice"}).set_index("date")
    day = report.loc[pd.Timestamp("2026-11-11").date()]
    assert day["channel"] == "voice"
    assert day["offered"] == 270 and day["answered"] == 240 and day["abandoned"] == 30
    assert day["peak_hour"] == 9 and day["peak_hour_offered"] == 150
    assert day["service_level"] == pytest.approx(177 / 270)
    assert day["abandon_rate"] == pytest.approx(30 / 270)
    assert day["aht_seconds"] == pytest.approx((90 * 200 + 50 * 100 + 100 * 300) / 240)
    assert day["asa_seconds"] == pytest.approx((90 * 10 + 50 * 4 + 100 * 40) / 240)


def test_history_with_only_offered_still_reports_volume() -> None:
    history = pd.DataFrame(
        {
            "queue": ["q", "q"],
            "interval_start": pd.to_datetime(["2026-01-01 08:00", "2026-01-01 10:00"]),
            "offered": [5.0, 7.0],
        }
    )
    row = daily_operations(history).iloc[0]
    assert row["offered"] == 12 and row["peak_hour"] == 10
    assert pd.isna(row["service_level"]) and pd.isna(row["aht_seconds"])
