"""The errors services and request dependencies raise. They know nothing of HTTP responses:
app/deps/errors.py answers each with a GOV.UK-style page, or problem+json for the API."""

from __future__ import annotations

from typing import Any


class PrimasError(Exception):
    """An error to show the user: an HTTP status, a short title and a plain-English detail."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str = "",
        *,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail or title)
        self.status = status
        self.title = title
        self.detail = detail
        self.headers = headers or {}  # such as WWW-Authenticate or Retry-After
        self.extra = extra


class SignInRequired(Exception):
    """The request needs a signed-in user and there is none (or their session has ended)."""


class PasswordChangeRequired(Exception):
    """The user signed in with a one-time password and must choose their own first."""


class StaleForm(Exception):
    """An htmx request from a page whose CSRF token belongs to an earlier session of this user
    (they signed in again in another tab). It carries the current token so the page can retry."""

    def __init__(self, token: str) -> None:
        super().__init__("the page's form token is out of date")
        self.token = token


class NotFound(LookupError):
    """What was asked for does not exist (or is not this draft's): the page or API says
    "not found". `what` names it for the log, never for the user."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


class InvalidInput(Exception):
    """Input that a service refused: a plain-English message for each field, in page order."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))
        self.errors = errors
