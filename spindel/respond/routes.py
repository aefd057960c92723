"""The staff member's link: /r/<token> shows the round's form; answering needs no login."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for

from .. import instrument as instruments
from ..extensions import csrf, db
from ..i18n import current_lang
from ..models import RoundStatus
from ..services.projects import round_by_token
from ..services.responses import RoundNotOpen, store_answer
from .forms import answer_form

bp = Blueprint("respond", __name__, url_prefix="/r")
# The answer form checks its own CSRF token, so a stale token re-shows the form with every
# answer kept instead of a bare error page.
csrf.exempt(bp)


def _unavailable(round_, status: str):
    """A round that takes no answers: closed is 410 Gone; not yet open is a plain page,
    and 403 only for a post that tried to answer early."""
    if status == RoundStatus.CLOSED:
        code = 410
    else:
        code = 403 if request.method == "POST" else 200
    return render_template("respond/unavailable.html", round=round_, project=round_.project,
                           status=status), code


def _round_or_404(token: str):
    round_ = round_by_token(token)
    if round_ is None:
        abort(404)
    return round_


@bp.route("/<token>", methods=["GET", "POST"])
def answer(token: str):
    round_ = _round_or_404(token)
    project = round_.project
    instrument = instruments.for_project(project)
    status = round_.status()
    if status != RoundStatus.OPEN:
        return _unavailable(round_, status)

    form = answer_form(project, instrument, current_lang())
    if form.validate_on_submit():
        try:
            store_answer(round_, instrument, form.answer(),
                         submission_key=form.submission_key.data)
        except RoundNotOpen as exc:  # closed between loading and sending the form
            db.session.rollback()
            return _unavailable(round_, exc.status)
        db.session.commit()
        return redirect(url_for("respond.thanks", token=token), code=303)
    code = 422 if form.is_submitted() else 200
    return render_template("respond/form.html", form=form, round=round_, project=project,
                           instrument=instrument), code


@bp.route("/<token>/thanks")
def thanks(token: str):
    round_ = _round_or_404(token)
    return render_template("respond/thanks.html", round=round_, project=round_.project)
