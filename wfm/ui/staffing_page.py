"""Staffing page: requirements from the forecast (heatmap of agents per queue and interval over days) and the
assumptions behind every number."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import streamlit as st

from wfm import store
from wfm.staffing.queues import MODELS, QueueSettings
from wfm.staffing.requirements import build_requirements
from wfm.ui import common
from wfm.ui.forecast_page import latest_run_id
from wfm.ui.i18n import t

REQUIREMENTS_RUN_KEY = "requirements_run_id"


def load_requirements(run_id: int) -> pd.DataFrame:
    """Stored requirements of a forecast run (empty if none yet)."""
    with common.session() as session:
        return store.get_requirements(session, run_id)


def _assumptions(queues: dict[str, QueueSettings]) -> pd.DataFrame:
    """One row per queue: the targets and inputs the staffing engine used, in plain columns."""
    rows = []
    for q in queues.values():
        rows.append(
            {
                "queue": q.queue,
                "channel": q.channel,
                "model": {"chat": "chat", "email": "email"}.get(q.channel, q.model),
                "target": (
                    f"{q.targets.service_level:.0%} ≤ {q.targets.answer_seconds:g} s"
                    if q.channel != "email"
                    else f"{q.targets.service_level:.0%} ≤ {q.response_hours:g} h"
                ),
                "max_occupancy": q.targets.max_occupancy,
                "shrinkage": q.shrinkage,
                "patience_seconds": q.patience_seconds,
                "concurrency": q.concurrency,
                "aht_factors": ";".join(f"{f:g}" for f in q.aht_factors),
                "min_agents_open": q.targets.min_agents,
                "hours": f"{q.open_time or ''}–{q.close_time or ''}",
            }
        )
    return pd.DataFrame(rows)


def _heatmap(requirements: pd.DataFrame) -> None:
    """Required (scheduled) agents by day and time of day for one queue or all queues together."""
    queues = sorted(requirements["queue"].unique())
    choice = st.selectbox(
        t("st.queue"),
        ["all", *queues],
        key="st_heat_queue",
        format_func=lambda q: t("st.all_queues") if q == "all" else q,
    )
    frame = requirements if choice == "all" else requirements[requirements["queue"] == choice]
    frame = frame.assign(
        day=frame["interval_start"].dt.date.astype(str), time=frame["interval_start"].dt.strftime("%H:%M")
    )
    grid = frame.pivot_table(index="day", columns="time", values="required_agents", aggfunc="sum", fill_value=0)
    fig = px.imshow(
        grid,
        aspect="auto",
        color_continuous_scale="Blues",
        labels={"color": t("st.agents"), "x": t("st.time"), "y": t("st.day")},
    )
    fig.update_layout(height=max(300, 26 * len(grid) + 120), margin={"t": 30})
    st.plotly_chart(fig, width="stretch", key="st_heatmap")


def render() -> None:
    """The Staffing page."""
    st.title(t("page.staffing"))
    run_id = latest_run_id()
    if run_id is None:
        st.info(t("st.no_forecast"))
        return
    queues = common.queue_settings()
    cols = st.columns([2, 1])
    model = cols[0].selectbox(
        t("st.model"),
        ["queue", *MODELS],
        key="st_model",
        format_func=lambda m: t("st.model_queue") if m == "queue" else m,
    )
    cols[1].write("")
    if cols[1].button(t("st.compute"), type="primary", key="st_compute"):

        def compute() -> int:
            with common.session() as session:
                forecast = store.get_forecast(session, run_id)
            table = build_requirements(forecast, queues, model=None if model == "queue" else model)
            with common.session() as session, session.begin():
                return store.save_requirements(session, run_id, table)

        with st.spinner(t("st.computing")):
            rows = common.guarded(compute)
        if rows is not None:
            st.success(t("st.saved", rows=rows, run=run_id))
    requirements = load_requirements(run_id)
    if requirements.empty:
        st.info(t("st.no_requirements", run=run_id))
    else:
        st.subheader(t("st.heatmap", run=run_id))
        _heatmap(requirements)
        hours_per_interval = requirements["queue"].map(lambda q: queues[q].interval_minutes / 60.0)
        daily = requirements.assign(
            hours=requirements["required_agents"] * hours_per_interval, day=requirements["interval_start"].dt.date
        )
        st.caption(t("st.daily_hours"))
        st.dataframe(
            daily.groupby(["day", "queue"], as_index=False)["hours"]
            .sum()
            .pivot(index="day", columns="queue", values="hours"),
            column_config=None,
        )
    st.subheader(t("st.assumptions"))
    st.caption(t("st.assumptions_help"))
    st.dataframe(_assumptions(queues), hide_index=True)
