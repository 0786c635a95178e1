"""Sign-in floods: failed sign-ins counted per client address, and the password checks a
process makes for people signing in limited in number at once and per second, each answered
429 with Retry-After at once. (How signed-in pages and /healthz fare under 30 such clients is
measured in benchmarks/sign_in_flood.py, not asserted here.)"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.deps.limits import ClientFailures, PasswordCheckGate, client_address
from app.main import create_app
from app.settings import Settings
from tests.support.catalogue import shipped
from tests.support.html import parse, text_of


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
