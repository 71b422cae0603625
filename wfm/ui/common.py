"""Shared page helpers: the cached workspace engine, cached frames, and errors shown as messages."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeVar

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from wfm import store, workspace
from wfm.errors import InputError
from wfm.staffing.queues import QueueSettings
from wfm.ui.i18n import t

T = TypeVar("T")
DATA_VERSION_KEY = "data_version"


@st.cache_resource(show_spinner=False)
def _engine(url: str) -> Engine:
    """One engine per database URL for the whole server (migrated, seeded with the sample on first start)."""
    return workspace.open_workspace(url or None)


def engine() -> Engine:
    """The workspace database of this server."""
    with st.spinner(t("common.opening")):
        return _engine(os.environ.get("WFM_DATABASE_URL", ""))


def data_version() -> int:
    """A counter bumped whenever a page saves data, so cached frames are read again."""
    return int(st.session_state.get(DATA_VERSION_KEY, 0))


def data_changed() -> None:
    """Invalidate cached frames after a save."""
    st.session_state[DATA_VERSION_KEY] = data_version() + 1
    st.cache_data.clear()


@st.cache_data(show_spinner=False, max_entries=4)
def _history(url: str, version: int) -> pd.DataFrame:
    """Stored history (cached per data version)."""
    return workspace.history(_engine(url))


def history() -> pd.DataFrame:
    """The stored interval history."""
    return _history(os.environ.get("WFM_DATABASE_URL", ""), data_version())


def queue_settings() -> dict[str, QueueSettings]:
    """Stored queue settings for the staffing engine."""
    return workspace.queue_settings(engine())


def session() -> store.Session:
    """A new database session on the workspace engine (use as a context manager)."""
    return store.Session(engine())


def guarded(action: Callable[[], T]) -> T | None:
    """Run `action`; bad input is shown as the same one-line message the CLI prints, never a traceback."""
    try:
        return action()
    except InputError as exc:
        st.error(f"{t('common.bad_input')}: {exc}")
    except (ValueError, store.StaleRosterError) as exc:
        st.error(str(exc))
    return None
