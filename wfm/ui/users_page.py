"""Users (administrators): the list without passwords, adding a user, disabling / enabling, a new password, a new
role. Every change goes through wfm.auth.users, which checks the administrator's rights and audits it."""

from __future__ import annotations

import streamlit as st

from wfm.auth import users
from wfm.auth.permissions import ROLES
from wfm.ui import common
from wfm.ui.i18n import t


def _run(action) -> None:
    """Run a change in a transaction; show the result, or the one-line refusal."""

    def change() -> bool:
        with common.session() as session, session.begin():
            action(session)
        return True

    if common.guarded(change):
        st.success(t("us.done"))


def _add() -> None:
    """The add-a-user form."""
    st.subheader(t("us.add"))
    with st.form("us_add", clear_on_submit=True):
        cols = st.columns(3)
        name = cols[0].text_input(t("us.name"), key="us_name")
        display = cols[1].text_input(t("us.display"), key="us_display")
        role = cols[2].selectbox(t("us.role"), ROLES, format_func=lambda r: t(f"role.{r}"), key="us_role")
        cols = st.columns(3)
        teams = cols[0].text_input(t("us.teams"), key="us_teams")
        agent = cols[1].text_input(t("us.agent"), key="us_agent")
        password = cols[2].text_input(t("us.password"), type="password", key="us_password")
        if st.form_submit_button(t("us.add"), type="primary"):
            _run(
                lambda s: users.add_user(
                    s,
                    name,
                    password,
                    role,
                    display_name=display,
                    teams=[x for x in teams.split(",") if x.strip()],
                    agent_code=agent.strip() or None,
                )
            )


def _change(names: list[str]) -> None:
    """Disable / enable, set a password, change the role of one user."""
    st.subheader(t("us.change"))
    name = st.selectbox(t("us.user"), names, key="us_user")
    cols = st.columns(2)
    if cols[0].button(t("us.disable"), key="us_disable"):
        _run(lambda s: users.set_disabled(s, name, True))
    if cols[1].button(t("us.enable"), key="us_enable"):
        _run(lambda s: users.set_disabled(s, name, False))
    with st.form("us_password_form", clear_on_submit=True):
        password = st.text_input(t("us.password"), type="password", key="us_new_password")
        if st.form_submit_button(t("us.set_password")):
            _run(lambda s: users.set_password(s, name, password))
    with st.form("us_role_form"):
        cols = st.columns(3)
        role = cols[0].selectbox(t("us.role"), ROLES, format_func=lambda r: t(f"role.{r}"), key="us_new_role")
        teams = cols[1].text_input(t("us.teams"), key="us_new_teams")
        agent = cols[2].text_input(t("us.agent"), key="us_new_agent")
        if st.form_submit_button(t("us.set_role")):
            _run(
                lambda s: users.set_role(
                    s,
                    name,
                    role,
                    teams=[x.strip() for x in teams.split(",") if x.strip()] or None,
                    agent_code=agent.strip() or None,
                )
            )


def render() -> None:
    """The Users page."""
    st.title(t("page.users"))
    _add()
    with common.session() as session:
        listed = common.guarded(lambda: users.list_users(session))
    if listed is None:
        return
    st.subheader(t("us.list"))
    st.dataframe(listed, hide_index=True)
    if len(listed):
        _change(listed["name"].tolist())
