"""Agent self-service on a published roster: own schedule and its changes at publish, ICS, time-off requests with
their effect on coverage and service level, shift swaps re-checked by the independent checker, preferences."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest
from icalendar import Calendar
from sqlalchemy import select

from tests.store.people import AGENT, COLLEAGUE, PLANNER, START, SUPERVISOR, week
from wfm import workspace
from wfm.auth import ics, preferences, requests, schedule, swaps
from wfm.auth.permissions import PermissionDenied, acting_as
from wfm.errors import InputError
from wfm.staffing.queues import read_queues
from wfm.store import Session, get_shifts, get_time_off, load_folder, load_roster, publish_roster, save_roster
from wfm.store.auth_models import ReplanFlag

QUEUES = read_queues("tests/store/data/queues.csv")


@pytest.fixture
def published(engine, data_dir):
    """The small data with the week roster published by the planner (version 1)."""
    load_folder(engine, data_dir)
    with acting_as(PLANNER), Session(engine) as s, s.begin():
        save_roster(s, "nov", week(), expected_version=0)
        publish_roster(s, "nov", expected_version=1)
    return engine


def _republish(engine, frame, expected):
    with acting_as(PLANNER), Session(engine) as s, s.begin():
        info = save_roster(s, "nov", frame, expected_version=expected)
        publish_roster(s, "nov", expected_version=info.version)


def test_agent_sees_only_their_schedule_and_the_changes_at_publish(published) -> None:
    with acting_as(AGENT), Session(published) as s:
        mine, used = schedule.agent_schedule(s, "A001")
        assert set(mine["agent_id"]) == {"A001"}
        assert [p.version for p in used] == [1]
        with pytest.raises(PermissionDenied):
            schedule.agent_schedule(s, "A004")
        assert schedule.visible_agents(s) == ["A001"]
    _republish(published, week(a004_shift="L1500"), 1)  # only A004 changes
    with acting_as(AGENT), Session(published) as s:
        assert schedule.changes_at_last_publish(s, "A001").empty
    with acting_as(COLLEAGUE), Session(published) as s:
        changes = schedule.changes_at_last_publish(s, "A004")
    assert len(changes) == 4 and set(changes["version"]) == {2}
    assert changes["before"].iloc[0].startswith("10:00–19:00") and changes["after"].iloc[0].startswith("15:00–00:00")
    with acting_as(SUPERVISOR), Session(published) as s:
        assert schedule.visible_agents(s) == ["A001", "A004"]
        schedule.agent_schedule(s, "A004")
        with pytest.raises(PermissionDenied):
            schedule.agent_schedule(s, "A002")


def test_ics_has_one_event_per_worked_day(published) -> None:
    with acting_as(AGENT), Session(published) as s:
        mine, _used = schedule.agent_schedule(s, "A001")
    calendar = Calendar.from_ical(ics.calendar_bytes("A001", mine))
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 5
    first = min(events, key=lambda e: e.decoded("dtstart"))
    assert first.decoded("dtstart") == pd.Timestamp("2026-11-02 08:00").to_pydatetime()
    assert first.decoded("dtend") == pd.Timestamp("2026-11-02 17:00").to_pydatetime()
    assert "phone_presale" in str(first.get("summary")) and "lunch" in str(first.get("description"))


def _requirements(day, agents_needed: float) -> pd.DataFrame:
    starts = pd.date_range(pd.Timestamp(day) + pd.Timedelta(hours=8), periods=36, freq="15min")
    return pd.DataFrame(
        {
            "queue": "phone_presale",
            "interval_start": starts,
            "volume": 3.0,
            "aht_seconds": 180.0,
            "required_agents": agents_needed,
            "model": "erlang-c",
        }
    )


def test_time_off_request_effect_approval_and_flag(published) -> None:
    day = START + timedelta(days=1)
    with acting_as(AGENT), Session(published) as s, s.begin():
        rid = requests.submit(s, "A001", day, reason="dentist")
    with acting_as(SUPERVISOR), Session(published) as s:
        effect = requests.effect(s, rid, _requirements(day, 2.0), QUEUES)
    row = effect.set_index("queue").loc["phone_presale"]
    # A001 and A004 both work phone_presale that day: taking A001 out halves the scheduled hours
    assert row["hours_after"] < row["hours_before"]
    assert row["service_level_after"] < row["service_level_before"]
    with acting_as(SUPERVISOR), Session(published) as s, s.begin():
        flagged = requests.decide(s, rid, True, note="ok")
    assert flagged == 1
    with Session(published) as s:
        off = get_time_off(s)
        flags = s.scalars(select(ReplanFlag)).all()
        assert requests.open_flags(s)["agent_id"].tolist() == ["A001"]
    assert ((off["agent_id"] == "A001") & (off["date"] == day.isoformat())).any()
    assert [(f.agent_code, f.day, f.version) for f in flags] == [("A001", day, 1)]
    with acting_as(AGENT), Session(published) as s:
        mine = requests.list_requests(s)
    assert mine[["status", "decided_by"]].values.tolist() == [["approved", "sue"]]
    with acting_as(SUPERVISOR), Session(published) as s, pytest.raises(InputError, match="already approved"):
        requests.decide(s, rid, False)
    _republish(published, week(), 1)  # the planner publishes a new version: the flag is re-planned
    with Session(published) as s:
        assert requests.open_flags(s).empty


def test_hours_off_take_out_only_those_hours(published) -> None:
    day = START
    with Session(published) as s:
        segments = requests.day_segments(s, day)
    first, last = pd.Timestamp(day) + pd.Timedelta(hours=9), pd.Timestamp(day) + pd.Timedelta(hours=11)
    out = requests.without_agent(segments, "A001", first.to_pydatetime(), last.to_pydatetime())
    work = out[(out["agent_id"] == "A001") & (out["activity"] == "work")]
    minutes = ((work["end"] - work["start"]).dt.total_seconds() / 60).sum()
    before = segments[(segments["agent_id"] == "A001") & (segments["activity"] == "work")]
    # 09:00–11:00 holds 105 minutes of work (the 10:00–10:15 break is not work)
    assert ((before["end"] - before["start"]).dt.total_seconds() / 60).sum() - minutes == 105
    assert not ((work["start"] < last) & (work["end"] > first)).any()


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [("09:00", None, "both the start and the end"), ("9am", "10:00", "HH:MM"), ("12:00", "11:00", "must come after")],
)
def test_bad_requests_are_refused(published, start, end, message) -> None:
    with acting_as(AGENT), Session(published) as s, pytest.raises(InputError, match=message):
        requests.submit(s, "A001", START, start=start, end=end)


def test_refused_request_stores_nothing(published) -> None:
    with acting_as(AGENT), Session(published) as s, s.begin():
        rid = requests.submit(s, "A001", START, start="09:00", end="11:00", reason="bank")
    with acting_as(SUPERVISOR), Session(published) as s, s.begin():
        assert requests.decide(s, rid, False, note="peak day") == 0
    with Session(published) as s:
        assert not (get_time_off(s)["date"] == START.isoformat()).any()
        assert requests.open_flags(s).empty


def test_swap_that_keeps_the_rules_is_published(published) -> None:
    wednesday = START + timedelta(days=2)  # A004 is off on Wednesday, A001 works early
    with acting_as(AGENT), Session(published) as s, s.begin():
        sid = swaps.offer(s, "A001", "nov", wednesday)
    with acting_as(COLLEAGUE), Session(published) as s, s.begin():
        swaps.accept(s, sid, "A004")
    with acting_as(SUPERVISOR), Session(published) as s, s.begin():
        decision = swaps.decide(s, sid, True)
    assert decision.approved and decision.version == 2
    with Session(published) as s:
        info, frame = load_roster(s, "nov", published=True)
    on_day = frame[frame["date"].dt.date == wednesday]
    assert set(on_day["agent_id"]) == {"A004", "A002"}  # A001 is off, A004 works the early shift
    assert info.published_by == "sue"


def test_swap_that_breaks_the_rest_rule_is_refused_naming_rule_and_agent(engine, data_dir) -> None:
    load_folder(engine, data_dir)
    with acting_as(PLANNER), Session(engine) as s, s.begin():
        save_roster(s, "nov", week(a004_shift="L1500"), expected_version=0)  # A004 late Mon, Tue, Thu, Fri
        publish_roster(s, "nov", expected_version=1)
    wednesday = START + timedelta(days=2)
    with acting_as(AGENT), Session(engine) as s, s.begin():
        sid = swaps.offer(s, "A001", "nov", wednesday)
    with acting_as(COLLEAGUE), Session(engine) as s, s.begin():
        swaps.accept(s, sid, "A004")
    with acting_as(SUPERVISOR), Session(engine) as s, s.begin():
        decision = swaps.decide(s, sid, True)
    # A004 would start at 08:00 on Wednesday after a late shift ending at midnight: 8 h of rest
    assert not decision.approved
    assert "minimum_rest · A004 · 2026-11-04" in decision.message
    with Session(engine) as s:
        info, _frame = load_roster(s, "nov", published=True)
        assert info.version == 1  # nothing published
        assert swaps.list_swaps(s)["status"].tolist() == ["refused"]


def test_swap_needs_matching_skills_and_the_right_people(published) -> None:
    monday = START
    with acting_as(AGENT), Session(published) as s, s.begin():
        sid = swaps.offer(s, "A001", "nov", monday)
    from tests.store.people import Actor

    other = Actor("li", "agent", agent_code="A002")  # chat only: cannot take a phone shift
    with acting_as(other), Session(published) as s, pytest.raises(InputError, match="lacks the skill phone_presale"):
        swaps.accept(s, sid, "A002")
    with acting_as(AGENT), Session(published) as s, pytest.raises(InputError, match="own shift"):
        swaps.accept(s, sid, "A001")
    with acting_as(COLLEAGUE), Session(published) as s, s.begin():
        swaps.accept(s, sid, "A004")
    with acting_as(COLLEAGUE), Session(published) as s, pytest.raises(PermissionDenied):
        swaps.decide(s, sid, True)
    with acting_as(AGENT), Session(published) as s, pytest.raises(InputError, match="no shift"):
        swaps.offer(s, "A001", "nov", START + timedelta(days=5))  # Saturday off


def test_preferences_become_weighted_off_requests(published) -> None:
    with acting_as(AGENT), Session(published) as s, s.begin():
        preferences.save(s, "A001", [5, 6], ["early"], {"early", "day", "late", "night"})
    with acting_as(COLLEAGUE), Session(published) as s, pytest.raises(PermissionDenied):
        preferences.save(s, "A001", [0], [], {"early"})
    with Session(published) as s:
        wishes = preferences.as_requests(s, START, 7, get_shifts(s))
        assert preferences.get(s, "A001") == ([5, 6], ["early"])
    weekend = wishes[wishes["date"].isin(["2026-11-07", "2026-11-08"])]
    assert set(weekend["shift"]) == {""} and set(weekend["kind"]) == {"off"}
    weekday = wishes[wishes["date"] == "2026-11-02"]
    assert set(weekday["shift"]) == {"D1000", "L1500", "N2200"}  # every shift outside the preferred category
    with acting_as(AGENT), Session(published) as s, pytest.raises(InputError, match="unknown shift category"):
        preferences.save(s, "A001", [], ["nap"], {"early"})


def test_preferences_reach_the_roster_instance(published) -> None:
    with acting_as(AGENT), Session(published) as s, s.begin():
        preferences.save(s, "A001", [5, 6], [], {"early", "day", "late", "night"})
    starts = pd.date_range("2026-11-02 08:00", periods=7 * 96, freq="15min")
    needed = pd.DataFrame(
        [(q, t, 1) for q in ("phone_presale", "chat_aftersale", "email_complaints") for t in starts],
        columns=["queue", "interval_start", "required_agents"],
    )
    instance, config = workspace.load_roster_instance(published, needed, START, 7)
    wishes = sorted((r.agent_id, r.day, r.on, r.shift) for r in instance.requests)
    assert wishes == [("A001", 5, False, None), ("A001", 6, False, None)]  # Saturday and Sunday off
    assert config.weights.shift_requests > 0  # weighed by the roster's existing request penalty
