"""Slow guessing down, whichever app process answers.

Two counts of failed logins, and only failures count:
- per email address typed, in the database (LoginThrottle), so every process and machine
  counts together, on SQLite as on PostgreSQL. Past SPINDEL_LOGIN_ACCOUNT_LIMIT the address
  is refused, right password or not, until its window ends. Every address typed is counted,
  whether an account has it or not, so the refusal tells nothing about which accounts exist.
- per client address (SPINDEL_LOGIN_LIMIT), in the rate-limit store (memory, or redis shared
  by processes). Past it a wrong password gets the "too many attempts" answer; the right
  password of an account that is not itself throttled still logs in, so colleagues behind
  one office address never lock each other out.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
from dataclasses import dataclass

from flask import current_app
from limits import RateLimitItem, parse, parse_many
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter
from sqlalchemy import case, delete
from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db, limiter
from ..models import LoginThrottle, User
from .accounts import authenticate, normalise_email

log = logging.getLogger(__name__)

# Counts per client address while the shared store (redis) is unreachable: per process then,
# as with memory://, rather than no limit or no login.
_fallback = FixedWindowRateLimiter(MemoryStorage())


@dataclass
class Attempt:
    """What came of a login: the user when it succeeded; `throttled` when the answer is
    "too many attempts" (the same words whether or not the account exists)."""

    user: User | None = None
    throttled: bool = False


def try_login(email: str, password: str, address: str) -> Attempt:
    """Check a login against both counts and the password; count a failure. The caller
    commits (a failure must be stored too) and starts the session."""
    if account_throttled(email):
        return Attempt(throttled=True)  # not even checked: guessing here gains nothing
    user = authenticate(email, password)
    if user is not None:
        forget_failures(email)
        return Attempt(user=user)
    address_was_limited = not _address_call("test", address)
    _address_call("hit", address)
    count_failure(email)
    return Attempt(throttled=address_was_limited)


# --- per address typed, in the database ----------------------------------------------------


def _account_limit() -> RateLimitItem:
    return parse(current_app.config["SPINDEL_LOGIN_ACCOUNT_LIMIT"])


def _key(email: str) -> str:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, normalise_email(email).encode(), hashlib.sha256).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def account_throttled(email: str, now: dt.datetime | None = None) -> bool:
    """Whether this address has used up its failed logins in the current window."""
    limit = _account_limit()
    found = db.session.get(LoginThrottle, _key(email), populate_existing=True)
    window_open = found is not None and found.window_started > (
        now or _now()) - dt.timedelta(seconds=limit.get_expiry())
    return window_open and found.failures >= limit.amount


def count_failure(email: str, now: dt.datetime | None = None) -> None:
    """One more failed login for this address, in one statement so that two processes
    counting at once both count; a window that has ended starts again at one."""
    now = now or _now()
    cutoff = now - dt.timedelta(seconds=_account_limit().get_expiry())
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    ended = LoginThrottle.window_started <= cutoff
    statement = dialect.insert(LoginThrottle).values(
        key=_key(email), failures=1, window_started=now)
    db.session.execute(statement.on_conflict_do_update(
        index_elements=[LoginThrottle.key],
        set_={"failures": case((ended, 1), else_=LoginThrottle.failures + 1),
              "window_started": case((ended, now), else_=LoginThrottle.window_started)}))
    # Nothing older than a window means anything any more.
    db.session.execute(delete(LoginThrottle).where(ended))


def forget_failures(email: str) -> None:
    """A successful login starts the count again."""
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.key == _key(email)))


# --- per client address, in the rate-limit store -------------------------------------------


def _address_call(method: str, address: str) -> bool:
    """`test` (True while under every limit) or `hit` the client address's limits."""
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX", "")
    identifiers = (prefix, "login-failures", address or "unknown")
    results = []
    for item in parse_many(current_app.config["SPINDEL_LOGIN_LIMIT"]):
        try:
            results.append(getattr(limiter.limiter, method)(item, *identifiers))
        except Exception:  # the shared store is down: count in this process meanwhile
            log.warning("Rate-limit store unreachable; counting failed logins per process")
            results.append(getattr(_fallback, method)(item, *identifiers))
    return all(results)
