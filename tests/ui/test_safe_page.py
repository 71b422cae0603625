"""Every page runs through one wrapper: bad input shows its one-line message, any other failure a short generic
error with a reference (the traceback goes to the server log), and Streamlit's own control flow passes through."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.ui.conftest import sign_in_app
from wfm.ui import pages
from wfm.ui.i18n import LABELS

APP = str(pages.__file__).rsplit("/wfm/", 1)[0] + "/app.py"
SCRIPT = """
import streamlit as st
from wfm.errors import InputError
from wfm.ui import common

def render():
    st.write("before")
    kind = st.session_state.get("kind")
    if kind == "input":
        raise InputError("-3 is below 0", file="h.csv", row=4, column="offered")
    if kind == "crash":
        raise RuntimeError("secret internal detail")
    if kind == "stop":
        st.stop()
    if kind == "rerun" and not st.session_state.get("rerun_done"):
        st.session_state["rerun_done"] = True
        st.rerun()
    st.write("after")

common.safe_page(render)()
"""


def _run(kind: str | None) -> AppTest:
    at = AppTest.from_string(SCRIPT, default_timeout=60)
    at.session_state["kind"] = kind
    return at.run()


def _texts(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown]


def test_bad_input_shows_its_message() -> None:
    at = _run("input")
    assert not at.exception
    assert [e.value for e in at.error] == ['Bad input: h.csv, row 4, column "offered": -3 is below 0']
    assert _texts(at) == ["before"]


def test_an_unexpected_error_shows_a_short_message_and_logs_the_traceback(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("ERROR", logger="wfm.ui.common"):
        at = _run("crash")
    assert not at.exception
    [message] = [e.value for e in at.error]
    assert message.startswith(LABELS["common.unexpected"]["en"].split(";")[0])
    assert "secret internal detail" not in message and "Traceback" not in message and "RuntimeError" not in message
    reference = message.split("reference ")[1][:8]
    logged = [r for r in caplog.records if reference in r.getMessage()]
    assert logged and logged[0].exc_info and "secret internal detail" in str(logged[0].exc_info[1])


def test_stop_and_rerun_pass_through() -> None:
    at = _run("stop")
    assert not at.exception and not at.error
    assert _texts(at) == ["before"]
    at = _run("rerun")
    assert not at.exception and not at.error
    assert _texts(at) == ["before", "after"]
    assert at.session_state["rerun_done"]


def test_a_failing_page_in_the_app_shows_the_short_message(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from wfm.ui import data_page

    def broken() -> None:
        raise KeyError("interval_start")

    monkeypatch.setattr(data_page, "_report_section", broken)
    at = sign_in_app(AppTest.from_file(APP, default_timeout=300).run(), "planner")
    assert not at.exception
    assert at.title[0].value == "Data"  # the page drew what it could before the failure
    [message] = [e.value for e in at.error]
    assert "reference" in message and "interval_start" not in message
    at.sidebar.selectbox[0].set_value("zh").run()
    assert not at.exception
    assert "编号" in at.error[0].value


def test_every_page_runs_through_the_wrapper(monkeypatch: pytest.MonkeyPatch) -> None:
    for module, *_rest in pages.PAGES:

        def broken(name: str = module.__name__) -> None:
            raise RuntimeError(f"{name} is broken")

        monkeypatch.setattr(module, "render", broken)
    at = AppTest.from_string(
        "from wfm.ui import pages\nfor render, *_rest in pages.page_functions():\n    render()\n", default_timeout=60
    ).run()
    assert not at.exception
    assert len(at.error) == len(pages.PAGES)
    assert all("reference" in e.value and "broken" not in e.value for e in at.error)


THREADED = """
import threading
import streamlit as st
from wfm.ui import common

say = common.any_thread(st.write)
workers = [threading.Thread(target=say, args=(f"line from thread {i}",)) for i in range(3)]
for worker in workers:
    worker.start()
for worker in workers:
    worker.join()
say("done")
"""


def test_progress_from_other_threads_is_shown_without_an_error() -> None:
    """The roster search reports from CP-SAT's and its bound's threads (a plain st.write there raised
    NoSessionContext and broke the page): their lines are written by the script's thread with its next line."""
    at = AppTest.from_string(THREADED, default_timeout=60).run()
    assert not at.exception
    texts = [m.value for m in at.markdown]
    assert "done" in texts
    assert {f"line from thread {i}" for i in range(3)} <= set(texts)
