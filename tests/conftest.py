"""Fixtures: an app on a fresh database per test (SQLite, and PostgreSQL when
SPINDEL_TEST_POSTGRES_URL is set), a client that answers forms like a browser, factories for
projects and answers, and a live server with a real Chromium for browser tests."""

from __future__ import annotations

import datetime as dt
import os
import re
import threading
from pathlib import Path

import pytest
from flask import g
from sqlalchemy import create_engine, text
from werkzeug.serving import make_server

from spindel import create_app
from spindel import instrument as instruments
from spindel.dates import local_today
from spindel.extensions import db
from spindel.models import Round, RoundState
from spindel.services.projects import create_project
from spindel.services.responses import Answer, store_answer
from spindel.services.round_setup import RoundSetup

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get("SPINDEL_TEST_POSTGRES_URL")
NO_POSTGRES = "PostgreSQL tests need SPINDEL_TEST_POSTGRES_URL (set by .ci/run)"


def reset_postgres(url: str) -> None:
    """Drop everything in the public schema, alembic's version table included."""
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def database_urls(tmp_path: Path, backend: str) -> str:
    if backend == "postgres":
        if not POSTGRES_URL:
            pytest.skip(NO_POSTGRES)
        reset_postgres(POSTGRES_URL)
        return POSTGRES_URL
    return f"sqlite:///{tmp_path / 'test.sqlite'}"


def make_app(tmp_path: Path, backend: str = "sqlite", **config):
    settings = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_urls(tmp_path, backend),
        "SPINDEL_RATELIMIT_STORAGE_URL": "memory://",
    }
    settings.update(config)
    app = create_app(settings)
    # A served request has an app context (and `g`) of its own; the tests keep one open, so a
    # request's CSRF verdict must not carry over to the next and wave through a form that
    # checks its own token (the vote, the answer form, agreements).
    app.teardown_request(lambda _exc: g.pop("csrf_valid", None))
    return app


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request) -> str:
    """Run a test on SQLite and on PostgreSQL."""
    return request.param


@pytest.fixture
def app(request, tmp_path):
    """The app with empty tables, on SQLite; a test that also asks for `backend` runs once on
    SQLite and once on PostgreSQL."""
    backend = request.getfixturevalue("backend") if "backend" in request.fixturenames \
        else "sqlite"
    app = make_app(tmp_path, backend)
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        db.engine.dispose()
    app.extensions["spindel_export_engine"].close()  # a Chromium a test may have started


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# --- factories ----------------------------------------------------------------------------


@pytest.fixture
def make_project(app):
    """Create a project with districts and rounds; returns the Project."""
    counter = iter(range(1, 10_000))

    def factory(*, slug: str | None = None, districts=(("north", "Norr"), ("south", "Söder")),
                rounds: int = 1, state: str = RoundState.OPEN, min_group_size: int = 5,
                **kwargs):
        n = next(counter)
        project = create_project(f"Samverkan {n}", slug or f"samverkan-{n}",
                                 districts=list(districts), min_group_size=min_group_size,
                                 **kwargs)
        for number in range(1, rounds + 1):
            project.rounds.append(Round(number=number, label=f"Mätning {number}", state=state,
                                        opens_on=local_today() - dt.timedelta(days=1)))
        db.session.commit()
        return project

    return factory


@pytest.fixture
def add_answer(app):
    """Store one answer directly (not through the form); returns the Response."""

    def factory(round_, profession="bvc", district="north", ratings=None, value=5,
                today=None):

        instrument = instruments.for_project(round_.project)
        if ratings is None:
            ratings = dict.fromkeys(instrument.item_keys, value)
        if district is not None and not round_.project.districts:
            district = None
        response, _ = store_answer(RoundSetup.of(round_), instrument,
                                   Answer(profession, district, ratings),
                                   today=today, check_open=False)
        db.session.commit()
        return response

    return factory


# --- forms like a browser -----------------------------------------------------------------



def hidden_fields(html: str) -> dict[str, str]:
    """The hidden fields (CSRF token, submission key) of a rendered form."""
    found = {}
    for match in re.finditer(r"<input[^>]*>", html):
        tag = match.group(0)
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if 'type="hidden"' in tag and name:
            found[name.group(1)] = value.group(1) if value else ""
    return found


def full_answer(instrument, profession="bvc", district="north", value="7") -> dict[str, str]:
    data = {"profession": profession}
    if district:
        data["district"] = district
    data.update({f"item_{key}": value for key in instrument.item_keys})
    return data


# --- live server and browser ---------------------------------------------------------------


class LiveServer:
    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join(5)


@pytest.fixture
def live_server(app):
    with LiveServer(app) as server:
        yield server


CHROMIUM = os.environ.get("SPINDEL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}; `make test` installs it "
                    "(apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser):
    """Factory for pages in fresh contexts; every request that would leave localhost is
    blocked and recorded, and the test fails if there was one."""
    contexts, outside = [], []

    def factory(**context_options):
        context_options.setdefault("bypass_csp", True)  # only so axe-core can be injected
        context = browser.new_context(**context_options)
        contexts.append(context)

        def guard(route):
            url = route.request.url
            if re.match(r"^(https?|wss?)://(127\.0\.0\.1|localhost)(:\d+)?/", url) or \
                    url.startswith(("data:", "blob:", "about:")):
                route.continue_()
            else:
                outside.append(url)
                route.abort()

        context.route("**/*", guard)
        context.set_default_timeout(10_000)
        return context.new_page()

    yield factory
    for context in contexts:
        context.close()
    assert outside == [], f"requests left localhost: {outside}"


AXE_JS = ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page) -> list[dict]:
    """Run axe-core in the page for WCAG 2.1 A and AA; return the violations."""
    if not AXE_JS.exists():
        pytest.fail("axe-core is missing; `make test` installs it with npm")
    page.evaluate(AXE_JS.read_text())
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    return [
        {"id": v["id"], "help": v["help"],
         "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


def axe_as_served(page, new_page, **context_options) -> list[dict]:
    """axe_violations of a page seen without JavaScript (axe-core needs scripts): its HTML at
    its address (so with the same CSS), checked in a second page that runs scripts."""
    html, url = page.content(), page.url
    twin = new_page(**context_options)
    twin.route(url, lambda route: route.fulfill(body=html,
                                                content_type="text/html; charset=utf-8"))
    twin.goto(url)
    return axe_violations(twin)


# --- people -------------------------------------------------------------------------------

PASSWORD = "correct horse battery"


@pytest.fixture(scope="session")
def password_hash() -> str:
    """Hashing is slow on purpose: compute it once for the whole run."""
    from werkzeug.security import generate_password_hash

    return generate_password_hash(PASSWORD)


@pytest.fixture
def rate(add_answer):
    """Add `times` answers: every item `base`, except the ones given."""

    def factory(round_, times=1, profession="bvc", base=5, **overrides):
        keys = instruments.for_project(round_.project).item_keys
        for _ in range(times):
            add_answer(round_, profession=profession,
                       ratings={k: overrides.get(k, base) for k in keys})

    return factory


@pytest.fixture
def make_user(app, password_hash):
    """Create a user (password PASSWORD), optionally a member of some projects."""
    from spindel.models import User

    counter = iter(range(1, 10_000))

    def factory(*, admin: bool = False, projects=(), email: str | None = None):
        user = User(email=email or f"user{next(counter)}@example.se",
                    password_hash=password_hash, is_admin=admin)
        user.projects.extend(projects)
        db.session.add(user)
        db.session.commit()
        return user

    return factory


class AuthActions:
    """Log in and out through the real login form."""

    def __init__(self, client):
        self.client = client

    def login(self, user, password: str = PASSWORD):
        page = self.client.get("/login")
        token = hidden_fields(page.get_data(as_text=True))["csrf_token"]
        return self.client.post("/login", data={"email": user.email, "password": password,
                                                "csrf_token": token})

    def logout(self):
        page = self.client.get("/")
        token = hidden_fields(page.get_data(as_text=True)).get("csrf_token", "")
        return self.client.post("/logout", data={"csrf_token": token})


@pytest.fixture
def auth(client):
    return AuthActions(client)


# --- workspace ---


def csrf_token(client, path: str = "/login") -> str:
    """A CSRF token for this client's session (any page with a form carries one)."""
    return hidden_fields(client.get(path).get_data(as_text=True))["csrf_token"]


def post_form(client, url: str, data: dict | None = None, **kwargs):
    """POST like a browser: with the session's CSRF token."""
    return client.post(url, data={"csrf_token": csrf_token(client), **(data or {})}, **kwargs)


@pytest.fixture
def login_as(client, auth, make_user):
    """Create a user (admin or member of some projects), log the client in, return the user."""

    def factory(*, admin: bool = False, projects=()):
        user = make_user(admin=admin, projects=projects)
        assert auth.login(user).status_code == 302
        return user

    return factory


# --- exports ---


@pytest.fixture(scope="session")
def export_engine():
    """One kept Chromium for every export test, as in a running app."""
    from spindel.services.exports.images import ExportEngine

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}; `make test` installs it")
    engine = ExportEngine(CHROMIUM)
    yield engine
    engine.close()


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (checks the signature too)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


SMALL_GROUP = {"profession": "open_preschool", "label": "Öppen förskola",
               "district": "east", "district_label": "Österort"}


@pytest.fixture
def project_with_small_group(make_project, add_answer):
    """Two rounds; in round 2 open preschool (and its district, Österort) has only 2 answers,
    under k = 5. Ratings vary (seeded), so every mean is a different number."""
    import random


    rng = random.Random(5)
    project = make_project(districts=(("north", "Norr"), ("south", "Söder"),
                                      ("east", "Österort")), rounds=2)
    items = instruments.for_project(project).item_keys
    plan = {1: [("bvc", "north", 6), ("bmm", "south", 7)],
            2: [("bvc", "north", 7), ("bmm", "south", 6), ("social_services", "north", 8),
                ("open_preschool", "east", 2)]}
    for number, groups in plan.items():
        round_ = project.rounds[number - 1]
        for profession, district, n in groups:
            for _ in range(n):
                ratings = {key: rng.choice([None, *range(1, 11)]) if rng.random() < 0.1
                           else rng.randint(2, 10) for key in items}
                add_answer(round_, profession=profession, district=district, ratings=ratings)
    return project


@pytest.fixture
def logged_in(auth, make_user, project_with_small_group):
    """project_with_small_group, with its supporter logged in."""
    auth.login(make_user(projects=[project_with_small_group]))
    return project_with_small_group


@pytest.fixture
def closed_project(project_with_small_group):
    """project_with_small_group with its rounds closed: professions and districts are
    published."""
    for round_ in project_with_small_group.rounds:
        round_.state = RoundState.CLOSED
    db.session.commit()
    return project_with_small_group


@pytest.fixture
def closed(logged_in, closed_project):
    """The closed project, with its supporter logged in."""
    return closed_project


def api_results(client, slug: str, **params) -> dict:
    """The results as the JSON API gives them to a logged-in client."""
    response = client.get(f"/api/v1/projects/{slug}/results", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()
