"""Priorities that prioritise. With ordinary answers (tests/support/calibration.py), version 2's
rules made nearly every topic high for a large contract. Version 3 counts spend once (in the
overall rating, not as scope on every topic), scores a category's low and medium relevance
differently, and asks both a high risk and real scope to improve for a high priority. This test
records how many topics each procurement has at each priority, holds the median number of high
topics at 4 or fewer, and names each high priority the answers justify, which must stay high.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import replace

import pytest

from app.scoring.engine import Result, score
from app.scoring.reference_data import ReferenceData
from tests.support.calibration import CASES, Procurement
from tests.support.catalogue import primas_definition, shipped
from tests.unit.scoring.inputs import AS_OF, SEEDED, context

RULES = shipped().rules
REFERENCE = ReferenceData(SEEDED)


def scored(case: Procurement, version: int = 3) -> Result:
    return score(primas_definition(version), RULES[("primas", version)],
                 context(case.category, **case.facts), case.answers, REFERENCE,
                 topics=shipped().topics, as_of=AS_OF)  # fmt: skip


def counts(result: Result) -> tuple[int, int, int, int]:
    """How many topics are high, medium, low and not applicable."""
    found = Counter(row.priority.value for row in result.topics)
    return found["high"], found["medium"], found["low"], found["not-applicable"]


# (high, medium, low, not applicable) for each procurement, and version 2's highs beside them.
RECORDED = {
    "£8m housing repairs": ((6, 3, 2, 0), 9),
    "£30m waste collection": ((6, 2, 2, 1), 7),
    "£12m home care": ((4, 3, 1, 3), 7),
    "£2.4m school catering": ((4, 4, 3, 0), 7),
    "£450k laptops": ((2, 2, 3, 4), 4),
    "£600k office cleaning": ((2, 4, 4, 1), 2),
    "£150k consultancy": ((0, 0, 5, 6), 0),  # modern slavery is never below low
    "£3m grounds maintenance": ((4, 3, 4, 0), 6),
}


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_each_procurement_s_priorities_are_as_recorded(case: Procurement) -> None:
    now, before = RECORDED[case.name]
    assert counts(scored(case)) == now
    assert counts(scored(case, version=2))[0] == before


def test_the_median_number_of_high_topics_is_4_or_fewer() -> None:
    highs = [counts(scored(case))[0] for case in CASES]
    assert statistics.median(highs) <= 4
    assert statistics.median(counts(scored(case, version=2))[0] for case in CASES) > 4


@pytest.mark.parametrize(
    ("case", "topic"),
    [(case, topic) for case in CASES for topic in case.justified_high],
    ids=lambda value: value if isinstance(value, str) else value.name,
)
def test_a_high_priority_the_answers_justify_stays_high(case: Procurement, topic: str) -> None:
    row = scored(case).topic(topic)
    assert row.priority.value == "high", f"{case.name}, {topic}: {case.justified_high[topic]}"


def test_the_results_name_the_three_topics_to_focus_on() -> None:
    """Ranked by risk and scope, ties broken by the topic's relevance to the category."""
    cleaning = scored(next(case for case in CASES if case.name == "£600k office cleaning"))
    assert [row.topic.code for row in cleaning.focus] == [
        "modern-slavery", "fair-pay-work", "employment-skills",
    ]  # fmt: skip
    ranks = [(row.priority.rank, row.risk.value, row.scope.value) for row in cleaning.focus]
    assert ranks == sorted(ranks, reverse=True)
    consultancy = scored(next(case for case in CASES if case.name == "£150k consultancy"))
    assert len(consultancy.focus) == 3  # low priorities still name where to look first
    assert all(row.priority.value != "not-applicable" for row in consultancy.focus)


@pytest.mark.parametrize("version", [1, 2, 3])
@pytest.mark.parametrize("promise", ["carbon_plan_requested", "whole_life_costing",
                                     "equality_data", "msat"])  # fmt: skip
def test_a_promise_changes_no_score_in_any_version(version: int, promise: str) -> None:
    """What the council will ask of bidders is not a fact about the contract: "yes" and "no"
    score the same, on every version (a "yes" becomes a requirement instead)."""
    for case in CASES:
        scores = {}
        for answer in ("yes", "no"):
            answered = replace(case, answers=case.answers | {promise: answer})
            rows = scored(answered, version=version).topics
            scores[answer] = [(row.topic.code, row.risk.value, row.scope.value) for row in rows]
        assert scores["yes"] == scores["no"], case.name
