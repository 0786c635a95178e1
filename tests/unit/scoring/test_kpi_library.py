"""The KPI library: the shipped one loads and covers every topic and obligation; each named
problem is found in a small change to it, and all of them are reported at once."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
import yaml

from app.forms.loader import DefinitionInvalid
from app.scoring.kpis import (
    KPIS_PER_TOPIC,
    LIBRARY_FILE,
    OBLIGATIONS,
    PLACEHOLDERS,
    parse_library,
)
from app.scoring.topics import load_topics
from tests.support.catalogue import primas_definition, shipped

SHIPPED: dict[str, Any] = yaml.safe_load(LIBRARY_FILE.read_text(encoding="utf-8"))
TOPICS = load_topics().topic_codes
FORMS = tuple(shipped().forms.values())
Change = Callable[[dict[str, Any]], None]


def problems(*changes: Change, feeds: bool = False) -> list[tuple[str, str]]:
    """The problems the changed library has: those of its KPIs, and (with `feeds`) those of
    the newest questions' `feeds: [kpi]`, which a change to one KPI often brings too."""
    data = copy.deepcopy(SHIPPED)
    for change in changes:
        change(data)
    with pytest.raises(DefinitionInvalid) as invalid:
        parse_library(yaml.safe_dump(data, allow_unicode=True), "kpis.yaml", TOPICS, FORMS)
    return [(error.code, error.where) for error in invalid.value.errors
            if feeds or " question '" not in error.where]  # fmt: skip


def kpi(data: dict[str, Any], code: str) -> dict[str, Any]:
    return next(item for item in data["kpis"] if item["code"] == code)


def edit(code: str, **fields: Any) -> Change:
    return lambda data: kpi(data, code).update(fields)


def test_the_shipped_library_covers_every_topic_and_obligation() -> None:
    library = shipped().kpis
    for topic in TOPICS:
        assert len(library.for_topic(topic)) >= KPIS_PER_TOPIC, topic
    for obligation in OBLIGATIONS:
        assert library.for_obligation(obligation), obligation
    assert library.kpi("llw-staff-share").obligations == ("london-living-wage",)
    assert library.kpi("supply-chain-due-diligence").obligations == ("modern-slavery",)
    assert library.kpi("carbon-emissions-reported").obligations == ("carbon-reduction-plan",)


def test_every_clause_fills_in() -> None:
    values = dict.fromkeys(PLACEHOLDERS, "X")
    for item in shipped().kpis.kpis:
        text = item.clause.format(**values)
        assert "{" not in text and "}" not in text, item.code


def test_nothing_is_copied_from_the_national_toms() -> None:
    text = LIBRARY_FILE.read_text(encoding="utf-8")
    assert "Open Government Licence" in text
    assert "NT" + "1" not in text  # the TOMs' measure codes, such as NT1


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        pytest.param(lambda d: d["kpis"].append(copy.deepcopy(kpi(d, "waste-diverted"))),
                     ("duplicate-code", "kpi 'waste-diverted'"), id="duplicate-code"),
        pytest.param(edit("carbon-emissions-reduced", topic="weather"),  # carbon has 3
                     ("unknown-topic", "kpi 'carbon-emissions-reduced'"), id="unknown-topic"),
        pytest.param(edit("waste-diverted", outcome=5),
                     ("unknown-outcome", "kpi 'waste-diverted'"), id="unknown-outcome"),
        pytest.param(edit("waste-diverted", obligations=["recycling-act"]),
                     ("unknown-obligation", "kpi 'waste-diverted'"), id="unknown-obligation"),
        pytest.param(edit("waste-diverted", clause="Divert {target} {percent} of waste."),
                     ("unknown-placeholder", "kpi 'waste-diverted'"), id="unknown-placeholder"),
        pytest.param(edit("waste-diverted", clause="Divert {target of waste."),
                     ("bad-clause", "kpi 'waste-diverted'"), id="bad-clause"),
        pytest.param(edit("food-standards-met", target={"kind": "fixed",
                                                               "origin": "source"}),
                     ("bad-target", "kpi 'food-standards-met'"), id="target-without-value"),
        pytest.param(edit("waste-diverted", target={"kind": "fixed", "value": 70}),
                     ("bad-target", "kpi 'waste-diverted'"),
                     id="council-default-written-in-the-library"),
        pytest.param(lambda data: kpi(data, "waste-diverted").update(code="waste-diverted-again"),
                     ("no-reference-key", "kpi 'waste-diverted-again'"),
                     id="council-default-without-a-reference-key"),
        pytest.param(edit("waste-diverted", unit="tonnes of waste"),
                     ("no-reference-key", "kpi 'waste-diverted'"),
                     id="council-default-in-another-unit"),
        pytest.param(edit("delivery-trips", target={"kind": "baseline", "value": 3,
                                                    "fallback": "no more trips."}),
                     ("bad-target", "kpi 'delivery-trips'"), id="baseline-with-value"),
        pytest.param(edit("delivery-trips", target={"kind": "baseline"}),
                     ("bad-target", "kpi 'delivery-trips'"), id="baseline-without-fallback"),
        pytest.param(edit("biodiversity-actions", clause="The Supplier shall complete "
                          "{target} {unit} over {contract_title}, reporting {frequency}."),
                     ("per-year-clause", "kpi 'biodiversity-actions'"), id="per-year-clause"),
        pytest.param(edit("waste-diverted", needs_obligations=["recycling-act"]),
                     ("unknown-obligation", "kpi 'waste-diverted'"),
                     id="unknown-needed-obligation"),
        pytest.param(edit("waste-diverted", suggest_if={"question": "lots", "equals": "yes"}),
                     ("bad-kpi", "kpi 'waste-diverted'"), id="suggested-without-a-reason"),
        pytest.param(lambda d: d["withdrawn"].append({"code": "waste-diverted", "title": "W",
                                                      "reason": "Gone."}),
                     ("duplicate-code", "withdrawn kpi 'waste-diverted'"),
                     id="withdrawn-code-in-use"),
        pytest.param(edit("secure-contracts", target={"kind": "workforce_share", "value": 120}),
                     ("bad-target", "kpi 'secure-contracts'"), id="share-over-100"),
        pytest.param(edit("waste-diverted", target={"kind": "fixed", "value": 0}),
                     ("bad-target", "kpi 'waste-diverted'"), id="zero-target"),
        pytest.param(edit("waste-diverted", target={"kind": "fixed", "value": 101}),
                     ("bad-target", "kpi 'waste-diverted'"), id="percentage-over-100"),
        pytest.param(edit("apprenticeship-weeks", target={"kind": "per_million", "value": 52}),
                     ("bad-target", "kpi 'apprenticeship-weeks'"), id="no-minimum"),
        pytest.param(edit("apprenticeship-weeks",
                          target={"kind": "per_million", "value": 52, "minimum": 0}),
                     ("bad-target", "kpi 'apprenticeship-weeks'"), id="zero-minimum"),
        pytest.param(lambda d: d["kpis"].remove(kpi(d, "biodiversity-actions")),
                     ("too-few-kpis", "topic 'nature-pollution'"), id="too-few-kpis"),
        pytest.param(edit("llw-staff-share", obligations=[]),
                     ("no-kpi-for-obligation", "obligation 'london-living-wage'"),
                     id="no-kpi-for-obligation"),
    ],
)  # fmt: skip
def test_each_named_problem(change: Change, expected: tuple[str, str]) -> None:
    assert problems(change) == [expected]


def test_structure_is_checked() -> None:
    found = problems(edit("waste-diverted", frequency="fortnightly", colour="green"))
    assert {code for code, _ in found} == {"invalid-structure"} and len(found) == 2


def test_every_problem_is_reported_at_once() -> None:
    found = problems(
        edit("less-harmful-products", topic="weather"), edit("llw-staff-share", outcome=5)
    )
    assert found == [
        ("unknown-topic", "kpi 'less-harmful-products'"),
        ("unknown-outcome", "kpi 'llw-staff-share'"),
        ("too-few-kpis", "topic 'nature-pollution'"),
    ]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        pytest.param(edit("jobs-for-people-furthest-from-work", target={
            "kind": "per_million", "value": 1, "minimum": 1, "origin": "source",
            "cap": {"question": "new_jobs", "answers": {"loads": 10}, "reason": "too many"}}),
                     [("unknown-option", "kpi 'jobs-for-people-furthest-from-work' (against "
                       f"primas v{v}) cap") for v in (1, 2, 3)],
                     id="a-cap-on-an-answer-the-question-does-not-offer"),
        # A question the newest version does not ask is a problem (a misspelt id).
        pytest.param(edit("waste-diverted", relevant_if={"question": "recycling_rat",
                                                         "answered": True}),
                     [("unknown-question", "kpi 'waste-diverted' (against primas v3) "
                       "relevant_if")],
                     id="a-question-no-version-asks"),
        pytest.param(edit("waste-diverted", relevant_if={"question": "food_provided",
                                                         "equals": "maybe"}),
                     [("unknown-option", f"kpi 'waste-diverted' (against primas v{v}) "
                       "relevant_if") for v in (1, 2, 3)],
                     id="an-answer-no-version-offers"),
        pytest.param(edit("apprenticeship-weeks", target={
            "kind": "per_million", "from_answer": "lots"}),
                     [("unknown-question", f"kpi 'apprenticeship-weeks' (against primas v{v}) "
                       "from_answer") for v in (1, 2, 3)],
                     id="a-target-from-a-question-that-is-not-a-number"),
        pytest.param(edit("apprenticeship-weeks", target={
            "kind": "per_million", "from_answer": "sites"}),
                     [("not-fed", f"kpi 'apprenticeship-weeks' (against primas v{v}) "
                       "from_answer") for v in (1, 2, 3)],
                     id="a-target-from-an-answer-that-does-not-feed-kpis"),
    ],
)  # fmt: skip
def test_conditions_and_answers_are_checked_against_every_shipped_version(
    change: Change, expected: list[tuple[str, str]]
) -> None:
    assert problems(change) == expected


def test_a_question_only_the_newest_version_asks_reads_as_unanswered_in_older_ones() -> None:
    """Care travel time reads `care_in_homes`, which version 1 never asked: the library loads,
    and on a version 1 draft the condition reads it as unanswered (tests/unit/scoring/
    test_kpi_fit.py holds what that offers)."""

    assert "care_in_homes" not in {q.id for q in primas_definition(1).questions}
    travel = shipped().kpis.kpi("care-travel-time-paid")
    assert travel.relevant_if is not None
    from app.scoring.kpis import questions_read

    assert "care_in_homes" in questions_read(travel)


def test_the_service_refuses_to_start_on_a_bad_library(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app import main
    from app.scoring import kpis
    from app.settings import Settings
    from tests.conftest import TEST_SECRET_KEY

    bad = copy.deepcopy(SHIPPED)
    kpi(bad, "waste-diverted")["topic"] = "weather"
    path = tmp_path / "kpis.yaml"
    path.write_text(yaml.safe_dump(bad, allow_unicode=True), encoding="utf-8")
    monkeypatch.setattr(kpis, "LIBRARY_FILE", path)
    settings = Settings(env="test", database_url=f"sqlite:///{tmp_path}/x.db",
                        secret_key=TEST_SECRET_KEY)  # fmt: skip
    with pytest.raises(DefinitionInvalid, match="unknown-topic"):
        main.create_app(settings)


def test_check_forms_checks_the_library() -> None:
    from click.testing import CliRunner

    from app.cli import main

    result = CliRunner().invoke(main, ["check-forms"])
    assert result.exit_code == 0
    assert "kpis.yaml: ok" in result.output


def test_feeds_kpi_is_true_both_ways_in_the_newest_questions() -> None:
    """A question of the newest version that says it feeds a KPI is read by one, and one a KPI
    reads says so (older versions are frozen as shipped)."""
    unread = problems(
        edit("waste-diverted", relevant_if=None),
        edit("construction-waste-diverted", relevant_if=None),
        feeds=True,
    )
    assert ("feeds-nothing", "primas v3 question 'waste_generated'") in unread
    undeclared = problems(
        edit("waste-diverted", relevant_if={"question": "lots", "equals": "yes"}), feeds=True
    )
    assert ("not-fed", "primas v3 question 'lots'") in undeclared
    assert not any(where.startswith(("primas v1", "primas v2")) for _, where in undeclared)
