"""The scoring engine's whole Result for four assessments, and the walk it scored, against a
stored snapshot.

Catches any change to a score, a priority, an obligation or a word of an explanation, or to
which questions show and how their answers read, such as one made by accident while making
the engine faster. When a change is meant (new rules, new wording), regenerate the snapshot
and review its diff:

    .venv/bin/python -m tests.unit.scoring.test_engine_snapshot
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from app.forms.definition import Question
from app.forms.journey import counted_answers, walk
from app.scoring.engine import score, score_walk
from app.scoring.topics import Theme, Topic
from tests.support.catalogue import shipped
from tests.support.scoring_cases import AS_OF, CASES, Case, form_and_rules, reference_data

SNAPSHOT = Path(__file__).parent / "snapshots" / "engine.json"


def plain(value: Any) -> Any:
    """A result as JSON data: every dataclass field; questions, topics and themes by id."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Question):
        return {"question": value.id}
    if isinstance(value, Topic | Theme):  # the catalogue's own, passed through
        return {type(value).__name__.lower(): value.code}
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {str(plain(key)): plain(item) for key, item in value.items()}
    if isinstance(value, tuple | list):
        return [plain(item) for item in value]
    return value


def walked(case: Case) -> Any:
    current = walk(form_and_rules()[0], case.context, case.answers)
    return {"shown": [q.id for q in current.shown], "parsed": plain(current.parsed)}


def scored(case: Case) -> Any:
    definition, rules = form_and_rules()
    result = score(definition, rules, case.context, case.answers, reference_data(),
                   topics=shipped().topics, as_of=AS_OF, overrides=case.overrides)  # fmt: skip
    data = plain(result)
    for theme, summary in zip(data["themes"], result.themes, strict=True):
        # A theme's rows are the topics' own rows: kept once, named here by topic.
        assert all(row in result.topics for row in summary.topics)
        theme["topics"] = [row.topic.code for row in summary.topics]
    return data


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_the_result_matches_the_snapshot(case: Case) -> None:
    expected = json.loads(SNAPSHOT.read_text(encoding="utf-8"))[case.name]
    assert walked(case) == expected["walk"]
    assert scored(case) == expected["result"]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_scoring_a_walk_gives_the_same_result(case: Case) -> None:
    # score() takes a shorter way (counted_answers) than the pages' walk + score_walk.
    definition, rules = form_and_rules()
    current = walk(definition, case.context, case.answers)
    assert counted_answers(definition, case.context, case.answers) == (
        current.shown_by_id,
        current.values,
    )
    whole = score(definition, rules, case.context, case.answers, reference_data(),
                  topics=shipped().topics, as_of=AS_OF, overrides=case.overrides)  # fmt: skip
    walked_then_scored = score_walk(rules, case.context, current, reference_data(), as_of=AS_OF,
                                    topics=shipped().topics, overrides=case.overrides)  # fmt: skip
    assert walked_then_scored == whole
    assert repr(walked_then_scored) == repr(whole)


def test_the_snapshot_holds_every_case() -> None:
    assert list(json.loads(SNAPSHOT.read_text(encoding="utf-8"))) == [c.name for c in CASES]


if __name__ == "__main__":
    snapshot = {case.name: {"walk": walked(case), "result": scored(case)} for case in CASES}
    SNAPSHOT.write_text(json.dumps(snapshot, indent=1, ensure_ascii=False) + "\n", "utf-8")
    print(f"wrote {SNAPSHOT}")
