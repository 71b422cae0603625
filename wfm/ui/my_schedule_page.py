"""My schedule: an agent's own published shifts by day, week or month with the roster version and publish time, the
changes at the last publish, an ICS calendar download and the agent's preferences. Supervisors and planners pick
an agent of the teams they may see."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from wfm.auth import ics, preferences, requests, schedule
from wfm.auth.preferences import WEEKDAYS
from wfm.store import get_shifts
from wfm.ui import common
from wfm.ui.i18n import t

SPANS = {"day": 1, "week": 7, "month": 31}


def _agent() -> str | None:
    """The agent shown: the user's own, or one picked among those they may see."""
    actor = common.actor()
    with common.session() as session:
        visible = schedule.visible_agents(session)
    if actor is not None and actor.role == "agent":
        return actor.agent_code
    if not visible:
        return None
    return st.selectbox(t("ms.agent"), visible, key="ms_agent")


def _period(frame: pd.DataFrame) -> tuple[date, int]:
    """Day, week or month, and the first day shown."""
    cols = st.columns(2)
    span = cols[0].radio(
        t("ms.view"), list(SPANS), index=1, format_func=lambda k: t(f"ms.{k}"), horizontal=True, key="ms_span"
    )
    first = pd.Timestamp(frame["date"].min()).date() if len(frame) else date.today()
    start = cols[1].date_input(t("ms.from"), first, key="ms_from")
    if span == "week":
        start = start - timedelta(days=start.weekday())
    if span == "month":
        start = start.replace(day=1)
    days = (
        SPANS[span] if span != "month" else (pd.Timestamp(start) + pd.offsets.MonthBegin(1) - pd.Timestamp(start)).days
    )
    return start, days


def _table(frame: pd.DataFrame, start: date, days: int, time_off: pd.DataFrame) -> None:
    """One row per worked day in the period (shift span, queues, breaks), with approved time off."""
    shifts = ics.shifts_of(frame)
    end = start + timedelta(days=days)
    shown = shifts[(shifts["date"] >= start) & (shifts["date"] < end)]
    off = time_off[(time_off["date"] >= start) & (time_off["date"] < end)]
    if shown.empty and off.empty:
        st.info(t("ms.nothing"))
        return
    rows = pd.DataFrame(
        {
            t("col.date"): shown["date"].astype(str),
            t("col.shift"): [f"{s:%H:%M}–{e:%H:%M}" for s, e in zip(shown["start"], shown["end"], strict=True)],
            t("col.queues"): shown["queues"],
            t("col.detail"): shown["detail"].str.replace("\n", " · "),
        }
    )
    st.dataframe(rows, hide_index=True, width="stretch")
    if len(off):
        st.dataframe(
            pd.DataFrame(
                {
                    t("col.date"): off["date"].astype(str),
                    t("col.time_off"): [
                        f"{a}–{b}" if a else t("rq.whole") for a, b in zip(off["start"], off["end"], strict=True)
                    ],
                    t("col.reason"): off["reason"],
                }
            ),
            hide_index=True,
        )


def _preferences(agent: str) -> None:
    """The agent's preferred days off and shift categories (own user only)."""
    actor = common.actor()
    if actor is None or actor.agent_code != agent:
        return
    st.subheader(t("ms.prefs"))
    with common.session() as session:
        days_off, categories = preferences.get(session, agent)
        known = sorted({str(c) for c in get_shifts(session)["category"] if str(c)})
    with st.form("ms_prefs"):
        days = st.multiselect(
            t("ms.prefs_days"), list(range(7)), days_off, format_func=WEEKDAYS.__getitem__, key="ms_days"
        )
        chosen = st.multiselect(t("ms.prefs_categories"), known, [c for c in categories if c in known], key="ms_cat")
        if st.form_submit_button(t("ms.prefs_save")):

            def save() -> bool:
                with common.session() as session, session.begin():
                    preferences.save(session, agent, days, chosen, set(known))
                return True

            if common.guarded(save):
                st.success(t("ms.prefs_saved"))


def render() -> None:
    """The My schedule page."""
    st.title(t("page.my_schedule"))
    agent = _agent()
    if agent is None:
        st.info(t("ms.no_agent"))
        return
    with common.session() as session:
        frame, used = schedule.agent_schedule(session, agent)
        changes = schedule.changes_at_last_publish(session, agent)
        mine = requests.list_requests(session)
    time_off = mine[(mine["agent_id"] == agent) & (mine["status"] == "approved")]
    if not used:
        st.info(t("ms.none"))
    for published in used:
        st.caption(
            t(
                "ms.version",
                roster=published.roster,
                version=published.version,
                at=f"{published.published_at:%Y-%m-%d %H:%M}",
                by=published.published_by,
            )
        )
    if used:
        start, days = _period(frame)
        _table(frame, start, days, time_off)
        st.download_button(
            t("ms.ics"),
            ics.calendar_bytes(agent, frame),
            file_name=f"shifts-{agent}.ics",
            mime="text/calendar",
            key="ms_ics",
        )
        st.subheader(t("ms.changes"))
        if changes.empty:
            st.caption(t("ms.no_changes"))
        else:
            st.dataframe(
                changes[["roster", "version", "date", "before", "after"]].rename(
                    columns={
                        "roster": t("col.roster"),
                        "version": t("col.version"),
                        "date": t("col.date"),
                        "before": t("col.before"),
                        "after": t("col.after"),
                    }
                ),
                hide_index=True,
            )
    _preferences(agent)
