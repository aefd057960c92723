"""Downloads: chart images, PowerPoint, Excel and CSV; the `spindel export` command."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Blueprint, Response, abort, render_template, request
from flask.cli import with_appcontext
from flask_babel import force_locale
from flask_login import current_user, login_required

from .. import access
from ..i18n import current_lang
from ..instrument import LANGUAGES
from ..models import Project
from ..services import exports
from ..services.anonymity import min_group_size
from ..services.pptx_export import build_deck
from ..services.projects import project_by_slug
from ..services.table_export import aggregates_csv, aggregates_xlsx, raw_answers_xlsx

# cli_group=None: commands added to bp.cli become top-level `spindel` commands.
bp = Blueprint("exports", __name__, cli_group=None)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


def _choice(project: Project) -> tuple[int | None, str]:
    """The round and language asked for in the query; 404 for a round the project lacks."""
    number = request.args.get("round", type=int)
    if "round" in request.args and request.args["round"] != "" and (
            number is None or not any(r.number == number for r in project.rounds)):
        abort(404)
    # Not ?lang=, which switches the interface: a Swedish supporter may want an English deck.
    lang = request.args.get("export_lang") or current_lang()
    return number, lang if lang in LANGUAGES else "sv"


def _download(data: bytes, mimetype: str, filename: str) -> Response:
    return Response(data, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "Cache-Control": "no-store"})


def _suffix(number: int | None, lang: str) -> str:
    return (f"-{number}" if number else "") + f"-{lang}"


@bp.get("/projects/<slug>/exports")
@login_required
def index(slug: str):
    project = access.project_or_404(slug)
    number, lang = _choice(project)
    return _index(project, number, lang)


def _index(project: Project, number: int | None, lang: str, *, unavailable: bool = False,
           status: int = 200):
    with force_locale(lang):
        charts = exports.seminar_charts(project, lang, number)
    return render_template(
        "exports/index.html", project=project, charts=charts, number=number,
        export_lang=lang, k=min_group_size(project), formats=exports.FORMATS,
        unavailable=unavailable or not exports.engine().available(),
        unavailable_message=exports.ExportUnavailable.message,
        is_admin=current_user.is_admin), status


@bp.get("/projects/<slug>/exports/charts/<key>.<fmt>")
@login_required
def chart(slug: str, key: str, fmt: str):
    project = access.project_or_404(slug)
    number, lang = _choice(project)
    if fmt not in exports.FORMATS:
        abort(404)
    with force_locale(lang):
        chosen = [c for c in exports.seminar_charts(project, lang, number) if c.key == key]
        if not chosen:
            abort(404)
        try:
            image = exports.chart_images(chosen, fmt, min_group_size(project))[0]
        except exports.ExportUnavailable:
            return _index(project, number, lang, unavailable=True, status=503)
    return _download(image, exports.FORMATS[fmt],
                     f"{project.slug}-{key}{_suffix(number, lang)}.{fmt}")


@bp.get("/projects/<slug>/exports/deck.pptx")
@login_required
def deck(slug: str):
    project = access.project_or_404(slug)
    number, lang = _choice(project)
    return _download(build_deck(project, lang=lang, round_number=number), PPTX,
                     f"{project.slug}-seminar{_suffix(number, lang)}.pptx")


@bp.get("/projects/<slug>/exports/results.xlsx")
@login_required
def workbook(slug: str):
    project = access.project_or_404(slug)
    number, lang = _choice(project)
    data = aggregates_xlsx(project, lang=lang, rounds=[number] if number else None)
    return _download(data, XLSX, f"{project.slug}-results{_suffix(number, lang)}.xlsx")


@bp.get("/projects/<slug>/exports/results.csv")
@login_required
def table_csv(slug: str):
    project = access.project_or_404(slug)
    number, lang = _choice(project)
    data = aggregates_csv(project, lang=lang, rounds=[number] if number else None)
    return _download(data, "text/csv; charset=utf-8",
                     f"{project.slug}-results{_suffix(number, lang)}.csv")


@bp.get("/projects/<slug>/exports/raw-answers.xlsx")
@access.admin_required
def raw(slug: str):
    project = access.project_or_404(slug)
    _, lang = _choice(project)
    return _download(raw_answers_xlsx(project, lang=lang), XLSX,
                     f"{project.slug}-raw-answers-{lang}.xlsx")


# --- spindel export ------------------------------------------------------------------------


@bp.cli.command("export")
@click.argument("slug")
@click.option("--format", "fmt", required=True,
              type=click.Choice(["png", "svg", "pdf", "pptx", "xlsx", "csv"]))
@click.option("--out", "out", required=True, type=click.Path(path_type=Path),
              help="A folder for png/svg/pdf (every chart of the seminar set), else a file.")
@click.option("--round", "number", type=int, help="Only this round (default: all).")
@click.option("--lang", type=click.Choice(list(LANGUAGES)), default="sv", show_default=True)
@with_appcontext
def export_command(slug: str, fmt: str, out: Path, number: int | None, lang: str) -> None:
    """Write a project's charts, deck or tables to files."""
    project = project_by_slug(slug)
    if project is None:
        raise click.ClickException(f"no project '{slug}'")
    if number is not None and not any(r.number == number for r in project.rounds):
        raise click.ClickException(f"project '{slug}' has no round {number}")
    with force_locale(lang):
        if fmt in exports.FORMATS:
            charts = exports.seminar_charts(project, lang, number)
            try:
                images = exports.chart_images(charts, fmt, min_group_size(project))
            except exports.ExportUnavailable as exc:
                raise click.ClickException(f"{exports.ExportUnavailable.message} "
                                           f"({exc.reason})") from None
            out.mkdir(parents=True, exist_ok=True)
            for chart_, image in zip(charts, images, strict=True):
                (out / f"{project.slug}-{chart_.key}.{fmt}").write_bytes(image)
            click.echo(f"Wrote {len(images)} charts to {out}")
            return
        rounds = [number] if number else None
        data = {"pptx": lambda: build_deck(project, lang=lang, round_number=number),
                "xlsx": lambda: aggregates_xlsx(project, lang=lang, rounds=rounds),
                "csv": lambda: aggregates_csv(project, lang=lang, rounds=rounds)}[fmt]()
    if out.parent:
        out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    click.echo(f"Wrote {out}")
