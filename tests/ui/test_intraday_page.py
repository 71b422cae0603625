"""The Intraday page: in AppTest (upload the morning's actuals, the reforecast, gap and actions appear, one action
applied as a new roster version, refusal for a user without roster rights) and in a real browser (Playwright +
Debian Chromium: upload, see the reforecast, apply one action, see the projected service level rise)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.ui.conftest import as_user, go, screenshot, seed_users, sign_in, wait_idle
from tests.ui.server import start_app, stop_app
from wfm import store

DATA = Path(__file__).resolve().parents[2] / "data"
DAY = pd.Timestamp("2025-11-11")  # Double 11 in the sample's history
UNTIL = DAY + pd.Timedelta(hours=10)
ROSTER_NAME = "roster 2025-11-11"
TIMEOUT = 600


@pytest.fixture(scope="module")
def double_eleven(tmp_path_factory: pytest.TempPathFactory) -> tuple[pd.DataFrame, Path]:
    """A one-day roster for the sample's Double 11 (built by the roster engine from the day-ahead forecast) and the
    day's actuals until 10:00 as a CSV file."""
    from forecasting.events import read_events, site_holidays
    from forecasting.history import read_history
    from forecasting.pipeline import build_forecast
    from wfm.csvio import write_csv
    from wfm.roster.activities import place_activities
    from wfm.roster.inputs import load_instance
    from wfm.roster.outputs import roster_frame
    from wfm.roster.solve import SolveSettings, solve_roster
    from wfm.staffing.queues import read_queues
    from wfm.staffing.requirements import build_requirements

    folder = tmp_path_factory.mktemp("double_eleven")
    history = read_history(DATA / "history.csv.gz")
    stamps = pd.to_datetime(history["interval_start"])
    calendar = read_events(DATA / "events.csv") + site_holidays("CN", range(2023, 2027))
    forecast = build_forecast(history[stamps < DAY], DAY, 1, model="calendar", calendar=calendar).frame
    write_csv(build_requirements(forecast, read_queues(DATA / "queues.csv")), folder / "requirements.csv")
    instance, config = load_instance(
        requirements=folder / "requirements.csv",
        agents=DATA / "agents.csv",
        shifts=DATA / "shifts.csv",
        time_off=DATA / "time_off.csv",
        rules=DATA / "rules.toml",
        start=DAY.date(),
        days=1,
    )
    solution = solve_roster(instance, config, SolveSettings(time_limit_seconds=10))
    plan = place_activities(instance, config, solution.assignments, (), 5.0)
    actuals = history[(stamps >= DAY) & (stamps < UNTIL)]
    path = folder / "actuals_2025-11-11_morning.csv"
    actuals.to_csv(path, index=False, date_format="%Y-%m-%d %H:%M")
    return roster_frame(instance, solution.assignments, plan), path


def _save_roster(url: str, frame: pd.DataFrame) -> None:
    engine = store.make_engine(url)
    with store.Session(engine) as session, session.begin():
        store.save_roster(session, ROSTER_NAME, frame, expected_version=0)
    with store.Session(engine) as session, session.begin():
        store.publish_roster(session, ROSTER_NAME, expected_version=1)
    engine.dispose()


def _page(role: str) -> AppTest:
    script = "from wfm.ui import common, intraday_page\ncommon.safe_page(intraday_page.render)()\n"
    return as_user(AppTest.from_string(script, default_timeout=TIMEOUT), role)


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_intraday_page_reforecast_gap_actions_and_apply(db_url: str, double_eleven) -> None:
    frame, actuals = double_eleven
    _save_roster(db_url, frame)
    at = _page("planner").run()
    assert not at.exception and any("Upload today's actuals" in i.value for i in at.info)
    at.file_uploader(key="in_actuals").set_value((actuals.name, actuals.read_bytes(), "text/csv")).run()
    assert not at.exception and not [e.value for e in at.error]
    assert _metric(at, "Actuals until") == "2025-11-11 10:00"
    charts = at.get("plotly_chart")
    assert len(charts) == 2 and '"heatmap"' in charts[1].proto.spec and "reforecast" in charts[0].proto.spec
    result = at.session_state["intraday_result"][1]
    assert result.actions and (result.gap["interval_start"] >= UNTIL).all()
    sl_before = float(_metric(at, "Projected service level, rest of day").rstrip("%"))
    gap_before = float(_metric(at, "Gap to the target service level"))
    first = result.actions[0]
    assert first.sequence == 1 and any("step 1 after the ones above" in c.value for c in at.caption)
    at.button(key="in_apply_1").click().run()
    assert not at.exception and not [e.value for e in at.error]
    assert any("Saved as version 2" in s.value for s in at.success)
    sl_after = float(_metric(at, "Projected service level, rest of day").rstrip("%"))
    assert sl_after > sl_before
    assert _metric(at, "Projected service level, rest of day") == f"{first.service_level_after:.2%}"  # as claimed
    assert float(_metric(at, "Gap to the target service level")) < gap_before
    with store.Session(store.make_engine(db_url)) as session:
        versions = store.roster_versions(session, ROSTER_NAME)
        _info, saved = store.load_roster(session, ROSTER_NAME)
    assert versions["version"].max() == 2 and first.description in versions["note"].iloc[0]
    mine = saved[(saved["agent_id"] == first.agent_id) & (saved["activity"] != "off")]
    assert len(mine) == len(first.rows)
    # Chinese labels
    at.session_state["ui_language"] = "zh"
    at.run()
    assert any(m.label == "剩余时段预计服务水平" for m in at.metric)


def test_intraday_apply_needs_roster_rights_and_bad_actuals_are_named(db_url: str, double_eleven, tmp_path) -> None:
    frame, actuals = double_eleven
    _save_roster(db_url, frame)
    at = _page("supervisor").run()  # Sue looks after the aftersale team only
    at.file_uploader(key="in_actuals").set_value((actuals.name, actuals.read_bytes(), "text/csv")).run()
    result = at.session_state["intraday_result"][1]
    teams = pd.read_csv(DATA / "agents.csv", encoding="utf-8-sig").set_index("agent_id")["team"]
    outside = [a for a in result.actions if teams[a.agent_id] != "aftersale"]
    assert outside
    at.button(key=f"in_apply_{outside[0].action_id}").click().run()
    assert any("Not allowed" in e.value for e in at.error)
    with store.Session(store.make_engine(db_url)) as session:
        assert store.roster_versions(session, ROSTER_NAME)["version"].max() == 1  # nothing was saved
    bad = actuals.read_text(encoding="utf-8").replace("2025-11-11 08:00", "2025-11-10 08:00", 1)
    at.file_uploader(key="in_actuals").set_value(("two_days.csv", bad.encode(), "text/csv")).run()
    assert not at.exception
    message = " ".join(e.value for e in at.error)
    assert "two_days.csv" in message and "row" in message and "not on 2025-11-11" in message


@pytest.fixture(scope="module")
def intraday_app(tmp_path_factory: pytest.TempPathFactory, double_eleven) -> Iterator[str]:
    """The app on a database with the test users and the Double 11 roster published."""
    workdir = tmp_path_factory.mktemp("intraday_app")
    url = f"sqlite:///{workdir / 'wfm.db'}"
    seed_users(url)
    _save_roster(url, double_eleven[0])
    proc, app = start_app(url, workdir / "streamlit.log")
    try:
        yield app
    finally:
        stop_app(proc)


def _value(page, label: str) -> float:
    metric = page.get_by_test_id("stMetric").filter(has_text=label)
    return float(metric.get_by_test_id("stMetricValue").inner_text().rstrip("%"))


def _sl(page) -> float:
    return _value(page, "Projected service level, rest of day")


def test_browser_upload_reforecast_apply_and_the_gap_shrinks(browser, intraday_app: str, double_eleven) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(180_000)
    try:
        sign_in(page, intraday_app, "planner")
        go(page, "Intraday")
        page.get_by_test_id("stFileUploader").locator("input[type=file]").set_input_files(str(double_eleven[1]))
        wait_idle(page)
        page.get_by_text("Suggested actions").first.wait_for()
        page.locator(".legendtext").filter(has_text="reforecast").first.wait_for()  # the reforecast is drawn
        assert page.get_by_text("Traceback").count() == 0
        before, gap_before = _sl(page), _value(page, "Gap to the target service level")
        screenshot(page, "intraday_before")
        page.get_by_role("button", name="Apply").first.click()
        wait_idle(page)
        page.get_by_text("Saved as version 2").wait_for()
        wait_idle(page)
        after, gap_after = _sl(page), _value(page, "Gap to the target service level")
        screenshot(page, "intraday_after")
        assert after > before and gap_after < gap_before  # the applied action shrinks the gap
    finally:
        context.close()
