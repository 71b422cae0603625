"""Signed, expiring session tokens (itsdangerous): the user name and their session epoch, signed with a secret
from $WFM_SESSION_SECRET or .streamlit/secrets.toml; without one, a random secret for this server process."""

from __future__ import annotations

import hashlib
import os
import secrets

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

SECRET_VARIABLE = "WFM_SESSION_SECRET"
HOURS_VARIABLE = "WFM_SESSION_HOURS"
DEFAULT_HOURS = 12.0
COOKIE_NAME = "wfm_session"
_SALT = "wfm-session-v1"
_PROCESS_SECRET = secrets.token_urlsafe(32)  # used when none is configured: sessions end when the server restarts


def session_seconds() -> int:
    """How long a session lasts after sign-in: $WFM_SESSION_HOURS (default 12 hours), at least a minute."""
    try:
        hours = float(os.environ.get(HOURS_VARIABLE, "") or DEFAULT_HOURS)
    except ValueError:
        hours = DEFAULT_HOURS
    return max(60, int(hours * 3600))


def secret(configured: str | None = None) -> str:
    """The signing secret: the given one (secrets.toml), else $WFM_SESSION_SECRET, else this process's random one."""
    return (configured or os.environ.get(SECRET_VARIABLE, "")).strip() or _PROCESS_SECRET


def _serializer(key: str) -> URLSafeTimedSerializer:
    """The token format: JSON, timestamped, signed with HMAC-SHA256."""
    return URLSafeTimedSerializer(key, salt=_SALT, signer_kwargs={"digest_method": hashlib.sha256})


def issue(name: str, epoch: int, key: str) -> str:
    """A token for the user (URL-safe text: letters, digits, '-', '_', '.')."""
    return _serializer(key).dumps({"u": name, "e": epoch})


def read(token: str | None, key: str, max_age_seconds: int | None = None) -> tuple[str, int] | None:
    """(user name, epoch) from a token that is genuine and younger than max_age_seconds; None otherwise."""
    if not token:
        return None
    try:
        data = _serializer(key).loads(
            token, max_age=max_age_seconds if max_age_seconds is not None else session_seconds()
        )
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), str) or not isinstance(data.get("e"), int):
        return None
    return data["u"], data["e"]
