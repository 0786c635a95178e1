"""Scoring a draft, and officers' professional judgement on its topic scores.

The engine (app/scoring/engine.py) is pure; this module hands it a draft's answers, the
procurement's facts, the reference data and the overrides, and records overrides (audited).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, col, select

from app.errors import InvalidInput, NotFound
from app.inputs import clean_text
from app.models import ScoreOverride, User
from app.scoring.engine import Result, score_walk
from app.scoring.rules import ScoringRules
from app.services.assessments import Draft, still_editable
from app.services.audit import Actor, act_as
from app.timeutil import utcnow

MEASURES = ("risk", "scope")
REASON_MAX = 1000


def rules_for(draft: Draft) -> ScoringRules:
    """The scoring rules of the form version the draft uses."""
    return draft.catalogue.rules_for(draft.definition)


def result(draft: Draft, as_of: date) -> Result:
    """The draft's scores, obligations and their explanations, as of `as_of` (London today)."""
    return score_walk(
        rules_for(draft),
        draft.context,
        draft.walk,
        draft.reference,
        as_of=as_of,
        topics=draft.catalogue.topics,
        overrides=draft.overrides,
        kpi_exception=draft.kpi_exception.reason if draft.kpi_exception else None,  # "" is none
    )


def known_topic(draft: Draft, code: str) -> None:
    """NotFound unless `code` is a topic."""
    if code not in draft.catalogue.topics.topic_codes:
        raise NotFound(f"topic {code}")


def check_reason(chosen: Mapping[str, int | None], reason: str) -> str:
    """The reason, cleaned; InvalidInput if a measure is set by hand without one, or it is
    too long."""
    reason = clean_text(reason).strip()
    if any(value is not None for value in chosen.values()):
        if not reason:
            raise InvalidInput({"reason": "Enter the reason for your judgement"})
        if len(reason) > REASON_MAX:
            raise InvalidInput({"reason": f"The reason must be {REASON_MAX} characters or fewer"})
    return reason


@dataclass(frozen=True)
class Judgement:
    """An officer's professional judgement on a topic: the risk and scope to use (None: the
    computed one) and why."""

    risk: int | None = None
    scope: int | None = None
    reason: str = ""


def judgement_version(session: Session, draft: Draft, topic: str) -> str:
    """What a topic's judgement is now, as a short fingerprint of its override rows (who set
    which value, with what reason, when): a page carries it, so a save made after someone else
    changed the judgement is told so instead of overwriting it. "" when there is none."""
    rows = session.exec(
        select(ScoreOverride)
        .where(ScoreOverride.assessment_id == draft.assessment.id, ScoreOverride.topic == topic)
        .order_by(col(ScoreOverride.measure))
    ).all()
    if not rows:
        return ""
    stamp = "|".join(
        f"{row.measure}:{row.value}:{row.updated_by_id}:{row.updated_at.isoformat()}:{row.reason}"
        for row in rows
    )
    return hashlib.sha256(stamp.encode()).hexdigest()[:20]


def set_overrides(
    session: Session,
    user: User,
    draft: Draft,
    topic: str,
    judgement: Judgement,
    *,
    seen: str,
) -> bool:
    """Set (or clear) the officer's risk and scope for a topic, made on a page that saw the
    judgement at version `seen` (judgement_version). False, with nothing changed, when someone
    has changed it since: their judgement stands and the page shows it.

    Each of `risk` and `scope` is None (use the computed value) or 0 to 3; a reason is
    required whenever either is set by hand. InvalidInput names every problem (`risk`,
    `scope`, `reason`); NotFound for a topic that is not one.
    """
    known_topic(draft, topic)
    chosen: dict[str, int | None] = {"risk": judgement.risk, "scope": judgement.scope}
    errors: dict[str, str] = {}
    for measure, value in chosen.items():
        if value is not None and not 0 <= value <= 3:
            errors[measure] = f"Select the {measure} to use, or keep the computed {measure}"
    try:
        reason = check_reason(chosen, judgement.reason)
    except InvalidInput as invalid:
        errors |= invalid.errors
    if errors:
        raise InvalidInput(errors)
    act_as(session, Actor.of(user))
    assessment_id = draft.assessment.id
    # Write first, so the comparison below reads inside the write transaction: SQLite's write
    # lock, or PostgreSQL's lock on the assessment's row, keeps another save out until commit.
    now = utcnow()
    draft.assessment.updated_at = now
    session.add(draft.assessment)
    try:
        session.flush()
    except StaleDataError:  # its status changed meanwhile (submitted, say)
        session.rollback()
        still_editable(session, draft.assessment)
        return False
    if judgement_version(session, draft, topic) != seen:
        session.rollback()
        return False
    for measure, value in chosen.items():
        row = session.get(ScoreOverride, (assessment_id, topic, measure))
        if value is None:
            if row is not None:
                session.delete(row)
            continue
        if row is None:
            row = ScoreOverride(
                assessment_id=assessment_id,  # type: ignore[arg-type]
                topic=topic,
                measure=measure,
                value=value,
                reason=reason,
                updated_by_id=user.id,  # type: ignore[arg-type]
            )
            session.add(row)
        else:
            row.value, row.reason = value, reason
            row.updated_by_id = user.id  # type: ignore[assignment]
            row.updated_at = now
    session.commit()
    return True
