"""Answers of the API: JSON with a strong ETag (a SHA-256 of the body), and 304 to a client
that already holds what it would be sent (If-None-Match)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from fastapi import Request, Response
from pydantic import BaseModel


def etag_of(body: bytes) -> str:
    """A strong entity tag for a body."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def matches(header: str, etag: str) -> bool:
    """Whether an If-None-Match or If-Match header names `etag` (or is "*")."""
    tags = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return "*" in tags or etag in tags


def names_exactly(header: str, etag: str) -> bool:
    """Whether an If-Match header names `etag` itself: a strong comparison (RFC 9110 13.1.1),
    and not "*", which would let a change through without saying what it was made to."""
    return etag in {tag.strip() for tag in header.split(",")}


def body_and_etag(payload: BaseModel | dict[str, Any]) -> tuple[bytes, str]:
    """The JSON body of `payload` and its ETag."""
    data = payload.model_dump(mode="json") if isinstance(payload, BaseModel) else payload
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    return body, etag_of(body)


def tagged(request: Request, payload: BaseModel | dict[str, Any], *, status: int = 200,
           headers: dict[str, str] | None = None) -> Response:  # fmt: skip
    """`payload` as JSON with its ETag, or 304 when the request's If-None-Match holds it."""
    body, etag = body_and_etag(payload)
    out = {"ETag": etag, "Cache-Control": "private, no-cache", **(headers or {})}
    if status == 200 and matches(request.headers.get("if-none-match", ""), etag):
        return Response(status_code=304, headers=out)
    return Response(body, status_code=status, media_type="application/json", headers=out)
