"""Loading scoring rules: the shipped rules load, every named error, all reported at once.

Each bad case is the shipped primas-v1 rules with one small change made to the YAML data.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.forms.loader import DEFINITIONS_DIR, DefinitionInvalid
from app.main import create_app
from app.scoring.rules import parse_rules, rules_path, shipped_rules
from app.scoring.topics import load_topics
from app.settings import Settings
from tests.conftest import TEST_SECRET_KEY
from tests.support.catalogue import shipped
from tests.unit.scoring.inputs import DEFINITION, RULES_FILE

SHIPPED: dict[str, Any] = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
TOPICS = load_topics().topic_codes
Change = Callable[[dict[str, Any]], None]


def changed(*changes: Change) -> str:
    """The shipped rules as YAML text, with the changes made."""
    data = copy.deepcopy(SHIPPED)
    for change in changes:
        change(data)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def problems(*changes: Change) -> list[tuple[str, str]]:
    with pytest.raises(DefinitionInvalid) as invalid:
        parse_rules(changed(*changes), "test.scoring.yaml", DEFINITION, TOPICS)
    return [(error.code, error.where) for error in invalid.value.errors]


def at(data: dict[str, Any], topic: str, measure: str, question: str) -> dict[str, Any]:
    """The answer rule for `question` in a topic's risk or scope, inside a factor or not."""
    for item in data["topics"][topic][measure]:
        for answer_rule in item.get("rules", [item]):
            if answer_rule["question"] == question:
                return answer_rule
    raise KeyError(question)


def remove(data: dict[str, Any], topic: str, measure: str, question: str) -> None:
    """Take a question's rule out of a topic (a factor left empty goes too)."""
    kept = []
    for item in data["topics"][topic][measure]:
        if "rules" in item:
            item["rules"] = [r for r in item["rules"] if r["question"] != question]
            if item["rules"]:
                kept.append(item)
        elif item["question"] != question:
            kept.append(item)
    data["topics"][topic][measure] = kept


def add(topic: str, measure: str, new_rule: dict[str, Any]) -> Change:
    return lambda data: data["topics"][topic][measure].append(new_rule)


def set_order(question: str, order: Any) -> Change:
    return lambda data: data["order"].__setitem__(question, order)


def set_points(topic: str, measure: str, question: str, **fields: Any) -> Change:
    def change(data: dict[str, Any]) -> None:
        target = at(data, topic, measure, question)
        target.pop("points", None)
        target.pop("bands", None)
        target.update(fields)

    return change


def test_the_shipped_rules_load_for_every_shipped_form_version() -> None:
    forms = shipped().forms
    library = shipped_rules(DEFINITIONS_DIR, forms.values(), shipped().topics.topic_codes)
    assert set(library) == set(forms)
    for (form, version), rules in library.items():
        assert (rules.form, rules.version) == (form, version)
        assert rules.topics.keys() == TOPICS
        assert rules_path(DEFINITIONS_DIR, forms[(form, version)]).exists()


def test_unchanged_shipped_rules_parse_from_dumped_yaml() -> None:
    # The bad cases below are dumped the same way, so a failure there is the change's doing.
    dumped = parse_rules(changed(), "test.scoring.yaml", DEFINITION, TOPICS)
    shipped = parse_rules(RULES_FILE.read_text(encoding="utf-8"), "x", DEFINITION, TOPICS)
    assert dumped.model_dump() == shipped.model_dump()


FAIR = "topics.fair-pay-work.risk"
CARBON = "topics.carbon-energy.risk"
EMPLOYMENT = "topics.employment-skills.risk"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        pytest.param(lambda d: d["order"].pop("agency_labour"),
                     ("no-risk-order", "order.agency_labour"), id="no-risk-order"),
        pytest.param(set_order("workforce_size", ["few", "many"]),
                     ("bad-order", "order.workforce_size"), id="bad-order-number-not-larger"),
        pytest.param(set_order("agency_labour", "larger"),
                     ("bad-order", "order.agency_labour"), id="bad-order-choice-larger"),
        pytest.param(set_order("subcontracting", ["none", "some", "most"]),
                     ("bad-order", "order.subcontracting"), id="bad-order-option-missing"),
        pytest.param(set_order("agency_labour", ["no", "not-known", "yes", "maybe"]),
                     ("bad-order", "order.agency_labour"), id="bad-order-option-unknown"),
        pytest.param(set_order("agency_labour", ["yes", "not-known", "no"]),
                     ("risk-order", f"{FAIR}: question 'agency_labour'"),
                     id="risk-order-order-reversed"),
        pytest.param(set_points("carbon-energy", "risk", "energy_use", points={"little": 1}),
                     ("risk-order", f"{CARBON}: question 'energy_use'"),
                     id="risk-order-points-fall"),
        pytest.param(set_points("employment-skills", "risk", "workforce_size",
                                bands=[{"at_least": 10, "points": 1},
                                       {"at_least": 50, "points": 0}]),
                     ("risk-order", f"{EMPLOYMENT}: question 'workforce_size'"),
                     id="risk-order-bands-fall"),
        pytest.param(add("carbon-energy", "risk", {"question": "agency_labour",
                                                   "points": {"yes": 1}}),
                     ("not-fed", f"{CARBON}: question 'agency_labour'"), id="not-fed"),
        pytest.param(lambda d: remove(d, "carbon-energy", "risk", "energy_use"),
                     ("unscored-feed", "question 'energy_use'"), id="unscored-feed"),
        pytest.param(add("carbon-energy", "risk", {"question": "no_such", "points": {"yes": 1}}),
                     ("unknown-question", f"{CARBON}: question 'no_such'"),
                     id="unknown-question-in-a-rule"),
        pytest.param(set_order("no_such", ["no", "yes"]),
                     ("unknown-question", "order.no_such"), id="unknown-question-in-the-order"),
        pytest.param(lambda d: d["obligations"]["london_living_wage"].update(on_premises="on_site"),
                     ("unknown-question", "obligations.london_living_wage.on_premises"),
                     id="unknown-question-for-an-obligation"),
        pytest.param(set_points("carbon-energy", "risk", "energy_use", points={"lots": 1}),
                     ("unknown-option", f"{CARBON}: question 'energy_use'"), id="unknown-option"),
        pytest.param(set_points("employment-skills", "risk", "workforce_size", points={"50": 1}),
                     ("bad-rule", f"{EMPLOYMENT}: question 'workforce_size'"),
                     id="bad-rule-number-with-points"),
        pytest.param(set_points("employment-skills", "risk", "workforce_size",
                                bands=[{"at_least": 50, "points": 1},
                                       {"at_least": 20, "points": 1}]),
                     ("bad-rule", f"{EMPLOYMENT}: question 'workforce_size'"),
                     id="bad-rule-bands-not-rising"),
        pytest.param(set_points("carbon-energy", "risk", "energy_use",
                                bands=[{"at_least": 1, "points": 1}]),
                     ("bad-rule", f"{CARBON}: question 'energy_use'"),
                     id="bad-rule-choice-with-bands"),
        pytest.param(set_points("carbon-energy", "risk", "energy_use", points={"a-lot": 4}),
                     ("bad-rule", f"{CARBON}: question 'energy_use'"),
                     id="bad-rule-points-over-3"),
        pytest.param(add("modern-slavery", "risk", {"question": "mitigation_actions",
                                                    "points": {"yes": 1}}),
                     ("unscorable-question", "topics.modern-slavery.risk: question "
                      "'mitigation_actions'"), id="unscorable-question"),
        pytest.param(lambda d: d["topics"].pop("community-wellbeing"),
                     ("missing-topic", "topics.community-wellbeing"), id="missing-topic"),
        pytest.param(lambda d: d["topics"].__setitem__("no-such-topic", {}),
                     ("unknown-topic", "topics.no-such-topic"), id="unknown-topic"),
        pytest.param(lambda d: d.update(version=2), ("wrong-form", "form"),
                     id="wrong-form-version"),
        pytest.param(lambda d: d.update(form="other"), ("wrong-form", "form"), id="wrong-form-id"),
        pytest.param(lambda d: d["influence"].update(point=1),
                     ("invalid-structure", "influence.point"), id="invalid-structure-misspelt"),
    ],
)  # fmt: skip
def test_each_named_error(change: Change, expected: tuple[str, str]) -> None:
    assert expected in problems(change)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        pytest.param(lambda d: d["priority"].pop(3), ("incomplete-table", "priority"),
                     id="priority-without-risk-3"),
        pytest.param(lambda d: d["overall"].pop(5), ("incomplete-table", "overall"),
                     id="overall-without-band-5"),
        pytest.param(lambda d: d["relevance_points"].pop(3),
                     ("incomplete-table", "relevance_points"), id="relevance-without-3"),
        pytest.param(lambda d: d["industry_points"].pop("high"),
                     ("incomplete-table", "industry_points"), id="industry-without-high"),
    ],
)  # fmt: skip
def test_a_table_with_a_row_missing_is_refused(change: Change, expected: tuple[str, str]) -> None:
    assert problems(change) == [expected]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        pytest.param(lambda d: d["obligations"]["modern_slavery"].update(topic="no-such-topic"),
                     ("unknown-topic", "obligations.modern_slavery.topic"),
                     id="modern-slavery-topic-unknown"),
        pytest.param(lambda d: d["obligations"]["london_living_wage"].update(
                     hours_per_day="staff_on_premises"),
                     ("wrong-type", "obligations.london_living_wage.hours_per_day"),
                     id="hours-per-day-not-a-number"),
        pytest.param(lambda d: d["obligations"]["modern_slavery"].update(mitigation="lots"),
                     ("wrong-type", "obligations.modern_slavery.mitigation"),
                     id="mitigation-not-a-group"),
        pytest.param(lambda d: d["obligations"]["modern_slavery"].update(high_from_risk=2),
                     ("bad-rule", "obligations.modern_slavery"), id="high-not-above-medium"),
    ],
)  # fmt: skip
def test_the_obligations_settings_are_checked_against_the_form(
    change: Change, expected: tuple[str, str]
) -> None:
    assert problems(change) == [expected]


def test_not_known_must_score_at_least_any_option_of_a_multiple_choice() -> None:
    # "Not known yet" cannot be picked with other options, so it is the riskier case only if it
    # scores at least as much as any of them.
    lower = set_points("modern-slavery", "risk", "workforce_risk",
                       points={"migrant": 2, "not-known": 1})  # fmt: skip
    assert problems(lower) == [
        ("risk-order", "topics.modern-slavery.risk: question 'workforce_risk'")
    ]


def test_scope_points_may_fall_along_the_risk_order() -> None:
    # Only risk must never fall: a riskier answer may leave less scope to improve.
    falling = set_points(
        "fair-pay-work",
        "scope",
        "workforce_size",
        bands=[{"at_least": 10, "points": 2}, {"at_least": 50, "points": 1}],
    )
    parse_rules(changed(falling), "test.scoring.yaml", DEFINITION, TOPICS)


def test_every_problem_is_reported_at_once() -> None:
    found = problems(
        lambda d: d["order"].pop("agency_labour"),
        set_points("carbon-energy", "risk", "energy_use", points={"little": 1}),
        add("waste-circular", "risk", {"question": "agency_labour", "points": {"yes": 1}}),
        set_points("transport-air", "scope", "fleet_emissions", points={"electric": 1}),
        lambda d: d["topics"].__setitem__("no-such-topic", {}),
        lambda d: d.update(version=2),
    )
    assert {code for code, _ in found} >= {
        "no-risk-order", "risk-order", "not-fed", "unknown-option", "unknown-topic", "wrong-form",
    }  # fmt: skip
    assert len(found) >= 6


def test_invalid_yaml() -> None:
    with pytest.raises(DefinitionInvalid) as invalid:
        parse_rules("form: [primas", "bad.scoring.yaml", DEFINITION, TOPICS)
    assert [error.code for error in invalid.value.errors] == ["invalid-yaml"]


def _shipped_form_in(directory: Path) -> None:
    name = f"{DEFINITION.id}-v{DEFINITION.version}.yaml"
    (directory / name).write_text((DEFINITIONS_DIR / name).read_text(encoding="utf-8"))


def test_a_form_version_without_rules_is_refused(tmp_path: Path) -> None:
    _shipped_form_in(tmp_path)
    with pytest.raises(DefinitionInvalid) as invalid:
        shipped_rules(tmp_path, [DEFINITION], shipped().topics.topic_codes)
    assert [(e.code, e.where) for e in invalid.value.errors] == [
        ("missing-rules", "primas-v1.scoring.yaml")
    ]


def test_a_bad_rules_file_is_refused_with_every_problem(tmp_path: Path) -> None:
    _shipped_form_in(tmp_path)
    text = changed(lambda d: d["order"].pop("agency_labour"), lambda d: d.update(version=2))
    rules_path(tmp_path, DEFINITION).write_text(text, encoding="utf-8")
    with pytest.raises(DefinitionInvalid) as invalid:
        shipped_rules(tmp_path, [DEFINITION], shipped().topics.topic_codes)
    assert {error.code for error in invalid.value.errors} == {"no-risk-order", "wrong-form"}
    assert str(tmp_path) in str(invalid.value)


# The service refuses to start on missing or bad rules (app/main.py) ---------------------


def _settings(forms_dir: Path) -> Settings:
    # The database is never opened: create_app fails (or not) before it is used.
    return Settings(
        env="test",
        database_url=f"sqlite:///{forms_dir / 'unused.db'}",
        secret_key=TEST_SECRET_KEY,
        forms_dir=forms_dir,
    )


def test_the_service_starts_with_good_rules(tmp_path: Path) -> None:
    _shipped_form_in(tmp_path)
    rules_path(tmp_path, DEFINITION).write_text(changed(), encoding="utf-8")
    app = create_app(_settings(tmp_path))
    assert set(app.state.catalogue.rules) == {("primas", 1)}
    app.state.engine.dispose()


def test_the_service_refuses_to_start_without_rules(tmp_path: Path) -> None:
    _shipped_form_in(tmp_path)
    with pytest.raises(DefinitionInvalid) as invalid:
        create_app(_settings(tmp_path))
    assert [error.code for error in invalid.value.errors] == ["missing-rules"]


def test_the_service_refuses_to_start_with_bad_rules(tmp_path: Path) -> None:
    _shipped_form_in(tmp_path)
    bad = changed(lambda d: d["order"].pop("agency_labour"))
    rules_path(tmp_path, DEFINITION).write_text(bad, encoding="utf-8")
    with pytest.raises(DefinitionInvalid) as invalid:
        create_app(_settings(tmp_path))
    assert [(e.code, e.where) for e in invalid.value.errors] == [
        ("no-risk-order", "order.agency_labour")
    ]
