"""Participation: answers against the number of staff a round expects, in per cent.

The supporter may enter, per round, how many staff each profession and each district expects
(models.ExpectedStaff): two separate lists, never a profession × district cross (policy §1).
Participation is a count of answers divided by that number; it never involves a rating, so
it may move answer by answer like the monitor's counts (policy §4).
"""

from __future__ import annotations

from sqlalchemy import delete, select

from ..extensions import db
from ..models import ExpectedStaff, Round

PROFESSION = ExpectedStaff.PROFESSION
DISTRICT = ExpectedStaff.DISTRICT
KINDS = (PROFESSION, DISTRICT)
MAX_EXPECTED = 100_000


def expected_staff(round_: Round) -> dict[str, dict[int, int]]:
    """{"profession": {profession_id: count}, "district": {district_id: count}}; a grouping
    without a number is missing (not known)."""
    result: dict[str, dict[int, int]] = {kind: {} for kind in KINDS}
    for row in db.session.scalars(select(ExpectedStaff)
                                  .where(ExpectedStaff.round_id == round_.id)):
        result.setdefault(row.kind, {})[row.grouping_id] = row.count
    return result


def set_expected_staff(round_: Round, values: dict[str, dict[int, int | None]]) -> None:
    """Replace the round's expected numbers with `values` (None = not known); flushes, the
    caller commits. Ids not of the round's project are ignored."""
    project = round_.project
    valid = {PROFESSION: {p.id for p in project.professions},
             DISTRICT: {d.id for d in project.districts}}
    db.session.execute(delete(ExpectedStaff).where(ExpectedStaff.round_id == round_.id))
    for kind in KINDS:
        for grouping_id, count in values.get(kind, {}).items():
            if count is not None and grouping_id in valid[kind]:
                db.session.add(ExpectedStaff(round_id=round_.id, kind=kind, grouping_id=grouping_id,
                                             count=count))
    db.session.flush()


def percent(count: int, expected: int | None) -> int | None:
    """Answers as a whole per cent of the expected number; None when not known or zero."""
    if not expected:
        return None
    return round(100 * count / expected)


def round_expected(expected: dict[str, dict[int, int]], profession_ids: list[int],
                   district_ids: list[int]) -> int | None:
    """The round's expected total: the sum over professions when every listed profession
    has a number (every answer has a profession), else over districts when every listed
    district has one, else None."""
    for kind, ids in ((PROFESSION, profession_ids), (DISTRICT, district_ids)):
        numbers = expected.get(kind, {})
        if ids and all(i in numbers for i in ids):
            return sum(numbers[i] for i in ids)
    return None
