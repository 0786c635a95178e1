"""The shipped catalogue (topics, forms, rules, KPI library) for tests, set up as create_app
sets it up (audit log on), once per test run."""

from __future__ import annotations

from functools import cache

from app.forms.definition import FormDefinition
from app.scoring.catalogue import Catalogue
from app.scoring.rules import ScoringRules
from app.services.startup import start


@cache
def shipped() -> Catalogue:
    """What `create_app` reads, read once for the whole run."""
    return start()


def primas_definition(version: int) -> FormDefinition:
    """A shipped version of the PRIMAS questions."""
    return shipped().definition("primas", version)


def primas_rules(version: int) -> ScoringRules:
    """The scoring rules beside a shipped version of the PRIMAS questions."""
    return shipped().rules[("primas", version)]
