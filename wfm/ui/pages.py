"""The page list used by app.py's navigation."""

from __future__ import annotations

import streamlit as st

from wfm.ui import staffing_calculator


def all_pages() -> list:
    """Every page of the app, in menu order."""
    return [st.Page(staffing_calculator.render, title="Staffing calculator", url_path="staffing", icon="🧮")]
