"""Data page: upload interval history or a per-contact log (checked, previewed, saved) and the daily report."""

from __future__ import annotations

from typing import BinaryIO

import pandas as pd
import plotly.express as px
import streamlit as st

from forecasting.contacts import aggregate_contacts, read_contacts
from forecasting.history import find_gaps, read_history
from wfm import store
from wfm.limits import MAX_UPLOAD_MEGABYTES
from wfm.reports import daily_operations
from wfm.ui import common
from wfm.ui.i18n import t

UPLOAD_KEY = "data_upload"


def check_upload(name: str, data: BinaryIO, kind: str, interval_minutes: int, answer_seconds: float) -> pd.DataFrame:
    """Read an uploaded history or contact log with the same readers as files on disk (messages name the upload).

    A contact log is aggregated to interval history; nothing is stored here.
    """
    if kind == "contacts":
        return common.read_upload(
            name, data, lambda path: aggregate_contacts(read_contacts(path), interval_minutes, answer_seconds)
        )
    return common.read_upload(name, data, read_history)


def _upload_section() -> None:
    """Uploader, validation messages inline, preview and save."""
    st.subheader(t("data.upload"))
    kind = st.radio(
        t("data.kind"),
        ["history", "contacts"],
        format_func=lambda k: t(f"data.kind.{k}"),
        horizontal=True,
        key="data_kind",
    )
    cols = st.columns(2)
    interval = cols[0].selectbox(t("data.interval"), [15, 30, 60], key="data_interval", disabled=kind != "contacts")
    answer = cols[1].number_input(t("data.answer_seconds"), 0, 3600, 20, key="data_answer", disabled=kind != "contacts")
    upload = st.file_uploader(t("data.file", megabytes=MAX_UPLOAD_MEGABYTES), type=common.UPLOAD_TYPES, key=UPLOAD_KEY)
    if upload is None:
        return
    frame = common.guarded(lambda: check_upload(upload.name, upload, kind, int(interval), float(answer)))
    if frame is None:
        return
    minutes = frame.attrs.get("interval_minutes") or int(interval)
    st.success(t("data.checked", rows=len(frame), queues=frame["queue"].nunique(), minutes=minutes))
    st.dataframe(frame.head(200), hide_index=True)
    gaps = find_gaps(frame, int(minutes))
    if len(gaps):
        st.caption(t("data.gaps", count=len(gaps)))
        st.dataframe(gaps.head(100), hide_index=True)
    if st.button(t("data.save"), key="data_save"):

        def save() -> int:
            with common.session() as session, session.begin():
                return store.save_history(session, frame)

        saved = common.guarded(save)
        if saved is not None:
            common.data_changed()
            st.success(t("data.saved", rows=saved))


def _report_section() -> None:
    """Daily operations report per channel and queue with charts."""
    st.subheader(t("data.report"))
    history = common.history()
    if history.empty:
        st.info(t("data.no_history"))
        return
    last = history["interval_start"].max().normalize()
    first_allowed = history["interval_start"].min().date()
    picked = st.date_input(
        t("data.period"),
        (last - pd.Timedelta(days=13)).date(),
        min_value=first_allowed,
        max_value=last.date(),
        key="data_period_start",
    )
    start = pd.Timestamp(picked)
    window = history[(history["interval_start"] >= start) & (history["interval_start"] < start + pd.Timedelta(days=14))]
    channels = {name: q.channel for name, q in common.queue_settings().items()}
    report = daily_operations(window, channels)
    fig = px.bar(report, x="date", y="offered", color="queue", title=t("data.chart_volume"))
    st.plotly_chart(fig, width="stretch", key="data_volume_chart")
    fig = px.line(report, x="date", y="service_level", color="queue", markers=True, title=t("data.chart_sl"))
    fig.update_yaxes(tickformat=".0%")
    st.plotly_chart(fig, width="stretch", key="data_sl_chart")
    st.dataframe(
        report,
        hide_index=True,
        column_config={
            "service_level": st.column_config.NumberColumn(format="percent"),
            "abandon_rate": st.column_config.NumberColumn(format="percent"),
            "asa_seconds": st.column_config.NumberColumn(format="%.1f"),
            "aht_seconds": st.column_config.NumberColumn(format="%.0f"),
        },
    )


def render() -> None:
    """The Data page."""
    st.title(t("page.data"))
    _upload_section()
    _report_section()
