"""The staffing calculator page answers the reference cases (Streamlit AppTest, no browser)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def test_calculator_shows_the_reference_answer() -> None:
    at = AppTest.from_string(
        "from wfm.ui import staffing_calculator\nstaffing_calculator.render()\n", default_timeout=60
    ).run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Agents (net)"] == "14"  # 100 calls / 30 min, 180 s, 80/20: SL binds
    at.number_input(key="calc_volume").set_value(1000.0).run()
    at.number_input(key="calc_minutes").set_value(60).run()
    at.number_input(key="calc_aht").set_value(120.0).run()
    assert {m.label: m.value for m in at.metric}["Agents (net)"] == "40"


def test_calculator_email_spreads_the_work_over_the_response_window() -> None:
    at = AppTest.from_string(
        "from wfm.ui import staffing_calculator\nstaffing_calculator.render()\n", default_timeout=60
    ).run()
    at.radio(key="calc_model").set_value("email").run()
    at.number_input(key="calc_volume").set_value(60.0).run()
    at.number_input(key="calc_aht").set_value(300.0).run()
    assert not at.exception
    # 60 × 300 s = 18,000 s over 4 half-hours of a 2 h window: 4,500 s / (1,800 s × 0.85) → 3 agents
    assert {m.label: m.value for m in at.metric}["Agents (net)"] == "3"
    assert any("spread over the 4 intervals" in i.value for i in at.info)


def test_calculator_refuses_a_load_beyond_the_limits_with_a_message() -> None:
    at = AppTest.from_string(
        "from wfm.ui import staffing_calculator\nstaffing_calculator.render()\n", default_timeout=60
    ).run()
    at.number_input(key="calc_minutes").set_value(1).run()
    at.number_input(key="calc_aht").set_value(1e5).run()
    at.number_input(key="calc_volume").set_value(1e6).run()  # 1.7 billion Erlangs: far above MAX_TRAFFIC_ERLANGS
    assert not at.exception
    [message] = [e.value for e in at.error]
    assert message.startswith("Bad input: ") and "\n" not in message
    assert not at.metric  # no answer is shown for the refused input
    at.number_input(key="calc_volume").set_value(100.0)
    at.number_input(key="calc_aht").set_value(180.0)
    at.number_input(key="calc_minutes").set_value(30).run()
    assert not at.error and {m.label: m.value for m in at.metric}["Agents (net)"] == "14"
