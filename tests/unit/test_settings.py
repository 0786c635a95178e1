"""Settings: safe defaults for a new machine, and refusal to run production without a secret."""

import pytest
from pydantic import ValidationError

from app.settings import DEVELOPMENT_SECRET_KEY, DEVELOPMENT_SIGNING_KEY, Settings
from tests.support.primas import PRODUCTION_MAIL

GOOD_KEY = "k" * 48
SIGNING_KEY = "s" * 48


def test_development_runs_with_no_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PRIMAS_ENV", "PRIMAS_SECRET_KEY", "PRIMAS_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert settings.env == "development"
    assert settings.database_url.startswith("sqlite:///")
    assert settings.database_url.endswith("/var/primas.db")
    assert settings.effective_secret_key == DEVELOPMENT_SECRET_KEY


def test_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRIMAS_DATABASE_URL", "postgresql+psycopg://u@db/primas")
    monkeypatch.setenv("PRIMAS_COUNCIL_NAME", "Example Council")
    settings = Settings()
    assert settings.database_url == "postgresql+psycopg://u@db/primas"
    assert settings.council_name == "Example Council"


@pytest.mark.parametrize(
    ("secret_key", "message"),
    [
        (None, "PRIMAS_SECRET_KEY"),
        ("", "PRIMAS_SECRET_KEY"),
        (DEVELOPMENT_SECRET_KEY, "PRIMAS_SECRET_KEY"),
        ("too-short", "at least 32 characters"),
    ],
)
def test_production_refuses_to_start_without_a_real_secret_key(
    secret_key: str | None, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        Settings(
            env="production", secret_key=secret_key, signing_key=SIGNING_KEY, **PRODUCTION_MAIL
        )


@pytest.mark.parametrize(
    ("signing_key", "message"),
    [
        (None, "PRIMAS_SIGNING_KEY"),
        ("", "PRIMAS_SIGNING_KEY"),
        (DEVELOPMENT_SIGNING_KEY, "PRIMAS_SIGNING_KEY"),
        ("too-short", "PRIMAS_SIGNING_KEY must be at least 32 characters"),
    ],
)
def test_production_refuses_to_start_without_a_real_signing_key(
    signing_key: str | None, message: str
) -> None:
    """Approved records are signed with it (issue 18): required in production."""
    with pytest.raises(ValidationError, match=message):
        Settings(env="production", secret_key=GOOD_KEY, signing_key=signing_key, **PRODUCTION_MAIL)


def test_production_starts_with_an_explicit_secret_key() -> None:
    settings = Settings(
        env="production", secret_key=GOOD_KEY, signing_key=SIGNING_KEY, **PRODUCTION_MAIL
    )
    assert settings.is_production
    assert settings.effective_secret_key == GOOD_KEY
    assert settings.effective_signing_key == SIGNING_KEY


def test_development_signs_with_the_development_key() -> None:
    assert Settings().effective_signing_key == DEVELOPMENT_SIGNING_KEY


def test_secret_key_is_not_shown_in_repr() -> None:
    shown = repr(
        Settings(env="production", secret_key=GOOD_KEY, signing_key=SIGNING_KEY, **PRODUCTION_MAIL)
    )
    assert GOOD_KEY not in shown and SIGNING_KEY not in shown


def test_unknown_environment_is_refused() -> None:
    with pytest.raises(ValidationError):
        Settings(env="staging")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("mail", "message"),
    [
        ({"smtp_host": ""}, "PRIMAS_SMTP_HOST"),
        ({"base_url": "http://127.0.0.1:8000"}, "PRIMAS_BASE_URL"),
        ({"base_url": "http://primas.example.gov.uk"}, "PRIMAS_BASE_URL"),
        ({"smtp_username": "primas", "smtp_starttls": False}, "unencrypted"),
    ],
)
def test_production_refuses_email_it_cannot_send_safely(
    mail: dict[str, object], message: str
) -> None:
    """Issue 19: production sends through a mail server (never to files), over STARTTLS when
    it logs in, with links to the service's https address."""
    with pytest.raises(ValidationError, match=message):
        Settings(env="production", secret_key=GOOD_KEY, signing_key=SIGNING_KEY,
                 **(PRODUCTION_MAIL | mail))  # type: ignore[arg-type]  # fmt: skip


def test_a_relay_that_needs_no_login_may_go_without_starttls() -> None:
    settings = Settings(env="production", secret_key=GOOD_KEY, signing_key=SIGNING_KEY,
                        smtp_starttls=False, **PRODUCTION_MAIL)  # fmt: skip
    assert settings.smtp_host and not settings.smtp_starttls


@pytest.mark.parametrize("address", ["", "primas", "PRIMAS <primas@x.gov.uk>", "a b@x.gov.uk"])
def test_mail_comes_from_an_email_address_alone(address: str) -> None:
    with pytest.raises(ValidationError, match="PRIMAS_MAIL_FROM"):
        Settings(mail_from=address)


def test_the_mail_password_is_not_shown_in_repr() -> None:
    assert "hunter2-but-longer" not in repr(Settings(smtp_password="hunter2-but-longer"))


def test_a_claim_on_an_email_must_outlast_a_slow_send() -> None:
    with pytest.raises(ValidationError, match="PRIMAS_MAIL_CLAIM_SECONDS"):
        Settings(mail_claim_seconds=100, smtp_timeout_seconds=30)
    assert Settings(mail_claim_seconds=120, smtp_timeout_seconds=30).mail_claim_seconds == 120
