"""Every page in Streamlit's AppTest against a real database seeded with the sample: inputs set, buttons clicked,
results asserted. One seeded SQLite file is made per session and copied for each test."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.ui.conftest import as_user
from wfm import store, workspace
from wfm.errors import InputError

TIMEOUT = 600


def page(module: str, role: str = "planner") -> AppTest:
    """An AppTest that renders one page module, signed in as a test user (a planner unless told)."""
    return as_user(
        AppTest.from_string(f"from wfm.ui import {module}\n{module}.render()\n", default_timeout=TIMEOUT), role
    )


def errors(at: AppTest) -> list[str]:
    """Error messages shown on the page."""
    return [e.value for e in at.error]


def test_data_page_report_and_upload_checks(db_url: str) -> None:
    at = page("data_page").run()
    assert not at.exception
    assert len(at.get("plotly_chart")) == 2
    bad = "queue,interval_start,offered\nphone_presale,2026-11-01 08:00,12\nphone_presale,2026-11-01 08:15,-3\n"
    at.file_uploader(key="data_upload").set_value(("bad_history.csv", bad.encode(), "text/csv")).run()
    assert not at.exception
    message = " ".join(errors(at))
    assert "bad_history.csv" in message and "row 3" in message and "offered" in message
    good = "queue,interval_start,offered\nphone_presale,2026-11-01 08:00,12\nphone_presale,2026-11-01 08:15,15\n"
    at.file_uploader(key="data_upload").set_value(("good.csv", good.encode(), "text/csv")).run()
    assert not errors(at)
    at.button(key="data_save").click().run()
    assert any("2" in s.value for s in at.success)
    with store.Session(store.make_engine(db_url)) as session:
        saved = store.get_history(session, queues=["phone_presale"], start="2026-11-01", end="2026-11-02")
    assert saved["offered"].tolist() == [12.0, 15.0]


def test_forecast_staffing_roster_scenario_export_flow(db_url: str) -> None:
    fc = page("forecast_page").run()
    assert not fc.exception
    fc.number_input(key="fc_days").set_value(7).run()
    fc.button(key="fc_run").click().run()
    assert not fc.exception and not errors(fc)
    assert len(fc.get("plotly_chart")) == 1
    assert fc.session_state["forecast_backtest"] is not None

    st_page = page("staffing_page").run()
    st_page.button(key="st_compute").click().run()
    assert not st_page.exception and not errors(st_page)
    heat = st_page.get("plotly_chart")[0].proto.spec
    assert '"heatmap"' in heat
    with store.Session(store.make_engine(db_url)) as session:
        runs = store.list_forecast_runs(session)
        requirements = store.get_requirements(session, int(runs["run_id"].max()))
    assert len(requirements) > 0 and (requirements["required_agents"] >= 0).all()

    ro = page("roster_page").run()
    ro.number_input(key="ro_days").set_value(2).run()
    ro.number_input(key="ro_limit").set_value(10).run()
    ro.button(key="ro_build").click().run()
    assert not ro.exception and not errors(ro)
    assert any("no hard-rule violation" in s.value for s in ro.success)
    assert len(ro.get("plotly_chart")) >= 3  # Gantt, coverage, projected service level
    penalties = ro.dataframe[0].value
    assert "under_coverage" in set(penalties["rule"])
    assert "Why a queue projects a low service level" in [h.value for h in ro.subheader]  # the limits per queue-day
    build = ro.session_state["roster_build"]
    # edit one agent's day to a day off: the checker re-runs and the roster changes
    agent = build.instance.agents[0].agent_id
    ro.selectbox(key="ro_edit_agent").set_value(agent)
    ro.selectbox(key="ro_edit_shift").set_value("off")
    ro.button(key="ro_apply").click().run()
    assert not ro.exception
    assert any("agent-hours" in i.value for i in ro.info)  # the coverage impact of the edit is shown
    edited = ro.session_state["roster_edited"]
    day = build.instance.start.isoformat()
    assert edited[(edited.agent_id == agent) & (edited.date.astype(str) == day)]["activity"].tolist() == ["off"]
    # a full-timer's day off can break the weekly minimum: the independent checker names rule and agent
    verdict = errors(ro)
    assert not verdict or agent in verdict[0]
    assert "break_cap" not in " ".join(verdict)  # pauses that the lower cap no longer allows were re-placed
    original = build.frame[(build.frame.agent_id == agent) & (build.frame.date.astype(str) == day)]
    worked = original[original.activity == "work"]
    if len(worked):  # put the original shift back
        template = next(
            s.name
            for s in build.instance.shifts
            if s.start_minute == pd.Timestamp(worked.start.min()).hour * 60 + pd.Timestamp(worked.start.min()).minute
            and s.length_minutes
            == (pd.Timestamp(original.end.max()) - pd.Timestamp(original.start.min())).seconds // 60
        )
        ro.selectbox(key="ro_edit_shift").set_value(template)
        ro.selectbox(key="ro_edit_queue").set_value(worked.queue.iloc[0])
        ro.button(key="ro_apply").click().run()
    assert not errors(ro)
    ro.button(key="ro_save").click().run()
    assert not errors(ro)
    ro.button(key="ro_publish").click().run()
    assert any("published" in s.value for s in ro.success)

    # a new session (a reload) shows the saved roster again, checked
    again = page("roster_page").run()
    assert not again.exception and not errors(again)
    assert any("last saved roster" in c.value for c in again.caption)
    assert any("no hard-rule violation" in s.value for s in again.success)

    sc = page("scenarios_page").run()
    sc.number_input(key="sc_temps").set_value(10)
    sc.button(key="FormSubmitter:sc_form-Save scenario").click().run()
    assert not sc.exception and not errors(sc)
    assert sc.multiselect(key="sc_choose").value == ["Double 11"]  # the new scenario is picked for comparison
    sc.button(key="sc_run").click().run()
    assert not sc.exception and not errors(sc)
    table = sc.session_state["scenario_comparison"]
    assert set(table["scenario"]) == {"base plan", "Double 11"}
    assert len(sc.get("plotly_chart")) == 3

    ex = page("export_page").run()  # a fresh session: the saved roster is exported
    assert not ex.exception
    labels = [b.label for b in ex.get("download_button")]
    assert any(label.startswith("Roster segments CSV") for label in labels)
    assert len(labels) == 5


def test_bad_event_edit_is_refused_with_a_message(db_url: str) -> None:
    at = page("forecast_page").run()
    assert at.button(key="fc_save_events").label == "Save events"
    frame = pd.DataFrame({"event": ["x"], "start": ["not a date"], "end": ["2026-11-12"], "kind": ["promotion"]})
    with store.Session(store.make_engine(db_url)) as session:
        before = len(store.get_events(session))
    with pytest.raises(InputError, match='row 2, column "start"'):
        workspace.check_events(frame)
    with store.Session(store.make_engine(db_url)) as session:
        assert len(store.get_events(session)) == before


def test_fidelity_page_compares_models_on_a_log(db_url: str) -> None:
    from tests.staffing.contact_log import simulate_contact_log

    log = simulate_contact_log(days=6, agents=(6, 9), calls_per_hour=(90.0, 150.0), seed=5)
    at = page("fidelity_page").run()
    assert not at.exception
    at.file_uploader(key="fi_upload").set_value(("log.csv", log.to_csv(index=False).encode(), "text/csv")).run()
    at.date_input(key="fi_train_until").set_value(pd.Timestamp(log["arrival_ts"].min()).date() + pd.Timedelta(days=3))
    at.button(key="fi_run").click().run()
    assert not at.exception and not errors(at)
    summary = at.dataframe[0].value
    assert set(summary["model"]) == {"erlang-c", "erlang-a", "calibrated"}
    assert set(summary["split"]) == {"train", "test"}
    assert len(at.get("plotly_chart")) == 2
    assert any("supports" in s.value for s in at.success)


def test_fidelity_page_bad_log_shows_the_row(db_url: str) -> None:
    bad = "queue,arrival_ts,outcome,wait_seconds,handle_seconds,agent_id\nq,2024-01-01 08:00,answered,-5,100,a1\n"
    at = page("fidelity_page").run()
    at.file_uploader(key="fi_upload").set_value(("bad_log.csv", bad.encode(), "text/csv")).run()
    at.button(key="fi_run").click().run()
    assert not at.exception
    message = " ".join(errors(at))
    assert "bad_log.csv" in message and "row 2" in message and "wait_seconds" in message
