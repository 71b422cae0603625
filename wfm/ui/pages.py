"""The page list used by app.py's navigation."""

from __future__ import annotations

import streamlit as st

from wfm.ui import staffing_calculator
from wfm.ui.i18n import language_picker, t


def all_pages() -> list:
    """Every page of the app, in menu order."""
    language_picker()
    return [st.Page(staffing_calculator.render, title=t("page.calculator"), url_path="staffing", icon="🧮")]
