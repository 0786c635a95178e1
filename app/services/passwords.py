"""Password policy and hashing.

Policy after NCSC and NIST SP 800-63B: at least 12 and at most 128 characters, no composition rules
(no "must contain a symbol"), and refuse passwords that are common or built from a common one
("Password123!", "summer2024summer2024") or from the service's or user's own name.
Hashes are argon2id with argon2-cffi's defaults (time cost 3, 64 MiB, parallelism 4).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MINIMUM_LENGTH = 12
MAXIMUM_LENGTH = 128
COMMON_PASSWORDS_FILE = Path(__file__).parent / "data" / "common-passwords.txt"
_hasher = PasswordHasher()
_EDGE_NOISE = re.compile(r"^[\W\d_]+|[\W\d_]+$")


class PasswordRefused(ValueError):
    """The password breaks the policy; the message is written for the user."""


@cache
def common_passwords() -> frozenset[str]:
    """The common-password list, lower case."""
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def _is_repetition(text: str) -> bool:
    """True for one chunk repeated: 'aaaaaaaaaaaa', 'abcabcabcabc', 'passwordpassword'."""
    return bool(re.fullmatch(r"(.+?)\1+", text))


def _is_sequence(text: str) -> bool:
    """True for a run of consecutive characters such as '123456789012' or 'abcdefghijkl'."""
    steps = {ord(b) - ord(a) for a, b in zip(text, text[1:], strict=False)}
    return len(steps) == 1 and steps <= {1, -1}


def check_password(password: str, *, context: Iterable[str] = ()) -> None:
    """Raise PasswordRefused when `password` breaks the policy; `context` is names to avoid."""
    if len(password) < MINIMUM_LENGTH:
        raise PasswordRefused(f"Your password must be {MINIMUM_LENGTH} characters or more")
    if len(password) > MAXIMUM_LENGTH:
        raise PasswordRefused(f"Your password must be {MAXIMUM_LENGTH} characters or fewer")
    lowered = password.lower()
    core = _EDGE_NOISE.sub("", lowered)
    common = common_passwords()
    if (
        lowered in common
        or core in common
        or not core
        or _is_repetition(lowered)
        or _is_repetition(core)
        or _is_sequence(lowered)
    ):
        raise PasswordRefused(
            "Choose a password that is harder to guess: this one is too common or too simple"
        )
    for word in context:
        if len(word) >= 4 and word.lower() in lowered:
            raise PasswordRefused(
                "Choose a password that does not contain your name, email address or the "
                "name of this service"
            )


def hash_password(password: str) -> str:
    """An argon2id hash of the password."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when `password` matches the hash; never raises for a wrong or malformed hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)


# Verified against when the email address is unknown, so a sign-in takes as long either way.
DUMMY_HASH = _hasher.hash("not-a-real-password-used-only-for-timing")
