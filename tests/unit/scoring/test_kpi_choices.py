"""The KPI task, table by table: typed targets at every boundary, how targets are written back,
the task's status and problems from the lead's decisions (on real suggestions), KPIs added from
the library or left behind when the suggestions change, and searching the library."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import pytest

from app.forms.journey import TaskStatus
from app.scoring.kpi_choices import (
    Choice,
    CustomKpi,
    InvalidTarget,
    KpiStatus,
    KpiTask,
    Problem,
    kpi_task,
    parse_target,
    search,
    target_text,
)
from app.scoring.kpis import suggested_target
from app.scoring.suggestions import Suggestion, kpi_duty_minimum, suggest
from app.scoring.topics import load_topics
from tests.unit.scoring.inputs import KPI_LIBRARY, REFERENCE, context, run

LIBRARY = KPI_LIBRARY  # the council defaults as seeded
TOPICS = {topic.code: topic.name for topic in load_topics().topics}
WEEKS = "weeks of apprenticeship or training"
SHARE = "% of staff"
VALUE = 120_000_000  # the defaults of inputs.context: £1.2m over three years
TERM = 36


def suggested(answers: dict[str, Any], **fields: Any) -> tuple[tuple[Suggestion, ...], int]:
    """Real suggestions for a scored procurement, and the KPI duty's minimum for it."""
    result = run(answers, **fields)
    fields.pop("category", None)
    procurement = context(**fields)
    return (
        suggest(LIBRARY, result, procurement, REFERENCE, answers=answers),
        kpi_duty_minimum(result, REFERENCE, procurement.planned_tender_date),
    )


# Cleaning with staff on premises on insecure terms: the London Living Wage KPI (mandatory),
# then secure contracts.
LLW, _ = suggested({"staff_on_premises": "yes", "hours_per_day": "2", "weeks_per_year": "8",
                    "insecure_work": "yes"})  # fmt: skip
# Professional services over £5m: the KPI duty's minimum of three (none of them required by an
# obligation), one of them a baseline.
DUTY, DUTY_MINIMUM = suggested(
    {"staff_on_premises": "no"}, category="professional-services", value_pence=500_000_001
)
LLW_TITLE = "Contract staff paid at least the London Living Wage"


def task(
    suggestions: Sequence[Suggestion] = LLW,
    choices: Mapping[str, Choice] | None = None,
    custom: Sequence[CustomKpi] = (),
    *,
    duty_minimum: int = 0,
    value_pence: int = VALUE,
) -> KpiTask:
    return kpi_task(
        LIBRARY,
        suggestions,
        choices or {},
        custom,
        value_pence=value_pence,
        term_months=TERM,
        duty_minimum=duty_minimum,
    )


def duty_task(
    choices: Mapping[str, Choice] | None = None, custom: Sequence[CustomKpi] = ()
) -> KpiTask:
    return task(DUTY, choices, custom, duty_minimum=DUTY_MINIMUM)


def accepted(target: str | None = None) -> Choice:
    status = KpiStatus.ACCEPTED if target is None else KpiStatus.EDITED
    return Choice(status, None if target is None else Decimal(target), "", 1)


def rejected(reason: str = "") -> Choice:
    return Choice(KpiStatus.REJECTED, None, reason, 1)


UNDECIDED = Choice(KpiStatus.SUGGESTED, Decimal(95), "", 1)  # a target typed, nothing decided
OWN = CustomKpi(
    1, "Bins emptied on time", "% of collections", "monthly", "Collection logs", Decimal(98), 1
)


def test_the_scenarios_are_what_the_tables_assume() -> None:
    assert [(s.kpi.code, s.mandatory, s.target.value) for s in LLW] == [
        ("llw-staff-share", True, Decimal(100)),
        ("secure-contracts", False, Decimal(90)),
    ]
    assert [(s.kpi.code, s.mandatory, s.target.value) for s in DUTY] == [
        ("local-residents-employed", False, Decimal(25)),
        ("carbon-emissions-reported", False, None),
        ("volunteering-hours", False, Decimal(40)),
    ]
    assert DUTY_MINIMUM == 3
    assert LIBRARY.kpi("llw-staff-share").title == LLW_TITLE


# Typed targets ------------------------------------------------------------------------------

NOT_A_NUMBER = f"The target must be a number in {WEEKS}, like 25"
NOT_POSITIVE = f"The target must be a positive number in {WEEKS} (more than 0)"
PLACES = "The target can have up to 2 decimal places"
OVER_100 = "The target must be 100 or less, as it is a percentage"
TOO_BIG = "The target must be less than 1,000,000,000"


@pytest.mark.parametrize(
    ("raw", "unit", "message"),
    [
        ("", WEEKS, f"Enter the target, as a number in {WEEKS}"),
        ("   ", WEEKS, f"Enter the target, as a number in {WEEKS}"),
        (",", WEEKS, f"The target must be a number in {WEEKS}, like 25"),
        ("1,2,3", WEEKS, f"The target must be a number in {WEEKS}, like 25"),
        ("٣", WEEKS, f"The target must be a number in {WEEKS}, like 25"),
        ("１２", WEEKS, f"The target must be a number in {WEEKS}, like 25"),
        ("1.000000000000000000000000000001", WEEKS, "The target can have up to 2 decimal places"),
        ("%", SHARE, "Enter the target, as a number in % of staff"),
        (" % ", SHARE, "Enter the target, as a number in % of staff"),
        ("abc", WEEKS, NOT_A_NUMBER),
        ("1e", WEEKS, NOT_A_NUMBER),
        ("12abc", WEEKS, NOT_A_NUMBER),
        ("1.2.3", WEEKS, NOT_A_NUMBER),
        ("£25", WEEKS, NOT_A_NUMBER),
        ("NaN", WEEKS, NOT_A_NUMBER),
        ("sNaN", WEEKS, NOT_A_NUMBER),
        ("Infinity", WEEKS, NOT_A_NUMBER),
        ("-Infinity", WEEKS, NOT_A_NUMBER),
        ("85%", WEEKS, NOT_A_NUMBER),  # a % sign only goes with a percentage
        ("Infinity%", SHARE, "The target must be a number in % of staff, like 25"),
        ("0", WEEKS, NOT_POSITIVE),
        ("-0", WEEKS, NOT_POSITIVE),
        ("-1", WEEKS, NOT_POSITIVE),
        ("-0.01", WEEKS, NOT_POSITIVE),
        ("0.00", WEEKS, NOT_POSITIVE),
        ("0%", SHARE, "The target must be a positive number in % of staff (more than 0)"),
        ("1.234", WEEKS, PLACES),
        ("0.001", WEEKS, PLACES),
        ("100.001", SHARE, PLACES),  # the places are checked before the percentage
        ("100.01", SHARE, OVER_100),
        ("101%", SHARE, OVER_100),
        ("101", "  % of staff", OVER_100),  # a unit is a percentage after leading spaces too
        ("1000000000", WEEKS, TOO_BIG),
        ("1,000,000,000", WEEKS, TOO_BIG),
        ("1000000000.00", WEEKS, TOO_BIG),
    ],
)
def test_a_target_that_is_refused_says_why(raw: str, unit: str, message: str) -> None:
    with pytest.raises(InvalidTarget) as refused:
        parse_target(raw, unit)
    assert str(refused.value) == message


@pytest.mark.parametrize(
    ("raw", "unit", "number"),
    [
        ("0.01", WEEKS, "0.01"),
        ("1.23", WEEKS, "1.23"),
        ("12.5", WEEKS, "12.5"),
        ("125", WEEKS, "125"),
        ("1,250", WEEKS, "1250"),
        ("999999999.99", WEEKS, "999999999.99"),
        ("  12.5 \t", WEEKS, "12.5"),
        ("\n150\n", WEEKS, "150"),
        ("100", SHARE, "100"),
        ("100.00", SHARE, "100"),
        ("99.99", SHARE, "99.99"),
        ("0.01", SHARE, "0.01"),
        ("85%", SHARE, "85"),
        ("85 %", SHARE, "85"),
        (" 100% ", SHARE, "100"),
        ("150", "percentage points", "150"),  # only a unit starting with % is a percentage
    ],
)
def test_a_target_that_is_taken(raw: str, unit: str, number: str) -> None:
    assert parse_target(raw, unit) == Decimal(number)


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (Decimal("125.0"), "125"),
        (Decimal("1.25E+2"), "125"),
        (Decimal("12.50"), "12.5"),
        (Decimal("100"), "100"),  # normalises to 1E+2, still written out
        (Decimal("1E+3"), "1000"),
        (Decimal("0.01"), "0.01"),
        (Decimal("999999999.99"), "999999999.99"),
    ],
)
def test_target_text(number: Decimal, text: str) -> None:
    assert target_text(number) == text
    assert parse_target(text, WEEKS) == number  # what is stored reads back as the same number


@pytest.mark.parametrize(
    "kpi",
    [
        pytest.param(kpi, id=kpi.code)
        for kpi in LIBRARY.kpis
        if suggested_target(kpi, VALUE, TERM).value is not None
    ],
)
def test_every_suggested_target_can_be_accepted_as_shown(kpi: Any) -> None:
    # The target field is filled in with the suggested target as text: accepting it unchanged
    # must not be refused.
    value = suggested_target(kpi, VALUE, TERM).value
    assert value is not None
    assert parse_target(target_text(value), kpi.unit) == value


@pytest.mark.parametrize(
    ("status", "label"),
    [
        (KpiStatus.SUGGESTED, "Not decided"),
        (KpiStatus.ACCEPTED, "Accepted"),
        (KpiStatus.EDITED, "Accepted, target changed"),
        (KpiStatus.REJECTED, "Rejected"),
    ],
)
def test_status_labels(status: KpiStatus, label: str) -> None:
    assert status.label == label


# The task's status ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("built", "status"),
    [
        pytest.param(task(), TaskStatus.NOT_STARTED, id="nothing-decided"),
        pytest.param(task(()), TaskStatus.NOT_STARTED, id="nothing-suggested"),
        pytest.param(
            task(choices={"waste-diverted": rejected()}),
            TaskStatus.NOT_STARTED,
            id="only-a-dropped-choice",
        ),
        pytest.param(
            task(choices={"llw-staff-share": accepted()}), TaskStatus.IN_PROGRESS, id="one-decided"
        ),
        pytest.param(
            task(choices={"secure-contracts": UNDECIDED}),
            TaskStatus.IN_PROGRESS,
            id="target-typed-undecided",
        ),
        pytest.param(task(custom=[OWN]), TaskStatus.IN_PROGRESS, id="own-kpi-only"),
        pytest.param(
            task(choices={"llw-staff-share": accepted(), "secure-contracts": rejected()}),
            TaskStatus.COMPLETED,
            id="all-decided-one-accepted",
        ),
        pytest.param(
            task(
                choices={
                    "llw-staff-share": rejected("Paid already"),
                    "secure-contracts": accepted("95"),
                }
            ),
            TaskStatus.COMPLETED,
            id="mandatory-rejected-with-reason",
        ),
        pytest.param(
            task(
                choices={
                    "llw-staff-share": rejected("Paid already"),
                    "secure-contracts": rejected(),
                }
            ),
            TaskStatus.IN_PROGRESS,
            id="all-rejected",
        ),
        pytest.param(
            task(choices={"llw-staff-share": rejected(), "secure-contracts": accepted()}),
            TaskStatus.IN_PROGRESS,
            id="mandatory-rejected-without-reason",
        ),
        pytest.param(task((), custom=[OWN]), TaskStatus.COMPLETED, id="own-kpi-nothing-suggested"),
        pytest.param(
            task(
                choices={
                    "llw-staff-share": rejected("Paid already"),
                    "secure-contracts": rejected(),
                    "waste-diverted": accepted(),
                }
            ),
            TaskStatus.COMPLETED,
            id="added-kpi-accepted",
        ),
        pytest.param(
            duty_task(
                {
                    code: accepted()
                    for code in (
                        "local-residents-employed",
                        "carbon-emissions-reported",
                        "volunteering-hours",
                    )
                }
            ),
            TaskStatus.COMPLETED,
            id="duty-met",
        ),
        pytest.param(
            duty_task(
                {
                    "local-residents-employed": accepted(),
                    "carbon-emissions-reported": accepted(),
                    "volunteering-hours": rejected(),
                }
            ),
            TaskStatus.IN_PROGRESS,
            id="duty-short-by-one",
        ),
        pytest.param(
            duty_task(
                {
                    "local-residents-employed": accepted(),
                    "carbon-emissions-reported": accepted(),
                    "volunteering-hours": rejected(),
                },
                [OWN],
            ),
            TaskStatus.COMPLETED,
            id="duty-met-with-own-kpi",
        ),
    ],
)
def test_status(built: KpiTask, status: TaskStatus) -> None:
    assert built.status is status


# The task's problems --------------------------------------------------------------------------


def undecided(code: str) -> Problem:
    return Problem(f"kpi-{code}", f"Accept or reject “{LIBRARY.kpi(code).title}”")


def no_reason(code: str) -> Problem:
    return Problem(
        f"kpi-{code}", f"Give a reason for rejecting “{LIBRARY.kpi(code).title}”: it is required"
    )


def duty_short(count: int) -> Problem:
    return Problem(
        "kpi-count",
        f"Accept at least 3 KPIs: the Procurement Act KPI duty applies (you have accepted {count})",
    )


NONE_ACCEPTED = Problem("kpi-count", "Accept at least one KPI")


@pytest.mark.parametrize(
    ("built", "problems"),
    [
        pytest.param(
            task(),
            (undecided("llw-staff-share"), undecided("secure-contracts"), NONE_ACCEPTED),
            id="nothing-decided",
        ),
        pytest.param(task(()), (NONE_ACCEPTED,), id="nothing-suggested"),
        pytest.param(
            task(choices={"secure-contracts": accepted()}),
            (undecided("llw-staff-share"),),
            id="mandatory-undecided",
        ),
        pytest.param(
            task(choices={"secure-contracts": UNDECIDED, "llw-staff-share": accepted()}),
            (undecided("secure-contracts"),),
            id="target-typed-is-not-a-decision",
        ),
        pytest.param(
            # Rejected without a reason while it was optional; an obligation now requires it.
            task(choices={"llw-staff-share": rejected(), "secure-contracts": accepted()}),
            (no_reason("llw-staff-share"),),
            id="mandatory-rejected-without-reason",
        ),
        pytest.param(
            task(
                choices={
                    "llw-staff-share": rejected("Paid already"),
                    "secure-contracts": rejected(),
                }
            ),
            (NONE_ACCEPTED,),
            id="optional-rejected-without-reason-is-fine",
        ),
        pytest.param(
            task(choices={"llw-staff-share": accepted(), "secure-contracts": rejected()}),
            (),
            id="complete",
        ),
        pytest.param(
            duty_task(),
            (
                undecided("local-residents-employed"),
                undecided("carbon-emissions-reported"),
                undecided("volunteering-hours"),
                duty_short(0),
            ),
            id="duty-nothing-decided",
        ),
        pytest.param(
            duty_task({"local-residents-employed": rejected(), "volunteering-hours": accepted()}),
            (
                undecided("carbon-emissions-reported"),
                duty_short(1),
            ),
            id="duty-in-page-order",
        ),
        pytest.param(
            duty_task(
                {
                    "local-residents-employed": accepted(),
                    "carbon-emissions-reported": accepted(),
                    "volunteering-hours": rejected(),
                }
            ),
            (duty_short(2),),
            id="duty-two-of-three",
        ),
        pytest.param(
            duty_task(
                {
                    "local-residents-employed": rejected("Rated another way"),
                    "carbon-emissions-reported": rejected(),
                    "volunteering-hours": rejected(),
                }
            ),
            (duty_short(0),),
            id="duty-all-rejected",
        ),
        pytest.param(
            duty_task(
                {
                    "local-residents-employed": accepted(),
                    "carbon-emissions-reported": accepted(),
                    "volunteering-hours": rejected(),
                },
                [OWN],
            ),
            (),
            id="duty-own-kpi-counts",
        ),
        pytest.param(
            duty_task(
                {
                    "local-residents-employed": accepted(),
                    "carbon-emissions-reported": accepted(),
                    "volunteering-hours": rejected(),
                    "waste-diverted": accepted(),
                }
            ),
            (),
            id="duty-added-kpi-counts",
        ),
        pytest.param(
            duty_task(
                {
                    "local-residents-employed": accepted(),
                    "carbon-emissions-reported": accepted(),
                    "volunteering-hours": rejected(),
                    "waste-diverted": rejected(),
                }
            ),
            (duty_short(2),),
            id="duty-dropped-choice-does-not-count",
        ),
    ],
)
def test_problems(built: KpiTask, problems: tuple[Problem, ...]) -> None:
    assert built.problems == problems


def test_a_mandatory_kpi_rejected_before_it_was_mandatory() -> None:
    row = task(choices={"llw-staff-share": rejected()}).row("llw-staff-share")
    assert row.mandatory and row.status is KpiStatus.REJECTED and row.rejection == ""
    assert not row.accepted


@pytest.mark.parametrize(
    ("choices", "custom", "count"),
    [
        ({}, (), 0),
        ({"llw-staff-share": accepted(), "secure-contracts": accepted("95")}, (), 2),
        ({"llw-staff-share": accepted()}, (OWN, OWN), 3),
        ({"llw-staff-share": rejected("x"), "waste-diverted": accepted()}, (), 1),
        ({"secure-contracts": UNDECIDED}, (), 0),
    ],
)
def test_accepted_count(
    choices: dict[str, Choice], custom: tuple[CustomKpi, ...], count: int
) -> None:
    assert task(choices=choices, custom=custom).accepted_count == count


# Rows: added from the library, left behind, and their targets ---------------------------------


def test_an_accepted_kpi_no_longer_suggested_stays_as_an_added_row() -> None:
    built = task(
        choices={
            "waste-diverted": accepted(),
            "llw-staff-share": accepted(),
            "carbon-emissions-reported": accepted(),
            "apprenticeship-weeks": accepted("150"),
        },
    )
    assert [row.kpi.code for row in built.rows] == [
        "llw-staff-share",
        "secure-contracts",  # the suggestions, in rank order
        "waste-diverted",
        "carbon-emissions-reported",
        "apprenticeship-weeks",  # choice order
    ]
    assert [row.kpi.code for row in built.suggested_rows] == ["llw-staff-share", "secure-contracts"]
    assert [row.kpi.code for row in built.added_rows] == [
        "waste-diverted",
        "carbon-emissions-reported",
        "apprenticeship-weeks",
    ]
    added = built.row("waste-diverted")
    assert added.suggestion is None
    assert added.reason == "Added from the library"
    assert not added.mandatory
    assert added.suggested == suggested_target(LIBRARY.kpi("waste-diverted"), VALUE, TERM)
    assert (added.status, added.accepted, added.target) == (KpiStatus.ACCEPTED, True, Decimal(70))
    assert built.row("carbon-emissions-reported").target is None  # a baseline
    edited = built.row("apprenticeship-weeks")
    assert (edited.status, edited.target, edited.suggested.value) == (
        KpiStatus.EDITED,
        Decimal(150),
        Decimal(62),  # 52 a £1m × £1.2m = 62.4
    )
    assert built.row("llw-staff-share").reason == "Required: the London Living Wage applies"


def test_an_added_row_s_suggested_target_follows_the_contract() -> None:
    built = task((), {"apprenticeship-weeks": accepted()}, value_pence=240_000_000)
    assert built.row("apprenticeship-weeks").target == Decimal(125)


def test_a_kpi_that_was_mandatory_but_is_no_longer_suggested_is_optional() -> None:
    built = task(DUTY, {"llw-staff-share": rejected(), "supply-chain-due-diligence": accepted()})
    assert [row.kpi.code for row in built.added_rows] == ["supply-chain-due-diligence"]
    assert not built.row("supply-chain-due-diligence").mandatory
    with pytest.raises(KeyError):
        built.row("llw-staff-share")


@pytest.mark.parametrize(
    ("code", "choice"),
    [
        pytest.param("waste-diverted", rejected("Not needed"), id="rejected"),
        pytest.param("waste-diverted", rejected(), id="rejected-without-reason"),
        pytest.param("waste-diverted", UNDECIDED, id="suggested"),
        pytest.param("retired-kpi", accepted(), id="not-in-library-accepted"),
        pytest.param("retired-kpi", accepted("12"), id="not-in-library-edited"),
        pytest.param("retired-kpi", rejected("x"), id="not-in-library-rejected"),
    ],
)
def test_a_choice_left_behind_is_dropped(code: str, choice: Choice) -> None:
    built = task(choices={code: choice})
    assert [row.kpi.code for row in built.rows] == ["llw-staff-share", "secure-contracts"]
    assert built.status is TaskStatus.NOT_STARTED
    with pytest.raises(KeyError) as missing:
        built.row(code)
    assert missing.value.args == (code,)


@pytest.mark.parametrize(
    ("suggestions", "code", "choice", "target"),
    [
        pytest.param(LLW, "llw-staff-share", None, Decimal(100), id="undecided"),
        pytest.param(LLW, "llw-staff-share", accepted(), Decimal(100), id="accepted"),
        pytest.param(LLW, "secure-contracts", accepted("95.5"), Decimal("95.5"), id="edited"),
        pytest.param(LLW, "secure-contracts", UNDECIDED, Decimal(95), id="typed-undecided"),
        pytest.param(LLW, "secure-contracts", rejected(), Decimal(90), id="rejected"),
        pytest.param(DUTY, "carbon-emissions-reported", None, None, id="baseline"),
        pytest.param(DUTY, "carbon-emissions-reported", accepted(), None, id="baseline-accepted"),
        pytest.param(
            DUTY, "carbon-emissions-reported", accepted("12"), Decimal(12), id="baseline-edited"
        ),
        pytest.param(DUTY, "local-residents-employed", accepted("30"), Decimal(30), id="edited"),
    ],
)
def test_a_row_s_target_is_the_leads_else_the_suggested_one(
    suggestions: tuple[Suggestion, ...],
    code: str,
    choice: Choice | None,
    target: Decimal | None,
) -> None:
    row = task(suggestions, {code: choice} if choice else {}).row(code)
    assert row.target == target
    assert row.choice == choice
    assert row.revision == (1 if choice else 0)


def test_suggestions_can_be_built_by_hand() -> None:
    kpi = LIBRARY.kpi("waste-diverted")
    hand = Suggestion(kpi, "Waste matters here", False, suggested_target(kpi, VALUE, TERM))
    built = task((hand,), {"waste-diverted": accepted("80")})
    row = built.row("waste-diverted")
    assert (row.reason, row.target, row.suggested.value) == (
        "Waste matters here",
        Decimal(80),
        Decimal(70),
    )
    assert built.status is TaskStatus.COMPLETED


# Searching the library ------------------------------------------------------------------------

EVERY_CODE = tuple(kpi.code for kpi in LIBRARY.kpis)


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        pytest.param("", EVERY_CODE, id="empty"),
        pytest.param("   \t ", EVERY_CODE, id="blank"),
        pytest.param("year-on-year", ("carbon-emissions-reduced",), id="title"),
        pytest.param("Fairtrade", ("sustainable-food",), id="definition"),
        pytest.param("tonnes", ("carbon-emissions-reported", "fleet-safety-standards"), id="unit"),
        pytest.param(
            "circular",
            (
                "construction-waste-diverted",
                "waste-diverted",
                "single-use-plastic-removed",
                "food-waste-reduced",
                "ict-take-back",
            ),
            id="topic",
        ),
        pytest.param("FAIRTRADE", ("sustainable-food",), id="upper-case"),
        pytest.param("LONDON Living", ("llw-staff-share",), id="mixed-case"),
        pytest.param("  living   london ", ("llw-staff-share",), id="spaces-and-order"),
        pytest.param("apprentice", ("apprenticeship-weeks",), id="part-of-a-word"),
        pytest.param("fairtrade food", ("sustainable-food",), id="definition-and-title"),
        pytest.param("tonnes greenhouse", ("carbon-emissions-reported",), id="unit-and-title"),
        pytest.param("circular plastic", ("single-use-plastic-removed",), id="topic-and-title"),
        pytest.param(
            "modern slavery",
            ("supply-chain-due-diligence", "modern-slavery-training"),
            id="library-order",
        ),
        pytest.param("tonnes plastic", (), id="every-word-must-match"),
        pytest.param("zzqxj", (), id="nonsense"),
        pytest.param("london zzqxj", (), id="one-nonsense-word"),
    ],
)
def test_search(query: str, codes: tuple[str, ...]) -> None:
    assert tuple(kpi.code for kpi in search(LIBRARY, query, TOPICS)) == codes


def test_search_returns_the_library_s_kpis() -> None:
    assert search(LIBRARY, "", TOPICS) == LIBRARY.kpis
    assert search(LIBRARY, "zzqxj", TOPICS) == ()


def test_search_by_topic_needs_the_topic_s_name() -> None:
    assert search(LIBRARY, "circular", {}) == ()
    assert search(LIBRARY, "waste-circular", TOPICS) == ()  # the name is searched, not the code


@pytest.mark.parametrize(
    ("then", "confirm"),
    [("90", False), ("95", True), ("unknown", True), ("baseline", True), (None, False)],
    ids=[
        "same-suggestion",
        "suggestion-changed",
        "edited-before-it-was-recorded",
        "was-baseline",
        "nothing-recorded",
    ],
)
def test_an_edited_target_whose_suggestion_changed_is_confirmed(
    then: str | None, confirm: bool
) -> None:
    """Secure contracts is suggested at 90% here: a target the lead set against another
    suggestion (or before suggestions were recorded) asks to be confirmed."""
    choice = Choice(KpiStatus.EDITED, Decimal(80), "", 2, then)
    built = task(choices={"llw-staff-share": accepted(), "secure-contracts": choice})
    row = built.row("secure-contracts")
    assert row.suggested.value == Decimal(90)
    assert row.target_to_confirm is confirm
    confirming = Problem(
        "kpi-secure-contracts",
        "Confirm your target for “Staff on secure contracts”: the suggested target has changed",
    )
    assert (confirming in built.problems) is confirm
    assert (built.status is TaskStatus.COMPLETED) is not confirm


def test_a_kpi_taken_out_of_the_library_shows_as_withdrawn_and_does_not_count() -> None:
    built = task(choices={"llw-staff-share": rejected("Paid already"),
                          "secure-contracts": rejected(),
                          "performance-rated": accepted()})  # fmt: skip
    assert [old.code for old in built.withdrawn] == ["performance-rated"]
    assert "council's own duty" in built.withdrawn[0].reason
    assert built.accepted_count == 0
    assert NONE_ACCEPTED in built.problems
    assert "performance-rated" not in {row.kpi.code for row in built.rows}
