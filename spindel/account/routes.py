"""Your own account: password, API tokens, logging out everywhere."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import access
from ..extensions import db
from ..forms import ConfirmForm
from ..services import accounts, sessions
from .forms import PasswordChangeForm, TokenForm

bp = Blueprint("account", __name__)


def _account_page(password_form=None, token_form=None, new_token=None, code=200):
    tokens = sorted(current_user.api_tokens, key=lambda t: (t.revoked, -t.id))
    return render_template(
        "account/account.html", password_form=password_form or PasswordChangeForm(
            formdata=None), token_form=token_form or TokenForm(formdata=None), tokens=tokens,
        new_token=new_token, revoke_form=ConfirmForm(formdata=None),
        open_sessions=sessions.open_sessions(current_user)), code


@bp.route("/account")
@login_required
def account():
    return _account_page()


@bp.route("/account/password", methods=["POST"])
@login_required
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        if accounts.change_password(current_user, form.current.data, form.new.data):
            access.renew_session()
            db.session.commit()
            flash(_("Your password is changed, and you are logged out in every other "
                    "browser."), "success")
            return redirect(url_for("account.account"))
        form.current.errors.append(_("The current password is wrong."))
    return _account_page(password_form=form, code=422)


@bp.route("/account/logout-everywhere", methods=["POST"])
@login_required
def logout_everywhere():
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    access.log_out(everywhere=True)
    db.session.commit()
    flash(_("You are logged out in every browser, this one included."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/tokens", methods=["POST"])
@login_required
def create_token():
    form = TokenForm()
    if form.validate_on_submit():
        token = accounts.create_api_token(current_user, form.name.data.strip())
        db.session.commit()
        # Rendered, not flashed: a flash would carry the token in the session cookie.
        return _account_page(new_token=token)
    return _account_page(token_form=form, code=422)


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id: int):
    form = ConfirmForm()
    if not form.validate_on_submit() or not accounts.revoke_api_token(current_user, token_id):
        abort(404)
    db.session.commit()
    flash(_("The token is revoked and no longer works."), "success")
    return redirect(url_for("account.account"))
