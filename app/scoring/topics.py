"""The sustainability topics PRIMAS scores, under the strategy's three themes (topics.yaml)."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

TOPICS_FILE = Path(__file__).parent / "data" / "topics.yaml"
CODE_PATTERN = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"


class Topic(BaseModel):
    """A sustainability topic (sub-theme) that gets its own risk, scope and priority."""

    model_config = ConfigDict(frozen=True)

    code: str = Field(pattern=CODE_PATTERN)
    name: str = Field(min_length=1)
    description: str = Field(min_length=1)


class Theme(BaseModel):
    """One of the Sustainable Procurement Strategy's three themes."""

    model_config = ConfigDict(frozen=True)

    code: str = Field(pattern=CODE_PATTERN)
    name: str = Field(min_length=1)
    description: str = Field(min_length=1)
    topics: tuple[Topic, ...] = Field(min_length=1)


class TopicCatalogue(BaseModel):
    """Every theme and topic, with lookups by code."""

    model_config = ConfigDict(frozen=True)

    themes: tuple[Theme, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _codes_unique(self) -> TopicCatalogue:
        codes = [theme.code for theme in self.themes] + [t.code for t in self.topics]
        duplicates = sorted({code for code in codes if codes.count(code) > 1})
        if duplicates:
            raise ValueError(f"duplicate theme or topic codes: {', '.join(duplicates)}")
        return self

    @property
    def topics(self) -> tuple[Topic, ...]:
        """Every topic, in theme order."""
        return tuple(topic for theme in self.themes for topic in theme.topics)

    @property
    def topic_codes(self) -> frozenset[str]:
        """The set of every topic code."""
        return frozenset(topic.code for topic in self.topics)

    def theme_of(self, topic_code: str) -> Theme:
        """The theme a topic belongs to; KeyError for an unknown topic."""
        for theme in self.themes:
            if any(topic.code == topic_code for topic in theme.topics):
                return theme
        raise KeyError(topic_code)


def parse_topics(text: str) -> TopicCatalogue:
    """A topic catalogue from YAML text, validated."""
    return TopicCatalogue.model_validate(yaml.safe_load(text))


def load_topics() -> TopicCatalogue:
    """The shipped topic catalogue (read through app.scoring.catalogue.load_catalogue)."""
    return parse_topics(TOPICS_FILE.read_text(encoding="utf-8"))
