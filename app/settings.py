"""Service settings, read from PRIMAS_ environment variables."""

from __future__ import annotations

import re
from email.utils import parseaddr
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = f"sqlite:///{PROJECT_ROOT / 'var' / 'primas.db'}"
# Used only outside production so a new machine runs with no configuration at all.
DEVELOPMENT_SECRET_KEY = "development-only-secret-key-do-not-use-in-production"
DEVELOPMENT_SIGNING_KEY = "development-only-signing-key-do-not-use-in-production"
MINIMUM_SECRET_KEY_LENGTH = 32


class SettingsError(ValueError):
    """The settings cannot run the service; the message says what to change."""


class Settings(BaseSettings):
    """Configuration for one running service; tests build their own."""

    model_config = SettingsConfigDict(env_prefix="PRIMAS_", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    database_url: str = DEFAULT_DATABASE_URL
    secret_key: str | None = Field(default=None, repr=False)
    # Signs approved records (HMAC-SHA-256 of each record's hash): required in production, and
    # kept, as records signed under it are checked with it.
    signing_key: str | None = Field(default=None, repr=False)
    council_name: str = "Hackney Council"
    service_name: str = "PRIMAS"
    feedback_email: str = "procurement@hackney.gov.uk"
    sqlite_busy_timeout_ms: int = Field(default=5000, ge=0)
    session_idle_timeout_seconds: int = Field(default=30 * 60, ge=30)
    session_max_age_seconds: int = Field(default=12 * 60 * 60, ge=60)
    session_warning_seconds: int = Field(default=5 * 60, ge=20)
    # The largest request body accepted, in bytes (forms and, later, API requests): 1 MB.
    max_body_bytes: int = Field(default=1_000_000, ge=10_000)
    sign_in_max_failures: int = Field(default=10, ge=1)
    sign_in_failure_window_seconds: int = Field(default=15 * 60, ge=1)
    # Failed sign-ins one client address may make in the window before it gets 429.
    sign_in_client_max_failures: int = Field(default=30, ge=1)
    sign_in_client_window_seconds: int = Field(default=5 * 60, ge=1)
    # How long a refusal to a client over that limit is held before it is sent (a tarpit).
    sign_in_refusal_delay_seconds: float = Field(default=2.0, ge=0, le=30)
    # Password checks for sign-ins at once, and per second on average, in one process.
    password_checks_in_flight: int = Field(default=1, ge=1)
    password_checks_per_second: float = Field(default=4.0, gt=0)
    # Proxies whose X-Forwarded-For names the client (comma-separated addresses).
    trusted_proxies: str = ""
    forms_dir: Path = PROJECT_ROOT / "app" / "forms" / "definitions"
    # Where people reach the service: links in email start with it (https in production).
    base_url: str = "http://127.0.0.1:8000"
    # Email (docs/email.md). With no SMTP host, each message is written as an .eml file to
    # mail_dir instead (development); production needs a host. Messages come from mail_from,
    # in the council's name.
    mail_from: str = "primas@hackney.gov.uk"
    smtp_host: str = ""
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_username: str = ""
    smtp_password: str | None = Field(default=None, repr=False)
    smtp_starttls: bool = True
    # The certificate authority that signed the mail server's certificate, when it is the
    # council's own rather than a public one (a PEM file).
    smtp_ca_file: Path | None = None
    smtp_timeout_seconds: float = Field(default=30, gt=0, le=300)
    mail_dir: Path = PROJECT_ROOT / "var" / "outbox"
    # Run the sender in the app's process (a background thread); `primas send-mail` runs once.
    send_mail: bool = True
    mail_poll_seconds: float = Field(default=10, gt=0, le=3600)
    # A message is tried this many times, waiting mail_retry_seconds, then twice as long after
    # each failure (at most six hours), before it is marked failed for an administrator.
    mail_max_attempts: int = Field(default=8, ge=1, le=50)
    mail_retry_seconds: float = Field(default=60, gt=0, le=6 * 60 * 60)
    # A message a sender claimed but did not finish (it stopped) is tried again after this.
    mail_claim_seconds: float = Field(default=300, gt=0)
    # Requests each API client may make a minute, on average, in each process (429 beyond).
    api_requests_per_minute: int = Field(default=600, ge=1)
    # The changes feed leaves out what happened in the last this many seconds, so that a change
    # committed after a later one is not passed over (docs/api.md).
    api_changes_delay_seconds: float = Field(default=2, ge=0, le=60)
    # Approvers are reminded, once a working day, of a submission waiting longer than this.
    reminder_working_days: int = Field(default=3, ge=1, le=60)
    # Open Contracting IDs start with it (docs/ocds.md): the prefix the Open Contracting
    # Partnership registers for the council ("ocds-" and six characters) once it publishes.
    ocid_prefix: str = "ocds-primas"

    @property
    def trusted_proxy_addresses(self) -> frozenset[str]:
        """The trusted proxies' addresses."""
        return frozenset(part.strip() for part in self.trusted_proxies.split(",") if part.strip())

    @model_validator(mode="after")
    def _warning_fits_in_the_idle_time(self) -> Settings:
        if self.session_warning_seconds >= self.session_idle_timeout_seconds:
            raise SettingsError(
                "PRIMAS_SESSION_WARNING_SECONDS must be less than "
                "PRIMAS_SESSION_IDLE_TIMEOUT_SECONDS"
            )
        return self

    @model_validator(mode="after")
    def _a_claim_outlasts_a_send(self) -> Settings:
        # A send waits at most the timeout at each of its steps (connect, STARTTLS, login,
        # sending): a claim that lapsed mid-send would let another sender send it too.
        if self.mail_claim_seconds < 4 * self.smtp_timeout_seconds:
            raise SettingsError(
                "PRIMAS_MAIL_CLAIM_SECONDS must be at least four times "
                "PRIMAS_SMTP_TIMEOUT_SECONDS, so that a claim outlasts a slow send"
            )
        return self

    @model_validator(mode="after")
    def _mail_comes_from_an_address(self) -> Settings:
        name, address = parseaddr(self.mail_from)
        if name or not re.fullmatch(r"[^@\s<>,]+@[^@\s<>,]+\.[^@\s<>,]+", address):
            raise SettingsError(
                "PRIMAS_MAIL_FROM must be an email address alone, such as primas@example.gov.uk"
            )
        return self

    @model_validator(mode="after")
    def _ocid_prefix_is_an_identifier(self) -> Settings:
        if not re.fullmatch(r"[A-Za-z0-9-]{1,40}", self.ocid_prefix):
            raise SettingsError(
                "PRIMAS_OCID_PREFIX must be 1 to 40 letters, digits and hyphens, such as the "
                "prefix the Open Contracting Partnership registers: ocds-a1b2c3"
            )
        return self

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if self.env != "production":
            return self
        if not self.secret_key or self.secret_key == DEVELOPMENT_SECRET_KEY:
            raise SettingsError(
                "PRIMAS_ENV=production needs PRIMAS_SECRET_KEY set to a long random value"
            )
        if len(self.secret_key) < MINIMUM_SECRET_KEY_LENGTH:
            raise SettingsError(
                f"PRIMAS_SECRET_KEY must be at least {MINIMUM_SECRET_KEY_LENGTH} characters"
            )
        if not self.signing_key or self.signing_key == DEVELOPMENT_SIGNING_KEY:
            raise SettingsError(
                "PRIMAS_ENV=production needs PRIMAS_SIGNING_KEY set to a long random value"
            )
        if len(self.signing_key) < MINIMUM_SECRET_KEY_LENGTH:
            raise SettingsError(
                f"PRIMAS_SIGNING_KEY must be at least {MINIMUM_SECRET_KEY_LENGTH} characters"
            )
        if not self.smtp_host:
            raise SettingsError(
                "PRIMAS_ENV=production needs PRIMAS_SMTP_HOST: email is only written to files "
                "in development"
            )
        if self.smtp_username and not self.smtp_starttls:
            raise SettingsError(
                "PRIMAS_SMTP_STARTTLS=false would send the mail password unencrypted: "
                "turn it on, or use a relay that needs no login"
            )
        if not self.base_url.startswith("https://"):
            raise SettingsError(
                "PRIMAS_ENV=production needs PRIMAS_BASE_URL, the https:// address people "
                "reach the service at (links in email start with it)"
            )
        return self

    @property
    def effective_signing_key(self) -> str:
        """The key that signs approved records: the configured one, or the development key."""
        return self.signing_key or DEVELOPMENT_SIGNING_KEY

    @property
    def effective_secret_key(self) -> str:
        """The key that signs tokens: the configured one, or the development key."""
        return self.secret_key or DEVELOPMENT_SECRET_KEY

    @property
    def is_production(self) -> bool:
        """True when running for real users."""
        return self.env == "production"
