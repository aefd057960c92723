"""The supporters' workspace: projects, districts, professions, rounds, links, monitor
(importing is in imports/).

Every page needs a login; a project page goes through access.project_or_404 so a project
you do not belong to is a 404. Views read the form, call a service, render.
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
from flask_login import current_user, login_required
from markupsafe import Markup

from .. import access, models
from .. import instrument as instruments
from ..extensions import db
from ..i18n import current_lang
from ..models import District, Profession, Round
from ..services import accounts, codes, links, participation, sessions
from ..services import projects as project_service
from ..services.monitor import monitor_payload
from .forms import (
    RESERVED_SLUGS,
    CodesForm,
    ConfirmForm,
    DeleteProjectForm,
    DistrictForm,
    DistrictRenameForm,
    MembershipForm,
    MoveForm,
    PasswordChangeForm,
    ProfessionForm,
    ProfessionRenameForm,
    ProjectForm,
    RoundForm,
    RoundStateForm,
    TokenForm,
    UserForm,
    ViewerForm,
    expected_staff_form,
)

# cli_group=None: commands added to bp.cli become top-level `spindel` commands.
bp = Blueprint("workspace", __name__, cli_group=None)


# --- your account: password and API tokens -------------------------------------------------


def _account_page(password_form=None, token_form=None, new_token=None, code=200):
    tokens = sorted(current_user.api_tokens, key=lambda t: (t.revoked, -t.id))
    return render_template(
        "workspace/account.html", password_form=password_form or PasswordChangeForm(
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
            return redirect(url_for("workspace.account"))
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
    return redirect(url_for("workspace.account"))


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


def _slug_taken(slug: str, project=None) -> bool:
    found = project_service.project_by_slug(slug)
    return found is not None and found is not project


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
        if _slug_taken(form.slug.data):
            form.slug.errors.append(_("Another project already uses this short name."))
        else:
            project = project_service.create_project(
                form.name.data.strip(), form.slug.data, instrument=form.instrument.data,
                min_group_size=form.min_group_size.data,
                description=(form.description.data or "").strip())
            if not current_user.is_admin:
                current_user.projects.append(project)
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
        if _slug_taken(form.slug.data, project):
            form.slug.errors.append(_("Another project already uses this short name."))
        else:
            project.name = form.name.data.strip()
            project.slug = form.slug.data
            project.description = (form.description.data or "").strip()
            project.min_group_size = form.min_group_size.data
            if not locked:
                project.instrument = form.instrument.data
            db.session.commit()
            flash(_("The project is saved."), "success")
            return redirect(url_for("workspace.project", slug=project.slug))
    db.session.rollback()
    return _project_page(project, form=form, code=422)


# --- districts and professions --------------------------------------------------------------


PARTS = {"districts": (District, DistrictRenameForm), "professions": (Profession,
                                                                     ProfessionRenameForm)}


def _part_or_404(kind: str, project, id: int):
    """A district or profession of this project (kind "districts" or "professions")."""
    if kind not in PARTS:
        abort(404)
    model = PARTS[kind][0]
    part = db.session.get(model, id)
    if part is None or part.project_id != project.id:
        abort(404)
    return part


def _add_part(slug: str, kind: str):
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
    return _add_part(slug, "districts")


@bp.route("/projects/<slug>/professions", methods=["POST"])
@login_required
def add_profession(slug: str):
    return _add_part(slug, "professions")


@bp.route("/projects/<slug>/<kind>/<int:id>", methods=["GET", "POST"])
@login_required
def edit_part(slug: str, kind: str, id: int):
    """Rename a district or profession."""
    project = access.project_or_404(slug)
    part = _part_or_404(kind, project, id)
    form_class = PARTS[kind][1]
    form = form_class(obj=part)
    if form.validate_on_submit():
        form.populate_obj(part)
        db.session.commit()
        flash(_("Saved."), "success")
        return redirect(url_for("workspace.project", slug=slug) + f"#{kind}")
    code = 422 if form.is_submitted() else 200
    return render_template("workspace/part_edit.html", project=project, part=part, kind=kind,
                           form=form), code


def _posted_part(slug: str, kind: str, id: int, form_class=ConfirmForm):
    """The project, district or profession and validated form of a one-button POST."""
    project = access.project_or_404(slug)
    part = _part_or_404(kind, project, id)
    form = form_class()
    if not form.validate_on_submit():
        abort(400)
    return project, part, form


def _back_to_parts(slug: str, kind: str):
    return redirect(url_for("workspace.project", slug=slug) + f"#{kind}")


@bp.route("/projects/<slug>/<kind>/<int:id>/move", methods=["POST"])
@login_required
def move_part(slug: str, kind: str, id: int):
    project, part, form = _posted_part(slug, kind, id, MoveForm)
    project_service.move(getattr(project, kind), part, form.direction.data)
    db.session.commit()
    return _back_to_parts(slug, kind)


@bp.route("/projects/<slug>/<kind>/<int:id>/active", methods=["POST"])
@login_required
def toggle_part(slug: str, kind: str, id: int):
    """Deactivate (no longer offered on the form; answers kept) or activate again."""
    part = _posted_part(slug, kind, id)[1]
    part.active = not part.active
    db.session.commit()
    name = part.label(current_lang())
    if part.active:
        flash(_("%(name)s is active again and offered on the form.", name=name), "success")
    else:
        flash(_("%(name)s is deactivated: no longer offered on the form; its answers are "
                "kept.", name=name), "success")
    return _back_to_parts(slug, kind)


@bp.route("/projects/<slug>/<kind>/<int:id>/delete", methods=["POST"])
@login_required
def delete_part(slug: str, kind: str, id: int):
    """Delete a district or profession that has no answers; with answers it is refused."""
    part = _posted_part(slug, kind, id)[1]
    name = part.label(current_lang())
    if project_service.delete_part(part):
        db.session.commit()
        flash(_("%(name)s is deleted.", name=name), "success")
    else:
        flash(_("It has answers, so it cannot be deleted. Deactivate it instead."), "error")
    return _back_to_parts(slug, kind)


# --- rounds ---------------------------------------------------------------------------------


def round_or_404(project, number: int) -> Round:
    round_ = project_service.round_by_number(project, number)
    if round_ is None:
        abort(404)
    return round_


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
            return redirect(url_for("workspace.round_page", slug=slug, number=round_.number))
    db.session.rollback()
    code = 422 if form.is_submitted() else 200
    return render_template("workspace/round_form.html", project=project, form=form,
                           round=None), code


@bp.route("/projects/<slug>/rounds/<int:number>/edit", methods=["GET", "POST"])
@login_required
def edit_round(slug: str, number: int):
    project = access.project_or_404(slug)
    round_ = round_or_404(project, number)
    form = RoundForm(obj=round_)
    if form.validate_on_submit():
        if form.number.data != round_.number and project_service.round_by_number(
                project, form.number.data) is not None:
            form.number.errors.append(_("This project already has a round with this number."))
        else:
            form.populate_obj(round_)
            round_.label = round_.label.strip()
            db.session.commit()
            flash(_("The round is saved."), "success")
            return redirect(url_for("workspace.round_page", slug=slug, number=round_.number))
    code = 422 if form.is_submitted() else 200
    return render_template("workspace/round_form.html", project=project, form=form,
                           round=round_), code


@bp.route("/projects/<slug>/rounds/<int:number>/state", methods=["POST"])
@login_required
def round_state(slug: str, number: int):
    project = access.project_or_404(slug)
    round_ = round_or_404(project, number)
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
    return redirect(url_for("workspace.round_page", slug=slug, number=number))


def _round_page(project, round_: Round, codes_form=None, code: int = 200):
    made, used = codes.code_counts(round_)
    district_links = [(d, links.respondent_url(round_, d.key)) for d in project.districts
                      if d.active]
    return render_template("workspace/round.html", project=project, round=round_,
                           link=links.respondent_url(round_), district_links=district_links,
                           codes_made=made, codes_used=used,
                           codes_form=codes_form or CodesForm(formdata=None)), code


@bp.route("/projects/<slug>/rounds/<int:number>")
@login_required
def round_page(slug: str, number: int):
    project = access.project_or_404(slug)
    return _round_page(project, round_or_404(project, number))


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
    project = access.project_or_404(slug)
    round_ = round_or_404(project, number)
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
    project = access.project_or_404(slug)
    round_ = round_or_404(project, number)
    url, district_key = _round_link(round_)
    district = next((d for d in project.districts if d.key == district_key), None)
    language = request.args.get("language", "sv")
    if language not in instruments.LANGUAGES:
        abort(404)
    with force_locale(language):
        return render_template("workspace/handout.html", project=project, round=round_,
                               url=url, district=district, handout_lang=language,
                               qr=Markup(links.qr_svg(url, scale=10, title=round_.label)))


@bp.route("/projects/<slug>/rounds/<int:number>/codes", methods=["POST"])
@login_required
def make_codes(slug: str, number: int):
    """N personal links as a CSV for a mail merge. The codes exist in plain text only in
    this download; Spindel keeps their hashes."""
    project = access.project_or_404(slug)
    round_ = round_or_404(project, number)
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
    project = access.project_or_404(slug)
    round_ = round_or_404(project, number)
    form = expected_staff_form(project, participation.expected_staff(round_), current_lang())
    if form.validate_on_submit():
        values: dict[str, dict[int, int | None]] = {kind: {} for kind in participation.KINDS}
        for kind, part, field in form.parts:
            values[kind][part.id] = field.data
        participation.set_expected_staff(round_, values)
        db.session.commit()
        flash(_("The expected numbers of staff are saved."), "success")
        return redirect(url_for("workspace.round_page", slug=slug, number=number))
    code = 422 if form.is_submitted() else 200
    return render_template("workspace/expected_staff.html", project=project, round=round_,
                           form=form), code


# --- watching answers arrive ------------------------------------------------------------------


@bp.route("/projects/<slug>/rounds/<int:number>/monitor")
@login_required
def monitor(slug: str, number: int):
    project = access.project_or_404(slug)
    round_ = round_or_404(project, number)
    return render_template("workspace/monitor.html", project=project, round=round_,
                           data=monitor_payload(round_, current_lang()))


@bp.route("/projects/<slug>/rounds/<int:number>/monitor.json")
@login_required
def monitor_json(slug: str, number: int):
    project = access.project_or_404(slug)
    round_ = round_or_404(project, number)
    data = monitor_payload(round_, current_lang())
    # The sentence on where the figures stand, worded as on the page.
    data["figures"] = render_template("workspace/_monitor_figures.html", data=data).strip()
    return jsonify(data)


# --- administration: users and deleting projects ------------------------------------------------


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
            return redirect(url_for("workspace.user", user_id=user.id))
    code = 422 if form.is_submitted() else 200
    return render_template("workspace/users.html", users=accounts.all_users(),
                           form=form), code


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@access.admin_required
def user(user_id: int):
    person = db.session.get(models.User, user_id)
    if person is None:
        abort(404)
    form = MembershipForm(obj=person)
    all_projects = access.visible_projects(current_user)
    form.projects.choices = [(p.id, p.name) for p in all_projects]
    if not form.is_submitted():
        form.projects.data = [p.id for p in person.projects]
    if form.validate_on_submit():
        if person.id == current_user.id and not (form.active.data and form.is_admin.data):
            form.active.errors.append(_("You cannot deactivate yourself or remove your own "
                                        "administrator role."))
        else:
            chosen = set(form.projects.data or [])
            accounts.update_user(person, active=form.active.data, is_admin=form.is_admin.data,
                                 projects=[p for p in all_projects if p.id in chosen])
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("workspace.users"))
    code = 422 if form.is_submitted() else 200
    return _user_page(person, form, _viewer_form(person, formdata=None), code)


def _viewer_form(person: models.User, formdata=None) -> ViewerForm:
    """Projects the user neither runs nor views yet."""
    form = ViewerForm(formdata=formdata, prefix="viewer")
    taken = {m.project_id for m in person.memberships}
    form.project.choices = [(p.id, p.name) for p in access.visible_projects(current_user)
                            if p.id not in taken]
    return form


def _user_page(person: models.User, form, viewer_form: ViewerForm, code: int):
    return render_template("workspace/user.html", person=person, form=form,
                           viewer_form=viewer_form,
                           viewing=accounts.viewer_memberships(person),
                           open_sessions=sessions.open_sessions(person)), code


@bp.route("/admin/users/<int:user_id>/viewing", methods=["POST"])
@access.admin_required
def add_viewing(user_id: int):
    """Read-only access to one project (results, presentation, exports of aggregates)."""
    person = db.session.get(models.User, user_id)
    if person is None:
        abort(404)
    viewer_form = _viewer_form(person, formdata=request.form)
    if not viewer_form.validate_on_submit():
        form = MembershipForm(obj=person, formdata=None)
        form.projects.choices = [(p.id, p.name) for p in access.visible_projects(current_user)]
        form.projects.data = [p.id for p in person.projects]
        return _user_page(person, form, viewer_form, 422)
    project = db.session.get(models.Project, viewer_form.project.data)
    accounts.make_viewer(person, project)
    db.session.commit()
    flash(_("%(email)s may now read the results of %(project)s.", email=person.email,
            project=project.name), "success")
    return redirect(url_for("workspace.user", user_id=person.id))


@bp.route("/admin/users/<int:user_id>/viewing/<int:project_id>/end", methods=["POST"])
@access.admin_required
def end_viewing(user_id: int, project_id: int):
    person = db.session.get(models.User, user_id)
    project = db.session.get(models.Project, project_id)
    if person is None or project is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not accounts.end_viewing(person, project):
        abort(404)
    db.session.commit()
    flash(_("%(email)s no longer reads the results of %(project)s.", email=person.email,
            project=project.name), "success")
    return redirect(url_for("workspace.user", user_id=person.id))


@bp.route("/admin/users/<int:user_id>/end-sessions", methods=["POST"])
@access.admin_required
def end_user_sessions(user_id: int):
    person = db.session.get(models.User, user_id)
    form = ConfirmForm()
    if person is None or not form.validate_on_submit():
        abort(404 if person is None else 400)
    if person.id == current_user.id:
        access.log_out(everywhere=True)
        db.session.commit()
        flash(_("You are logged out in every browser, this one included."), "info")
        return redirect(url_for("auth.login"))
    sessions.end_sessions(person)
    db.session.commit()
    flash(_("%(email)s is logged out in every browser.", email=person.email), "success")
    return redirect(url_for("workspace.user", user_id=person.id))


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
    return render_template("workspace/delete_project.html", project=project, form=form,
                           answers=project_service.count_answers(project)), code
