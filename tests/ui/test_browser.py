"""End-to-end in a real browser: the app opens and answers (Playwright + Debian Chromium)."""

from __future__ import annotations

from tests.ui.conftest import screenshot, wait_idle


def test_staffing_calculator_in_the_browser(page, app_url: str) -> None:
    page.goto(app_url)
    wait_idle(page)
    page.get_by_text("Agents (net)").first.wait_for()
    assert page.get_by_test_id("stMetricValue").first.inner_text() == "14"
    screenshot(page, "staffing_calculator")
