"""The `spindel` command: Flask's CLI for this app (`spindel db upgrade`, `spindel demo`, …)."""

from __future__ import annotations

import os

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from .extensions import db
from .services.demo import DEMO_SLUG, create_demo
from .services.projects import project_by_slug


def base_url() -> str:
    """Where the app is reached, for links printed on the command line."""
    configured = current_app.config.get("SPINDEL_BASE_URL")
    return (configured or f"http://127.0.0.1:{os.environ.get('PORT', '5000')}").rstrip("/")


def respondent_link(round_) -> str:
    return f"{base_url()}/r/{round_.token}"


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Create the demo project (once) and print the link of its open round."""
    project = project_by_slug(DEMO_SLUG)
    if project is None:
        project = create_demo()
        db.session.commit()
        click.echo(f"Created the demo project '{project.name}' with {len(project.rounds)} rounds.")
    open_rounds = [r for r in project.rounds if r.status() == "open"]
    for round_ in open_rounds:
        click.echo(f"Respondent link ({round_.label}): {respondent_link(round_)}")


def init_app(app: Flask) -> None:
    app.cli.add_command(demo_command)


def _create_app():
    from . import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False,
             load_dotenv=False)
def main() -> None:
    """Spindel: measure the conditions for collaboration."""
