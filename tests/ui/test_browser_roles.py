"""Roles in a real browser (Playwright + Debian Chromium), each user in their own browser context (own cookies):
the planner builds and saves a roster; the supervisor's publish of a roster with other teams is refused and changes
nothing; the planner publishes; the agent signs in, sees only their schedule (also after a reload: the session
cookie), downloads the calendar, is refused the roster builder's URL, and asks for a day off; the supervisor sees
it with its effect and approves it; the agent's view shows it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from icalendar import Calendar

from tests.ui.conftest import USERS, go, screenshot, seed_users, sign_in, wait_idle
from tests.ui.server import start_app, stop_app
from wfm import store, workspace
from wfm.staffing.requirements import build_requirements

FIRST_DAY = pd.Timestamp("2026-11-02")


@pytest.fixture(scope="module")
def roles_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """An app of its own: the sample, the test users, and the requirements of a same-weekday-last-week forecast
    (the forecasting pages are walked by test_browser.py; here the planner starts at the roster)."""
    workdir = tmp_path_factory.mktemp("roles")
    url = f"sqlite:///{workdir / 'wfm.db'}"
    seed_users(url)
    engine = store.make_engine(url)
    with store.Session(engine) as session:
        history = store.get_history(session, start=FIRST_DAY - pd.Timedelta(days=7), end=FIRST_DAY)
    forecast = history.assign(interval_start=history["interval_start"] + pd.Timedelta(days=7))[
        ["queue", "interval_start", "offered", "aht_seconds"]
    ].rename(columns={"offered": "volume"})
    forecast["aht_seconds"] = forecast["aht_seconds"].fillna(forecast["aht_seconds"].mean())
    table = build_requirements(forecast, workspace.queue_settings(engine))
    with store.Session(engine) as session, session.begin():
        run_id = store.save_forecast(session, forecast, label="last week", model="seasonal naive")
        store.save_requirements(session, run_id, table)
    engine.dispose()
    proc, app = start_app(url, workdir / "streamlit.log")
    try:
        yield app, workdir / "streamlit.log"
    finally:
        stop_app(proc)


def _context(browser):
    context = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    return context, page


def _build_and_save(page) -> None:
    go(page, "Roster")
    page.get_by_label("Days", exact=True).fill("2")
    page.get_by_label("Days", exact=True).press("Enter")
    wait_idle(page)
    page.get_by_label("Time limit (s)", exact=True).fill("10")
    page.get_by_label("Time limit (s)", exact=True).press("Enter")
    wait_idle(page)
    page.get_by_role("button", name="Build roster").click()
    wait_idle(page)
    page.get_by_text("The independent checker found no hard-rule violation.").wait_for()
    page.get_by_role("button", name="Save as draft").click()
    wait_idle(page)
    page.get_by_text("stored version 1").wait_for()
    page.get_by_text("Not published yet.").wait_for()


def test_planner_supervisor_and_agent(browser, roles_url: tuple[str, Path]) -> None:
    app_url, server_log = roles_url
    planner_context, planner = _context(browser)
    sign_in(planner, app_url, "planner")
    _build_and_save(planner)
    screenshot(planner, "roles_1_planner_saved")

    supervisor_context, supervisor = _context(browser)
    sign_in(supervisor, app_url, "supervisor")
    go(supervisor, "Roster")
    supervisor.get_by_text("stored version 1").wait_for()
    supervisor.get_by_role("button", name="Publish", exact=True).click()
    wait_idle(supervisor)
    refusal = supervisor.get_by_test_id("stAlertContentError").filter(has_text="Not allowed").first.inner_text()
    assert "sue (supervisor) may not publish rosters for team" in refusal and "nothing was changed" in refusal
    screenshot(supervisor, "roles_2_supervisor_refused")
    supervisor.reload()
    wait_idle(supervisor)
    supervisor.get_by_text("Not published yet.").wait_for()  # nothing changed

    planner.get_by_role("button", name="Publish", exact=True).click()
    wait_idle(planner)
    planner.get_by_text("Version 1 published.").wait_for()
    planner.get_by_text("agents see what changed in their shifts").wait_for()

    agent_context, agent = _context(browser)
    sign_in(agent, app_url, "agent")
    agent.get_by_role("heading", name="My schedule").wait_for()
    agent.get_by_text("version 1, published").first.wait_for()
    assert agent.get_by_label("Agent", exact=True).count() == 0  # no picking other agents
    links = agent.get_by_test_id("stSidebar").get_by_role("link").all_inner_texts()
    assert sorted(x.strip().split("\n")[-1] for x in links) == ["My schedule", "Requests"]  # after the icon
    with agent.expect_download() as info:
        agent.get_by_role("button", name="Download calendar (ICS)").click()
    calendar = Calendar.from_ical(info.value.path().read_bytes())
    assert str(calendar.get("x-wr-calname")) == "Shifts A001"
    assert all(str(e.get("uid")).startswith("A001-") for e in calendar.walk("VEVENT"))
    screenshot(agent, "roles_3_agent_schedule")

    agent.reload()  # the session cookie keeps the agent signed in
    wait_idle(agent)
    agent.get_by_role("heading", name="My schedule").wait_for()
    agent.goto(f"{app_url}/roster")  # the roster builder's URL
    wait_idle(agent)
    agent.get_by_text("Ann Agent (agent) may not open Roster; nothing was changed.").wait_for()
    assert agent.get_by_role("button", name="Build roster").count() == 0
    screenshot(agent, "roles_4_agent_refused")

    go(agent, "Requests")
    agent.get_by_label("Reason", exact=True).fill("family visit")
    agent.get_by_role("button", name="Send request").click()
    wait_idle(agent)
    agent.get_by_text("Request 1 sent").wait_for()

    go(supervisor, "Requests")
    supervisor.get_by_text("Request 1: A001").wait_for()
    supervisor.get_by_text("Projected service level if approved").first.wait_for(state="attached")  # a table
    screenshot(supervisor, "roles_5_supervisor_request")
    supervisor.get_by_role("button", name="Approve").first.click()
    wait_idle(supervisor)
    supervisor.get_by_text("Request 1 approved").wait_for()

    agent.reload()
    wait_idle(agent)
    go(agent, "My schedule")
    agent.get_by_text("family visit").first.wait_for(state="attached")  # the approved time off, in a table
    go(agent, "Requests")
    agent.get_by_text("approved", exact=True).first.wait_for(state="attached")
    screenshot(agent, "roles_6_agent_approved")
    for context in (planner_context, supervisor_context, agent_context):
        context.close()
    logged = server_log.read_text(encoding="utf-8", errors="replace")
    assert not any(password in logged for _name, password, _extra in USERS.values())  # never in the server log
    assert "$argon2" not in logged
