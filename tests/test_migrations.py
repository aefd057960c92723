"""The Alembic migrations build the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from spindel.extensions import db
from tests.conftest import make_app

TABLES = {"project", "district", "profession", "round", "response", "rating", "rating_tally",
          "user", "project_member", "api_token", "access_code"}


def test_upgrade_from_empty_matches_the_models(tmp_path, backend):
    app = make_app(tmp_path, backend)
    with app.app_context():
        upgrade()
        assert TABLES <= set(inspect(db.engine).get_table_names())
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True,
                                                             "render_as_batch": True})
            diff = compare_metadata(context, db.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
        db.engine.dispose()


def test_downgrade_to_base_and_up_again(tmp_path, backend):
    app = make_app(tmp_path, backend)
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        assert not TABLES & set(inspect(db.engine).get_table_names())
        upgrade()
        assert TABLES <= set(inspect(db.engine).get_table_names())
        db.engine.dispose()


def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_busy_timeout(app):
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


def test_cli_db_upgrade_and_demo(tmp_path):
    # Its own password file: the checkout's instance/demo_password belongs to `make run`.
    app = make_app(tmp_path, SPINDEL_DEMO_PASSWORD_FILE=tmp_path / "demo_password")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "/r/" in result.output
    again = runner.invoke(args=["demo"])
    assert "Created" not in again.output and "/r/" in again.output
    with app.app_context():
        db.engine.dispose()
