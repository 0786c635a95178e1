"""Signing in and out over HTTP: errors, throttling, cookies, timeouts and htmx after expiry."""

from datetime import datetime, timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import Role, User, UserSession
from app.settings import Settings
from tests.support.auth import csrf_token, signed_in_client
from tests.support.factories import TEST_PASSWORD, make_user
from tests.support.html import heading, parse, text_of
from tests.support.primas import PRODUCTION_MAIL


def sign_in(client: TestClient, email: str, password: str, next_path: str = "/"):  # type: ignore[no-untyped-def]
    token = csrf_token(client)
    return client.post(
        "/sign-in",
        data={"email": email, "password": password, "next": next_path, "csrf_token": token},
        follow_redirects=False,
    )


def error_summary(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    summary = parse(response).find(class_="govuk-error-summary")
    assert summary is not None, "no error summary"
    return {link["href"]: text_of(link) for link in summary.find_all("a")}


def test_sign_in_page(client: TestClient) -> None:
    response = client.get("/sign-in")
    page = parse(response)
    assert heading(page) == "Sign in to PRIMAS"
    assert page.find("input", id="email")["autocomplete"] == "username"
    assert page.find("input", id="password")["autocomplete"] == "current-password"
    assert "primas_csrf" in response.cookies


def test_empty_form_shows_each_error(client: TestClient) -> None:
    response = sign_in(client, "", "")
    assert response.status_code == 422
    assert error_summary(response) == {
        "#email": "Enter your email address",
        "#password": "Enter your password",
    }
    assert text_of(parse(response).title).startswith("Error: ")


def test_wrong_password_keeps_the_email_and_says_so(client: TestClient, session: Session) -> None:
    user = make_user(session)
    response = sign_in(client, user.email, "not my password at all")
    assert response.status_code == 422
    assert error_summary(response) == {"#email": "Enter a correct email address and password"}
    page = parse(response)
    assert page.find("input", id="email")["value"] == user.email
    assert page.find("input", id="password").get("value") is None  # passwords are never echoed


def test_signing_in_sets_a_safe_session_cookie_and_follows_next(
    client: TestClient, session: Session
) -> None:
    user = make_user(session)
    response = sign_in(client, user.email, TEST_PASSWORD, next_path="/account")
    assert response.status_code == 303
    assert response.headers["location"] == "/account"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("primas_session=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    page = parse(client.get("/account"))
    assert user.name in text_of(page.find("main"))
    assert user.name in text_of(page.find(class_="govuk-service-navigation"))


def test_next_never_leaves_the_site(client: TestClient, session: Session) -> None:
    user = make_user(session)
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = sign_in(client, user.email, TEST_PASSWORD, next_path=target)
        assert response.headers["location"] == "/"
        client.cookies.clear()


def test_a_new_session_id_at_every_sign_in(client: TestClient, session: Session) -> None:
    user = make_user(session)
    first = sign_in(client, user.email, TEST_PASSWORD).cookies["primas_session"]
    client.cookies.clear()
    second = sign_in(client, user.email, TEST_PASSWORD).cookies["primas_session"]
    assert first != second


def test_throttling_answers_429_with_retry_after(
    client: TestClient, session: Session, settings: Settings
) -> None:
    user = make_user(session)
    other = make_user(session)
    for _ in range(settings.sign_in_max_failures):
        assert sign_in(client, user.email, "wrong password!").status_code == 422
    response = sign_in(client, user.email, TEST_PASSWORD)
    assert response.status_code == 429
    assert 0 < int(response.headers["retry-after"]) <= settings.sign_in_failure_window_seconds
    assert "You have tried to sign in too many times" in error_summary(response)["#email"]
    assert sign_in(client, other.email, TEST_PASSWORD).status_code == 303


def test_deactivated_account_is_told_so(client: TestClient, session: Session) -> None:
    user = make_user(session, active=False)
    response = sign_in(client, user.email, TEST_PASSWORD)
    assert response.status_code == 403
    assert "deactivated" in error_summary(response)["#email"]


def test_sign_out_ends_the_session(app: FastAPI, session: Session) -> None:
    user = make_user(session)
    client = signed_in_client(app, session, user)
    response = client.post(
        "/sign-out", data={"csrf_token": csrf_token(client)}, follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/signed-out"
    assert session.exec(select(UserSession)).all() == []
    assert heading(parse(client.get("/signed-out"))) == "You have signed out"
    assert client.get("/account", follow_redirects=False).status_code == 303


def test_signed_out_users_are_sent_to_sign_in_and_back(app: FastAPI, client: TestClient) -> None:
    response = client.get("/admin/audit?action=sign_in", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?next=%2Fadmin%2Faudit%3Faction%3Dsign_in"


def test_idle_sessions_end(app: FastAPI, session: Session, settings: Settings) -> None:
    user = make_user(session)
    client = signed_in_client(app, session, user)
    assert client.get("/account").status_code == 200
    row = session.exec(select(UserSession)).one()
    row.last_seen_at -= timedelta(seconds=settings.session_idle_timeout_seconds)
    session.commit()
    response = client.get("/account", follow_redirects=False)
    assert response.status_code == 303
    assert session.exec(select(UserSession)).all() == []


def test_htmx_request_after_expiry_is_told_without_replacing_the_target(
    app: FastAPI, session: Session
) -> None:
    user = make_user(session)
    client = signed_in_client(app, session, user)
    for row in session.exec(select(UserSession)).all():
        session.delete(row)
    session.commit()
    response = client.get("/account", headers={"HX-Request": "true"}, follow_redirects=False)
    assert response.status_code == 401
    assert response.headers["hx-retarget"] == "#page-messages"
    assert response.headers["hx-reswap"] == "innerHTML"
    fragment = parse(response)
    assert fragment.find("form") is None  # never a sign-in form swapped into a field
    assert "What you typed is still on this page" in text_of(fragment)
    assert fragment.find("a", href="/sign-in")["target"] == "_blank"


def test_htmx_post_with_a_dead_session_is_sign_in_not_403(app: FastAPI, session: Session) -> None:
    user = make_user(session)
    client = signed_in_client(app, session, user)
    token = csrf_token(client)
    for row in session.exec(select(UserSession)).all():
        session.delete(row)
    session.commit()
    response = client.post(
        "/session/extend", headers={"HX-Request": "true", "X-CSRF-Token": token},
        follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 401
    assert response.headers["hx-retarget"] == "#page-messages"


def test_stay_signed_in(app: FastAPI, session: Session) -> None:
    user = make_user(session)
    client = signed_in_client(app, session, user)
    token = csrf_token(client)
    row = session.exec(select(UserSession)).one()
    # Less than the once-a-minute touch of ordinary requests, so only "stay signed in" moves it.
    row.last_seen_at -= timedelta(seconds=30)
    session.commit()
    before = row.last_seen_at
    # With JavaScript: htmx gets a fresh notice carrying the new sign-out time.
    response = client.post(
        "/session/extend",
        data={"csrf_token": token, "next": "/account"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    notice = parse(response).find("form", class_="app-session-timeout__notice")
    expires_at = datetime.fromisoformat(notice["data-expires-at"])
    now = datetime.fromisoformat(notice["data-now"])
    assert abs(expires_at - now - timedelta(minutes=30)) < timedelta(seconds=2)
    assert notice.find("input", attrs={"name": "next"})["value"] == "/account"
    session.rollback()
    extended = session.get(UserSession, row.token_hash)
    assert extended is not None and extended.last_seen_at >= before + timedelta(seconds=29)
    # Without JavaScript: a form post that comes back to the page.
    response = client.post(
        "/session/extend", data={"csrf_token": token, "next": "/account"}, follow_redirects=False
    )
    assert (response.status_code, response.headers["location"]) == (303, "/account")


def test_one_time_password_users_must_choose_their_own_first(
    client: TestClient, session: Session
) -> None:
    user = make_user(session, must_change_password=True)
    response = sign_in(client, user.email, TEST_PASSWORD)
    assert response.headers["location"] == "/account/password"
    assert client.get("/", follow_redirects=False).status_code == 200  # public pages still work
    assert client.get("/account", follow_redirects=False).headers["location"] == "/account/password"
    token = csrf_token(client)
    response = client.post(
        "/account/password",
        data={
            "csrf_token": token,
            "current_password": TEST_PASSWORD,
            "new_password": "meadowlark piano train",
            "confirm_password": "meadowlark piano train",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/account"
    page = parse(client.get("/account"))  # in the new session, which the message was left for
    assert text_of(page.find(class_="govuk-notification-banner")).endswith(
        "Your password has been changed"
    )
    session.rollback()  # end the read transaction so the app's commit is visible
    assert not session.get(User, user.id).must_change_password  # type: ignore[union-attr]


def test_change_password_errors(app: FastAPI, session: Session) -> None:
    user = make_user(session)
    client = signed_in_client(app, session, user)
    response = client.post(
        "/account/password",
        data={"csrf_token": csrf_token(client), "current_password": TEST_PASSWORD,
              "new_password": "password1234", "confirm_password": "password1234"},
    )  # fmt: skip
    assert response.status_code == 422
    assert error_summary(response) == {
        "#new_password": "Choose a password that is harder to guess: "
        "this one is too common or too simple"
    }


def test_production_cookie_is_secure_and_host_only(database_url: str, session: Session) -> None:
    from app.main import create_app

    user = make_user(session)
    settings = Settings(
        env="production",
        database_url=database_url,
        secret_key="p" * 40,
        signing_key="p" * 40,
        **PRODUCTION_MAIL,
    )
    with TestClient(create_app(settings), base_url="https://testserver") as client:
        response = sign_in(client, user.email, TEST_PASSWORD)
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("__Host-primas_session=")
    assert "Secure" in cookie and "HttpOnly" in cookie and "Path=/" in cookie


def test_sign_out_removes_the_production_cookie(database_url: str, session: Session) -> None:
    from app.main import create_app

    user = make_user(session)
    settings = Settings(
        env="production",
        database_url=database_url,
        secret_key="p" * 40,
        signing_key="p" * 40,
        **PRODUCTION_MAIL,
    )
    with TestClient(create_app(settings), base_url="https://testserver") as client:
        sign_in(client, user.email, TEST_PASSWORD)
        response = client.post(
            "/sign-out", data={"csrf_token": csrf_token(client)}, follow_redirects=False
        )
    removal = response.headers["set-cookie"]
    assert removal.startswith("__Host-primas_session=")
    assert "Max-Age=0" in removal and "Secure" in removal and "Path=/" in removal


def test_a_token_that_is_not_ascii_is_refused_not_an_error(app: FastAPI, session: Session) -> None:
    client = signed_in_client(app, session, make_user(session))
    response = client.post("/session/extend", data={"csrf_token": "é"}, follow_redirects=False)
    assert response.status_code == 403


def test_htmx_after_signing_in_again_elsewhere_gets_the_new_token(
    app: FastAPI, session: Session
) -> None:
    import json

    user = make_user(session)
    client = signed_in_client(app, session, user)
    old_token = csrf_token(client)
    # The same browser signs in again (another tab): a new session, so a new token.
    client.cookies.clear()
    sign_in(client, user.email, TEST_PASSWORD)
    response = client.post(
        "/session/extend", headers={"HX-Request": "true", "X-CSRF-Token": old_token},
        data={"next": "/"},
    )  # fmt: skip
    assert response.status_code == 409
    assert response.headers["hx-retarget"] == "#page-messages"
    new_token = json.loads(response.headers["hx-trigger"])["primas:csrf-token"]["token"]
    assert new_token == csrf_token(client) != old_token
    assert "try again" in text_of(parse(response))
    retry = client.post(
        "/session/extend", headers={"HX-Request": "true", "X-CSRF-Token": new_token},
        data={"next": "/"},
    )  # fmt: skip
    assert retry.status_code == 200
    # A plain form post with the old token is still refused: no token is handed out there.
    form = client.post("/session/extend", data={"csrf_token": old_token}, follow_redirects=False)
    assert form.status_code == 403


def test_htmx_refusals_land_in_the_page_message_area(app: FastAPI, session: Session) -> None:
    client = signed_in_client(app, session, make_user(session, Role.LEAD))
    response = client.get("/admin/users", headers={"HX-Request": "true"})
    assert response.status_code == 403
    assert response.headers["hx-retarget"] == "#page-messages"
    message = parse(response)
    assert message.find("h1") is None  # a message, not a whole page
    assert "You do not have permission to see this page" in text_of(message)
