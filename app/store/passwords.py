"""Admin credentials: argon2id hashes, the password and email rules, and bounded concurrent verification."""

from __future__ import annotations

import threading
import unicodedata
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from app.store.tokens import new_token

MIN_PASSWORD, MAX_PASSWORD, MAX_EMAIL = 12, 1024, 254
# Each argon2 computation takes 64 MiB (m=65536): one at a time keeps a worker's peak within ~64 MiB of its
# steady size (two at once were most of the 230 MB peaks under a scanner, issue 15). A check takes ~50 ms, and the
# sign-in throttles allow far fewer than 20 a second.
VERIFY_SLOTS, VERIFY_WAIT_S = 1, 10.0
COMMON_FILE = Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt"
_hasher = PasswordHasher()  # argon2-cffi defaults: argon2id, t=3, m=64 MiB, p=4
_verify_slots = threading.BoundedSemaphore(VERIFY_SLOTS)


class Busy(Exception):
    """More concurrent password verifications than the semaphore allows: answer 503."""

@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords, case-folded."""
    lines = COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().casefold() for line in lines if line.strip() and not line.startswith("#"))


def normalise_email(raw: str) -> str:
    """An email as stored and compared: trimmed, NFC, lower case."""
    return unicodedata.normalize("NFC", raw.strip()).lower()


def email_problem(email: str) -> str:
    """'' for a plausible email address, else what is wrong."""
    local, at, domain = email.partition("@")
    if not email:
        return "Enter an email address"
    if len(email) > MAX_EMAIL or not at or not local or "." not in domain or any(c.isspace() for c in email):
        return "Enter an email address like name@example.org"
    return ""


def password_problem(password: str, email: str = "") -> str:
    """'' for an acceptable new password, else what is wrong (12–1024 characters, not a common one)."""
    if len(password) < MIN_PASSWORD:
        return f"Enter a password of at least {MIN_PASSWORD} characters"
    if len(password) > MAX_PASSWORD:
        return f"Enter a password of at most {MAX_PASSWORD} characters"
    folded = password.casefold()
    if folded in common_passwords() or (email and folded == email.casefold()):
        return "This password is too common: choose a longer or less predictable one"
    return ""


def hash_password(password: str) -> str:
    """An argon2id hash ($argon2id$…) of a password (in the same single slot as the checks)."""
    with _verify_slots:
        return _hasher.hash(password)


@lru_cache(maxsize=1)
def dummy_hash() -> str:
    """A fixed hash verified for unknown accounts, so their timing matches a wrong password."""
    return _hasher.hash("not the password of any account: " + new_token())


def verify_password(stored: str | None, password: str) -> tuple[bool, str | None]:
    """(matches, a fresh hash when the stored one needs rehashing); one argon2 computation at a time (Busy after
    VERIFY_WAIT_S of waiting)."""
    if not _verify_slots.acquire(timeout=VERIFY_WAIT_S):
        raise Busy()
    try:
        try:
            _hasher.verify(stored or dummy_hash(), password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False, None
        if stored is None:
            return False, None
        return True, (_hasher.hash(password) if _hasher.check_needs_rehash(stored) else None)
    finally:
        _verify_slots.release()
