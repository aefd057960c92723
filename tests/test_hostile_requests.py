"""Nothing a stranger puts in an address, a query string or a form becomes a 500 (issue 11):
a NUL byte is a 400 on every route and form, a route number too large for the database a 404,
on SQLite as on PostgreSQL. The routes are walked from the app's own URL map, so a route added
later is walked too. (Bad answers to the respondent's form: tests/load/test_bad_input.py.)"""

from __future__ import annotations

import io

import pytest
from sqlalchemy import text

from spindel.extensions import db
from tests.conftest import csrf_token, hidden_fields

NUL = "\x00"
# The query names the app reads somewhere (filters, language, the page after logging in).
QUERY_NAMES = ("round", "by", "role", "area", "profession", "district", "lang", "next",
               "format", "rounds")
TOO_LARGE = (2**31, 10**20)  # past PostgreSQL's integer; past SQLite's too


@pytest.fixture
def app(app, backend):
    """Every test here on SQLite and PostgreSQL."""
    return app


@pytest.fixture
def values(make_project):
    """A value for every route argument, taken from a real project where there is one, so
    that without the checks each request would reach deep into its view."""
    from spindel.services.codes import generate_codes

    project = make_project(rounds=1)
    round_ = project.rounds[0]
    district = project.districts[0]
    code = generate_codes(round_, 1)[0]
    db.session.commit()
    return {"slug": project.slug, "number": round_.number, "token": round_.token,
            "district_key": district.key, "kind": "districts", "id": district.id,
            "code": code, "key": "spider", "fmt": "svg", "user_id": 1, "token_id": 1,
            "batch_id": 1, "project_id": project.id, "agreement_id": 1}


def routes(app, method: str):
    return sorted((r for r in app.url_map.iter_rules() if method in r.methods),
                  key=lambda r: r.rule)


def build(app, rule, values: dict, **override) -> str:
    arguments = {name: values.get(name, "x") for name in rule.arguments}
    arguments.update(override)
    with app.test_request_context():
        return app.url_map.bind("localhost").build(rule.endpoint, arguments)


def is_int(rule, name: str) -> bool:
    return f"<int:{name}>" in rule.rule


def addresses(app, values: dict):
    """(what, address, the 4xx expected) for every GET route: a NUL in each text argument of
    the path, in each query name the app reads and in a query name, and numbers too large
    for the database in each number argument."""
    for rule in routes(app, "GET"):
        path = build(app, rule, values)
        query = "&".join(f"{name}=1%00" for name in QUERY_NAMES)
        yield f"{rule.rule} query values", f"{path}?{query}", 400
        yield f"{rule.rule} query name", f"{path}?ro%00und=1", 400
        for name in rule.arguments:
            if is_int(rule, name):
                for number in TOO_LARGE:
                    yield (f"{rule.rule} {name}={number}", build(app, rule, values,
                                                                   **{name: number}), 404)
            else:
                for text_ in (NUL, f"a{NUL}b"):
                    yield (f"{rule.rule} {name}={text_!r}", build(app, rule, values,
                                                                   **{name: text_}), 400)


def test_every_get_route_answers_a_nul_or_a_huge_number_with_a_4xx(app, client, login_as,
                                                                    values):
    seen = 0
    for who in ("a stranger", "an administrator"):
        if who == "an administrator":
            login_as(admin=True)
        for what, address, expected in addresses(app, values):
            reply = client.get(address)
            assert reply.status_code == expected, (who, what, address, reply.status_code,
                                                   reply.get_data(as_text=True)[:300])
            body = reply.get_data(as_text=True)
            assert reply.is_json or "<h1>" in body, (who, what, body[:300])
            seen += 1
    assert seen > 200
    print(f"\n{seen} GET requests with NUL or too large numbers, all 4xx")


def test_every_form_answers_a_nul_in_a_field_with_a_4xx(app, client, login_as, values):
    """Every POST route, logged in with a valid CSRF token: a NUL in a field, in a field's
    name or in an uploaded file's name is a 400 as soon as the form is read (a view may refuse
    earlier for its own reason: a 404 or a round not open)."""
    login_as(admin=True)
    token = csrf_token(client, "/workspace")
    statuses: dict[int, int] = {}
    for rule in routes(app, "POST"):
        path = build(app, rule, values)
        for fields in ({"name": f"Norr{NUL}", "email": f"a{NUL}@example.se"},
                       {f"na{NUL}me": "Norr"}):
            reply = client.post(path, data={"csrf_token": token, **fields})
            assert 400 <= reply.status_code < 500, (rule.rule, fields, reply.status_code)
            statuses[reply.status_code] = statuses.get(reply.status_code, 0) + 1
        upload = client.post(path, data={"csrf_token": token, "file": (
            io.BytesIO(b"round;area\n"), f"earlier{NUL}.csv")},
            content_type="multipart/form-data")
        assert 400 <= upload.status_code < 500, (rule.rule, upload.status_code)
    assert statuses[400] > 40
    print(f"\nPOST with NUL in a field: {dict(sorted(statuses.items()))}")


def test_the_findings_of_the_penetration_test_are_4xx(app, client, make_user):
    """/r/%00abcdefgh without logging in, /projects/%00, a login e-mail holding a NUL: each
    was a 500 on PostgreSQL."""
    reply = client.get("/r/%00abcdefgh")
    assert reply.status_code == 400
    assert "nollbyte" in reply.get_data(as_text=True)
    assert client.get("/projects/%00").status_code == 400
    api = client.get("/api/v1/projects/%00/results")
    assert api.status_code == 400 and api.json["error"]["code"] == 400
    user = make_user()
    page = client.get("/login")
    form = hidden_fields(page.get_data(as_text=True))
    login = client.post("/login", data={**form, "email": f"{user.email}{NUL}",
                                        "password": "correct horse battery"})
    assert login.status_code == 400
    assert client.get("/workspace").status_code == 302  # not logged in


def test_a_value_the_database_refuses_is_a_400_not_a_500(app, backend):
    """The safety net behind the checks: should a value the database refuses still reach it
    (here a NUL, which PostgreSQL refuses and SQLite stores), the answer is a 400, JSON under
    /api/, and the session is usable again for the error page."""

    from flask import request

    from spindel.extensions import csrf

    @csrf.exempt
    def store_raw():
        db.session.execute(text("SELECT :value"), {"value": request.data.decode()})
        return {"stored": True}

    app.add_url_rule("/api/v1/test-raw", "test_raw", store_raw, methods=["POST"])
    app.add_url_rule("/test-raw", "test_raw_page", store_raw, methods=["POST"])
    client = app.test_client()
    for path in ("/api/v1/test-raw", "/test-raw"):
        reply = client.post(path, data=f"a{NUL}b".encode(), content_type="text/plain")
        if backend == "sqlite":
            assert reply.status_code == 200
        else:
            assert reply.status_code == 400, reply.get_data(as_text=True)[:500]
            if path.startswith("/api/"):
                assert reply.json["error"]["code"] == 400
            else:
                assert "kan inte sparas" in reply.get_data(as_text=True)
