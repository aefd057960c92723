"""Logging in, API tokens and the one rule for who sees a project."""

from __future__ import annotations

import re

from flask import g
from flask_babel import refresh
from sqlalchemy import func, select

from spindel.access import can_see, project_or_404
from spindel.extensions import db
from spindel.models import ApiToken, ExpectedStaff
from spindel.services.accounts import create_api_token, user_for_api_token


def test_login_with_the_right_password_and_not_the_wrong_one(client, auth, make_user):
    user = make_user()
    wrong = auth.login(user, password="not the password")
    assert wrong.status_code == 422
    assert "fel" in wrong.get_data(as_text=True)
    right = auth.login(user)
    assert right.status_code == 302
    assert "Logga ut" in client.get("/").get_data(as_text=True)
    auth.logout()
    assert "Logga ut" not in client.get("/").get_data(as_text=True)


def test_login_redirects_only_within_the_site(client, make_user):
    from tests.conftest import PASSWORD, hidden_fields

    user = make_user()
    token = hidden_fields(client.get("/login").get_data(as_text=True))["csrf_token"]
    reply = client.post("/login?next=https://evil.example/x",
                        data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert reply.headers["Location"] == "/workspace"


def test_membership_decides_who_sees_a_project(app, make_project, make_user):
    import pytest
    from werkzeug.exceptions import NotFound

    mine, other = make_project(), make_project()
    supporter = make_user(projects=[mine])
    admin = make_user(admin=True)
    assert can_see(supporter, mine) and not can_see(supporter, other)
    assert can_see(admin, other)
    with pytest.raises(NotFound):
        project_or_404(other.slug, supporter)
    with pytest.raises(NotFound):
        project_or_404("no-such-project", admin)


def test_api_tokens_are_stored_hashed_and_can_be_revoked(app, make_user):
    user = make_user()
    token = create_api_token(user, "research")
    db.session.commit()
    stored = db.session.query(ApiToken).one()
    assert token not in stored.token_hash and len(stored.token_hash) == 64
    assert user_for_api_token(token) == user
    assert user_for_api_token(token + "x") is None
    stored.revoked = True
    db.session.commit()
    assert user_for_api_token(token) is None


def test_cli_creates_users_and_tokens(app, runner, monkeypatch):
    monkeypatch.setenv("SPINDEL_PASSWORD", "a long enough password")
    result = runner.invoke(args=["create-user", "Anna@Example.se", "--admin"])
    assert result.exit_code == 0, result.output
    again = runner.invoke(args=["create-user", "anna@example.se"])
    assert again.exit_code != 0 and "already exists" in again.output
    token = runner.invoke(args=["create-token", "anna@example.se"]).output.strip()
    assert token.startswith("spd_")
    assert user_for_api_token(token).email == "anna@example.se"
    monkeypatch.setenv("SPINDEL_PASSWORD", "short")
    assert runner.invoke(args=["create-user", "b@example.se"]).exit_code != 0


def test_text_fields_keep_type_autocomplete_and_error_links(client):
    html = client.get("/login").get_data(as_text=True)
    assert '<input autocomplete="username" id="email"' in html and 'type="email"' in html
    assert 'autocomplete="current-password"' in html and 'type="password"' in html
    from tests.conftest import hidden_fields

    reply = client.post("/login", data={**hidden_fields(html), "email": "", "password": ""})
    html = reply.get_data(as_text=True)
    field = html[html.index('<input', html.index('for="email"')):]
    field = field[:field.index(">")]
    assert 'aria-invalid="true"' in field and 'aria-describedby="email-error"' in field


def test_a_form_sent_without_a_valid_token_says_nothing_was_saved_and_what_to_do(
        client, login_as, make_project):
    """An expired or missing form token is a 400 with a page that says so in plain words,
    in the visitor's language, with the way back to the form, not a bare error."""
    project = make_project()
    login_as(projects=[project])
    form_page = f"/projects/{project.slug}/rounds/1/expected"
    field = f"p_{project.professions[0].id}"
    reply = client.post(form_page, data={field: "12", "csrf_token": "gammal"},
                        headers={"Referer": f"http://localhost{form_page}"})
    assert reply.status_code == 400
    html = reply.get_data(as_text=True)
    assert '<html lang="sv">' in html
    assert "<h1>Formuläret hade gått ut – inget sparades</h1>" in html
    assert "gå tillbaka med webbläsarens bakåtknapp och kopiera det" in html
    assert f'<a href="{form_page}">Öppna formuläret igen</a>' in html
    assert "logga in igen" not in html  # still logged in
    assert db.session.scalar(select(func.count()).select_from(ExpectedStaff)) == 0

    refresh()  # the tests' one app context keeps the last request's language
    reply = client.post(f"{form_page}?lang=en", data={field: "12"},
                        headers={"Referer": "https://elsewhere.example/form"})
    html = reply.get_data(as_text=True)
    assert reply.status_code == 400 and "<h1>The form had expired – nothing was saved</h1>" in html
    assert "elsewhere.example" not in html  # a link back only within the site

    # Logged out meanwhile (the cookie gone): the login form itself says what to do.
    client._cookies.clear()
    g.pop("_login_user", None)  # the tests' one app context would keep the last request's
    refresh()
    reply = client.post("/login", data={"email": "a@example.org", "password": "x"})
    html = reply.get_data(as_text=True)
    assert reply.status_code == 400
    assert "Du kan behöva logga in igen först." in html
    assert re.search(r'<a href="/login">Logga in</a>', html)
