"""Loading definitions: every named error, all reported at once, and the shipped forms load."""

import textwrap

import pytest

from app.forms.loader import DefinitionInvalid, definition_files, parse_definition
from app.scoring.topics import load_topics

TOPICS = load_topics().topic_codes


def load(body: str):  # type: ignore[no-untyped-def]
    header = "id: primas\nversion: 1\ntitle: PRIMAS\n"
    return parse_definition(header + textwrap.dedent(body), "test.yaml", TOPICS)


def problems(body: str) -> list[tuple[str, str]]:
    with pytest.raises(DefinitionInvalid) as invalid:
        load(body)
    return [(error.code, error.where) for error in invalid.value.errors]


GOOD = """
sections:
  - id: about
    title: About
    tasks:
      - id: workforce
        title: Workforce
        questions:
          - {id: on_site, type: yes_no, label: "On site?", not_known: true}
          - id: hours
            type: number
            label: Hours
            show_if: {all: [{question: on_site, equals: "yes"}, {field: contract_type, one_of: [services, works]}]}
"""


def test_a_good_definition_loads() -> None:
    definition = load(GOOD)
    assert [q.id for q in definition.questions] == ["on_site", "hours"]
    assert definition.task_of("hours").id == "workforce"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (  # the same id twice
            """
            sections:
              - id: s
                title: S
                tasks:
                  - {id: t, title: T, questions: [{id: q, type: yes_no, label: Q}, {id: q, type: yes_no, label: Again}]}
            """,
            [("duplicate-id", "question 'q'")],
        ),
        (
            """
            sections:
              - id: s
                title: S
                tasks: [{id: t, title: T, questions: [{id: q, type: slider, label: Q}]}]
            """,
            [("unknown-type", "question 'q'")],
        ),
        (
            """
            sections:
              - id: s
                title: S
                tasks: [{id: t, title: T, questions: [{id: q, type: yes_no, label: Q, show_if: {question: ghost, equals: "yes"}}]}]
            """,
            [("unknown-question", "question 'q'")],
        ),
        (
            """
            sections:
              - id: s
                title: S
                tasks:
                  - id: t
                    title: T
                    questions:
                      - {id: first, type: yes_no, label: Q, show_if: {question: second, equals: "yes"}}
                      - {id: second, type: yes_no, label: Q}
            """,
            [("later-question", "question 'first'")],
        ),
        (
            """
            sections:
              - id: s
                title: S
                tasks: [{id: t, title: T, questions: [{id: q, type: yes_no, label: Q, show_if: {field: colour, equals: red}}]}]
            """,
            [("unknown-field", "question 'q'")],
        ),
        (
            """
            sections:
              - id: s
                title: S
                tasks:
                  - id: t
                    title: T
                    questions:
                      - {id: a, type: yes_no, label: Q}
                      - {id: b, type: yes_no, label: Q, show_if: {question: a, equals: maybe}}
                      - {id: c, type: yes_no, label: Q, show_if: {field: contract_type, one_of: [services, loans]}}
            """,
            [("unknown-option", "question 'b'"), ("unknown-option", "question 'c'")],
        ),
        (
            """
            sections:
              - id: s
                title: S
                tasks: [{id: t, title: T, questions: []}]
            """,
            [("empty-task", "task 't'")],
        ),
        (
            """
            sections:
              - id: s
                title: S
                tasks:
                  - id: t
                    title: T
                    questions:
                      - {id: a, type: short_text, label: Q}
                      - {id: b, type: yes_no, label: Q, show_if: {question: a, greater_than: 3}}
            """,
            [("operator-not-allowed", "question 'b'")],
        ),
        (
            """
            sections:
              - id: s
                title: S
                tasks:
                  - {id: t, title: T, topic: astrology, questions: [{id: q, type: single_choice, label: Q, options: [{value: a, label: A}]}]}
            """,
            [("unknown-topic", "task 't'"), ("bad-question", "question 'q'")],
        ),
    ],
)
def test_each_named_error(body: str, expected: list[tuple[str, str]]) -> None:
    assert problems(body) == expected


def test_every_problem_is_reported_at_once() -> None:
    body = """
    sections:
      - id: s
        title: S
        tasks:
          - {id: empty, title: E, questions: []}
          - id: t
            title: T
            questions:
              - {id: q, type: slider, label: Q}
              - {id: r, type: yes_no, label: R, show_if: {question: ghost, answered: true}}
              - {id: r, type: yes_no, label: R again}
    """
    codes = [code for code, _ in problems(body)]
    assert codes == ["empty-task", "unknown-type", "unknown-question", "duplicate-id"]


def test_structure_errors_name_where_they_are() -> None:
    found = problems("""
    sections:
      - id: s
        title: S
        tasks: [{id: t, title: T, questions: [{id: q, type: yes_no, label: Q, colour: red}]}]
    """)  # fmt: skip
    assert found[0][0] == "invalid-structure"
    assert "colour" in found[0][1]


def test_not_yaml_at_all() -> None:
    with pytest.raises(DefinitionInvalid) as invalid:
        parse_definition("sections: [unclosed", "broken.yaml", TOPICS)
    assert invalid.value.errors[0].code == "invalid-yaml"


@pytest.mark.parametrize("path", definition_files(), ids=lambda path: path.name)
def test_every_shipped_definition_loads_without_problems(path) -> None:  # type: ignore[no-untyped-def]
    definition = parse_definition(path.read_text(), path.name, TOPICS)
    assert definition.questions


VARIANTS = """
sections:
  - id: about
    title: About
    tasks:
      - id: workforce
        title: Workforce
        questions:
          - {id: on_site, type: yes_no, label: "On site?"}
          - id: staff
            type: number
            label: How many people will work on the contract?
            hint: Include subcontractors.
            variants:
              - when: {field: contract_type, equals: goods}
                label: How many people will deliver the goods?
              - when: {question: on_site, equals: "yes"}
                hint: Count those on site.
"""


def test_a_variant_words_a_question_for_the_procurement() -> None:
    from app.forms.conditions import ProcurementContext
    from app.forms.journey import counted_answers, walk

    definition = load(VARIANTS)
    facts = {"category": "cleaning", "value_pence": 1, "annual_value_pence": 1, "term_months": 12,
             "light_touch": False, "framework": "none", "delivery_location": "uk"}  # fmt: skip
    goods = ProcurementContext(contract_type="goods", **facts)
    services = ProcurementContext(contract_type="services", **facts)

    def staff(context: ProcurementContext, answers: dict[str, str]) -> tuple[str, str]:
        question = walk(definition, context, answers).shown_by_id["staff"]
        assert counted_answers(definition, context, answers)[0]["staff"] == question
        return question.label, question.hint

    # The first variant that holds gives the words; what it does not change stays as written.
    assert staff(goods, {"on_site": "yes"}) == (
        "How many people will deliver the goods?",
        "Include subcontractors.",
    )
    assert staff(services, {"on_site": "yes"}) == (
        "How many people will work on the contract?",
        "Count those on site.",
    )
    assert staff(services, {}) == (
        "How many people will work on the contract?",
        "Include subcontractors.",
    )
    task = definition.task("workforce")
    shown = walk(definition, goods, {}).questions_in(task)
    assert shown[1].label == "How many people will deliver the goods?"


def test_a_variant_s_condition_is_checked_like_a_show_if() -> None:
    body = (
        VARIANTS.replace("equals: goods", "equals: loans").replace(
            "{question: on_site,", "{question: later_one,"
        )
        + "          - {id: later_one, type: yes_no, label: Later}\n"
    )
    assert problems(body) == [
        ("unknown-option", "question 'staff' variant 1"),
        ("later-question", "question 'staff' variant 2"),
    ]
    empty = VARIANTS.replace("                hint: Count those on site.\n", "")
    assert problems(empty) == [("bad-question", "question 'staff' variant 2")]
