"""Rosters: versions (draft / published, who, when), optimistic locking between two editors, atomic saves."""

from __future__ import annotations

import threading
import uuid

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from wfm.errors import InputError
from wfm.export import check_segments
from wfm.store import (
    Session,
    StaleRosterError,
    audit_log,
    list_rosters,
    load_roster,
    publish_roster,
    roster_versions,
    save_roster,
)
from wfm.store.models import RosterSegment, RosterVersion
from wfm.store.synthetic import synthetic_segments


@pytest.fixture
def roster() -> pd.DataFrame:
    return synthetic_segments(6, 14, seed=3)


def _save(engine, frame, expected, user="alice", name="nov"):
    with Session(engine) as s, s.begin():
        return save_roster(s, name, frame, expected_version=expected, user=user)


def test_save_and_load_round_trip(engine, roster):
    info = _save(engine, roster, 0)
    assert (info.version, info.status, info.saved_by) == (1, "draft", "alice")
    with Session(engine) as s:
        loaded, frame = load_roster(s, "nov")
    assert loaded == info
    pd.testing.assert_frame_equal(frame, check_segments(roster))
    assert frame["name"].iat[0] == "王伟"


def test_overnight_segments_keep_their_date(engine, roster):
    _save(engine, roster, 0)
    with Session(engine) as s:
        _, frame = load_roster(s, "nov")
    late = frame[frame["end"].dt.normalize() > frame["date"]]
    assert len(late) > 0  # synthetic agents with a 22:00 start
    assert (late["start"] >= late["date"]).all()


def test_each_save_is_a_new_version_and_old_ones_stay(engine, roster):
    _save(engine, roster, 0)
    changed = roster.copy()
    changed.loc[changed["activity"] == "work", "queue"] = "chat_presale"
    _save(engine, changed, 1, user="bob")
    with Session(engine) as s:
        first = load_roster(s, "nov", version=1)[1]
        newest_info, newest = load_roster(s, "nov")
        versions = roster_versions(s, "nov")
    assert newest_info.version == 2 and newest_info.saved_by == "bob"
    assert set(newest.loc[newest["activity"] == "work", "queue"]) == {"chat_presale"}
    assert set(first.loc[first["activity"] == "work", "queue"]) != {"chat_presale"}
    assert versions["version"].tolist() == [2, 1]
    assert versions["segments"].tolist() == [len(roster), len(roster)]


def test_second_save_of_a_stale_version_is_refused_and_nothing_is_overwritten(engine, roster):
    _save(engine, roster, 0)
    alice = roster.copy()
    alice.loc[alice["activity"] == "work", "queue"] = "phone_presale"
    bob = roster.copy()
    bob.loc[bob["activity"] == "work", "queue"] = "chat_aftersale"
    _save(engine, alice, 1, user="alice")  # both loaded version 1; alice saves first
    with pytest.raises(StaleRosterError) as err:
        _save(engine, bob, 1, user="bob")
    message = str(err.value)
    assert "now at version 2" in message and "you edited version 1" in message and "by alice" in message
    assert "Nothing was saved" in message
    with Session(engine) as s:
        info, frame = load_roster(s, "nov")
        assert info.version == 2 and info.saved_by == "alice"
        assert set(frame.loc[frame["activity"] == "work", "queue"]) == {"phone_presale"}
        assert s.scalar(select(func.count()).select_from(RosterVersion)) == 2
        assert [a for a in audit_log(s)["user"]] == ["alice", "alice"]


def test_two_editors_saving_at_the_same_time_one_wins(engine, roster):
    """Two threads save over version 1 at once: exactly one is saved, the other refused, no mixed segments."""
    _save(engine, roster, 0)
    start = threading.Barrier(2)
    outcome: dict[str, str] = {}
    edits = {"alice": "phone_presale", "bob": "chat_aftersale"}

    def editor(user: str) -> None:
        frame = roster.copy()
        frame.loc[frame["activity"] == "work", "queue"] = edits[user]
        start.wait()
        try:
            _save(engine, frame, 1, user=user)
            outcome[user] = "saved"
        except StaleRosterError:
            outcome[user] = "refused"

    threads = [threading.Thread(target=editor, args=(user,)) for user in edits]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcome.values()) == ["refused", "saved"]
    winner = next(user for user, result in outcome.items() if result == "saved")
    with Session(engine) as s:
        info, frame = load_roster(s, "nov")
    assert (info.version, info.saved_by) == (2, winner)
    assert set(frame.loc[frame["activity"] == "work", "queue"]) == {edits[winner]}


def test_creating_an_existing_roster_or_saving_a_missing_one_is_refused(engine, roster):
    with pytest.raises(InputError, match="does not exist"):
        _save(engine, roster, 3)
    _save(engine, roster, 0)
    with pytest.raises(StaleRosterError, match="now at version 1"):
        _save(engine, roster, 0)


def test_bad_segment_in_the_middle_writes_nothing(engine, roster):
    _save(engine, roster, 0)
    bad = roster.copy()
    bad.loc[len(bad) // 2, "activity"] = "nap"
    with pytest.raises(InputError, match='"nap": expected one of work') as err:
        _save(engine, bad, 1)
    assert err.value.column == "activity"
    with Session(engine) as s:
        assert list_rosters(s)["version"].tolist() == [1]
        assert s.scalar(select(func.count()).select_from(RosterSegment)) == len(roster)


def test_publish_marks_the_version_and_records_who_and_when(engine, roster):
    _save(engine, roster, 0)
    with Session(engine) as s, s.begin():
        info = publish_roster(s, "nov", expected_version=1, user="lead")
    assert (info.status, info.published_by) == ("published", "lead") and info.published_at is not None
    _save(engine, roster.iloc[:-1], 1, user="bob")  # a new draft after publishing
    with Session(engine) as s:
        published, frame = load_roster(s, "nov", published=True)
        newest, _ = load_roster(s, "nov")
    assert (published.version, len(frame)) == (1, len(roster))
    assert (newest.version, newest.status) == (2, "draft")


def test_publishing_a_version_you_did_not_see_is_refused(engine, roster):
    _save(engine, roster, 0)
    _save(engine, roster, 1, user="bob")
    with pytest.raises(StaleRosterError, match="Nothing was published"), Session(engine) as s, s.begin():
        publish_roster(s, "nov", expected_version=1, user="lead")
    with Session(engine) as s:
        assert set(roster_versions(s, "nov")["status"]) == {"draft"}
        with pytest.raises(InputError, match="no published version"):
            load_roster(s, "nov", published=True)


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(n_agents=st.integers(1, 5), days=st.integers(1, 9), seed=st.integers(0, 10_000))
def test_any_valid_roster_round_trips(engine, n_agents, days, seed):
    frame = synthetic_segments(n_agents, days, seed=seed)
    name = uuid.uuid4().hex
    with Session(engine) as s, s.begin():
        save_roster(s, name, frame, expected_version=0)
    with Session(engine) as s:
        _, back = load_roster(s, name)
    pd.testing.assert_frame_equal(back, check_segments(frame))
