"""SQLModel tables, one module per aggregate. Importing this package registers every table."""

from app.models.api_clients import API_SCOPES, ApiClient, IdempotencyKey
from app.models.assessments import (
    OPEN_STATUSES,
    ApprovedRecord,
    Assessment,
    AssessmentAnswer,
    AssessmentContributor,
    AssessmentDecision,
    AssessmentStatus,
    KpiDutyException,
    KpiSelection,
    ScoreOverride,
)
from app.models.audit import AuditEvent
from app.models.catalogue import Category, Directorate
from app.models.outbox import OutboxMessage
from app.models.outcomes import (
    RATINGS,
    ContractKpi,
    OutcomeReport,
    OutcomeVersion,
    PerformanceRating,
)
from app.models.procurements import (
    ContractType,
    DeliveryLocation,
    FrameworkRole,
    Procurement,
    ProcurementCollaborator,
    ProcurementInvolvement,
    ProcurementStatus,
)
from app.models.reference import ReferenceValue
from app.models.sessions import SignInFailure, UserSession
from app.models.users import Role, User

__all__ = [
    "API_SCOPES",
    "ApiClient",
    "OPEN_STATUSES",
    "ApprovedRecord",
    "ContractKpi",
    "OutcomeReport",
    "OutcomeVersion",
    "PerformanceRating",
    "RATINGS",
    "Assessment",
    "AssessmentAnswer",
    "AssessmentContributor",
    "AssessmentDecision",
    "AssessmentStatus",
    "AuditEvent",
    "IdempotencyKey",
    "Category",
    "ContractType",
    "DeliveryLocation",
    "Directorate",
    "FrameworkRole",
    "KpiDutyException",
    "KpiSelection",
    "Procurement",
    "OutboxMessage",
    "ProcurementCollaborator",
    "ProcurementInvolvement",
    "ProcurementStatus",
    "ReferenceValue",
    "Role",
    "ScoreOverride",
    "SignInFailure",
    "User",
    "UserSession",
]
