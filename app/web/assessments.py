"""The PRIMAS journey: the task list, a page per task with save-as-you-go, and the check page."""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData
from starlette.templating import Jinja2Templates

from app.deps import (
    CatalogueDep,
    DraftDep,
    EditableDraft,
    PostedForm,
    SessionDep,
    TemplatesDep,
)
from app.errors import InvalidInput, PrimasError
from app.forms.definition import Question, Task
from app.forms.journey import TaskStatus, walk
from app.forms.types import question_type, read_answer
from app.inputs import parse_id
from app.models import Procurement
from app.scoring.results import Result
from app.services import approvals, assessments, kpis, scoring
from app.services.assessments import Draft
from app.timeutil import london_today
from app.web.flash import Confirmation, FlashDep
from app.web.form_pages import path_to
from app.web.question_input import answer_from_form, answers_from_form
from app.web.question_views import error_anchors, question_views, save_announcement

router = APIRouter(prefix="/procurements/{reference}/primas", tags=["primas"])


def primas_path(request: Request, procurement: Procurement, *, anchor: str = "") -> str:
    """Where a procurement's PRIMAS lives: its task list."""
    return path_to(request, "task_list", reference=procurement.reference, anchor=anchor)


def _task(draft: Draft, task_id: str) -> Task:
    try:
        return draft.definition.task(task_id)
    except KeyError:
        raise PrimasError(404, "Page not found") from None


CONFLICT = (
    "Someone else changed this answer while you were editing it. Their answer: {theirs}. "
    "Yours, below, has not been saved: save it again if it should replace theirs."
)
CONFLICT_YOURS = (
    "You changed this answer on another page while this one was open. That answer: {theirs}. "
    "This one, below, has not been saved: save it again if it should replace that one."
)


def conflict_message(question: Question, outcome: assessments.SaveOutcome) -> str:
    """What a page says of an answer someone else saved first: theirs, in words (the page
    keeps what this person typed in the field)."""
    assert outcome.conflict is not None
    raw = outcome.conflict.raw
    parsed = read_answer(question, raw)
    if parsed.ok and parsed.value not in (None, [], ""):
        theirs = question_type(question.type).describe(question, parsed.value)
    elif isinstance(raw, str) and raw.strip():
        theirs = f"“{raw.strip()}”"
    else:
        theirs = "no answer"
    return (CONFLICT_YOURS if outcome.conflict_by_you else CONFLICT).format(theirs=theirs)


PAGE_TOKEN_BYTES = 16  # 22 characters: a page's own saves are told from any other's
_PAGE_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,32}")


def _page(form: FormData) -> str:
    """The page token a form carries ("" when it carries none, or not one of ours)."""
    token = str(form.get("page", ""))
    return token if _PAGE_TOKEN.fullmatch(token) else ""


def _revisions(task: Task, form: FormData) -> dict[str, int]:
    return {q.id: parse_id(str(form.get(f"rev-{q.id}", ""))) or 0 for q in task.questions}


def blocker_errors(task: Task, result: Result) -> dict[str, str]:
    """The blockers a task's page answers, as errors on the questions that clear them."""
    ids = {question.id for question in task.questions}
    return {qid: message for qid, message in result.blocked_questions if qid in ids}


def status_tag(status: TaskStatus) -> dict[str, Any]:
    """A task's status as the GOV.UK task list shows it: done and not-applicable as text,
    the rest as a tag."""
    if status is TaskStatus.COMPLETED:
        return {"text": status.label}
    if status is TaskStatus.NOT_APPLICABLE:
        return {"text": status.label, "classes": "govuk-task-list__status--cannot-start-yet"}
    colour = "govuk-tag--light-blue" if status is TaskStatus.IN_PROGRESS else "govuk-tag--blue"
    return {"tag": {"text": status.label, "classes": colour}}


@router.get("", response_class=HTMLResponse)
def task_list(
    request: Request,
    access: DraftDep,
    session: SessionDep,
    templates: TemplatesDep,
    catalogue: CatalogueDep,
    confirmation: Confirmation,
) -> HTMLResponse:
    """Each task with its status, grouped under the strategy's themes, then the KPI task."""
    procurement, draft = access.procurement, access.draft
    newest = catalogue.latest(draft.definition.id)
    work = kpis.work(session, draft, london_today())
    kpi_status = work.task.status
    done = assessments.progress(draft, kpi_status, work.result)
    context = {
        "procurement": procurement,
        "draft": draft,
        "statuses": done.statuses,
        "kpi_status": kpi_status,
        "status_tag": status_tag,
        "applicable": done.applicable,
        "completed": done.completed,
        "change": assessments.context_change(draft),
        "standing": approvals.standing(session, draft.assessment),
        "result": work.result,
        "newer": newest if newest.version > draft.definition.version else None,
        "can_edit": access.editable,
        "confirmation": confirmation,
    }
    return templates.TemplateResponse(request, "assessments/task_list.html", context)


def task_page(
    request: Request,
    templates: Jinja2Templates,
    procurement: Procurement,
    draft: Draft,
    task: Task,
    *,
    raws: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    notice: str = "",
    status_code: int = 200,
    page: str = "",
    conflicts: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """A task's page: its questions (hidden ones as placeholders), errors and guidance, with
    the results so far beside them (scored from what is saved, not from what is on the page)."""
    current = (
        walk(draft.definition, draft.context, {**draft.raw_answers, **raws}) if raws else draft.walk
    )
    context = {
        "procurement": procurement,
        "draft": draft,
        "task": task,
        "section": next(s for s in draft.definition.sections if task in s.tasks),
        "views": question_views(
            draft, task, current, raws=raws, errors=errors, conflicts=conflicts
        ),
        "applies": bool(current.questions_in(task)),
        "page_token": page or secrets.token_urlsafe(PAGE_TOKEN_BYTES),
        "errors": errors or {},
        "anchors": error_anchors(task, errors or {}),
        "notice": notice,
        "result": scoring.result(draft, london_today()),
    }
    return templates.TemplateResponse(
        request, "assessments/task.html", context, status_code=status_code
    )


@router.get("/tasks/{task_id}", response_class=HTMLResponse)
async def show_task(
    request: Request,
    task_id: str,
    access: EditableDraft,
    templates: TemplatesDep,
) -> HTMLResponse:
    """The task's questions, filled in with what has been saved (and any format errors).
    Everything it needs is loaded by its dependency; what is left is computing and rendering,
    so it runs on the event loop rather than taking another trip through the thread pool."""
    procurement, draft = access.procurement, access.draft
    task = _task(draft, task_id)
    errors = draft.walk.errors_in(task, finishing=False)
    return task_page(request, templates, procurement, draft, task, errors=errors)


def _next_task(draft: Draft, task: Task) -> Task | None:
    applicable = draft.walk.applicable_tasks()
    later = applicable[applicable.index(task) + 1 :] if task in applicable else []
    return later[0] if later else None


def _group_action(task: Task, raws: dict[str, Any], action: str) -> bool:
    """'Add another' and 'Remove' on a group, without JavaScript: change the entries in place."""
    kind, _, rest = action.partition(":")
    question_id, _, index = rest.partition(":")
    question = next((q for q in task.questions if q.id == question_id and q.type == "group"), None)
    if question is None or kind not in ("add", "remove"):
        return False
    entries = list(raws.get(question.id) or [])
    if kind == "add" and len(entries) < question.max_items:
        entries.append({part.id: "" for part in question.fields})
    elif kind == "remove" and index.isdecimal() and int(index) < len(entries):
        entries.pop(int(index))
    raws[question.id] = entries
    return True


@router.post("/tasks/{task_id}", response_class=HTMLResponse)
def save_task(
    request: Request,
    task_id: str,
    access: EditableDraft,
    form: PostedForm,
    session: SessionDep,
    templates: TemplatesDep,
    catalogue: CatalogueDep,
    flash: FlashDep,
) -> Response:
    """Save the page. 'Save and continue' checks it; follow-ups that now apply are asked next."""
    procurement, draft, user = access.procurement, access.draft, access.user
    task = _task(draft, task_id)
    raws = answers_from_form(task, form)
    action = str(form.get("action", "continue"))
    before = {q.id for q in draft.walk.questions_in(task)}
    # Save first, whatever the button, so nothing typed is lost whatever happens next.
    page = _page(form)
    try:
        outcomes = assessments.save_task(
            session, user, draft.assessment, task, raws, _revisions(task, form), page
        )
    except InvalidInput as invalid:  # an answer too large to keep: nothing saved, all shown
        return task_page(request, templates, procurement, draft, task, raws=raws,
                         errors=invalid.errors, page=page, status_code=422)  # fmt: skip
    saved = assessments.load(session, draft.assessment, catalogue)
    # The page again, as saved, keeping its token: its next saves are still its own.
    again = partial(task_page, request, templates, procurement, saved, task, page=page)
    conflicts = [qid for qid, outcome in outcomes.items() if outcome.conflict is not None]
    if conflicts:
        yours = all(outcomes[qid].conflict_by_you for qid in conflicts)
        notice = (
            "You changed some of these answers on another page while this one was open. "
            "Nothing on this page has been saved for those questions: each says what the "
            "other page saved. Check them, then save again."
            if yours
            else "Someone else changed some of these answers while you were editing. Nothing "
            "on this page has been saved for those questions: each says what they saved. "
            "Check them, then save again."
        )
        messages = {
            qid: conflict_message(draft.definition.question(qid), outcomes[qid])
            for qid in conflicts
        }
        typed = {qid: raws[qid] for qid in conflicts}  # kept in the fields, to save again
        return again(notice=notice, conflicts=messages, status_code=409,
                     raws={**saved.raw_answers, **typed})  # fmt: skip
    if _group_action(task, raws, action):
        return again(raws=raws)
    if action == "later":
        flash.say("Your answers have been saved. You can come back to them at any time.")
        return RedirectResponse(primas_path(request, procurement), 303)
    newly_asked = [q for q in saved.walk.questions_in(task) if q.id not in before]
    if newly_asked:
        notice = "Your answers mean more questions apply. Answer them below."
        errors = saved.walk.errors_in(task, finishing=False)
        return again(notice=notice, errors=errors, status_code=422 if errors else 200)
    errors = saved.walk.errors_in(task, finishing=True)
    errors |= blocker_errors(task, scoring.result(saved, london_today()))
    if errors:
        return again(errors=errors, status_code=422)
    following = _next_task(saved, task)
    target = (
        path_to(request, "show_task", reference=procurement.reference, task_id=following.id)
        if following
        else primas_path(request, procurement)
    )
    return RedirectResponse(target, 303)


@router.post("/answers/{question_id}", response_class=HTMLResponse)
def save_answer(
    request: Request,
    question_id: str,
    access: EditableDraft,
    form: PostedForm,
    session: SessionDep,
    templates: TemplatesDep,
    catalogue: CatalogueDep,
) -> HTMLResponse:
    """Save one answer as it is given (htmx). The reply redraws that question with its format
    error, if any, any question on the page that this answer shows or hides, and the results
    summary beside the questions."""
    procurement, draft, user = access.procurement, access.draft, access.user
    try:
        task = draft.definition.task_of(question_id)
    except KeyError:
        raise PrimasError(404, "Page not found") from None
    question = draft.definition.question(question_id)
    raw = answer_from_form(question, form)
    seen = parse_id(str(form.get(f"rev-{question_id}") or "")) or 0
    shown_before = draft.walk.shown_ids
    page = _page(form)
    try:
        outcome = assessments.save_answer(
            session, user, draft.assessment, question, raw, seen_revision=seen, page=page
        )
    except InvalidInput as invalid:  # too large to keep: nothing saved, the typed answer kept
        (view,) = question_views(draft, task, draft.walk, errors=invalid.errors,
                                 raws={**draft.raw_answers, question_id: raw},
                                 only=question_id)  # fmt: skip
        context = {
            "procurement": procurement,
            "draft": draft,
            "redraw": [view],
            "announcement": f"Not saved: {next(iter(invalid.errors.values()))}",
            "page_token": page,
            "result": scoring.result(draft, london_today()),
        }
        return templates.TemplateResponse(
            request, "assessments/_saved.html", context, status_code=422
        )
    saved = assessments.load(session, draft.assessment, catalogue)
    current = saved.walk
    errors = {} if outcome.conflict else current.errors_in(task, finishing=False)
    views = question_views(
        saved,
        task,
        current,
        errors=errors,
        conflicts={question_id: conflict_message(question, outcome)} if outcome.conflict else None,
        raws={**saved.raw_answers, question_id: raw} if outcome.conflict else None,
        saved=frozenset() if outcome.conflict else frozenset({question_id}),
    )
    changed = {
        q.id for q in task.questions if (q.id in shown_before) != (q.id in current.shown_ids)
    }
    redraw = [
        view for view in views if view.question.id == question_id or view.question.id in changed
    ]
    mine = next(view for view in views if view.question.id == question_id)
    announcement = save_announcement(
        mine.errors,
        mine.conflict,
        revealed=[view.question for view in redraw if view.question.id in changed and view.shown],
        hidden=[view.question for view in redraw if view.question.id in changed and not view.shown],
    )
    context = {
        "procurement": procurement,
        "draft": saved,
        "redraw": redraw,
        "announcement": announcement,
        "page_token": page,
        "result": scoring.result(saved, london_today()),
    }
    return templates.TemplateResponse(request, "assessments/_saved.html", context)
