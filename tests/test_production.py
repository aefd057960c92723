"""The production path: health check, logs without secrets, HTTPS behind a proxy, gunicorn
settings. (Real gunicorn under load: tests/load.)"""

from __future__ import annotations

import datetime as dt
import logging
import runpy
from types import SimpleNamespace

from spindel.security import RedactTokens, redact
from tests.conftest import ROOT, make_app


def test_health_check_is_ok_with_a_database(client):
    reply = client.get("/healthz")
    assert reply.status_code == 200 and reply.json["status"] == "ok"


def test_health_check_is_503_json_when_the_database_is_unreachable(tmp_path):
    unreachable = f"sqlite:///{tmp_path / 'no' / 'such' / 'dir' / 'db.sqlite'}"
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=unreachable)
    reply = app.test_client().get("/healthz")
    assert reply.status_code == 503
    assert reply.json == {"status": "unavailable", "database": "unreachable"}


def test_health_check_is_503_when_postgres_is_down(tmp_path):
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI="postgresql+psycopg://x@127.0.0.1:1/none",
                   SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"connect_timeout": 2}})
    reply = app.test_client().get("/healthz")
    assert reply.status_code == 503 and reply.json["database"] == "unreachable"


def test_tokens_codes_and_query_values_are_redacted():
    token = "Qm9vbXNoYWthbGFrYWxha2FsYWth"
    line = f"GET /r/{token}/thanks?lang=en&code=AB12 HTTP/1.1 /c/K7-Q2 /results/{token}"
    cleaned = redact(line)
    assert token not in cleaned and "AB12" not in cleaned and "K7-Q2" not in cleaned
    assert "/r/[redacted]/thanks" in cleaned and "lang=en" in cleaned
    assert redact("GET /static/spindel.css HTTP/1.1") == "GET /static/spindel.css HTTP/1.1"


def test_the_log_filter_handles_gunicorns_mapping_arguments():
    from gunicorn.glogging import SafeAtoms

    atoms = SafeAtoms({"r": "POST /c/SECRET1 HTTP/1.1", "s": "303"})
    record = logging.LogRecord("gunicorn.access", logging.INFO, __file__, 1,
                               '"%(r)s" %(s)s %(missing)s', (atoms,), None)
    assert RedactTokens().filter(record)
    assert record.getMessage() == '"POST /c/[redacted] HTTP/1.1" 303 -'


def test_gunicorn_config_is_sized_for_two_cores_and_binds_from_the_environment(monkeypatch):
    monkeypatch.delenv("SPINDEL_BIND", raising=False)
    monkeypatch.setenv("PORT", "8123")
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert conf["bind"] == "0.0.0.0:8123" and conf["worker_class"] == "gthread"
    assert 2 <= conf["workers"] <= 3 and conf["threads"] >= 2
    assert "%(h)s" not in conf["access_log_format"] and "%(a)s" not in conf["access_log_format"]
    monkeypatch.setenv("SPINDEL_BIND", "127.0.0.1:9000")
    assert runpy.run_path(str(ROOT / "gunicorn.conf.py"))["bind"] == "127.0.0.1:9000"


def test_gunicorns_access_log_atoms_are_redacted():
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    cfg = SimpleNamespace(errorlog="-", accesslog=None, loglevel="info", syslog=False,
                          logconfig=None, logconfig_dict={}, logconfig_json=None,
                          capture_output=False, disable_redirect_access_to_syslog=False,
                          access_log_format=conf["access_log_format"], user=0, group=0,
                          umask=0)
    logger = conf["RedactingLogger"].__new__(conf["RedactingLogger"])
    logger.cfg = cfg
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": "/r/Qm9vbXNoYWthbGFr?code=1234",
               "SERVER_PROTOCOL": "HTTP/1.1", "PATH_INFO": "/r/Qm9vbXNoYWthbGFr",
               "QUERY_STRING": "code=1234", "HTTP_REFERER": "https://x/c/ZZ99"}
    resp = SimpleNamespace(status="200 OK", sent=10, headers=[])
    atoms = logger.atoms(resp, SimpleNamespace(headers=[("Referer", "https://x/c/ZZ99")]),
                         environ, dt.timedelta(milliseconds=3))
    text = " ".join(str(v) for v in atoms.values())
    assert "Qm9vbXNoYWthbGFr" not in text and "1234" not in text and "ZZ99" not in text


def _session_cookie(reply) -> str:
    return next(v for k, v in reply.headers.items()
                if k == "Set-Cookie" and v.startswith("session="))


def test_cookies_are_secure_over_https_behind_a_trusted_proxy(tmp_path):
    proxied = make_app(tmp_path, SPINDEL_PROXY_FIX=1)
    reply = proxied.test_client().get("/?lang=en", headers={"X-Forwarded-Proto": "https"})
    cookie = _session_cookie(reply)
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert reply.headers["Strict-Transport-Security"].startswith("max-age=")
    plain = proxied.test_client().get("/?lang=en")
    assert "Secure" not in _session_cookie(plain)


def test_forwarded_headers_are_ignored_without_proxy_fix(client):
    reply = client.get("/?lang=en", headers={"X-Forwarded-Proto": "https"})
    assert "Secure" not in _session_cookie(reply)
    assert "Strict-Transport-Security" not in reply.headers


def test_secure_cookies_setting_marks_cookies_secure_over_plain_http(tmp_path):
    app = make_app(tmp_path, SESSION_COOKIE_SECURE=True)
    assert "Secure" in _session_cookie(app.test_client().get("/?lang=en"))
