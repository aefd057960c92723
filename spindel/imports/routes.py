"""Importing earlier rounds: the import page with its list of imports, the project's template,
undoing an import, and the `spindel import` command.

Every page goes through access.project_or_404, so a project you do not belong to is a 404.
The work is done in services/imports.py; a view reads the form, calls it, commits or rolls
back, and renders.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import login_required

from .. import access
from .. import instrument as instruments
from ..extensions import db, one_writer
from ..i18n import current_lang
from ..services import imports
from ..services.disclosure import min_group_size
from ..services.import_template import import_template, template_filename
from .forms import ImportForm, UndoForm

bp = Blueprint("imports", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.route("/projects/<slug>/import", methods=["GET", "POST"])
@login_required
def import_page(slug: str):
    project = access.project_or_404(slug)
    form = ImportForm()
    result = None
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.read()
        # One import at a time per database file on SQLite, so the check for the same file
        # imported already sees the one before (PostgreSQL: the unique index decides).
        with one_writer():
            try:
                result = imports.import_file(
                    upload.filename or "", data, project, add_unknown=form.add_unknown.data,
                    confirm_open=form.confirms(imports.file_digest(data)))
            except imports.ImportFileError as exc:
                form.file.errors.append(str(exc))
            if result is not None and result.stored:
                db.session.commit()
            else:
                db.session.rollback()
        if result is not None and result.stored:
            flash(ngettext("%(num)s answer imported.", "%(num)s answers imported.",
                           result.stored) + " " + _("It is listed below, where you can undo it."),
                  "success")
            return redirect(url_for("imports.import_page", slug=slug))
        if result is not None and result.waiting:
            form.confirmed_file.data = result.file_sha256
            form.confirm_open.data = False
    code = 422 if form.is_submitted() else 200
    instrument = instruments.for_project(project)
    return render_template(
        "imports/import.html", project=project, form=form, result=result,
        columns=imports.accepted_columns(instrument, current_lang()), scale=instrument.scale,
        batches=imports.batches_of(project), k=min_group_size(project)), code


@bp.route("/projects/<slug>/import/template.xlsx")
@login_required
def template(slug: str):
    project = access.project_or_404(slug)
    lang = current_lang()
    return Response(import_template(project, lang), mimetype=XLSX, headers={
        "Content-Disposition": f'attachment; filename="{template_filename(project, lang)}"',
        "Cache-Control": "no-store"})


@bp.route("/projects/<slug>/imports/<int:batch_id>/undo", methods=["POST"])
@login_required
def undo(slug: str, batch_id: int):
    project = access.project_or_404(slug)
    batch = imports.batch_of(project, batch_id)
    if batch is None:
        abort(404)
    if not UndoForm().validate_on_submit():
        abort(400)
    with one_writer():
        removed = imports.undo_batch(batch)
        db.session.commit()
    flash(ngettext("The import of %(file)s is undone: %(num)s answer removed.",
                   "The import of %(file)s is undone: %(num)s answers removed.", removed,
                   file=batch.filename or _("a file")), "success")
    return redirect(url_for("imports.import_page", slug=slug))
