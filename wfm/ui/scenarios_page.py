"""Scenarios page: create a promotion-peak what-if on the base plan, and compare scenarios side by side."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import plotly.express as px
import streamlit as st

from wfm import store
from wfm.scenarios import Costs, Scenario, compare, run_scenario, scenario_from_dict
from wfm.ui import common
from wfm.ui.forecast_page import latest_run_id
from wfm.ui.i18n import t

RESULT_KEY = "scenario_comparison"


def _form(queues: dict, first_day) -> None:
    """A promotion peak with ramp, returns, bot deflection and extra staff, saved by name."""
    st.subheader(t("sc.create"))
    targets = sorted({q.channel for q in queues.values()}) + sorted(queues)
    with st.form("sc_form"):
        cols = st.columns(3)
        name = cols[0].text_input(t("sc.name"), "Double 11", key="sc_name")
        multiplier = cols[1].number_input(t("sc.multiplier"), 0.1, 20.0, 3.0, 0.5, key="sc_multiplier")
        chosen = cols[2].multiselect(t("sc.queues"), targets, default=["voice", "chat"], key="sc_queues")
        cols = st.columns(4)
        start = cols[0].date_input(t("sc.start"), first_day + timedelta(days=3), key="sc_start")
        end = cols[1].date_input(t("sc.end"), first_day + timedelta(days=3), key="sc_end")
        ramp = cols[2].number_input(t("sc.ramp"), 0, 30, 2, key="sc_ramp")
        returns = cols[3].number_input(t("sc.returns"), 0, 30, 2, key="sc_returns")
        cols = st.columns(4)
        returns_multiplier = cols[0].number_input(t("sc.returns_multiplier"), 0.5, 5.0, 1.3, 0.1, key="sc_ret_mult")
        deflection = cols[1].slider(t("sc.deflection"), 0.0, 0.5, 0.0, 0.05, key="sc_deflection")
        temps = cols[2].number_input(t("sc.temps"), 0, 500, 0, key="sc_temps")
        overtime = cols[3].number_input(t("sc.overtime"), 0.0, 2000.0, 0.0, 10.0, key="sc_overtime")
        submitted = st.form_submit_button(t("sc.save"))
    if not submitted:
        return
    raw: dict = {
        "name": name.strip() or "scenario",
        "peak": [
            {
                "multiplier": multiplier,
                "start": start,
                "end": end,
                "queues": chosen or ["all"],
                "ramp_days": ramp,
                "returns_days": returns,
                "returns_multiplier": returns_multiplier,
            }
        ],
    }
    if deflection > 0:
        raw["deflection"] = {"chat": deflection, "email": deflection}
    staff_queues = [q for q in queues if not chosen or q in chosen or queues[q].channel in chosen]
    extras = []
    if temps > 0:
        extras.append(
            {"kind": "temp", "queues": staff_queues, "start": start, "end": end, "agents": temps, "hours_per_day": 8.0}
        )
    if overtime > 0:
        extras.append(
            {"kind": "overtime", "queues": staff_queues, "start": start, "end": end, "hours_per_day_total": overtime}
        )
    if extras:
        raw["extra_staff"] = extras

    def save() -> str:
        scenario_from_dict(raw, queues)  # the same checks as a scenarios.toml file
        stored = {
            **raw,
            "peak": [{**p, "start": str(p["start"]), "end": str(p["end"])} for p in raw["peak"]],
            "extra_staff": [{**x, "start": str(x["start"]), "end": str(x["end"])} for x in extras],
        }
        with common.session() as session, session.begin():
            store.save_scenario(session, raw["name"], stored)
        return raw["name"]

    saved = common.guarded(save)
    if saved:
        st.success(t("sc.saved", name=saved))
        # the comparison below starts with the scenario just saved
        st.session_state["sc_choose"] = list(dict.fromkeys([*st.session_state.get("sc_choose", []), saved]))


def _compare(queues: dict, forecast: pd.DataFrame, requirements: pd.DataFrame) -> None:
    """Choose saved scenarios, run them against the base plan and chart them side by side."""
    st.subheader(t("sc.compare"))
    with common.session() as session:
        saved = store.list_scenarios(session)
    names = saved["name"].tolist() if len(saved) else []
    cols = st.columns([3, 1, 1])
    if "sc_choose" not in st.session_state:
        st.session_state["sc_choose"] = names[-2:]
    chosen = cols[0].multiselect(t("sc.choose"), names, key="sc_choose")
    by = cols[1].radio(t("sc.by"), ["day", "week"], format_func=lambda b: t(f"sc.by.{b}"), key="sc_by")
    hourly = cols[2].number_input(t("sc.hourly"), 1.0, 1000.0, 40.0, key="sc_hourly")
    if cols[0].button(t("sc.run"), type="primary", key="sc_run"):
        base = requirements[["queue", "interval_start"]].assign(scheduled_agents=requirements["required_agents"])

        def run() -> pd.DataFrame:
            results = [run_scenario(forecast, queues, base, Scenario(t("sc.base")))]
            for name in chosen:
                with common.session() as session:
                    raw = store.get_scenario(session, name)
                results.append(run_scenario(forecast, queues, base, scenario_from_dict(raw, queues)))
            return compare(results, Costs(hourly=hourly, temp_hourly=hourly * 1.15), by=by)

        with st.spinner(t("sc.running")):
            table = common.guarded(run)
        if table is not None:
            st.session_state[RESULT_KEY] = table
    table = st.session_state.get(RESULT_KEY)
    if table is None:
        return
    long = table.melt(
        id_vars=["scenario", "period"],
        value_vars=["required_hours", "scheduled_hours"],
        var_name="kind",
        value_name="hours",
    )
    fig = px.bar(
        long, x="period", y="hours", color="scenario", barmode="group", pattern_shape="kind", title=t("sc.chart_hours")
    )
    st.plotly_chart(fig, width="stretch", key="sc_hours_chart")
    cols = st.columns(2)
    fig = px.line(table, x="period", y="service_level", color="scenario", markers=True, title=t("sc.chart_sl"))
    fig.update_yaxes(tickformat=".0%")
    cols[0].plotly_chart(fig, width="stretch", key="sc_sl_chart")
    fig = px.bar(table, x="period", y="cost", color="scenario", barmode="group", title=t("sc.chart_cost"))
    cols[1].plotly_chart(fig, width="stretch", key="sc_cost_chart")
    st.dataframe(table, hide_index=True)


def render() -> None:
    """The Scenarios page."""
    st.title(t("page.scenarios"))
    run_id = latest_run_id()
    if run_id is None:
        st.info(t("st.no_forecast"))
        return
    with common.session() as session:
        forecast = store.get_forecast(session, run_id)
        requirements = store.get_requirements(session, run_id)
    if requirements.empty:
        st.info(t("st.no_requirements", run=run_id))
        return
    queues = common.queue_settings()
    _form(queues, forecast["interval_start"].min().date())
    _compare(queues, forecast, requirements)
