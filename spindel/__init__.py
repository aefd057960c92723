"""Spindel: measure the conditions for collaboration with the Spindeln instrument."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from . import access, cli, errors, i18n, instrument, security
from .account.routes import bp as account_bp
from .admin.routes import bp as admin_bp
from .agreements.routes import bp as agreements_bp
from .api.routes import bp as api_bp
from .audit.routes import bp as audit_bp
from .auth.routes import bp as auth_bp
from .config import engine_options, from_environment
from .exports.routes import bp as exports_bp
from .extensions import csrf, db, init_limiter, login_manager, migrate
from .imports.routes import bp as imports_bp
from .main.routes import bp as main_bp
from .present.routes import bp as present_bp
from .respond.routes import bp as respond_bp
from .results.routes import bp as results_bp
from .rounds.routes import bp as rounds_bp
from .services import round_setup
from .services.exports import images
from .vote.routes import bp as vote_bp
from .workspace.routes import bp as workspace_bp

BLUEPRINTS = (main_bp, auth_bp, account_bp, admin_bp, respond_bp, workspace_bp, rounds_bp,
              imports_bp, results_bp, present_bp, exports_bp, api_bp, audit_bp,
              vote_bp, agreements_bp)

MIGRATIONS = str(Path(__file__).resolve().parent.parent / "migrations")


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: configuration, extensions, instrument, blueprints, commands."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(from_environment(Path(app.instance_path)))
    if test_config:
        app.config.update(test_config)
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS",
                          engine_options(app.config["SQLALCHEMY_DATABASE_URI"]))

    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS, render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    init_limiter(app)
    i18n.init_app(app)
    instrument.init_app(app)
    security.init_app(app)
    access.init_app(app)
    round_setup.init_app(app)  # the answer form's cached setup follows every edit
    images.init_app(app)  # the Chromium that draws chart images, started when first needed

    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    errors.init_app(app)
    cli.init_app(app)
    return app
