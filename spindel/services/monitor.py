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


def _counts(round_: Round, column) -> dict[int, int]:
    rows = db.session.execute(select(column, func.count()).where(Response.round_id == round_.id)
                              .group_by(column))
    return {key: n for key, n in rows}


def _groups(parts, counts: dict[int, int], lang: str) -> list[dict]:
    return [{"key": p.key, "label": p.label(lang), "count": counts.get(p.id, 0)}
            for p in parts if p.active or counts.get(p.id, 0)]


def monitor_payload(round_: Round, lang: str = "sv", today: dt.date | None = None) -> dict:
    """The monitor's numbers: total, latest day ("today"/"earlier"/None), counts per
    profession and district, and where the round's published figures stand (the release
    they come from and how many more answers the next one needs)."""
    today = today or local_today()
    project = round_.project
    k = min_group_size(project)
    total = db.session.scalar(select(func.count()).select_from(Response)
                              .where(Response.round_id == round_.id))
    latest_day = db.session.scalar(select(func.max(Response.submitted_on))
                                   .where(Response.round_id == round_.id))
    latest = None if latest_day is None else ("today" if latest_day >= today else "earlier")
    pub = publication(round_, today)
    return {
        "round": round_.number,
        "status": round_.status(today),
        "total": total,
        "latest": latest,
        "min_group_size": k,
        "released": pub.release.responses if pub.release else None,
        "next_update_in": pub.next_update_in if pub.release else max(1, k - total),
        "professions": _groups(project.professions, _counts(round_, Response.profession_id),
                               lang),
        "districts": _groups(project.districts, _counts(round_, Response.district_id), lang),
    }
