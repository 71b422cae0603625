"""Export page: downloads of the roster (segments, agent × day grid), coverage, requirements and forecast."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from wfm import store
from wfm.export import coverage_table, grid_table, neutralise, segments_table
from wfm.ui import common
from wfm.ui.forecast_page import latest_run_id
from wfm.ui.i18n import t
from wfm.ui.roster_page import EDIT_KEY, current_build


@st.cache_data(show_spinner=False, max_entries=16)
def excel_csv(frame: pd.DataFrame) -> bytes:
    """CSV bytes that Excel opens correctly: UTF-8 with BOM, formula-like cells neutralised."""
    return neutralise(frame).to_csv(index=False).encode("utf-8-sig")


@st.cache_data(show_spinner=False, max_entries=4)
def roster_tables(frame: pd.DataFrame, _requirements: pd.DataFrame, requirements_key: int, off_label: str) -> dict:
    """The roster's segments, agent × day grid and coverage tables (cached per roster content)."""
    segments = frame.assign(
        start=pd.to_datetime(frame["start"]), end=pd.to_datetime(frame["end"]), date=pd.to_datetime(frame["date"])
    )
    span = _requirements[
        (_requirements["interval_start"] >= segments["date"].min())
        & (_requirements["interval_start"] < segments["date"].max() + pd.Timedelta(days=1))
    ]
    return {
        "segments": segments_table(segments),
        "grid": grid_table(segments, off_label=off_label),
        "coverage": coverage_table(segments, span.reset_index(drop=True)),
    }


def _download(label: str, frame: pd.DataFrame, file_name: str, key: str) -> None:
    """One download button with the row count."""
    st.download_button(f"{label} ({len(frame)})", excel_csv(frame), file_name=file_name, mime="text/csv", key=key)


def render() -> None:
    """The Export page."""
    st.title(t("page.export"))
    run_id = latest_run_id()
    plan = pd.DataFrame()
    if run_id is not None:
        with common.session() as session:
            plan = store.get_requirements(session, run_id)
    build = current_build(plan) if len(plan) else None
    frame = st.session_state.get(EDIT_KEY)
    if build is not None and frame is not None:
        tables = roster_tables(frame, build.requirements, id(build.requirements), t("ex.off"))
        st.subheader(t("ex.roster"))
        _download(t("ex.segments"), tables["segments"], "roster_segments.csv", "ex_segments")
        _download(t("ex.grid"), tables["grid"], "roster_grid.csv", "ex_grid")
        _download(t("ex.coverage"), tables["coverage"], "coverage.csv", "ex_coverage")
    else:
        st.info(t("ex.no_roster"))
    if run_id is not None:
        st.subheader(t("ex.plan", run=run_id))
        with common.session() as session:
            forecast = store.get_forecast(session, run_id)
            requirements = store.get_requirements(session, run_id)
        _download(t("ex.forecast"), forecast, f"forecast_{run_id}.csv", "ex_forecast")
        if len(requirements):
            _download(t("ex.requirements"), requirements, f"requirements_{run_id}.csv", "ex_requirements")
