"""Forecast page: run a forecast with a progress display, actual vs forecast with bands, backtest accuracy, and
the event calendar editor."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from forecasting.events import KINDS
from forecasting.models import ALIASES
from forecasting.pipeline import build_forecast
from wfm import store, workspace
from wfm.ui import common
from wfm.ui.i18n import t

RUN_KEY = "forecast_run_id"
BACKTEST_KEY = "forecast_backtest"


def latest_run_id() -> int | None:
    """The forecast run chosen in this session, else the newest stored one."""
    if st.session_state.get(RUN_KEY):
        return int(st.session_state[RUN_KEY])
    with common.session() as session:
        runs = store.list_forecast_runs(session)
    return int(runs["run_id"].max()) if len(runs) else None


def _run_section(history: pd.DataFrame) -> None:
    """Inputs and the run button; the result is stored as a new forecast run."""
    last_day = history["interval_start"].max().normalize()
    cols = st.columns(4)
    start = cols[0].date_input(t("fc.start"), (last_day + pd.Timedelta(days=1)).date(), key="fc_start")
    days = cols[1].number_input(t("fc.days"), 1, 42, 14, key="fc_days")
    model = cols[2].selectbox(
        t("fc.model"),
        ["calendar", "auto", *[a for a in ALIASES if a != "calendar"]],
        key="fc_model",
        format_func=lambda m: t("fc.auto") if m == "auto" else m,
    )
    holidays = cols[3].text_input(t("fc.holidays"), "CN", key="fc_holidays")
    if not st.button(t("fc.run"), type="primary", key="fc_run"):
        return
    with st.status(t("fc.running"), expanded=True) as status:
        progress = common.any_thread(status.write)

        def run() -> int:
            calendar = workspace.event_calendar(common.engine(), holidays.strip() or None)
            result = build_forecast(
                history,
                pd.Timestamp(start),
                int(days),
                model=model,
                calendar=calendar,
                backtest=True,
                progress=progress,
            )
            st.session_state[BACKTEST_KEY] = result.backtest.metrics if result.backtest is not None else None
            with common.session() as session, session.begin():
                return store.save_forecast(
                    session,
                    result.frame,
                    label=f"{start} +{days}d",
                    model=result.model,
                    params={"start": str(start), "days": int(days)},
                )

        run_id = common.guarded(run)
        if run_id is None:
            status.update(label=t("fc.failed"), state="error")
            return
        st.session_state[RUN_KEY] = run_id
        status.update(label=t("fc.done", run=run_id), state="complete", expanded=False)


def _chart(history: pd.DataFrame, forecast: pd.DataFrame) -> None:
    """Actual (last two weeks) and forecast with its prediction band for one queue."""
    queue = st.selectbox(t("fc.queue"), sorted(forecast["queue"].unique()), key="fc_queue")
    f = forecast[forecast["queue"] == queue]
    start = f["interval_start"].min()
    h = history[(history["queue"] == queue) & (history["interval_start"] >= start - pd.Timedelta(days=14))]
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=h["interval_start"], y=h["offered"], name=t("fc.actual"), line={"color": "#555"}))
    fig.add_trace(
        go.Scatter(x=f["interval_start"], y=f["volume_hi"], line={"width": 0}, showlegend=False, hoverinfo="skip")
    )
    fig.add_trace(
        go.Scatter(
            x=f["interval_start"],
            y=f["volume_lo"],
            fill="tonexty",
            line={"width": 0},
            fillcolor="rgba(31,119,180,0.2)",
            name=t("fc.band"),
        )
    )
    fig.add_trace(go.Scatter(x=f["interval_start"], y=f["volume"], name=t("fc.forecast"), line={"color": "#1f77b4"}))
    fig.update_layout(height=380, yaxis_title=t("fc.contacts"), margin={"t": 30})
    st.plotly_chart(fig, width="stretch", key="fc_chart")


def _events_section() -> None:
    """Edit the event calendar (promotions, holidays, returns) and save it after the usual checks."""
    st.subheader(t("fc.events"))
    st.caption(t("fc.events_help"))
    with common.session() as session:
        events = store.get_events(session)
    if "uplift" not in events.columns:  # a hand-set ratio to a normal day, for an event without history
        events = events.assign(uplift="")
    edited = st.data_editor(
        events,
        num_rows="dynamic",
        hide_index=True,
        key="fc_events_editor",
        column_config={
            "kind": st.column_config.SelectboxColumn(options=list(KINDS)),
            "uplift": st.column_config.TextColumn(help=t("fc.uplift_help")),
        },
    )
    if st.button(t("fc.save_events"), key="fc_save_events"):

        def save() -> int:
            workspace.check_events(edited)
            with common.session() as session, session.begin():
                return store.save_events(session, edited, file="events")

        if common.guarded(save) is not None:
            common.data_changed()
            st.success(t("fc.events_saved", rows=len(edited)))


def render() -> None:
    """The Forecast page."""
    st.title(t("page.forecast"))
    history = common.history()
    if history.empty:
        st.info(t("data.no_history"))
        return
    _run_section(history)
    run_id = latest_run_id()
    if run_id is not None:
        with common.session() as session:
            forecast = store.get_forecast(session, run_id)
        st.subheader(t("fc.result", run=run_id))
        _chart(history, forecast)
        metrics = st.session_state.get(BACKTEST_KEY)
        if metrics is not None:
            st.subheader(t("fc.accuracy"))
            st.dataframe(metrics, hide_index=True)
    _events_section()
