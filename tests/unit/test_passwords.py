"""The password policy (NCSC / NIST 800-63B) and argon2id hashing."""

import pytest

from app.services.passwords import (
    PasswordRefused,
    check_password,
    common_passwords,
    hash_password,
    verify_password,
)


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery staple",
        "Tr0ub4dor&3xyz",
        "kettle-umbrella-ferns",
        "a" * 11 + "b",  # exactly 12, not a repetition
        "x7" + "-river-mosaic" * 9 + "!",  # 120 characters
        "k7pm-2xqa-9dnw-h4tc",
    ],
)
def test_good_passwords_are_accepted(password: str) -> None:
    check_password(password)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short-pass1", "12 characters or more"),  # 11 characters
        ("", "12 characters or more"),
        ("y" + "z-ab" * 32, "128 characters or fewer"),  # 129 characters
        ("password1234", "too common"),
        ("Password123!", "too common"),  # a common word dressed up
        ("!!!Summer2024!!!", "too common"),
        ("qwertyuiop12", "too common"),
        ("1qaz2wsx3edc", "too common"),  # in the list itself
        ("aaaaaaaaaaaa", "too common"),  # one character repeated
        ("abcabcabcabc", "too common"),  # one chunk repeated
        ("summer2024summer2024", "too common"),
        ("123456789012", "too common"),  # a sequence
        ("abcdefghijklm", "too common"),
        ("!!!!2024!!!!", "too common"),  # nothing left once the edges are stripped
    ],
)
def test_weak_passwords_are_refused_with_a_clear_reason(password: str, message: str) -> None:
    with pytest.raises(PasswordRefused, match=message):
        check_password(password)


def test_no_composition_rules() -> None:
    # All lower case, no digits, no symbols: fine when long and not common.
    check_password("meadowlarkpianotrain")


def test_names_and_the_service_are_refused() -> None:
    with pytest.raises(PasswordRefused, match="does not contain your name"):
        check_password("my-priya-garden-path", context=["priya", "shah"])
    with pytest.raises(PasswordRefused, match="name of this service"):
        check_password("love-primas-forever", context=["primas"])
    check_password("my-priya-garden-path", context=["tom"])


def test_the_common_list_is_loaded() -> None:
    common = common_passwords()
    assert len(common) == 30_000
    assert "password" in common
    assert not any(entry.startswith("#") for entry in common)


def test_argon2id_hashes_verify_and_differ() -> None:
    first = hash_password("correct horse battery staple")
    second = hash_password("correct horse battery staple")
    assert first.startswith("$argon2id$")
    assert first != second  # salted
    assert verify_password(first, "correct horse battery staple")
    assert not verify_password(first, "correct horse battery stapler")
    assert not verify_password("not a hash", "anything at all")
