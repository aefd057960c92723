"""Settings: defaults in code, secrets and URLs from SPINDEL_* environment variables."""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TIMEZONE = "Europe/Stockholm"
DEFAULT_CHROMIUM = "/usr/bin/chromium"


def make_private_dir(path: Path) -> None:
    """Create a folder (the instance folder) that only its owner can open, if it is missing.
    It holds the secret key, the demo's password and the SQLite database."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)


def _secret_key(instance_path: Path) -> str:
    """SPINDEL_SECRET_KEY, or a key generated once and kept in the instance folder."""
    if key := os.environ.get("SPINDEL_SECRET_KEY"):
        return key
    path = instance_path / "secret_key"
    if not path.exists():
        make_private_dir(instance_path)
        # Exclusive create: two workers starting together must end up with the same key.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))
    return path.read_text().strip()


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, not {value!r}") from None


def from_environment(instance_path: Path) -> dict:
    """The configuration for one app, read from the environment with safe local defaults."""
    env = os.environ.get
    return {
        "SECRET_KEY": _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": env("SPINDEL_DATABASE_URL")
        or f"sqlite:///{instance_path / 'spindel.sqlite'}",
        "SPINDEL_INSTRUMENT_DIR": env("SPINDEL_INSTRUMENT_DIR")
        or str(PROJECT_ROOT / "instrument"),
        "SPINDEL_BASE_URL": env("SPINDEL_BASE_URL", ""),
        "SPINDEL_RATELIMIT_STORAGE_URL": env("SPINDEL_RATELIMIT_STORAGE_URL", "memory://"),
        # Failed logins per client address; only failures count, and the right password of
        # an account not itself throttled still gets in (services/login_throttle.py).
        "SPINDEL_LOGIN_LIMIT": env("SPINDEL_LOGIN_LIMIT", "5 per minute; 30 per hour"),
        # Failed logins per email address typed, counted in the database by every process.
        "SPINDEL_LOGIN_ACCOUNT_LIMIT": env("SPINDEL_LOGIN_ACCOUNT_LIMIT", "5 per 15 minutes"),
        # A login lasts this long after its last request, and never longer than this in all.
        "PERMANENT_SESSION_LIFETIME": dt.timedelta(hours=_int("SPINDEL_SESSION_HOURS", 12)),
        # How many proxies in front to trust for X-Forwarded-For/-Proto/-Host (0 = none).
        "SPINDEL_PROXY_FIX": _int("SPINDEL_PROXY_FIX", 0),
        "SESSION_COOKIE_SECURE": env("SPINDEL_SECURE_COOKIES", "0") == "1",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,  # a form left open during a seminar must still submit
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        "BABEL_DEFAULT_LOCALE": "sv",
        # The day rounds open and close and answers are dated by (see dates.local_today).
        "SPINDEL_TIMEZONE": env("SPINDEL_TIMEZONE") or DEFAULT_TIMEZONE,
        "BABEL_DEFAULT_TIMEZONE": env("SPINDEL_TIMEZONE") or DEFAULT_TIMEZONE,
        # The Chromium that draws chart images (services/exports/images.py).
        "SPINDEL_CHROMIUM": env("SPINDEL_CHROMIUM") or DEFAULT_CHROMIUM,
        # The port of `make run`, for links when no request and no SPINDEL_BASE_URL say more.
        "SPINDEL_PORT": _int("PORT", 5000),
    }


def engine_options(database_url: str) -> dict:
    """A server database can restart under us: test each pooled connection before use. An
    SQLite file cannot go away, so that would only be one more statement per request."""
    return {"pool_pre_ping": not database_url.startswith("sqlite")}
