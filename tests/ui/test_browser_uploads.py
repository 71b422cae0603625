"""Bad files chosen in a real browser (Playwright + Debian Chromium) on the Data page show the reader's message
naming the file and row, never a traceback; the uploader states the configured size limit."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ui.conftest import screenshot, sign_in, wait_idle
from wfm import limits

BAD_FILES = Path(__file__).resolve().parents[1] / "forecasting" / "bad_files"


@pytest.mark.parametrize(
    ("name", "kind", "expected"),
    [
        ("negative_offered.csv", "Interval history", 'row 3, column "offered"'),
        ("gzipped_bad_count.csv.gz", "Interval history", 'row 4, column "abandoned"'),
        ("contacts_unknown_outcome.csv", "Per-contact log", 'row 3, column "outcome"'),
    ],
)
def test_bad_file_in_the_browser_shows_the_message(page, app_url: str, name: str, kind: str, expected: str) -> None:
    sign_in(page, app_url, "planner")
    page.get_by_role("heading", name="Daily operations report").wait_for()  # the first run has finished
    uploader = page.get_by_test_id("stFileUploader")
    uploader.get_by_text(f"at most {limits.MAX_UPLOAD_MEGABYTES} MB").first.wait_for()
    # The dropzone states the server's limit: not Streamlit's default 200 MB, so .streamlit/config.toml was read.
    # (Streamlit rounds MB figures there, hence the exact figure in the label.)
    instructions = uploader.get_by_test_id("stFileUploaderDropzoneInstructions").inner_text()
    assert "per file" in instructions and "200MB" not in instructions
    if kind != "Interval history":  # the default
        page.get_by_text(kind, exact=True).click()
        wait_idle(page)
    uploader.locator("input[type=file]").set_input_files(str(BAD_FILES / name))
    wait_idle(page)
    alert = page.get_by_test_id("stAlertContentError")
    alert.first.wait_for()
    message = alert.first.inner_text()
    assert f"{name}, {expected}" in message
    assert page.get_by_text("Traceback").count() == 0
    assert page.get_by_test_id("stException").count() == 0
    assert page.get_by_role("button", name="Save to the database").count() == 0
    screenshot(page, f"upload_{name.split('.')[0]}")
