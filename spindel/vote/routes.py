"""The seminar's priority vote: phones vote at /v/<code> (the round's short code, no login);
a supporter opens and locks the vote from the presentation's slide.

A phone's ballot number lives only in its session, so it can change its vote until the vote
is locked. Like every respondent path, /v/ is not written to the access log (security.py).
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import login_required

from .. import access
from .. import instrument as instruments
from ..extensions import csrf, db, one_writer
from ..i18n import current_lang
from ..models import Round, VoteState
from ..security import body_limit
from ..services import votes
from ..services.links import round_for_short_code
from .forms import VoteForm

bp = Blueprint("vote", __name__)

# Nine checkboxes and a token are well under 1 KB.
BALLOT_MAX_BYTES = 8 * 1024
# The name of the page's language button (templates/vote/ballot.html).
LANGUAGE_SWITCH = "switch_language"


def _round_or_404(code: str) -> Round:
    round_ = round_for_short_code(code)
    if round_ is None:
        abort(404)
    return round_


def _ballot_key(round_: Round) -> str:
    return f"vote_ballot_{round_.id}"


def _render(template: str, round_: Round, code: int = 200, **context):
    return render_template(template, round=round_, project=round_.project,
                           instrument=instruments.for_project(round_.project),
                           **context), code


def _closed(round_: Round, reason: str, mine: list[str]):
    """The vote takes no ballot: not opened yet, locked, or full. 200 to look, 403 to vote."""
    return _render("vote/closed.html", round_, 403 if request.method == "POST" else 200,
                   reason=reason, mine=_labels(round_, mine))


def _labels(round_: Round, keys: list[str]) -> list[str]:
    instrument = instruments.for_project(round_.project)
    return [instrument.item(key).short.get(current_lang()) for key in keys]


@bp.route("/v/<code>", methods=["GET", "POST"])
@body_limit(BALLOT_MAX_BYTES)
def ballot(code: str):
    """The phone's page: up to three questions to prioritise, sent as a plain form."""
    round_ = _round_or_404(code)
    ballot_id = session.get(_ballot_key(round_))
    mine = votes.choices_of(round_, ballot_id)
    state = votes.state_of(round_)
    if state != VoteState.OPEN:
        return _closed(round_, state or votes.VoteRefused.NOT_OPENED, mine)

    instrument = instruments.for_project(round_.project)
    form = VoteForm(instrument, current_lang(), data={"items": mine})
    if request.method == "POST" and LANGUAGE_SWITCH in request.form:
        # The same page in the other language, with what she checked; nothing is stored.
        return _render("vote/ballot.html", round_, form=form, voted=bool(mine))
    if form.validate_on_submit():
        if ballot_id is None:
            ballot_id = votes.new_ballot()
        with one_writer():
            try:
                votes.cast(round_, ballot_id, form.items.data, max_ballots=current_app.config
                           .get("SPINDEL_VOTE_MAX_BALLOTS", votes.MAX_BALLOTS))
            except votes.VoteRefused as exc:  # locked (or full) since the page was loaded
                db.session.rollback()
                return _closed(round_, exc.reason, mine)
            db.session.commit()
        session[_ballot_key(round_)] = ballot_id
        return redirect(url_for("vote.thanks", code=round_.short_code), code=303)
    return _render("vote/ballot.html", round_, 422 if form.is_submitted() else 200,
                   form=form, voted=bool(mine))


@bp.route("/v/<code>/thanks")
def thanks(code: str):
    round_ = _round_or_404(code)
    mine = votes.choices_of(round_, session.get(_ballot_key(round_)))
    if not mine:
        return redirect(url_for("vote.ballot", code=round_.short_code), code=303)
    return _render("vote/thanks.html", round_, mine=_labels(round_, mine),
                   is_open=votes.state_of(round_) == VoteState.OPEN)


# The ballot page checks its own CSRF token (VoteForm), so an expired token shows the page
# again with her choices kept instead of a bare error page.
csrf.exempt(ballot)


# --- the presenter ------------------------------------------------------------------------


def _changed(slug: str, round_: Round):
    """After opening or locking: the state as JSON for the slide's script, else back to the
    slides (the form sends their address, with the selection and the slide's number)."""
    if request.accept_mimetypes.best == "application/json":
        return jsonify({"state": votes.state_of(round_)})
    slides = url_for("present.slides", slug=slug)
    back = request.form.get("next", "")
    if not back.startswith(slides + "?"):  # never a redirect to anywhere else
        back = url_for("present.setup", slug=slug)
    return redirect(back, code=303)


@bp.route("/projects/<slug>/rounds/<int:number>/vote/open", methods=["POST"])
@login_required
def open_vote(slug: str, number: int):
    """Open the round's vote, or reopen a locked one (its ballots kept)."""
    _, round_ = access.managed_round_or_404(slug, number)
    with one_writer():
        votes.open_vote(round_)
        db.session.commit()
    return _changed(slug, round_)


@bp.route("/projects/<slug>/rounds/<int:number>/vote/lock", methods=["POST"])
@login_required
def lock_vote(slug: str, number: int):
    """Lock the round's vote: no phone can vote or change its vote any more."""
    _, round_ = access.managed_round_or_404(slug, number)
    with one_writer():
        votes.lock_vote(round_)
        db.session.commit()
    return _changed(slug, round_)
