"""The supporters' workspace: the dashboard, projects, their districts and professions.
Rounds, links and the monitor are in rounds/, importing in imports/, your account in
account/, administration in admin/.

Every page needs a login; a project page goes through access.project_or_404 so a project
you do not belong to is a 404. Views read the form, call a service, render.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import access, models
from .. import instrument as instruments
from ..extensions import db
from ..forms import ConfirmForm
from ..i18n import current_lang
from ..models import District, Profession
from ..services import projects as project_service
from .forms import (
    RESERVED_SLUGS,
    DistrictForm,
    DistrictRenameForm,
    MoveForm,
    ProfessionForm,
    ProfessionRenameForm,
    ProjectForm,
)

bp = Blueprint("workspace", __name__)


# --- the dashboard ------------------------------------------------------------------------


@bp.route("/workspace")
@login_required
def dashboard():
    projects = access.visible_projects(current_user)
    return render_template("workspace/dashboard.html", projects=projects)


# --- projects -----------------------------------------------------------------------------


def _instrument_choices() -> list[tuple[str, str]]:
    return [(ident, f"{i.name.get('sv')} ({i.version})")
            for ident, i in sorted(instruments.registry().items())]


@bp.route("/projects/new", methods=["GET", "POST"])
@login_required
def new_project():
    form = ProjectForm()
    form.instrument.choices = _instrument_choices()
    if not form.is_submitted():
        form.instrument.data = instruments.default_ident()
    elif not (form.slug.data or "").strip():
        # Left empty: made from the name (static/slug.js shows it as she types), and free.
        form.slug.data = project_service.slug_from_name(form.name.data or "", RESERVED_SLUGS)
    if form.validate_on_submit():
        if project_service.slug_taken(form.slug.data):
            form.slug.errors.append(_("Another project already uses this short name."))
        else:
            project = project_service.create_project(
                form.name.data.strip(), form.slug.data, instrument=form.instrument.data,
                min_group_size=form.min_group_size.data,
                description=(form.description.data or "").strip(), creator=current_user)
            db.session.commit()
            flash(_("The project is created. Add its districts and a first round."), "success")
            return redirect(url_for("workspace.project", slug=project.slug))
    code = 422 if form.is_submitted() else 200
    return render_template("workspace/project_new.html", form=form), code


def _project_page(project, form=None, district_form=None, profession_form=None,
                  code: int = 200):
    locked = project_service.project_has_answers(project)
    if form is None:
        form = ProjectForm(obj=project, formdata=None)
    form.instrument.choices = _instrument_choices()
    district_answers = project_service.answers_per(
        models.Response.district_id, [d.id for d in project.districts])
    profession_answers = project_service.answers_per(
        models.Response.profession_id, [p.id for p in project.professions])
    return render_template(
        "workspace/project.html", project=project, form=form, locked=locked,
        district_form=district_form or DistrictForm(formdata=None),
        profession_form=profession_form or ProfessionForm(formdata=None),
        district_answers=district_answers, profession_answers=profession_answers), code


@bp.route("/projects/<slug>", methods=["GET", "POST"])
@login_required
def project(slug: str):
    project = access.project_or_404(slug)
    if request.method == "GET":
        return _project_page(project)
    form = ProjectForm()
    form.instrument.choices = _instrument_choices()
    locked = project_service.project_has_answers(project)
    if locked:
        form.instrument.data = project.instrument  # fixed under existing answers
    if form.validate_on_submit():
        if project_service.slug_taken(form.slug.data, project):
            form.slug.errors.append(_("Another project already uses this short name."))
        else:
            project_service.update_project(
                project, name=form.name.data.strip(), slug=form.slug.data,
                description=(form.description.data or "").strip(),
                min_group_size=form.min_group_size.data, instrument=form.instrument.data)
            db.session.commit()
            flash(_("The project is saved."), "success")
            return redirect(url_for("workspace.project", slug=project.slug))
    db.session.rollback()
    return _project_page(project, form=form, code=422)


# --- districts and professions --------------------------------------------------------------


GROUPINGS = {"districts": (District, DistrictRenameForm), "professions": (Profession,
                                                                     ProfessionRenameForm)}


def _grouping_or_404(kind: str, project, id: int):
    """A district or profession of this project (kind "districts" or "professions")."""
    if kind not in GROUPINGS:
        abort(404)
    model = GROUPINGS[kind][0]
    grouping = db.session.get(model, id)
    if grouping is None or grouping.project_id != project.id:
        abort(404)
    return grouping


def _add_grouping(slug: str, kind: str):
    """Add a district or profession from the form under the project's list of them."""
    project = access.project_or_404(slug)
    form = DistrictForm() if kind == "districts" else ProfessionForm()
    if form.validate_on_submit():
        try:
            if kind == "districts":
                project_service.add_district(project, form.name.data, form.key.data or None)
            else:
                project_service.add_profession(project, form.name_sv.data, form.name_en.data,
                                               form.key.data or None)
        except ValueError:
            form.key.errors.append(_("Another district already uses this key.")
                                   if kind == "districts"
                                   else _("Another profession already uses this key."))
        else:
            db.session.commit()
            flash(_("The district is added.") if kind == "districts"
                  else _("The profession is added."), "success")
            return redirect(url_for("workspace.project", slug=slug) + f"#{kind}")
    db.session.rollback()
    forms = {"district_form": form} if kind == "districts" else {"profession_form": form}
    return _project_page(project, code=422, **forms)


@bp.route("/projects/<slug>/districts", methods=["POST"])
@login_required
def add_district(slug: str):
    return _add_grouping(slug, "districts")


@bp.route("/projects/<slug>/professions", methods=["POST"])
@login_required
def add_profession(slug: str):
    return _add_grouping(slug, "professions")


@bp.route("/projects/<slug>/<kind>/<int:id>", methods=["GET", "POST"])
@login_required
def edit_grouping(slug: str, kind: str, id: int):
    """Rename a district or profession."""
    project = access.project_or_404(slug)
    grouping = _grouping_or_404(kind, project, id)
    form_class = GROUPINGS[kind][1]
    form = form_class(obj=grouping)
    if form.validate_on_submit():
        form.populate_obj(grouping)
        db.session.commit()
        flash(_("Saved."), "success")
        return redirect(url_for("workspace.project", slug=slug) + f"#{kind}")
    code = 422 if form.is_submitted() else 200
    return render_template("workspace/grouping_edit.html", project=project, grouping=grouping,
                           kind=kind, form=form), code


def _posted_grouping(slug: str, kind: str, id: int, form_class=ConfirmForm):
    """The project, district or profession and validated form of a one-button POST."""
    project = access.project_or_404(slug)
    grouping = _grouping_or_404(kind, project, id)
    form = form_class()
    if not form.validate_on_submit():
        abort(400)
    return project, grouping, form


def _back_to_groupings(slug: str, kind: str):
    return redirect(url_for("workspace.project", slug=slug) + f"#{kind}")


@bp.route("/projects/<slug>/<kind>/<int:id>/move", methods=["POST"])
@login_required
def move_grouping(slug: str, kind: str, id: int):
    project, grouping, form = _posted_grouping(slug, kind, id, MoveForm)
    project_service.move(getattr(project, kind), grouping, form.direction.data)
    db.session.commit()
    return _back_to_groupings(slug, kind)


@bp.route("/projects/<slug>/<kind>/<int:id>/active", methods=["POST"])
@login_required
def toggle_grouping(slug: str, kind: str, id: int):
    """Deactivate (no longer offered on the form; answers kept) or activate again."""
    grouping = _posted_grouping(slug, kind, id)[1]
    grouping.active = not grouping.active
    db.session.commit()
    name = grouping.label(current_lang())
    if grouping.active:
        flash(_("%(name)s is active again and offered on the form.", name=name), "success")
    else:
        flash(_("%(name)s is deactivated: no longer offered on the form; its answers are "
                "kept.", name=name), "success")
    return _back_to_groupings(slug, kind)


@bp.route("/projects/<slug>/<kind>/<int:id>/delete", methods=["POST"])
@login_required
def delete_grouping(slug: str, kind: str, id: int):
    """Delete a district or profession that has no answers; with answers it is refused."""
    grouping = _posted_grouping(slug, kind, id)[1]
    name = grouping.label(current_lang())
    if project_service.delete_grouping(grouping):
        db.session.commit()
        flash(_("%(name)s is deleted.", name=name), "success")
    else:
        flash(_("It has answers, so it cannot be deleted. Deactivate it instead."), "error")
    return _back_to_groupings(slug, kind)
