"""Managed lists that procurements are filed under: spend categories and directorates."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column
from sqlmodel import Field, SQLModel


class Category(SQLModel, table=True):
    """A category of council spend, with its inherent risk profile."""

    __tablename__ = "category"
    __table_args__ = (
        CheckConstraint(
            "modern_slavery_risk IN ('high', 'medium', 'low')", name="ck_category_ms_risk"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=120)
    description: str = Field(default="", max_length=500)
    modern_slavery_risk: str = Field(max_length=6)
    # Where the industry risk comes from (PPN 009, or the body that names the industry), and
    # the industry behind it in words.
    modern_slavery_source: str = Field(default="", max_length=500)
    modern_slavery_note: str = Field(default="", max_length=500)
    # How relevant each sustainability topic usually is to this category: topic code -> 0..3.
    topic_relevance: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    active: bool = Field(default=True)


class Directorate(SQLModel, table=True):
    """A council directorate that owns procurements."""

    __tablename__ = "directorate"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=120)
    active: bool = Field(default=True)
