"""Streamlit entry point: the sign-in gate and the pages under wfm/ui/ (wfm.ui.pages.run_app)."""

import streamlit as st

from wfm.ui import pages

st.set_page_config(page_title="WFM", page_icon=":material/support_agent:", layout="wide")
pages.run_app()
