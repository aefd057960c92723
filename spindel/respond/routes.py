"""The staff member's link: /r/<token> shows the round's form; answering needs no login."""

from __future__ import annotations

from flask import Blueprint, abort, make_response, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.exceptions import UnsupportedMediaType

from .. import instrument as instruments
from ..extensions import csrf, db, one_writer
from ..i18n import current_lang
from ..models import AccessCode, Response, RoundStatus
from ..security import body_limit, keep_for_history
from ..services.codes import code_by_text, use_code
from ..services.disclosure import min_group_size
from ..services.links import token_for_short_code
from ..services.responses import RoundNotOpen, store_answer
from ..services.round_setup import GroupingChoice, RoundSetup, round_setup, round_setup_by_id
from .forms import answer_form

bp = Blueprint("respond", __name__, url_prefix="/r")
# The answer form checks its own CSRF token, so a stale token re-shows the form with every
# answer kept instead of a bare error page.
csrf.exempt(bp)

# A full answer is about 1 KB; anything near this is not an answer, and parsing it costs the
# whole seminar's server time. (The app-wide limit is larger for imports.)
ANSWER_MAX_BYTES = 16 * 1024
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# The name of the form's language button (templates/respond/form.html).
LANGUAGE_SWITCH = "switch_language"


@bp.before_request
def _form_posts_only():
    """Answers come from the HTML form: a small form-encoded body. Anything else (JSON, plain
    text, a huge upload) gets a 4xx with a message before any parsing."""
    if request.method != "POST":
        return
    request.max_form_parts = 100
    if request.mimetype not in FORM_TYPES:
        exc = UnsupportedMediaType()
        exc.spindel_message = _l("Answers are sent with the form on this page. "
                                 "Please open the link again and send the form.")
        raise exc


def _unavailable(round_, status: str):
    """A round that takes no answers: closed is 410 Gone; not yet open is a plain page,
    and 403 only for a post that tried to answer early."""
    if status == RoundStatus.CLOSED:
        code = 410
    else:
        code = 403 if request.method == "POST" else 200
    return _render("respond/unavailable.html", round_, status=status), code


def _render(template: str, round_: RoundSetup, **context) -> str:
    """A respondent's page, headed with the instrument's name like the form itself."""
    return render_template(template, round=round_, project=round_.project,
                           instrument=instruments.for_project(round_.project), **context)


def _round_or_404(token: str) -> RoundSetup:
    round_ = round_setup(token)
    if round_ is None:
        abort(404)
    return round_


def _answer(round_: RoundSetup, thanks_url: str, district: GroupingChoice | None = None,
            access_code: AccessCode | None = None):
    """Show the form and store a valid answer: the one flow behind the round's link, a
    per-district link and a personal (single-use) link."""
    project = round_.project
    instrument = instruments.for_project(project)
    status = round_.status()
    if status != RoundStatus.OPEN:
        return _unavailable(round_, status)
    if access_code is None and round_.uses_codes:
        # Personal links mean one answer per person; the shared link would undo that.
        return _unavailable(round_, "personal_links_only")

    form = answer_form(round_, instrument, current_lang(),
                       district=district.key if district else None)
    if request.method == "POST" and LANGUAGE_SWITCH in request.form:
        # The language switch is a button of this form, posted to ?lang=…: the same form in
        # the other language with everything she chose; nothing is checked or stored.
        return _form_page(form, round_, instrument, district)
    code_used = False
    if form.validate_on_submit():
        with one_writer():
            problem = _store(round_, instrument, form, access_code)
        if problem == "code_used" and _already_stored(form.submission_key.data):
            problem = None  # a double click with a personal link: the answer is in
        if problem is None:
            return redirect(thanks_url, code=303)
        if problem != "code_used":
            return _unavailable(round_, problem)
        code_used = True  # refused, but what she filled in stays on the page
    elif form.is_submitted() and _already_stored(form.submission_key.data):
        # Sent again from a page kept in the browser's history (Back after sending), even
        # with an expired token: that answer is in.
        return redirect(thanks_url, code=303)
    code = 410 if code_used else 422 if form.is_submitted() else 200
    return _form_page(form, round_, instrument, district, code_used=code_used, code=code)


def _form_page(form, round_: RoundSetup, instrument, district: GroupingChoice | None, *,
               code_used: bool = False, code: int = 200):
    """The answer form, kept for the browser's history: Back after sending shows the form as
    she sent it, with its submission key, so sending it again is the same answer. (Not
    stored, a form that answered a POST came back as the browser's "Confirm form
    resubmission" error, and a loaded form came back with a new key and her choices filled in
    again by the browser: a second answer.)"""
    return keep_for_history(make_response(render_template(
        "respond/form.html", form=form, round=round_, project=round_.project,
        instrument=instrument, district=district, code_used=code_used,
        k=min_group_size(round_.project)), code))


def _store(round_: RoundSetup, instrument, form, access_code: AccessCode | None) -> str | None:
    """Store a validated answer and commit; or roll back and say why the round refused it."""
    if access_code is not None and not use_code(access_code):
        db.session.rollback()
        return "code_used"
    try:
        # Same transaction as marking the code used; the response gets no link to it.
        store_answer(round_, instrument, form.answer(), submission_key=form.submission_key.data)
    except RoundNotOpen as exc:  # closed between loading and sending the form
        db.session.rollback()
        return exc.status
    db.session.commit()
    return None


def _already_stored(submission_key: str | None) -> bool:
    return bool(submission_key) and len(submission_key) <= 64 and db.session.scalar(
        select(Response.id).where(Response.submission_key == submission_key)) is not None


@bp.route("/<token>", methods=["GET", "POST"])
@body_limit(ANSWER_MAX_BYTES)
def answer(token: str):
    return _answer(_round_or_404(token), url_for("respond.thanks", token=token))


@bp.route("/<token>/d/<district_key>", methods=["GET", "POST"])
@body_limit(ANSWER_MAX_BYTES)
def answer_in_district(token: str, district_key: str):
    """A per-district link: the district is preset and not asked."""
    round_ = _round_or_404(token)
    district = round_.district(district_key)
    if district is None or not district.active:
        abort(404)
    return _answer(round_, url_for("respond.thanks", token=token), district=district)


# Personal links (built by services.links.personal_url) live under /r/c/; the log filter
# (security.RedactTokens) hides the code.
@bp.route("/c/<code>", methods=["GET", "POST"])
@body_limit(ANSWER_MAX_BYTES)
def answer_with_code(code: str):
    """A personal link. Opening it shows the same form whether the code was used or not:
    whoever holds the list of codes must not learn who has answered by trying them. Only
    sending an answer tells, and a used code's answer is refused and not stored."""
    access_code = code_by_text(code)
    if access_code is None:
        abort(404)  # no round to show; telling known from unknown reveals nothing of use
    round_ = round_setup_by_id(access_code.round_id)
    return _answer(round_, url_for("respond.code_thanks", code=code), access_code=access_code)


@bp.route("/c/<code>/thanks")
def code_thanks(code: str):
    access_code = code_by_text(code)
    if access_code is None:
        abort(404)
    round_ = round_setup_by_id(access_code.round_id)
    return _render("respond/thanks.html", round_)


@bp.route("/<token>/thanks")
def thanks(token: str):
    round_ = _round_or_404(token)
    return _render("respond/thanks.html", round_)


def short_link(code: str):
    """The short address on the "answer now" slide (/s/<code>, typed by hand from the
    screen): on to the round's link. Like every respondent path it is not logged
    (security.py)."""
    token = token_for_short_code(code)
    if token is None:
        abort(404)
    return redirect(url_for("respond.answer", token=token))


# The short address lives outside /r/, the blueprint's prefix, so the app gets the rule.
bp.record_once(lambda state: state.app.add_url_rule("/s/<code>", "respond.short_link",
                                                    short_link))
