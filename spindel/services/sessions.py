"""Login sessions kept in the database, so the server can end them: logout, "log out
everywhere", a password change and an admin delete rows, and every copy of an ended session's
cookie stops working at once, in every app process.

The cookie carries a random key; the table holds only its SHA-256 and the day it began.
Helpers add and delete; the caller commits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import delete, func, select
from sqlalchemy.orm import joinedload

from ..dates import local_today
from ..extensions import db
from ..models import User, UserSession


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def start_session(user: User, today: dt.date | None = None) -> str:
    """A new session for the user; returns its key (for the cookie) and sets user.session_key."""
    key = secrets.token_urlsafe(32)
    db.session.add(UserSession(id=_digest(key), user_id=user.id,
                               created_on=today or local_today()))
    db.session.flush()
    user.session_key = key
    return key


def session_user(key: str, max_days: int) -> User | None:
    """The active user of the session with this key, or None when it was ended, is older
    than max_days (counted in days: the cookie's own time limit is the precise one) or its
    user may no longer log in."""
    if not key or len(key) > 100:
        return None
    found = db.session.get(UserSession, _digest(key), options=[joinedload(UserSession.user)])
    if found is None or found.created_on < local_today() - dt.timedelta(days=max_days):
        return None
    if not found.user.active:
        return None
    found.user.session_key = key
    return found.user


def end_session(key: str | None) -> None:
    """End one session: every copy of its cookie is logged out."""
    if key:
        db.session.execute(delete(UserSession).where(UserSession.id == _digest(key)))


def end_sessions(user: User, keep: str | None = None) -> int:
    """End every session of the user, except the one with the key `keep`; returns how many."""
    query = delete(UserSession).where(UserSession.user_id == user.id)
    if keep:
        query = query.where(UserSession.id != _digest(keep))
    return db.session.execute(query).rowcount


def open_sessions(user: User) -> int:
    """How many sessions of the user are open (in any browser)."""
    return db.session.scalar(select(func.count()).select_from(UserSession)
                             .where(UserSession.user_id == user.id))


def drop_expired(max_days: int, today: dt.date | None = None) -> None:
    """Forget sessions older than max_days: their cookies no longer work anyway."""
    cutoff = (today or local_today()) - dt.timedelta(days=max_days)
    db.session.execute(delete(UserSession).where(UserSession.created_on < cutoff))
