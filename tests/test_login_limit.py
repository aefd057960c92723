"""Failed logins are limited per account in the database (every process counts together) and
per client address (across processes when that count lives in redis), without locking out
the right password of a colleague behind the same address or telling which accounts exist."""

from __future__ import annotations

import datetime as dt
import re
import secrets
import subprocess
import sys
import types

import pytest
from sqlalchemy import func, select

from spindel import create_app
from spindel.extensions import db
from spindel.models import LoginThrottle
from tests.conftest import ROOT, AuthActions, make_app

REDIS = "redis://127.0.0.1:6379"


def test_too_many_failed_logins_get_a_clear_message_and_no_check(client, auth, make_user):
    user = make_user()
    for _ in range(5):
        assert auth.login(user, password="wrong password").status_code == 422
    blocked = auth.login(user)  # even the right password waits now
    html = blocked.get_data(as_text=True)
    assert blocked.status_code == 429
    assert "För många misslyckade inloggningsförsök" in html
    assert 'name="email"' in html  # the login page, not a bare error


def test_successful_logins_do_not_use_up_the_limit(client, auth, make_user):
    user = make_user()
    for _ in range(7):
        assert auth.login(user).status_code == 302
        auth.logout()


def test_the_message_is_english_for_english_visitors(client, auth, make_user):
    user = make_user()
    client.get("/login?lang=en")
    for _ in range(5):
        auth.login(user, password="wrong password")
    html = auth.login(user).get_data(as_text=True)
    assert "Too many failed login attempts" in html


def _redis_available() -> bool:
    try:
        import redis

        redis.Redis.from_url(REDIS, socket_timeout=1).ping()
        return True
    except Exception:
        return False


# Another app process on the same database: tries anna's password — w wrong, r right — in
# the order given; prints the status codes.
OTHER_PROCESS = """
import sys, types
from pathlib import Path
from tests.conftest import AuthActions, PASSWORD, make_app
storage, prefix, attempts = sys.argv[2], sys.argv[3], sys.argv[4]
app = make_app(Path(sys.argv[1]), SPINDEL_RATELIMIT_STORAGE_URL=storage,
               RATELIMIT_KEY_PREFIX=prefix)
actions = AuthActions(app.test_client())
user = types.SimpleNamespace(email="anna@example.se")
codes = [actions.login(user, password=PASSWORD if a == "r" else "wrong password").status_code
         for a in attempts]
print(" ".join(map(str, codes)))
"""


def _other_process(tmp_path, storage: str, prefix: str, attempts: str) -> list[int]:
    done = subprocess.run([sys.executable, "-c", OTHER_PROCESS, str(tmp_path), storage, prefix,
                           attempts], capture_output=True, text=True, cwd=ROOT,
                          timeout=60, check=True)
    return [int(c) for c in done.stdout.split()]


def test_failed_logins_of_an_account_count_in_every_process(tmp_path, password_hash):
    """The embedded default (SQLite, memory://): failures are counted in the database, so
    three here and two in another process throttle the account in both."""
    from spindel.models import User

    app = make_app(tmp_path)
    with app.app_context():
        db.create_all()
        db.session.add(User(email="anna@example.se", password_hash=password_hash))
        db.session.commit()
        user = types.SimpleNamespace(email="anna@example.se")
        here = AuthActions(app.test_client())
        for _ in range(3):
            assert here.login(user, password="wrong password").status_code == 422
        assert _other_process(tmp_path, "memory://", "", "wwr") == [422, 422, 429]
        assert here.login(user).status_code == 429
        db.engine.dispose()


@pytest.mark.skipif(not _redis_available(), reason="redis is not running on 127.0.0.1:6379")
def test_two_app_processes_share_the_address_count_through_redis(tmp_path, password_hash):
    """Three failures here and two in another process use up the address's five; the next
    wrong password is refused in both, while the right one still gets in."""
    from spindel.models import User

    prefix = f"spindel-test-{secrets.token_hex(6)}"  # a fresh key space per run
    app = make_app(tmp_path, SPINDEL_RATELIMIT_STORAGE_URL=REDIS, RATELIMIT_KEY_PREFIX=prefix)
    with app.app_context():
        db.create_all()
        db.session.add(User(email="anna@example.se", password_hash=password_hash))
        db.session.commit()
        user = types.SimpleNamespace(email="anna@example.se")
        here = AuthActions(app.test_client())
        for _ in range(3):
            assert here.login(user, password="wrong password").status_code == 422
        # Control: a process counting in its own memory does not know about them (and its
        # successful login starts anna's own count again).
        assert _other_process(tmp_path, "memory://", prefix, "wr") == [422, 302]
        assert _other_process(tmp_path, REDIS, prefix, "www") == [422, 422, 429]
        assert here.login(user, password="wrong password").status_code == 429
        assert here.login(user).status_code == 302  # anna's own count is at 4 of 5
        db.engine.dispose()


def test_logging_in_still_works_when_the_shared_store_is_down(tmp_path, password_hash):
    """redis unreachable: supporters can still log in (counted per process meanwhile)."""
    from spindel.models import User

    app = make_app(tmp_path, SPINDEL_RATELIMIT_STORAGE_URL="redis://127.0.0.1:9",
                   RATELIMIT_KEY_PREFIX=f"spindel-test-{secrets.token_hex(6)}")
    with app.app_context():
        db.create_all()
        db.session.add(User(email="anna@example.se", password_hash=password_hash))
        db.session.commit()
        actions = AuthActions(app.test_client())
        user = types.SimpleNamespace(email="anna@example.se")
        assert actions.login(user).status_code == 302
        db.engine.dispose()


def test_a_colleague_behind_the_same_address_still_logs_in(client, auth, make_user):
    """Anna's five failures use up the office address's limit: her account waits, and a
    wrong password for anyone from there gets "too many attempts", but Bo's right password
    still lets him in."""
    anna, bo = make_user(), make_user()
    for _ in range(5):
        assert auth.login(anna, password="wrong password").status_code == 422
    assert auth.login(anna).status_code == 429
    assert auth.login(bo, password="wrong password").status_code == 429
    assert auth.login(bo).status_code == 302
    assert "Logga ut" in client.get("/workspace").get_data(as_text=True)


def _page(reply) -> str:
    """A login page as text, without the parts that differ on every load."""
    return re.sub(r'name="csrf_token"[^>]*', "", reply.get_data(as_text=True))


def test_the_answers_are_the_same_whether_the_account_exists_or_not(tmp_path, password_hash):
    """Wrong password and throttling read the same for a real and a made-up address, at
    the same attempt: no count tells which accounts exist."""
    from spindel.models import User

    app = make_app(tmp_path, SPINDEL_LOGIN_LIMIT="1000 per minute")  # accounts only
    with app.app_context():
        db.create_all()
        db.session.add(User(email="anna@example.se", password_hash=password_hash))
        db.session.commit()
    replies = {}
    for email in ("anna@example.se", "nobody@example.se"):
        actions = AuthActions(app.test_client())
        user = types.SimpleNamespace(email=email)
        replies[email] = [actions.login(user, password="wrong password") for _ in range(6)]
    real, made_up = replies.values()
    assert [r.status_code for r in real] == [422] * 5 + [429]
    assert [r.status_code for r in made_up] == [422] * 5 + [429]
    for a, b in zip(real, made_up, strict=True):
        assert _page(a).replace("anna@", "nobody@") == _page(b)
    assert "För många misslyckade inloggningsförsök" in _page(real[-1])
    with app.app_context():  # addresses are kept only as keyed hashes
        keys = db.session.scalars(select(LoginThrottle.key)).all()
        assert len(keys) == 2 and not any("@" in key for key in keys)
        db.engine.dispose()


def test_two_apps_on_one_database_throttle_an_account_together(tmp_path, backend,
                                                               password_hash):
    """Two app processes (each its own memory:// address count) on SQLite and PostgreSQL:
    three failures in one and two in the other, and both refuse anna, right password or not,
    while bo logs in on either."""
    from spindel.models import User

    first = make_app(tmp_path, backend)
    second = create_app({k: first.config[k] for k in (
        "TESTING", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "SPINDEL_RATELIMIT_STORAGE_URL")})
    with first.app_context():
        db.create_all()
        db.session.add_all([User(email="anna@example.se", password_hash=password_hash),
                            User(email="bo@example.se", password_hash=password_hash)])
        db.session.commit()
    anna = types.SimpleNamespace(email="anna@example.se")
    bo = types.SimpleNamespace(email="bo@example.se")
    clients = {app: AuthActions(app.test_client()) for app in (first, second)}
    for app, failures in ((first, 3), (second, 2)):
        for _ in range(failures):
            assert clients[app].login(anna, password="wrong password").status_code == 422
    for app in (first, second):
        assert clients[app].login(anna).status_code == 429
        assert AuthActions(app.test_client()).login(bo).status_code == 302
    for app in (first, second):
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_the_count_starts_again_when_its_window_ends_or_after_a_login(app):
    from spindel.services import login_throttle

    start = dt.datetime(2026, 3, 2, 9, 0)
    for minute in range(5):
        login_throttle.count_failure("Anna@Example.se", now=start + dt.timedelta(minutes=minute))
    db.session.commit()
    assert login_throttle.account_throttled("anna@example.se", now=start + dt.timedelta(
        minutes=14))
    later = start + dt.timedelta(minutes=15, seconds=1)
    assert not login_throttle.account_throttled("anna@example.se", now=later)
    login_throttle.count_failure("anna@example.se", now=later)  # a new window, at one
    db.session.commit()
    assert db.session.scalar(select(LoginThrottle.failures)) == 1
    login_throttle.forget_failures("anna@example.se")
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(LoginThrottle)) == 0
