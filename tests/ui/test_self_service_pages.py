"""The self-service pages in AppTest on the small test data with a published week roster: an agent's schedule by
day / week / month with its version and ICS, preferences saved; a shift swap offered, taken and approved (the
checker passes) and one refused naming the rule and agent."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.store.people import AGENT, COLLEAGUE, PLANNER, SUPERVISOR, week
from wfm import store
from wfm.auth import preferences
from wfm.auth.permissions import acting_as
from wfm.ui.common import ACTOR_KEY

DATA = Path(__file__).resolve().parents[1] / "store" / "data"
TIMEOUT = 300


def _published_db(path: Path, frame) -> str:
    url = f"sqlite:///{path}"
    engine = store.make_engine(url)
    store.upgrade(engine)
    store.load_folder(engine, DATA, progress=lambda _m: None)
    with acting_as(PLANNER), store.Session(engine) as s, s.begin():
        store.save_roster(s, "nov", frame, expected_version=0)
        store.publish_roster(s, "nov", expected_version=1)
    engine.dispose()
    return url


@pytest.fixture
def small_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = _published_db(tmp_path / "wfm.db", week())
    monkeypatch.setenv("WFM_DATABASE_URL", url)
    yield url


def _page(module: str, actor) -> AppTest:
    at = AppTest.from_string(f"from wfm.ui import {module}\n{module}.render()\n", default_timeout=TIMEOUT)
    at.session_state[ACTOR_KEY] = actor
    return at.run()


def test_agent_schedule_views_and_preferences(small_db: str) -> None:
    at = _page("my_schedule_page", AGENT)
    assert not at.exception and not at.error
    assert any("Roster nov: version 1, published" in c.value for c in at.caption)
    assert len(at.dataframe[0].value) == 5  # the week: Monday to Friday
    at.radio(key="ms_span").set_value("day").run()
    assert len(at.dataframe[0].value) == 1
    at.radio(key="ms_span").set_value("month").run()
    assert len(at.dataframe[0].value) == 5
    assert not at.selectbox  # an agent cannot pick another agent
    at.multiselect(key="ms_days").set_value([5, 6])
    at.multiselect(key="ms_cat").set_value(["early"])
    at.button[0].click().run()
    assert not at.exception and any("Preferences saved" in s.value for s in at.success)
    with store.Session(store.make_engine(small_db)) as s:
        assert preferences.get(s, "A001") == ([5, 6], ["early"])


def test_supervisor_picks_only_their_team(small_db: str) -> None:
    at = _page("my_schedule_page", SUPERVISOR)
    assert not at.exception
    assert at.selectbox(key="ms_agent").options == ["A001", "A004"]


def test_swap_offered_taken_and_approved(small_db: str) -> None:
    agent = _page("requests_page", AGENT)
    agent.selectbox(key="sw_day").set_value(date(2026, 11, 4))
    agent.button(key="sw_offer").click().run()
    assert any("Swap 1 offered" in s.value for s in agent.success)
    colleague = _page("requests_page", COLLEAGUE)
    colleague.button(key="sw_take_1").click().run()
    assert any("Swap 1 taken" in s.value for s in colleague.success)
    supervisor = _page("requests_page", SUPERVISOR)
    supervisor.button(key="sw_approve_1").click().run()
    assert not supervisor.exception
    assert any("Swap 1 approved: published as version 2" in s.value for s in supervisor.success)
    with store.Session(store.make_engine(small_db)) as s:
        info, frame = store.load_roster(s, "nov", published=True)
    assert info.version == 2 and info.published_by == "sue"
    assert "A001" not in set(frame.loc[frame["date"].dt.date == date(2026, 11, 4), "agent_id"])  # A004 works it


def test_swap_breaking_the_rest_rule_is_refused_in_the_page(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("WFM_DATABASE_URL", _published_db(tmp_path / "wfm.db", week(a004_shift="L1500")))
    agent = _page("requests_page", AGENT)
    agent.selectbox(key="sw_day").set_value(date(2026, 11, 4))
    agent.button(key="sw_offer").click().run()
    colleague = _page("requests_page", COLLEAGUE)
    colleague.button(key="sw_take_1").click().run()
    supervisor = _page("requests_page", SUPERVISOR)
    supervisor.button(key="sw_approve_1").click().run()
    [warning] = [w.value for w in supervisor.warning]
    assert warning.startswith("Swap 1 refused.") and "minimum_rest · A004" in warning
