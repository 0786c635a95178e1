"""What every assessment is read against, read and checked together once: the topics, each
shipped version of the questions with its scoring rules, and the KPI library.

`load_catalogue` is the one place these are set up. `create_app`, the command line and the test
fixtures call it and hand the result on; nothing reads the files behind a module global. It
raises DefinitionInvalid, listing every problem, so the service refuses to start on a bad file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from app.forms.definition import FormDefinition
from app.forms.loader import DEFINITIONS_DIR, latest_definition_in, shipped_definitions
from app.scoring.kpis import KpiLibrary, load_library
from app.scoring.rules import ScoringRules, shipped_rules
from app.scoring.topics import TopicCatalogue, load_topics

FormLibrary = Mapping[tuple[str, int], FormDefinition]
RulesLibrary = Mapping[tuple[str, int], ScoringRules]


@dataclass(frozen=True)
class Catalogue:
    """The topics, every form version (by form id and version) with its rules, and the KPIs."""

    topics: TopicCatalogue
    forms: FormLibrary
    rules: RulesLibrary
    kpis: KpiLibrary

    def definition(self, form_id: str, version: int) -> FormDefinition:
        """A version of a form (the one a draft was started on); KeyError if not shipped."""
        return self.forms[(form_id, version)]

    def latest(self, form_id: str) -> FormDefinition:
        """The newest version of a form, which new drafts start on."""
        return latest_definition_in(self.forms, form_id)

    def rules_for(self, definition: FormDefinition) -> ScoringRules:
        """The scoring rules beside a form version."""
        return self.rules[(definition.id, definition.version)]


def load_catalogue(forms_dir: Path = DEFINITIONS_DIR) -> Catalogue:
    """Read and check the topics, the forms and rules in `forms_dir`, and the KPI library."""
    topics = load_topics()
    forms = shipped_definitions(forms_dir, topics.topic_codes)
    rules = shipped_rules(forms_dir, forms.values(), topics.topic_codes)
    # The KPI library is written for the shipped versions, and checked against them even where
    # another directory of forms is served (as some tests do).
    shipped = forms if forms_dir == DEFINITIONS_DIR else None
    shipped = shipped or shipped_definitions(DEFINITIONS_DIR, topics.topic_codes)
    kpis = load_library(topics.topic_codes, shipped.values())
    return Catalogue(topics, forms, rules, kpis)
