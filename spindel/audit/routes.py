"""The disclosure audit (policy §6): a printable report for a project's supporters and its data
protection officer, and the `spindel audit` command that prints the same."""

from __future__ import annotations

import sys

import click
from flask import Blueprint, render_template
from flask_babel import force_locale
from flask_login import login_required

from .. import access
from ..i18n import current_lang
from ..services.disclosure import audit_report, min_group_size
from ..services.projects import project_by_slug

# cli_group=None: commands added to bp.cli become top-level `spindel` commands.
bp = Blueprint("audit", __name__, cli_group=None)


@bp.get("/projects/<slug>/audit")
@login_required
def report(slug: str):
    project = access.readable_project_or_404(slug)
    rounds = audit_report(project, current_lang())
    return render_template("audit/report.html", project=project, rounds=rounds,
                           k=min_group_size(project), passed=all(r.passed for r in rounds))


@bp.cli.command("audit")
@click.argument("slug")
@click.option("--lang", type=click.Choice(["sv", "en"]), default="sv")
def audit_command(slug: str, lang: str) -> None:
    """Check with exact arithmetic that no group of fewer than k answers follows from
    everything the project has published; exit status 1 if one does."""
    project = project_by_slug(slug)
    if project is None:
        raise click.ClickException(f"no project '{slug}'")
    with force_locale(lang):
        rounds = audit_report(project, lang)
        click.echo(f"{project.name} (k = {min_group_size(project)})")
        for r in rounds:
            verdict = "OK" if r.passed else "FAIL"
            click.echo(f"\n{r.label} [{r.status}]: {verdict}, {len(r.releases)} release(s), "
                       f"{r.published_cells} published cell(s) checked")
            for release in r.releases:
                shown = "breakdowns published" if release.breakdowns_published else \
                    "whole round only"
                click.echo(f"  release {release.number} ({release.cut_on.isoformat()}): "
                           f"{release.responses} answers, {shown}")
                for cell in release.hidden:
                    what = f" ({', '.join(cell.items)})" if cell.items else ""
                    click.echo(f"    hidden: {cell.label}{what}: {cell.reason}")
            if r.pending:
                click.echo(f"  {r.pending} answer(s) not yet in any release")
            for problem in r.problems:
                click.echo(f"  ! {problem}")
    if not all(r.passed for r in rounds):
        sys.exit(1)
