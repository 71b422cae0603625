"""Reference data (queues, agents, skills, time off, shifts, rules, events): frames in, the same frames out."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import func, select

from forecasting.csv_input import read_table
from wfm.errors import InputError
from wfm.roster.inputs import read_agents
from wfm.staffing.queues import read_queues
from wfm.store import (
    Session,
    audit_log,
    get_agents,
    get_events,
    get_queues,
    get_rules,
    get_shifts,
    get_time_off,
    save_agents,
    save_events,
    save_queues,
    save_rules,
    save_shifts,
    save_time_off,
)
from wfm.store.models import Agent, AgentSkill, TimeOffRow

from .conftest import DATA


def _csv(name: str, *required: str) -> pd.DataFrame:
    return read_table(DATA / name, required=required).frame


def test_queues_round_trip_through_the_staffing_reader(engine, tmp_path):
    with Session(engine) as s, s.begin():
        assert save_queues(s, _csv("queues.csv", "queue"), user="planner") == 3
    with Session(engine) as s:
        back = get_queues(s)
    back.to_csv(tmp_path / "q.csv", index=False)
    assert read_queues(tmp_path / "q.csv") == read_queues(DATA / "queues.csv")
    assert back.loc[back["queue"] == "chat_aftersale", "aht_factors"].item() == "1;1.25;1.6"


def test_saving_queues_again_updates_them_in_place(engine):
    frame = _csv("queues.csv", "queue")
    with Session(engine) as s, s.begin():
        save_queues(s, frame)
    frame.loc[2, "service_level"] = "0.9"  # the reader's index is the spreadsheet row: 2 = first data row
    with Session(engine) as s, s.begin():
        save_queues(s, frame.iloc[:1])
    with Session(engine) as s:
        back = get_queues(s).set_index("queue")
    assert back.loc["phone_presale", "service_level"] == 0.9
    assert len(back) == 3


def test_agents_round_trip_with_chinese_names_and_skill_order(engine, tmp_path):
    with Session(engine) as s, s.begin():
        save_agents(s, _csv("agents.csv", "agent_id"))
    with Session(engine) as s:
        back = get_agents(s)
    assert back["name"].tolist() == ["张伟", "李娜", '=HYPERLINK("x")', "王芳"]
    assert back.loc[2, "skills"] == "email_complaints;phone_presale"
    assert back.loc[0, "contract"] == "full"
    back.to_csv(tmp_path / "a.csv", index=False)
    assert read_agents(tmp_path / "a.csv") == read_agents(DATA / "agents.csv")


def test_saving_agents_replaces_the_staff_list(engine):
    frame = _csv("agents.csv", "agent_id")
    with Session(engine) as s, s.begin():
        save_agents(s, frame)
        save_time_off(s, _csv("time_off.csv", "agent_id"))
    smaller = frame[frame["agent_id"] != "A001"].copy()
    smaller.loc[smaller["agent_id"] == "A002", "skills"] = "phone_presale;chat_aftersale"
    with Session(engine) as s, s.begin():
        save_agents(s, smaller)
    with Session(engine) as s:
        back = get_agents(s)
        assert back["agent_id"].tolist() == ["A002", "A003", "A004"]
        assert back.loc[0, "skills"] == "phone_presale;chat_aftersale"
        # A001's time off and skills went with it (ON DELETE CASCADE)
        assert get_time_off(s)["agent_id"].tolist() == ["A002"]
        assert s.scalar(select(func.count()).select_from(AgentSkill)) == 5


def test_bad_agent_row_in_the_middle_writes_nothing(engine):
    frame = _csv("agents.csv", "agent_id")
    with Session(engine) as s, s.begin():
        save_agents(s, frame)
    bad = frame.copy()
    bad.loc[2, "name"] = "changed"  # index = spreadsheet row
    bad.loc[4, "max_hours_week"] = "forty"
    with pytest.raises(InputError) as err, Session(engine) as s, s.begin():
        save_agents(s, bad)
    assert err.value.row == 4 and err.value.column == "max_hours_week"
    with Session(engine) as s:
        assert get_agents(s)["name"].iat[0] == "张伟"
        assert len(audit_log(s)) == 1


def test_time_off_for_an_unknown_agent_is_refused(engine):
    with Session(engine) as s, s.begin():
        save_agents(s, _csv("agents.csv", "agent_id"))
    frame = pd.DataFrame({"agent_id": ["A001", "A999"], "date": ["2026-11-11", "2026-11-12"]})
    with pytest.raises(InputError, match='unknown agent "A999"') as err, Session(engine) as s, s.begin():
        save_time_off(s, frame)
    assert err.value.row == 3
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(TimeOffRow)) == 0
        assert s.scalar(select(func.count()).select_from(Agent)) == 4


def test_time_off_shifts_rules_and_events_round_trip(engine):
    rules = {"rules": {"min_rest_hours": 11, "interval_minutes": 15}, "weights": {"over_coverage": 2.5}}
    with Session(engine) as s, s.begin():
        save_agents(s, _csv("agents.csv", "agent_id"))
        save_time_off(s, _csv("time_off.csv", "agent_id"))
        save_shifts(s, _csv("shifts.csv", "shift"))
        save_rules(s, rules)
        save_events(s, _csv("events.csv", "event"))
    with Session(engine) as s:
        assert get_time_off(s).values.tolist() == [
            ["A001", "2026-11-11", "", ""],
            ["A002", "2026-11-12", "08:00", "12:00"],
        ]
        shifts = get_shifts(s)
        assert shifts["shift"].tolist() == ["E0800", "D1000", "L1500", "N2200"]
        assert shifts.loc[3, "days"] == "Fri;Sat" and shifts.loc[3, "lunch_minutes"] == 60
        assert get_rules(s) == rules
        events = get_events(s)
        assert events["event"].tolist() == ["national_day", "double_11_presale", "double_11"]
        assert events.loc[0, "end"] == "2026-10-07"


def test_event_ending_before_it_starts_is_refused(engine):
    frame = pd.DataFrame({"event": ["x"], "start": ["2026-11-11"], "end": ["2026-11-10"], "kind": ["promotion"]})
    with pytest.raises(InputError, match="ends") as err, Session(engine) as s, s.begin():
        save_events(s, frame)
    assert (err.value.row, err.value.column) == (2, "end")


def test_every_save_is_in_the_audit_log(engine):
    with Session(engine) as s, s.begin():
        save_queues(s, _csv("queues.csv", "queue"), user="alice")
        save_rules(s, {"rules": {"min_rest_hours": 12}}, user="bob")
    with Session(engine) as s:
        log = audit_log(s)
    assert log[["user", "action", "entity"]].values.tolist() == [["bob", "save", "rules"], ["alice", "save", "queues"]]
    assert log.loc[1, "detail"]["rows"] == 3
