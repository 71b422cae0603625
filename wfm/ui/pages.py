"""The page list used by app.py's navigation."""

from __future__ import annotations

import streamlit as st

from wfm.ui import (
    data_page,
    export_page,
    fidelity_page,
    forecast_page,
    roster_page,
    scenarios_page,
    staffing_calculator,
    staffing_page,
)
from wfm.ui.i18n import language_picker, t


def all_pages() -> list:
    """Every page of the app, in the order a planner works: data → forecast → staffing → roster → what-if."""
    language_picker()
    return [
        st.Page(data_page.render, title=t("page.data"), url_path="data", icon=":material/upload_file:", default=True),
        st.Page(forecast_page.render, title=t("page.forecast"), url_path="forecast", icon=":material/trending_up:"),
        st.Page(staffing_page.render, title=t("page.staffing"), url_path="staffing", icon=":material/groups:"),
        st.Page(roster_page.render, title=t("page.roster"), url_path="roster", icon=":material/calendar_month:"),
        st.Page(
            scenarios_page.render, title=t("page.scenarios"), url_path="scenarios", icon=":material/compare_arrows:"
        ),
        st.Page(export_page.render, title=t("page.export"), url_path="export", icon=":material/download:"),
        st.Page(fidelity_page.render, title=t("page.fidelity"), url_path="fidelity", icon=":material/target:"),
        st.Page(
            staffing_calculator.render, title=t("page.calculator"), url_path="calculator", icon=":material/calculate:"
        ),
    ]
