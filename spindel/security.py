"""Security headers on every response, secure cookies over HTTPS, an optional ProxyFix, and
the logs: no respondent request in an access log, one redaction for every log line
(disclosure policy §5). Also what no view ever receives: a character the database cannot
store (a 400) or a route number it cannot hold (a 404)."""

from __future__ import annotations

import logging
import re
import traceback

from flask import Flask, Request, Response, current_app, has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import BadRequest, HTTPException, RequestEntityTooLarge
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; "
    # plotly.js sets style attributes on the SVG it draws; scripts stay strictly 'self'.
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)

# Everything a respondent opens lives under /r/ (the round's link, /r/<token>/d/<district>,
# personal codes /r/c/<code>); /c/ and /s/ are kept for short code and link routes; /v/ is
# the seminar's priority vote on phones. The whole path goes, not only the token: a district
# key or "/thanks" tells what was answered.
_RESPONDENT_PATH = re.compile(r"/(?:r|c|s|v)/[^\s?#\"'<>]*")
RESPONDENT_PATH_MARK = "[respondent link]"
# The results link of before accounts (migration 0004), should one still be in a log.
_SECRET_PATH = re.compile(r"(/results/)[A-Za-z0-9_\-]{8,}")
# Query strings may carry a code or token (?code=…, ?token=…): keep the names, drop the values,
# except the harmless interface language.
_QUERY_VALUE = re.compile(r"([?&](?!lang=)[^=&\s\"#]+=)[^&\s\"#]*")
# A %-placeholder of a log message, for withholding the values of a respondent's request.
_PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]")
WITHHELD = "[withheld]"


def redact(text: str) -> str:
    """The text with respondent paths, secret path segments and query values replaced: the
    one redaction of every log line (access log, error log, the app's own logger)."""
    text = _RESPONDENT_PATH.sub(RESPONDENT_PATH_MARK, text)
    text = _SECRET_PATH.sub(r"\1[redacted]", text)
    return _QUERY_VALUE.sub(r"\1[redacted]", text)


def is_respondent_path(text: str) -> bool:
    """Whether a path (or a log line, redacted or not) is a respondent's request."""
    return RESPONDENT_PATH_MARK in text or _RESPONDENT_PATH.search(text) is not None


def _in_respondent_request() -> bool:
    return has_request_context() and is_respondent_path(request.path)


def redact_record(record: logging.LogRecord) -> logging.LogRecord:
    """Make a log record safe to write, in place (idempotent):
    - its message is formatted now and redacted whole, so a token split between the format
      string and an argument cannot slip through;
    - during a respondent's request the message's values are withheld (only the wording the
      code wrote stays), and so are exception messages: an error may quote a code, a form
      value or the SQL parameters of an answer. The traceback keeps its frames and the
      exception types, so the error can still be found.
    """
    if getattr(record, "spindel_redacted", False):
        return record
    respondent = _in_respondent_request()
    if respondent and record.args:
        message = _PLACEHOLDER.sub(lambda m: "%" if m.group() == "%%" else WITHHELD,
                                   str(record.msg))
    else:
        try:
            message = record.getMessage()
        except Exception:  # logging reports a broken call with its arguments: not those
            message = f"{record.msg!s} {WITHHELD}"
    record.msg, record.args = redact(message), None
    respondent = respondent or is_respondent_path(record.msg)
    if record.exc_info and record.exc_info[1] is not None:
        exc = record.exc_info[1]
        record.exc_text = _bare_traceback(exc) if respondent \
            else redact("".join(traceback.format_exception(exc)).rstrip("\n"))
        record.exc_info = None  # the formatter writes exc_text as it is
    elif record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    record.spindel_redacted = True
    return record


def _bare_traceback(exc: BaseException) -> str:
    """A traceback with its frames and exception types but no exception messages."""
    parts, seen = [], set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        kind = type(exc)
        parts.append("Traceback (most recent call last):\n"
                     + redact("".join(traceback.format_tb(exc.__traceback__)))
                     + f"{kind.__module__}.{kind.__qualname__}: {WITHHELD}")
        exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    return "\n\nwhich was raised while handling:\n\n".join(parts)


class RedactTokens(logging.Filter):
    """Applies redact_record to every record a logger handles (for records that did not come
    through the record factory installed by install_log_redaction)."""

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        return True


class DropRespondentRequests(logging.Filter):
    """For access logs (gunicorn's, werkzeug's development server): a respondent's request is
    not written at all. Not even without its time and path: a line's place between timed
    lines dates it just as well. Answers are counted in the database and on the monitor, and
    a failing respondent request still shows, redacted, in the error log."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            return not is_respondent_path(record.getMessage())
        except Exception:
            return not is_respondent_path(str(record.msg))


def install_log_redaction() -> None:
    """Redact every log record of this process as it is made, whoever logs it (the app,
    werkzeug, gunicorn, a library), and keep respondent requests out of the access logs.
    Idempotent; gunicorn.conf.py calls it before any worker starts, create_app again."""
    make_record = logging.getLogRecordFactory()
    if not getattr(make_record, "redacts", False):
        def redacting_factory(*args, **kwargs):
            return redact_record(make_record(*args, **kwargs))

        redacting_factory.redacts = True
        logging.setLogRecordFactory(redacting_factory)
    for name in ("werkzeug", "gunicorn.access", "gunicorn.error"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactTokens) for f in logger.filters):
            logger.addFilter(RedactTokens())
    for name in ("werkzeug", "gunicorn.access"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, DropRespondentRequests) for f in logger.filters):
            logger.addFilter(DropRespondentRequests())


class _SessionInterface(SecureCookieSessionInterface):
    """Marks the session cookie Secure when configured, and whenever the request itself came
    over HTTPS (directly, or via a trusted proxy's X-Forwarded-Proto and SPINDEL_PROXY_FIX)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        over_https = has_request_context() and request.is_secure
        return bool(app.config["SESSION_COOKIE_SECURE"] or over_https)

    def save_session(self, app: Flask, session, response: Response) -> None:
        super().save_session(app, session, response)
        if response.headers.get("Cache-Control") == HISTORY_ONLY:
            response.vary.discard("Cookie")  # see keep_for_history


# Kept by the browser for Back and Forward, asked for again on every new visit.
HISTORY_ONLY = "private, no-cache"


def keep_for_history(response: Response) -> Response:
    """Let the browser keep this page for its history only, so Back shows it as it was.
    Without Vary: Cookie, or Chromium fetches it anew once the session cookie has changed
    (the first page of a visit sets it); no-cache still sends every new visit to the server,
    and private keeps it out of shared caches."""
    response.headers["Cache-Control"] = HISTORY_ONLY
    return response


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


# What PostgreSQL cannot hold in a text column (NUL) and no encoder can write (a lone
# surrogate): a request carrying one anywhere is a 400, on SQLite as on PostgreSQL, before any
# view or database sees it.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _unstorable_request() -> BadRequest:
    exc = BadRequest()
    exc.spindel_message = _l("The address or a field of the form holds a character that "
                             "cannot be used (a zero byte). Please check what you typed or "
                             "pasted.")
    return exc


def _refuse_unstorable_address() -> None:
    """The path and the query string, before any other hook (the form: _Request)."""
    if _UNSTORABLE.search(request.path) or any(
            _UNSTORABLE.search(name) or _UNSTORABLE.search(value)
            for name, value in request.args.items(multi=True)):
        raise _unstorable_request()


class _Request(Request):
    """Checks every form as it is parsed (whoever parses it first: CSRF protection, a view),
    so that a view's own parsing limits still apply (respond sets max_form_parts)."""

    def _load_form_data(self) -> None:
        super()._load_form_data()
        fields = [text for pair in self.form.items(multi=True) for text in pair]
        fields += [text for name, upload in self.files.items(multi=True)
                   for text in (name, upload.filename or "")]
        if any(_UNSTORABLE.search(text) for text in fields):
            # Whoever reads the form after the 400 finds it empty.
            self.__dict__["form"] = self.parameter_storage_class()
            self.__dict__["files"] = self.parameter_storage_class()
            raise _unstorable_request()


class _DatabaseInteger(IntegerConverter):
    """<int:…> in a route: a number PostgreSQL's integer columns hold (SQLite's up to 2**63),
    else the route does not match (404) instead of the database failing on it."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


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
    app.before_request_funcs[None].insert(0, _refuse_unstorable_address)
    app.request_class = _Request
    # Before any blueprint adds its routes: converters are made as a rule is added.
    app.url_map.converters["int"] = _DatabaseInteger
    app.after_request(_headers)
    app.session_interface = _SessionInterface()
    if hops := app.config.get("SPINDEL_PROXY_FIX", 0):
        # Trust exactly this many proxies in front for client address, scheme, host and prefix.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops,
                                x_prefix=hops)
    install_log_redaction()
