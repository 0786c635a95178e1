"""Procurement records: validation, references, edit conflicts, ownership and what they owe."""

from datetime import date

import pytest
from sqlmodel import Session, select

from app.errors import InvalidInput
from app.models import AuditEvent, Procurement, Role
from app.services import procurements
from app.services.procurement_form import ProcurementInput, validate
from app.services.reference_data import add_reference_value
from tests.support.factories import (
    make_procurement,
    make_user,
    procurement_form_data,
    procurement_input,
)

NEXT_YEAR = date.today().year + 1


def errors_for(session: Session, **typed: str) -> dict[str, str]:
    with pytest.raises(InvalidInput) as refused:
        validate(session, procurement_input(**typed))
    return refused.value.errors


def test_a_valid_form_becomes_values(session: Session) -> None:
    values = validate(session, procurement_input(value="£1,250,000.50", extension_months=""))
    assert values.value_pence == 125_000_050
    assert values.extension_months == 0
    assert values.planned_tender_date == date(NEXT_YEAR, 3, 1)


def test_an_empty_form_lists_every_required_field_in_page_order(session: Session) -> None:
    with pytest.raises(InvalidInput) as refused:
        validate(session, ProcurementInput())
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
    values = validate(session, procurement_input(framework=framework, framework_name=typed_name))
    assert (values.framework, values.framework_name) == (framework, stored_name)


def test_tender_and_start_may_be_the_same_day(session: Session) -> None:
    values = validate(session, procurement_input(start_month="3"))
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
    base = procurement_input()
    procurements.update(session, lead, procurement, procurement_input(title="New title"),
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
                        procurement_input(value="300,000", title="Their title"), version=1,
                        base=opened)  # fmt: skip
    with pytest.raises(procurements.EditConflict) as conflict:
        procurements.update(session, lead, procurement,
                            procurement_input(value="275,000"), version=1, base=opened)  # fmt: skip
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
    assert conflict.value.merged.title == "Their title"
    assert conflict.value.merged.value == "275,000"
    session.refresh(procurement)
    assert procurement.value_pence == 30_000_000  # nothing was overwritten
    # Saving the form as shown keeps their title and applies this editor's value.
    procurements.update(session, lead, procurement, conflict.value.merged,
                        version=conflict.value.current.version,
                        base=ProcurementInput.from_procurement(procurement, session))  # fmt: skip
    assert (procurement.title, procurement.value_pence) == ("Their title", 27_500_000)


def test_a_newer_version_that_changed_no_field_of_the_form_is_no_conflict(
    session: Session,
) -> None:
    lead = make_user(session, Role.LEAD)
    approver = make_user(session, Role.APPROVER)
    new_lead = make_user(session, Role.LEAD)
    procurement = make_procurement(session, lead)
    procurements.reassign_lead_officer(session, approver, procurement, str(new_lead.id))
    assert procurement.version == 2
    procurements.update(session, lead, procurement, procurement_input(title="Retitled"),
                        version=1, base=procurement_input())  # fmt: skip
    assert (procurement.title, procurement.lead_officer_id) == ("Retitled", new_lead.id)


def test_a_conflict_we_cannot_describe_keeps_everything_typed(session: Session) -> None:
    lead = make_user(session, Role.LEAD)
    procurement = make_procurement(session, lead)
    procurements.update(session, lead, procurement, procurement_input(title="Elsewhere"),
                        version=1, base=procurement_input())  # fmt: skip
    mine = procurement_input(title="Mine")
    with pytest.raises(procurements.EditConflict) as conflict:
        procurements.update(session, lead, procurement, mine, version=1, base=ProcurementInput())
    assert conflict.value.changes == []
    assert conflict.value.merged == mine


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
        procurements.update(session, lead, procurement, procurement_input(title="Mine"),
                            version=1, base=procurement_input())  # fmt: skip
    assert conflict.value.current.title == "Saved elsewhere"
    assert [change.field for change in conflict.value.changes] == ["title"]
    assert conflict.value.merged.title == "Mine"  # both changed it: the editor's entry is kept


def test_who_may_edit(session: Session) -> None:
    lead = make_user(session, Role.LEAD)
    colleague = make_user(session, Role.LEAD)
    stranger = make_user(session, Role.LEAD)
    approver = make_user(session, Role.APPROVER)
    admin = make_user(session, Role.ADMIN)
    procurement = make_procurement(session, lead)
    procurements.add_collaborator(session, lead, procurement, str(colleague.id))
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
    procurements.add_collaborator(session, lead, procurement, str(colleague.id))
    assert [u.name for u in procurements.collaborators(session, procurement)] == ["Aisha Khan"]
    for refused in (str(colleague.id), str(lead.id), str(admin_only.id), "999", "x"):
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
    procurements.add_collaborator(session, lead, procurement, str(new_lead.id))
    procurements.reassign_lead_officer(session, approver, procurement, str(new_lead.id))
    assert procurement.lead_officer_id == new_lead.id
    assert procurements.collaborators(session, procurement) == []  # lead now, not collaborator
    version = procurement.version
    procurements.reassign_lead_officer(session, approver, procurement, str(new_lead.id))
    assert procurement.version == version  # the same person again changes nothing
    with pytest.raises(InvalidInput):
        procurements.reassign_lead_officer(session, approver, procurement, "")


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
    values = validate(session, raw)
    assert values.title == "Nul byte"
    assert values.description == "Line one\nLine two"


def test_the_description_limit_counts_a_line_break_once(session: Session) -> None:
    text = ("x" * 99 + "\r\n") * 40  # 4,000 characters as the page counts them
    raw = ProcurementInput.from_form(procurement_form_data(description=text.strip()))
    assert len(validate(session, raw).description) <= 4000


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
