"""Sign-in form, sign-out, and the session that survives a page reload: a signed, expiring token (wfm.auth.sessions)
in a cookie, read with st.context.cookies and written by a one-line script through st.html. Optionally Streamlit's
own st.login (OIDC, configured under [auth] in .streamlit/secrets.toml) for organisations with an identity provider.
"""

from __future__ import annotations

import re

import streamlit as st

from wfm.auth import permissions, sessions, users
from wfm.auth.permissions import Actor
from wfm.ui import common
from wfm.ui.i18n import t

COOKIE_KEY = "wfm_cookie_pending"  # a token to write (str), or "" to delete the cookie, on the next run
GO_HOME_KEY = "wfm_go_home"  # set at sign-in: open the user's home page if the current one is not theirs
SECRET_NAME = "wfm_session_secret"  # in .streamlit/secrets.toml (or $WFM_SESSION_SECRET)
_TOKEN = re.compile(r"^[A-Za-z0-9_.\-]+$")


def _secrets() -> dict:
    """The app's secrets.toml as a dict ({} when there is none)."""
    try:
        return dict(st.secrets)
    except Exception:  # no secrets file: Streamlit raises its own not-found error
        return {}


def _key() -> str:
    """The session-token signing secret."""
    value = _secrets().get(SECRET_NAME)
    return sessions.secret(str(value) if value else None)


def oidc_configured() -> bool:
    """Whether an identity provider is configured for st.login ([auth] in secrets.toml)."""
    return "auth" in _secrets()


def _oidc_actor() -> Actor | None:
    """The database user whose name is the e-mail the identity provider vouched for (role and teams from the
    database; an unknown or disabled address gets no access)."""
    if not oidc_configured() or not getattr(st.user, "is_logged_in", False):
        return None
    email = str(st.user.get("email") or "").strip().lower()
    with common.session() as session:
        return users.session_actor_by_name(session, email)


def restore() -> Actor | None:
    """The signed-in user of this run: the browser session's (checked again: still enabled, not signed out), else
    from a valid session cookie (a reload), else from st.login. Sets who is acting for the store."""
    actor: Actor | None = st.session_state.get(common.ACTOR_KEY)
    token = None if actor is not None else st.context.cookies.get(sessions.COOKIE_NAME)
    with common.session() as session:
        if actor is not None:
            actor = users.session_actor(session, actor.name, actor.epoch)
        elif token:
            found = sessions.read(token, _key())
            actor = users.session_actor(session, *found) if found else None
    if actor is None:
        actor = _oidc_actor()
    if actor is None:
        st.session_state.pop(common.ACTOR_KEY, None)
    else:
        st.session_state[common.ACTOR_KEY] = actor
    permissions.set_actor(actor)
    return actor


def write_cookie() -> None:
    """Write (or delete) the session cookie in the browser when a sign-in or sign-out asked for it."""
    if COOKIE_KEY not in st.session_state:
        return
    token = st.session_state.pop(COOKIE_KEY)
    if token and not _TOKEN.match(token):
        return
    age = sessions.session_seconds() if token else 0
    value = token or ""
    st.html(
        "<script>document.cookie = "
        f'"{sessions.COOKIE_NAME}={value}; Path=/; Max-Age={age}; SameSite=Strict"'
        ' + (location.protocol === "https:" ? "; Secure" : "");</script>',
        unsafe_allow_javascript=True,
    )


def render_form() -> None:
    """The sign-in form; a success reruns the page signed in (the cookie is written on that run)."""
    st.title(t("auth.title"))
    with st.form("signin_form"):
        name = st.text_input(t("auth.name"), key="signin_name")
        password = st.text_input(t("auth.password"), type="password", key="signin_password")
        submitted = st.form_submit_button(t("auth.submit"), type="primary")
    if oidc_configured() and st.button(t("auth.oidc"), key="signin_oidc"):
        st.login()
    if not submitted:
        return
    with common.session() as session, session.begin():
        outcome = users.authenticate(session, name, password)
    if outcome.actor is None:
        if outcome.reason == "locked" and outcome.locked_until is not None:
            st.error(t("auth.locked", until=f"{outcome.locked_until:%H:%M}"))
        else:
            st.error(t("auth.invalid"))
        return
    st.session_state[common.ACTOR_KEY] = outcome.actor
    st.session_state[COOKIE_KEY] = sessions.issue(outcome.actor.name, outcome.actor.epoch, _key())
    st.session_state[GO_HOME_KEY] = True
    st.rerun()


def sign_out() -> None:
    """End the session everywhere (the user's tokens stop being accepted), forget it here, delete the cookie."""
    actor: Actor | None = st.session_state.get(common.ACTOR_KEY)
    if actor is not None:
        with common.session() as session, session.begin():
            users.end_sessions(session, actor.name)
    st.session_state.pop(common.ACTOR_KEY, None)
    st.session_state[COOKIE_KEY] = ""
    permissions.set_actor(None)
    if oidc_configured() and getattr(st.user, "is_logged_in", False):
        st.logout()


def user_box(actor: Actor) -> None:
    """Who is signed in, the sign-out button and a form to change one's own password (sidebar)."""
    st.sidebar.caption(t("auth.signed_in_as", name=actor.label, role=t(f"role.{actor.role}")))
    if st.sidebar.button(t("auth.sign_out"), key="signout"):
        sign_out()
        st.rerun()
    with st.sidebar.expander(t("auth.change_password")), st.form("own_password", clear_on_submit=True):
        password = st.text_input(t("auth.new_password"), type="password", key="own_password_value")
        if st.form_submit_button(t("auth.change_password")):
            _change_own_password(actor, password)


def _change_own_password(actor: Actor, password: str) -> None:
    """A new password for the signed-in user; their other sessions end, this one gets a new token."""

    def change() -> Actor | None:
        with common.session() as session, session.begin():
            users.set_password(session, actor.name, password)
            return users.session_actor_by_name(session, actor.name)

    renewed = common.guarded(change)
    if renewed is not None:
        st.session_state[common.ACTOR_KEY] = renewed
        st.session_state[COOKIE_KEY] = sessions.issue(renewed.name, renewed.epoch, _key())
        st.success(t("auth.password_changed"))
