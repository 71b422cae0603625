"""Fidelity page: how far each staffing model's predicted service level was from what really happened on the
centre's own contact log, by interval and by load band, with the calibrated model's learned parameters in words."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import streamlit as st

from wfm.commands.fidelity import read_log
from wfm.limits import MAX_UPLOAD_MEGABYTES
from wfm.staffing.calibrated import describe
from wfm.staffing.fidelity import Scope, run_fidelity
from wfm.ui import common
from wfm.ui.i18n import t

RESULT_KEY = "fidelity_result"


def _run(upload, interval: int, answer: float, train_until, min_offered: int, say) -> object:
    """Read the uploaded log with the product's reader, then reconstruct, learn and compare."""
    contacts = common.read_upload(upload.name, upload, lambda path: read_log(str(path)))
    return run_fidelity(
        contacts,
        interval_minutes=interval,
        answer_seconds=answer,
        train_until=train_until,
        scope=Scope(min_offered=min_offered),
        progress=say,
    )


def _summary(report: dict) -> pd.DataFrame:
    """One row per model and split: intervals, SL and abandonment MAE and bias (points)."""
    rows = []
    for model, splits in report["models"].items():
        for split, e in splits.items():
            rows.append(
                {
                    "model": model,
                    "split": split,
                    "intervals": e["intervals"],
                    "sl_mae": e["service_level"]["mae"],
                    "sl_bias": e["service_level"]["bias"],
                    "abandon_mae": e["abandon_rate"]["mae"],
                    "abandon_bias": e["abandon_rate"]["bias"],
                }
            )
    return pd.DataFrame(rows)


def render() -> None:
    """The Fidelity page."""
    st.title(t("page.fidelity"))
    st.caption(t("fi.help"))
    upload = st.file_uploader(t("fi.file", megabytes=MAX_UPLOAD_MEGABYTES), type=common.UPLOAD_TYPES, key="fi_upload")
    cols = st.columns(4)
    interval = cols[0].selectbox(t("data.interval"), [30, 15, 60], key="fi_interval")
    answer = cols[1].number_input(t("data.answer_seconds"), 0, 3600, 20, key="fi_answer")
    train_until = cols[2].date_input(t("fi.train_until"), key="fi_train_until")
    min_offered = cols[3].number_input(t("fi.min_offered"), 1, 1000, 20, key="fi_min_offered")
    if upload is not None and st.button(t("fi.run"), type="primary", key="fi_run"):
        with st.status(t("fi.running"), expanded=True) as status:
            result = common.guarded(
                lambda: _run(
                    upload, int(interval), float(answer), pd.Timestamp(train_until), int(min_offered), status.write
                )
            )
            status.update(state="error" if result is None else "complete", expanded=False)
        if result is not None:
            st.session_state[RESULT_KEY] = result
    result = st.session_state.get(RESULT_KEY)
    if result is None:
        return
    summary = _summary(result.report)
    st.subheader(t("fi.errors"))
    st.dataframe(summary, hide_index=True)
    test = summary[summary["split"] == "test"]
    if len(test):
        best = test.loc[test["sl_mae"].idxmin()]
        st.success(t("fi.best", model=best["model"], mae=best["sl_mae"]))
    intervals = result.intervals
    split = "test" if (intervals["split"] == "test").any() else "train"
    shown = intervals[intervals["split"] == split]
    fig = px.scatter(
        shown,
        x="real_service_level",
        y="predicted_service_level",
        color="model",
        opacity=0.6,
        title=t("fi.scatter", split=split),
    )
    fig.add_shape(type="line", x0=0, y0=0, x1=1, y1=1, line={"dash": "dash", "color": "#888"})
    fig.update_layout(xaxis_tickformat=".0%", yaxis_tickformat=".0%", height=420)
    st.plotly_chart(fig, width="stretch", key="fi_scatter")
    bands = shown.assign(error=(shown["predicted_service_level"] - shown["real_service_level"]).abs() * 100)
    by_band = bands.groupby(["occupancy_band", "model"], as_index=False)["error"].mean()
    fig = px.bar(by_band, x="occupancy_band", y="error", color="model", barmode="group", title=t("fi.bands"))
    st.plotly_chart(fig, width="stretch", key="fi_bands")
    st.subheader(t("fi.parameters"))
    for queue, params in result.parameters.items():
        st.markdown(f"**{queue}**")
        st.markdown("\n".join(f"- {line}" for line in describe(params)))
