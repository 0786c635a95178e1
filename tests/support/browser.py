"""Browser checks: axe-core accessibility scans and watching a page for CSP violations."""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import ConsoleMessage, Page, Response

AXE_SOURCE = (Path(__file__).parent.parent / "browser" / "vendor" / "axe.min.js").read_text()
ASSET_TYPES = frozenset({"stylesheet", "script", "image", "font", "media"})
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
    # Chromium shares rendered pages through /dev/shm, which containers often keep tiny (64 MB):
    # when it fills, renderers stall. Temporary files are slower but always there.
    "--disable-dev-shm-usage",
]
LAUNCH_TIMEOUT_MS = 60_000
AXE_TIMEOUT_MS = 30_000
# Records CSP violations in the page itself; Playwright's init scripts are not subject to CSP.
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI}`);
});
"""


# Pages opened with JavaScript off; axe cannot run in them (it needs timers), see below.
_pages_without_js: weakref.WeakSet[Page] = weakref.WeakSet()
_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.DOTALL | re.IGNORECASE)


@dataclass
class PageWatch:
    """What went wrong on a page while a test drove it."""

    javascript: bool
    csp_messages: list[str] = field(default_factory=list)
    failed_responses: list[str] = field(default_factory=list)
    requested_urls: list[str] = field(default_factory=list)

    def attach(self, page: Page) -> None:
        """Listen to the page's console, requests and responses."""
        if not self.javascript:
            _pages_without_js.add(page)
        page.on("console", self._on_console)
        page.on("request", lambda request: self.requested_urls.append(request.url))
        page.on("response", self._on_response)

    def _on_console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            self.csp_messages.append(message.text)

    def _on_response(self, response: Response) -> None:
        # A page's own assets must load; pages and htmx calls may answer errors on purpose.
        if response.status >= 400 and response.request.resource_type in ASSET_TYPES:
            self.failed_responses.append(f"{response.status} {response.url}")

    def violations(self, page: Page) -> list[str]:
        """Every CSP violation seen, from the page's own events and from the console."""
        seen = list(self.csp_messages)
        if self.javascript and not page.is_closed():
            seen += page.evaluate("window.__cspViolations || []")
        return seen


def assert_accessible(page: Page, *, url: str | None = None) -> dict[str, Any]:
    """Run axe-core on the page as it is now: no violations, and some rules really passed."""
    if url is not None:
        assert page.url == url, f"expected to be on {url}, but on {page.url}"
    if page in _pages_without_js:
        return _scan_rendered_without_js(page)
    return _scan(page)


def _scan_rendered_without_js(page: Page) -> dict[str, Any]:
    # axe needs JavaScript timers, which a JavaScript-off page cannot run. So the DOM exactly as
    # the JavaScript-off user got it is served again, at the same URL and without its scripts,
    # to a scanning page that can run axe, with the same stylesheets for colour contrast.
    html = _SCRIPT.sub("", page.content())
    browser = page.context.browser
    assert browser is not None
    context = browser.new_context(locale="en-GB")
    try:
        scanner = context.new_page()
        scanner.route(
            page.url,
            lambda route: route.fulfill(
                status=200, content_type="text/html; charset=utf-8", body=html
            ),
        )
        scanner.goto(page.url)
        return _scan(scanner)
    finally:
        context.close()


AXE_RUN = """
async ([tags, timeout]) => {
  // page.evaluate has no timeout of its own: fail with a reason rather than wait for ever.
  const late = new Promise((_, reject) => setTimeout(
    () => reject(new Error(`axe did not finish within ${timeout} ms`)), timeout));
  const results = await Promise.race([
    axe.run(document, {runOnly: {type: 'tag', values: tags}}), late]);
  return {
    violations: results.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      targets: v.nodes.map((node) => node.target.join(' ')),
    })),
    passes: results.passes.map((rule) => rule.id),
  };
}
"""


def _scan(page: Page) -> dict[str, Any]:
    # A page in a background tab gets no animation frames, and axe waits for them: without this,
    # a test that opened a second tab could wait for ever.
    page.bring_to_front()
    page.evaluate(AXE_SOURCE)
    results: dict[str, Any] = page.evaluate(AXE_RUN, [AXE_TAGS, AXE_TIMEOUT_MS])
    violations = [
        f"{v['id']} ({v['impact']}): {v['help']} at {', '.join(v['targets'])}"
        for v in results["violations"]
    ]
    assert not violations, f"axe found problems on {page.url}:\n" + "\n".join(violations)
    assert results["passes"], f"axe passed no rules on {page.url}: it did not really run"
    return results


def sideways_scroll(page: Page) -> int:
    """How many CSS pixels the page is wider than the window (0: it reflows)."""
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


def sign_in(page: Page, base_url: str, email: str, password: str) -> None:
    """Sign in through the sign-in page, as a person would."""
    page.goto(base_url + "/sign-in")
    page.fill("#email", email)
    page.fill("#password", password)
    # Wait for the answer to load: closing a page while a navigation commits can hang Chromium
    # for ever (crbug.com/536385539), and the next step should see the new page anyway.
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def close_tab(page: Page) -> None:
    """Close a tab without waiting for Chromium to confirm it, which it may never do when the
    close meets a navigation (crbug.com/536385539); the context's close tidies up after."""
    page.wait_for_load_state()
    page.close(run_before_unload=True)
