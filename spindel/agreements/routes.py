"""A round's agreements: what the seminar agreed to do about which items, by whom, by when,
and whether it is done. Supporters record and edit them; viewers (steering groups) read the
list. Views read the form, call services/agreements.py, render; each commits once."""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import access
from .. import instrument as instruments
from ..extensions import csrf, db
from ..i18n import current_lang
from ..models import Project, Round
from ..services import agreements
from .forms import AgreementForm, ConfirmForm, MoveForm, StatusForm

bp = Blueprint("agreements", __name__)

BASE = "/projects/<slug>/rounds/<int:number>/agreements"
TEMPLATE_HELPERS = {"status_label": agreements.status_label,
                    "max_action": agreements.MAX_ACTION}


def _round_or_404(project: Project, number: int) -> Round:
    round_ = project.round(number)
    if round_ is None:
        abort(404)
    return round_


def _managed(slug: str, number: int, agreement_id: int | None = None):
    """Project, round and (with an id) the round's agreement, for a supporter; 404 for
    anyone else, an unknown round, or an agreement of another round or project."""
    project, round_ = access.managed_round_or_404(slug, number)
    if agreement_id is None:
        return project, round_, None
    agreement = agreements.agreement_of(round_, agreement_id)
    if agreement is None:
        abort(404)
    return project, round_, agreement


def _back(slug: str, number: int, agreement_id: int | None = None):
    anchor = f"#agreement-{agreement_id}" if agreement_id else ""
    return redirect(url_for("agreements.index", slug=slug, number=number) + anchor)


def _page(project: Project, round_: Round, form: AgreementForm | None = None,
          code: int = 200):
    lang = current_lang()
    manage = access.can_manage(current_user, project)
    prefilled = False
    if manage and form is None:
        # A new form starts from what the room's vote put first (services/votes.py).
        form = AgreementForm(project, lang, formdata=None)
        form.items.data = agreements.prioritised(round_)
        prefilled = bool(form.items.data)
    return render_template(
        "agreements/index.html", project=project, round=round_, form=form, manage=manage,
        agreements=agreements.for_round(round_),
        labels=dict(agreements.item_choices(project, lang)),
        round_url=url_for("rounds.round_page", slug=project.slug, number=round_.number),
        earlier=agreements.earlier_round_with_agreements(project, round_.number),
        prefilled=prefilled, **TEMPLATE_HELPERS), code


def _kept_when_logged_out(view):
    """An agreement is typed during a seminar, and a login can end meanwhile (hours unused).
    Then the supporter gets back what she typed, with the reason, instead of a login page or
    an error page that drops it. Nothing is looked up: she may no longer be who she was."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if request.method == "POST" and not current_user.is_authenticated:
            items = instruments.registry()[instruments.default_ident()].items
            lang = current_lang()
            chosen = set(request.form.getlist("items"))
            return render_template(
                "agreements/logged_out.html",
                items=[item.short.get(lang) for item in items if item.key in chosen],
                typed={name: request.form.get(name, "")[:5000]
                       for name in ("action", "owner", "due")},
                login_url=url_for("auth.login", next=request.path)), 400
        return view(*args, **kwargs)

    return wrapper


def _refused(form) -> int:
    """A form sent without a valid token (from elsewhere, or the token was lost) is a 400;
    it is shown again with everything typed and the reason (macros.error_summary)."""
    token = getattr(form, "csrf_token", None)  # absent where CSRF is switched off
    return 400 if token is not None and token.errors else 422


@bp.get(BASE)
@login_required
def index(slug: str, number: int):
    # scoped: the list holds no figures, so a viewer limited to a district may read it too.
    project = access.readable_project_or_404(slug, scoped=True)
    return _page(project, _round_or_404(project, number))


@bp.post(BASE)
@_kept_when_logged_out
@login_required
def add(slug: str, number: int):
    project, round_, _none = _managed(slug, number)
    form = AgreementForm(project, current_lang())
    if form.validate_on_submit():
        try:
            agreement = agreements.add(round_, **form.fields())
        except agreements.AgreementError as exc:  # the per-round limit
            form.action.errors = [*form.action.errors, *exc.problems.values()]
        else:
            db.session.commit()
            flash(_("The agreement is recorded."), "success")
            return _back(slug, number, agreement.id)
    db.session.rollback()
    return _page(project, round_, form, _refused(form))


@bp.route(BASE + "/<int:agreement_id>/edit", methods=["GET", "POST"])
@_kept_when_logged_out
@login_required
def edit(slug: str, number: int, agreement_id: int):
    project, round_, agreement = _managed(slug, number, agreement_id)
    form = AgreementForm(project, current_lang(), obj=agreement)
    if form.validate_on_submit():
        agreements.edit(agreement, **form.fields())
        db.session.commit()
        flash(_("The agreement is saved."), "success")
        return _back(slug, number, agreement.id)
    db.session.rollback()
    return render_template("agreements/edit.html", project=project, round=round_,
                           agreement=agreement, form=form, **TEMPLATE_HELPERS), \
        _refused(form) if form.is_submitted() else 200


@bp.route(BASE + "/<int:agreement_id>/delete", methods=["GET", "POST"])
@login_required
def delete(slug: str, number: int, agreement_id: int):
    """GET asks for confirmation; POST deletes."""
    project, round_, agreement = _managed(slug, number, agreement_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        agreements.delete(agreement)
        db.session.commit()
        flash(_("The agreement is deleted."), "success")
        return _back(slug, number)
    return render_template("agreements/delete.html", project=project, round=round_,
                           agreement=agreement, form=form,
                           labels=dict(agreements.item_choices(project, current_lang())),
                           **TEMPLATE_HELPERS), \
        422 if form.is_submitted() else 200


@bp.post(BASE + "/<int:agreement_id>/status")
@login_required
def status(slug: str, number: int, agreement_id: int):
    _project, _round, agreement = _managed(slug, number, agreement_id)
    form = StatusForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        agreements.set_status(agreement, form.status.data)
    except agreements.AgreementError:
        abort(400)
    db.session.commit()
    flash(_("Status: %(status)s.", status=agreements.status_label(agreement.status)),
          "success")
    return _back(slug, number, agreement.id)


@bp.post(BASE + "/<int:agreement_id>/move")
@login_required
def move(slug: str, number: int, agreement_id: int):
    _project, _round, agreement = _managed(slug, number, agreement_id)
    form = MoveForm()
    if not form.validate_on_submit():
        abort(400)
    agreements.move(agreement, form.direction.data)
    db.session.commit()
    return _back(slug, number, agreement.id)


# Adding and editing check their own form token (AgreementForm), so a refused token shows
# the form again with everything typed instead of the app's error page.
csrf.exempt(add)
csrf.exempt(edit)
