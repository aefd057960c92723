"""Rounds open, close and date answers by the day in Stockholm, not the server's day."""

from __future__ import annotations

import datetime as dt

from spindel.dates import local_today
from spindel.models import Round, RoundState, RoundStatus

UTC = dt.UTC


def test_stockholm_day_starts_before_utc_midnight():
    # 23:30 UTC on 10 March is 00:30 on 11 March in Stockholm (UTC+1 in winter).
    clock = dt.datetime(2026, 3, 10, 23, 30, tzinfo=UTC)
    assert local_today(clock) == dt.date(2026, 3, 11)
    assert local_today(clock, timezone="UTC") == dt.date(2026, 3, 10)


def test_summer_time_is_two_hours_ahead():
    assert local_today(dt.datetime(2026, 7, 1, 21, 59, tzinfo=UTC)) == dt.date(2026, 7, 1)
    assert local_today(dt.datetime(2026, 7, 1, 22, 0, tzinfo=UTC)) == dt.date(2026, 7, 2)


def test_round_closes_at_stockholm_midnight_not_utc_midnight():
    round_ = Round(number=1, label="Mätning 1", state=RoundState.OPEN,
                   closes_on=dt.date(2026, 3, 10))
    before_midnight = dt.datetime(2026, 3, 10, 22, 59, tzinfo=UTC)  # 23:59 in Stockholm
    after_midnight = dt.datetime(2026, 3, 10, 23, 1, tzinfo=UTC)  # 00:01, still 10 March UTC
    assert round_.status(local_today(before_midnight)) == RoundStatus.OPEN
    assert round_.status(local_today(after_midnight)) == RoundStatus.CLOSED


def test_the_time_zone_is_configurable(app):
    clock = dt.datetime(2026, 3, 10, 23, 30, tzinfo=UTC)
    assert local_today(clock) == dt.date(2026, 3, 11)
    app.config["SPINDEL_TIMEZONE"] = "America/New_York"
    assert local_today(clock) == dt.date(2026, 3, 10)


def test_environment_sets_the_time_zone(tmp_path, monkeypatch):
    from spindel.config import from_environment

    monkeypatch.setenv("SPINDEL_TIMEZONE", "Asia/Tokyo")
    assert from_environment(tmp_path)["SPINDEL_TIMEZONE"] == "Asia/Tokyo"


def test_round_status_and_answers_use_the_local_day(monkeypatch):
    """Without an explicit day, the status asks local_today (not the server's date)."""
    import spindel.models

    late_evening_utc = dt.datetime(2026, 3, 10, 23, 30, tzinfo=UTC)
    monkeypatch.setattr(spindel.models, "local_today", lambda: local_today(late_evening_utc))
    round_ = Round(number=1, label="Mätning 1", state=RoundState.OPEN,
                   closes_on=dt.date(2026, 3, 10))
    assert round_.status() == RoundStatus.CLOSED
