"""What the app writes to disk is readable by its owner only: the instance folder, the secret
key, the SQLite database with its -wal and -shm files, and the writers' lock file — whatever
the umask of whoever starts it."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import text

from spindel.config import from_environment
from spindel.extensions import db, one_writer
from tests.conftest import make_app


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def generous_umask():
    """A umask that lets everyone read (group-writable even), as on many servers."""
    old = os.umask(0o002)
    yield
    os.umask(old)


def test_the_instance_folder_and_secret_key_are_the_owners_only(tmp_path, monkeypatch):
    monkeypatch.delenv("SPINDEL_SECRET_KEY", raising=False)
    instance = tmp_path / "deploy" / "instance"
    from_environment(instance)
    assert mode(instance) == 0o700
    assert mode(instance / "secret_key") == 0o600


def test_the_sqlite_database_its_wal_shm_and_lock_files_are_the_owners_only(tmp_path,
                                                                           monkeypatch):
    monkeypatch.delenv("SPINDEL_SECRET_KEY", raising=False)
    folder = tmp_path / "instance"
    from_environment(folder)  # makes the instance folder, as create_app does
    database = folder / "spindel.sqlite"
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=f"sqlite:///{database}")
    with app.app_context():
        db.create_all()
        with one_writer(), db.engine.begin() as conn:
            conn.execute(text("INSERT INTO project (slug, name, description, instrument, "
                              "min_group_size, setup_version) "
                              "VALUES ('p', 'P', '', 'spindeln@1', 5, 1)"))
        files = {p.name: mode(p) for p in folder.iterdir()}
        db.engine.dispose()
    assert mode(folder) == 0o700
    assert {"secret_key", "spindel.sqlite", "spindel.sqlite-wal", "spindel.sqlite-shm",
            "spindel.sqlite-writer.lock"} <= set(files)
    assert files == dict.fromkeys(files, 0o600)


def test_the_demo_password_file_and_its_folder_are_the_owners_only(app, runner, tmp_path):
    app.config["SPINDEL_DEMO_PASSWORD_FILE"] = tmp_path / "demo" / "demo_password"
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert mode(tmp_path / "demo") == 0o700
    assert mode(tmp_path / "demo" / "demo_password") == 0o600
