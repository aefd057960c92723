"""Results pages of a project: filters and spider charts (supporters only)."""

from __future__ import annotations

import re
from pathlib import Path

import plotly
from flask import Blueprint, render_template, request, send_file
from flask_login import login_required
from markupsafe import Markup

from .. import access
from .. import instrument as instruments
from ..i18n import current_lang
from ..services.charts import Chart
from ..services.disclosure import min_group_size
from ..services.results_page import results_page
from .forms import ResultsFilterForm

bp = Blueprint("results", __name__)

PLOTLY_JS = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
ONE_YEAR = 365 * 24 * 3600
_NUMBER = re.compile(r"^[\d\s\u00a0.,\-–]+$")


@bp.get("/assets/plotly.min.js")
def plotly_js():
    """plotly.js from the installed plotly package: no CDN. The URL carries the version, so
    it may be cached for a year."""
    response = send_file(PLOTLY_JS, mimetype="text/javascript", max_age=ONE_YEAR)
    response.cache_control.public = True
    response.cache_control.immutable = True
    return response


def figure_json(chart: Chart) -> Markup:
    # "<" only occurs inside JSON strings; escaped, no "</script>" can end the data block.
    return Markup(chart.figure.to_json().replace("<", "\\u003c"))


@bp.get("/projects/<slug>/results")
@login_required
def page(slug: str):
    project = access.readable_project_or_404(slug, scoped=True)
    scope = access.reader_scope(project)
    lang = current_lang()
    form = ResultsFilterForm(project, lang, scope, formdata=request.args)
    valid = form.validate()
    results = results_page(project, form.selection(), lang, scope) if valid else None
    return render_template(
        "results/page.html", project=project, form=form, results=results,
        group=form.group.chosen_label, k=min_group_size(project), figure_json=figure_json,
        instrument=instruments.for_project(project),
        is_number=lambda cell: bool(_NUMBER.match(cell)),
        plotly_version=plotly.__version__,
    ), 200 if valid else 400
