"""The topic catalogue: the strategy's three themes and the topics scored under them."""

import pytest
from pydantic import ValidationError

from app.scoring.topics import load_topics, parse_topics

EXPECTED_TOPICS = {
    "green": [
        "carbon-energy",
        "waste-circular",
        "transport-air",
        "materials-food",
        "nature-pollution",
    ],
    "society": [
        "employment-skills",
        "local-supply-chain",
        "community-wellbeing",
        "equality-inclusion",
    ],
    "fair-delivery": ["fair-pay-work", "modern-slavery"],
}


def test_shipped_topics_follow_the_strategy_themes() -> None:
    catalogue = load_topics()
    assert [theme.name for theme in catalogue.themes] == [
        "Procuring Green",
        "Procuring for a Better Society",
        "Procuring for Fair Delivery",
    ]
    assert {
        theme.code: [topic.code for topic in theme.topics] for theme in catalogue.themes
    } == EXPECTED_TOPICS
    assert catalogue.theme_of("modern-slavery").code == "fair-delivery"


def test_duplicate_codes_are_refused() -> None:
    text = """
themes:
  - code: green
    name: Green
    description: d
    topics:
      - {code: carbon, name: Carbon, description: d}
      - {code: carbon, name: Carbon again, description: d}
"""
    with pytest.raises(ValidationError, match="duplicate theme or topic codes: carbon"):
        parse_topics(text)


def test_a_theme_without_topics_is_refused() -> None:
    with pytest.raises(ValidationError):
        parse_topics("themes:\n  - {code: green, name: Green, description: d, topics: []}\n")


def test_unknown_topic_has_no_theme() -> None:
    with pytest.raises(KeyError):
        load_topics().theme_of("astrology")
