"""A limit on the size of every request body, enforced as it arrives.

A body larger than the limit is refused with 413 before it is read: at once when its
Content-Length says so, or as soon as a body sent in chunks passes the limit. So no one can make
the service parse, hold or store more than the limit, whether or not they are signed in, and
the refusal is answered like any other error (a page, a message in the page, or problem+json).
"""

from __future__ import annotations

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
