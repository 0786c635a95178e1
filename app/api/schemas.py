"""The API's request and response bodies (Pydantic), as the OpenAPI description shows them."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictFloat, StrictInt


class Problem(BaseModel):
    """An error, as RFC 9457 problem details: `errors` lists each field that is wrong."""

    model_config = ConfigDict(extra="allow")

    type: str = Field("about:blank", examples=["about:blank"])
    title: str = Field(examples=["Unauthorized"])
    status: int = Field(examples=[401])
    detail: str | None = Field(None, examples=["The token is not one this service issued."])
    instance: str = Field(examples=["/api/v1/procurements"])


class Named(BaseModel):
    """An entry of a managed list: its code (used in every other call) and its name."""

    code: str = Field(examples=["cleaning"])
    name: str = Field(examples=["Cleaning and facilities management"])


class NamedList(BaseModel):
    """Every active entry, by name."""

    items: list[Named]


Responses = dict[int | str, dict[str, Any]]
PROBLEM_JSON = "application/problem+json"


def problem(description: str) -> dict[str, Any]:
    """An error response as the description lists it: problem+json, in the Problem shape."""
    schema = {"$ref": "#/components/schemas/Problem"}
    return {"model": Problem, "description": description,
            "content": {PROBLEM_JSON: {"schema": schema}}}  # fmt: skip


PROBLEMS: Responses = {
    401: problem("No token, or a wrong or revoked one (with WWW-Authenticate), or a token sent "
                 "in the address"),
    403: problem("The token does not carry the scope the call needs"),
    429: problem("Too many requests from this client (with Retry-After)"),
}  # fmt: skip
NOT_FOUND: Responses = {404: problem("No such thing")}
INVALID: Responses = {
    422: problem("Input that is not valid: `errors` lists each field and what is wrong")
}


ObligationStatus = Literal[
    "applies", "applies-unless-answers-show-otherwise", "does-not-apply", "cannot-decide-yet"
]


class ObligationOut(BaseModel):
    """One thing the procurement owes, in the service's own codes."""

    code: str = Field(examples=["london-living-wage"])
    title: str = Field(examples=["London Living Wage"])
    status: ObligationStatus
    applies: bool | None = Field(description="null only when it cannot be decided yet")
    basis: Literal["law", "council-policy", "recommended"]
    reason: str
    level: str | None = Field(None, description="modern slavery: the risk level")
    value: str | None = Field(None, description="the social value weighting, as a percentage")


class ObligationsFrom(BaseModel):
    """Where the obligations were worked out from: the approved revision in force, the open
    draft, or (with neither) the record alone before any answers."""

    source: Literal["approved", "draft", "record"]
    revision: int | None


class Framework(BaseModel):
    """Whether the procurement sets up a framework, calls off from one (and which), or neither."""

    role: Literal["none", "setting-up", "call-off"]
    name: str | None = Field(None, description="the framework's name, for a call-off")


class ProcurementOut(BaseModel):
    """A procurement as recorded, with where its PRIMAS has got to."""

    reference: str = Field(examples=["PRC-2026-0001"])
    title: str
    description: str
    directorate: str = Field(description="a directorate's code")
    category: str = Field(description="a category's code")
    contract_type: Literal["goods", "services", "works"]
    light_touch: bool
    framework: Framework
    whole_life_value_pence: int = Field(examples=[240000000])
    term_months: int
    extension_months: int
    planned_tender_date: date
    expected_start_date: date
    delivery_location: Literal["in-borough", "london", "uk", "overseas"]
    lead_officer: str = Field(description="the lead officer's email address")
    status: Literal["active", "withdrawn"]
    primas_status: Literal[
        "not-needed", "not-started", "draft", "submitted", "returned", "approved", "amending"
    ]
    version: int = Field(description="changes with every change to the record")
    created_at: datetime
    updated_at: datetime


class ProcurementDetail(ProcurementOut):
    """A procurement with what it owes."""

    obligations: list[ObligationOut]
    obligations_from: ObligationsFrom


class ProcurementList(BaseModel):
    """A page of procurements, oldest recorded first; `next_cursor` reads on (null at the end)."""

    items: list[ProcurementOut]
    next_cursor: str | None


class FrameworkIn(BaseModel):
    """Whether it sets up a framework, calls off from one (name it), or neither."""

    model_config = ConfigDict(extra="forbid")

    role: Literal["none", "setting-up", "call-off"]
    name: str | None = Field(None, max_length=1000, description="the framework, for a call-off")


class ProcurementFactsIn(BaseModel):
    """A procurement's facts. The service checks them as the web form's are checked: `errors`
    names each field at fault."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(max_length=1000, examples=["Cleaning of council offices"])
    description: str = Field(max_length=20000)
    directorate: str = Field(max_length=64, description="a directorate's code")
    category: str = Field(max_length=64, description="a category's code")
    contract_type: Literal["goods", "services", "works"]
    light_touch: bool
    framework: FrameworkIn
    whole_life_value_pence: int = Field(ge=0, le=10**15, examples=[240000000])
    term_months: int = Field(ge=0, le=10**6)
    extension_months: int = Field(0, ge=0, le=10**6)
    planned_tender_date: date
    expected_start_date: date
    delivery_location: Literal["in-borough", "london", "uk", "overseas"]


class ProcurementIn(ProcurementFactsIn):
    """A procurement to record, for its lead officer."""

    lead_officer: str = Field(max_length=254, description="an active category lead's email")


class ProcurementPatch(BaseModel):
    """The facts to change; those left out stay as they are. The lead officer is changed by an
    approver on the procurement's page, not here."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(None, max_length=1000)
    description: str | None = Field(None, max_length=20000)
    directorate: str | None = Field(None, max_length=64)
    category: str | None = Field(None, max_length=64)
    contract_type: Literal["goods", "services", "works"] | None = None
    light_touch: bool | None = None
    framework: FrameworkIn | None = None
    whole_life_value_pence: int | None = Field(None, ge=0, le=10**15)
    term_months: int | None = Field(None, ge=0, le=10**6)
    extension_months: int | None = Field(None, ge=0, le=10**6)
    planned_tender_date: date | None = None
    expected_start_date: date | None = None
    delivery_location: Literal["in-borough", "london", "uk", "overseas"] | None = None


class AssessmentSummary(BaseModel):
    """One revision of a procurement's PRIMAS."""

    id: int
    revision: int
    status: Literal["draft", "submitted", "returned", "approved", "superseded", "discarded"]
    form: str = Field(examples=["primas"])
    form_version: int
    created_at: datetime
    submitted_at: datetime | None


class AssessmentList(BaseModel):
    """Every revision of the procurement's PRIMAS, oldest first."""

    items: list[AssessmentSummary]


class Decision(BaseModel):
    """An approver's decision on a revision."""

    outcome: Literal["approved", "returned"]
    comment: str
    points: list[str] = Field(description="what a return points at: tasks, questions, KPIs")
    decided_by: str = Field(description="the approver's email address")
    decided_at: datetime


class SignedRecord(BaseModel):
    """The record an approval froze: the SHA-256 of its RFC 8785 canonical JSON (`content`),
    and the HMAC-SHA-256 of that hash under the council's signing key."""

    sha256: str
    signature: str
    approved_at: datetime


class AssessmentDetail(AssessmentSummary):
    """A revision in the signed record's layout (`content`: facts, answers with their question
    text, result with topics and obligations, KPIs, specification): as frozen for an approved
    or superseded revision (with `record`), else as it stands now."""

    procurement: str = Field(description="its procurement's reference")
    content: dict[str, Any]
    decisions: list[Decision]
    record: SignedRecord | None


class KpiOut(BaseModel):
    """An approved KPI: the library's code (null for one the lead wrote), what is measured, in
    what unit, the target (null while a baseline is measured first) and how often reported.
    `id` is the contract KPI its outcomes are reported against (/api/v1/kpis/{id})."""

    id: int | None
    code: str | None = Field(examples=["llw-staff-share"])
    title: str
    unit: str
    target: float | int | None
    baseline: bool
    frequency: str = Field(examples=["quarterly"])


class KpiList(BaseModel):
    """The KPIs of the approved revision in force (none before one is approved)."""

    revision: int | None
    items: list[KpiOut]


class AssessmentRef(BaseModel):
    """Which PRIMAS revision a change was to."""

    id: int
    revision: int


class OutcomeRef(BaseModel):
    """Which outcome report a change was to (read it at /api/v1/kpis/{kpi}/outcomes/{id})."""

    kpi: int
    id: int
    version: int


class ChangeOut(BaseModel):
    """One thing that happened, in order."""

    cursor: str = Field(description="read on after this change with ?after=")
    type: Literal["procurement.created", "procurement.updated", "assessment.submitted",
                  "assessment.approved", "assessment.returned", "assessment.taken_back",
                  "assessment.amended", "outcome.reported", "outcome.corrected",
                  "outcome.rated"]  # fmt: skip
    occurred_at: datetime
    procurement: str = Field(description="the procurement's reference")
    assessment: AssessmentRef | None
    outcome: OutcomeRef | None = Field(
        None, description="for an outcome.* change: the report, its KPI and its version then"
    )


class ChangeList(BaseModel):
    """Changes in the order they happened; `next_cursor` reads on (the same cursor when there
    is nothing newer yet: ask again later)."""

    items: list[ChangeOut]
    next_cursor: str


class EvaluateIn(BaseModel):
    """A procurement's facts and answers to a form version's questions (question id -> the
    answer as the form's page sends it: text, or a list for checkboxes)."""

    model_config = ConfigDict(extra="forbid")

    procurement: ProcurementFactsIn
    answers: dict[str, Any] = Field(default_factory=dict, max_length=1000)


class TopicOut(BaseModel):
    """A sustainability topic's scores: risk and scope to improve (each with its computed
    score and any officer's judgement), and its priority."""

    model_config = ConfigDict(extra="allow")

    topic: str
    name: str
    priority: str


class Evaluation(BaseModel):
    """What a PRIMAS with these facts and answers would say, stored nowhere."""

    form: str
    version: int
    overall: str | None
    spend_band: str | None
    modern_slavery_level: str
    social_value_weighting: str
    topics: list[TopicOut]
    obligations: list[ObligationOut]


def _plain_day(value: object) -> object:
    """A day written YYYY-MM-DD, and nothing more (pydantic would read a time into it too)."""
    if isinstance(value, str) and not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        raise ValueError("Enter a day as YYYY-MM-DD")
    return value


# A figure as a JSON number (not true or false), or as typed ("1,250.5"); a day as YYYY-MM-DD.
Figure = StrictInt | StrictFloat | Annotated[str, Field(max_length=40)]
StrictDate = Annotated[date, BeforeValidator(_plain_day)]
RatingName = Literal["good", "approaching-target", "requires-improvement", "inadequate", "other"]
Number = float | int


class PeriodOut(BaseModel):
    """A reporting period, both days included."""

    start: date
    end: date


class ContractKpiOut(BaseModel):
    """A KPI of the contract, known by its library code (or the lead's title) across revisions:
    in force while the approved revision in force has it. Its outcomes are reported to
    `outcomes`; `overdue` lists the periods due (by its frequency from the contract's start,
    `report_days` after each ends) that no report covers."""

    id: int
    procurement: str = Field(examples=["PRC-2026-0001"])
    code: str | None = Field(examples=["waste-diverted"])
    title: str
    unit: str
    frequency: str = Field(examples=["quarterly"])
    target: Number | None = Field(description="null while a baseline is measured first")
    better: Literal["higher", "lower"] = Field(
        description="whether outcomes above the target are better, or below it"
    )
    in_force: bool
    revision: int = Field(description="the latest approved revision that has it")
    since: date | None = Field(
        description="the day an approval first put it in the contract "
        "(null: before this was kept); its reports are due from then"
    )
    report_days: int
    overdue: list[PeriodOut]
    outcomes: str = Field(description="where its outcomes are read and reported")


class OutcomeIn(BaseModel):
    """What was delivered over a period: `actual` is in the KPI's unit (a number, or a string
    such as "12.5"; at most 4 decimal places)."""

    model_config = ConfigDict(extra="forbid")

    period_start: StrictDate
    period_end: StrictDate
    actual: Figure = Field(examples=[87.5])
    commentary: str = Field("", max_length=20000)


class CorrectionIn(BaseModel):
    """A correction of a report's figure and commentary, and why (its period stays)."""

    model_config = ConfigDict(extra="forbid")

    actual: Figure = Field(examples=[88])
    commentary: str = Field("", max_length=20000)
    reason: str = Field(max_length=5000, examples=["The March figures arrived late."])


class OutcomeVersionOut(BaseModel):
    """One version of a report: the first as reported, later ones corrections."""

    version: int
    actual: Number
    commentary: str
    correction_reason: str
    target: Number | None = Field(description="the KPI's target when it was reported")
    reported_by: str = Field(description="a person's email, or api:<client name>")
    reported_at: datetime


class RatingOut(BaseModel):
    """The Procurement Act 2023 s.71 rating: suggested from the latest version against its
    target with the council's bands (docs/api.md), and the one an editor confirmed, if any, for
    the version in force. `rating` is the one that stands."""

    rating: RatingName
    suggested: RatingName
    why: str
    confirmed: RatingName | None
    reason: str | None = Field(description="the editor's reason, if they gave one")
    rated_by: str | None
    rated_at: datetime | None
    rated_version: int | None = Field(description="the version the latest rating was given for")


class OutcomeOut(BaseModel):
    """An outcome report: its period, the version in force and every version, and its rating."""

    id: int
    kpi: int
    period: PeriodOut
    version: int
    actual: Number
    commentary: str
    versions: list[OutcomeVersionOut]
    rating: RatingOut


class OutcomeList(BaseModel):
    """A KPI's reports by period, and the periods overdue."""

    kpi: ContractKpiOut
    items: list[OutcomeOut]
