"""Limits that keep one caller from making the service fail, fill up or stall for others: the
size of every request body, and the password checks made for people signing in.

The body limit is enforced as the body arrives.

A body larger than the limit is refused with 413 before it is read: at once when its
Content-Length says so, or as soon as a body sent in chunks passes the limit. So no one can make
the service parse, hold or store more than the limit, whether or not they are signed in, and
the refusal is answered like any other error (a page, a message in the page, or problem+json).
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections import deque
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import PrimasError


class BodyTooLarge(PrimasError):
    """The request's body is larger than the service accepts."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            413,
            "What you sent is too large",
            f"The service accepts at most {limit // 1000:,} kB at a time. Nothing was saved. "
            "If you pasted a long text, shorten it and try again.",
        )


class BodyLimit:
    """ASGI middleware: every HTTP request body at most `max_bytes`."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_bytes
        declared = _content_length(scope)
        received = 0

        async def limited() -> Message:
            nonlocal received
            if declared is not None and declared > limit:
                raise BodyTooLarge(limit)  # before a byte of it is read
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, limited, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            return int(value) if value.isdigit() and len(value) <= 18 else None
    return None


class PasswordCheckGate:
    """Password checks a process makes for people not yet signed in: at most `in_flight` at
    once and `per_second` on average (a token bucket holding up to `per_second`). Each check
    costs tens of milliseconds of both cores (argon2), so a flood of sign-ins for made-up
    addresses would otherwise take the processor from every signed-in page and /healthz; past
    the limit a sign-in is answered 429 with Retry-After at once, without checking."""

    def __init__(
        self, in_flight: int, per_second: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._running = threading.BoundedSemaphore(in_flight)
        self._lock = threading.Lock()
        self._rate = per_second
        self._burst = max(1.0, per_second)
        self._tokens = self._burst
        self._clock = clock
        self._last = clock()

    def enter(self) -> float:
        """0.0 when the check may go ahead (then `leave()` after it), else the seconds to wait."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self._burst, self._tokens + (now - self._last) * self._rate)
            self._last = now
            if self._tokens < 1:
                return (1 - self._tokens) / self._rate
            if not self._running.acquire(blocking=False):
                return 1.0
            self._tokens -= 1
            return 0.0

    def leave(self) -> None:
        """The check has finished."""
        self._running.release()


class ClientFailures:
    """Failed sign-ins counted per client address over a sliding window, so one client
    trying address after address is stopped (the per-account throttle cannot see it: each
    address is new). Held in memory, per process; at most `max_clients` are remembered."""

    def __init__(self, limit: int, window_seconds: float, max_clients: int = 50_000) -> None:
        self.limit, self.window, self.max_clients = limit, window_seconds, max_clients
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, client: str, now: float) -> float:
        """0.0 when the client may try, else the seconds until its oldest failure expires."""
        with self._lock:
            times = self._failures.get(client)
            if not times:
                return 0.0
            while times and times[0] <= now - self.window:
                times.popleft()
            if len(times) < self.limit:
                return 0.0
            return times[0] + self.window - now

    def failed(self, client: str, now: float) -> None:
        """Count a failed sign-in from `client`."""
        with self._lock:
            if client not in self._failures and len(self._failures) >= self.max_clients:
                self._failures.pop(next(iter(self._failures)))  # the longest remembered
            self._failures.setdefault(client, deque(maxlen=self.limit)).append(now)


class ApiRate:
    """Requests each API client may make: `per_minute` on average, in bursts of up to a tenth
    of that (a token bucket per client, in memory, per process). Past it a request gets 429
    with Retry-After, before any work is done for it."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._rate = per_minute / 60
        self._burst = max(1.0, per_minute / 10)
        self._buckets: dict[int, tuple[float, float]] = {}  # client id -> (tokens, when)
        self._lock = threading.Lock()
        self._clock = clock

    def wait(self, client_id: int) -> float:
        """0.0 when the client's request may go ahead (counting it), else the seconds until it
        may."""
        with self._lock:
            now = self._clock()
            tokens, last = self._buckets.get(client_id, (self._burst, now))
            tokens = min(self._burst, tokens + (now - last) * self._rate)
            if tokens < 1:
                self._buckets[client_id] = (tokens, now)
                return (1 - tokens) / self._rate
            self._buckets[client_id] = (tokens - 1, now)
            return 0.0


def client_address(peer: str | None, forwarded_for: str, trusted_proxies: frozenset[str]) -> str:
    """The address a request came from: the peer's, unless the peer is a trusted proxy, when it
    is the last address in X-Forwarded-For that is not itself a trusted proxy."""
    address = peer or "unknown"
    if address not in trusted_proxies or not forwarded_for:
        return address
    for hop in reversed([part.strip() for part in forwarded_for.split(",")]):
        if hop and hop not in trusted_proxies:
            return hop[:64]
    return address


REFUSED_PAGE = """<!DOCTYPE html>
<html lang="en-GB">
<head><meta charset="utf-8"><title>Too many sign-in attempts</title></head>
<body><main><h1>Too many sign-in attempts</h1>
<p>There have been too many failed sign-ins from your network. Wait {wait} and try again.</p>
</main></body>
</html>
"""


class SignInFloodGuard:
    """ASGI middleware: a client over its failed sign-in limit (ClientFailures) is refused
    before its form is read or a page drawn, with a small page and Retry-After, and the refusal
    counts as another failure.

    The refusal is held for `delay_seconds` (at most until the client may try again) before it
    is sent: a client that ignores Retry-After and asks again as soon as it is answered then
    asks once every `delay_seconds` rather than thousands of times a second, so 30 such clients
    cost the service a few small answers a second and signed-in pages and /healthz keep their
    times. Waiting is a timer on the event loop, not a thread or a processor; at most
    `max_held` refusals wait at once, and any beyond that are answered at once."""

    def __init__(
        self,
        app: ASGIApp,
        failures: ClientFailures,
        trusted_proxies: frozenset[str],
        delay_seconds: float = 0.0,
        max_held: int = 1000,
        path: str = "/sign-in",
    ) -> None:
        self.app, self.failures, self.trusted, self.path = app, failures, trusted_proxies, path
        self.delay, self.max_held, self.held = delay_seconds, max_held, 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != self.path:
            await self.app(scope, receive, send)
            return
        forwarded = next(
            (value.decode("latin-1") for name, value in scope.get("headers", ())
             if name == b"x-forwarded-for"),
            "",
        )  # fmt: skip
        peer = scope.get("client")
        client = client_address(peer[0] if peer else None, forwarded, self.trusted)
        now = time.monotonic()
        wait = self.failures.retry_after(client, now)
        if not wait:
            scope.setdefault("state", {})["sign_in_client"] = client
            await self.app(scope, receive, send)
            return
        self.failures.failed(client, now)
        await self._hold(min(self.delay, wait))
        seconds = max(1, math.ceil(wait))
        words = f"{seconds} seconds" if seconds < 120 else f"{math.ceil(seconds / 60)} minutes"
        body = REFUSED_PAGE.format(wait=words).encode()
        await send({"type": "http.response.start", "status": 429, "headers": [
            (b"content-type", b"text/html; charset=utf-8"),
            (b"content-length", str(len(body)).encode()),
            (b"retry-after", str(seconds).encode()),
        ]})  # fmt: skip
        await send({"type": "http.response.body", "body": body})

    async def _hold(self, seconds: float) -> None:
        """Wait before refusing, unless `max_held` refusals are waiting already."""
        if seconds <= 0 or self.held >= self.max_held:
            return
        self.held += 1
        try:
            await asyncio.sleep(seconds)
        finally:
            self.held -= 1
