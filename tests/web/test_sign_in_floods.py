"""Sign-in floods: failed sign-ins counted per client address and refused, held a moment, once
over the limit; the password checks a process makes for people signing in limited in number at
once and per second. 30 clients flooding a real server cost it a bounded number of answers and
password checks while signed-in pages and /healthz go on being answered. (How long those pages
take under such a flood is measured in benchmarks/sign_in_flood.py, not asserted here.)"""

from __future__ import annotations

import asyncio
import http.client
import re
import threading
import time
from collections import Counter
from urllib.parse import urlencode, urlsplit

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.deps import session_cookie_name, session_policy
from app.deps.limits import ClientFailures, PasswordCheckGate, SignInFloodGuard, client_address
from app.main import create_app
from app.models import Role
from app.services import sessions
from app.settings import Settings
from app.timeutil import utcnow
from tests.support.catalogue import shipped
from tests.support.factories import make_user
from tests.support.html import parse, text_of
from tests.support.live_server import serve


def _sign_in(client: TestClient, email: str, forwarded_for: str = ""):  # type: ignore[no-untyped-def]
    token = parse(client.get("/sign-in")).find("input", {"name": "csrf_token"})["value"]
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return client.post("/sign-in", data={"email": email, "password": "not the password",
                                         "csrf_token": token}, headers=headers)  # fmt: skip


def test_one_client_trying_address_after_address_is_stopped(settings: Settings) -> None:
    limited = settings.model_copy(update={"sign_in_client_max_failures": 3,
                                          "trusted_proxies": "testclient"})  # fmt: skip
    app: FastAPI = create_app(limited, catalogue=shipped())
    try:
        client = TestClient(app)
        for number in range(3):
            assert (
                _sign_in(client, f"made-up-{number}@example.com", "203.0.113.7").status_code == 422
            )
        refused = _sign_in(client, "made-up-4@example.com", "203.0.113.7")
        assert refused.status_code == 429
        assert int(refused.headers["Retry-After"]) > 0
        assert "too many failed sign-ins from your network" in text_of(parse(refused))
        assert "content-security-policy" in refused.headers  # refused early, still guarded
        # Another client behind the same trusted proxy is not held back by it.
        assert _sign_in(client, "someone@example.com", "198.51.100.2").status_code == 422
    finally:
        app.state.engine.dispose()


def test_password_checks_are_limited_in_flight_and_per_second() -> None:
    now = [0.0]
    gate = PasswordCheckGate(in_flight=1, per_second=4, clock=lambda: now[0])
    assert gate.enter() == 0.0
    assert gate.enter() == 1.0  # one already in flight
    gate.leave()
    for _ in range(3):
        assert gate.enter() == 0.0
        gate.leave()
    assert gate.enter() == 0.25  # four in the same instant: the next in a quarter second
    now[0] += 0.25
    assert gate.enter() == 0.0
    gate.leave()


def test_a_busy_process_answers_429_at_once_without_checking(settings: Settings) -> None:
    defaults = settings.model_copy(update={"password_checks_in_flight": 1,
                                           "password_checks_per_second": 4.0})  # fmt: skip
    app: FastAPI = create_app(defaults, catalogue=shipped())
    try:
        gate: PasswordCheckGate = app.state.password_checks
        assert gate.enter() == 0.0  # another sign-in's check is running
        refused = _sign_in(TestClient(app), "someone@example.com")
        gate.leave()
        assert refused.status_code == 429
        assert refused.headers["Retry-After"] == "1"
        assert "The service is busy checking sign-ins" in text_of(parse(refused))
    finally:
        app.state.engine.dispose()


def test_the_client_is_the_peer_unless_the_peer_is_a_trusted_proxy() -> None:
    proxies = frozenset({"10.0.0.1", "10.0.0.2"})
    assert client_address("203.0.113.7", "198.51.100.1", proxies) == "203.0.113.7"  # not trusted
    assert client_address("10.0.0.1", "198.51.100.1, 10.0.0.2", proxies) == "198.51.100.1"
    assert client_address("10.0.0.1", "", proxies) == "10.0.0.1"


def test_failures_are_remembered_for_a_bounded_number_of_clients() -> None:
    failures = ClientFailures(limit=2, window_seconds=60, max_clients=3)
    for client in ("a", "b", "c", "d"):
        failures.failed(client, 0.0)
        failures.failed(client, 1.0)
    assert failures.retry_after("a", 2.0) == 0.0  # forgotten to make room
    assert failures.retry_after("d", 2.0) == 58.0  # until its first failure leaves the window
    assert failures.retry_after("d", 61.0) == 0.0  # its first failure has left the window


class CountingGate(PasswordCheckGate):
    """The password-check gate with the defaults, counting the checks it lets through."""

    def __init__(self) -> None:
        super().__init__(in_flight=1, per_second=4.0)
        self.checks = 0

    def enter(self) -> float:
        wait = super().enter()
        self.checks += not wait
        return wait


TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def _flood(base: str, number: int, stop: threading.Event, answers: Counter[int]) -> None:
    """One client posting sign-ins for address after address, asking again as soon as it is
    answered, from its own address behind the trusted proxy."""
    connection = http.client.HTTPConnection(urlsplit(base).netloc, timeout=30)
    connection.request("GET", "/sign-in")
    page = connection.getresponse()
    cookie = (page.getheader("set-cookie") or "").split(";")[0]
    token = TOKEN.search(page.read().decode())
    assert token is not None
    attempt = 0
    while not stop.is_set():
        attempt += 1
        body = urlencode({"email": f"nobody-{number}-{attempt}@example.com",
                          "password": "guess", "csrf_token": token.group(1)})  # fmt: skip
        connection.request("POST", "/sign-in", body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie,
            "X-Forwarded-For": f"203.0.113.{number + 1}"})  # fmt: skip
        response = connection.getresponse()
        response.read()
        assert response.status in (422, 429), response.status
        answers[number] += 1


def _keep_asking(base: str, path: str, cookie: str, stop: threading.Event,
                 statuses: list[int]) -> None:  # fmt: skip
    connection = http.client.HTTPConnection(urlsplit(base).netloc, timeout=30)
    while not stop.is_set():
        connection.request("GET", path, headers={"Cookie": cookie})
        response = connection.getresponse()
        response.read()
        statuses.append(response.status)
        stop.wait(0.05)


def test_thirty_flooding_clients_cost_a_bounded_number_of_answers_and_checks(
    settings: Settings, session: Session
) -> None:
    limits = settings.model_copy(update={
        "password_checks_in_flight": 1, "password_checks_per_second": 4.0,
        "sign_in_client_max_failures": 3, "sign_in_refusal_delay_seconds": 0.5,
        "trusted_proxies": "127.0.0.1"})  # fmt: skip
    app: FastAPI = create_app(limits, catalogue=shipped())
    gate = app.state.password_checks = CountingGate()
    lead = make_user(session, Role.LEAD)
    token = sessions.start_session(session, lead, session_policy(limits), utcnow())
    session.commit()
    cookie = f"{session_cookie_name(limits)}={token}"
    stop, answers = threading.Event(), Counter[int]()
    pages: list[int] = []
    health: list[int] = []
    try:
        with serve(app) as base:
            threads = [threading.Thread(target=_flood, args=(base, n, stop, answers))
                       for n in range(30)]  # fmt: skip
            threads += [
                threading.Thread(target=_keep_asking, args=(base, "/procurements", cookie,
                                                            stop, pages)),
                threading.Thread(target=_keep_asking, args=(base, "/healthz", "", stop, health)),
            ]  # fmt: skip
            started = time.monotonic()
            for thread in threads:
                thread.start()
            time.sleep(2.0)
            stop.set()
            for thread in threads:
                thread.join()
            seconds = time.monotonic() - started
    finally:
        app.state.engine.dispose()
    assert len(answers) == 30
    # Each client: its 3 failures, then one held refusal every half second (and the one it was
    # waiting for when stopped). Answered at once, each would have been answered hundreds of times.
    most = 3 + seconds / 0.5 + 1
    assert max(answers.values()) <= most, (answers, seconds)
    # Password checks: 4 a second, from a bucket holding 4.
    assert 1 <= gate.checks <= 4 + 4 * seconds, (gate.checks, seconds)
    # Signed-in pages and /healthz were answered all the while.
    assert pages and set(pages) == {200}
    assert health and set(health) == {200}


def _refused_sign_in(guard: SignInFloodGuard) -> float:
    """Seconds until `guard` answers a sign-in from a client over its limit."""
    scope = {"type": "http", "method": "POST", "path": "/sign-in", "headers": [],
             "client": ("203.0.113.9", 1234)}  # fmt: skip
    answered: list[int] = []

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, object]) -> None:
        if message["type"] == "http.response.start":
            answered.append(int(message["status"]))  # type: ignore[call-overload]

    started = time.monotonic()
    asyncio.run(guard(scope, receive, send))  # type: ignore[arg-type]
    assert answered == [429]
    return time.monotonic() - started


def test_a_refusal_is_held_for_the_delay_and_no_more_than_so_many_wait(
    settings: Settings,
) -> None:
    async def never(scope: object, receive: object, send: object) -> None:
        raise AssertionError("a client over its limit reached the application")

    failures = ClientFailures(limit=1, window_seconds=60)
    failures.failed("203.0.113.9", time.monotonic())
    guard = SignInFloodGuard(never, failures, frozenset(), delay_seconds=0.3, max_held=1)  # type: ignore[arg-type]
    times: dict[str, float] = {}
    # In threads of their own: the browser tests' Playwright may hold this thread's event loop.
    held = threading.Thread(target=lambda: times.update(held=_refused_sign_in(guard)))
    held.start()
    deadline = time.monotonic() + 5
    while not guard.held and time.monotonic() < deadline:
        time.sleep(0.01)
    other = threading.Thread(target=lambda: times.update(other=_refused_sign_in(guard)))
    other.start()
    other.join()
    held.join()
    assert times["held"] >= 0.3
    assert times["other"] < 0.3  # one already waiting: answered at once
    assert guard.held == 0
