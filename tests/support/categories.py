"""The spend categories as the migrations leave them: seeded by 0001, their modern slavery
industry risk reviewed by 0010. Tests build procurement facts from these, never from the engine."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).resolve().parents[2] / "migrations" / "data"


@cache
def topic_order() -> tuple[str, ...]:
    """The topics in the order the seed lists each category's relevance."""
    seed = yaml.safe_load((DATA / "0001_categories.yaml").read_text(encoding="utf-8"))
    return tuple(seed["topics"])


@cache
def categories() -> dict[str, dict[str, Any]]:
    """Each category by code: name, relevance (topic -> 0..3), modern_slavery_risk and note."""
    seed = yaml.safe_load((DATA / "0001_categories.yaml").read_text(encoding="utf-8"))
    review = yaml.safe_load((DATA / "0010_industry_risk.yaml").read_text(encoding="utf-8"))
    reviewed = {row["code"]: row for row in review["categories"]}
    found = {}
    for row in seed["categories"]:
        risk = reviewed[row["code"]]
        found[row["code"]] = {
            "name": row["name"],
            "relevance": dict(zip(seed["topics"], row["relevance"], strict=True)),
            "modern_slavery_risk": risk["risk"],
            "modern_slavery_note": risk["note"],
        }
    return found


def context_fields(code: str) -> dict[str, Any]:
    """The ProcurementContext fields a category decides."""
    row = categories()[code]
    return {
        "category": code,
        "topic_relevance": dict(row["relevance"]),
        "category_name": row["name"],
        "industry_risk": row["modern_slavery_risk"],
        "industry_risk_note": row["modern_slavery_note"],
    }
