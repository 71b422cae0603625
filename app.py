"""Streamlit entry point: routes to the pages under wfm/ui/."""

import streamlit as st

from wfm.ui import pages

st.set_page_config(page_title="WFM", page_icon=":material/support_agent:", layout="wide")
st.navigation(pages.all_pages()).run()
