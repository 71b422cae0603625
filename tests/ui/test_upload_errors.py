"""Every bad history or contact-log file, uploaded through the app's Data page (Streamlit AppTest on app.py), shows
the reader's one-line message naming the upload, its row and column, never a traceback, and stores nothing.

The files are the reader's corpus (tests/forecasting/bad_files/) and whatever history or contact-log files
tests/bad_inputs/ holds when the tests run (files of other kinds there, e.g. agents_*.csv, are not uploads).
"""

from __future__ import annotations

import gzip
import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from forecasting.contacts import aggregate_contacts, read_contacts
from forecasting.history import read_history
from tests.ui.conftest import sign_in_app
from wfm import store
from wfm.errors import InputError
from wfm.ui import common
from wfm.ui.i18n import LABELS

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
TIMEOUT = 300
READER_CORPUS = ROOT / "tests" / "forecasting" / "bad_files"  # history files, and contact logs named contacts_*
# Files named by kind (history_*, contacts_*, agents_*, queues_*, ...); only history and contact logs are uploads.
BAD_INPUTS = ROOT / "tests" / "bad_inputs"
# The Data page's defaults for a contact log (interval minutes, service-level target seconds).
CONTACT_INTERVAL, CONTACT_ANSWER = 15, 20.0


def _kind(path: Path) -> str | None:
    """'contacts', 'history', or None for a file that is neither (read by other pages or the command line)."""
    name = path.name.lower()
    if name.startswith("contacts"):
        return "contacts"
    if name.startswith("history") or path.parent == READER_CORPUS:
        return "history"
    return None


def _cases() -> list:
    """One case per history or contact-log file found when the tests are collected."""
    params = []
    for folder in (READER_CORPUS, BAD_INPUTS):
        if not folder.is_dir():
            continue
        for path in sorted(p for p in folder.iterdir() if p.is_file() and _kind(p)):
            extension = path.name.rsplit(".", 1)[-1].lower()
            marks = []
            if extension not in common.UPLOAD_TYPES:  # the browser's file picker would not offer it
                marks = [pytest.mark.skip(reason=f"the uploader does not offer .{extension} files")]
            params.append(pytest.param(path, _kind(path), id=f"{folder.name}/{path.name}", marks=marks))
    return params


def _reader_error(path: Path, kind: str) -> InputError | None:
    """What the product's readers say about the file on disk (the CLI's message), or None if they accept it."""
    try:
        if kind == "contacts":
            aggregate_contacts(read_contacts(path), CONTACT_INTERVAL, CONTACT_ANSWER)
        else:
            read_history(path)
    except InputError as exc:
        return exc
    return None


def _history_fingerprint(url: str) -> tuple:
    """Row count, sums and span of the stored history, and the audit-log length (any save would change them)."""
    engine = store.make_engine(url)
    with engine.connect() as connection:
        history = connection.execute(
            sa.text(
                "SELECT count(*), sum(offered), sum(coalesce(answered, 0)), min(interval_start), max(interval_start) "
                "FROM history"
            )
        ).one()
        audit = connection.execute(sa.text("SELECT count(*) FROM audit_log")).scalar_one()
    engine.dispose()
    return (*history, audit)


@pytest.fixture(scope="module")
def upload_db(seeded_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A private copy of the seeded database for this module, named by WFM_DATABASE_URL."""
    copy = tmp_path_factory.mktemp("uploads") / "wfm.db"
    shutil.copy(seeded_db, copy)
    url = f"sqlite:///{copy}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("WFM_DATABASE_URL", url)
        yield url


@pytest.fixture(scope="module")
def data_page(upload_db: str) -> AppTest:
    """The whole app (app.py, its navigation and page wrapper) opened on its default page, Data."""
    at = sign_in_app(AppTest.from_file(APP, default_timeout=TIMEOUT).run(), "planner")
    assert not at.exception
    assert at.title[0].value == LABELS["page.data"]["en"]
    return at


@pytest.mark.parametrize(("path", "kind"), _cases())
def test_bad_upload_shows_the_readers_message(data_page: AppTest, upload_db: str, path: Path, kind: str) -> None:
    expected = _reader_error(path, kind)
    if expected is None:
        pytest.fail(f"the {kind} reader accepts {path}: it is not a bad file")
    before = _history_fingerprint(upload_db)
    at = data_page
    at.radio(key="data_kind").set_value(kind).run()
    at.file_uploader(key="data_upload").set_value((path.name, path.read_bytes(), "text/csv")).run()

    assert not at.exception
    shown = [e.value for e in at.error]
    assert len(shown) == 1, shown
    message = shown[0]
    # The message names the uploaded file (not a temporary copy), and the row and column when the reader names them.
    assert message.startswith(f"{LABELS['common.bad_input']['en']}: {path.name}")
    assert path.name in message
    if expected.row is not None:
        assert f"row {expected.row}" in message
    if expected.column is not None:
        assert f'column "{expected.column}"' in message
    assert expected.row is not None or expected.column is not None or expected.detail in message
    # ... and is the same one-line message the command line prints for the file on disk.
    assert message.endswith(str(InputError(expected.detail, file=path.name, row=expected.row, column=expected.column)))
    assert "Traceback" not in message and "\n" not in message
    assert not at.success
    assert "data_save" not in {b.key for b in at.button}  # nothing to save
    assert _history_fingerprint(upload_db) == before


def test_gzip_upload_is_read_like_a_file_on_disk_and_saved(db_url: str) -> None:
    text = "queue,interval_start,offered\nchat_presale,2026-11-01 08:00,7\nchat_presale,2026-11-01 08:15,9\n"
    at = sign_in_app(AppTest.from_file(APP, default_timeout=TIMEOUT).run(), "planner")
    at.file_uploader(key="data_upload").set_value(("good.csv.gz", gzip.compress(text.encode()), "application/gzip"))
    at.run()
    assert not at.exception and not at.error
    assert any("2 rows" in s.value for s in at.success)
    at.button(key="data_save").click().run()
    assert not at.exception and not at.error
    with store.Session(store.make_engine(db_url)) as session:
        saved = store.get_history(session, queues=["chat_presale"], start="2026-11-01", end="2026-11-02")
    assert saved["offered"].tolist() == [7.0, 9.0]


class _Upload(io.BytesIO):
    """An upload that records how much is read at once and refuses to hand over all its bytes in one piece."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.largest_read = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.largest_read = max(self.largest_read, len(chunk))
        return chunk

    def getvalue(self) -> bytes:
        raise AssertionError("the whole upload was copied in memory")


def test_read_upload_streams_the_bytes_and_names_the_upload() -> None:
    note = "x" * 20_000  # an extra column: the day of history is over 1 MiB on the wire
    body = "queue,interval_start,offered,note\n" + "".join(
        f"q,2026-11-01 {h:02d}:{m:02d},{h},{note}\n" for h in range(24) for m in (0, 15, 30, 45)
    )
    upload = _Upload(body.encode())
    assert len(upload.getbuffer()) > 1 << 20
    upload.read(3)  # a position left over from an earlier read must not matter
    frame = common.read_upload("day.csv", upload, read_history)
    assert len(frame) == 96
    assert upload.largest_read <= 1 << 20

    bad = _Upload(b"queue,interval_start,offered\nq,2026-11-01 08:00,-1\n")
    with pytest.raises(InputError) as caught:
        common.read_upload("../../etc/bad day.csv", bad, read_history)
    assert str(caught.value).startswith('bad day.csv, row 2, column "offered"')
