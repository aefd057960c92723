"""Extension objects, created unbound and bound to an app in create_app()."""

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from flask_babel import Babel
from flask_babel import lazy_gettext as _l
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    # Named constraints, so Alembic can alter them on SQLite (batch mode) and PostgreSQL alike.
    metadata = MetaData(naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    })


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
# Who is logged in: access.py gives it the user loader and the access rules.
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = _l("Please log in to see this page.")
login_manager.login_message_category = "info"
babel = Babel()
# Failed logins per client address are counted here (services/login_throttle.py); storage
# from SPINDEL_RATELIMIT_STORAGE_URL, so several app processes share one count with redis.
limiter = Limiter(key_func=get_remote_address)


def init_limiter(app: Flask) -> None:
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["SPINDEL_RATELIMIT_STORAGE_URL"])
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", False)
    # redis down must not lock every supporter out: count in this process's memory until
    # it is back (limits then hold per process, as with memory://).
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    limiter.init_app(app)


@event.listens_for(Engine, "do_connect")
def _private_sqlite_file(dialect, connection_record, cargs, cparams) -> None:
    """SQLite: create a new database file readable by its owner only, before SQLite opens it
    (SQLite gives the -wal and -shm files the database file's mode). A missing folder stays
    missing: that is a wrong SPINDEL_DATABASE_URL, and the health check must say so."""
    if dialect.name != "sqlite" or not cargs:
        return
    name = str(cargs[0])
    if name in ("", ":memory:") or name.startswith("file:"):
        return
    path = Path(name)
    if path.parent.is_dir() and not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """SQLite: WAL so readers never block the writer, a busy timeout instead of
    'database is locked' during a burst of answers, and enforced foreign keys."""
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


_writer_locks: dict[str, tuple[threading.Lock, int, int]] = {}  # path -> (lock, fd, pid)
_writer_locks_lock = threading.Lock()


@contextmanager
def one_writer() -> Iterator[None]:
    """Around a write transaction on the hot path (storing an answer).

    SQLite lets one writer in at a time, and a writer that finds it busy sleeps in growing
    steps (1, 2, 5 … 100 ms) before it tries again, so in a seminar burst answers spend most
    of their time asleep. Queued here instead — a lock between this process's threads and an
    flock between processes — each writer starts the moment the one before has committed.
    PostgreSQL locks rows itself: nothing to do.
    """
    url = db.engine.url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        yield
        return
    lock, fd = _writer_lock(url.database + "-writer.lock")
    with lock:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)


def _writer_lock(path: str) -> tuple[threading.Lock, int]:
    with _writer_locks_lock:
        found = _writer_locks.get(path)
        # A forked worker must open its own file: an inherited descriptor shares the flock.
        if found is None or found[2] != os.getpid():
            found = (threading.Lock(), os.open(path, os.O_RDWR | os.O_CREAT, 0o600), os.getpid())
            _writer_locks[path] = found
        return found[0], found[1]
