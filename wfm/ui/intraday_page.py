"""Intraday page: upload today's actuals; actuals vs forecast vs reforecast, the rest-of-day gap against the newest
roster version that covers the day, and suggested actions, each applied (as a new roster version) only on a click."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from forecasting.history import read_history
from wfm import store, workspace
from wfm.auth.permissions import Action, can
from wfm.intraday.actions import apply_action
from wfm.intraday.gap import summary
from wfm.intraday.session import (
    IntradayResult,
    Reforecast,
    RosterContext,
    check_actuals,
    gap_and_actions,
    prepare_reforecast,
    roster_text,
)
from wfm.ui import common
from wfm.ui.i18n import t

UI_LEARN_DAYS = 10  # past days the page's reforecast learns from (the CLI's default is 20)
REFORECAST_KEY = "intraday_reforecast"
RESULT_KEY = "intraday_result"
APPLIED_KEY = "intraday_applied"


def _cut_off(actuals: pd.DataFrame) -> pd.Timestamp:
    """The end of the last interval with actuals (what is known now)."""
    minutes = int(actuals.attrs.get("interval_minutes") or 15)
    return pd.Timestamp(pd.to_datetime(actuals["interval_start"]).max()) + pd.Timedelta(minutes=minutes)


def _read_actuals(path: Path) -> tuple[pd.DataFrame, pd.Timestamp]:
    """Checked actuals of one day and the cut-off they reach (bad rows named by file and row)."""
    actuals = read_history(path)
    until = _cut_off(actuals)
    return check_actuals(actuals, until, path), until


def _roster_for(day: pd.Timestamp) -> tuple[str, int, str, pd.DataFrame] | None:
    """The newest version of the most recently created roster that has shifts on the day: name, version, status
    and its rows as text."""
    with common.session() as session:
        rosters = store.list_rosters(session)
        for name in rosters.sort_values("created_at", ascending=False)["name"]:
            info, segments = store.load_roster(session, str(name))
            dates = segments["date"].dt.normalize()
            if ((dates == day) & (segments["activity"] != "off")).any():
                frame = segments.assign(
                    date=segments["date"].dt.strftime("%Y-%m-%d"),
                    start=segments["start"].dt.strftime("%Y-%m-%d %H:%M"),
                    end=segments["end"].dt.strftime("%Y-%m-%d %H:%M"),
                    queue=segments["queue"].fillna(""),
                )
                return info.name, info.version, info.status, roster_text(frame)
    return None


def _context() -> RosterContext:
    """The stored agents, queues, shifts, time off and rules (and the sample's training file) as the readers see
    them."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = workspace.write_reference_folder(common.engine(), Path(tmp))
        training = workspace.SAMPLE_TRAINING if workspace.SAMPLE_TRAINING.is_file() else None
        return RosterContext.from_files(
            folder / "agents.csv",
            folder / "queues.csv",
            folder / "shifts.csv",
            folder / "rules.toml",
            folder / "time_off.csv" if _has_rows(folder / "time_off.csv") else None,
            training,
        )


def _has_rows(path: Path) -> bool:
    """Whether a CSV file has a data row below its header (the readers refuse a header alone)."""
    return len(path.read_text(encoding="utf-8-sig").strip().splitlines()) > 1


def _reforecast(actuals: pd.DataFrame, until: pd.Timestamp, key: str) -> Reforecast:
    """The reforecast for these actuals (computed once per upload and data version, with progress)."""
    cached = st.session_state.get(REFORECAST_KEY)
    if cached is not None and cached[0] == key:
        return cached[1]
    with st.status(t("in.computing"), expanded=True) as status:
        refc = prepare_reforecast(
            common.history(),
            actuals,
            until,
            calendar=workspace.event_calendar(common.engine()),
            learn_days=UI_LEARN_DAYS,
            progress=status.write,
        )
        status.update(label=t("in.computed"), state="complete", expanded=False)
    st.session_state[REFORECAST_KEY] = (key, refc)
    return refc


def _result(refc: Reforecast, key: str, roster: pd.DataFrame) -> IntradayResult:
    """Gap and actions for the roster version (computed once per version)."""
    cached = st.session_state.get(RESULT_KEY)
    if cached is not None and cached[0] == key:
        return cached[1]
    with st.spinner(t("in.actions_running")):
        result = gap_and_actions(refc, roster, _context())
    st.session_state[RESULT_KEY] = (key, result)
    return result


def _chart(frame: pd.DataFrame, until: pd.Timestamp) -> None:
    """Actuals up to the cut-off, the day-ahead forecast all day, the reforecast and its band after it."""
    queue = st.selectbox(t("in.queue"), sorted(frame["queue"].unique()), key="in_queue")
    q = frame[frame["queue"] == queue]
    rest = q[q["rest_of_day"]]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=pd.concat([rest["interval_start"], rest["interval_start"][::-1]]),
            y=pd.concat([rest["volume_hi"], rest["volume_lo"][::-1]]),
            fill="toself",
            fillcolor="rgba(26,150,65,0.15)",
            line={"width": 0},
            name=t("in.band"),
        )
    )
    fig.add_trace(
        go.Scatter(
            x=q["interval_start"], y=q["forecast"], name=t("in.forecast"), line={"dash": "dash", "color": "#888"}
        )
    )
    known = q[~q["rest_of_day"]]
    fig.add_trace(go.Scatter(x=known["interval_start"], y=known["actual"], name=t("in.actual"), mode="lines+markers"))
    fig.add_trace(go.Scatter(x=rest["interval_start"], y=rest["reforecast"], name=t("in.reforecast")))
    fig.add_vline(x=until, line_dash="dot")
    fig.update_layout(height=340, margin={"t": 30}, yaxis_title=t("in.contacts"))
    st.plotly_chart(fig, width="stretch", key="in_chart")


def _heatmap(gap: pd.DataFrame) -> None:
    """Scheduled − required agents per queue and rest-of-day interval (red: short)."""
    grid = gap.pivot_table(index="queue", columns="interval_start", values="gap", aggfunc="sum")
    limit = max(1.0, float(grid.abs().max().max()))
    fig = go.Figure(
        go.Heatmap(
            z=grid.to_numpy(),
            x=[f"{c:%H:%M}" for c in grid.columns],
            y=list(grid.index),
            colorscale="RdBu",
            zmin=-limit,
            zmax=limit,
            colorbar={"title": t("in.gap_unit")},
        )
    )
    fig.update_layout(height=80 + 40 * len(grid), margin={"t": 30}, title=t("in.heatmap"))
    st.plotly_chart(fig, width="stretch", key="in_heatmap")


def _metrics(gap: pd.DataFrame, until: pd.Timestamp) -> None:
    """Cut-off, projected service level and its gap to the target (percentage points), agent-intervals short and
    abandoned calls for the rest of the day."""
    s = summary(gap)
    cols = st.columns(5)
    cols[0].metric(t("in.cut_off"), f"{until:%Y-%m-%d %H:%M}")
    cols[1].metric(t("in.sl"), f"{s['service_level']:.2%}")
    cols[2].metric(t("in.sl_gap"), f"{100 * s['service_level_gap']:.2f}")
    cols[3].metric(t("in.short"), f"{s['short']:.0f}")
    cols[4].metric(t("in.abandoned"), f"{s['abandoned']:.0f}")


def _actions(result: IntradayResult, roster: tuple[str, int, str, pd.DataFrame]) -> None:
    """The action list, each with its effect and an apply button (a new roster version)."""
    st.subheader(t("in.actions"))
    if not result.actions:
        st.info(t("in.no_actions"))
    allowed = can(common.actor(), Action.ROSTER_SAVE)
    name, version, _status, frame = roster
    for action in result.actions:
        cols = st.columns([6, 2, 1, 1])
        cols[0].write(f"**{t('in.kind.' + action.kind)}** · {action.description}")
        cols[1].write(
            t(
                "in.effect",
                before=action.service_level_before,
                after=action.service_level_after,
                gain=action.answered_in_target_change,
            )
        )
        if action.sequence:
            cols[0].caption(
                t(
                    "in.sequence",
                    step=action.sequence,
                    gain=action.joint_answered_in_target_change,
                    level=action.cumulative_service_level,
                    cost=action.cumulative_cost,
                )
            )
        cols[2].write(t("in.cost", cost=action.cost))
        if cols[3].button(t("in.apply"), key=f"in_apply_{action.action_id}", disabled=not allowed):

            def save(action=action):
                with common.session() as session, session.begin():
                    note = f"intraday {action.kind}: {action.description}"
                    return store.save_roster(
                        session, name, apply_action(frame, action), expected_version=version, note=note
                    )

            info = common.guarded(save)
            if info is not None:
                st.session_state[APPLIED_KEY] = (info.version, action.description)
                st.rerun()
    for note in result.notes:
        st.caption(note)


def render() -> None:
    """The Intraday page."""
    st.title(t("page.intraday"))
    upload = st.file_uploader(t("in.upload"), type=common.UPLOAD_TYPES, key="in_actuals")
    if upload is None:
        st.info(t("in.need_actuals"))
        return
    actuals, until = common.read_upload(upload.name, upload, _read_actuals)
    day = until.normalize()
    roster = _roster_for(day)
    if roster is None:
        st.info(t("in.no_roster", day=f"{day:%Y-%m-%d}"))
        return
    name, version, status, frame = roster
    upload_key = hashlib.sha256(upload.getvalue()).hexdigest()
    refc = _reforecast(actuals, until, f"{upload_key}:{until}:{common.data_version()}")
    result = _result(refc, f"{upload_key}:{until}:{common.data_version()}:{name}:{version}", frame)
    if APPLIED_KEY in st.session_state:
        applied, text = st.session_state.pop(APPLIED_KEY)
        st.success(t("in.applied", version=applied, text=text))
    st.caption(t("in.roster", name=name, version=version, status=status))
    _metrics(result.gap, until)
    st.subheader(t("in.chart"))
    _chart(result.reforecast, until)
    _heatmap(result.gap)
    _actions(result, roster)
