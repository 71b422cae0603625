"""Sign-in, roles and self-service in Streamlit's AppTest on a real database: the form gates every page, wrong
passwords are refused and counted, each role sees only its pages, and saves a role may not make are refused by the
core with a message while nothing changes; agents request time off and supervisors decide, audited under them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from tests.ui.conftest import USERS, as_user, sign_in_app
from wfm import store
from wfm.auth import users
from wfm.auth.permissions import ROLE_ACTIONS
from wfm.store.auth_models import SignInThrottle, TimeOffRequest
from wfm.store.models import AuditEntry, HistoryRow
from wfm.ui import pages
from wfm.ui.i18n import LABELS

APP = str(Path(__file__).resolve().parents[2] / "app.py")
TIMEOUT = 300


def _app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=TIMEOUT).run()


def _page(module: str, role: str) -> AppTest:
    return as_user(
        AppTest.from_string(f"from wfm.ui import {module}\n{module}.render()\n", default_timeout=TIMEOUT), role
    )


def _gated(path: str, role: str) -> AppTest:
    """One page through the app's gate (what a browser opening its URL gets), signed in as `role`."""
    script = (
        "from wfm.ui import pages\n"
        f"render, title = next((r, t) for r, t, p, _i in pages.page_functions() if p == {path!r})\n"
        f"pages.gate(render, title, {path!r})()\n"
    )
    return as_user(AppTest.from_string(script, default_timeout=TIMEOUT), role)


def test_every_page_needs_sign_in_and_a_wrong_password_is_refused(db_url: str) -> None:
    at = _app()
    assert not at.exception
    assert at.title[0].value == "Sign in"
    assert not at.sidebar.button  # no sign-out, no page links
    at.text_input(key="signin_name").input("pat")
    at.text_input(key="signin_password").input("not the password")
    at.button[0].click().run()
    assert [e.value for e in at.error] == ["Wrong user name or password."]
    assert at.title[0].value == "Sign in"
    with store.Session(store.make_engine(db_url)) as session:
        assert session.scalar(select(SignInThrottle.failures).where(SignInThrottle.name == "pat")) == 1
    sign_in_app(at, "planner")
    assert at.title[0].value == "Data"
    assert any("Signed in as Pat Planner (planner)" in c.value for c in at.sidebar.caption)


def test_sign_in_form_in_chinese(db_url: str) -> None:
    at = _app()
    at.sidebar.selectbox[0].set_value("zh").run()
    assert at.title[0].value == "登录"
    at.text_input(key="signin_name").input("pat")
    at.text_input(key="signin_password").input("wrong password")
    at.button[0].click().run()
    assert at.error[0].value == LABELS["auth.invalid"]["zh"]


def test_an_agent_lands_on_their_schedule_and_sign_out_ends_the_session(db_url: str) -> None:
    at = sign_in_app(_app(), "agent")
    assert not at.exception
    assert at.title[0].value == "My schedule"
    at.sidebar.button(key="signout").click().run()
    assert at.title[0].value == "Sign in"


@pytest.mark.parametrize("role", list(USERS))
@pytest.mark.parametrize("path", [p for _m, _t, p, _i in pages.PAGES])
def test_each_role_opens_only_its_pages(db_url: str, role: str, path: str) -> None:
    action = pages.page_action(path)
    allowed = action is None or action in ROLE_ACTIONS[role]
    if allowed and path not in ("users", "my-schedule", "requests"):
        return  # the planning pages themselves are exercised by test_pages.py
    at = _gated(path, role).run()
    assert not at.exception
    refusals = [w.value for w in at.warning if "may not open" in w.value]
    if allowed:
        assert not refusals
    else:
        [message] = refusals
        assert f"({role})" in message and "nothing was changed" in message
        assert not at.button and not at.get("plotly_chart")  # the page did not run


def test_a_supervisor_may_open_the_data_page_but_not_save_history(db_url: str) -> None:
    at = _page("data_page", "supervisor").run()
    good = "queue,interval_start,offered\nphone_presale,2026-11-01 08:00,12\nphone_presale,2026-11-01 08:15,15\n"
    at.file_uploader(key="data_upload").set_value(("good.csv", good.encode(), "text/csv")).run()
    engine = store.make_engine(db_url)
    with store.Session(engine) as session:
        before = session.scalar(select(func.count()).select_from(HistoryRow))
    at.button(key="data_save").click().run()
    assert not at.exception
    [message] = [e.value for e in at.error]
    assert message.startswith("Not allowed: sue (supervisor) may not save history; nothing was changed")
    with store.Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(HistoryRow)) == before


def test_only_an_administrator_adds_users(db_url: str) -> None:
    at = _page("users_page", "admin").run()
    assert "pat" in at.dataframe[0].value["name"].tolist()
    assert "password_hash" not in at.dataframe[0].value.columns
    at.text_input(key="us_name").input("newbie")
    at.text_input(key="us_password").input("a fine password")
    at.button[0].click().run()
    assert not at.exception and any("Saved" in s.value for s in at.success)
    with store.Session(store.make_engine(db_url)) as session:
        assert "newbie" in store.audit_log(session)["key"].tolist()
        details = store.audit_log(session)["detail"].astype(str).str.cat()
    assert "a fine password" not in details


def test_agent_requests_time_off_and_the_supervisor_decides(db_url: str) -> None:
    engine = store.make_engine(db_url)
    with store.Session(engine) as session:
        team = session.scalar(select(store.models.Agent.team).where(store.models.Agent.code == "A001"))
    assert team == "aftersale"  # the test supervisor looks after A001's team
    agent = _page("requests_page", "agent").run()
    assert not agent.exception
    agent.date_input(key="rq_day").set_value(date(2026, 11, 3))
    agent.text_input(key="rq_reason").input("dentist")
    agent.button[0].click().run()
    assert not agent.exception
    assert any("Request 1 sent" in s.value for s in agent.success)
    supervisor = _page("requests_page", "supervisor").run()
    assert not supervisor.exception
    assert any("Request 1: A001 on 2026-11-03" in m.value for m in supervisor.markdown)
    supervisor.button(key="rq_approve_1").click().run()
    assert not supervisor.exception
    with store.Session(engine) as session:
        request = session.get(TimeOffRequest, 1)
        off = store.get_time_off(session)
        decided = session.scalars(select(AuditEntry).where(AuditEntry.action == "approve")).one()
    assert request.status == "approved" and request.decided_by == "sue"
    assert ((off["agent_id"] == "A001") & (off["date"] == "2026-11-03")).any()
    assert decided.user == "sue"
    again = _page("requests_page", "agent").run()
    mine = again.dataframe[0].value
    assert pd.Series(mine["Status"]).tolist() == ["approved"]


def test_a_user_changes_their_own_password(db_url: str) -> None:
    at = sign_in_app(_app(), "agent")
    at.sidebar.text_input(key="own_password_value").input("a new agent password")
    next(b for b in at.button if b.label == "Change my password").click().run()
    assert not at.exception and any("Password changed" in s.value for s in at.success)
    assert at.title[0].value == "My schedule"  # still signed in
    engine = store.make_engine(db_url)
    with store.Session(engine) as session, session.begin():
        assert users.authenticate(session, "ann", USERS["agent"][1]).actor is None
    with store.Session(engine) as session, session.begin():
        assert users.authenticate(session, "ann", "a new agent password").actor is not None
