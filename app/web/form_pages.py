"""One way for a page to handle a form that changes something: read it, call the service, then
show the form again with what is wrong (422) or go on, with a confirmation, to the next page.

    @router.post("/{user_id}/roles")
    def change_roles(request: Request, form: PostedForm, user: ManagedUser, ...) -> Response:
        chosen = values(form, "roles")                      # read the form

        def change() -> Done:                               # call the service
            accounts.change_roles(session, admin, user, chosen)
            return Done(path_to(request, "user_detail", user_id=user.id), "Roles updated")

        return submit(request, flash, change,               # go on, or the form again
                      again=lambda errors: roles_page(request, user, chosen, errors))

`change` does the work and says where to go (`Done`); a service's `InvalidInput` is caught here
and nowhere else, so every form page answers bad input the same way: the GOV.UK error summary,
the fields as typed, status 422. Pages that also meet other outcomes (someone else's save first)
catch those themselves, around or inside `change`. docs/decisions.md (25) says why this is a
helper of our own rather than WTForms or Pydantic forms.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from app.deps.errors import is_htmx
from app.errors import InvalidInput
from app.web.flash import Flash


@dataclass(frozen=True)
class Done:
    """Where a change that worked goes next, and the confirmation shown there (if any)."""

    to: str
    message: str | None = None


def submit(
    request: Request,
    flash: Flash | None,
    change: Callable[[], Done | Response],
    *,
    again: Callable[[Mapping[str, str]], Response],
) -> Response:
    """Make the change and go on (or show what `change` rendered, for a change whose answer is
    a page of its own, such as a one-time password shown once); if the service refuses the
    input, the form again (422)."""
    try:
        done = change()
    except InvalidInput as invalid:
        response = again(invalid.errors)
        # `again` may answer otherwise: 409 (changed since) or an instruction to navigate.
        if response.status_code == 200 and "HX-Redirect" not in response.headers:
            response.status_code = 422
        return response
    if isinstance(done, Response):
        return done
    if done.message:
        if flash is None:
            raise ValueError("a confirmation needs the signed-in session to keep it")
        flash.say(done.message)
    return navigate(request, done.to)


def navigate(request: Request, target: str) -> Response:
    """Go to another page: a 303 redirect, or for htmx (which would follow a redirect inside
    the part of the page it swaps) an instruction to navigate. A target on the page the browser
    is already showing, differing only by its #anchor, would only scroll: htmx is told to load
    it afresh as well, so the change and its confirmation are shown."""
    if not is_htmx(request):
        return RedirectResponse(target, 303)
    headers = {"HX-Redirect": target}
    current = urlsplit(request.headers.get("HX-Current-URL", ""))
    wanted = urlsplit(target)
    if (current.path, current.query) == (wanted.path, wanted.query):
        headers["HX-Refresh"] = "true"  # htmx sets the new address, then reloads it
    return Response(status_code=200, headers=headers)


def path_to(request: Request, name: str, /, *, anchor: str = "", **params: object) -> str:
    """The path of the route called `name` (a handler's name), with an optional #anchor: every
    link and redirect is built from the routes, so none can point at a page that moved."""
    path: str = request.app.state.paths(name, **{k: str(v) for k, v in params.items()})
    return f"{path}#{anchor}" if anchor else path
