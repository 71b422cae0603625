"""Requests: agents ask for time off and offer or take shift swaps; supervisors (of the agent's team) see each
request's effect on coverage and projected service level for that day and approve or refuse it, and decide swaps
(re-checked by the independent checker). Every decision is made by the core, which checks the user's rights."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from wfm.auth import requests, schedule, swaps
from wfm.auth.permissions import Action, can
from wfm.ui import common
from wfm.ui.forecast_page import latest_run_id
from wfm.ui.i18n import t
from wfm.ui.staffing_page import load_requirements


def _status(value: str) -> str:
    """A request or swap status in the page's language."""
    key = f"rq.status.{value}"
    return t(key) if key in _known_statuses() else value


def _known_statuses() -> set[str]:
    """Status labels that exist."""
    return {f"rq.status.{s}" for s in ("pending", "approved", "refused", "cancelled")}


def _request_table(frame: pd.DataFrame) -> None:
    """Requests as a table with the page's column names."""
    if frame.empty:
        st.caption(t("rq.none"))
        return
    st.dataframe(
        pd.DataFrame(
            {
                "#": frame["id"],
                t("col.agent"): frame["agent_id"],
                t("col.date"): frame["date"].astype(str),
                t("col.from"): frame["start"],
                t("col.to"): frame["end"],
                t("col.reason"): frame["reason"],
                t("col.status"): frame["status"].map(_status),
                t("col.decided_by"): frame["decided_by"].fillna(""),
                t("col.note"): frame["note"],
            }
        ),
        hide_index=True,
    )


def _ask(agent: str, first_day: date) -> None:
    """The time-off request form (whole day, or from–to)."""
    st.subheader(t("rq.new"))
    with st.form("rq_form", clear_on_submit=True):
        cols = st.columns(4)
        day = cols[0].date_input(t("rq.day"), first_day, key="rq_day")
        whole = cols[1].checkbox(t("rq.whole"), True, key="rq_whole")
        start = cols[2].text_input(t("rq.start"), "", key="rq_start")
        end = cols[3].text_input(t("rq.end"), "", key="rq_end")
        reason = st.text_input(t("rq.reason"), key="rq_reason", max_chars=500)
        sent = st.form_submit_button(t("rq.submit"), type="primary")
    if sent:

        def submit() -> int:
            with common.session() as session, session.begin():
                return requests.submit(
                    session, agent, day, start=None if whole else start, end=None if whole else end, reason=reason
                )

        request_id = common.guarded(submit)
        if request_id is not None:
            st.success(t("rq.sent", id=request_id))


def _swap_section(agent: str, frame: pd.DataFrame, used: list) -> None:
    """Offer one of my published shifts; take another agent's open offer."""
    st.subheader(t("sw.title"))
    worked = sorted(frame.loc[frame["activity"] == "work", "date"].dt.date.unique())
    if worked and used:
        cols = st.columns([3, 1])
        day = cols[0].selectbox(t("sw.offer_day"), worked, key="sw_day")
        if cols[1].button(t("sw.offer"), key="sw_offer"):
            roster = frame.loc[frame["date"].dt.date == day, "roster"].iloc[0]

            def offer() -> int:
                with common.session() as session, session.begin():
                    return swaps.offer(session, agent, str(roster), day)

            swap_id = common.guarded(offer)
            if swap_id is not None:
                st.success(t("sw.offered", id=swap_id))
    with common.session() as session:
        listed = swaps.list_swaps(session)
    offers = listed[(listed["status"] == "offered") & (listed["from_agent"] != agent)]
    if len(offers):
        st.caption(t("sw.open"))
        for row in offers.itertuples(index=False):
            cols = st.columns([3, 1])
            cols[0].write(t("sw.item", id=row.id, one=row.from_agent, other=agent, day=row.date))
            if cols[1].button(t("sw.take"), key=f"sw_take_{row.id}"):

                def take(swap_id: int = int(row.id)) -> int:
                    with common.session() as session, session.begin():
                        swaps.accept(session, swap_id, agent)
                    return swap_id

                taken = common.guarded(take)
                if taken is not None:
                    st.success(t("sw.accepted", id=taken))
    _swap_table(listed[(listed["from_agent"] == agent) | (listed["to_agent"] == agent)])


def _swap_table(frame: pd.DataFrame) -> None:
    """Swaps as a table."""
    if frame.empty:
        st.caption(t("sw.none"))
        return
    st.dataframe(
        pd.DataFrame(
            {
                "#": frame["id"],
                t("col.date"): frame["date"].astype(str),
                t("col.offered_by"): frame["from_agent"],
                t("col.taken_by"): frame["to_agent"],
                t("col.status"): frame["status"],
                t("col.note"): frame["note"],
            }
        ),
        hide_index=True,
    )


def _agent_view(agent: str) -> None:
    """An agent's own requests and swaps."""
    with common.session() as session:
        frame, used = schedule.agent_schedule(session, agent)
    first_day = frame["date"].min().date() if len(frame) else date.today()
    _ask(agent, first_day)
    st.subheader(t("rq.mine"))
    with common.session() as session:
        _request_table(requests.list_requests(session))
    _swap_section(agent, frame, used)


def _effect(request_id: int) -> None:
    """The request's effect on its day (coverage hours and projected service level per queue)."""
    run_id = latest_run_id()
    required = load_requirements(run_id) if run_id is not None else pd.DataFrame()
    if required.empty:
        st.caption(t("rq.no_effect"))
        return

    def compute() -> pd.DataFrame:
        with common.session() as session:
            return requests.effect(session, request_id, required, common.queue_settings())

    effect = common.guarded(compute)
    if effect is None or effect.empty:
        st.caption(t("rq.no_effect"))
        return
    st.dataframe(
        pd.DataFrame(
            {
                t("col.queue"): effect["queue"],
                t("col.hours_before"): effect["hours_before"],
                t("col.hours_after"): effect["hours_after"],
                t("col.sl_before"): effect["service_level_before"].map("{:.1%}".format),
                t("col.sl_after"): effect["service_level_after"].map("{:.1%}".format),
            }
        ),
        hide_index=True,
    )


def _decide_requests() -> None:
    """Pending requests of the supervisor's teams, each with its effect and approve / refuse."""
    st.subheader(t("rq.pending"))
    with common.session() as session:
        pending = requests.list_requests(session, status="pending")
    if pending.empty:
        st.caption(t("rq.none"))
    for row in pending.itertuples(index=False):
        hours = f"{row.start}–{row.end}" if row.start else t("rq.whole")
        with st.container(border=True):
            st.markdown(
                t("rq.item", id=row.id, agent=row.agent_id, day=row.date, hours=hours, reason=row.reason or "—")
            )
            st.caption(t("rq.effect"))
            _effect(int(row.id))
            cols = st.columns([3, 1, 1])
            note = cols[0].text_input(t("rq.note"), key=f"rq_note_{row.id}")
            for column, approve, label in ((cols[1], True, "rq.approve"), (cols[2], False, "rq.refuse")):
                if column.button(t(label), key=f"rq_{'approve' if approve else 'refuse'}_{row.id}"):
                    _decide(int(row.id), approve, note)


def _decide(request_id: int, approve: bool, note: str) -> None:
    """Approve or refuse one request through the core."""

    def decide() -> int:
        with common.session() as session, session.begin():
            return requests.decide(session, request_id, approve, note=note)

    flagged = common.guarded(decide)
    if flagged is not None:
        common.data_changed()
        st.session_state["rq_message"] = (
            t("rq.approved", id=request_id, flagged=flagged) if approve else t("rq.refused", id=request_id)
        )
        st.rerun()


def _decide_swaps() -> None:
    """Accepted swaps waiting for a decision; approval runs the independent checker first."""
    st.subheader(t("sw.decide"))
    with common.session() as session:
        listed = swaps.list_swaps(session)
    waiting = listed[listed["status"] == "accepted"]
    if waiting.empty:
        st.caption(t("sw.none"))
    for row in waiting.itertuples(index=False):
        cols = st.columns([3, 1, 1])
        cols[0].write(t("sw.item", id=row.id, one=row.from_agent, other=row.to_agent, day=row.date))
        for column, approve, label in ((cols[1], True, "rq.approve"), (cols[2], False, "rq.refuse")):
            if column.button(t(label), key=f"sw_{'approve' if approve else 'refuse'}_{row.id}"):

                def decide(swap_id: int = int(row.id), yes: bool = approve) -> swaps.SwapDecision:
                    with common.session() as session, session.begin():
                        return swaps.decide(session, swap_id, yes)

                decision = common.guarded(decide)
                if decision is not None:
                    if decision.approved:
                        st.success(t("sw.approved", id=row.id, version=decision.version))
                    else:
                        st.warning(t("sw.refused", id=row.id, why=decision.message.split(": ", 1)[-1]))
    decided = listed[listed["status"] != "accepted"]
    if len(decided):
        _swap_table(decided)


def render() -> None:
    """The Requests page."""
    st.title(t("page.requests"))
    actor = common.actor()
    if actor is None:
        return
    if "rq_message" in st.session_state:
        st.success(st.session_state.pop("rq_message"))
    if actor.agent_code and can(actor, Action.REQUEST_OWN):
        _agent_view(actor.agent_code)
    if can(actor, Action.REQUEST_DECIDE):
        _decide_requests()
    if can(actor, Action.SWAP_DECIDE):
        _decide_swaps()
    if can(actor, Action.TEAM_VIEW):
        st.subheader(t("rq.all"))
        with common.session() as session:
            _request_table(requests.list_requests(session))
            flags = requests.open_flags(session)
        if len(flags):
            st.subheader(t("rq.flags"))
            st.dataframe(flags, hide_index=True)
