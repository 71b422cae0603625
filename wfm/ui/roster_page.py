"""Roster page: build with a time limit and live progress, a Gantt view by agent, required vs scheduled,
projected service level, the penalty report, editing one agent's day with the checker's verdict, and publishing."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from wfm import store, workspace
from wfm.auth import requests as time_off_requests
from wfm.auth.schedule_diff import changed_agents
from wfm.export import coverage_table
from wfm.staffing.requirements import daily_service, projected_service
from wfm.ui import common
from wfm.ui.forecast_page import latest_run_id
from wfm.ui.i18n import t
from wfm.ui.staffing_page import load_requirements

BUILD_KEY = "roster_build"
EDIT_KEY = "roster_edited"
DELTA_KEY = "roster_edit_delta"
MOVED_KEY = "roster_edit_pauses_moved"  # agents whose breaks moved so the edit keeps the break cap
ACTIVITY_COLOURS = {
    "work": "#2c7fb8",
    "break": "#fdae61",
    "lunch": "#d7191c",
    "training": "#1a9641",
    "reassign": "#7b3294",
    "off": "#dddddd",
}


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
    st.session_state.pop(MOVED_KEY, None)


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


def _service(coverage: pd.DataFrame, requirements: pd.DataFrame) -> pd.DataFrame:
    """Projected service level per day and queue at the rostered agents (the projection per interval returned)."""
    scheduled = coverage[["queue", "interval_start"]].assign(
        scheduled_agents=coverage["scheduled_agents"].round().astype(int)
    )
    span = requirements.merge(coverage[["queue", "interval_start"]], on=["queue", "interval_start"])
    projection = projected_service(span, scheduled, common.queue_settings())
    daily = daily_service(projection)
    fig = px.line(daily, x="date", y="service_level", color="queue", markers=True, title=t("ro.projected_sl"))
    fig.update_yaxes(tickformat=".0%")
    st.plotly_chart(fig, width="stretch", key="ro_sl_chart")
    return projection


def _limits_section(build: workspace.RosterBuild, frame: pd.DataFrame, projection: pd.DataFrame) -> None:
    """Per queue and day below target: the hours short and the limits behind them (staff, skills, hours, backlog)."""
    st.subheader(t("ro.limits"))
    limits = workspace.service_limits_table(build, frame, projection, common.queue_settings())
    if limits.empty:
        st.success(t("ro.limits_none"))
        return

    def named(code: str) -> str:
        return t(f"ro.limit_{code}") if code else t("ro.limit_target_only")

    table = pd.DataFrame(
        {
            t("ro.limit_queue"): limits["queue"],
            t("ro.limit_date"): limits["date"],
            t("ro.limit_sl"): limits["service_level"].map("{:.1%}".format),
            t("ro.limit_target"): limits["target"].map("{:.0%}".format),
            t("ro.limit_short"): limits["short_hours"],
            t("ro.limit_main"): limits["main_limit"].map(named),
            t("ro.limit_all"): limits["limits"].map(
                lambda items: "; ".join(f"{named(x['code'])} {x['hours']:g} h" for x in items)
            ),
        }
    )
    st.dataframe(table, hide_index=True)
    st.caption(t("ro.limits_caption"))


@st.cache_data(show_spinner=False, max_entries=8)
def _fairness(frame: pd.DataFrame, _build: workspace.RosterBuild, build_key: int) -> dict:
    """Weekends, late shifts and holidays per agent and per comparable group (cached per roster content)."""
    return workspace.fairness_table(_build, frame)


def _fairness_section(build: workspace.RosterBuild, frame: pd.DataFrame) -> None:
    """Each agent's count (carried and this roster) as stacked bars by comparable group, and each group's spread."""
    st.subheader(t("ro.fairness"))
    report = _fairness(frame, build, id(build))
    kinds = ["weekends", "lates", *(["holidays"] if report["holidays"] else [])]
    kind = st.radio(t("ro.fair_kind"), kinds, format_func=lambda k: t(f"ro.fair_{k}"), horizontal=True, key="ro_fair")
    agents = pd.DataFrame(report["agents"])
    agents = agents[agents[f"{kind}_counted"]]
    groups = pd.DataFrame([g for g in report["groups"] if g["kind"] == kind])
    if groups.empty:
        st.info(t("ro.fair_none"))
        return
    agents = agents[agents["group"].isin(groups["group"])].sort_values(["group", kind])
    agents["label"] = agents["agent_id"] + " " + agents["name"]
    long = agents.melt(
        id_vars=["label", "group"], value_vars=[f"{kind}_carried", kind], var_name="part", value_name="count"
    )
    long["part"] = long["part"].map({f"{kind}_carried": t("ro.fair_carried"), kind: t("ro.fair_horizon")})
    fig = px.bar(
        long,
        x="label",
        y="count",
        color="part",
        facet_col="group",
        facet_col_wrap=1,
        labels={"label": t("ro.fair_agent"), "count": t(f"ro.fair_{kind}"), "part": "", "group": t("ro.fair_group")},
    )
    fig.update_xaxes(matches=None, showticklabels=len(agents) <= 80)
    fig.update_layout(height=260 * groups["group"].nunique() + 80, margin={"t": 40}, barmode="stack")
    st.plotly_chart(fig, width="stretch", key="ro_fair_chart")
    table = groups[["group", "agents", "min", "max", "mean", "spread"]].rename(
        columns={
            "group": t("ro.fair_group"),
            "agents": t("ro.fair_agents"),
            "min": t("ro.fair_min"),
            "max": t("ro.fair_max"),
            "mean": t("ro.fair_mean"),
            "spread": t("ro.fair_spread"),
        }
    )
    st.dataframe(table, hide_index=True)
    st.caption(t("ro.fair_caption"))


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
        result = common.guarded(
            lambda: workspace.replace_day(
                frame, instance, agent_id, day, None if shift == "off" else shift, queue, build.config
            )
        )
        if result is not None:
            edited, moved = result
            st.session_state[MOVED_KEY] = moved
            before = _coverage(frame, build.requirements, id(build.requirements))
            after = _coverage(edited, build.requirements, id(build.requirements))
            st.session_state[EDIT_KEY] = edited
            st.session_state[DELTA_KEY] = (
                (after["under"].sum() - before["under"].sum()) * instance.interval_minutes / 60
            )
            st.rerun()
    if DELTA_KEY in st.session_state:
        st.info(t("ro.delta", hours=st.session_state[DELTA_KEY]))
    if st.session_state.get(MOVED_KEY):
        st.info(t("ro.pauses_moved", agents=", ".join(st.session_state[MOVED_KEY])))


def _publish_section(build: workspace.RosterBuild, frame: pd.DataFrame, problems: list[str]) -> None:
    """Save as a draft version and publish it (refused when it is stale or breaks a hard rule)."""
    name = roster_name(build.instance.start)
    with common.session() as session:
        versions = store.list_rosters(session)
    current = versions[versions["name"] == name]
    version = int(current["version"].iloc[0]) if len(current) else 0
    st.caption(t("ro.version", name=name, version=version))
    _published_caption(name, version)
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
            st.info(t("ro.affected", agents=_affected(name, info.version)))


def _published_caption(name: str, version: int) -> None:
    """The newest published version of the roster and when, by whom (or that none is published)."""
    if version == 0:
        return
    with common.session() as session:
        versions = store.roster_versions(session, name)
    published = versions[versions["status"] == "published"]
    if published.empty:
        st.caption(t("ro.not_published"))
        return
    newest = published.iloc[0]
    at = f"{pd.Timestamp(newest['published_at']):%Y-%m-%d %H:%M}"
    st.caption(t("ro.published_at", version=int(newest["version"]), at=at, by=newest["published_by"]))
    with common.session() as session:
        flags = time_off_requests.open_flags(session)
    flags = flags[flags["roster"] == name]
    if len(flags):
        st.warning(t("ro.replan", count=len(flags)))
        st.dataframe(flags, hide_index=True)


def _affected(name: str, version: int) -> int:
    """How many agents' shifts differ from the previous published version (each sees the diff on My schedule)."""
    with common.session() as session:
        versions = store.roster_versions(session, name)
        earlier = versions[(versions["status"] == "published") & (versions["version"] < version)]
        before = store.load_roster(session, name, version=int(earlier["version"].iloc[0]))[1] if len(earlier) else None
        after = store.load_roster(session, name, version=version)[1]
    return len(changed_agents(before, after))


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
    projection = _service(coverage, build.requirements)
    if build.solution is not None:
        st.subheader(t("ro.penalties"))
        st.dataframe(workspace.penalty_table(build.solution), hide_index=True)
    _limits_section(build, frame, projection)
    _fairness_section(build, frame)
    _edit_section(build, frame)
    _publish_section(build, frame, problems)
