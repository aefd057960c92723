"""Friendly error pages, in the visitor's language, for everything a stranger can cause."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException

from .extensions import db

TITLES = {
    400: lambda: _("Something in the request was wrong"),
    401: lambda: _("Please log in"),
    403: lambda: _("Not allowed"),
    404: lambda: _("Page not found"),
    405: lambda: _("Not allowed"),
    410: lambda: _("This is closed"),
    413: lambda: _("Too much data"),
    415: lambda: _("Something in the request was wrong"),
    429: lambda: _("Too many attempts"),
    500: lambda: _("Something went wrong on our side"),
}


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def render_error(code: int, message: str | None = None):
    title = TITLES.get(code, TITLES[400])()
    if _wants_json():
        return {"error": {"code": code, "message": message or title}}, code
    return render_template("error.html", code=code, title=title, message=message), code


def _http_error(exc: HTTPException):
    if exc.code is None or exc.code < 400:
        return exc
    # Unhandled exceptions arrive here as a 500 (Flask wraps them) unless testing propagates.
    return render_error(exc.code, None if exc.code == 404 else _description(exc))


def _description(exc: HTTPException) -> str | None:
    # werkzeug's default descriptions are English developer prose; show ours instead.
    if isinstance(exc, CSRFError):
        return _("The form had expired or was sent from elsewhere. "
                 "Please go back, reload the page and send it again.")
    described = getattr(exc, "spindel_message", None)
    if described is None and exc.code == 413:
        return _("That was much more data than this page takes. Please go back and send "
                 "the form again.")
    return str(described) if described is not None else None


def _csrf_error(exc: CSRFError):
    """A form sent without a valid token: the login ended (hours unused), or the form came
    from another site. Nothing was stored; the page says so and how not to lose what was
    typed (the browser's Back keeps it). Forms that can show themselves again with the input
    kept check their own token instead (vote, agreements)."""
    if _wants_json():
        return render_error(400, _description(exc))
    referrer = urlsplit(request.referrer or "")
    back = (referrer.path if referrer.netloc == request.host and referrer.path.startswith("/")
            else None)
    logged_in = bool(getattr(current_user, "is_authenticated", False))
    return render_template("form_expired.html", back=back, logged_in=logged_in,
                           login_url=url_for("auth.login", next=back) if back
                           else url_for("auth.login")), 400


def _data_error(exc: DataError):
    """A value the database refused (a NUL on PostgreSQL, a number out of its range): the
    request was wrong, not the server. The checks at the edge (security.py, each form and
    import) should have caught it first, so it is logged for that gap to be closed."""
    db.session.rollback()  # the page itself may need the database (the logged-in user)
    current_app.logger.warning("The database refused a value from the request",
                               exc_info=exc)
    return render_error(400, _("Something in the request cannot be stored. Please check "
                               "what you typed or pasted."))


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(DataError, _data_error)
