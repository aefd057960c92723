"""Watching answers arrive: counts per profession and district for one round.

Decision: a group with fewer answers than the project's minimum group size is shown as
"fewer than k", not as its number, by the same rule every other output uses
(anonymity.suppressed_keys, with its complementary suppression). The counts carry no ratings,
but a count of 1 or 2 next to a district, watched live, tells who just answered — and the
results pages hide those groups anyway. The total is always shown. The latest answer is
"today" or "earlier", never a time of day (none is stored).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from ..dates import local_today
from ..extensions import db
from ..models import Response, Round
from .anonymity import min_group_size, suppressed_keys


def _counts(round_: Round, column) -> dict[int, int]:
    rows = db.session.execute(select(column, func.count()).where(Response.round_id == round_.id)
                              .group_by(column))
    return {key: n for key, n in rows}


def _groups(parts, counts: dict[int, int], k: int, lang: str) -> list[dict]:
    by_key = {p.key: counts.get(p.id, 0) for p in parts}
    hidden = suppressed_keys(by_key, k)
    return [{"key": p.key, "label": p.label(lang), "suppressed": p.key in hidden,
             "count": None if p.key in hidden else by_key[p.key]} for p in parts
            if p.active or by_key[p.key]]


def monitor_payload(round_: Round, lang: str = "sv", today: dt.date | None = None) -> dict:
    """The monitor's numbers: total, latest day ("today"/"earlier"/None), and counts per
    profession and district with small groups suppressed."""
    today = today or local_today()
    project = round_.project
    k = min_group_size(project)
    total = db.session.scalar(select(func.count()).select_from(Response)
                              .where(Response.round_id == round_.id))
    latest_day = db.session.scalar(select(func.max(Response.submitted_on))
                                   .where(Response.round_id == round_.id))
    latest = None if latest_day is None else ("today" if latest_day >= today else "earlier")
    return {
        "round": round_.number,
        "status": round_.status(today),
        "total": total,
        "latest": latest,
        "min_group_size": k,
        "professions": _groups(project.professions, _counts(round_, Response.profession_id),
                               k, lang),
        "districts": _groups(project.districts, _counts(round_, Response.district_id), k,
                             lang),
    }
