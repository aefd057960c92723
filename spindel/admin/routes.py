"""Administration: users, their projects and read-only access, deleting a project.
Every view needs an administrator (access.admin_required)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import access, models
from ..extensions import db
from ..forms import ConfirmForm
from ..services import accounts, sessions
from ..services import projects as project_service
from .forms import DeleteProjectForm, MembershipForm, UserForm, ViewerForm

bp = Blueprint("admin", __name__)


def _person_or_404(user_id: int) -> models.User:
    person = db.session.get(models.User, user_id)
    if person is None:
        abort(404)
    return person


@bp.route("/admin/users", methods=["GET", "POST"])
@access.admin_required
def users():
    form = UserForm()
    if form.validate_on_submit():
        if accounts.user_by_email(form.email.data) is not None:
            form.email.errors.append(_("A user with this email address exists already."))
        else:
            user = accounts.create_user(form.email.data, form.password.data,
                                        is_admin=form.is_admin.data)
            db.session.commit()
            flash(_("The user %(email)s is created.", email=user.email), "success")
            return redirect(url_for("admin.user", user_id=user.id))
    code = 422 if form.is_submitted() else 200
    return render_template("admin/users.html", users=accounts.all_users(),
                           form=form), code


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@access.admin_required
def user(user_id: int):
    person = _person_or_404(user_id)
    form = MembershipForm(obj=person)
    all_projects = access.visible_projects(current_user)
    form.projects.choices = [(p.id, p.name) for p in all_projects]
    if not form.is_submitted():
        form.projects.data = [p.id for p in person.projects]
    if form.validate_on_submit():
        if accounts.locks_self_out(person, current_user, active=form.active.data,
                                   is_admin=form.is_admin.data):
            form.active.errors.append(_("You cannot deactivate yourself or remove your own "
                                        "administrator role."))
        else:
            chosen = set(form.projects.data or [])
            accounts.update_user(person, active=form.active.data, is_admin=form.is_admin.data,
                                 projects=[p for p in all_projects if p.id in chosen])
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("admin.users"))
    code = 422 if form.is_submitted() else 200
    return _user_page(person, form, _viewer_form(person, formdata=None), code)


def _viewer_form(person: models.User, formdata=None) -> ViewerForm:
    """Projects the user neither runs nor views yet."""
    form = ViewerForm(formdata=formdata, prefix="viewer")
    taken = {m.project_id for m in person.memberships}
    form.set_projects([p for p in access.visible_projects(current_user) if p.id not in taken])
    return form


def _user_page(person: models.User, form, viewer_form: ViewerForm, code: int):
    return render_template("admin/user.html", person=person, form=form,
                           viewer_form=viewer_form,
                           viewing=accounts.viewer_memberships(person),
                           open_sessions=sessions.open_sessions(person)), code


@bp.route("/admin/users/<int:user_id>/viewing", methods=["POST"])
@access.admin_required
def add_viewing(user_id: int):
    """Read-only access to one project (results, presentation, exports of aggregates)."""
    person = _person_or_404(user_id)
    viewer_form = _viewer_form(person, formdata=request.form)
    if not viewer_form.validate_on_submit():
        form = MembershipForm(obj=person, formdata=None)
        form.projects.choices = [(p.id, p.name) for p in access.visible_projects(current_user)]
        form.projects.data = [p.id for p in person.projects]
        return _user_page(person, form, viewer_form, 422)
    project = db.session.get(models.Project, viewer_form.project.data)
    accounts.make_viewer(person, project, db.session.get(models.District,
                                                         viewer_form.district.data))
    db.session.commit()
    flash(_("%(email)s may now read the results of %(project)s.", email=person.email,
            project=project.name), "success")
    return redirect(url_for("admin.user", user_id=person.id))


@bp.route("/admin/users/<int:user_id>/viewing/<int:project_id>/end", methods=["POST"])
@access.admin_required
def end_viewing(user_id: int, project_id: int):
    person = _person_or_404(user_id)
    project = db.session.get(models.Project, project_id)
    if project is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not accounts.end_viewing(person, project):
        abort(404)
    db.session.commit()
    flash(_("%(email)s no longer reads the results of %(project)s.", email=person.email,
            project=project.name), "success")
    return redirect(url_for("admin.user", user_id=person.id))


@bp.route("/admin/users/<int:user_id>/end-sessions", methods=["POST"])
@access.admin_required
def end_user_sessions(user_id: int):
    person = _person_or_404(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if person.id == current_user.id:
        access.log_out(everywhere=True)
        db.session.commit()
        flash(_("You are logged out in every browser, this one included."), "info")
        return redirect(url_for("auth.login"))
    sessions.end_sessions(person)
    db.session.commit()
    flash(_("%(email)s is logged out in every browser.", email=person.email), "success")
    return redirect(url_for("admin.user", user_id=person.id))


@bp.route("/projects/<slug>/delete", methods=["GET", "POST"])
@access.admin_required
def delete_project(slug: str):
    project = access.project_or_404(slug)
    form = DeleteProjectForm()
    if form.validate_on_submit():
        if form.confirm_name.data.strip() != project.name:
            form.confirm_name.errors.append(_("That is not the project's name. Nothing was "
                                              "deleted."))
        else:
            name = project.name
            project_service.delete_project(project)
            db.session.commit()
            flash(_("The project %(name)s and all its answers are deleted.", name=name),
                  "success")
            return redirect(url_for("workspace.dashboard"))
    code = 422 if form.is_submitted() else 200
    return render_template("admin/delete_project.html", project=project, form=form,
                           answers=project_service.count_answers(project)), code
