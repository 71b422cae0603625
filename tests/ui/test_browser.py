"""End-to-end in a real browser (Playwright + Debian Chromium): sample data → forecast → requirements → roster →
scenario comparison → roster CSV download, with a screenshot of every page under test-artifacts/."""

from __future__ import annotations

import csv
import io

from tests.ui.conftest import go, screenshot, sign_in, wait_idle


def _go(page, title: str) -> None:
    """Open a page from the sidebar links (keeps the browser session and its state)."""
    go(page, title)


def test_planner_walks_every_page(page, app_url: str) -> None:
    sign_in(page, app_url, "planner")
    page.get_by_role("heading", name="Daily operations report").wait_for()
    assert page.get_by_text("Traceback").count() == 0
    screenshot(page, "1_data")

    _go(page, "Forecast")
    page.get_by_label("Days", exact=True).fill("7")
    page.get_by_label("Days", exact=True).press("Enter")
    wait_idle(page)
    page.get_by_role("button", name="Run forecast").click()
    wait_idle(page)
    page.get_by_text("actual vs forecast").first.wait_for()
    screenshot(page, "2_forecast")

    _go(page, "Staffing")
    page.get_by_role("button", name="Compute requirements").click()
    wait_idle(page)
    page.get_by_text("Agents to schedule per interval").first.wait_for()
    screenshot(page, "3_staffing")

    _go(page, "Roster")
    page.get_by_label("Days", exact=True).fill("2")
    page.get_by_label("Days", exact=True).press("Enter")
    wait_idle(page)
    page.get_by_label("Time limit (s)", exact=True).fill("10")
    page.get_by_label("Time limit (s)", exact=True).press("Enter")
    wait_idle(page)
    page.get_by_role("button", name="Build roster").click()
    wait_idle(page)
    page.get_by_text("Penalty report").first.wait_for()
    screenshot(page, "4_roster")

    _go(page, "Scenarios")
    page.get_by_role("button", name="Save scenario").click()
    wait_idle(page)
    page.get_by_text('Scenario "Double 11" saved.').wait_for()
    page.get_by_role("button", name="Compare", exact=True).click()
    wait_idle(page)
    page.get_by_text("Projected service level").first.wait_for()
    assert page.locator(".legendtext").filter(has_text="Double 11").count() > 0  # compared side by side
    screenshot(page, "5_scenarios")

    _go(page, "Export")
    with page.expect_download() as info:
        page.get_by_role("button", name="Roster segments CSV").click()
    text = info.value.path().read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and set(rows[0]) >= {"agent_id", "name", "date", "start", "end", "activity", "queue"}
    assert {r["activity"] for r in rows} >= {"work"}
    assert len({r["agent_id"] for r in rows}) >= 100
    screenshot(page, "6_export")

    _go(page, "Staffing calculator")
    assert page.get_by_test_id("stMetricValue").first.inner_text() == "14"
    screenshot(page, "7_calculator")
