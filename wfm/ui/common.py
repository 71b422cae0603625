"""Shared page helpers: the cached workspace engine, cached frames, uploads read by the product's readers, and
errors shown as messages (never a traceback)."""

from __future__ import annotations

import functools
import logging
import os
import shutil
import tempfile
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, TypeVar

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from wfm import store, workspace
from wfm.auth import permissions
from wfm.auth.permissions import Actor
from wfm.errors import InputError
from wfm.staffing.queues import QueueSettings
from wfm.ui.i18n import t

T = TypeVar("T")
DATA_VERSION_KEY = "data_version"
ACTOR_KEY = "wfm_actor"  # the signed-in user (wfm.auth.permissions.Actor), set by wfm.ui.signin
# File types the uploaders offer: CSV, plain or compressed (the readers detect the compression from the bytes).
UPLOAD_TYPES = ["csv", "gz", "bz2", "xz", "zip"]
_COPY_CHUNK_BYTES = 1 << 20
_LOG = logging.getLogger(__name__)


@st.cache_resource(show_spinner=False)
def _engine(url: str) -> Engine:
    """One engine per database URL for the whole server (migrated, seeded with the sample on first start)."""
    return workspace.open_workspace(url or None)


def engine() -> Engine:
    """The workspace database of this server."""
    with st.spinner(t("common.opening")):
        return _engine(_url())


def data_version() -> int:
    """A counter bumped whenever a page saves data, so cached frames are read again."""
    return int(st.session_state.get(DATA_VERSION_KEY, 0))


def data_changed() -> None:
    """Invalidate cached frames after a save."""
    st.session_state[DATA_VERSION_KEY] = data_version() + 1
    st.cache_data.clear()
    _history.clear()
    _queue_settings.clear()


@st.cache_resource(show_spinner=False, max_entries=2)
def _history(url: str, version: int) -> pd.DataFrame:
    """Stored history, shared read-only by every session (cached per data version; never modify it)."""
    return workspace.history(_engine(url))


def _url() -> str:
    """The database URL this server uses (empty = the default SQLite file)."""
    return os.environ.get("WFM_DATABASE_URL", "")


def history() -> pd.DataFrame:
    """The stored interval history (shared; filter it, never modify it in place)."""
    return _history(_url(), data_version())


@st.cache_resource(show_spinner=False, max_entries=4)
def _queue_settings(url: str, version: int) -> dict[str, QueueSettings]:
    """Stored queue settings (cached per data version)."""
    return workspace.queue_settings(_engine(url))


def queue_settings() -> dict[str, QueueSettings]:
    """Stored queue settings for the staffing engine."""
    return _queue_settings(_url(), data_version())


@st.cache_resource(show_spinner=False, max_entries=4)
def _stored_roster(url: str, name: str, version: int, _requirements: pd.DataFrame, run_key: int):
    """A saved roster version with its instance, shared read-only by every session."""
    return workspace.stored_roster(_engine(url), _requirements)


def stored_roster(requirements: pd.DataFrame):
    """The most recently saved roster (cached per roster version), or None."""
    with session() as s:
        rosters = store.list_rosters(s)
    if rosters.empty:
        return None
    latest = rosters.sort_values("created_at").iloc[-1]
    return _stored_roster(_url(), str(latest["name"]), int(latest["version"]), requirements, len(requirements))


def actor() -> Actor | None:
    """The signed-in user of this browser session (None: nobody is signed in)."""
    return st.session_state.get(ACTOR_KEY)


def session() -> store.Session:
    """A new database session on the workspace engine (use as a context manager); whatever is saved through it is
    checked against, and audited under, the signed-in user (nobody signed in: every save is refused)."""
    database = engine()
    permissions.set_actor(actor())
    return store.Session(database)


def show_bad_input(exc: InputError) -> None:
    """Bad input as the one line the command line prints (file, row, column: what was expected); a permission
    refusal as "Not allowed: …"."""
    if isinstance(exc, permissions.PermissionDenied):
        st.error(f"{t('auth.not_allowed')}: {exc}")
        return
    st.error(f"{t('common.bad_input')}: {exc}")


def guarded(action: Callable[[], T]) -> T | None:
    """Run `action`; bad input is shown as the same one-line message the CLI prints, never a traceback."""
    try:
        return action()
    except InputError as exc:
        show_bad_input(exc)
    except (ValueError, store.StaleRosterError) as exc:
        st.error(str(exc))
    return None


def any_thread(write: Callable[[str], object]) -> Callable[[str], None]:
    """A progress writer that may be called from any thread. The roster search reports from CP-SAT's solution
    callbacks and from its bound's thread, where Streamlit has no session (st.write raises NoSessionContext) and
    where writing beside the script's own thread is not safe: their lines wait, and are written by the script's
    thread with its next line."""
    script_thread = threading.current_thread()
    waiting: list[str] = []
    lock = threading.Lock()

    def say(message: str) -> None:
        with lock:
            waiting.append(message)
            if threading.current_thread() is not script_thread:
                return
            lines = waiting[:]
            waiting.clear()
        for line in lines:
            write(line)

    return say


def read_upload(name: str, data: BinaryIO, reader: Callable[[Path], T]) -> T:
    """Run a file reader on uploaded bytes, exactly as on a file on disk, with the upload's own name in messages.

    The bytes are streamed in chunks into a private temporary folder under the upload's name (never copied whole
    in memory), so compressed uploads, encodings and size limits take the same path as files named on the command
    line. An InputError names the uploaded file rather than the temporary copy.
    """
    file_name = Path(name).name or "upload.csv"
    with tempfile.TemporaryDirectory(prefix="wfm-upload-") as folder:
        path = Path(folder) / file_name
        data.seek(0)
        with path.open("wb") as handle:
            shutil.copyfileobj(data, handle, _COPY_CHUNK_BYTES)
        try:
            result = reader(path)
        except InputError as exc:
            raise InputError(exc.detail, file=file_name, row=exc.row, column=exc.column) from None
    if isinstance(result, pd.DataFrame) and "file" in result.attrs:
        result.attrs["file"] = file_name  # later checks on the frame name the upload too
    return result


def safe_page(render: Callable[[], None]) -> Callable[[], None]:
    """A page that shows bad input as its one-line message and any other failure as a short generic error.

    Streamlit's own control flow (st.rerun, st.stop, st.switch_page) passes through: it is not an Exception.
    The unexpected error's traceback goes to the server log with a reference shown to the user.
    """

    @functools.wraps(render)
    def page() -> None:
        try:
            render()
        except InputError as exc:
            show_bad_input(exc)
        except Exception:
            reference = uuid.uuid4().hex[:8]
            _LOG.exception("unexpected error on page %s (reference %s)", render.__module__, reference)
            st.error(t("common.unexpected", reference=reference))

    return page
