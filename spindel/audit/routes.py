"""The disclosure audit (policy §6): a printable report for a project's supporters and its data
protection officer, and the `spindel audit` command that prints the same."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

from .. import access
from ..i18n import current_lang
from ..services.disclosure import audit_report, min_group_size

bp = Blueprint("audit", __name__)


@bp.get("/projects/<slug>/audit")
@login_required
def report(slug: str):
    project = access.readable_project_or_404(slug)
    rounds = audit_report(project, current_lang())
    return render_template("audit/report.html", project=project, rounds=rounds,
                           k=min_group_size(project), passed=all(r.passed for r in rounds))
