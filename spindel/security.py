"""Security headers on every response, secure cookies over HTTPS, an optional ProxyFix, and
tokens and codes kept out of the logs."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping

from flask import Flask, Response, current_app, has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.exceptions import BadRequest, HTTPException, RequestEntityTooLarge
from werkzeug.middleware.proxy_fix import ProxyFix

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; "
    # plotly.js sets style attributes on the SVG it draws; scripts stay strictly 'self'.
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)

# Respondent links (/r/<token>), results links and single-use codes (/c/<code>) are secrets:
# never log them. Codes can be short, so anything after /c/ goes.
_SECRET_PATH = re.compile(r"(/(?:r|results|s)/)[A-Za-z0-9_\-]{8,}|(/c/)[^/?\s\"]+")
# Query strings may carry a code or token (?code=…, ?token=…): keep the names, drop the values,
# except the harmless interface language.
_QUERY_VALUE = re.compile(r"([?&](?!lang=)[^=&\s\"#]+=)[^&\s\"#]*")


def redact(text: str) -> str:
    """The text with secret path segments and query values replaced by [redacted]."""
    text = _SECRET_PATH.sub(lambda m: (m.group(1) or m.group(2)) + "[redacted]", text)
    return _QUERY_VALUE.sub(r"\1[redacted]", text)


def _redact_value(value):
    return redact(value) if isinstance(value, str) else value


class RedactTokens(logging.Filter):
    """Redacts secrets in a log record's message and arguments (a tuple, or a mapping as
    gunicorn's access log passes them)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(str(record.msg))
        if isinstance(record.args, dict):  # in place: keeps gunicorn's SafeAtoms behaviour
            for key, value in list(record.args.items()):
                record.args[key] = _redact_value(value)
        elif isinstance(record.args, Mapping):
            record.args = {k: _redact_value(v) for k, v in record.args.items()}
        elif record.args:
            record.args = tuple(_redact_value(a) for a in record.args)
        return True


class _SessionInterface(SecureCookieSessionInterface):
    """Marks the session cookie Secure when configured, and whenever the request itself came
    over HTTPS (directly, or via a trusted proxy's X-Forwarded-Proto and SPINDEL_PROXY_FIX)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        over_https = has_request_context() and request.is_secure
        return bool(app.config["SESSION_COOKIE_SECURE"] or over_https)


def body_limit(max_bytes: int):
    """Decorator: this view takes request bodies of at most max_bytes (else 413)."""

    def decorate(view):
        view.max_body_bytes = max_bytes
        return view

    return decorate


def _read_body_safely() -> None:
    """Apply the view's body limit, and read a body without Content-Length (chunked) here:
    werkzeug stops reading such a body at the limit and would parse the truncated rest as if it
    were complete, and a malformed one would surface as a 500 from deep inside form parsing."""
    view = current_app.view_functions.get(request.endpoint or "")
    if (limit := getattr(view, "max_body_bytes", None)) is not None:
        request.max_content_length = limit
    if request.content_length is not None or request.method not in ("POST", "PUT", "PATCH"):
        return  # werkzeug checks a Content-Length against the limit before reading
    try:
        data = request.get_data(cache=True)
    except HTTPException:
        raise
    except Exception as exc:  # the server's body reader gave up: a broken request
        raise BadRequest() from exc
    if request.max_content_length is not None and len(data) >= request.max_content_length:
        raise RequestEntityTooLarge()


def _headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers.setdefault("Cache-Control", "no-store")
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def init_app(app: Flask) -> None:
    # First of all before-request hooks: CSRF protection reads the body too.
    app.before_request_funcs.setdefault(None, []).insert(0, _read_body_safely)
    app.after_request(_headers)
    app.session_interface = _SessionInterface()
    if hops := app.config.get("SPINDEL_PROXY_FIX", 0):
        # Trust exactly this many proxies in front for client address, scheme, host and prefix.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops,
                                x_prefix=hops)
    for name in ("werkzeug", "gunicorn.access", "gunicorn.error"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactTokens) for f in logger.filters):
            logger.addFilter(RedactTokens())
