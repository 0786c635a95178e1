"""Settings: safe defaults for a new machine, and refusal to run production without a secret."""

import pytest
from pydantic import ValidationError

from app.settings import DEVELOPMENT_SECRET_KEY, DEVELOPMENT_SIGNING_KEY, Settings

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
        Settings(env="production", secret_key=secret_key, signing_key=SIGNING_KEY)


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
        Settings(env="production", secret_key=GOOD_KEY, signing_key=signing_key)


def test_production_starts_with_an_explicit_secret_key() -> None:
    settings = Settings(env="production", secret_key=GOOD_KEY, signing_key=SIGNING_KEY)
    assert settings.is_production
    assert settings.effective_secret_key == GOOD_KEY
    assert settings.effective_signing_key == SIGNING_KEY


def test_development_signs_with_the_development_key() -> None:
    assert Settings().effective_signing_key == DEVELOPMENT_SIGNING_KEY


def test_secret_key_is_not_shown_in_repr() -> None:
    shown = repr(Settings(env="production", secret_key=GOOD_KEY, signing_key=SIGNING_KEY))
    assert GOOD_KEY not in shown and SIGNING_KEY not in shown


def test_unknown_environment_is_refused() -> None:
    with pytest.raises(ValidationError):
        Settings(env="staging")  # type: ignore[arg-type]
