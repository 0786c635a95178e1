"""The KPI library (app/scoring/data/kpis.yaml): measures a specification can set, with their
units, evidence, reporting frequency, target rule and clause.

Loaded and checked like the form definitions: every problem is reported at once with a named
code (an unknown topic or obligation, a clause naming a placeholder that is not filled in, a
target rule missing its value, a topic with fewer than two KPIs, an obligation with none), and
the service refuses to start on a bad library. Pure: no database, request or settings.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.forms.definition import Condition, FormDefinition
from app.forms.loader import DefinitionError, comparisons, condition_problems, parse_model
from app.scoring.obligation_codes import OBLIGATION_CODES
from app.scoring.reference_data import (
    REFERENCE_KEYS,
    NoValueInForce,
    ReferenceData,
    Unit,
)

LIBRARY_FILE = Path(__file__).parent / "data" / "kpis.yaml"
CODE_PATTERN = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"
# What a clause may name: filled in from the contract and the accepted KPI.
PLACEHOLDERS = frozenset({"contract_title", "target", "unit", "frequency", "evidence"})
# The obligations (app/scoring/obligations/) that each need at least one KPI to serve them. The
# others are met by contract terms (paying within 30 days, the supplier's own modern slavery
# statement) or by a number of KPIs (the Procurement Act's KPI duty: its minimum is its check).
OBLIGATIONS = frozenset({
    "primas", "social-value-act", "london-living-wage", "modern-slavery",
    "carbon-reduction-plan", "social-value-weighting",
})  # fmt: skip
KNOWN_OBLIGATIONS = frozenset(OBLIGATION_CODES)
KPIS_PER_TOPIC = 2


class Strict(BaseModel):
    """The library refuses unknown keys: a misspelt key is an error, not ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class TargetCap(Strict):
    """The most a worked-out target can be, where an answer limits it: a target of 30 recruits
    makes no sense when the lead expects 1 to 10 new roles."""

    question: str
    answers: dict[str, Decimal]  # an answer of the question, and the most the target can be
    reason: str = Field(min_length=1)  # what that answer says, in words


class TargetRule(Strict):
    """How a suggested target is worked out from the contract's value, term and answers.

    `per_year` is a count each contract year (never multiplied by the term). A `baseline`
    names its `fallback`: what holds until the baseline is agreed. `from_answer` names a number
    question whose answer, where given, is the target (such as the weeks of training the lead
    thinks realistic); `people_from` the question whose answer counts the people a workforce
    share is of. `origin` says where the figure comes from: the policy or source the KPI cites,
    with the figure here, or a default the council set itself, shown as "council default, to
    be confirmed". A council default's figure is reference data with effective dates (key
    `kpi_target_<code>`, and `kpi_target_<code>_minimum` for a per-million minimum), filled in
    for the planned tender date by `with_council_defaults`, never written here."""

    kind: Literal["fixed", "per_million", "per_year", "workforce_share", "baseline"]
    value: Decimal | None = Field(default=None, ge=0)
    minimum: Decimal | None = Field(default=None, ge=0)
    fallback: str = ""
    from_answer: str | None = None
    people_from: str | None = None
    origin: Literal["council-default", "source"] = "council-default"
    cap: TargetCap | None = None


class Kpi(Strict):
    """One measure."""

    code: str = Field(pattern=CODE_PATTERN, max_length=64)
    title: str = Field(min_length=1)
    topic: str
    outcome: int  # the PPN 002 outcome it serves
    unit: str = Field(min_length=1)
    definition: str = Field(min_length=1)
    evidence: str = Field(min_length=1)
    frequency: Literal["monthly", "quarterly", "six-monthly", "annually"]
    target: TargetRule
    # Whether outcomes above the target are better (the default) or below it, as for
    # emissions or trips: the performance rating measures a shortfall the right way.
    better: Literal["higher", "lower"] = "higher"
    clause: str = Field(min_length=1)
    source: str = Field(pattern=r"^https://")
    obligations: tuple[str, ...] = ()  # the obligations it serves, which make it mandatory
    # What makes it fit the procurement, in the questionnaire's own conditions (over contract
    # type, category, spend band and answers), and the obligations that must apply for it.
    relevant_if: Condition | None = None
    needs_obligations: tuple[str, ...] = ()
    # Where this holds, the answers call for it: it is suggested first, with `suggest_reason`.
    suggest_if: Condition | None = None
    suggest_reason: str = ""


class WithdrawnKpi(Strict):
    """A KPI taken out of the library: drafts that chose it show it as withdrawn, and why."""

    code: str = Field(pattern=CODE_PATTERN, max_length=64)
    title: str = Field(min_length=1)
    reason: str = Field(min_length=1)


class KpiLibrary(Strict):
    """Every KPI, with the PPN 002 outcomes they serve."""

    version: int = Field(ge=1)
    licence: str = Field(min_length=1)
    outcomes: dict[int, str]
    kpis: tuple[Kpi, ...] = Field(min_length=1)
    withdrawn: tuple[WithdrawnKpi, ...] = ()

    def withdrawn_kpi(self, code: str) -> WithdrawnKpi | None:
        """The withdrawn KPI with this code, if it was withdrawn."""
        return next((kpi for kpi in self.withdrawn if kpi.code == code), None)

    def kpi(self, code: str) -> Kpi:
        """The KPI with this code; KeyError if there is none."""
        for kpi in self.kpis:
            if kpi.code == code:
                return kpi
        raise KeyError(code)

    def for_topic(self, topic: str) -> tuple[Kpi, ...]:
        """The KPIs of a topic, in library order."""
        return tuple(kpi for kpi in self.kpis if kpi.topic == topic)

    def for_obligation(self, obligation: str) -> tuple[Kpi, ...]:
        """The KPIs that serve an obligation, in library order."""
        return tuple(kpi for kpi in self.kpis if obligation in kpi.obligations)


def _placeholders(clause: str) -> set[str] | None:
    """The names a clause fills in, or None when its braces do not parse."""
    try:
        return {name for _, name, _, _ in string.Formatter().parse(clause) if name is not None}
    except ValueError:
        return None


def council_default_keys(kpi: Kpi) -> tuple[str, str | None]:
    """The reference keys holding a council default's value and (per million) its minimum."""
    key = f"kpi_target_{kpi.code.replace('-', '_')}"
    return key, f"{key}_minimum" if kpi.target.kind == "per_million" else None


def _council_default_problems(kpi: Kpi, where: str) -> Iterable[DefinitionError]:
    rule = kpi.target
    if rule.value is not None or rule.minimum is not None:
        yield DefinitionError(
            "bad-target", where, "a council default's figure is reference data "
            f"({council_default_keys(kpi)[0]}), not written in the library",
        )  # fmt: skip
    unit = Unit.BASIS_POINTS if kpi.unit.startswith("%") else Unit.COUNT
    for key in filter(None, council_default_keys(kpi)):
        if key not in REFERENCE_KEYS:
            yield DefinitionError("no-reference-key", where, f"no reference key '{key}'")
        elif REFERENCE_KEYS[key].unit is not unit and key == council_default_keys(kpi)[0]:
            yield DefinitionError(
                "no-reference-key", where, f"reference key '{key}' is not in {unit.value}"
            )  # fmt: skip


def _target_problems(kpi: Kpi, where: str) -> Iterable[DefinitionError]:
    rule = kpi.target
    if rule.origin == "council-default" and rule.kind != "baseline":
        if rule.kind == "per_year" and "each contract year" not in kpi.clause:
            yield DefinitionError(
                "per-year-clause", where, "a per-year target's clause says 'each contract year'"
            )
        yield from _council_default_problems(kpi, where)
        return
    if rule.kind == "baseline":
        if rule.value is not None or rule.minimum is not None:
            yield DefinitionError("bad-target", where, "a baseline has no value or minimum")
        if not rule.fallback:
            yield DefinitionError(
                "bad-target", where, "a baseline needs a fallback that holds until it is agreed"
            )
        return
    if rule.kind == "per_year" and "each contract year" not in kpi.clause:
        yield DefinitionError(
            "per-year-clause", where, "a per-year target's clause says 'each contract year'"
        )
    if rule.value is None:
        yield DefinitionError("bad-target", where, f"a '{rule.kind}' target needs a value")
    elif rule.value == 0:
        yield DefinitionError("bad-target", where, "a target must be more than 0")
    if rule.kind in ("fixed", "workforce_share", "per_year") and rule.minimum is not None:
        yield DefinitionError("bad-target", where, f"a '{rule.kind}' target has no minimum")
    if rule.kind == "per_million" and not rule.minimum:
        yield DefinitionError(
            "bad-target", where, f"a '{rule.kind}' target needs a minimum of more than 0, so "
            "a small contract's target never rounds down to nothing",
        )  # fmt: skip
    if rule.kind == "fixed" and kpi.unit.startswith("%") and (rule.value or 0) > 100:
        yield DefinitionError("bad-target", where, "a percentage target is at most 100")
    if rule.kind == "workforce_share" and rule.value is not None and rule.value > 100:
        yield DefinitionError("bad-target", where, "a share of the workforce is at most 100%")


def _fit_problems(
    kpi: Kpi, where: str, forms: Iterable[FormDefinition], topics: frozenset[str]
) -> Iterable[DefinitionError]:
    """A KPI's conditions and the answers its target reads must make sense in every shipped
    version of the questions, since a draft on any of them may be offered it."""
    for code in kpi.needs_obligations:
        if code not in KNOWN_OBLIGATIONS:
            yield DefinitionError("unknown-obligation", where, f"no obligation '{code}'")
    if kpi.suggest_if is not None and not kpi.suggest_reason:
        yield DefinitionError("bad-kpi", where, "a KPI suggested on a condition says why")
    forms = tuple(forms)
    newest = {form.id: max(f.version for f in forms if f.id == form.id) for form in forms}
    for form in forms:
        questions = {question.id: question for question in form.questions}
        version = f"{where} (against {form.id} v{form.version})"
        for name, condition in (("relevant_if", kpi.relevant_if), ("suggest_if", kpi.suggest_if)):
            if condition is None:
                continue
            for problem in condition_problems(condition, f"{version} {name}", questions, topics):
                # A question an older version never asked is unanswered there: the condition
                # reads it as such. The newest version must ask it (a misspelt id is caught).
                if problem.code != "unknown-question" or form.version == newest[form.id]:
                    yield problem
        cap = kpi.target.cap
        if cap is not None:
            question = questions.get(cap.question)
            if question is None and form.version == newest[form.id]:
                yield DefinitionError("unknown-question", f"{version} cap",
                                      f"no question '{cap.question}'")  # fmt: skip
            elif question is not None:
                offered = {option.value for option in question.options}
                for answer in sorted(set(cap.answers) - offered):
                    yield DefinitionError("unknown-option", f"{version} cap",
                                          f"'{cap.question}' has no option '{answer}'")  # fmt: skip
        for name in ("from_answer", "people_from"):
            qid = getattr(kpi.target, name)
            question = questions.get(qid) if qid else None
            if qid and (question is None or question.type != "number"):
                yield DefinitionError("unknown-question", f"{version} {name}",
                                      f"no number question '{qid}'")  # fmt: skip
            elif question is not None and "kpi" not in question.feeds:
                yield DefinitionError("not-fed", f"{version} {name}",
                                      f"'{qid}' does not declare that it feeds a KPI")  # fmt: skip


def questions_read(kpi: Kpi) -> set[str]:
    """Every question the KPI reads: in its conditions, its target and its cap."""
    read = {
        comparison.question
        for condition in (kpi.relevant_if, kpi.suggest_if)
        if condition is not None
        for comparison in comparisons(condition)
        if comparison.question
    }
    rule = kpi.target
    read |= {qid for qid in (rule.from_answer, rule.people_from) if qid}
    return read | ({rule.cap.question} if rule.cap else set())


def _feeds_problems(
    library: KpiLibrary, forms: tuple[FormDefinition, ...]
) -> Iterable[DefinitionError]:
    """In the newest version of each form, `feeds: [kpi]` is true both ways: each question a
    KPI reads says so, and each question that says so is read. Older versions are frozen."""
    newest = {form.id: max(f.version for f in forms if f.id == form.id) for form in forms}
    read = set().union(*(questions_read(kpi) for kpi in library.kpis))
    for form in forms:
        if form.version != newest[form.id]:
            continue
        for question in form.questions:
            where = f"{form.id} v{form.version} question '{question.id}'"
            if "kpi" in question.feeds and question.id not in read:
                yield DefinitionError(
                    "feeds-nothing", where, "declares that it feeds a KPI, but no KPI reads it"
                )
            elif "kpi" not in question.feeds and question.id in read:
                yield DefinitionError(
                    "not-fed", where, "a KPI reads it, but it does not declare `feeds: [kpi]`"
                )


def check_library(
    library: KpiLibrary, topics: frozenset[str], forms: Iterable[FormDefinition] = ()
) -> list[DefinitionError]:
    """Every problem with a parsed library's meaning, in library order, its conditions checked
    against each of `forms`."""
    forms = tuple(forms)
    errors: list[DefinitionError] = []
    seen: set[str] = set()
    for kpi in library.kpis:
        where = f"kpi '{kpi.code}'"
        if kpi.code in seen:
            errors.append(DefinitionError("duplicate-code", where, "the code is used twice"))
        seen.add(kpi.code)
        if kpi.topic not in topics:
            errors.append(DefinitionError("unknown-topic", where, f"no topic '{kpi.topic}'"))
        if kpi.outcome not in library.outcomes:
            errors.append(
                DefinitionError("unknown-outcome", where, f"no PPN 002 outcome {kpi.outcome}")
            )
        for obligation in kpi.obligations:
            if obligation not in KNOWN_OBLIGATIONS:
                errors.append(
                    DefinitionError("unknown-obligation", where, f"no obligation '{obligation}'")
                )
        names = _placeholders(kpi.clause)
        if names is None:
            errors.append(DefinitionError("bad-clause", where, "the clause's braces do not match"))
        else:
            for name in sorted(names - PLACEHOLDERS):
                errors.append(DefinitionError(
                    "unknown-placeholder", where, f"the clause names '{{{name}}}', which is "
                    f"never filled in (use {', '.join(sorted(PLACEHOLDERS))})",
                ))  # fmt: skip
        errors.extend(_target_problems(kpi, where))
        errors.extend(_fit_problems(kpi, where, forms, topics))
    for old in library.withdrawn:
        if old.code in seen:
            errors.append(DefinitionError(
                "duplicate-code", f"withdrawn kpi '{old.code}'", "a withdrawn code is in use"
            ))  # fmt: skip
    for topic in sorted(topics):
        count = sum(kpi.topic == topic for kpi in library.kpis)
        if count < KPIS_PER_TOPIC:
            errors.append(DefinitionError(
                "too-few-kpis", f"topic '{topic}'",
                f"has {count} KPI(s); every topic needs at least {KPIS_PER_TOPIC}",
            ))  # fmt: skip
    errors.extend(_feeds_problems(library, forms))
    served = {obligation for kpi in library.kpis for obligation in kpi.obligations}
    for obligation in sorted(OBLIGATIONS - served):
        errors.append(DefinitionError(
            "no-kpi-for-obligation", f"obligation '{obligation}'", "no KPI serves it"
        ))  # fmt: skip
    return errors


def parse_library(
    text: str, source: str, topics: frozenset[str], forms: Iterable[FormDefinition] = ()
) -> KpiLibrary:
    """A library from YAML text, fully checked (against `forms` too); DefinitionInvalid lists
    every problem."""
    forms = tuple(forms)
    return parse_model(
        text, source, KpiLibrary, lambda library: check_library(library, topics, forms)
    )


def load_library(topics: Iterable[str], forms: Iterable[FormDefinition]) -> KpiLibrary:
    """The shipped KPI library, checked against the topics and every shipped form version (read
    through app.scoring.catalogue.load_catalogue, once per process)."""
    text = LIBRARY_FILE.read_text(encoding="utf-8")
    return parse_library(text, LIBRARY_FILE.name, frozenset(topics), forms)


def with_council_defaults(
    library: KpiLibrary, reference: ReferenceData, on: date | None
) -> KpiLibrary:
    """The library with each council default's figure as the reference data in force on `on`
    (the planned tender date). None where no value is in force: the lead then sets one."""

    def amount(key: str | None) -> Decimal | None:
        if key is None or on is None:
            return None
        try:
            entry = reference.in_force(key, on)
        except NoValueInForce:
            return None
        raw = Decimal(entry.amount)
        return raw / 100 if REFERENCE_KEYS[key].unit is Unit.BASIS_POINTS else raw

    def filled(kpi: Kpi) -> Kpi:
        if kpi.target.origin != "council-default" or kpi.target.kind == "baseline":
            return kpi
        key, minimum_key = council_default_keys(kpi)
        rule = kpi.target.model_copy(update={"value": amount(key), "minimum": amount(minimum_key)})
        return kpi.model_copy(update={"target": rule})

    return library.model_copy(update={"kpis": tuple(filled(kpi) for kpi in library.kpis)})


@dataclass(frozen=True)
class Target:
    """A suggested target in the KPI's unit (None for a baseline, or a council default with no
    value in force), and how it was worked out."""

    value: Decimal | None
    formula: str


def sensible(number: Decimal) -> Decimal:
    """A worked-out count rounded the way people write targets: to a whole number up to 200,
    then to the nearest 10 (halves round up)."""
    step = Decimal(1) if number <= 200 else Decimal(10)
    return (number / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step


def _plain(number: Decimal) -> str:
    """'2.4', '125', '1,250': no trailing zeros."""
    return f"{number.normalize():,f}"


def _count(answers: Mapping[str, Any], qid: str | None) -> Decimal | None:
    """A number answer, where the rule names one and it was given and is more than 0."""
    value = answers.get(qid) if qid else None
    try:
        number = Decimal(str(value)) if value is not None else None
    except ArithmeticError:
        return None
    return number if number is not None and number > 0 else None


def suggested_target(
    kpi: Kpi,
    value_pence: int,
    term_months: int,
    workforce: int | None = None,
    answers: Mapping[str, Any] | None = None,
) -> Target:
    """The target the KPI's rule gives for a contract of this whole-life value and total term
    (extensions included) and these answers, with the formula in words."""
    rule = kpi.target
    answers = answers or {}
    unit = f"({kpi.unit})"
    if rule.kind == "baseline":
        return Target(
            None, f"Reported in the first year; the target is then agreed from it. Until then, "
            f"{rule.fallback}",
        )  # fmt: skip
    given = _count(answers, rule.from_answer)
    if given is not None:  # the lead's own figure, as they gave it (to 2 decimal places)
        if given.as_tuple().exponent < -2:  # type: ignore[operator]
            given = given.quantize(Decimal("0.01"), ROUND_HALF_UP)
        return Target(given, f"From your answer: {_plain(given)} {unit}.")
    if rule.value is None:  # a council default with no value in force on the tender date
        return Target(None, "No council default is recorded for the planned tender date: "
                      "enter the target for this contract.")  # fmt: skip
    default = "Council default, to be confirmed: " if rule.origin == "council-default" else ""
    if rule.kind == "fixed":
        people = _count(answers, rule.people_from)
        of = f", of about {_plain(people)} people" if people is not None else ""
        lead = default or "A fixed target: "
        return Target(rule.value, f"{lead}{_plain(rule.value)} {unit}{of}.")
    if rule.kind == "workforce_share":
        formula = f"{default}{_plain(rule.value)}% of the people working on the contract"
        people = _count(answers, rule.people_from)
        count = int(people) if people is not None else workforce
        if count:
            share = sensible(rule.value * count / 100)
            formula += f" (about {_plain(share)} of {count:,})"
        return Target(rule.value, formula + ".")
    if rule.kind == "per_year":
        return Target(rule.value, f"{default}{_plain(rule.value)} each contract year {unit}.")
    millions = Decimal(value_pence) / 100_000_000
    raw = rule.value * millions
    worked = (
        f"{default}{_plain(rule.value)} for each £1 million of whole-life value × "
        f"£{_plain(millions.quantize(Decimal('0.01')))} million = "
        f"{_plain(raw.quantize(Decimal('0.1')))}"
    )
    rounded = sensible(raw)
    most = rule.cap.answers.get(str(answers.get(rule.cap.question))) if rule.cap else None
    if rule.cap is not None and most is not None and rounded > most:
        return Target(most, f"{worked}, at most {_plain(most)} as {rule.cap.reason} {unit}.")
    if rule.minimum is not None and rounded < rule.minimum:
        return Target(
            rule.minimum, f"{worked}, raised to the minimum of {_plain(rule.minimum)} {unit}."
        )
    if worked.rsplit(" = ", 1)[1] != _plain(rounded):  # say so only where it shows
        return Target(rounded, f"{worked}, rounded to {_plain(rounded)} {unit}.")
    return Target(rounded, f"{worked} {unit}.")
