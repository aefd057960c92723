"""The `spindel` command: Flask's CLI for this app (`spindel db upgrade`, `spindel demo`, …)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from flask_babel import force_locale

from .extensions import db, one_writer
from .instrument import LANGUAGES
from .models import Project
from .services import imports
from .services.accounts import (
    create_api_token,
    create_user,
    normalise_email,
    password_problem,
    user_by_email,
)
from .services.charts import chosen_group
from .services.demo import DEMO_SLUG, create_demo, ensure_demo_admin
from .services.disclosure import audit_report, min_group_size
from .services.exports import file_suffix, images
from .services.exports.deck import build_deck
from .services.exports.tables import aggregates_csv, aggregates_xlsx
from .services.links import base_url, respondent_url
from .services.projects import project_by_slug
from .services.selection import SelectionError


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Create the demo project (once) and print the link of its open round."""
    project = project_by_slug(DEMO_SLUG)
    if project is None:
        project = create_demo()
        db.session.commit()
        click.echo(f"Created the demo project '{project.name}' with {len(project.rounds)} rounds.")
    password_file = current_app.config.get("SPINDEL_DEMO_PASSWORD_FILE") or (
        Path(current_app.instance_path) / "demo_password")
    email, password = ensure_demo_admin(password_file)
    db.session.commit()
    open_rounds = [r for r in project.rounds if r.status() == "open"]
    for round_ in open_rounds:
        click.echo(f"Respondent link ({round_.label}): {respondent_url(round_)}")
    click.echo(f"Log in at {base_url()}/login as {email} with the password {password} "
               "(kept in instance/demo_password).")


@click.command("create-user")
@click.argument("email")
@click.option("--admin", is_flag=True, help="May see every project and manage users.")
@with_appcontext
def create_user_command(email: str, admin: bool) -> None:
    """Create a supporter account; the password comes from SPINDEL_PASSWORD or a prompt."""
    if user_by_email(email) is not None:
        raise click.ClickException(f"a user with the email {email} already exists")
    password = os.environ.get("SPINDEL_PASSWORD") or click.prompt(
        "Password", hide_input=True, confirmation_prompt=True)
    if problem := password_problem(password, email):
        with force_locale("en"):  # as the command's other messages
            raise click.ClickException(str(problem))
    create_user(email, password, is_admin=admin)
    db.session.commit()
    click.echo(f"Created {'admin' if admin else 'supporter'} {normalise_email(email)}.")


@click.command("create-token")
@click.argument("email")
@click.option("--name", default="cli", help="A name to recognise the token by.")
@with_appcontext
def create_token_command(email: str, name: str) -> None:
    """Print a new API token for a user (shown once; only its hash is stored)."""
    user = user_by_email(email)
    if user is None:
        raise click.ClickException(f"no user with the email {email}")
    token = create_api_token(user, name)
    db.session.commit()
    click.echo(token)


# --- moving data in and out -------------------------------------------------------------


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--project", "slug", required=True, help="The project's short name (slug).")
@click.option("--create", is_flag=True,
              help="Create the project with the districts, professions and rounds in the file.")
@click.option("--add-unknown", is_flag=True,
              help="Add districts and professions the project does not have yet.")
@click.option("--into-open", is_flag=True,
              help="Import answers for rounds that are not closed too (respondents may be "
                   "answering them).")
@with_appcontext
def import_command(file: str, slug: str, create: bool, add_unknown: bool,
                   into_open: bool) -> None:
    """Import earlier rounds from a CSV or XLSX file: all rows or none."""
    with force_locale("en"):
        project = project_by_slug(slug)
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


@click.command("export")
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
        if project.round(number) is None:
            raise click.ClickException(f"project '{slug}' has no round {number}")
    if profession is not None and district is not None:
        raise click.ClickException("choose --profession or --district, not both: Spindel "
                                   "never shows a profession within a district")
    selection = {"rounds": list(numbers) or None, "profession": profession,
                 "district": district}
    try:
        with force_locale(lang):
            if fmt in images.FORMATS:
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
    charts = images.seminar_charts(project, lang, **selection)
    group = chosen_group(project, selection["profession"], selection["district"], lang)
    try:
        drawn = images.chart_images(charts, fmt, min_group_size(project), group=group)
    except images.ExportUnavailable as exc:
        raise click.ClickException(f"{images.ExportUnavailable.message} "
                                   f"({exc.reason})") from None
    out.mkdir(parents=True, exist_ok=True)
    for chart_, image in zip(charts, drawn, strict=True):
        (out / f"{project.slug}-{chart_.key}{file_suffix(selection, lang)}.{fmt}").write_bytes(
            image)
    click.echo(f"Wrote {len(drawn)} charts to {out}")


# --- checking the anonymity of what is published -----------------------------------------


@click.command("audit")
@click.argument("slug")
@click.option("--lang", type=click.Choice(["sv", "en"]), default="sv")
@with_appcontext
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


def init_app(app: Flask) -> None:
    for command in (demo_command, create_user_command, create_token_command, import_command,
                    export_command, audit_command):
        app.cli.add_command(command)


def _create_app():
    from . import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False,
             load_dotenv=False)
def main() -> None:
    """Spindel: measure the conditions for collaboration."""
