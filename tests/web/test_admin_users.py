"""User management and the audit log, as an administrator uses them."""

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import AuditEvent, Role, User
from tests.support.auth import csrf_token, signed_in_client
from tests.support.factories import TEST_PASSWORD, make_user
from tests.support.html import heading, parse, text_of


def admin_client(app: FastAPI, session: Session) -> tuple[TestClient, User]:
    admin = make_user(session, Role.ADMIN, name="Sam Taylor")
    return signed_in_client(app, session, admin), admin


def post(client: TestClient, path: str, **form: object):  # type: ignore[no-untyped-def]
    return client.post(
        path, data={"csrf_token": csrf_token(client), **form}, follow_redirects=False
    )


def summary_rows(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    page = parse(response)
    return {
        text_of(row.find(class_="govuk-summary-list__key")): text_of(
            row.find(class_="govuk-summary-list__value")
        )
        for row in page.find_all(class_="govuk-summary-list__row")
    }


def test_users_are_listed_with_roles_and_status(app: FastAPI, session: Session) -> None:
    client, _ = admin_client(app, session)
    make_user(session, Role.APPROVER, name="Grace Mensah", active=False)
    page = parse(client.get("/admin/users"))
    rows = [
        [text_of(cell) for cell in row.find_all("td")] for row in page.find("tbody").find_all("tr")
    ]
    assert ["Grace Mensah", rows[-1][1], "Approver", "Deactivated"] == rows[-1]
    assert rows[0][0] == "Sam Taylor" and rows[0][3] == "Active"


def test_creating_a_user_shows_their_one_time_password_once(app: FastAPI, session: Session) -> None:
    client, _ = admin_client(app, session)
    response = post(client, "/admin/users/new", name="Grace Mensah",
                    email="grace.mensah@example.gov.uk", roles=["approver"])  # fmt: skip
    assert response.status_code == 201
    page = parse(response)
    password = text_of(page.find(id="one-time-password"))
    assert len(password) == 19
    # They can sign in with it, and must choose their own password first.
    user_client = TestClient(app)
    token = csrf_token(user_client)
    signed = user_client.post(
        "/sign-in",
        data={"email": "grace.mensah@example.gov.uk", "password": password, "csrf_token": token},
        follow_redirects=False,
    )
    assert signed.headers["location"] == "/account/password"


def test_create_user_errors_keep_what_was_typed(app: FastAPI, session: Session) -> None:
    client, _ = admin_client(app, session)
    response = post(client, "/admin/users/new", name="Grace Mensah", email="grace@", roles=[])
    assert response.status_code == 422
    page = parse(response)
    links = {a["href"]: text_of(a) for a in page.find(class_="govuk-error-summary").find_all("a")}
    assert links == {
        "#email": "Enter an email address in the correct format, like name@example.gov.uk",
        "#roles": "Select at least one role",
    }
    assert page.find("input", id="name")["value"] == "Grace Mensah"
    assert page.find("input", id="email")["value"] == "grace@"
    assert page.find(id="roles") is not None  # the summary's link has somewhere to go


def test_change_roles(app: FastAPI, session: Session) -> None:
    client, _ = admin_client(app, session)
    user = make_user(session, Role.LEAD)
    form = parse(client.get(f"/admin/users/{user.id}/roles"))
    assert form.find("input", attrs={"value": "lead"}).has_attr("checked")
    response = post(client, f"/admin/users/{user.id}/roles", roles=["lead", "approver"])
    assert response.headers["location"] == f"/admin/users/{user.id}"
    detail = client.get(response.headers["location"])
    assert summary_rows(detail)["Roles"].startswith("Category lead, Approver")
    assert "Roles updated" in text_of(parse(detail).find(class_="govuk-notification-banner"))
    # A confirmation is shown once: the page again, reloaded or bookmarked, does not repeat it.
    assert (
        parse(client.get(f"/admin/users/{user.id}")).find(class_="govuk-notification-banner")
        is None
    )
    response = post(client, f"/admin/users/{user.id}/roles")
    assert response.status_code == 422


def test_deactivated_users_are_refused_on_their_next_request(
    app: FastAPI, session: Session
) -> None:
    client, _ = admin_client(app, session)
    user = make_user(session)
    user_client = signed_in_client(app, session, user)
    assert user_client.get("/account").status_code == 200
    response = post(client, f"/admin/users/{user.id}/deactivate")
    assert response.status_code == 303
    assert summary_rows(client.get(response.headers["location"]))["Status"] == "Deactivated"
    assert user_client.get("/account", follow_redirects=False).status_code == 303
    post(client, f"/admin/users/{user.id}/reactivate")
    assert summary_rows(client.get(f"/admin/users/{user.id}"))["Status"] == "Active"


def test_admins_cannot_deactivate_themselves(app: FastAPI, session: Session) -> None:
    client, admin = admin_client(app, session)
    response = post(client, f"/admin/users/{admin.id}/deactivate")
    assert response.status_code == 422
    summary = parse(response).find(class_="govuk-error-summary")
    assert text_of(summary.find("a")) == "You cannot deactivate your own account"
    assert summary.find("a")["href"] == "#actions"


def test_locked_users_can_be_unlocked(app: FastAPI, session: Session, settings) -> None:  # type: ignore[no-untyped-def]
    client, _ = admin_client(app, session)
    user = make_user(session)
    stranger = TestClient(app)
    token = csrf_token(stranger)
    for _ in range(settings.sign_in_max_failures):
        stranger.post("/sign-in", data={"email": user.email, "password": "wrong password!",
                                        "csrf_token": token})  # fmt: skip
    assert summary_rows(client.get(f"/admin/users/{user.id}"))["Status"].startswith("Locked")
    post(client, f"/admin/users/{user.id}/unlock")
    assert summary_rows(client.get(f"/admin/users/{user.id}"))["Status"] == "Active"
    form = {"email": user.email, "password": TEST_PASSWORD, "csrf_token": token}
    response = stranger.post("/sign-in", data=form, follow_redirects=False)
    assert response.status_code == 303


def test_set_a_one_time_password(app: FastAPI, session: Session) -> None:
    client, _ = admin_client(app, session)
    user = make_user(session)
    response = post(client, f"/admin/users/{user.id}/one-time-password")
    assert response.status_code == 200
    assert heading(parse(response)) == "One-time password set"


@pytest.mark.postgres
def test_every_admin_change_is_audited(app: FastAPI, session: Session) -> None:
    client, admin = admin_client(app, session)
    user = make_user(session)
    post(client, f"/admin/users/{user.id}/roles", roles=["approver"])
    post(client, f"/admin/users/{user.id}/deactivate")
    session.rollback()
    changes = session.exec(
        select(AuditEvent).where(AuditEvent.action == "user_account.updated")
    ).all()
    assert [event.detail["changed"] for event in changes] == [["roles"], ["active"]]
    assert {event.actor_email for event in changes} == {admin.email}


@pytest.mark.postgres
def test_audit_log_lists_and_filters(app: FastAPI, session: Session) -> None:
    client, admin = admin_client(app, session)
    lead = make_user(session, Role.LEAD)
    lead_client = signed_in_client(app, session, lead)
    lead_client.get("/admin/users")  # refused, and recorded
    page = parse(client.get("/admin/audit"))
    rows = [[text_of(td) for td in tr.find_all("td")] for tr in page.find("tbody").find_all("tr")]
    assert rows[0][1] == f"{lead.name} {lead.email}"
    assert rows[0][2].startswith("Access refused: role needed")
    assert "Page: /admin/users" in rows[0][2]
    filtered = parse(client.get("/admin/audit", params={"action": "access.refused"}))
    assert len(filtered.find("tbody").find_all("tr")) == 1
    assert text_of(filtered.find("caption")) == "1 event"
    nothing = parse(client.get("/admin/audit", params={"actor": "nobody-at-all"}))
    assert text_of(nothing.find("tbody")) == "No events match these filters."


def test_audit_log_date_errors(app: FastAPI, session: Session) -> None:
    client, _ = admin_client(app, session)
    response = client.get(
        "/admin/audit",
        params={"from-day": "31", "from-month": "2", "from-year": "2026", "to-day": "1",
                "to-month": "", "to-year": "2026"},
    )  # fmt: skip
    assert response.status_code == 422
    summary = parse(response).find(class_="govuk-error-summary")
    assert {a["href"]: text_of(a) for a in summary.find_all("a")} == {
        "#from-day": "Date from must be a real date",
        "#to-day": "Date to must include a month",
    }
    page = parse(response)
    assert page.find("input", id="from-day")["value"] == "31"  # what they typed stays


@pytest.mark.postgres
def test_audit_log_pages(app: FastAPI, session: Session) -> None:
    from app.services.audit import Actor, record_event

    client, admin = admin_client(app, session)
    for _ in range(60):
        record_event(session, "sign_in", actor=Actor.of(admin))
    session.commit()
    page = parse(client.get("/admin/audit", params={"action": "sign_in"}))
    assert text_of(page.find("caption")) == "60 events, page 1 of 2"
    next_link = page.find(class_="govuk-pagination__next").find("a")["href"]
    assert next_link == "/admin/audit?action=sign_in&page=2"
    second = parse(client.get(next_link))
    assert len(second.find("tbody").find_all("tr")) == 10


def test_audit_page_numbers_that_are_not_numbers_do_not_break_it(
    app: FastAPI, session: Session
) -> None:
    client, _ = admin_client(app, session)
    for page_number in ("²", "99999999999999999999999", "-1", "abc"):
        response = client.get("/admin/audit", params={"page": page_number})
        assert response.status_code == 200, page_number
