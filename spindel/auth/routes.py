"""Logging in and out (process supporters and admins)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_limiter.errors import RateLimitExceeded
from flask_login import login_required, login_user, logout_user

from ..errors import render_error
from ..extensions import db, limiter
from ..services.accounts import authenticate
from .forms import LoginForm

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str | None:
    """Only same-site paths, so a login link cannot send anyone elsewhere."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _login_limit() -> str:
    return current_app.config["SPINDEL_LOGIN_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
# Only failed attempts count (422), so people who share an office address are not locked out
# by their colleagues' successful logins.
@limiter.limit(_login_limit, methods=["POST"], deduct_when=lambda r: r.status_code == 422)
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user)
            db.session.commit()
            return redirect(_safe_next(request.args.get("next"))
                            or url_for("workspace.dashboard"))
        form.password.errors.append(_("The email address or password is wrong."))
    code = 422 if form.errors else 200
    return render_template("auth/login.html", form=form), code


@bp.app_errorhandler(RateLimitExceeded)
def too_many_attempts(exc: RateLimitExceeded):
    """The login page again, saying plainly why and for how long, instead of a bare 429."""
    if request.endpoint != "auth.login":
        return render_error(429)
    form = LoginForm(formdata=None)
    message = _("Too many failed login attempts from your address. Wait a few minutes and "
                "try again.")
    return render_template("auth/login.html", form=form, blocked=message), 429


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))
