"""A project's measurement rounds: setting them up, opening and closing them, handing out
links (QR codes, handouts, personal links), expected staff and the monitor.

Every view is for the project's supporters: access.managed_round_or_404 loads the round
and checks access (a 404 for anyone else, a viewer too).
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import login_required
from markupsafe import Markup

from .. import access, models
from .. import instrument as instruments
from ..extensions import db
from ..i18n import current_lang
from ..models import Round
from ..services import codes, links, participation
from ..services import projects as project_service
from ..services.monitor import monitor_payload
from .forms import CodesForm, RoundForm, RoundStateForm, expected_staff_form

bp = Blueprint("rounds", __name__)


@bp.route("/projects/<slug>/rounds/new", methods=["GET", "POST"])
@login_required
def new_round(slug: str):
    project = access.project_or_404(slug)
    form = RoundForm()
    if not form.is_submitted():
        number = project_service.next_round_number(project)
        form.number.data = number
        form.label.data = _("Round %(n)s", n=number)
    if form.validate_on_submit():
        try:
            round_ = project_service.add_round(project, form.number.data, form.label.data,
                                               form.opens_on.data, form.closes_on.data)
        except ValueError:
            form.number.errors.append(_("This project already has a round with this number."))
        else:
            db.session.commit()
            flash(_("The round is created."), "success")
            return redirect(url_for("rounds.round_page", slug=slug, number=round_.number))
    db.session.rollback()
    code = 422 if form.is_submitted() else 200
    return render_template("rounds/round_form.html", project=project, form=form,
                           round=None), code


@bp.route("/projects/<slug>/rounds/<int:number>/edit", methods=["GET", "POST"])
@login_required
def edit_round(slug: str, number: int):
    project, round_ = access.managed_round_or_404(slug, number)
    form = RoundForm(obj=round_)
    if form.validate_on_submit():
        if form.number.data != round_.number and project.round(form.number.data) is not None:
            form.number.errors.append(_("This project already has a round with this number."))
        else:
            form.populate_obj(round_)
            round_.label = round_.label.strip()
            db.session.commit()
            flash(_("The round is saved."), "success")
            return redirect(url_for("rounds.round_page", slug=slug, number=round_.number))
    code = 422 if form.is_submitted() else 200
    return render_template("rounds/round_form.html", project=project, form=form,
                           round=round_), code


@bp.route("/projects/<slug>/rounds/<int:number>/state", methods=["POST"])
@login_required
def round_state(slug: str, number: int):
    project, round_ = access.managed_round_or_404(slug, number)
    form = RoundStateForm()
    if not form.validate_on_submit():
        abort(400)
    project_service.change_round_state(round_, form.action.data)
    db.session.commit()
    # Say what the change led to: a passed date can keep a round closed after "open".
    flash({models.RoundStatus.OPEN: _("The round is open and takes answers."),
           models.RoundStatus.CLOSED: _("The round is closed and takes no answers."),
           models.RoundStatus.NOT_YET_OPEN: _("The round follows its dates and has not "
                                              "opened yet.")}[round_.status()], "success")
    return redirect(url_for("rounds.round_page", slug=slug, number=number))


def _round_page(project, round_: Round, codes_form=None, code: int = 200):
    made, used = codes.code_counts(round_)
    district_links = [(d, links.respondent_url(round_, d.key)) for d in project.districts
                      if d.active]
    return render_template("rounds/round.html", project=project, round=round_,
                           link=links.respondent_url(round_), district_links=district_links,
                           codes_made=made, codes_used=used,
                           codes_form=codes_form or CodesForm(formdata=None)), code


@bp.route("/projects/<slug>/rounds/<int:number>")
@login_required
def round_page(slug: str, number: int):
    return _round_page(*access.managed_round_or_404(slug, number))


# --- handing out links: QR codes, handout, personal links ----------------------------------


def _round_link(round_: Round) -> tuple[str, str | None]:
    """The link for ?district=key (404 for an unknown district), else the round's link."""
    key = request.args.get("district")
    if not key:
        return links.respondent_url(round_), None
    if not any(d.key == key and d.active for d in round_.project.districts):
        abort(404)
    return links.respondent_url(round_, key), key


@bp.route("/projects/<slug>/rounds/<int:number>/qr.<fmt>")
@login_required
def round_qr(slug: str, number: int, fmt: str):
    project, round_ = access.managed_round_or_404(slug, number)
    if fmt not in ("svg", "png"):
        abort(404)
    url, district_key = _round_link(round_)
    name = f"{project.slug}-{round_.number}" + (f"-{district_key}" if district_key else "")
    if fmt == "svg":
        body, mimetype = links.qr_svg(url, title=round_.label), "image/svg+xml"
    else:
        body, mimetype = links.qr_png(url), "image/png"
    inline = request.args.get("inline") == "1"
    disposition = "inline" if inline else f'attachment; filename="qr-{name}.{fmt}"'
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": disposition})


@bp.route("/projects/<slug>/rounds/<int:number>/handout")
@login_required
def handout(slug: str, number: int):
    """A printable A4 page: QR code, link and two lines of text, in Swedish or English."""
    project, round_ = access.managed_round_or_404(slug, number)
    url, district_key = _round_link(round_)
    district = next((d for d in project.districts if d.key == district_key), None)
    language = request.args.get("language", "sv")
    if language not in instruments.LANGUAGES:
        abort(404)
    with force_locale(language):
        return render_template("rounds/handout.html", project=project, round=round_,
                               url=url, district=district, handout_lang=language,
                               qr=Markup(links.qr_svg(url, scale=10, title=round_.label)))


@bp.route("/projects/<slug>/rounds/<int:number>/codes", methods=["POST"])
@login_required
def make_codes(slug: str, number: int):
    """N personal links as a CSV for a mail merge. The codes exist in plain text only in
    this download; Spindel keeps their hashes."""
    project, round_ = access.managed_round_or_404(slug, number)
    form = CodesForm()
    if not form.validate_on_submit():
        return _round_page(project, round_, codes_form=form, code=422)
    new_codes = codes.generate_codes(round_, form.count.data)
    body = codes.codes_csv(round_, new_codes)
    db.session.commit()
    filename = f"personal-links-{project.slug}-{round_.number}.csv"
    return Response(body, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.route("/projects/<slug>/rounds/<int:number>/expected", methods=["GET", "POST"])
@login_required
def expected_staff(slug: str, number: int):
    """How many staff the round expects per profession and per district (empty = not
    known), so the monitor and the answer slide can show participation in per cent."""
    project, round_ = access.managed_round_or_404(slug, number)
    form = expected_staff_form(project, participation.expected_staff(round_), current_lang())
    if form.validate_on_submit():
        values: dict[str, dict[int, int | None]] = {kind: {} for kind in participation.KINDS}
        for kind, grouping, field in form.groupings:
            values[kind][grouping.id] = field.data
        participation.set_expected_staff(round_, values)
        db.session.commit()
        flash(_("The expected numbers of staff are saved."), "success")
        return redirect(url_for("rounds.round_page", slug=slug, number=number))
    code = 422 if form.is_submitted() else 200
    return render_template("rounds/expected_staff.html", project=project, round=round_,
                           form=form), code


# --- watching answers arrive ------------------------------------------------------------------


@bp.route("/projects/<slug>/rounds/<int:number>/monitor")
@login_required
def monitor(slug: str, number: int):
    project, round_ = access.managed_round_or_404(slug, number)
    return render_template("rounds/monitor.html", project=project, round=round_,
                           data=monitor_payload(round_, current_lang()))


@bp.route("/projects/<slug>/rounds/<int:number>/monitor.json")
@login_required
def monitor_json(slug: str, number: int):
    project, round_ = access.managed_round_or_404(slug, number)
    data = monitor_payload(round_, current_lang())
    # The sentence on where the figures stand, worded as on the page.
    data["figures"] = render_template("rounds/_monitor_figures.html", data=data).strip()
    return jsonify(data)
