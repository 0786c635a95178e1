"""No request body larger than the limit is read: refused with 413 at once when its length is
declared, or as soon as a body sent in chunks passes the limit, and answered like any error."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable

from fastapi import FastAPI
from sqlmodel import Session, select

from app.models import AssessmentAnswer, Procurement, Role
from tests.support.auth import signed_in_client
from tests.support.factories import make_user, procurement_form_data
from tests.support.html import heading, parse
from tests.support.primas import autosave, csrf_token, lead_with_draft, post

LIMIT = 1_000_000  # the default, PRIMAS_MAX_BODY_BYTES


def _call(
    app: FastAPI, *, headers: list[tuple[bytes, bytes]], body: Callable[[], bytes]
) -> tuple[int, int]:
    """POST an endless form to /sign-in straight through ASGI: the status answered, and how
    many times the body was read."""
    reads = 0
    sent: list[dict[str, object]] = []

    async def receive() -> dict[str, object]:
        nonlocal reads
        reads += 1
        return {"type": "http.request", "body": body(), "more_body": True}

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": "/sign-in", "raw_path": b"/sign-in", "query_string": b"",
        "root_path": "", "client": ("203.0.113.9", 50000), "server": ("testserver", 80),
        "headers": [(b"host", b"testserver"),
                    (b"content-type", b"application/x-www-form-urlencoded"), *headers],
    }  # fmt: skip
    # In a thread of its own: the browser tests' Playwright may hold this thread's event loop.
    worker = threading.Thread(target=lambda: asyncio.run(app(scope, receive, send)))  # type: ignore[arg-type]
    worker.start()
    worker.join()
    status = sent[0]["status"]
    assert isinstance(status, int)
    return status, reads


def test_a_declared_150_mb_form_is_refused_before_any_of_it_is_read(app: FastAPI) -> None:
    status, reads = _call(
        app, headers=[(b"content-length", b"150000000")], body=lambda: b"x" * 65536
    )
    assert status == 413
    assert reads == 0  # not a byte of the body was read


def test_a_body_sent_in_chunks_is_refused_once_it_passes_the_limit(app: FastAPI) -> None:
    """No Content-Length (chunked): read until it passes the limit, and no further."""
    chunk = b"email=" + b"a" * 65530
    status, reads = _call(app, headers=[], body=lambda: chunk)
    assert status == 413
    assert reads == LIMIT // len(chunk) + 1  # the chunk that passed the limit was the last read


def test_a_signed_in_form_over_the_limit_saves_nothing_and_says_why(
    app: FastAPI, session: Session
) -> None:
    lead = make_user(session, Role.LEAD)
    client = signed_in_client(app, session, lead)
    data = procurement_form_data(description="A" * (LIMIT + 1)) | {"csrf_token": csrf_token(client)}
    response = client.post("/procurements/new", data=data, follow_redirects=False)
    assert response.status_code == 413
    page = parse(response)
    assert heading(page) == "What you sent is too large"
    assert "Nothing was saved" in page.get_text()
    assert session.exec(select(Procurement)).all() == []


def test_an_autosave_over_the_limit_is_told_in_the_page_and_saves_nothing(
    app: FastAPI, session: Session
) -> None:
    client, _, base = lead_with_draft(app, session)
    response = autosave(client, base, "workforce_size", {"workforce_size": "1" * (LIMIT + 1)})
    assert response.status_code == 413
    assert "What you sent is too large" in response.text
    assert "<html" not in response.text  # a message for the page, not a page in the page
    assert session.exec(select(AssessmentAnswer)).all() == []


def test_an_answer_longer_than_its_question_allows_is_not_kept_and_stays_on_the_page(
    app: FastAPI, session: Session
) -> None:
    """Within the body limit but over the question's own (an action is a short text of at most
    200 characters): refused by name, nothing stored, and the page keeps what was typed so it
    can be shortened."""
    client, _, base = lead_with_draft(app, session)
    typed = "Audit " * 50  # 300 characters
    entry = {"mitigation_actions-count": "1", "mitigation_actions-0-action": typed,
             "mitigation_actions-0-owner": "Priya Shah"}  # fmt: skip
    response = autosave(client, base, "mitigation_actions", entry)
    assert response.status_code == 422
    assert "Not saved" in response.text and "200 characters or fewer" in response.text
    assert typed.strip() in response.text  # still in the field, to shorten
    page = post(client, f"{base}/tasks/modern-slavery", entry)
    assert page.status_code == 422
    assert "200 characters or fewer" in page.text and typed.strip() in page.text
    assert session.exec(select(AssessmentAnswer)).all() == []


def test_an_add_another_group_takes_no_more_than_its_entries(
    app: FastAPI, session: Session
) -> None:
    client, _, base = lead_with_draft(app, session)
    entries = {"mitigation_actions-count": "500"} | {
        f"mitigation_actions-{index}-action": f"Action {index}" for index in range(500)
    }
    response = autosave(client, base, "mitigation_actions", entries)
    assert response.status_code == 200  # the page reads no more entries than the group takes
    (row,) = session.exec(select(AssessmentAnswer)).all()
    assert len(row.raw) == 20
