"""Login attempts are rate-limited, across app processes when the count lives in redis."""

from __future__ import annotations

import secrets
import subprocess
import sys
import types

import pytest

from spindel.extensions import db
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


# Another app process: fails `failures` times, then tries the right password; prints codes.
OTHER_PROCESS = """
import sys, types
from pathlib import Path
from tests.conftest import AuthActions, PASSWORD, make_app
storage, prefix, failures = sys.argv[2], sys.argv[3], int(sys.argv[4])
app = make_app(Path(sys.argv[1]), SPINDEL_RATELIMIT_STORAGE_URL=storage,
               RATELIMIT_KEY_PREFIX=prefix)
actions = AuthActions(app.test_client())
user = types.SimpleNamespace(email="anna@example.se")
codes = [actions.login(user, password="wrong password").status_code for _ in range(failures)]
codes.append(actions.login(user, password=PASSWORD).status_code)
print(" ".join(map(str, codes)))
"""


def _other_process(tmp_path, storage: str, prefix: str, failures: int) -> list[int]:
    done = subprocess.run([sys.executable, "-c", OTHER_PROCESS, str(tmp_path), storage, prefix,
                           str(failures)], capture_output=True, text=True, cwd=ROOT,
                          timeout=60, check=True)
    return [int(c) for c in done.stdout.split()]


@pytest.mark.skipif(not _redis_available(), reason="redis is not running on 127.0.0.1:6379")
def test_two_app_processes_share_the_count_through_redis(tmp_path, password_hash):
    """Three failures here and two in another process block the login in both."""
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
        # Control: a process counting in its own memory does not know about them.
        assert _other_process(tmp_path, "memory://", prefix, 1) == [422, 302]
        assert _other_process(tmp_path, REDIS, prefix, 2) == [422, 422, 429]
        assert here.login(user).status_code == 429
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
