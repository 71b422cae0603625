"""The page list used by app.py's navigation."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from wfm.ui import (
    common,
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

# (page module, title label, url path, icon), in the order a planner works: data → forecast → staffing → roster →
# what-if.
PAGES = [
    (data_page, "page.data", "data", ":material/upload_file:"),
    (forecast_page, "page.forecast", "forecast", ":material/trending_up:"),
    (staffing_page, "page.staffing", "staffing", ":material/groups:"),
    (roster_page, "page.roster", "roster", ":material/calendar_month:"),
    (scenarios_page, "page.scenarios", "scenarios", ":material/compare_arrows:"),
    (export_page, "page.export", "export", ":material/download:"),
    (fidelity_page, "page.fidelity", "fidelity", ":material/target:"),
    (staffing_calculator, "page.calculator", "calculator", ":material/calculate:"),
]


def page_functions() -> list[tuple[Callable[[], None], str, str, str]]:
    """(page function, title label, url path, icon) of every page, each run through common.safe_page: bad input
    shows its one-line message and any other failure a short error, never a traceback."""
    return [(common.safe_page(module.render), title, path, icon) for module, title, path, icon in PAGES]


def all_pages() -> list:
    """Every page of the app; the first is the default."""
    language_picker()
    return [
        st.Page(render, title=t(title), url_path=path, icon=icon, default=index == 0)
        for index, (render, title, path, icon) in enumerate(page_functions())
    ]
