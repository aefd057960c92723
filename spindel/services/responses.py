"""Storing an answer: the one place that decides what a valid response is."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..instrument import Instrument
from ..models import District, Rating, Response, Round, RoundStatus

CANNOT_JUDGE = "x"  # the form value for "cannot judge"; stored as NULL, never as a number


class RoundNotOpen(Exception):
    def __init__(self, status: str):
        self.status = status
        super().__init__(status)


@dataclass
class Answer:
    """What a respondent gave: keys of profession and district, item key -> value or None."""

    profession: str
    district: str | None
    ratings: dict[str, int | None]


def parse_rating(raw: str, instrument: Instrument) -> int | None:
    """A form value to a rating: an int on the scale, or None for "cannot judge".
    Raises ValueError for anything else."""
    if raw == CANNOT_JUDGE and instrument.scale.cannot_judge:
        return None
    value = int(raw)
    if not instrument.scale.min <= value <= instrument.scale.max:
        raise ValueError(f"{value} is outside the scale")
    return value


def store_answer(round_: Round, instrument: Instrument, answer: Answer, *,
                 submission_key: str | None = None, today: dt.date | None = None,
                 check_open: bool = True) -> tuple[Response, bool]:
    """Add one response with its ratings; return (response, created).

    A submission key seen before returns the stored response and created=False, so a double
    click stores the answer once. Raises RoundNotOpen, or ValueError for invalid data — in
    which case nothing is added. The caller commits.
    """
    today = today or dt.date.today()
    if check_open and (status := round_.status(today)) != RoundStatus.OPEN:
        raise RoundNotOpen(status)
    if submission_key and (earlier := _by_submission_key(submission_key)) is not None:
        return earlier, False

    project = round_.project
    profession = next((p for p in project.professions if p.key == answer.profession), None)
    if profession is None:
        raise ValueError(f"unknown profession '{answer.profession}'")
    district: District | None = None
    if answer.district is not None:
        district = next((d for d in project.districts if d.key == answer.district), None)
        if district is None:
            raise ValueError(f"unknown district '{answer.district}'")
    elif project.districts:
        raise ValueError("a district is required")
    if set(answer.ratings) != set(instrument.item_keys):
        raise ValueError("every item needs a rating or 'cannot judge'")
    for key, value in answer.ratings.items():
        if value is not None and not instrument.scale.min <= value <= instrument.scale.max:
            raise ValueError(f"rating {value} for '{key}' is outside the scale")

    response = Response(round_id=round_.id, profession_id=profession.id,
                        district_id=district.id if district else None,
                        submitted_on=today, submission_key=submission_key)
    response.ratings = [Rating(item_key=k, value=v) for k, v in answer.ratings.items()]
    try:
        with db.session.begin_nested():
            db.session.add(response)
    except IntegrityError:
        # The same submission key won a race with us: that answer is stored, once.
        earlier = _by_submission_key(submission_key) if submission_key else None
        if earlier is None:
            raise
        return earlier, False
    return response, True


def _by_submission_key(key: str) -> Response | None:
    return db.session.scalar(select(Response).where(Response.submission_key == key))
