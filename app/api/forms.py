"""The questionnaire through the API: a form version's definition, and what a PRIMAS with
given facts and answers would say, stored nowhere (docs/api.md)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response

from app.api.procurements import facts_of, invalid, obligations_out
from app.api.responses import tagged
from app.api.schemas import INVALID, NOT_FOUND, PROBLEMS, EvaluateIn, Evaluation
from app.deps import SessionDep
from app.deps.api import ReadClient
from app.deps.records import CatalogueDep
from app.errors import InvalidInput, NotFound
from app.forms.definition import FormDefinition
from app.scoring.catalogue import Catalogue
from app.services import owed, records
from app.services.procurement_form import ProcurementFacts
from app.timeutil import london_today

router = APIRouter(prefix="/api/v1", tags=["forms"], responses=PROBLEMS)

FormId = Annotated[str, Path(max_length=40, pattern=r"^[a-z0-9-]+$", examples=["primas"])]
Version = Annotated[int, Path(ge=1, le=10_000, examples=[3])]


def _definition(catalogue: Catalogue, form: str, version: int) -> FormDefinition:
    try:
        return catalogue.definition(form, version)
    except KeyError:
        raise NotFound(f"form {form} version {version}") from None


@router.get("/forms/{form}/versions/{version}", responses=NOT_FOUND | INVALID,
            summary="A form version's definition")  # fmt: skip
def api_form_definition(
    request: Request, form: FormId, version: Version, _client: ReadClient,
    catalogue: CatalogueDep,
) -> Response:  # fmt: skip
    """The form version as the service reads it: its sections, tasks and questions, each with
    its type, options, guidance and the conditions under which it is asked."""
    return tagged(request, _definition(catalogue, form, version).model_dump(mode="json"))


@router.post("/forms/{form}/versions/{version}/evaluate", response_model=Evaluation,
             responses=NOT_FOUND | INVALID,
             summary="What a PRIMAS would say, stored nowhere")  # fmt: skip
def api_evaluate(
    request: Request,
    form: FormId,
    version: Version,
    body: EvaluateIn,
    _client: ReadClient,
    session: SessionDep,
    catalogue: CatalogueDep,
) -> Response:
    """The result (overall rating, each topic's risk, scope and priority, what it owes) that a
    PRIMAS on this form version would have for a procurement with these facts and answers, as
    of today. Nothing is stored. The facts are checked as the web form's are; an answer to no
    question, or not in its question's shape, is named in `errors` as `answers.<question>`."""
    definition = _definition(catalogue, form, version)
    facts = facts_of(body.procurement, ProcurementFacts())
    try:
        result = owed.evaluate(session, catalogue, definition, facts, body.answers, london_today())
    except InvalidInput as refused:
        raise invalid({f"procurement.{name}" if not name.startswith("answers.") else name: text
                       for name, text in refused.errors.items()}) from None  # fmt: skip
    content: dict[str, Any] = records.result_content(result)
    content["obligations"] = obligations_out(owed.from_result(result))
    return tagged(request, {"form": definition.id, "version": definition.version, **content})
