"""The managed lists a procurement is filed under: categories and directorates, by code."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from app.api.responses import tagged
from app.api.schemas import PROBLEMS, Named, NamedList
from app.deps import SessionDep
from app.deps.api import ReadClient
from app.services.reference_data import list_categories, list_directorates

router = APIRouter(prefix="/api/v1", tags=["reference"], responses=PROBLEMS)


@router.get("/categories", response_model=NamedList, summary="Categories of spend")
def api_categories(request: Request, _client: ReadClient, session: SessionDep) -> Response:
    """Every active category of spend, by name: a procurement's `category` is one's code."""
    items = [Named(code=each.code, name=each.name) for each in list_categories(session)]
    return tagged(request, NamedList(items=items))


@router.get("/directorates", response_model=NamedList, summary="Directorates")
def api_directorates(request: Request, _client: ReadClient, session: SessionDep) -> Response:
    """Every active directorate, by name: a procurement's `directorate` is one's code."""
    items = [Named(code=each.code, name=each.name) for each in list_directorates(session)]
    return tagged(request, NamedList(items=items))
