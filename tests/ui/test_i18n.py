"""Every UI label exists in English and Chinese, every key the pages use is defined, and the switch works."""

from __future__ import annotations

import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests.ui.conftest import sign_in_app
from wfm.ui.i18n import LABELS, LANGUAGES

UI = Path(__file__).resolve().parents[2] / "wfm" / "ui"
APP = str(UI.parents[1] / "app.py")


def test_every_label_has_every_language() -> None:
    for key, texts in LABELS.items():
        assert set(texts) == set(LANGUAGES), key
        assert all(text.strip() for text in texts.values()), key


def test_every_key_used_by_the_pages_is_defined() -> None:
    used = set()
    for path in UI.glob("*.py"):
        used |= set(re.findall(r'\bt\(\s*"([a-z0-9_.]+)"', path.read_text(encoding="utf-8")))
    assert used, "no t(...) calls found"
    assert used - set(LABELS) == set()


def test_switching_to_chinese_relabels_the_app(db_url: str) -> None:
    at = AppTest.from_file(APP, default_timeout=300).run()
    assert not at.exception
    assert at.title[0].value == "Sign in"  # every page is behind the sign-in form
    sign_in_app(at, "planner")
    assert not at.exception
    assert at.title[0].value == "Data"
    assert "Daily operations report" in [h.value for h in at.subheader]
    at.sidebar.selectbox[0].set_value("zh").run()
    assert not at.exception
    assert at.title[0].value == "数据"
    assert "每日运营报表" in [h.value for h in at.subheader]
