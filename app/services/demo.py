"""Demo users and procurements, so a new machine has something to use. Never in production."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlmodel import Session, col, select

from app.models import Procurement, Role, User
from app.services import procurements
from app.services.accounts import create_user, find_user_by_email
from app.services.audit import SYSTEM
from app.services.procurement_form import ProcurementFacts


@dataclass(frozen=True)
class DemoUser:
    """A demo account whose sign-in details are printed by `make run` and in the README."""

    email: str
    name: str
    roles: tuple[Role, ...]
    password: str


DEMO_USERS = (
    DemoUser("lead@primas.example", "Priya Shah", (Role.LEAD,), "buyer-demo-password"),
    DemoUser("lead2@primas.example", "Tom Okafor", (Role.LEAD,), "second-buyer-demo-pass"),
    DemoUser("approver@primas.example", "Grace Mensah", (Role.APPROVER,), "signoff-demo-password"),
    DemoUser("admin@primas.example", "Sam Taylor", (Role.ADMIN,), "manager-demo-password"),
)


def load_demo_users(session: Session) -> list[tuple[DemoUser, bool]]:
    """Create any demo user that is missing; returns each with whether it was created now."""
    results = []
    for demo in DEMO_USERS:
        created = find_user_by_email(session, demo.email) is None
        if created:
            create_user(
                session,
                SYSTEM,
                name=demo.name,
                email=demo.email,
                roles=[role.value for role in demo.roles],
                password=demo.password,
                is_demo=True,
            )
        results.append((demo, created))
    return results


def demo_users_exist(session: Session) -> bool:
    """True when any demo account is in the database."""
    return session.exec(select(User.id).where(col(User.is_demo).is_(True))).first() is not None


@dataclass(frozen=True)
class DemoProcurement:
    """A sample procurement; dates are months from the day the demo data is loaded."""

    title: str
    description: str
    category: str
    directorate: str
    contract_type: str
    value: str  # in pounds, as a person writes them: "2,400,000", "99,999.99"
    term_months: int
    extension_months: int
    tender_in_months: int
    start_in_months: int
    location: str
    lead_email: str
    light_touch: bool = False
    framework: str = "none"  # or "setting-up", or "call-off" with framework_name
    framework_name: str = ""
    collaborator_email: str | None = None

    @property
    def value_pence(self) -> int:
        """The whole-life value in pence."""
        return int(Decimal(self.value.replace(",", "")) * 100)


DEMO_PROCUREMENTS = (
    DemoProcurement(
        "Cleaning of council offices and libraries",
        "Daily cleaning, washroom services and periodic deep cleans for the town hall, "
        "customer service centres and eight libraries.",
        "cleaning",
        "finance-corporate-resources",
        "services",
        "2,400,000",
        36,
        24,
        3,
        7,
        "in-borough",
        "lead@primas.example",
        collaborator_email="lead2@primas.example",
    ),
    DemoProcurement(
        "School meals catering",
        "Freshly cooked lunches and breakfast clubs for 42 primary schools, with menus that meet "
        "the school food standards.",
        "catering",
        "children-education",
        "services",
        "6,800,000",
        48,
        12,
        5,
        11,
        "in-borough",
        "lead@primas.example",
    ),
    DemoProcurement(
        "Home care framework for adults",
        "A framework of providers for personal care and support at home for adults with "
        "assessed care needs.",
        "home-care",
        "adults-health-integration",
        "services",
        "12,000,000",
        48,
        24,
        4,
        9,
        "in-borough",
        "lead2@primas.example",
        light_touch=True,
        framework="setting-up",
    ),
    DemoProcurement(
        "Laptops and docking stations refresh",
        "Replacement of 1,800 staff laptops and docking stations reaching the end of their "
        "supported life, with secure data wiping and reuse of the old devices.",
        "ict-hardware",
        "finance-corporate-resources",
        "goods",
        "850,000",
        12,
        0,
        2,
        4,
        "overseas",
        "lead@primas.example",
    ),
    DemoProcurement(
        "Estate grounds maintenance",
        "Grass cutting, shrub and hedge care, tree inspections and litter picking on housing "
        "estates.",
        "grounds-maintenance",
        "climate-homes-economy",
        "services",
        "1,200,000",
        36,
        24,
        3,
        6,
        "in-borough",
        "lead2@primas.example",
    ),
    DemoProcurement(
        "Changing rooms refurbishment at the marshes",
        "Refurbishment of the sports changing rooms, with new showers, insulation and solar "
        "water heating.",
        "construction-works",
        "climate-homes-economy",
        "works",
        "3,500,000",
        18,
        0,
        6,
        10,
        "in-borough",
        "lead@primas.example",
    ),
    DemoProcurement(
        "Staff uniforms and personal protective equipment",
        "Uniforms, safety boots and protective equipment for waste, parks and estate staff.",
        "textiles-uniforms",
        "climate-homes-economy",
        "goods",
        "180,000",
        24,
        12,
        2,
        4,
        "overseas",
        "lead2@primas.example",
    ),
    DemoProcurement(
        "Print and mailing of council tax bills",
        "Printing, enveloping and posting of the annual council tax bills and reminders.",
        "print",
        "finance-corporate-resources",
        "services",
        "100,000.00",
        24,
        0,
        2,
        3,
        "uk",
        "lead@primas.example",
    ),
    DemoProcurement(
        "Legal advice on housing disrepair claims",
        "External legal advice and representation on housing disrepair claims.",
        "legal-services",
        "chief-executive",
        "services",
        "99,999.99",
        24,
        0,
        1,
        2,
        "london",
        "lead2@primas.example",
    ),
    DemoProcurement(
        "Stewarding for community events",
        "Trained stewards and first aid cover for six community events in parks.",
        "security",
        "climate-homes-economy",
        "services",
        "60,000",
        12,
        0,
        1,
        3,
        "in-borough",
        "lead@primas.example",
    ),
)


def _months_after(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    return date(day.year + month_index // 12, month_index % 12 + 1, 1)


def load_demo_procurements(session: Session, today: date) -> int:
    """Record the sample procurements that are missing; returns how many were added."""
    existing = set(session.exec(select(Procurement.title)).all())
    added = 0
    for demo in DEMO_PROCUREMENTS:
        if demo.title in existing:
            continue
        lead = find_user_by_email(session, demo.lead_email)
        assert lead is not None, "load the demo users first"
        tender = _months_after(today, demo.tender_in_months)
        start = _months_after(today, demo.start_in_months)
        facts = ProcurementFacts(
            title=demo.title, description=demo.description, directorate=demo.directorate,
            category=demo.category, contract_type=demo.contract_type,
            light_touch=demo.light_touch, framework=demo.framework,
            framework_name=demo.framework_name, value_pence=demo.value_pence,
            term_months=demo.term_months, extension_months=demo.extension_months,
            planned_tender_date=tender, expected_start_date=start,
            delivery_location=demo.location,
        )  # fmt: skip
        procurement = procurements.create(session, lead, facts, today=today)
        if demo.collaborator_email:
            colleague = find_user_by_email(session, demo.collaborator_email)
            assert colleague is not None
            procurements.add_collaborator(session, lead, procurement, colleague.id)
        added += 1
    return added
