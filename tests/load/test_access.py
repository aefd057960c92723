"""Every route in the URL map, requested anonymously and as a supporter of another project:
no results, exports or settings of a project come back — checked on the body, not only on the
status — and nothing is changed. Every page carries the security headers."""

from __future__ import annotations

import itertools
import re

import pytest
from sqlalchemy import func, select
from werkzeug.routing.converters import NumberConverter

from spindel.extensions import db
from spindel.models import ApiToken, Project, Rating, Response, Round, User
from spindel.services.accounts import create_api_token
from tests.conftest import AuthActions, hidden_fields

# Words that only the secret project's results, exports and settings contain (ASCII: JSON may
# escape anything else), and its mean rating 7.1666… from the answers 3, 4, 8, 9, 9, 10.
SECRET_NAME = "Hemlig Samverkan Q7"
SECRET_DISTRICT = "Markorby Q3"
SECRET_MEAN = "7.166"
SECRET_DESCRIPTION = "Beskrivning Z9 hemlig"
SECRET_EMAIL = "agda.a@example.se"
PUBLIC_BY_LINK = ("respond.", "codes.")  # the respondent link/code is the key to that page
GUESSES = ["x", "1", "csv", "xlsx", "pptx", "png", "svg", "pdf", "zip", "json"]


@pytest.fixture
def secret(app, make_project, make_user, add_answer):
    """Project A with answers and a member; a supporter B of another project; the values that
    must never reach B or a stranger."""
    project = make_project(slug="hemlig", districts=[("m3", SECRET_DISTRICT), ("n4", "Norr")],
                           rounds=2, min_group_size=3, description=SECRET_DESCRIPTION)
    project.name = SECRET_NAME
    for value in (3, 4, 8, 9, 9, 10):
        add_answer(project.rounds[0], profession="bvc", district="m3", value=value)
    member = make_user(projects=[project], email=SECRET_EMAIL)
    member_token = create_api_token(member, "agdas nyckel")
    other = make_project(slug="annat")
    outsider = make_user(projects=[other], email="bertil.b@example.se")
    outsider_token = create_api_token(outsider, "bertils nyckel")
    db.session.commit()
    markers = [SECRET_NAME, SECRET_DISTRICT, SECRET_MEAN, SECRET_DESCRIPTION, SECRET_EMAIL,
               member_token, "agdas nyckel",
               *(r.token for r in project.rounds)]
    return {"project": project, "member": member, "member_token": member_token,
            "outsider": outsider,
            "outsider_token": outsider_token, "markers": markers,
            "token_id": db.session.scalar(select(ApiToken.id).where(
                ApiToken.user_id == member.id))}


def argument_values(rule, secret) -> list[dict]:
    """Values for a rule's arguments that point at the secret project where they can."""
    project = secret["project"]
    known = {"slug": [project.slug], "project": [project.slug],
             "token": [project.rounds[0].token],
             "number": [1], "round": [1], "round_number": [1],
             "user_id": [secret["member"].id], "id": [secret["member"].id],
             "token_id": [secret["token_id"]], "filename": ["spindel.css"],
             "grouping_id": [d.id for d in project.districts] + [p.id for p in project.professions]}
    names = sorted(rule.arguments)
    # An `any(...)` converter only builds with its own values: use them all.
    choices = [list(getattr(rule._converters.get(name), "items", None) or [])
               or known.get(name) or _guesses(rule._converters.get(name)) for name in names]
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*choices)][:40]


def _guesses(converter) -> list:
    if isinstance(converter, NumberConverter):
        return [1, 2, 3]
    return GUESSES


def snapshot(project_id: int) -> tuple:
    return (db.session.scalar(select(func.count()).select_from(Response)),
            db.session.scalar(select(func.count()).select_from(Rating)),
            db.session.scalar(select(func.count()).select_from(Round)
                              .where(Round.project_id == project_id)),
            db.session.scalar(select(func.count()).select_from(User)),
            db.session.scalar(select(Project.name).where(Project.id == project_id)),
            tuple(db.session.scalars(select(Round.state).where(Round.project_id == project_id)
                                     .order_by(Round.number))))


def requests_for_every_route(app, secret):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for values in argument_values(rule, secret):
            with app.test_request_context():
                path = app.url_map.bind("localhost").build(rule.endpoint, values,
                                                           append_unknown=False)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule, method, path


@pytest.mark.parametrize("who", ["anonymous", "supporter of another project",
                                 "token of another project"])
def test_no_route_gives_away_another_projects_data(app, client, secret, who):
    headers = {}
    if who == "supporter of another project":
        assert AuthActions(client).login(secret["outsider"]).status_code == 302
    elif who == "token of another project":
        headers = {"Authorization": f"Bearer {secret['outsider_token']}"}
    csrf = hidden_fields(client.get("/login").get_data(as_text=True)).get("csrf_token", "")
    before = snapshot(secret["project"].id)
    checked = 0
    for rule, method, path in requests_for_every_route(app, secret):
        data = {"csrf_token": csrf, "confirm": "1", "name": "Kapad", "state": "closed",
                "email": "evil@example.se", "password": "x" * 12}
        reply = client.open(path, method=method, headers=headers,
                            data=data if method != "GET" else None)
        assert reply.status_code < 500, (method, path, reply.status_code)
        if rule.endpoint.startswith(PUBLIC_BY_LINK):
            continue
        body = reply.get_data(as_text=True)
        leaked = [m for m in secret["markers"] if m in body or m in reply.headers.get(
            "Location", "").replace(secret["project"].slug, "")]
        assert leaked == [], (who, method, path, reply.status_code, leaked)
        assert reply.status_code in (200, 302, 303, 400, 401, 403, 404, 405, 410, 422), \
            (method, path, reply.status_code)
        checked += 1
        db.session.rollback()
    assert checked >= 5
    db.session.expire_all()
    assert snapshot(secret["project"].id) == before


# --- headers ----------------------------------------------------------------------------------

# A JSON data block (type="application/json") is data, not script: the CSP does not run it.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\b(?:src=|type=\"application/json\"))[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


def check_headers(reply, where) -> None:
    csp = reply.headers.get("Content-Security-Policy", "")
    directives = dict((d.strip().split(" ", 1) + [""])[:2] for d in csp.split(";") if d.strip())
    assert "script-src" in directives or "default-src" in directives, where
    script_src = directives.get("script-src", directives.get("default-src", ""))
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src, where
    assert "*" not in script_src.split() and "data:" not in script_src, where
    assert directives.get("frame-ancestors") == "'none'", where
    assert reply.headers.get("Referrer-Policy") == "no-referrer", where
    assert reply.headers.get("X-Content-Type-Options") == "nosniff", where
    if reply.mimetype == "text/html":
        body = reply.get_data(as_text=True)
        assert not INLINE_SCRIPT.search(body), (where, INLINE_SCRIPT.search(body).group(0))
        assert not INLINE_HANDLER.search(body), (where, INLINE_HANDLER.search(body).group(0))


def test_every_page_has_the_security_headers(app, client, secret, make_user):
    admin = make_user(admin=True)
    pages = 0
    for lang in ("sv", "en"):
        for who in ("anonymous", "admin"):
            if who == "admin":
                AuthActions(client).login(admin)
            for _rule, method, path in requests_for_every_route(app, secret):
                if method != "GET":
                    continue
                reply = client.get(path, query_string={"lang": lang})
                check_headers(reply, (who, path, reply.status_code))
                pages += 1
            reply = client.get("/static/spindel.css")
            check_headers(reply, "static")
            reply.close()
            check_headers(client.get("/no/such/page"), "404")
    assert pages >= 10


def test_cookies_are_secure_httponly_and_samesite_over_https(tmp_path):
    from tests.conftest import make_app

    for config, headers in (({"SESSION_COOKIE_SECURE": True}, {}),
                            ({"SPINDEL_PROXY_FIX": 1}, {"X-Forwarded-Proto": "https"})):
        app = make_app(tmp_path, **config)
        client = app.test_client()
        for path in ("/login", "/?lang=en"):
            reply = client.get(path, headers=headers)
            cookies = reply.headers.getlist("Set-Cookie")
            assert cookies, path
            for cookie in cookies:
                assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_control_the_projects_own_member_does_see_the_markers(app, client, secret):
    """The check above can fail: the same requests as the project's member find its data."""
    headers = {"Authorization": f"Bearer {secret['member_token']}"}
    found = set()
    for rule, method, path in requests_for_every_route(app, secret):
        if method == "GET" and not rule.endpoint.startswith(PUBLIC_BY_LINK):
            for query in ({}, {"by": "area", "round": 1}):
                body = client.get(path, headers=headers, query_string=query).get_data(
                    as_text=True)
                found |= {m for m in secret["markers"] if m in body}
    assert {SECRET_DISTRICT, SECRET_MEAN} <= found
