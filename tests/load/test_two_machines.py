"""Two app servers (two gunicorn instances, as on two machines) share nothing but the database
and redis: a form loaded from one is accepted by the other, a single-use code sent to both at
once stores one answer, and failed logins are counted across both."""

from __future__ import annotations

import random
import shutil
import subprocess
import threading
import time

import pytest
from werkzeug.security import generate_password_hash

from spindel.extensions import db
from spindel.models import User
from spindel.services.codes import generate_codes
from spindel.services.projects import round_by_token
from tests.conftest import hidden_fields, make_app
from tests.load.conftest import (
    Respondent,
    Visitor,
    database_state,
    free_port,
    random_answer,
    request,
    scaled,
)


@pytest.fixture
def redis_url():
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    process = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save",
                                "", "--appendonly", "no"], stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                import redis

                redis.Redis(port=port).ping()
                break
            except Exception:
                time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(10)


def test_two_app_servers_share_sessions_codes_and_login_limits(survey, gunicorn, redis_url,
                                                                tmp_path):
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=survey.url)
    with app.app_context():
        codes = generate_codes(round_by_token(survey.token), scaled(3, 20))
        db.session.add(User(email="kim@example.se",
                            password_hash=generate_password_hash("a good long password")))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    one = gunicorn(survey.url, SPINDEL_RATELIMIT_STORAGE_URL=redis_url)
    two = gunicorn(survey.url, SPINDEL_RATELIMIT_STORAGE_URL=redis_url)

    # Every code is sent to both servers at the same moment, from two forms: one answer each.
    outcomes = []

    def send(visitor, code, hidden, answer, barrier):
        barrier.wait()
        status, _, _ = visitor.post_form(f"/r/c/{code}", {**hidden, **answer})
        outcomes.append((code, status))

    threads = []
    for n, code in enumerate(codes):
        barrier = threading.Barrier(2)
        for server in (one, two):
            visitor = Visitor(server.url)
            _, _, page = visitor.get(f"/r/c/{code}")
            answer = random_answer(survey, random.Random(n))
            threads.append(threading.Thread(target=send, args=(
                visitor, code, hidden_fields(page.decode()), answer, barrier)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for code in codes:
        statuses = sorted(s for c, s in outcomes if c == code)
        assert statuses == [303, 410], (code, statuses)
    assert sum(database_state(survey)["keys"].values()) == len(codes)

    # A login form loaded from one server is sent to the other: the signed session cookie
    # and its CSRF token are valid there too.
    visitor = Visitor(one.url)
    _, _, page = visitor.get("/login")
    token = hidden_fields(page.decode())["csrf_token"]
    visitor.base = two.url
    status, headers, _ = visitor.post_form("/login", {"csrf_token": token,
                                                      "email": "kim@example.se",
                                                      "password": "a good long password"})
    assert status == 302, status

    # Failed logins alternate between the servers; the limit (5 per minute) counts them all.
    statuses = []
    for attempt in range(7):
        visitor = Visitor((one, two)[attempt % 2].url)
        _, _, page = visitor.get("/login")
        status, _, _ = visitor.post_form("/login", {
            "csrf_token": hidden_fields(page.decode())["csrf_token"],
            "email": "kim@example.se", "password": "wrong password here"})
        statuses.append(status)
    assert statuses[:5] == [422] * 5 and statuses[5:] == [429, 429], statuses
    assert request(one.url, "GET", "/healthz")[0] == 200


def test_a_form_loaded_from_one_server_is_accepted_by_the_other(survey, gunicorn):
    one, two = gunicorn(survey.url), gunicorn(survey.url)
    respondents = [Respondent(survey, one.url, seed) for seed in range(6)]
    for respondent in respondents:
        respondent.load_form()
        respondent.visitor.base = two.url
        respondent.run()
    assert [r.error for r in respondents if r.error] == []
    assert database_state(survey)["keys"] == {r.submission_key: 1 for r in respondents}
