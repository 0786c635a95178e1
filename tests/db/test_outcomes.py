"""Outcomes against KPIs through the service, on both databases (issue 21): reports by period,
corrections kept as versions, overdue periods, ratings suggested and confirmed, and KPIs that
follow their code across revisions of the assessment.

The contract (tests/support/outcomes.py) starts on 1 January 2025 for 36 months; "waste-diverted"
is reported quarterly against the lead's target of 70 (% of waste by weight). The council's
defaults (migration 0026): 30 days to report, 10% short is approaching target, 25% short
requires improvement."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import Session, select

from app.errors import InvalidInput, PrimasError
from app.models import OutcomeVersion, PerformanceRating, Procurement, Role, User
from app.scoring.performance import Bands, Period, Rating
from app.services import approvals, assessments, contract_kpis, kpis, outcome_reports, outcomes
from app.services.audit import Actor
from app.services.outcome_reports import NewOutcome, PeriodTaken
from app.timeutil import london_today
from tests.support.catalogue import shipped
from tests.support.factories import complete_draft, make_draft, make_reference_value, make_user
from tests.support.outcome_cases import CASES, IDS, Case
from tests.support.outcomes import Contract, approve, approved_contract

TODAY = date(2026, 12, 6)
Q1 = (date(2025, 1, 1), date(2025, 3, 31))


@pytest.fixture
def contract(session: Session) -> Contract:
    return approved_contract(session)


def lead(contract: Contract) -> Actor:
    return Actor.of(contract.lead)


def test_the_approval_sets_the_contract_kpis(contract: Contract) -> None:
    waste = contract.kpis["waste-diverted"]
    found = (waste.code, waste.unit, waste.frequency, waste.target, waste.better, waste.revision)
    assert found == ("waste-diverted", "% of waste by weight", "quarterly", "70", "higher", 1)
    assert "local-sme-spend" not in contract.kpis  # not chosen for this contract


def test_a_report_is_kept_with_who_made_it_and_the_target_then(
    session: Session, contract: Contract
) -> None:
    waste = contract.kpis["waste-diverted"]
    report = outcome_reports.report(
        session, lead(contract), waste, NewOutcome(*Q1, " 64.50 ", "  Two sites late.  "), TODAY
    )
    found = outcomes.outcomes_of(session, waste, TODAY)
    [view] = found.reports
    assert view.report.id == report.id and view.period == Period(*Q1)
    assert (view.latest.actual, view.latest.commentary, view.latest.target) == (
        "64.5",
        "Two sites late.",
        "70",
    )
    assert view.latest.reported_by == contract.lead.email
    # 64.5 against at least 70 is 7.9% short: approaching target, until an editor says otherwise.
    assert view.suggestion.rating == Rating.APPROACHING and view.rating == Rating.APPROACHING
    assert view.confirmed is None


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_rules_for_a_report(session: Session, contract: Contract, case: Case) -> None:
    """The table the API's and the form's tests use too (tests/support/outcome_cases.py)."""
    waste = contract.kpis["waste-diverted"]
    outcome = NewOutcome(case.start, case.end, case.actual, case.commentary)
    if not case.refused:
        outcome_reports.report(session, lead(contract), waste, outcome, london_today())
        [view] = outcomes.outcomes_of(session, waste, london_today()).reports
        assert view.latest.actual == case.actual.replace(",", "")
        return
    with pytest.raises(InvalidInput) as refused:
        outcome_reports.report(session, lead(contract), waste, outcome, london_today())
    assert set(refused.value.errors) == case.refused


def test_a_second_report_for_any_day_of_a_period_is_refused(
    session: Session, contract: Contract
) -> None:
    waste = contract.kpis["waste-diverted"]
    first = outcome_reports.report(session, lead(contract), waste, NewOutcome(*Q1, "70"), TODAY)
    for start, end in [Q1, (date(2025, 3, 31), date(2025, 4, 30)),
                       (date(2024, 12, 1), date(2025, 1, 1))]:  # fmt: skip
        with pytest.raises(PeriodTaken) as taken:
            outcome_reports.report(
                session, lead(contract), waste, NewOutcome(start, end, "71"), TODAY
            )
        assert taken.value.status == 409 and taken.value.existing.id == first.id
    # The next day on, and the same period of another KPI, are fine.
    outcome_reports.report(
        session, lead(contract), waste, NewOutcome(date(2025, 4, 1), date(2025, 6, 30), "71"), TODAY
    )
    outcome_reports.report(
        session, lead(contract), contract.kpis["llw-staff-share"], NewOutcome(*Q1, "100"), TODAY
    )
    assert len(outcomes.outcomes_of(session, waste, TODAY).reports) == 2


def test_a_correction_is_a_new_version_and_the_old_is_kept(
    session: Session, contract: Contract
) -> None:
    waste = contract.kpis["waste-diverted"]
    report = outcome_reports.report(session, lead(contract), waste, NewOutcome(*Q1, "50"), TODAY)
    with pytest.raises(InvalidInput) as refused:
        outcome_reports.correct(session, lead(contract), waste, report, 1,
                                NewOutcome(None, None, "x"), " ", TODAY)  # fmt: skip
    assert set(refused.value.errors) == {"actual", "reason"}
    outcome_reports.correct(
        session,
        lead(contract),
        waste,
        report,
        1,
        NewOutcome(None, None, "69", "Late tonnage added."),
        "Invoices came late.",
        TODAY,
    )
    [view] = outcomes.outcomes_of(session, waste, TODAY).reports
    assert [(v.version, v.actual, v.correction_reason) for v in view.versions] == [
        (1, "50", ""),
        (2, "69", "Invoices came late."),
    ]
    assert view.period == Period(*Q1)  # the period stays
    assert view.suggestion.rating == Rating.APPROACHING  # from the latest: 69 against 70
    # A correction made from version 1 again is refused: it would hide version 2.
    with pytest.raises(PrimasError) as stale:
        outcome_reports.correct(
            session, lead(contract), waste, report, 1, NewOutcome(None, None, "40"), "Typo", TODAY
        )
    assert stale.value.status == 409
    assert len(session.exec(select(OutcomeVersion)).all()) == 2


def test_overdue_periods_follow_the_frequency_from_the_contract_start(
    session: Session, contract: Contract
) -> None:
    waste = contract.kpis["waste-diverted"]  # quarterly
    training = contract.kpis["modern-slavery-training"]  # annually
    found = outcomes.outcomes_of(session, waste, TODAY)
    # Quarters ended by 6 November 2026 (30 days before today): Q1 2025 to Q3 2026.
    assert [(p.start, p.end) for p in found.overdue] == [
        (date(2025, 1, 1), date(2025, 3, 31)), (date(2025, 4, 1), date(2025, 6, 30)),
        (date(2025, 7, 1), date(2025, 9, 30)), (date(2025, 10, 1), date(2025, 12, 31)),
        (date(2026, 1, 1), date(2026, 3, 31)), (date(2026, 4, 1), date(2026, 6, 30)),
        (date(2026, 7, 1), date(2026, 9, 30)),
    ]  # fmt: skip
    assert len(found.scheduled) == 12
    outcome_reports.report(session, lead(contract), waste, NewOutcome(*Q1, "70"), TODAY)
    assert outcomes.outcomes_of(session, waste, TODAY).overdue[0].start == date(2025, 4, 1)
    assert [(p.start, p.end) for p in outcomes.outcomes_of(session, training, TODAY).overdue] == [
        (date(2025, 1, 1), date(2025, 12, 31))
    ]
    # On the 30th day after Q3 2026 ended it is not yet overdue.
    assert outcomes.outcomes_of(session, waste, date(2026, 10, 30)).overdue[-1].end == date(
        2026, 6, 30
    )


def test_an_editor_confirms_the_suggested_rating_or_changes_it_with_a_reason(
    session: Session, contract: Contract
) -> None:
    waste = contract.kpis["waste-diverted"]
    report = outcome_reports.report(session, lead(contract), waste, NewOutcome(*Q1, "56"), TODAY)
    view = outcomes.report_view(session, waste, report, TODAY)
    assert view.suggestion.rating == Rating.REQUIRES_IMPROVEMENT  # 20% short
    with pytest.raises(InvalidInput) as refused:
        outcome_reports.rate(
            session, contract.lead, waste, report, 1, "inadequate", "", TODAY, seen_rating=None
        )
    assert set(refused.value.errors) == {"reason"}
    with pytest.raises(InvalidInput):
        outcome_reports.rate(
            session, contract.lead, waste, report, 1, "excellent", "", TODAY, seen_rating=None
        )
    first = outcome_reports.rate(
        session,
        contract.lead,
        waste,
        report,
        1,
        "requires-improvement",
        "",
        TODAY,
        seen_rating=None,
    )
    # A second editor who opened the page before that rating is told, and nothing is saved.
    with pytest.raises(PrimasError) as crossed:
        outcome_reports.rate(
            session, contract.lead, waste, report, 1, "inadequate", "Poor", TODAY, seen_rating=None
        )
    assert crossed.value.status == 409 and crossed.value.extra["rated"] == first.id
    outcome_reports.rate(
        session,
        contract.lead,
        waste,
        report,
        1,
        "inadequate",
        "Third quarter running below target.",
        TODAY,
        seen_rating=first.id,
    )
    view = outcomes.report_view(session, waste, report, TODAY)
    assert view.confirmed == Rating.INADEQUATE and view.rating == Rating.INADEQUATE
    assert len(session.exec(select(PerformanceRating)).all()) == 2  # history kept
    # A correction after the rating: the rating was of version 1, so the suggestion stands
    # until an editor rates version 2; a rating from a page showing version 1 is refused.
    outcome_reports.correct(
        session, lead(contract), waste, report, 1, NewOutcome(None, None, "70"), "Recounted", TODAY
    )
    view = outcomes.report_view(session, waste, report, TODAY)
    assert view.confirmed is None and view.rating == Rating.GOOD
    assert view.rated is not None and view.rated.report_version == 1
    with pytest.raises(PrimasError) as stale:
        outcome_reports.rate(
            session, contract.lead, waste, report, 1, "good", "", TODAY, seen_rating=view.rated.id
        )
    assert stale.value.status == 409


def test_reports_follow_the_kpi_across_revisions(session: Session, contract: Contract) -> None:
    """Amended and approved again, the KPI is the same one, in force at the new revision, with
    its reports; each report keeps the target it was reported against."""
    waste = contract.kpis["waste-diverted"]
    outcome_reports.report(session, lead(contract), waste, NewOutcome(*Q1, "66"), TODAY)
    procurement = contract.procurement
    in_force = approvals.in_force(session, procurement)
    assert in_force is not None
    amended = approvals.amend(session, contract.lead, procurement, in_force)
    draft = assessments.load(session, amended, shipped())
    approve(session, contract.lead, contract.approver, procurement, draft)
    again = {kpi.key: kpi for kpi in contract_kpis.contract_kpis(session, procurement)}
    assert again["waste-diverted"].id == waste.id and again["waste-diverted"].revision == 2
    found = outcomes.outcomes_of(session, again["waste-diverted"], TODAY)
    assert found.in_force and [v.latest.actual for v in found.reports] == ["66"]


def test_no_reports_once_withdrawn_or_out_of_force(session: Session, contract: Contract) -> None:
    waste = contract.kpis["waste-diverted"]
    waste.revision = 0  # as if a later approved revision had dropped it
    session.add(waste)
    session.commit()
    with pytest.raises(PrimasError) as dropped:
        outcome_reports.report(session, lead(contract), waste, NewOutcome(*Q1, "70"), TODAY)
    assert dropped.value.title == "This KPI is no longer in the contract"
    llw = contract.kpis["llw-staff-share"]
    procurement = session.get(Procurement, contract.procurement.id)
    assert procurement is not None
    procurement.status = "withdrawn"
    session.add(procurement)
    session.commit()
    with pytest.raises(PrimasError) as withdrawn:
        outcome_reports.report(session, lead(contract), llw, NewOutcome(*Q1, "100"), TODAY)
    assert withdrawn.value.status == 409


def test_a_correction_keeps_the_target_it_was_first_reported_against(
    session: Session, contract: Contract
) -> None:
    waste = contract.kpis["waste-diverted"]
    report = outcome_reports.report(session, lead(contract), waste, NewOutcome(*Q1, "64"), TODAY)
    waste.target = "50"  # as an amendment approved since would set it
    session.add(waste)
    session.commit()
    outcome_reports.correct(
        session, lead(contract), waste, report, 1, NewOutcome(None, None, "65"), "Recounted", TODAY
    )
    view = outcomes.report_view(session, waste, report, TODAY)
    assert [v.target for v in view.versions] == ["70", "70"]
    assert view.suggestion.rating == Rating.APPROACHING  # 65 against 70, not against 50


def test_text_is_cleaned_as_the_forms_clean_it(session: Session, contract: Contract) -> None:
    waste = contract.kpis["waste-diverted"]
    typed = NewOutcome(*Q1, "70", "Bins\x00 emptied\r\nweekly")
    report = outcome_reports.report(session, lead(contract), waste, typed, TODAY)
    outcome_reports.correct(
        session,
        lead(contract),
        waste,
        report,
        1,
        NewOutcome(None, None, "71", "ok"),
        "Late\x00 data",
        TODAY,
    )
    versions = outcomes.report_view(session, waste, report, TODAY).versions
    assert (versions[0].commentary, versions[1].correction_reason) == (
        "Bins emptied\nweekly",
        "Late data",
    )


def test_a_kpi_out_of_force_is_not_rated(session: Session, contract: Contract) -> None:
    waste = contract.kpis["waste-diverted"]
    report = outcome_reports.report(session, lead(contract), waste, NewOutcome(*Q1, "70"), TODAY)
    waste.revision = 0
    session.add(waste)
    session.commit()
    with pytest.raises(PrimasError) as refused:
        outcome_reports.rate(
            session, contract.lead, waste, report, 1, "good", "", TODAY, seen_rating=None
        )
    assert refused.value.status == 409


def test_bands_that_cross_are_read_nested(session: Session, contract: Contract) -> None:
    """Admin > Reference data refuses them; any stored before that are read the right way
    round rather than failing every page."""
    make_reference_value(session, key="rating_approaching_within", amount=3000,
                         effective_from=date(2026, 12, 1))  # fmt: skip
    assert outcomes.bands(session, TODAY) == Bands(approaching_within=2500, improvement_within=3000)


def test_two_own_kpis_of_one_title_are_refused_and_never_break_an_approval(
    session: Session, contract: Contract
) -> None:
    draft = make_draft(session)
    lead_user = session.get(User, draft.created_by_id)
    assert lead_user is not None
    loaded = assessments.load(session, draft, shipped())
    first = kpis.OwnKpi("Local jobs created", "people", Decimal(5), "quarterly", "Payroll")
    assert kpis.save_custom(session, lead_user, loaded, None, first, 0).saved
    again = kpis.OwnKpi("local  JOBS created", "people", Decimal(6), "annually", "Payroll")
    with pytest.raises(InvalidInput) as refused:
        kpis.save_custom(session, lead_user, assessments.load(session, draft, shipped()), None,
                         again, 0)  # fmt: skip
    assert list(refused.value.errors) == ["title"]
    # A record from before titles had to differ still approves: the two share one KPI.
    own = {"code": None, "unit": "people", "frequency": "quarterly", "decision": "own",
           "target": 5, "baseline": False, "reason": ""}  # fmt: skip
    content = {"kpis": [own | {"title": "Local jobs created"},
                        own | {"title": "local  JOBS created", "target": 6}]}  # fmt: skip
    contract_kpis.record_approved(
        session, contract.procurement.id or 0, 1, content, shipped().kpis, TODAY
    )
    session.commit()
    [shared] = [
        k
        for k in contract_kpis.contract_kpis(session, contract.procurement)
        if k.key == "own:local jobs created"
    ]
    assert shared.target == "6"


def test_an_own_kpi_with_a_ceiling_is_rated_that_way(session: Session) -> None:
    """The lead's own KPI in tonnes, better below its target of 5: 5.5 is 10% over, approaching
    target; 4 is good."""
    approver = make_user(session, Role.APPROVER)
    procurement, draft = complete_draft(session)
    lead_user = session.get(User, procurement.lead_officer_id)
    assert lead_user is not None
    own = kpis.OwnKpi("Emissions from deliveries", "tonnes of CO2 equivalent", Decimal(5),
                      "quarterly", "Fuel receipts", "lower")  # fmt: skip
    assert kpis.save_custom(session, lead_user, draft, None, own, 0).saved
    approve(session, lead_user, approver, procurement, assessments.load(
        session, draft.assessment, shipped()))  # fmt: skip
    [emissions] = [k for k in contract_kpis.contract_kpis(session, procurement) if k.code is None]
    assert (emissions.key, emissions.better, emissions.target) == (
        "own:emissions from deliveries",
        "lower",
        "5",
    )
    actor = Actor.of(lead_user)
    over = outcome_reports.report(session, actor, emissions, NewOutcome(*Q1, "5.5"), TODAY)
    q2 = NewOutcome(date(2025, 4, 1), date(2025, 6, 30), "4")
    under = outcome_reports.report(session, actor, emissions, q2, TODAY)
    assert outcomes.report_view(session, emissions, over, TODAY).suggestion.rating == (
        Rating.APPROACHING
    )
    assert outcomes.report_view(session, emissions, under, TODAY).suggestion.rating == Rating.GOOD


def test_a_kpi_an_amendment_adds_is_due_from_the_day_it_was_approved(
    session: Session, contract: Contract
) -> None:
    """Approved on 15 February 2026, a year into the contract: its quarters before that are not
    overdue; the quarter it was approved in is."""
    waste = contract.kpis["waste-diverted"]
    waste.since = date(2026, 2, 15)
    session.add(waste)
    session.commit()
    found = outcomes.outcomes_of(session, waste, TODAY)
    assert [(p.start, p.end) for p in found.overdue] == [
        (date(2026, 1, 1), date(2026, 3, 31)), (date(2026, 4, 1), date(2026, 6, 30)),
        (date(2026, 7, 1), date(2026, 9, 30)),
    ]  # fmt: skip


def test_an_approval_records_when_each_kpi_joined_the_contract(
    session: Session, contract: Contract
) -> None:
    """A new KPI is in the contract from its approval's day; one already there keeps its day."""
    content = {"kpis": [
        {"code": "waste-diverted", "title": "Waste", "unit": "%", "frequency": "quarterly",
         "decision": "accepted", "target": 75, "baseline": False, "reason": ""},
        {"code": "local-sme-spend", "title": "Local SME spend", "unit": "% of spend",
         "frequency": "quarterly", "decision": "accepted", "target": 20, "baseline": False,
         "reason": ""},
    ]}  # fmt: skip
    before = contract.kpis["waste-diverted"].since
    contract_kpis.record_approved(session, contract.procurement.id or 0, 2, content,
                                  shipped().kpis, date(2026, 11, 2))  # fmt: skip
    session.commit()
    found = {k.key: k for k in contract_kpis.contract_kpis(session, contract.procurement)}
    assert (found["waste-diverted"].since, found["waste-diverted"].target) == (before, "75")
    assert found["local-sme-spend"].since == date(2026, 11, 2)
