"""Password hashing with Argon2id (argon2-cffi), the password policy, and one-time random passwords."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from wfm.errors import InputError

MIN_LENGTH = 8
MAX_LENGTH = 256
_HASHER = PasswordHasher()  # argon2-cffi's defaults (RFC 9106 low-memory profile), upgraded with the library
# A hash of a random password, verified against when the user name is unknown, so both cases take as long.
_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))


def check_policy(password: str) -> None:
    """Refuse a password that is too short or too long (the message never repeats the password)."""
    if len(password) < MIN_LENGTH:
        raise InputError(f"a password needs at least {MIN_LENGTH} characters", column="password")
    if len(password) > MAX_LENGTH:
        raise InputError(f"a password may have at most {MAX_LENGTH} characters", column="password")


def hash_password(password: str) -> str:
    """The Argon2id hash (salted, with its parameters) of a password that meets the policy."""
    check_policy(password)
    return _HASHER.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Whether the password matches the stored hash (an unknown user: pass None, it takes as long and fails)."""
    try:
        return _HASHER.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """Whether the hash was made with weaker parameters than today's (re-hash at the next sign-in)."""
    return _HASHER.check_needs_rehash(stored_hash)


def random_password() -> str:
    """A random password (about 100 bits) for a first administrator or a reset."""
    return secrets.token_urlsafe(12)
