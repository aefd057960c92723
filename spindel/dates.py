"""What day it is for the people answering: the project's time zone, not the server's.

A server on UTC would otherwise close a round an hour or two after Swedish midnight (or
open it that much late), and stamp an answer sent at 00:30 with yesterday's date.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

from .config import DEFAULT_TIMEZONE


def timezone_name() -> str:
    """SPINDEL_TIMEZONE from the app's config (Stockholm outside an app)."""
    if has_app_context():
        return current_app.config.get("SPINDEL_TIMEZONE") or DEFAULT_TIMEZONE
    return DEFAULT_TIMEZONE


def local_today(now: dt.datetime | None = None, timezone: str | None = None) -> dt.date:
    """Today's date in Spindel's time zone. `now` (an aware datetime) is the clock for tests."""
    zone = ZoneInfo(timezone or timezone_name())
    return (now or dt.datetime.now(dt.UTC)).astimezone(zone).date()
