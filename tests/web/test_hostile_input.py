"""Hostile input to every form: oversized bodies and fields, pasted control characters, invalid
UTF-8 and absurd numbers. Nothing answers 5xx, and nothing stored is longer than its column
allows or holds a character a document cannot (issue 16)."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import String, Text, select
from sqlmodel import Session, SQLModel

from app.inputs import _UNWANTED
from tests.support.primas import csrf_token
from tests.web.test_authorisation_matrix import ROUTES, Case, People, concrete, people  # noqa: F401

# Run again on PostgreSQL (docs/testing.md, the PostgreSQL set).
pytestmark = pytest.mark.postgres

# The pages' forms; the JSON API meets hostile input in schemathesis (tests/web/test_api_schema.py).
POSTS = [case for case in ROUTES if case.method == "POST" and case.path != "/sign-out"
         and not case.path.startswith("/api/")]  # fmt: skip
# Every field any form has, so each form meets hostile values in the fields it reads.
FIELDS = sorted(
    {name for case in POSTS for name in case.form}
    | {"title", "description", "value", "reason", "target", "evidence", "unit", "frequency",
       "name", "email", "password", "amount", "source", "note", "risk", "scope", "version",
       "revision", "workforce_size", "lots", "mitigation_actions-count",
       "mitigation_actions-0-action", "tender-day", "tender-month", "tender-year",
       "effective_from-day", "effective_from-month", "effective_from-year", "collaborator",
       "lead_officer", "new_password", "confirm_password", "current_password"}
)  # fmt: skip
HOSTILE = {
    "control characters": "Line\x0bone\x0c\x00two\x01\x08\x1f\x7f" * 20,
    "long": "A" * 30_000,
    "huge number": "9" * 400,
    "exponent": "1e999999",
    "not a number": "NaN",
    "negative": "-99999999999999999999",
}


def _who(case: Case) -> str:
    """Someone allowed to send this form (its refusals are the matrix's business)."""
    allowed = [who for who, status in case.expected.items() if status < 400 or status == 422]
    return (
        "admin"
        if "admin" in allowed and "lead" not in allowed
        else ("lead" if "lead" in allowed else allowed[0])
    )


@pytest.mark.parametrize("case", POSTS, ids=lambda case: case.path)
def test_no_form_fails_on_hostile_input(case: Case, people: People, session: Session) -> None:  # noqa: F811
    client: TestClient = people.clients[_who(case)]
    path = concrete(case.path, people)
    for label, value in HOSTILE.items():
        form = dict.fromkeys(FIELDS, value) | {"csrf_token": csrf_token(client)}
        response = client.post(path, data=form, follow_redirects=False)
        assert response.status_code < 500, (label, response.status_code)
    # The form as it would be sent, with control characters pasted into each value: where it is
    # saved, it is saved clean.
    pasted = {
        name: concrete(value, people)[:1] + "\x0b\x01\x0c" + concrete(value, people)[1:]
        if isinstance(value, str) else value
        for name, value in case.form.items()
    }  # fmt: skip
    response = client.post(path, data=pasted | {"csrf_token": csrf_token(client)},
                           follow_redirects=False)  # fmt: skip
    assert response.status_code < 500, ("pasted", response.status_code)
    # Invalid UTF-8, percent-encoded and raw.
    token = csrf_token(client)
    for encoded in (b"%FF%FE%C0%AF", b"\xff\xfe\xc0\xaf"):
        body = b"&".join(f"{name}=".encode() + encoded for name in FIELDS)
        body += b"&csrf_token=" + quote(token).encode()
        form_type = {"content-type": "application/x-www-form-urlencoded"}
        response = client.post(path, content=body, follow_redirects=False, headers=form_type)
        assert response.status_code < 500, (encoded, response.status_code)
    # Over the body limit: refused, not read.
    huge = client.post(path, data={"title": "A" * 1_100_000, "csrf_token": token})
    assert huge.status_code == 413
    _nothing_stored_beyond_the_limits(session)


def _nothing_stored_beyond_the_limits(session: Session) -> None:
    session.rollback()
    for table in SQLModel.metadata.sorted_tables:
        for column in table.columns:
            if not isinstance(column.type, String | Text):
                continue
            for (value,) in session.execute(select(column)).all():
                if value is None:
                    continue
                limit = getattr(column.type, "length", None)
                assert limit is None or len(value) <= limit, (table.name, column.name)
                assert _UNWANTED.search(value) is None, (table.name, column.name, value[:40])
