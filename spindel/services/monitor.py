"""Watching answers arrive: counts per profession and district for one round.

The monitor is there so supporters know whom to remind, so it shows exact counts of answers
per profession and district (policy §4: counts of answers, never ratings, may move one by
one). Ratings move only in releases of at least k answers (services/disclosure.py), so a
count that moves by one next to a district tells nothing about what that person answered.
The latest answer is "today" or "earlier", never a time of day (none is stored).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from ..dates import local_today
from ..extensions import db
from ..models import Response, Round
from .disclosure import min_group_size, publication
from .participation import DISTRICT, PROFESSION, expected_staff, percent, round_expected


def _counts(round_: Round, column) -> dict[int, int]:
    rows = db.session.execute(select(column, func.count()).where(Response.round_id == round_.id)
                              .group_by(column))
    return {key: n for key, n in rows}


def _groups(groupings, counts: dict[int, int], expected: dict[int, int], lang: str) -> list[dict]:
    """Each listed grouping's count of answers and, where the supporter entered how many staff
    it expects, that number and the participation in per cent (else None)."""
    return [{"key": p.key, "label": p.label(lang), "count": counts.get(p.id, 0),
             "expected": expected.get(p.id),
             "percent": percent(counts.get(p.id, 0), expected.get(p.id))}
            for p in groupings if p.active or counts.get(p.id, 0) or p.id in expected]


def monitor_payload(round_: Round, lang: str = "sv", today: dt.date | None = None) -> dict:
    """The monitor's numbers: total, latest day ("today"/"earlier"/None), counts per
    profession and district (with expected staff and participation in per cent where
    known; "expected"/"percent" of the whole round likewise, else None), and where the
    round's published figures stand (the release they come from and how many more answers
    the next one needs)."""
    today = today or local_today()
    project = round_.project
    k = min_group_size(project)
    total = db.session.scalar(select(func.count()).select_from(Response)
                              .where(Response.round_id == round_.id))
    latest_day = db.session.scalar(select(func.max(Response.submitted_on))
                                   .where(Response.round_id == round_.id))
    latest = None if latest_day is None else ("today" if latest_day >= today else "earlier")
    pub = publication(round_, today)
    expected = expected_staff(round_)
    professions = _groups(project.professions, _counts(round_, Response.profession_id),
                          expected[PROFESSION], lang)
    districts = _groups(project.districts, _counts(round_, Response.district_id),
                        expected[DISTRICT], lang)
    listed = {p["key"] for p in professions}, {d["key"] for d in districts}
    expected_total = round_expected(expected,
                                    [p.id for p in project.professions if p.key in listed[0]],
                                    [d.id for d in project.districts if d.key in listed[1]])
    return {
        "round": round_.number,
        "status": round_.status(today),
        "total": total,
        "expected": expected_total,
        "percent": percent(total, expected_total),
        "latest": latest,
        "min_group_size": k,
        "released": pub.release.responses if pub.release else None,
        "next_update_in": pub.next_update_in if pub.release else max(1, k - total),
        "professions": professions,
        "districts": districts,
    }
