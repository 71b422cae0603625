"""The app starts and the staffing calculator answers (Streamlit AppTest, no browser)."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def test_calculator_shows_the_reference_answer() -> None:
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Agents (net)"] == "14"  # 100 calls / 30 min, 180 s, 80/20: SL binds
    at.number_input(key="calc_volume").set_value(1000.0).run()
    at.number_input(key="calc_minutes").set_value(60).run()
    at.number_input(key="calc_aht").set_value(120.0).run()
    assert {m.label: m.value for m in at.metric}["Agents (net)"] == "40"
