"""Who may open what, for EVERY route in the app's URL map: anonymous, a supporter of another
project, a supporter of the project, a viewer of the project (a steering group: read-only), an
admin. A new route is covered without anyone remembering it: it is either in the small PUBLIC
list below or must behave like this — and a project's page is closed to its viewers unless it
is in the READABLE list."""

from __future__ import annotations

import time

import pytest
from flask import g

from spindel.dates import local_today
from spindel.extensions import db
from spindel.models import VIEWER, ApiToken, ImportBatch, ProjectMember, Round, RoundState, User
from spindel.services.projects import create_project
from spindel.services.sessions import start_session
from tests.conftest import make_app

# Routes anyone may open: the respondent's pages, login, static files, health, the API's
# self-description. Everything else needs a login.
# /s/: short links to a round; /v/: the seminar's priority vote on phones (a short code)
PUBLIC_PREFIXES = ("/r/", "/s/", "/v/", "/static/", "/assets/")
PUBLIC_RULES = {"/", "/login", "/healthz", "/api/v1/openapi.json", "/privacy"}
# Pages only an admin sees (a supporter gets 404, as for a project not theirs).
ADMIN_ENDPOINTS = {"admin.users", "admin.user", "admin.end_user_sessions",
                   "admin.delete_project", "exports.raw", "admin.add_viewing",
                   "admin.end_viewing"}
# A project's pages its viewers may open: published figures only (results, presentation,
# exports of aggregates) and the audit, which shows no figures. Not the monitor: its live
# counts per profession and district are not published cells while a round is open.
READABLE_ENDPOINTS = {"results.page", "present.setup", "present.slides", "present.slide_data",
                      "exports.index", "exports.chart", "exports.deck", "exports.workbook",
                      "exports.table_csv", "api.project_results", "audit.report",
                      "agreements.index"}  # a round's agreements: read, not changed
# Routes that end the caller's own session, and so redirect to the login page.
LOGGING_OUT = {"auth.logout", "account.logout_everywhere"}
# Forms whose text a supporter may lose to a login that ended while she typed: a POST without
# a login gets a 400 page with what was sent and a login link, and looks nothing up.
KEEPS_TYPED_TEXT = {("agreements.add", "POST"), ("agreements.edit", "POST")}


def _rules():
    app = make_app_for_listing()
    found = []
    for rule in app.url_map.iter_rules():
        if rule.rule in PUBLIC_RULES or rule.rule.startswith(PUBLIC_PREFIXES):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append(pytest.param(rule.rule, rule.endpoint, method,
                                      id=f"{method} {rule.rule}"))
    return found


def make_app_for_listing():
    from spindel import create_app

    return create_app({"TESTING": True, "SECRET_KEY": "x",
                       "SQLALCHEMY_DATABASE_URI": "sqlite://"})


@pytest.fixture
def open_app(tmp_path):
    """The app without CSRF checks, so a POST reaches the access rule and the view."""
    app = make_app(tmp_path, WTF_CSRF_ENABLED=False)
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        db.engine.dispose()


class World:
    """A project with a district, a round and a token, and the people around it."""

    def __init__(self, n: int):
        self.project = create_project(f"Projekt {n}", f"projekt-{n}",
                                      districts=[("north", "Norr")])
        self.project.rounds.append(Round(number=1, label="Mätning 1", state=RoundState.OPEN,
                                         opens_on=local_today()))
        self.other = create_project(f"Annat {n}", f"annat-{n}")
        self.member = User(email=f"member{n}@example.se", password_hash="x")
        self.member.projects.append(self.project)
        self.outsider = User(email=f"outsider{n}@example.se", password_hash="x")
        self.outsider.projects.append(self.other)
        self.admin = User(email=f"admin{n}@example.se", password_hash="x", is_admin=True)
        self.viewer = User(email=f"viewer{n}@example.se", password_hash="x")
        self.viewer.memberships.append(ProjectMember(project=self.project, role=VIEWER))
        db.session.add_all([self.member, self.outsider, self.admin, self.viewer])
        db.session.flush()
        self.batch = ImportBatch(project_id=self.project.id, created_on=local_today(),
                                 rows=0, file_sha256="0" * 64, filename="f.csv", undone=False)
        db.session.add(self.batch)
        db.session.commit()

    def values(self, user) -> dict:
        token = ApiToken(user_id=user.id, name="t", token_hash=f"{user.id:064d}",
                         created_on=local_today())
        db.session.add(token)
        db.session.commit()
        return {"slug": self.project.slug, "number": 1, "kind": "districts",
                "id": self.project.districts[0].id, "token_id": token.id,
                "user_id": self.member.id, "fmt": "svg", "batch_id": self.batch.id}


def _url(app, endpoint: str, rule: str, values: dict) -> tuple[str, bool]:
    """The URL with sample values; second item says whether every argument was known."""
    found = next(r for r in app.url_map.iter_rules() if r.rule == rule)
    known = all(a in values for a in found.arguments)
    filled = {a: values.get(a, 1 if "int:" in rule else "x") for a in found.arguments}
    return found.build(filled, append_unknown=False)[1], known


def _request(app, user, method: str, url: str):
    # The test's app context outlives each request, and Flask-Login caches the user in g.
    g.pop("_login_user", None)
    client = app.test_client()
    if user is not None:
        key = start_session(user)
        db.session.commit()
        with client.session_transaction() as session:
            session["_user_id"] = key
            session["_login_at"] = int(time.time())
            session["_fresh"] = True
    return client.open(url, method=method, data={})


@pytest.mark.parametrize(("rule", "endpoint", "method"), _rules())
def test_every_route_lets_in_only_who_may_see_it(open_app, rule, endpoint, method):
    admin_only = endpoint in ADMIN_ENDPOINTS
    scoped = "<slug>" in rule
    problems = []
    for n, role in enumerate(("anonymous", "outsider", "member", "viewer", "admin")):
        world = World(n)  # fresh data per role: a POST by one cannot spoil the next
        user = None if role == "anonymous" else getattr(world, role)
        url, known = _url(open_app, endpoint, rule, world.values(user or world.member))
        reply = _request(open_app, user, method, url)
        code, location = reply.status_code, reply.headers.get("Location", "")
        if role == "anonymous" and (endpoint, method) in KEEPS_TYPED_TEXT:
            page = reply.get_data(as_text=True)
            ok = code == 400 and world.project.name not in page and "/login?next=" in page
        elif role == "anonymous":
            ok = code == 401 if rule.startswith("/api/") else (
                code == 302 and "/login" in location)
        elif (role == "outsider" and (scoped or admin_only)) or (
                role == "member" and admin_only) or (
                role == "viewer" and (admin_only or (
                    scoped and endpoint not in READABLE_ENDPOINTS))):
            ok = code == 404
        else:
            denied = {401, 403} | ({404} if known else set())
            # (logging out ends, by design, at the login page)
            ok = code < 500 and code not in denied and (
                "/login" not in location or endpoint in LOGGING_OUT)
        if not ok:
            problems.append(f"{role}: {method} {url} -> {code} {location}")
    assert problems == []
