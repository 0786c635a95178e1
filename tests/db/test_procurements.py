"""Procurement records: validation, references, edit conflicts, ownership and what they owe."""

from dataclasses import replace
from datetime import date

import pytest
from sqlmodel import Session, select

from app.errors import InvalidInput
from app.models import AuditEvent, Procurement, Role
from app.services import procurements
from app.services.procurement_form import ProcurementFacts, ProcurementValues, validate
from app.services.reference_data import add_reference_value
from app.web.procurement_input import ProcurementInput, merged, page_errors
from tests.support.factories import (
    make_procurement,
    make_user,
    procurement_facts,
    procurement_form_data,
    procurement_input,
)

NEXT_YEAR = date.today().year + 1


def checked(session: Session, raw: ProcurementInput) -> ProcurementValues:
    """The values the form gives, read as the page reads it and checked by the service, with
    any errors by form field, as the page shows them."""
    try:
        return validate(session, raw.facts(session))
    except InvalidInput as invalid:
        raise InvalidInput(page_errors(invalid.errors)) from None


def errors_for(session: Session, **typed: str) -> dict[str, str]:
    with pytest.raises(InvalidInput) as refused:
        checked(session, procurement_input(**typed))
    return refused.value.errors


def test_a_valid_form_becomes_values(session: Session) -> None:
    values = checked(session, procurement_input(value="£1,250,000.50", extension_months=""))
    assert values.value_pence == 125_000_050
    assert values.extension_months == 0
    assert values.planned_tender_date == date(NEXT_YEAR, 3, 1)


def test_an_empty_form_lists_every_required_field_in_page_order(session: Session) -> None:
    with pytest.raises(InvalidInput) as refused:
        checked(session, ProcurementInput())
    assert refused.value.errors == {
        "title": "Enter a title",
        "description": "Enter a description of what is being bought",
        "directorate": "Select the directorate",
        "category": "Select the category of spend",
        "contract_type": "Select the type of contract",
        "light_touch": "Select yes if the light-touch regime applies",
        "framework": (
            "Select whether it sets up a framework agreement, calls off from one, or neither"
        ),
        "value": "Enter the whole-life value",
        "term_months": "Enter the contract term",
        "tender": "Enter the planned tender date",
        "start": "Enter the expected contract start date",
        "delivery_location": "Select where the contract will be delivered",
    }


@pytest.mark.parametrize(
    ("typed", "field", "message"),
    [
        ({"title": "x" * 201}, "title", "Title must be 200 characters or fewer"),
        ({"description": "x" * 4001}, "description", "4,000 characters or fewer"),
        ({"directorate": "ministry-of-magic"}, "directorate", "Select the directorate"),
        ({"category": "dragons"}, "category", "Select the category of spend"),
        ({"contract_type": "loans"}, "contract_type", "Select the type of contract"),
        ({"light_touch": "maybe"}, "light_touch", "Select yes if the light-touch regime applies"),
        (
            {"light_touch": "yes", "contract_type": "goods"},
            "light_touch",
            "only to services contracts",
        ),
        ({"framework": ""}, "framework", "Select whether it sets up a framework agreement"),
        ({"framework": "yes"}, "framework", "Select whether it sets up a framework agreement"),
        ({"framework": "call-off"}, "framework_name", "Enter the name of the framework it calls"),
        (
            {"framework": "call-off", "framework_name": "   "},
            "framework_name",
            "Enter the name of the framework",
        ),
        (
            {"framework": "call-off", "framework_name": "x" * 201},
            "framework_name",
            "The framework's name must be 200 characters or fewer",
        ),
        ({"value": "0"}, "value", "must be more than £0"),
        ({"value": "-1"}, "value", "must be more than £0"),
        ({"value": "20,000,000,000"}, "value", "£10,000,000,000 or less"),
        ({"value": "12.345"}, "value", "no more than 2 decimal places"),
        ({"term_months": "0"}, "term_months", "must be 1 month or more"),
        ({"term_months": "241"}, "term_months", "240 months or fewer"),
        ({"extension_months": "-1"}, "extension_months", "must be a whole number"),
        ({"extension_months": "241"}, "extension_months", "240 months or fewer"),
        ({"tender_day": "30", "tender_month": "2"}, "tender", "must be a real date"),
        ({"tender_year": "1999"}, "tender", "between 2000 and 2100"),
        ({"start_month": ""}, "start", "must include a month"),
        (
            {"start_month": "1", "start_year": str(NEXT_YEAR)},  # before the March tender
            "start",
            "the same as or after the planned tender date",
        ),
        ({"delivery_location": "mars"}, "delivery_location", "Select where the contract"),
    ],
)
def test_each_rule(session: Session, typed: dict[str, str], field: str, message: str) -> None:
    errors = errors_for(session, **typed)
    assert list(errors) == [field]
    assert message in errors[field]


def test_inactive_categories_and_directorates_cannot_be_chosen(session: Session) -> None:
    from app.models import Category

    cleaning = session.exec(select(Category).where(Category.code == "cleaning")).one()
    cleaning.active = False
    session.commit()
    assert "category" in errors_for(session)


@pytest.mark.parametrize(
    ("framework", "typed_name", "stored_name"),
    [
        ("call-off", "  London   Construction Programme ", "London Construction Programme"),
        ("setting-up", "Ignored", ""),  # only a call-off names the framework it comes from
        ("none", "Ignored", ""),
    ],
)
def test_a_call_off_keeps_the_framework_s_name(
    session: Session, framework: str, typed_name: str, stored_name: str
) -> None:
    values = checked(session, procurement_input(framework=framework, framework_name=typed_name))
    assert (values.framework, values.framework_name) == (framework, stored_name)


def test_tender_and_start_may_be_the_same_day(session: Session) -> None:
    values = checked(session, procurement_input(start_month="3"))
    assert values.planned_tender_date == values.expected_start_date


def test_references_are_generated_in_sequence_and_unique(session: Session) -> None:
    first = make_procurement(session)
    second = make_procurement(session)
    year = date.today().year
    assert first.reference == f"PRC-{year}-0001"
    assert second.reference == f"PRC-{year}-0002"


def test_creating_records_the_author_as_lead_officer_and_audits(session: Session) -> None:
    lead = make_user(session, Role.LEAD)
    procurement = make_procurement(session, lead)
    assert procurement.lead_officer_id == lead.id
    assert procurement.created_by_id == lead.id
    assert procurement.version == 1
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "procurement.created")).one()
    assert event.actor_email == lead.email
    assert event.entity_id == str(procurement.id)


def test_annual_value(session: Session) -> None:
    procurement = make_procurement(
        session, value="600,000", term_months="36", extension_months="24"
    )
    assert procurement.annual_value_pence == 12_000_000  # £600,000 over 5 years
    short = make_procurement(session, value="90,000", term_months="6", extension_months="0")
    assert short.annual_value_pence == 9_000_000  # under 12 months: the whole value


def test_editing_bumps_the_version(session: Session) -> None:
    lead = make_user(session, Role.LEAD)
    procurement = make_procurement(session, lead)
    base = procurement_facts(session)
    procurements.update(session, lead, procurement, procurement_facts(session, title="New title"),
                        version=1, base=base)  # fmt: skip
    assert procurement.title == "New title"
    assert procurement.version == 2
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "procurement.updated")).one()
    assert event.detail["changed"] == ["title"]


def test_an_edit_to_an_older_version_is_a_conflict_showing_their_changes(session: Session) -> None:
    lead = make_user(session, Role.LEAD)
    colleague = make_user(session, Role.LEAD)
    procurement = make_procurement(session, lead)
    opened = procurement_input()  # what both saw when they opened the form
    procurements.update(session, colleague, procurement,
                        procurement_facts(session, value="300,000", title="Their title"),
                        version=1, base=opened.facts(session))  # fmt: skip
    mine = procurement_input(value="275,000")
    with pytest.raises(procurements.EditConflict) as conflict:
        procurements.update(session, lead, procurement, mine.facts(session), version=1,
                            base=opened.facts(session))  # fmt: skip
    changes = {change.field: change for change in conflict.value.changes}
    assert set(changes) == {"title", "value_pence"}
    value, title = changes["value_pence"], changes["title"]
    assert (value.was, value.theirs, value.in_form, value.you_changed) == (
        "£250,000",
        "£300,000",
        "£275,000",
        True,
    )
    assert (title.was, title.theirs, title.in_form, title.you_changed) == (
        "Cleaning of council offices",
        "Their title",
        "Their title",
        False,
    )
    # The form shown again holds both: their title, and the value this editor typed.
    theirs = ProcurementInput.from_procurement(conflict.value.current, session)
    shown = merged(mine, opened, theirs)
    assert (shown.title, shown.value) == ("Their title", "275,000")
    session.refresh(procurement)
    assert procurement.value_pence == 30_000_000  # nothing was overwritten
    # Saving the form as shown keeps their title and applies this editor's value.
    procurements.update(session, lead, procurement, shown.facts(session),
                        version=conflict.value.current.version,
                        base=theirs.facts(session))  # fmt: skip
    assert (procurement.title, procurement.value_pence) == ("Their title", 27_500_000)


def test_a_newer_version_that_changed_no_field_of_the_form_is_no_conflict(
    session: Session,
) -> None:
    lead = make_user(session, Role.LEAD)
    approver = make_user(session, Role.APPROVER)
    new_lead = make_user(session, Role.LEAD)
    procurement = make_procurement(session, lead)
    procurements.reassign_lead_officer(session, approver, procurement, new_lead.id)
    assert procurement.version == 2
    procurements.update(session, lead, procurement, procurement_facts(session, title="Retitled"),
                        version=1, base=procurement_facts(session))  # fmt: skip
    assert (procurement.title, procurement.lead_officer_id) == ("Retitled", new_lead.id)


def test_a_conflict_we_cannot_describe_keeps_everything_typed(session: Session) -> None:
    lead = make_user(session, Role.LEAD)
    procurement = make_procurement(session, lead)
    procurements.update(session, lead, procurement, procurement_facts(session, title="Elsewhere"),
                        version=1, base=procurement_facts(session))  # fmt: skip
    mine = procurement_facts(session, title="Mine")
    with pytest.raises(procurements.EditConflict) as conflict:
        # The form's starting values did not come back: nothing to tell what changed from.
        procurements.update(session, lead, procurement, mine, version=1,
                            base=ProcurementInput().started_from())  # fmt: skip
    assert conflict.value.changes == []  # so the page keeps everything typed
    assert procurement.title == "Elsewhere"


def test_a_save_racing_another_is_caught_by_the_database(session: Session, engine) -> None:  # type: ignore[no-untyped-def]
    lead = make_user(session, Role.LEAD)
    procurement = make_procurement(session, lead)
    # Another worker saves between this one's version check and its write.
    with Session(engine) as other:
        theirs = other.get(Procurement, procurement.id)
        assert theirs is not None
        theirs.title = "Saved elsewhere"
        other.commit()
    with pytest.raises(procurements.EditConflict) as conflict:
        procurements.update(session, lead, procurement, procurement_facts(session, title="Mine"),
                            version=1, base=procurement_facts(session))  # fmt: skip
    assert conflict.value.current.title == "Saved elsewhere"
    [change] = conflict.value.changes
    assert change.field == "title"
    assert change.you_changed  # both changed it: the form keeps the editor's entry
    theirs = ProcurementInput.from_procurement(conflict.value.current, session)
    assert merged(procurement_input(title="Mine"), procurement_input(), theirs).title == "Mine"


def test_who_may_edit(session: Session) -> None:
    lead = make_user(session, Role.LEAD)
    colleague = make_user(session, Role.LEAD)
    stranger = make_user(session, Role.LEAD)
    approver = make_user(session, Role.APPROVER)
    admin = make_user(session, Role.ADMIN)
    procurement = make_procurement(session, lead)
    procurements.add_collaborator(session, lead, procurement, colleague.id)
    allowed = {user.email for user in (lead, colleague, stranger, approver, admin)
               if procurements.can_edit(session, user, procurement)}  # fmt: skip
    assert allowed == {lead.email, colleague.email, admin.email}
    assert procurements.can_reassign(approver) and procurements.can_reassign(admin)
    assert not procurements.can_reassign(lead)
    assert procurements.is_lead_officer_or_admin(lead, procurement)
    assert not procurements.is_lead_officer_or_admin(colleague, procurement)


def test_collaborators(session: Session) -> None:
    lead = make_user(session, Role.LEAD)
    colleague = make_user(session, Role.LEAD, name="Aisha Khan")
    admin_only = make_user(session, Role.ADMIN)
    procurement = make_procurement(session, lead)
    procurements.add_collaborator(session, lead, procurement, colleague.id)
    assert [u.name for u in procurements.collaborators(session, procurement)] == ["Aisha Khan"]
    for refused in (colleague.id, lead.id, admin_only.id, 999, None):
        with pytest.raises(InvalidInput):
            procurements.add_collaborator(session, lead, procurement, refused)
    assert procurements.remove_collaborator(session, lead, procurement, colleague.id or 0)
    assert procurements.collaborators(session, procurement) == []
    assert not procurements.remove_collaborator(session, lead, procurement, colleague.id or 0)
    actions = [e.action for e in session.exec(select(AuditEvent)).all()]
    assert "procurement_collaborator.created" in actions
    assert "procurement_collaborator.deleted" in actions


def test_reassigning_the_lead_officer(session: Session) -> None:
    lead = make_user(session, Role.LEAD)
    procurement = make_procurement(session, lead)
    approver = make_user(session, Role.APPROVER)
    new_lead = make_user(session, Role.LEAD)
    procurements.add_collaborator(session, lead, procurement, new_lead.id)
    procurements.reassign_lead_officer(session, approver, procurement, new_lead.id)
    assert procurement.lead_officer_id == new_lead.id
    assert procurements.collaborators(session, procurement) == []  # lead now, not collaborator
    version = procurement.version
    procurements.reassign_lead_officer(session, approver, procurement, new_lead.id)
    assert procurement.version == version  # the same person again changes nothing
    with pytest.raises(InvalidInput):
        procurements.reassign_lead_officer(session, approver, procurement, None)


def test_everyone_who_had_a_hand_stays_recorded_for_approval(session: Session) -> None:
    """An approver who makes themselves the lead officer, then gives it back, has had a hand
    in the procurement: approval (issue 18) refuses everyone recorded here."""
    lead = make_user(session, Role.LEAD)
    procurement = make_procurement(session, lead)
    assert procurements.involved_user_ids(session, procurement) == {lead.id}
    colleague = make_user(session, Role.LEAD)
    approver = make_user(session, Role.APPROVER)
    bystander = make_user(session, Role.APPROVER)
    procurements.add_collaborator(session, lead, procurement, colleague.id)
    procurements.reassign_lead_officer(session, approver, procurement, approver.id)  # themselves
    procurements.reassign_lead_officer(session, approver, procurement, lead.id)  # and back
    assert procurements.remove_collaborator(session, lead, procurement, colleague.id)
    involved = procurements.involved_user_ids(session, procurement)
    assert involved == {lead.id, colleague.id, approver.id}
    assert bystander.id not in involved  # reassigning others leaves no mark of its own


def test_references_keep_counting_past_9999(session: Session) -> None:
    procurement = make_procurement(session)
    year = date.today().year
    procurement.reference = f"PRC-{year}-9999"
    session.commit()
    assert make_procurement(session).reference == f"PRC-{year}-10000"
    assert make_procurement(session).reference == f"PRC-{year}-10001"


def test_text_is_cleaned_before_it_is_stored(session: Session) -> None:
    form = {"title": "Nul\x00 byte", "description": "Line one\r\nLine two"}
    raw = ProcurementInput.from_form(procurement_form_data(**form))
    values = checked(session, raw)
    assert values.title == "Nul byte"
    assert values.description == "Line one\nLine two"


def test_the_description_limit_counts_a_line_break_once(session: Session) -> None:
    text = ("x" * 99 + "\r\n") * 40  # 4,000 characters as the page counts them
    raw = ProcurementInput.from_form(procurement_form_data(description=text.strip()))
    assert len(checked(session, raw).description) <= 4000


def test_withdrawing_keeps_the_record(session: Session) -> None:
    lead = make_user(session, Role.LEAD)
    procurement = make_procurement(session, lead)
    with pytest.raises(InvalidInput, match="why"):
        procurements.withdraw(session, lead, procurement, "   ")
    procurements.withdraw(session, lead, procurement, "Recorded twice by mistake")
    session.expire_all()
    stored = session.get(Procurement, procurement.id)
    assert stored is not None
    assert (stored.status, stored.withdrawn_reason) == ("withdrawn", "Recorded twice by mistake")
    assert not procurements.can_edit(session, lead, stored)


@pytest.mark.parametrize(
    ("value", "applies"), [("99,999.99", False), ("100,000.00", True), ("100,000.01", True)]
)
def test_what_it_owes_at_the_line(session: Session, value: str, applies: bool) -> None:
    procurement = make_procurement(session, value=value)
    owed = procurements.what_it_owes(session, procurement)
    assert owed.applies is applies
    assert owed.title == ("PRIMAS required" if applies else "Think Local")


def test_an_admin_raising_the_threshold_changes_the_outcome(session: Session) -> None:
    admin = make_user(session, Role.ADMIN)
    procurement = make_procurement(session, value="120,000")
    assert procurements.what_it_owes(session, procurement).applies
    add_reference_value(session, admin, key="primas_threshold",
                        effective_from=date(NEXT_YEAR, 1, 1), amount=15_000_000)  # fmt: skip
    owed = procurements.what_it_owes(session, procurement)  # tender is 1 March next year
    assert not owed.applies
    assert "£150,000" in owed.reason
    event = session.exec(
        select(AuditEvent).where(AuditEvent.action == "reference_value.created")
    ).one()
    assert event.actor_email == admin.email
    # A value taking effect after the tender date does not matter to it.
    later = make_procurement(session, value="120,000", tender_year=str(NEXT_YEAR - 1),
                             start_year=str(NEXT_YEAR - 1))  # fmt: skip
    assert procurements.what_it_owes(session, later).applies


def test_reference_values_are_checked(session: Session) -> None:
    admin = make_user(session, Role.ADMIN)
    with pytest.raises(InvalidInput) as refused:
        add_reference_value(session, admin, key="primas_threshold",
                            effective_from=date(2018, 1, 1), amount=0)  # fmt: skip
    assert set(refused.value.errors) == {"amount", "effective_from"}


def test_the_service_takes_typed_facts_and_names_the_facts_at_fault(session: Session) -> None:
    # What the API will send: no page's strings, and errors by the domain's field names.
    with pytest.raises(InvalidInput) as refused:
        validate(session, ProcurementFacts())
    assert list(refused.value.errors) == [
        "title", "description", "directorate", "category", "contract_type", "light_touch",
        "framework", "value_pence", "term_months", "planned_tender_date", "expected_start_date",
        "delivery_location",
    ]  # fmt: skip
    good = procurement_facts(session)
    wrong = replace(good, value_pence=0, term_months=241, light_touch=True,
                    contract_type="goods", expected_start_date=date(NEXT_YEAR, 2, 1))  # fmt: skip
    with pytest.raises(InvalidInput) as refused:
        validate(session, wrong)
    assert refused.value.errors == {
        "light_touch": "The light-touch regime applies only to services contracts",
        "value_pence": "The whole-life value must be more than £0",
        "term_months": "The contract term must be 240 months or fewer",
        "expected_start_date": (
            "Expected contract start date must be the same as or after the planned tender date"
        ),
    }
    assert validate(session, good).value_pence == 25_000_000
