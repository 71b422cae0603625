"""Users: Argon2 hashes, sign-in with failed attempts rate-limited per name in the database, sessions that end on
sign-out / new password / disabling, the first administrator, and `wfm user` (on SQLite and PostgreSQL)."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from wfm.auth import passwords, sessions, users
from wfm.auth.permissions import Actor, PermissionDenied, acting_as
from wfm.cli import main
from wfm.errors import InputError
from wfm.store import Session, audit_log, load_folder
from wfm.store.audit import utc_now
from wfm.store.auth_models import User

PLANNER = Actor("pat", "planner")


def _add(engine, name="pat", password="correct horse", role="planner", **kw):
    with Session(engine) as s, s.begin():
        return users.add_user(s, name, password, role, **kw)


def _sign_in(engine, name, password, now=None):
    with Session(engine) as s, s.begin():
        return users.authenticate(s, name, password, now=now)


def test_hash_is_argon2id_salted_and_verifies() -> None:
    first, second = passwords.hash_password("correct horse"), passwords.hash_password("correct horse")
    assert first.startswith("$argon2id$") and first != second  # salted
    assert passwords.verify_password(first, "correct horse")
    assert not passwords.verify_password(first, "correct horsE")
    assert not passwords.verify_password(None, "correct horse")  # unknown user
    with pytest.raises(InputError, match="at least 8"):
        passwords.hash_password("short")


def test_add_and_sign_in_records_last_sign_in(engine) -> None:
    _add(engine, "Pat", display_name="Pat Planner")
    outcome = _sign_in(engine, " PAT ", "correct horse")
    assert outcome.actor is not None and outcome.actor.name == "pat" and outcome.actor.role == "planner"
    with Session(engine) as s:
        user = s.scalar(select(User).where(User.name == "pat"))
        assert user.last_sign_in_at is not None
        assert user.password_hash.startswith("$argon2id$")
        frame = users.list_users(s)
        log = audit_log(s)
    assert "password_hash" not in frame.columns and frame["name"].tolist() == ["pat"]
    text = log.to_json()
    assert "correct horse" not in text and "$argon2" not in text  # never in the audit log
    assert set(log["action"]) >= {"create", "sign-in"}


def test_failed_sign_ins_lock_the_name_in_the_database(engine) -> None:
    _add(engine)
    now = utc_now()
    for attempt in range(users.MAX_FAILURES - 1):
        assert _sign_in(engine, "pat", "wrong password", now + timedelta(seconds=attempt)).reason == "invalid"
    locked = _sign_in(engine, "pat", "wrong password", now + timedelta(seconds=10))
    assert locked.reason == "locked" and locked.locked_until > now
    # locked: even the right password is refused, by a new session (the count is in the database)
    assert _sign_in(engine, "pat", "correct horse", now + timedelta(minutes=1)).actor is None
    after = _sign_in(engine, "pat", "correct horse", now + users.LOCK + timedelta(minutes=1))
    assert after.actor is not None


def test_unknown_names_are_throttled_like_known_ones(engine) -> None:
    now = utc_now()
    outcomes = [_sign_in(engine, "nobody", "whatever1", now) for _ in range(users.MAX_FAILURES)]
    assert [o.reason for o in outcomes][-1] == "locked"
    assert _sign_in(engine, "bad name!", "whatever1").reason == "invalid"


def test_disabled_user_and_ended_sessions(engine) -> None:
    _add(engine)
    actor = _sign_in(engine, "pat", "correct horse").actor
    key = "test-secret"
    token = sessions.issue(actor.name, actor.epoch, key)
    assert sessions.read(token, key) == ("pat", actor.epoch)
    assert sessions.read(token, "other-secret") is None
    assert sessions.read(token + "x", key) is None
    assert sessions.read(token, key, max_age_seconds=-1) is None  # expired
    with Session(engine) as s:
        assert users.session_actor(s, "pat", actor.epoch) is not None
    with Session(engine) as s, s.begin():
        users.end_sessions(s, "pat")  # sign-out ends every session of the user
    with Session(engine) as s:
        assert users.session_actor(s, "pat", actor.epoch) is None
    with Session(engine) as s, s.begin():
        users.set_disabled(s, "pat")
    assert _sign_in(engine, "pat", "correct horse").actor is None


def test_set_password_and_role(engine) -> None:
    _add(engine)
    with Session(engine) as s, s.begin():
        users.set_password(s, "pat", "new password 2")
        users.set_role(s, "pat", "admin")
    assert _sign_in(engine, "pat", "correct horse").actor is None
    assert _sign_in(engine, "pat", "new password 2").actor.role == "admin"


def test_only_administrators_manage_users(engine) -> None:
    _add(engine)
    with acting_as(PLANNER), Session(engine) as s:
        with pytest.raises(PermissionDenied, match=r"pat \(planner\) may not manage users"):
            users.add_user(s, "eve", "correct horse", "admin")
        with pytest.raises(PermissionDenied):
            users.list_users(s)
        with pytest.raises(PermissionDenied):
            users.set_role(s, "pat", "admin")
        users.set_password(s, "pat", "my own new one")  # a user may change their own password
    with acting_as(None), Session(engine) as s, pytest.raises(PermissionDenied, match="sign in first"):
        users.add_user(s, "eve", "correct horse", "admin")


def test_roles_need_their_scope(engine, data_dir) -> None:
    load_folder(engine, data_dir)
    with pytest.raises(InputError, match="needs at least one team"):
        _add(engine, "sue", role="supervisor")
    with pytest.raises(InputError, match='unknown team "nope"'):
        _add(engine, "sue", role="supervisor", teams=["nope"])
    with pytest.raises(InputError, match="needs the agent_id"):
        _add(engine, "ann", role="agent")
    with pytest.raises(InputError, match='unknown agent "Z9"'):
        _add(engine, "ann", role="agent", agent_code="Z9")
    assert _add(engine, "ann", role="agent", agent_code="A001").agent_code == "A001"
    with pytest.raises(InputError, match="already exists"):
        _add(engine, "ANN", role="agent", agent_code="A001")


def test_first_admin_once(engine, monkeypatch, capsys) -> None:
    monkeypatch.delenv(users.ADMIN_PASSWORD_VARIABLE, raising=False)
    with Session(engine) as s, s.begin():
        password = users.ensure_first_admin(s)
    assert password and len(password) >= 12
    with Session(engine) as s, s.begin():
        assert users.ensure_first_admin(s) is None  # users exist: nothing happens
    assert _sign_in(engine, "admin", password).actor.role == "admin"
    users.announce_first_admin(password)
    assert password in capsys.readouterr().err


def test_cli_user_commands(db_url, capsys, monkeypatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("a long password\n"))
    assert main(["user", "add", "pat", "--role", "planner", "--password-stdin", "--url", db_url]) == 0
    assert main(["user", "add", "ops", "--role", "admin", "--random", "--url", db_url]) == 0
    out = capsys.readouterr().out
    assert out.startswith("password for ops: ")
    assert main(["user", "list", "--url", db_url]) == 0
    listing = capsys.readouterr().out
    assert "pat" in listing and "planner" in listing and "argon2" not in listing and "a long password" not in listing
    assert main(["user", "set-role", "pat", "admin", "--url", db_url]) == 0
    assert main(["user", "disable", "pat", "--url", db_url]) == 0
    monkeypatch.setenv("WFM_NEW_PASSWORD", "another password")
    assert main(["user", "set-password", "ops", "--url", db_url]) == 0
    from wfm.store import make_engine

    engine = make_engine(db_url)
    assert _sign_in(engine, "pat", "a long password").actor is None  # disabled
    assert _sign_in(engine, "ops", "another password").actor.role == "admin"
    with Session(engine) as s:
        details = json.dumps(audit_log(s)["detail"].tolist())
    engine.dispose()
    assert "password" not in details.replace("set-password", "")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["user", "add", "pat", "--role", "supervisor", "--random"], "needs at least one team"),
        (["user", "add", "bad name", "--role", "planner", "--random"], "is not a user name"),
        (["user", "disable", "ghost"], 'no user "ghost"'),
        (["user", "set-password", "ghost", "--random"], 'no user "ghost"'),
        (["user", "add", "pat", "--role", "planner", "--password-stdin"], "at least 8 characters"),
    ],
)
def test_cli_user_errors_exit_2(db_url, capsys, monkeypatch, argv, message) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main([*argv, "--url", db_url]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_cli_refuses_a_password_without_a_way_to_type_it(db_url, capsys, monkeypatch) -> None:
    monkeypatch.delenv("WFM_NEW_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["user", "add", "pat", "--role", "planner", "--url", db_url]) == 2
    assert "no password" in capsys.readouterr().err
