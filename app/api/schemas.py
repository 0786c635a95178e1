"""The API's request and response bodies (Pydantic), as the OpenAPI description shows them."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


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


PROBLEMS = {
    401: {"model": Problem, "description": "No token, or a wrong or revoked one (with "
          "WWW-Authenticate), or a token sent in the address"},
    403: {"model": Problem, "description": "The token does not carry the scope the call needs"},
    429: {"model": Problem, "description": "Too many requests from this client (with "
          "Retry-After)"},
}  # fmt: skip
