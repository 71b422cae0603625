"""Roles × actions through the service layer: every save, publish, decision and user change is allowed or refused
as docs/security.md says, a refusal changes nothing, and what is allowed is audited under the real user."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest
from sqlalchemy import func, select

from tests.store.people import ADMIN, AGENT, OTHER_SUPERVISOR, PLANNER, ROLES, START, SUPERVISOR, TEAM, week
from wfm.auth import requests, users
from wfm.auth.permissions import ROLE_ACTIONS, Action, PermissionDenied, acting_as, require
from wfm.store import (
    Session,
    audit_log,
    get_events,
    get_queues,
    get_rules,
    get_shifts,
    load_folder,
    load_roster,
    publish_roster,
    save_events,
    save_forecast,
    save_history,
    save_queues,
    save_requirements,
    save_roster,
    save_rules,
    save_scenario,
    save_shifts,
)
from wfm.store.models import AuditEntry

HISTORY = pd.DataFrame(
    {"queue": ["phone_presale"], "interval_start": [pd.Timestamp("2026-11-01 08:00")], "offered": [3.0]}
)
FORECAST = pd.DataFrame(
    {
        "queue": ["phone_presale"],
        "interval_start": [pd.Timestamp("2026-11-02 08:00")],
        "volume": [10.0],
        "aht_seconds": [180.0],
    }
)
REQUIREMENTS = FORECAST.assign(required_agents=[2.0])


def _forecast_run(s) -> int:
    return save_forecast(s, FORECAST)


def _request(s) -> int:
    with acting_as(AGENT):
        return requests.submit(s, "A001", START + timedelta(days=1), reason="dentist")


# action → what it does through the service layer (runs in a transaction; set-up done as the local operator)
CALLS = {
    "history.save": lambda s: save_history(s, HISTORY),
    "forecast.save": lambda s: save_forecast(s, FORECAST),
    "requirements.save": (_forecast_run, lambda s, run: save_requirements(s, run, REQUIREMENTS)),
    "scenario.save": lambda s: save_scenario(s, "peak", {"volume_factor": 1.2}),
    "queues.save": lambda s: save_queues(s, get_queues(s)),
    "rules.save": lambda s: save_rules(s, get_rules(s)),
    "staff.save": lambda s: save_shifts(s, get_shifts(s)),
    "events.save": lambda s: save_events(s, get_events(s)),
    "roster.save": lambda s: save_roster(s, "nov", week(), expected_version=0),
    "roster.publish": (
        lambda s: save_roster(s, "nov", week(), expected_version=0).version,
        lambda s, v: publish_roster(s, "nov", expected_version=v),
    ),
    "users.manage": lambda s: users.add_user(s, "zed", "correct horse", "planner"),
    "request.decide": (_request, lambda s, rid: requests.decide(s, rid, True)),
    "request.own": lambda s: requests.submit(s, "A001", START, reason="family"),
}
ALLOWED = {
    "admin": set(CALLS) - {"request.own"},
    "planner": {
        "history.save",
        "forecast.save",
        "requirements.save",
        "scenario.save",
        "events.save",
        "roster.save",
        "roster.publish",
    },
    # the week roster has agents of three teams: a supervisor of one team may neither save nor publish it
    "supervisor": {"request.decide"},
    "agent": {"request.own"},
}


@pytest.fixture
def loaded(engine, data_dir):
    load_folder(engine, data_dir)
    return engine


def _audit_count(engine) -> int:
    with Session(engine) as s:
        return s.scalar(select(func.count()).select_from(AuditEntry))


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("action", list(CALLS))
def test_role_and_action(loaded, role, action) -> None:
    actor = ROLES[role]
    call = CALLS[action]
    with Session(loaded) as s, s.begin():
        prepared = call[0](s) if isinstance(call, tuple) else None
    act = (lambda s: call[1](s, prepared)) if isinstance(call, tuple) else call
    before = _audit_count(loaded)
    if action in ALLOWED[role]:
        with acting_as(actor), Session(loaded) as s, s.begin():
            act(s)
        with Session(loaded) as s:
            newest = audit_log(s, limit=1)
        assert newest["user"].iloc[0] == actor.name  # audited under the real user
    else:
        refused = pytest.raises(PermissionDenied, match=actor.name)
        with acting_as(actor), Session(loaded) as s, refused, s.begin():
            act(s)
        assert _audit_count(loaded) == before  # nothing was written


def test_the_table_matches_the_roles() -> None:
    assert set(ROLE_ACTIONS) == set(ROLES)
    for role, actor in ROLES.items():
        for action in Action:
            allowed = action in ROLE_ACTIONS[role]
            if action.value.endswith(".own"):
                continue  # own actions also need the agent (below)
            try:
                require(action, actor=actor)
                assert allowed, (role, action)
            except PermissionDenied:
                assert not allowed, (role, action)


def test_own_actions_only_for_oneself() -> None:
    require(Action.REQUEST_OWN, agent="A001", actor=AGENT)
    with pytest.raises(PermissionDenied, match="only for their own schedule"):
        require(Action.REQUEST_OWN, agent="A004", actor=AGENT)


def test_nobody_signed_in_is_refused(loaded) -> None:
    with acting_as(None), Session(loaded) as s, pytest.raises(PermissionDenied, match="sign in first"):
        save_history(s, HISTORY)


def _own_team_only() -> pd.DataFrame:
    frame = week()
    return frame[frame["agent_id"].isin(["A001", "A004"])].reset_index(drop=True)


def test_supervisor_saves_and_publishes_their_own_team(loaded) -> None:
    with acting_as(SUPERVISOR), Session(loaded) as s, s.begin():
        info = save_roster(s, "team", _own_team_only(), expected_version=0)
        publish_roster(s, "team", expected_version=info.version)
    with Session(loaded) as s:
        published, _frame = load_roster(s, "team", published=True)
    assert published.published_by == "sue" and published.saved_by == "sue"


def test_supervisor_may_not_publish_another_team(loaded) -> None:
    with Session(loaded) as s, s.begin():
        info = save_roster(s, "nov", week(), expected_version=0)  # the planner's draft: three teams
    refused = pytest.raises(PermissionDenied, match=r"售后组|投诉组")
    with acting_as(SUPERVISOR), Session(loaded) as s, refused, s.begin():
        publish_roster(s, "nov", expected_version=info.version)
    with Session(loaded) as s:
        assert load_roster(s, "nov")[0].status == "draft"  # nothing changed


def test_supervisor_edit_of_another_team_is_refused_but_own_team_edit_passes(loaded) -> None:
    with acting_as(PLANNER), Session(loaded) as s, s.begin():
        v1 = save_roster(s, "nov", week(), expected_version=0)
        publish_roster(s, "nov", expected_version=v1.version)
    changed_other = week(a002_shift="L1500")  # A002 is in 售后组
    with acting_as(SUPERVISOR), Session(loaded) as s, pytest.raises(PermissionDenied, match="售后组"), s.begin():
        save_roster(s, "nov", changed_other, expected_version=1)
    changed_own = week(a004_shift="L1500")  # A004 is in the supervisor's team
    with acting_as(SUPERVISOR), Session(loaded) as s, s.begin():
        v2 = save_roster(s, "nov", changed_own, expected_version=1)
        publish_roster(s, "nov", expected_version=v2.version)
    with acting_as(OTHER_SUPERVISOR), Session(loaded) as s, pytest.raises(PermissionDenied, match=TEAM), s.begin():
        save_roster(s, "nov", week(), expected_version=2)  # A004 back: not their team


def test_agent_and_supervisor_requests_are_scoped(loaded) -> None:
    with acting_as(AGENT), Session(loaded) as s, s.begin():
        rid = requests.submit(s, "A001", START, reason="family")
    with acting_as(AGENT), Session(loaded) as s, pytest.raises(PermissionDenied):
        requests.submit(s, "A004", START)
    with acting_as(OTHER_SUPERVISOR), Session(loaded) as s, pytest.raises(PermissionDenied, match=TEAM):
        requests.decide(s, rid, True)
    with acting_as(OTHER_SUPERVISOR), Session(loaded) as s:
        assert requests.list_requests(s).empty  # another team's requests are not shown
    with acting_as(SUPERVISOR), Session(loaded) as s:
        assert requests.list_requests(s)["id"].tolist() == [rid]
    with acting_as(ADMIN), Session(loaded) as s:
        assert requests.list_requests(s)["id"].tolist() == [rid]
