"""The service as benchmarked: the real app, plus a bare route that renders the largest task
page's template from data held in memory (no database, no sessions, no dependencies), so the
real page's cost can be compared with the template's own cost in the same run."""

from __future__ import annotations

import os

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse

from app.main import create_app
from app.settings import Settings

BARE_PATH = "/bench/bare-task"


def make_app() -> FastAPI:
    """The app, with the bare route; the benchmark fills in its context after seeding."""
    app = create_app(Settings())
    app.state.bare_context = None

    @app.get(BARE_PATH, response_class=HTMLResponse)
    def bare_task(request: Request) -> HTMLResponse:
        if app.state.bare_context is None:  # the first request reads it all, once
            from sqlmodel import Session

            from app.deps import resolve_signed_in

            with Session(app.state.engine, expire_on_commit=False) as session:
                signed_in = resolve_signed_in(request, session, app.state.settings)
            app.state.bare_context = (_bare_context(app), signed_in)
        context, signed_in = app.state.bare_context
        request.state.signed_in = signed_in  # the layout's user, from memory too
        return app.state.templates.TemplateResponse(request, "assessments/task.html", dict(context))

    return app


def _bare_context(app: FastAPI) -> dict[str, object]:
    """Everything the task page renders, computed once and kept in memory."""
    from sqlmodel import Session

    from app.forms.journey import walk
    from app.models import Assessment
    from app.services import assessments, scoring
    from app.timeutil import london_today
    from app.web.question_views import error_anchors, question_views

    reference, task_id = os.environ["BENCH_BARE_PROCUREMENT"], os.environ["BENCH_BARE_TASK"]
    with Session(app.state.engine, expire_on_commit=False) as session:
        from app.services.procurements import get_by_reference

        procurement = get_by_reference(session, reference)
        assert procurement is not None
        assessment = assessments.open_draft(session, procurement)
        assert isinstance(assessment, Assessment)
        draft = assessments.load(session, assessment, app.state.catalogue)
    task = draft.definition.task(task_id)
    current = walk(draft.definition, draft.context, draft.raw_answers)
    section = next(s for s in draft.definition.sections if task in s.tasks)
    return {
        "procurement": procurement,
        "draft": draft,
        "task": task,
        "section": section,
        "views": question_views(draft, task, current),
        "applies": bool(current.questions_in(task)),
        "page_token": "bench",
        "errors": {},
        "anchors": error_anchors(task, {}),
        "notice": "",
        "result": scoring.result(draft, london_today()),
    }
