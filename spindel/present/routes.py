"""Presentation mode: full-screen slides for a seminar, updated live."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, render_template, request
from flask_login import current_user, login_required

from .. import access
from .. import instrument as instruments
from ..i18n import current_lang
from ..services import agreements, presentation, votes
from ..services.disclosure import min_group_size
from ..services.links import qr_svg, short_url
from .forms import SetupForm

bp = Blueprint("present", __name__)

POLL_MS = 4000  # how often a live slide asks for new answers


@bp.route("/projects/<slug>/present")
@login_required
def setup(slug: str):
    project = access.readable_project_or_404(slug, scoped=True)
    form = SetupForm(project, current_lang(), formdata=None,
                     scope=access.reader_scope(project))
    form.fill_defaults()
    return render_template("present/setup.html", project=project, form=form,
                           k=min_group_size(project),
                           agreement_counts=agreements.counts(project))


def _valid_form(project):
    form = SetupForm(project, current_lang(), formdata=request.args,
                     scope=access.reader_scope(project))
    return form, form.validate()


@bp.route("/projects/<slug>/present/slides")
@login_required
def slides(slug: str):
    project = access.readable_project_or_404(slug, scoped=True)
    form, valid = _valid_form(project)
    if not valid:
        return render_template("present/setup.html", project=project, form=form,
                               k=min_group_size(project),
                               agreement_counts=agreements.counts(project)), 422
    show, lang = form.show(), current_lang()
    live = presentation.live_round(project, show)
    answer_round = project.round(show.live) if show.live is not None else None
    # The short link: a QR code of few, large squares, and an address to type.
    url = short_url(answer_round) if answer_round is not None else None
    return render_template(
        "present/slides.html", project=project, show=show,
        slides=presentation.slides(project, show, lang),
        group=presentation.group_label(project, show, lang), k=min_group_size(project),
        answer_round=answer_round, live=live, instrument=instruments.for_project(project),
        answer_address=url.split("://", 1)[-1] if url else None,
        qr=qr_svg(url, title=answer_round.label, fluid=True) if url else None,
        vote=votes.slide_vote(presentation.vote_round(project, show), lang),
        can_vote_manage=access.can_manage(current_user, project),
        poll_ms=current_app.config.get("SPINDEL_PRESENT_POLL_MS", POLL_MS))


@bp.route("/projects/<slug>/present/slides/<key>.json")
@login_required
def slide_data(slug: str, key: str):
    project = access.readable_project_or_404(slug, scoped=True)
    form, valid = _valid_form(project)
    if not valid:
        # The first reason in words (e.g. two professions: groups are never added together).
        fields = {name: [str(e) for e in errors] for name, errors in form.errors.items()}
        return jsonify({"error": next(iter(fields.values()))[0], "fields": fields}), 400
    show, lang = form.show(), current_lang()
    known = {s.key: s for s in presentation.slides(project, show, lang)}
    if key not in known or known[key].kind == "title":
        abort(404)
    slide = known[key]
    live = presentation.live_round(project, show)
    data = {"key": key, "title": slide.title, "live": live is not None}
    if slide.kind == "answer":
        round_ = project.round(show.live)
        data["count"] = presentation.answer_count_text(round_, lang)
        data["participation"], data["participation_groups"] = \
            presentation.participation_texts(
                round_, lang, groups=access.can_manage(current_user, project))
        if live is not None:
            data["next_update"] = presentation.next_update_text(round_, lang)
    elif slide.kind == "waiting":
        data["note"] = slide.text
    elif slide.kind == "vote":
        tally = votes.tally(presentation.vote_round(project, show), lang)
        chart = votes.chart(tally, slide.title, lang)
        data.update(figure=presentation.projector_figure(chart), vote=tally.state or "none",
                    count=votes.ballots_text(tally, lang), caption=chart.caption,
                    table=render_template("present/_table.html", chart=chart))
    elif slide.kind == "points":
        points = presentation.points_for(project, show, lang)
        data["html"] = render_template("present/_points.html", points=points)
    elif slide.kind == "agreements":
        data["html"] = render_template("present/_agreed.html",
                                       **presentation.agreed_for(project, show, key, lang))
    else:
        chart = presentation.chart_for(project, key, show, lang)
        data.update(figure=presentation.projector_figure(chart),
                    count=presentation.count_text(chart.responses, lang),
                    caption=chart.caption, empty=chart.empty,
                    table=render_template("present/_table.html", chart=chart))
    return jsonify(data)
