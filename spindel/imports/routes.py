"""Importing earlier rounds: the import page with its list of imports, the project's template,
undoing an import, and the `spindel import` command.

Every page goes through access.project_or_404, so a project you do not belong to is a 404.
The work is done in services/imports.py; a view reads the form, calls it, commits or rolls
back, and renders.
"""

from __future__ import annotations

import click
from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_login import login_required

from .. import access
from .. import instrument as instruments
from ..extensions import db, one_writer
from ..i18n import current_lang
from ..services import imports
from ..services import projects as project_service
from ..services.disclosure import min_group_size
from ..services.import_template import import_template, template_filename
from .forms import ImportForm, UndoForm

# cli_group=None: commands added to bp.cli become top-level `spindel` commands.
bp = Blueprint("imports", __name__, cli_group=None)

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


@bp.cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--project", "slug", required=True, help="The project's short name (slug).")
@click.option("--create", is_flag=True,
              help="Create the project with the districts, professions and rounds in the file.")
@click.option("--add-unknown", is_flag=True,
              help="Add districts and professions the project does not have yet.")
@click.option("--into-open", is_flag=True,
              help="Import answers for rounds that are not closed too (respondents may be "
                   "answering them).")
def import_command(file: str, slug: str, create: bool, add_unknown: bool,
                   into_open: bool) -> None:
    """Import earlier rounds from a CSV or XLSX file: all rows or none."""
    with force_locale("en"):
        project = project_service.project_by_slug(slug)
        if project is None and not create:
            raise click.ClickException(f"no project '{slug}' (use --create to create it)")
        if project is not None and create:
            raise click.ClickException(f"the project '{slug}' exists already; leave out "
                                       "--create to import into it")
        with open(file, "rb") as fh:
            data = fh.read()
        with one_writer():
            try:
                result = imports.import_file(file, data, project, add_unknown=add_unknown,
                                             create_slug=slug if create else None,
                                             confirm_open=into_open)
            except imports.ImportFileError as exc:
                db.session.rollback()
                raise click.ClickException(str(exc)) from exc
            if result.stored:
                db.session.commit()
            else:
                db.session.rollback()
        if result.waiting:
            raise click.ClickException(
                f"the file has answers for rounds that are not closed: "
                f"{', '.join(result.unclosed_rounds)}; nothing was imported (add --into-open "
                "to import them)")
        if not result.ok:
            for problem in result.check.problems:
                click.echo(str(problem), err=True)
            unknown = [f"{what}: {', '.join(names)}" for what, names in (
                ("unknown districts", result.check.unknown_districts),
                ("unknown professions", result.check.unknown_professions)) if names]
            if unknown:
                click.echo("; ".join(unknown) + " (add them with --add-unknown)", err=True)
            raise click.ClickException(
                f"{len(result.check.problems)} problems; nothing was imported")
        click.echo(f"Imported {result.stored} answers into '{result.project.slug}' (import "
                   f"{result.batch.id}; it can be undone on the project's import page).")
