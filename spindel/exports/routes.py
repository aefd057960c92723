"""Downloads: chart images, PowerPoint, Excel and CSV; the `spindel export` command.

Every download takes the results page's filter: rounds side by side, and all answers or one
profession or one district (exports/forms.py). Anything else is refused with a 400 that says
why, never computed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import click
from flask import Blueprint, Response, abort, render_template, request
from flask.cli import with_appcontext
from flask_babel import force_locale
from flask_login import current_user, login_required

from .. import access
from ..errors import render_error
from ..i18n import current_lang
from ..instrument import LANGUAGES
from ..models import Project
from ..services import exports
from ..services.disclosure import min_group_size
from ..services.pptx_export import build_deck
from ..services.projects import project_by_slug
from ..services.selection import SelectionError
from ..services.table_export import aggregates_csv, aggregates_xlsx, raw_answers_xlsx
from .forms import ExportFilterForm

# cli_group=None: commands added to bp.cli become top-level `spindel` commands.
bp = Blueprint("exports", __name__, cli_group=None)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


def _lang() -> str:
    # Not ?lang=, which switches the interface: a Swedish supporter may want an English deck.
    lang = request.args.get("export_lang") or current_lang()
    return lang if lang in LANGUAGES else "sv"


def _form(project: Project) -> ExportFilterForm:
    form = ExportFilterForm(project, current_lang(), access.reader_scope(project),
                            formdata=request.args)
    form.validate()
    return form


def _download(data: bytes, mimetype: str, filename: str) -> Response:
    return Response(data, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "Cache-Control": "no-store"})


def _suffix(selection: dict, lang: str) -> str:
    """The filter in a file name: -1_2 for rounds 1 and 2, -bvc for one group, -sv."""
    rounds = "_".join(str(n) for n in selection["rounds"] or ())
    group = selection["profession"] or selection["district"] or ""
    parts = [re.sub(r"[^A-Za-z0-9_]+", "_", part) for part in (rounds, group) if part]
    return "".join(f"-{part}" for part in parts) + f"-{lang}"


def _file(slug: str, make: Callable[[Project, dict, str], Response]):
    """A download of the project's figures under the request's filter: a 400 page saying
    why for a filter Spindel does not publish."""
    project = access.readable_project_or_404(slug, scoped=True)
    form = _form(project)
    if form.errors:
        return render_error(400, form.error_message())
    lang = _lang()
    try:
        return make(project, form.export_selection(), lang)
    except SelectionError as exc:
        return render_error(400, str(exc))


@bp.get("/projects/<slug>/exports")
@login_required
def index(slug: str):
    project = access.readable_project_or_404(slug, scoped=True)
    return _index(project, _form(project), _lang())


def _index(project: Project, form: ExportFilterForm, lang: str, *,
           unavailable: bool = False, status: int = 200):
    charts, error = [], None
    if not form.errors:
        try:
            with force_locale(lang):
                charts = exports.seminar_charts(project, lang, **form.export_selection())
        except SelectionError as exc:
            error = str(exc)
    return render_template(
        "exports/index.html", project=project, form=form, charts=charts, error=error,
        args={"export_lang": lang, **form.query()}, export_lang=lang,
        k=min_group_size(project), formats=exports.FORMATS,
        unavailable=unavailable or not exports.engine().available(),
        unavailable_message=exports.ExportUnavailable.message,
        is_admin=current_user.is_admin), 400 if form.errors or error else status


@bp.get("/projects/<slug>/exports/charts/<key>.<fmt>")
@login_required
def chart(slug: str, key: str, fmt: str):
    if fmt not in exports.FORMATS:
        abort(404)

    def make(project: Project, selection: dict, lang: str) -> Response:
        with force_locale(lang):
            chosen = [c for c in exports.seminar_charts(project, lang, **selection)
                      if c.key == key]
            if not chosen:
                abort(404)
            group = exports.chosen_group(project, selection["profession"],
                                         selection["district"], lang)
            try:
                image = exports.chart_images(chosen, fmt, min_group_size(project),
                                             group=group)[0]
            except exports.ExportUnavailable:
                return _index(project, _form(project), lang, unavailable=True, status=503)
        return _download(image, exports.FORMATS[fmt],
                         f"{project.slug}-{key}{_suffix(selection, lang)}.{fmt}")

    return _file(slug, make)


@bp.get("/projects/<slug>/exports/deck.pptx")
@login_required
def deck(slug: str):
    def make(project: Project, selection: dict, lang: str) -> Response:
        return _download(build_deck(project, lang=lang, **selection), PPTX,
                         f"{project.slug}-seminar{_suffix(selection, lang)}.pptx")

    return _file(slug, make)


@bp.get("/projects/<slug>/exports/results.xlsx")
@login_required
def workbook(slug: str):
    def make(project: Project, selection: dict, lang: str) -> Response:
        return _download(aggregates_xlsx(project, lang=lang, **selection), XLSX,
                         f"{project.slug}-results{_suffix(selection, lang)}.xlsx")

    return _file(slug, make)


@bp.get("/projects/<slug>/exports/results.csv")
@login_required
def table_csv(slug: str):
    def make(project: Project, selection: dict, lang: str) -> Response:
        return _download(aggregates_csv(project, lang=lang, **selection),
                         "text/csv; charset=utf-8",
                         f"{project.slug}-results{_suffix(selection, lang)}.csv")

    return _file(slug, make)


@bp.get("/projects/<slug>/exports/raw-answers.xlsx")
@access.admin_required
def raw(slug: str):
    project = access.project_or_404(slug)
    lang = _lang()
    return _download(raw_answers_xlsx(project, lang=lang), XLSX,
                     f"{project.slug}-raw-answers-{lang}.xlsx")


# --- spindel export ------------------------------------------------------------------------


@bp.cli.command("export")
@click.argument("slug")
@click.option("--format", "fmt", required=True,
              type=click.Choice(["png", "svg", "pdf", "pptx", "xlsx", "csv"]))
@click.option("--out", "out", required=True, type=click.Path(path_type=Path),
              help="A folder for png/svg/pdf (every chart of the seminar set), else a file.")
@click.option("--round", "numbers", type=int, multiple=True,
              help="A round to show; repeat for several, side by side (default: every round).")
@click.option("--profession", help="Only this profession's responses (its key).")
@click.option("--district", help="Only this district's responses (its key); not together "
                                 "with --profession.")
@click.option("--lang", type=click.Choice(list(LANGUAGES)), default="sv", show_default=True)
@with_appcontext
def export_command(slug: str, fmt: str, out: Path, numbers: tuple[int, ...],
                   profession: str | None, district: str | None, lang: str) -> None:
    """Write a project's charts, deck or tables to files: the downloads page's files, with
    its filter (rounds side by side; all responses, one profession or one district)."""
    project = project_by_slug(slug)
    if project is None:
        raise click.ClickException(f"no project '{slug}'")
    for number in numbers:
        if not any(r.number == number for r in project.rounds):
            raise click.ClickException(f"project '{slug}' has no round {number}")
    if profession is not None and district is not None:
        raise click.ClickException("choose --profession or --district, not both: Spindel "
                                   "never shows a profession within a district")
    selection = {"rounds": list(numbers) or None, "profession": profession,
                 "district": district}
    try:
        with force_locale(lang):
            if fmt in exports.FORMATS:
                _write_charts(project, fmt, out, selection, lang)
                return
            data = {"pptx": build_deck, "xlsx": aggregates_xlsx,
                    "csv": aggregates_csv}[fmt](project, lang=lang, **selection)
    except SelectionError as exc:  # an unknown profession or district
        raise click.ClickException(str(exc)) from None
    if out.parent:
        out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    click.echo(f"Wrote {out}")


def _write_charts(project: Project, fmt: str, out: Path, selection: dict, lang: str) -> None:
    charts = exports.seminar_charts(project, lang, **selection)
    group = exports.chosen_group(project, selection["profession"], selection["district"], lang)
    try:
        images = exports.chart_images(charts, fmt, min_group_size(project), group=group)
    except exports.ExportUnavailable as exc:
        raise click.ClickException(f"{exports.ExportUnavailable.message} "
                                   f"({exc.reason})") from None
    out.mkdir(parents=True, exist_ok=True)
    for chart_, image in zip(charts, images, strict=True):
        (out / f"{project.slug}-{chart_.key}{_suffix(selection, lang)}.{fmt}").write_bytes(
            image)
    click.echo(f"Wrote {len(images)} charts to {out}")
