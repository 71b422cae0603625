"""Single-interval staffing calculator page: Erlang C / Erlang A / chat, with the assumptions shown."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from wfm.staffing import (
    QueueMetrics,
    ServiceTargets,
    Staffing,
    chat_metrics,
    erlang_a_metrics,
    erlang_c_metrics,
    exact_ceil,
    required_agents_chat,
    required_agents_email,
    required_agents_erlang_a,
    required_agents_erlang_c,
    scheduled_from_net,
)
from wfm.staffing.queues import default_aht_factors
from wfm.ui import common
from wfm.ui.i18n import t

MODELS = ["erlang_c", "erlang_a", "chat", "email"]


def _required(
    model: str,
    volume: float,
    seconds: float,
    aht: float,
    patience: float,
    factors: tuple[float, ...],
    targets: ServiceTargets,
    window: int,
    response_hours: float,
) -> Staffing:
    """Agents needed in one interval by the chosen model (email: the first interval of its response window)."""
    if model == "erlang_a":
        return required_agents_erlang_a(volume, seconds, aht, patience, targets)
    if model == "chat":
        return required_agents_chat(volume, seconds, aht, factors, targets)
    if model == "email":
        series = np.zeros(window)
        series[0] = volume
        spread = required_agents_email(series, seconds, aht, response_hours * 3600, targets)
        return Staffing(
            spread.agents[:1],
            QueueMetrics(*(getattr(spread.metrics, f)[:1] for f in QueueMetrics.__dataclass_fields__)),
        )
    return required_agents_erlang_c(volume, seconds, aht, targets)


def render() -> None:
    """Inputs on the left, the answer and a service-level curve on the right."""
    st.title(t("page.calculator"))
    left, right = st.columns([1, 2])
    with left:
        model = st.radio(
            t("calc.model"), MODELS, format_func=lambda m: t(f"calc.model.{m}"), horizontal=True, key="calc_model"
        )
        volume = st.number_input(t("calc.volume"), 0.0, 1e6, 100.0, key="calc_volume")
        minutes = st.number_input(t("calc.minutes"), 1, 240, 30, key="calc_minutes")
        aht = st.number_input(t("calc.aht"), 1.0, 1e5, 180.0, key="calc_aht")
        sl = st.slider(t("calc.sl"), 0.0, 0.99, 0.8, 0.01, key="calc_sl")
        answer = st.number_input(t("calc.answer"), 0.0, 3600.0, 20.0, key="calc_answer")
        occupancy = st.slider(t("calc.occupancy"), 0.5, 1.0, 0.85, 0.01, key="calc_occ")
        shrinkage = st.slider(t("calc.shrinkage"), 0.0, 0.6, 0.3, 0.01, key="calc_shrink")
        patience = st.number_input(
            t("calc.patience"), 1.0, 1e5, 300.0, key="calc_patience", disabled=model != "erlang_a"
        )
        concurrency = st.number_input(t("calc.concurrency"), 1, 8, 3, key="calc_conc", disabled=model != "chat")
        response_hours = st.number_input(
            t("calc.response_hours"), 0.25, 72.0, 2.0, 0.25, key="calc_response", disabled=model != "email"
        )
    targets = ServiceTargets(sl, answer, max_occupancy=occupancy)
    seconds = minutes * 60.0
    factors = default_aht_factors(int(concurrency))
    window = max(1, int(exact_ceil(response_hours * 3600 / seconds)))
    with right:  # values outside the engine's documented ranges are refused with a message in place of the answer
        result = common.guarded(
            lambda: _required(model, volume, seconds, aht, patience, factors, targets, window, response_hours)
        )
    if result is None:
        return
    net = int(result.agents[0])
    m = result.metrics
    with right:
        cols = st.columns(4)
        cols[0].metric(t("calc.net"), net)
        cols[1].metric(t("calc.scheduled"), int(scheduled_from_net(net, shrinkage)))
        cols[2].metric(t("calc.service_level"), f"{float(m.service_level[0]):.1%}")
        cols[3].metric(t("calc.occupancy_result"), f"{float(m.occupancy[0]):.1%}")
        if model == "email":
            st.info(t("calc.email_note", volume=volume, work=volume * aht / 3600, window=window))
            return
        n = np.arange(max(1, net - 8), net + 9)
        lam = volume / seconds
        if model == "erlang_a":
            curve = erlang_a_metrics(n, lam, aht, patience, answer)
        elif model == "chat":
            curve = chat_metrics(n, lam, aht, factors, answer)
        else:
            curve = erlang_c_metrics(n, lam * aht, aht, answer)
        fig = go.Figure(go.Scatter(x=n, y=curve.service_level, mode="lines+markers", name="service level"))
        fig.add_hline(y=sl, line_dash="dash", annotation_text=t("calc.target"))
        fig.update_layout(
            xaxis_title=t("calc.agents_axis"), yaxis_title=t("calc.service_level"), yaxis_tickformat=".0%", height=360
        )
        st.plotly_chart(fig, width="stretch")
        st.caption(
            t(
                "calc.assumptions",
                traffic=lam * aht,
                volume=volume,
                aht=aht,
                seconds=seconds,
                factors=", ".join(f"{f:g}" for f in factors),
            )
        )
