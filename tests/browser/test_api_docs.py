"""The API reference page in a real browser: Swagger UI, vendored, draws every operation under
the page's content security policy (nothing from another site), and passes axe."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.support.browser import assert_accessible


def test_the_api_reference_draws_every_operation(live_server: str, page: Page) -> None:
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text)
            if "Content Security Policy" in message.text else None)  # fmt: skip
    page.goto(live_server + "/api/v1/docs")
    page.locator(".opblock").first.wait_for()
    summaries = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/v1/procurements/{reference}" in [text.replace("\u200b", "") for text in summaries]
    assert page.locator(".opblock").count() == 18
    headings = page.get_by_role("heading", level=1)
    assert headings.count() == 1 and headings.inner_text().startswith("PRIMAS API")
    assert refused == []
    assert_accessible(page)
    # An operation opened: its parameters, responses and their schemas.
    page.locator(".opblock-post .opblock-summary-control").first.click()
    page.locator(".opblock-post .responses-wrapper").first.wait_for()
    assert_accessible(page)
