"""Downloads: chart images, PowerPoint, Excel and CSV; the `spindel export` command.

Every download takes the results page's filter: rounds side by side, and all answers or one
profession or one district (exports/forms.py). Anything else is refused with a 400 that says
why, never computed.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import force_locale
from flask_login import current_user, login_required

from .. import access
from ..errors import render_error
from ..i18n import current_lang
from ..instrument import LANGUAGES
from ..models import Project
from ..services.charts import chosen_group
from ..services.disclosure import min_group_size
from ..services.exports import file_suffix, images
from ..services.exports.deck import build_deck
from ..services.exports.tables import aggregates_csv, aggregates_xlsx, raw_answers_xlsx
from ..services.selection import SelectionError
from .forms import ExportFilterForm

bp = Blueprint("exports", __name__)

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
                charts = images.seminar_chart_names(project, lang, **form.export_selection())
        except SelectionError as exc:
            error = str(exc)
    return render_template(
        "exports/index.html", project=project, form=form, charts=charts, error=error,
        args={"export_lang": lang, **form.query()}, export_lang=lang,
        k=min_group_size(project), formats=images.FORMATS,
        unavailable=unavailable or not images.engine().available(),
        unavailable_message=images.ExportUnavailable.message,
        is_admin=current_user.is_admin), 400 if form.errors or error else status


@bp.get("/projects/<slug>/exports/charts/<key>.<fmt>")
@login_required
def chart(slug: str, key: str, fmt: str):
    if fmt not in images.FORMATS:
        abort(404)

    def make(project: Project, selection: dict, lang: str) -> Response:
        with force_locale(lang):
            found = images.seminar_chart(project, key, lang, **selection)
            if found is None:
                abort(404)
            chosen = [found]
            group = chosen_group(project, selection["profession"],
                                         selection["district"], lang)
            try:
                image = images.chart_images(chosen, fmt, min_group_size(project),
                                             group=group)[0]
            except images.ExportUnavailable:
                return _index(project, _form(project), lang, unavailable=True, status=503)
        return _download(image, images.FORMATS[fmt],
                         f"{project.slug}-{key}{file_suffix(selection, lang)}.{fmt}")

    return _file(slug, make)


@bp.get("/projects/<slug>/exports/deck.pptx")
@login_required
def deck(slug: str):
    def make(project: Project, selection: dict, lang: str) -> Response:
        return _download(build_deck(project, lang=lang, **selection), PPTX,
                         f"{project.slug}-seminar{file_suffix(selection, lang)}.pptx")

    return _file(slug, make)


@bp.get("/projects/<slug>/exports/results.xlsx")
@login_required
def workbook(slug: str):
    def make(project: Project, selection: dict, lang: str) -> Response:
        return _download(aggregates_xlsx(project, lang=lang, **selection), XLSX,
                         f"{project.slug}-results{file_suffix(selection, lang)}.xlsx")

    return _file(slug, make)


@bp.get("/projects/<slug>/exports/results.csv")
@login_required
def table_csv(slug: str):
    def make(project: Project, selection: dict, lang: str) -> Response:
        return _download(aggregates_csv(project, lang=lang, **selection),
                         "text/csv; charset=utf-8",
                         f"{project.slug}-results{file_suffix(selection, lang)}.csv")

    return _file(slug, make)


@bp.get("/projects/<slug>/exports/raw-answers.xlsx")
@access.admin_required
def raw(slug: str):
    project = access.project_or_404(slug)
    lang = _lang()
    return _download(raw_answers_xlsx(project, lang=lang), XLSX,
                     f"{project.slug}-raw-answers-{lang}.xlsx")
