"""Logging in and out (process supporters and admins)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import login_required

from .. import access
from ..extensions import db
from ..services.login_throttle import try_login
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


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        attempt = try_login(form.email.data, form.password.data, get_remote_address())
        if attempt.user is not None:
            access.log_in(attempt.user)
        db.session.commit()  # the new session, or the failure counted
        if attempt.user is not None:
            return redirect(_safe_next(request.args.get("next"))
                            or url_for("workspace.dashboard"))
        if attempt.throttled:
            return _too_many_attempts()
        form.password.errors.append(_("The email address or password is wrong."))
    code = 422 if form.errors else 200
    return render_template("auth/login.html", form=form), code


def _too_many_attempts():
    """The login page again, saying plainly why and for how long, instead of a bare 429;
    the same words whether the address typed has an account or not."""
    message = _("Too many failed login attempts. Wait a few minutes and try again.")
    return render_template("auth/login.html", form=LoginForm(formdata=None),
                           blocked=message), 429


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    access.log_out()
    db.session.commit()
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))
