"""Security headers on every response, with a fresh nonce for the one inline script per page."""

from __future__ import annotations

import secrets
from collections.abc import Mapping

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Pages whose vendored stylesheet draws its icons as data: images (Swagger UI's, on the API
# reference): images only, which cannot run code; scripts and styles stay our own origin's.
DATA_IMAGE_PATHS = frozenset({"/api/v1/docs"})


def content_security_policy(nonce: str, *, data_images: bool = False) -> str:
    """A strict policy: our own origin only, no inline code except the nonce-carrying script."""
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self'",
            "img-src 'self' data:" if data_images else "img-src 'self'",
            "font-src 'self'",
            "connect-src 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "object-src 'none'",
        )
    )


# A chart drawn on the server (app/web/charts.py) is an SVG image styled by its own <style>:
# shown through <img>, it runs nothing, and opened alone it may style itself and nothing else.
SVG_IMAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"


def security_headers(
    nonce: str, *, production: bool, data_images: bool = False
) -> Mapping[str, str]:
    """Every header we set for security, for a response rendered with `nonce`."""
    headers = {
        "Content-Security-Policy": content_security_policy(nonce, data_images=data_images),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "X-Frame-Options": "DENY",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cross-Origin-Resource-Policy": "same-origin",
        "Permissions-Policy": "camera=(), geolocation=(), microphone=(), payment=(), usb=()",
    }
    if production:
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return headers


def new_nonce() -> str:
    """A random, single-use CSP nonce."""
    return secrets.token_urlsafe(18)


class SecurityHeadersMiddleware:
    """Puts a nonce in the request state and the security headers on the response."""

    def __init__(self, app: ASGIApp, *, production: bool) -> None:
        self.app = app
        self.production = production

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = new_nonce()
        scope.setdefault("state", {})["csp_nonce"] = nonce
        is_static = scope["path"].startswith("/static/")
        data_images = scope["path"] in DATA_IMAGE_PATHS

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in security_headers(
                    nonce, production=self.production, data_images=data_images
                ).items():
                    headers[name] = value
                if headers.get("content-type", "").startswith("image/svg+xml"):
                    headers["Content-Security-Policy"] = SVG_IMAGE_POLICY
                if not is_static and "cache-control" not in headers:
                    # Pages hold council data: never keep them in shared or back-button caches.
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)
