"""The GOV.UK shell and the general pages, checked by parsing the HTML."""

from datetime import date

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.scoring.topics import load_topics
from app.timeutil import london_today
from tests.support.factories import make_reference_value
from tests.support.html import heading, parse, text_of


def test_home_page_explains_the_service(client: TestClient) -> None:
    page = parse(client.get("/"))
    assert heading(page) == "Procurement Impact Assessment (PRIMAS)"
    assert page.title is not None
    assert text_of(page.title) == "Procurement Impact Assessment - PRIMAS - Hackney Council"
    main = page.find("main")
    assert "£100,000 or more" in text_of(main)
    assert "Think Local" in text_of(main.find(class_="govuk-inset-text"))
    shown_topics = [text_of(li) for ul in main.select("ul.govuk-list--bullet") for li in ul("li")]
    assert shown_topics == [topic.name for topic in load_topics().topics]


def test_home_page_threshold_comes_from_reference_data(
    client: TestClient, session: Session
) -> None:
    make_reference_value(session, effective_from=london_today(), amount=12_500_000)
    # A value that takes effect in future is not in force yet.
    make_reference_value(session, effective_from=date(2099, 1, 1), amount=1)
    main = parse(client.get("/")).find("main")
    assert "£125,000 or more" in text_of(main)
    assert "£100,000" not in text_of(main)


def assert_shell(page: BeautifulSoup) -> None:
    """The layout every page shares."""
    assert page.html is not None and page.html["lang"] == "en-GB"
    body_links = page.body.find_all("a")
    assert body_links[0]["href"] == "#main-content"
    assert "govuk-skip-link" in body_links[0]["class"]
    assert page.find(id="main-content").name == "main"
    header = page.find("header")
    assert text_of(header.find(class_="govuk-generic-header")) == "Hackney Council"
    assert text_of(header.find(class_="govuk-service-navigation__service-name")) == "PRIMAS"
    # Not on GOV.UK: no crown, no GOV.UK logotype.
    assert not page.select(".govuk-header__logotype, .govuk-logo, .govuk-footer__crown")
    assert "GOV.UK" not in text_of(header)
    assert text_of(page.find(class_="govuk-phase-banner__content__tag")) == "Beta"
    footer = page.find("footer")
    assert footer.find("a", href="/accessibility") is not None
    assert "Crown copyright" not in text_of(footer)


def test_every_page_has_the_shell(client: TestClient) -> None:
    for path in ("/", "/accessibility", "/no-such-page"):
        assert_shell(parse(client.get(path)))


def test_accessibility_statement(client: TestClient) -> None:
    response = client.get("/accessibility")
    assert response.status_code == 200
    page = parse(response)
    assert heading(page) == "Accessibility statement for PRIMAS"
    subheadings = [text_of(h2) for h2 in page.find("main").find_all("h2")]
    assert "Enforcement procedure" in subheadings
    assert "Feedback and contact information" in subheadings
    assert "Web Content Accessibility Guidelines version 2.2" in text_of(page.find("main"))


def test_pages_load_only_our_own_scripts_and_styles(client: TestClient) -> None:
    page = parse(client.get("/"))
    sources = [script.get("src") for script in page.find_all("script")]
    assert sources == [None, "/static/htmx/htmx.min.js?v=0.1.0", "/static/js/primas.mjs?v=0.1.0"]
    stylesheets = [link["href"] for link in page.find_all("link", rel="stylesheet")]
    assert stylesheets == ["/static/css/primas.css?v=0.1.0"]
    for path in sources[1:] + stylesheets:
        assert client.get(path).status_code == 200


def test_no_inline_styles_or_event_handlers(client: TestClient) -> None:
    for path in ("/", "/accessibility"):
        page = parse(client.get(path))
        assert not page.find_all(style=True)
        assert not page.find_all("style")
        for element in page.find_all(True):
            assert not [name for name in element.attrs if name.startswith("on")], element.name


def test_htmx_is_configured_for_a_strict_csp(client: TestClient) -> None:
    import json

    meta = parse(client.get("/")).find("meta", attrs={"name": "htmx-config"})
    config = json.loads(meta["content"])
    assert config["includeIndicatorStyles"] is False
    assert config["allowEval"] is False
    assert {"code": "422", "swap": True} in config["responseHandling"]
