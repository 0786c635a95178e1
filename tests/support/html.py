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
