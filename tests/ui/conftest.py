"""Fixtures for browser tests: a real Streamlit server on a free local port and Debian's Chromium via Playwright."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ui.server import CHROMIUM, CHROMIUM_ARGS, start_app, stop_app
from wfm import store, workspace
from wfm.auth import users
from wfm.auth.permissions import Actor
from wfm.ui.common import ACTOR_KEY

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"


# Users of the test databases (issue 15): the first administrator gets ADMIN_PASSWORD, the others are added.
ADMIN_PASSWORD = "admin password 1"
USERS = {
    "admin": ("admin", ADMIN_PASSWORD, {}),
    "planner": ("pat", "planner password", {"display_name": "Pat Planner"}),
    "supervisor": ("sue", "supervisor password", {"teams": ["aftersale"], "display_name": "Sue Supervisor"}),
    "agent": ("ann", "agent password", {"agent_code": "A001", "display_name": "Ann Agent"}),
}


def seed_users(url: str) -> None:
    """Open the workspace (sample data, the first administrator) and add the planner, supervisor and agent."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(users.ADMIN_PASSWORD_VARIABLE, ADMIN_PASSWORD)
        engine = workspace.open_workspace(url)
    with store.Session(engine) as session, session.begin():
        for role, (name, password, extra) in USERS.items():
            if role != "admin":
                users.add_user(session, name, password, role, **extra)
    engine.dispose()


def actor(role: str) -> Actor:
    """The Actor of a test user (for AppTest scripts that render one page without the sign-in gate)."""
    name, _password, extra = USERS[role]
    return Actor(name, role, tuple(extra.get("teams", ())), extra.get("agent_code"), extra.get("display_name", ""))


def as_user(at, role: str = "planner"):
    """An AppTest of one page, signed in as a test user (what the gate leaves in the session after sign-in)."""
    at.session_state[ACTOR_KEY] = actor(role)
    return at


def sign_in_app(at, role: str = "planner"):
    """Sign in through the app's form in an AppTest of app.py (the users of seeded_db / seed_users)."""
    name, password, _extra = USERS[role]
    if not at.text_input:
        at.run()
    at.text_input(key="signin_name").input(name)
    at.text_input(key="signin_password").input(password)
    at.button[0].click().run()
    return at


def sign_in(page, app_url: str, role: str = "planner") -> None:
    """Open the app in the browser and sign in as a test user through the form."""
    name, password, _extra = USERS[role]
    page.goto(app_url)
    wait_idle(page)
    page.get_by_label("User name", exact=True).fill(name)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    wait_idle(page)
    page.get_by_text("Signed in as").first.wait_for()


def go(page, title: str) -> None:
    """Open a page from the sidebar links (keeps the browser session and its state)."""
    page.get_by_test_id("stSidebar").get_by_role("link", name=title, exact=True).click()
    wait_idle(page)


@pytest.fixture(scope="session")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start the app headless on 127.0.0.1 with a fresh database (sample data and the test users); yield its URL."""
    workdir = tmp_path_factory.mktemp("app")
    seed_users(f"sqlite:///{workdir / 'wfm.db'}")
    proc, url = start_app(f"sqlite:///{workdir / 'wfm.db'}", workdir / "streamlit.log")
    try:
        yield url
    finally:
        stop_app(proc)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Debian Chromium driven by Playwright (never a downloaded browser)."""
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {CHROMIUM}: .ci/run must install Debian's chromium package")
        pytest.skip("Chromium is not installed here (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser, app_url: str) -> Iterator[object]:
    """A fresh browser page with downloads enabled."""
    context = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    yield pg
    context.close()


def wait_idle(page) -> None:
    """Wait until Streamlit has finished running the script (the running indicator is gone)."""
    page.wait_for_timeout(300)
    page.get_by_test_id("stStatusWidget").wait_for(state="detached", timeout=120_000)


def screenshot(page, name: str) -> None:
    """Save a full-page screenshot under test-artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.fixture(scope="session")
def seeded_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file with the sample loaded and the test users (USERS)."""
    path = tmp_path_factory.mktemp("seed") / "wfm.db"
    seed_users(f"sqlite:///{path}")
    return path


@pytest.fixture
def db_url(seeded_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A private copy of the seeded database for one test, named by WFM_DATABASE_URL."""
    copy = tmp_path / "wfm.db"
    shutil.copy(seeded_db, copy)
    url = f"sqlite:///{copy}"
    monkeypatch.setenv("WFM_DATABASE_URL", url)
    return url
