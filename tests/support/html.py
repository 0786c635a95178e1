"""Reading HTML responses by parsing them, never by matching substrings."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Tag
from httpx2 import Response


def parse(response: Response) -> BeautifulSoup:
    """The response body parsed as HTML, after checking it is HTML."""
    assert response.headers["content-type"].startswith("text/html"), response.headers
    return BeautifulSoup(response.text, "html.parser")


def text_of(element: Tag | None) -> str:
    """An element's visible text with white space folded, or '' for None."""
    if element is None:
        return ""
    return re.sub(r"\s+", " ", element.get_text(" ")).strip()


def heading(page: BeautifulSoup) -> str:
    """The page's one h1."""
    headings = page.find_all("h1")
    assert len(headings) == 1, f"expected one h1, found {len(headings)}"
    return text_of(headings[0])


def form_values(form: Tag) -> dict[str, str | list[str]]:
    """What a browser would submit from this form as it stands (before any button's value)."""
    values: dict[str, str | list[str]] = {}

    def add(name: str, value: str) -> None:
        if name in values:
            existing = values[name]
            values[name] = (existing if isinstance(existing, list) else [existing]) + [value]
        else:
            values[name] = value

    for field in form.find_all(["input", "textarea", "select"]):
        name = field.get("name")
        if not name or field.name == "button" or field.get("type") in ("submit", "button"):
            continue
        if field.get("type") in ("radio", "checkbox"):
            if field.has_attr("checked"):
                add(name, field.get("value", "on"))
        elif field.name == "textarea":
            add(name, field.get_text())
        elif field.name == "select":
            chosen = field.find("option", selected=True) or field.find("option")
            add(name, chosen.get("value", "") if chosen else "")
        else:
            add(name, field.get("value", ""))
    return values


def error_summary_links(page: BeautifulSoup) -> list[tuple[str, str]]:
    """The error summary's messages with the fields they link to, in order."""
    summary = page.find(class_="govuk-error-summary")
    if not isinstance(summary, Tag):
        return []
    return [(text_of(a), str(a["href"])) for a in summary.find_all("a")]
