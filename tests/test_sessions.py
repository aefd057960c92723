"""Logins the server can end: a copied session cookie stops working when its session is
logged out, when the password changes, when the user logs out everywhere or an admin ends
the user's logins — in every app process, on SQLite and PostgreSQL — and no login lasts
longer than its lifetime."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from flask import g, has_app_context
from sqlalchemy import func, select

from spindel import create_app
from spindel.extensions import db
from spindel.models import User, UserSession
from spindel.services.accounts import create_api_token
from tests.conftest import PASSWORD, AuthActions, make_app, post_form

NEW_PASSWORD = "lila elefanter dansar tango"
API = "/api/v1/projects/no-such-project/results"  # 401 without a login, else 404


@pytest.fixture
def two_apps(tmp_path, backend, password_hash):
    """Two app processes on one database (as two gunicorn workers or machines), with anna
    and an admin."""
    first = make_app(tmp_path, backend)
    second = create_app({k: first.config[k] for k in (
        "TESTING", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "SPINDEL_RATELIMIT_STORAGE_URL")})
    with first.app_context():
        db.create_all()
        db.session.add_all([User(email="anna@example.se", password_hash=password_hash),
                            User(email="admin@example.se", password_hash=password_hash,
                                 is_admin=True)])
        db.session.commit()
    yield first, second
    for app in (first, second):
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


class Person:
    email = "anna@example.se"


class Admin:
    email = "admin@example.se"


def logged_in(app, person=Person):
    client = app.test_client()
    assert AuthActions(client).login(person).status_code == 302
    return client


def copy_of(client, app):
    """Another browser (on another app process) holding a copy of the client's cookie."""
    other = app.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def is_in(client) -> bool:
    if has_app_context():  # the `app` fixture's context outlives requests: no cached user
        g.pop("_login_user", None)
    reply = client.get("/workspace")
    return reply.status_code == 200 and "Logga ut" in reply.get_data(as_text=True)


def sessions_of(app, email: str) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(UserSession).join(User)
                                 .where(User.email == email))


def test_a_copied_cookie_is_refused_after_logout(two_apps):
    first, second = two_apps
    browser = logged_in(first)
    thief = copy_of(browser, second)
    assert is_in(thief)  # the copy works while the session lasts …
    assert thief.get(API).status_code == 404  # logged in: no such project

    assert AuthActions(browser).logout().status_code == 302
    assert not is_in(thief)  # … and not after it was logged out, in either process
    assert thief.get("/workspace").headers["Location"].startswith("/login")
    assert thief.get(API).status_code == 401
    assert not is_in(copy_of(browser, first))
    assert sessions_of(first, "anna@example.se") == 0


def test_a_password_change_logs_out_every_other_session(two_apps):
    first, second = two_apps
    browser, other_browser = logged_in(first), logged_in(second)
    thief = copy_of(browser, second)
    changed = post_form(browser, "/account/password", {
        "current": PASSWORD, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert changed.status_code == 302
    assert "utloggad i alla andra webbläsare" in browser.get("/account").get_data(as_text=True)
    assert is_in(browser)  # the one who changed it stays in, with a new session key …
    assert not is_in(thief)  # … so a copy of her old cookie is out
    assert not is_in(other_browser)
    assert sessions_of(first, "anna@example.se") == 1


def test_log_out_everywhere_from_my_account(two_apps):
    first, second = two_apps
    browser, phone = logged_in(first), logged_in(second)
    with first.app_context():
        anna = db.session.scalar(select(User).where(User.email == "anna@example.se"))
        token = create_api_token(anna, "R")
        db.session.commit()
    page = browser.get("/account").get_data(as_text=True)
    assert "Logga ut överallt" in page and "inloggad i 2 webbläsare" in page

    reply = post_form(browser, "/account/logout-everywhere", follow_redirects=True)
    assert "Du är utloggad i alla webbläsare" in reply.get_data(as_text=True)
    assert not is_in(browser) and not is_in(phone)
    api = second.test_client().get(API, headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 404  # not 401: API tokens are not sessions, they keep working


def test_an_admin_ends_every_session_of_a_user(two_apps):
    first, second = two_apps
    browser, phone = logged_in(first), logged_in(second)
    admin = logged_in(first, Admin)
    with first.app_context():
        anna_id = db.session.scalar(select(User.id).where(User.email == "anna@example.se"))
    page = admin.get(f"/admin/users/{anna_id}").get_data(as_text=True)
    assert "Inloggad i 2 webbläsare" in page
    reply = post_form(admin, f"/admin/users/{anna_id}/end-sessions")
    assert reply.status_code == 302 and reply.headers["Location"].endswith(
        f"/admin/users/{anna_id}")
    assert not is_in(browser) and not is_in(phone)
    assert is_in(admin)
    assert logged_in(second) is not None  # she can log in again with her password


def test_a_deactivated_user_is_logged_out_everywhere(two_apps):
    first, _ = two_apps
    browser = logged_in(first)
    admin = logged_in(first, Admin)
    with first.app_context():
        anna_id = db.session.scalar(select(User.id).where(User.email == "anna@example.se"))
    assert post_form(admin, f"/admin/users/{anna_id}", {}).status_code == 302
    assert not is_in(browser)
    assert sessions_of(first, "anna@example.se") == 0


def test_a_login_lasts_twelve_hours_by_default(app, client, auth, make_user):
    user = make_user()
    before = dt.datetime.now(dt.UTC)
    auth.login(user)
    cookie = client.get_cookie("session")
    assert cookie.expires is not None  # not a 31-day cookie, and not one without an end
    assert dt.timedelta(hours=11) < cookie.expires - before <= dt.timedelta(hours=12, minutes=1)
    assert is_in(client)
    with client.session_transaction() as session:  # as if logged in 13 hours ago
        session["_login_at"] = int(time.time()) - 13 * 3600
    assert not is_in(client)


def test_the_lifetime_is_configurable(tmp_path, password_hash):
    app = make_app(tmp_path, PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=2))
    with app.app_context():
        db.create_all()
        db.session.add(User(email="anna@example.se", password_hash=password_hash))
        db.session.commit()
    client = logged_in(app)
    assert client.get_cookie("session").expires - dt.datetime.now(dt.UTC) \
        <= dt.timedelta(hours=2)
    assert "högst 2 timmar" in client.get("/account").get_data(as_text=True)
    with app.app_context():
        db.engine.dispose()


def test_a_session_older_than_its_lifetime_in_days_is_refused_and_forgotten(
        client, auth, make_user):
    user = make_user()
    auth.login(user)
    stored = db.session.scalar(select(UserSession))
    stored.created_on -= dt.timedelta(days=2)
    db.session.commit()
    assert not is_in(client)
    auth.login(user)  # a new login clears out sessions past their lifetime
    assert db.session.scalar(select(func.count()).select_from(UserSession)) == 1


def test_a_cookie_with_a_user_id_from_before_sessions_is_refused(client, make_user):
    user = make_user()
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_login_at"] = int(time.time())
        session["_fresh"] = True
    assert not is_in(client)


def test_only_a_hash_of_the_session_key_is_stored(client, auth, make_user):
    auth.login(make_user())
    with client.session_transaction() as session:
        key = session["_user_id"]
    stored = db.session.scalar(select(UserSession))
    assert len(key) >= 40 and key != stored.id and len(stored.id) == 64
    assert isinstance(stored.created_on, dt.date) and not isinstance(stored.created_on,
                                                                     dt.datetime)
