"""The page list, each page behind the sign-in gate and its role permission, and the app's navigation (run_app)."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from wfm.auth.permissions import Action, Actor, can
from wfm.ui import (
    common,
    data_page,
    export_page,
    fidelity_page,
    forecast_page,
    intraday_page,
    my_schedule_page,
    requests_page,
    roster_page,
    scenarios_page,
    signin,
    staffing_calculator,
    staffing_page,
    users_page,
)
from wfm.ui.i18n import language_picker, t

# (page module, title label, url path, icon), in the order a planner works: data → forecast → staffing → roster →
# what-if.
PAGES = [
    (data_page, "page.data", "data", ":material/upload_file:"),
    (forecast_page, "page.forecast", "forecast", ":material/trending_up:"),
    (staffing_page, "page.staffing", "staffing", ":material/groups:"),
    (roster_page, "page.roster", "roster", ":material/calendar_month:"),
    (intraday_page, "page.intraday", "intraday", ":material/schedule:"),
    (scenarios_page, "page.scenarios", "scenarios", ":material/compare_arrows:"),
    (export_page, "page.export", "export", ":material/download:"),
    (fidelity_page, "page.fidelity", "fidelity", ":material/target:"),
    (staffing_calculator, "page.calculator", "calculator", ":material/calculate:"),
    (my_schedule_page, "page.my_schedule", "my-schedule", ":material/event:"),
    (requests_page, "page.requests", "requests", ":material/event_available:"),
    (users_page, "page.users", "users", ":material/manage_accounts:"),
]
# The permission that opens a page (wfm.auth.permissions); None: anyone signed in. A page not listed here needs
# PLANNING_VIEW, so a page added to PAGES is gated too: nobody sees it without signing in, agents not at all.
PAGE_ACTIONS: dict[str, Action | None] = {
    "roster": Action.ROSTER_VIEW,
    "my-schedule": None,
    "requests": None,
    "users": Action.USERS_MANAGE,
}
AGENT_HOME = "my-schedule"


def page_functions() -> list[tuple[Callable[[], None], str, str, str]]:
    """(page function, title label, url path, icon) of every page, each run through common.safe_page: bad input
    shows its one-line message and any other failure a short error, never a traceback."""
    return [(common.safe_page(module.render), title, path, icon) for module, title, path, icon in PAGES]


def page_action(path: str) -> Action | None:
    """The permission a page needs (PLANNING_VIEW unless PAGE_ACTIONS says otherwise)."""
    return PAGE_ACTIONS.get(path, Action.PLANNING_VIEW)


def may_open(path: str) -> bool:
    """Whether the signed-in user may open the page at this URL path."""
    actor = common.actor()
    action = page_action(path)
    return actor is not None and (action is None or can(actor, action))


def gate(render: Callable[[], None], title: str, path: str) -> Callable[[], None]:
    """The page behind the sign-in form; a user whose role may not open it sees why, and nothing runs."""

    def page() -> None:
        actor = common.actor()
        if actor is None:
            signin.render_form()
        elif not may_open(path):
            st.title(t(title))
            st.warning(t("auth.page_refused", name=actor.label, role=t(f"role.{actor.role}"), page=t(title)))
        else:
            render()

    page.__name__ = page.__qualname__ = f"page_{path.replace('-', '_')}"
    return common.safe_page(page)


def _home(actor: Actor | None) -> str:
    """The default page: an agent's own schedule, everyone else's first page."""
    return AGENT_HOME if actor is not None and actor.role == "agent" else PAGES[0][2]


def run_app() -> None:
    """The app: who is signed in (session, cookie or st.login), the navigation with the links this user may open in
    the sidebar (every URL stays routed, so a refused page says why), the session cookie, then the chosen page."""
    language_picker()
    actor = signin.restore()
    home = _home(actor)
    pages = [
        (st.Page(gate(render, title, path), title=t(title), url_path=path, icon=icon, default=path == home), path)
        for render, title, path, icon in page_functions()
    ]
    chosen = st.navigation([p for p, _path in pages], position="hidden")
    if actor is not None and st.session_state.pop(signin.GO_HOME_KEY, False) and not may_open(chosen.url_path):
        st.switch_page(next(p for p, path in pages if path == home))  # just signed in on a page not theirs
    if actor is not None:
        for page, path in pages:
            if may_open(path):
                st.sidebar.page_link(page, label=page.title, icon=page.icon)
        signin.user_box(actor)
    signin.write_cookie()
    chosen.run()
