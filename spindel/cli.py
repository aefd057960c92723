"""The `spindel` command: Flask's CLI for this app (`spindel db upgrade`, `spindel demo`, …)."""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from flask_babel import force_locale

from .extensions import db
from .services.accounts import (
    create_api_token,
    create_user,
    normalise_email,
    password_problem,
    user_by_email,
)
from .services.demo import DEMO_SLUG, create_demo, ensure_demo_admin
from .services.links import base_url, respondent_url
from .services.projects import project_by_slug


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


def init_app(app: Flask) -> None:
    for command in (demo_command, create_user_command, create_token_command):
        app.cli.add_command(command)


def _create_app():
    from . import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False,
             load_dotenv=False)
def main() -> None:
    """Spindel: measure the conditions for collaboration."""
