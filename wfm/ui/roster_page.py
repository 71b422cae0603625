"""Roster page: build with a time limit and live progress, a Gantt view by agent, required vs scheduled,
projected service level, the penalty report, editing one agent's day with the checker's verdict, and publishing."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from wfm import store, workspace
from wfm.export import coverage_table
from wfm.staffing.requirements import daily_service, projected_service
from wfm.ui import common
from wfm.ui.forecast_page import latest_run_id
from wfm.ui.i18n import t
from wfm.ui.staffing_page import load_requirements

BUILD_KEY = "roster_build"
EDIT_KEY = "roster_edited"
DELTA_KEY = "roster_edit_delta"
ACTIVITY_COLOURS = {"work": "#2c7fb8", "break": "#fdae61", "lunch": "#d7191c", "training": "#1a9641", "off": "#dddddd"}


def roster_name(start) -> str:
    """The stored name of the roster starting on a date."""
    return f"roster {start}"


def _build_section(requirements: pd.DataFrame) -> None:
    """Start, days and time limit; solving shows each phase as it happens."""
    first_day = requirements["interval_start"].min().date()
    available = (requirements["interval_start"].max().date() - first_day).days + 1
    cols = st.columns(3)
    start = cols[0].date_input(t("ro.start"), first_day, min_value=first_day, key="ro_start")
    days = cols[1].number_input(t("ro.days"), 1, max(1, available), min(7, available), key="ro_days")
    limit = cols[2].number_input(t("ro.time_limit"), 5, 600, 30, key="ro_limit")
    if not st.button(t("ro.build"), type="primary", key="ro_build"):
        return
    with st.status(t("ro.solving"), expanded=True) as status:
        build = common.guarded(
            lambda: workspace.build_roster(
                common.engine(), requirements, start, int(days), float(limit), progress=common.any_thread(status.write)
            )
        )
        if build is None:
            status.update(label=t("ro.failed"), state="error")
            return
        stats = build.solution.stats
        status.update(
            label=t("ro.solved", status=stats.status, gap=stats.gap, seconds=stats.elapsed_seconds),
            state="complete",
            expanded=False,
        )
    st.session_state[BUILD_KEY] = build
    st.session_state[EDIT_KEY] = build.frame
    st.session_state.pop(DELTA_KEY, None)


def _gantt(frame: pd.DataFrame) -> None:
    """Work, breaks, lunch and training per agent as coloured bars (one team or the first agents)."""
    shown = frame[frame["activity"] != "off"].copy()
    agents = sorted(shown["agent_id"].unique())
    day = st.selectbox(t("ro.gantt_day"), sorted(frame["date"].astype(str).unique()), key="ro_gantt_day")
    shown = shown[shown["date"].astype(str) == day]
    if shown.empty:
        st.info(t("ro.nobody"))
        return
    shown["label"] = shown["agent_id"] + " " + shown["name"]
    fig = px.timeline(
        shown,
        x_start="start",
        x_end="end",
        y="label",
        color="activity",
        color_discrete_map=ACTIVITY_COLOURS,
        hover_data=["queue"],
    )
    fig.update_yaxes(autorange="reversed", title=None)
    fig.update_layout(height=max(300, 18 * shown["agent_id"].nunique() + 120), margin={"t": 30})
    st.plotly_chart(fig, width="stretch", key="ro_gantt")
    st.caption(t("ro.gantt_caption", working=shown["agent_id"].nunique(), total=len(agents)))


@st.cache_data(show_spinner=False, max_entries=8)
def _coverage(frame: pd.DataFrame, _requirements: pd.DataFrame, requirements_key: int) -> pd.DataFrame:
    """Required vs scheduled per queue and interval for the roster's days (cached per roster content)."""
    requirements = _requirements
    days = pd.to_datetime(frame["date"]).dt.normalize()
    span = requirements[
        (requirements["interval_start"] >= days.min())
        & (requirements["interval_start"] < days.max() + timedelta(days=1))
    ].reset_index(drop=True)
    segments = frame.assign(start=pd.to_datetime(frame["start"]), end=pd.to_datetime(frame["end"]))
    coverage = coverage_table(segments, span)
    coverage["interval_start"] = pd.to_datetime(coverage["interval_start"])
    return coverage


def _coverage_chart(coverage: pd.DataFrame, key: str) -> None:
    """Required and scheduled agents over time for one queue."""
    queue = st.selectbox(t("ro.queue"), sorted(coverage["queue"].unique()), key=f"{key}_queue")
    c = coverage[coverage["queue"] == queue]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=c["interval_start"],
            y=c["required_agents"],
            name=t("ro.required"),
            line={"shape": "hv", "color": "#d7191c"},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=c["interval_start"],
            y=c["scheduled_agents"],
            name=t("ro.scheduled"),
            line={"shape": "hv", "color": "#2c7fb8"},
            fill="tozeroy",
            fillcolor="rgba(44,127,184,0.15)",
        )
    )
    fig.update_layout(height=320, margin={"t": 30}, yaxis_title=t("st.agents"))
    st.plotly_chart(fig, width="stretch", key=f"{key}_chart")


def _service(coverage: pd.DataFrame, requirements: pd.DataFrame) -> None:
    """Projected service level per day and queue at the rostered agents."""
    scheduled = coverage[["queue", "interval_start"]].assign(
        scheduled_agents=coverage["scheduled_agents"].round().astype(int)
    )
    span = requirements.merge(coverage[["queue", "interval_start"]], on=["queue", "interval_start"])
    projection = projected_service(span, scheduled, common.queue_settings())
    daily = daily_service(projection)
    fig = px.line(daily, x="date", y="service_level", color="queue", markers=True, title=t("ro.projected_sl"))
    fig.update_yaxes(tickformat=".0%")
    st.plotly_chart(fig, width="stretch", key="ro_sl_chart")


def _edit_section(build: workspace.RosterBuild, frame: pd.DataFrame) -> None:
    """Change one agent's day; the checker's verdict and the coverage change show at once."""
    st.subheader(t("ro.edit"))
    instance = build.instance
    agents = {a.agent_id: a for a in instance.agents}
    cols = st.columns(4)
    agent_id = cols[0].selectbox(
        t("ro.agent"), list(agents), key="ro_edit_agent", format_func=lambda a: f"{a} {agents[a].name}"
    )
    day = cols[1].date_input(
        t("ro.day"),
        instance.start,
        min_value=instance.start,
        max_value=instance.start + timedelta(days=instance.days - 1),
        key="ro_edit_day",
    )
    shift = cols[2].selectbox(t("ro.shift"), ["off", *[s.name for s in instance.shifts]], key="ro_edit_shift")
    skills = [q for q in instance.queues if q in agents[agent_id].skills] or list(instance.queues)
    queue = cols[3].selectbox(t("ro.queue"), skills, key="ro_edit_queue")
    if st.button(t("ro.apply"), key="ro_apply"):
        edited = common.guarded(
            lambda: workspace.replace_day(
                frame, instance, agent_id, day, None if shift == "off" else shift, queue, build.config
            )
        )
        if edited is not None:
            before = _coverage(frame, build.requirements, id(build.requirements))
            after = _coverage(edited, build.requirements, id(build.requirements))
            st.session_state[EDIT_KEY] = edited
            st.session_state[DELTA_KEY] = (
                (after["under"].sum() - before["under"].sum()) * instance.interval_minutes / 60
            )
            st.rerun()
    if DELTA_KEY in st.session_state:
        st.info(t("ro.delta", hours=st.session_state[DELTA_KEY]))


def _publish_section(build: workspace.RosterBuild, frame: pd.DataFrame, problems: list[str]) -> None:
    """Save as a draft version and publish it (refused when it is stale or breaks a hard rule)."""
    name = roster_name(build.instance.start)
    with common.session() as session:
        versions = store.list_rosters(session)
    current = versions[versions["name"] == name]
    version = int(current["version"].iloc[0]) if len(current) else 0
    st.caption(t("ro.version", name=name, version=version))
    cols = st.columns(2)
    if cols[0].button(t("ro.save"), key="ro_save"):

        def save() -> store.RosterInfo:
            with common.session() as session, session.begin():
                return store.save_roster(session, name, frame, expected_version=version)

        info = common.guarded(save)
        if info is not None:
            st.success(t("ro.saved", version=info.version))
            st.rerun()
    if cols[1].button(t("ro.publish"), key="ro_publish", disabled=bool(problems) or version == 0):

        def publish() -> store.RosterInfo:
            with common.session() as session, session.begin():
                return store.publish_roster(session, name, expected_version=version)

        info = common.guarded(publish)
        if info is not None:
            st.success(t("ro.published", version=info.version))


@st.cache_data(show_spinner=False, max_entries=8)
def _violations(frame: pd.DataFrame, _build: workspace.RosterBuild, build_key: int) -> list[str]:
    """The independent checker's verdict (cached per roster content)."""
    return workspace.violations(frame, _build.instance, _build.config)


def current_build(requirements: pd.DataFrame) -> workspace.RosterBuild | None:
    """The roster built in this session, else the last saved one (nothing is lost on reload), else None."""
    build: workspace.RosterBuild | None = st.session_state.get(BUILD_KEY)
    if build is None:
        build = common.guarded(lambda: common.stored_roster(requirements))
        if build is None:
            return None
        st.session_state[BUILD_KEY] = build
        st.session_state[EDIT_KEY] = build.frame
        st.caption(t("ro.loaded"))
    return build


def render() -> None:
    """The Roster page."""
    st.title(t("page.roster"))
    run_id = latest_run_id()
    requirements = load_requirements(run_id) if run_id is not None else pd.DataFrame()
    if requirements.empty:
        st.info(t("ro.no_requirements"))
        return
    _build_section(requirements)
    build = current_build(requirements)
    if build is None:
        return
    frame = st.session_state.get(EDIT_KEY, build.frame)
    if build.solution is not None:
        stats = build.solution.stats
        cols = st.columns(4)
        cols[0].metric(t("ro.status"), stats.status)
        cols[1].metric(t("ro.objective"), f"{stats.objective:,.0f}")
        cols[2].metric(t("ro.bound"), f"{stats.lower_bound:,.0f}")
        cols[3].metric(t("ro.gap"), f"{stats.gap:.1%}")
    problems = _violations(frame, build, id(build))
    if problems:
        st.error(t("ro.violations", count=len(problems)) + "\n\n" + "\n".join(f"- {p}" for p in problems[:20]))
    else:
        st.success(t("ro.checked"))
    st.subheader(t("ro.gantt"))
    _gantt(frame)
    coverage = _coverage(frame, build.requirements, id(build.requirements))
    st.subheader(t("ro.coverage"))
    _coverage_chart(coverage, "ro_cov")
    _service(coverage, build.requirements)
    if build.solution is not None:
        st.subheader(t("ro.penalties"))
        st.dataframe(workspace.penalty_table(build.solution), hide_index=True)
    _edit_section(build, frame)
    _publish_section(build, frame, problems)
