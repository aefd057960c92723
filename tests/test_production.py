"""The production path: health check, logs without secrets, HTTPS behind a proxy, gunicorn
settings. (Real gunicorn under load: tests/load.)"""

from __future__ import annotations

import datetime as dt
import logging
import re
import runpy
from types import SimpleNamespace

from spindel.security import RedactTokens, is_respondent_path, redact
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
    assert cleaned == ("GET [respondent link]?lang=en&code=[redacted] HTTP/1.1 "
                       "[respondent link] /results/[redacted]")
    assert redact("GET /static/spindel.css HTTP/1.1") == "GET /static/spindel.css HTTP/1.1"
    assert redact("GET /projects/demo/rounds/2/monitor HTTP/1.1").endswith("monitor HTTP/1.1")


def test_the_whole_respondent_path_goes_not_only_its_token():
    """A district key, a code or "/thanks" left standing would say what was answered."""
    for path in ("/r/Qm9vbXNoYWthbGFr/d/north", "/r/c/K7Q2/thanks", "/c/K7Q2", "/s/x1Y",
                 "https://spindel.example.se/r/Qm9vbXNoYWthbGFr/d/söder"):
        cleaned = redact(f'"POST {path} HTTP/1.1" 303')
        assert not {"/r/", "/c/", "/s/", "north", "söder", "K7Q2", "x1Y", "thanks"} & \
            set(re.findall(r"/\w/|\w+", cleaned)), cleaned
        assert is_respondent_path(path) and is_respondent_path(cleaned)
    assert not is_respondent_path("/projects/demo/rounds/1") and not is_respondent_path("/")


def test_the_log_filter_handles_gunicorns_mapping_arguments():
    from gunicorn.glogging import SafeAtoms

    atoms = SafeAtoms({"r": "POST /c/SECRET1 HTTP/1.1", "s": "303"})
    record = logging.LogRecord("gunicorn.access", logging.INFO, __file__, 1,
                               '"%(r)s" %(s)s %(missing)s', (atoms,), None)
    assert RedactTokens().filter(record)
    assert record.getMessage() == '"POST [respondent link] HTTP/1.1" 303 -'


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


def test_the_apps_own_log_is_redacted_like_the_access_log(app, caplog):
    """An error during a respondent's request: the log says what failed and where in the
    code, never the link, the code, a form value or the SQL parameters of the answer."""
    from flask import request

    token, code, district, profession = "Qm9vbXNoYWthbGFrYWxh", "K7Q2ZZ", "north", "bvc"
    # As SQLAlchemy words an error: the statement's parameters are the answer itself.
    detail = f"code {code}: [SQL: INSERT …] [parameters: (7, {district!r}, {profession!r})]"
    caplog.set_level(logging.INFO)
    with app.test_request_context(f"/r/{token}/d/{district}?code={code}", method="POST",
                                  data={"profession": profession, "item_roles": "7"}):
        assert request.form["profession"] == profession
        app.logger.warning("refused %s in %s with %d%%", code, district, 7)
        logging.getLogger("spindel.respond").info("code %(code)s", {"code": code})
        try:
            try:
                raise KeyError(f"district {district!r} of {token}")
            except KeyError as exc:
                raise ValueError(detail) from exc
        except ValueError:
            app.logger.exception(f"Exception on {request.path} [{request.method}]")
    text = caplog.text  # as a handler writes it
    for secret in (token, code, district, profession, "parameters", "INSERT", "/r/", "/d/"):
        assert secret not in text
    assert "refused [withheld] in [withheld] with [withheld]%" in text
    assert "code [withheld]" in text
    assert "Exception on [respondent link] [POST]" in text
    assert "builtins.ValueError: [withheld]" in text and "builtins.KeyError: [withheld]" in text
    assert "test_production.py" in text and "raise KeyError" in text  # the frames stay

    caplog.clear()  # gunicorn's own words, outside any request of the app
    try:
        raise OSError(f"broken pipe while sending {token}")
    except OSError:
        logging.getLogger("gunicorn.error").exception("Error handling request %s",
                                                      f"/r/{token}/d/{district}")
    assert "Error handling request [respondent link]" in caplog.text
    assert "builtins.OSError: [withheld]" in caplog.text and token not in caplog.text

    caplog.clear()  # off the respondent's pages the message stays, redacted, to help
    with app.test_request_context("/projects/demo/import?token=abc", method="POST"):
        try:
            raise ValueError(f"row 12: unknown district, see /r/{token}")
        except ValueError:
            app.logger.exception("import failed at %s", request.full_path)
    assert "import failed at /projects/demo/import?token=[redacted]" in caplog.text
    assert "ValueError: row 12: unknown district, see [respondent link]" in caplog.text


def test_the_development_server_writes_no_line_for_a_respondents_request(live_server, caplog):
    """`spindel run` serves with werkzeug, whose request line holds the time of day."""
    import urllib.error
    import urllib.request

    caplog.set_level(logging.INFO, logger="werkzeug")
    paths = ["/r/Qm9vbXNoYWthbGFrYWxh", "/r/Qm9vbXNoYWthbGFrYWxh/d/north?lang=en",
             "/r/c/K7Q2ZZ", "/c/K7Q2ZZ", "/s/x1Y", "/healthz"]
    for path in paths:
        try:
            urllib.request.urlopen(live_server.url + path, timeout=10).read()
        except urllib.error.HTTPError:
            pass  # unknown tokens are 404s: requests all the same
    lines = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert any('"GET /healthz HTTP/1.1" 200' in line for line in lines), lines
    assert len(lines) == 1, lines
    for secret in ("Qm9vbXNoYWthbGFrYWxh", "K7Q2ZZ", "x1Y", "north", "respondent link"):
        assert secret not in caplog.text
