"""Loading form definitions: parse the YAML, then check what it means, reporting every problem.

The checks mirror GOV.UK Forms' authoring-time validation: a definition that names a question
type we do not have, a condition on a question that does not exist (or comes later), an option
that is not offered, or a task with no questions is refused with a named error, never quietly
treated as false. The service refuses to start on a bad definition; `primas check-forms` runs
the same checks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from app.forms.conditions import CONTEXT_FIELD_VALUES, field_operators
from app.forms.definition import AllOf, AnyOf, Comparison, Condition, FormDefinition, Question
from app.forms.types import QUESTION_TYPES, question_type

DEFINITIONS_DIR = Path(__file__).parent / "definitions"
# Each definition's scoring rules sit beside it (app/scoring/rules.py reads them).
RULES_SUFFIX = ".scoring.yaml"


@dataclass(frozen=True)
class DefinitionError:
    """One problem: a stable code, where it is, and what is wrong."""

    code: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: [{self.code}] {self.message}"


class DefinitionInvalid(ValueError):
    """A definition with problems; `errors` lists every one."""

    def __init__(self, source: str, errors: list[DefinitionError]) -> None:
        super().__init__(f"{source} has {len(errors)} problem(s):\n" + "\n".join(map(str, errors)))
        self.source = source
        self.errors = errors


def comparisons(condition: Condition) -> Iterator[Comparison]:
    """Every comparison in a condition, however nested."""
    if isinstance(condition, AllOf):
        for part in condition.all:
            yield from comparisons(part)
    elif isinstance(condition, AnyOf):
        for part in condition.any:
            yield from comparisons(part)
    else:
        yield condition


def _check_comparison(
    comparison: Comparison,
    where: str,
    earlier: dict[str, Question],
    later: set[str],
    topics: frozenset[str],
) -> Iterator[DefinitionError]:
    operator = comparison.operator
    if comparison.field is not None:
        allowed = field_operators(comparison.field, topics)
        if allowed is None:
            yield DefinitionError(
                "unknown-field", where, f"no procurement field '{comparison.field}'"
            )
            return
        if operator not in allowed:
            yield DefinitionError(
                "operator-not-allowed",
                where,
                f"'{operator}' does not apply to '{comparison.field}'",
            )
            return
        known = CONTEXT_FIELD_VALUES.get(comparison.field)
        values = comparison.operand if operator == "one_of" else [comparison.operand]
        for value in values if known else []:
            if value not in known:  # type: ignore[operator]
                yield DefinitionError(
                    "unknown-option", where, f"'{comparison.field}' is never '{value}'"
                )
        return
    name = comparison.question
    assert name is not None
    if name not in earlier:
        code = "later-question" if name in later else "unknown-question"
        text = "comes after this question" if name in later else "does not exist"
        yield DefinitionError(code, where, f"condition on question '{name}', which {text}")
        return
    target = earlier[name]
    kind = QUESTION_TYPES.get(target.type)
    if kind is None:
        return  # reported as unknown-type on the question itself
    if operator not in kind.operators:
        yield DefinitionError(
            "operator-not-allowed",
            where,
            f"'{operator}' does not apply to a {target.type} question",
        )
        return
    if operator in ("equals", "not_equals", "one_of", "contains") and target.type in (
        "yes_no", "single_choice", "multiple_choice",
    ):  # fmt: skip
        offered = {option.value for option in kind.options(target)}
        values = comparison.operand if operator == "one_of" else [comparison.operand]
        for value in values:
            if value not in offered:
                yield DefinitionError(
                    "unknown-option", where, f"question '{name}' has no option '{value}'"
                )


def condition_problems(
    condition: Condition, where: str, questions: Mapping[str, Question], topics: frozenset[str]
) -> list[DefinitionError]:
    """Every problem with a condition checked against a whole form, as a data file outside the
    form (such as the KPI library) uses one: it may name any of the form's questions."""
    return [
        problem
        for comparison in comparisons(condition)
        for problem in _check_comparison(comparison, where, dict(questions), set(), topics)
    ]


def _check_question(question: Question, where: str) -> Iterator[DefinitionError]:
    if question.type not in QUESTION_TYPES:
        yield DefinitionError("unknown-type", where, f"no question type '{question.type}'")
        return
    for problem in question_type(question.type).problems(question):
        yield DefinitionError("bad-question", where, problem)
    values = [option.value for option in question.options]
    for value in sorted({v for v in values if values.count(v) > 1}):
        yield DefinitionError("duplicate-option", where, f"option '{value}' appears twice")
    if question.minimum is not None and question.maximum is not None:
        if question.minimum > question.maximum:
            yield DefinitionError("bad-question", where, "minimum is more than maximum")
    for part in question.fields:
        yield from _check_question(part, f"{where}.{part.id}")


def check_definition(definition: FormDefinition, topics: Iterable[str]) -> list[DefinitionError]:
    """Every problem with a parsed definition's meaning, in the order they appear."""
    topic_codes = frozenset(topics)
    errors: list[DefinitionError] = []
    all_ids = [q.id for q in definition.questions]
    seen_ids: dict[str, str] = {}
    for task in definition.tasks:
        where = f"task '{task.id}'"
        if task.id in seen_ids:
            errors.append(DefinitionError("duplicate-id", where, f"id '{task.id}' is used twice"))
        seen_ids[task.id] = where
        if not task.questions:
            errors.append(
                DefinitionError("empty-task", where, "a task needs at least one question")
            )
        if task.topic is not None and task.topic not in topic_codes:
            errors.append(DefinitionError("unknown-topic", where, f"no topic '{task.topic}'"))
    earlier: dict[str, Question] = {}
    for question in definition.questions:
        where = f"question '{question.id}'"
        if question.id in seen_ids:
            errors.append(
                DefinitionError("duplicate-id", where, f"id '{question.id}' is used twice")
            )
        seen_ids[question.id] = where
        errors.extend(_check_question(question, where))
        part_ids = [part.id for part in question.fields]
        for part_id in sorted({p for p in part_ids if part_ids.count(p) > 1}):
            errors.append(
                DefinitionError("duplicate-id", where, f"field '{part_id}' is used twice")
            )
        later = set(all_ids[all_ids.index(question.id) :])
        for comparison in comparisons(question.show_if) if question.show_if else ():
            errors.extend(_check_comparison(comparison, where, earlier, later, topic_codes))
        for number, variant in enumerate(question.variants, start=1):
            if variant.label is None and variant.hint is None:
                errors.append(DefinitionError(
                    "bad-question", f"{where} variant {number}",
                    "a variant changes the label or hint",
                ))  # fmt: skip
            for comparison in comparisons(variant.when):
                errors.extend(_check_comparison(
                    comparison, f"{where} variant {number}", earlier, later, topic_codes
                ))  # fmt: skip
        for feed in question.feeds:
            if feed.startswith("score:") and feed.removeprefix("score:") not in topic_codes:
                errors.append(DefinitionError("unknown-topic", where, f"feeds unknown '{feed}'"))
        earlier[question.id] = question
    return errors


Model = TypeVar("Model", bound=BaseModel)


def parse_model(
    text: str,
    source: str,
    model: type[Model],
    check: Callable[[Model], list[DefinitionError]],
) -> Model:
    """A data file (form, scoring rules, KPI library) from YAML text: its shape checked by the
    model, then its meaning by `check`; DefinitionInvalid lists every problem at once."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        problem = DefinitionError("invalid-yaml", source, str(error))
        raise DefinitionInvalid(source, [problem]) from None
    try:
        parsed = model.model_validate(data)
    except ValidationError as error:
        problems = [
            DefinitionError("invalid-structure", ".".join(map(str, e["loc"])) or source, e["msg"])
            for e in error.errors()
        ]
        raise DefinitionInvalid(source, problems) from None
    problems = check(parsed)
    if problems:
        raise DefinitionInvalid(source, problems)
    return parsed


def parse_definition(text: str, source: str, topics: Iterable[str]) -> FormDefinition:
    """A definition from YAML text, fully checked; DefinitionInvalid lists every problem."""
    return parse_model(
        text, source, FormDefinition, lambda definition: check_definition(definition, topics)
    )


def definition_files(directory: Path = DEFINITIONS_DIR) -> list[Path]:
    """The shipped definition files."""
    return sorted(p for p in directory.glob("*.yaml") if not p.name.endswith(RULES_SUFFIX))


def check_files(paths: Iterable[Path], topics: Iterable[str]) -> dict[Path, list[DefinitionError]]:
    """Every problem in each file (an empty list for a good one), without stopping at the first.
    `topics` are the topic codes a question may feed."""
    topics = frozenset(topics)
    results: dict[Path, list[DefinitionError]] = {}
    seen: dict[tuple[str, int], Path] = {}
    for path in paths:
        try:
            definition = parse_definition(path.read_text(encoding="utf-8"), path.name, topics)
        except DefinitionInvalid as invalid:
            results[path] = invalid.errors
            continue
        key = (definition.id, definition.version)
        results[path] = []
        if key in seen:
            message = f"{key[0]} version {key[1]} is also in {seen[key].name}"
            results[path] = [DefinitionError("duplicate-version", path.name, message)]
        seen[key] = path
    return results


def shipped_definitions(
    directory: Path, topics: Iterable[str]
) -> dict[tuple[str, int], FormDefinition]:
    """Every definition in `directory` by (form id, version); DefinitionInvalid if any has a
    problem. Read through app.scoring.catalogue.load_catalogue, once per process."""
    topics = frozenset(topics)
    checked = check_files(definition_files(directory), topics)
    problems = {path: errors for path, errors in checked.items() if errors}
    if problems:
        raise DefinitionInvalid(
            str(directory), [error for errors in problems.values() for error in errors]
        )
    definitions = {}
    for path in definition_files(directory):
        definition = parse_definition(path.read_text(encoding="utf-8"), path.name, topics)
        definitions[(definition.id, definition.version)] = definition
    return definitions


def latest_definition_in(
    library: Mapping[tuple[str, int], FormDefinition], form_id: str
) -> FormDefinition:
    """The newest version of a form in a library of definitions."""
    versions = [d for (fid, _), d in library.items() if fid == form_id]
    if not versions:
        raise KeyError(form_id)
    return max(versions, key=lambda definition: definition.version)
