"""Storing an answer: the one place that decides what a valid response is."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.dialects import postgresql, sqlite

from ..dates import local_today
from ..extensions import db
from ..instrument import Instrument
from ..models import Rating, RatingTally, Response, RoundStatus, new_response_id
from .round_setup import GroupingChoice, RoundSetup

# Random response ids drawn before giving up: needing even a second is a 1-in-10^12 event.
ID_ATTEMPTS = 5


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


def store_answer(setup: RoundSetup, instrument: Instrument, answer: Answer, *,
                 submission_key: str | None = None, today: dt.date | None = None,
                 check_open: bool = True) -> tuple[Response, bool]:
    """Add one response with its ratings; return (response, created). A new response is
    returned detached from the session (its id and columns, no ratings loaded).

    A submission key seen before returns the stored response and created=False, so a double
    click stores the answer once. Raises RoundNotOpen, or ValueError for invalid data — in
    which case nothing is added. The caller commits.
    """
    today = today or local_today()
    if check_open and (status := setup.status(today)) != RoundStatus.OPEN:
        raise RoundNotOpen(status)

    profession = setup.profession(answer.profession)
    if profession is None:
        raise ValueError(f"unknown profession '{answer.profession}'")
    district: GroupingChoice | None = None
    if answer.district is not None:
        district = setup.district(answer.district)
        if district is None:
            raise ValueError(f"unknown district '{answer.district}'")
    elif setup.districts:
        raise ValueError("a district is required")
    if set(answer.ratings) != set(instrument.item_keys):
        raise ValueError("every item needs a rating or 'cannot judge'")
    for key, value in answer.ratings.items():
        if value is not None and not instrument.scale.min <= value <= instrument.scale.max:
            raise ValueError(f"rating {value} for '{key}' is outside the scale")

    # Core statements, not the ORM unit of work: a seminar sends hundreds of these a minute,
    # and this path is three statements, each built once — the response (ON CONFLICT DO
    # NOTHING settles a double click racing itself without a savepoint), its ratings and the
    # tally upsert, both as one multi-row statement.
    values = {"round_id": setup.id, "profession_id": profession.id,
              "district_id": district.id if district else None, "submitted_on": today,
              "submission_key": submission_key}
    insert_response = _insert_response(_dialect())
    for _ in range(ID_ATTEMPTS):
        values["id"] = new_response_id()
        response_id = db.session.execute(insert_response, values).scalar()
        if response_id is not None:
            break
        if submission_key is not None and (stored := _by_submission_key(submission_key)):
            return stored, False  # the same submission key was stored first: that one counts
        # Otherwise the random id was taken (see new_response_id): draw another.
    else:
        raise RuntimeError(f"no free response id in {ID_ATTEMPTS} random draws")
    ratings = sorted(answer.ratings.items())
    db.session.execute(_insert_ratings(len(ratings)),
                       {"response_id": response_id, **_numbered(ratings)})
    _add_to_tallies(values, answer.ratings)
    # Not loaded back (one query less per answer): a detached Response with the stored values.
    return Response(**values), True


@functools.cache
def _insert_response(dialect: str):
    """INSERT … ON CONFLICT DO NOTHING RETURNING id: no row back means the submission key or
    the random id was there already."""
    statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(
        Response.__table__)
    return statement.on_conflict_do_nothing().returning(Response.__table__.c.id)


# The two multi-row statements below are written out once per number of items, as text:
# SQLAlchemy compiles a multi-row insert anew on every call, which cost more than the rest of
# storing an answer. The SQL is the same on SQLite and PostgreSQL.
@functools.cache
def _insert_ratings(count: int):
    """One INSERT for all of an answer's ratings: one round trip instead of one per item."""
    rows = ", ".join(f"(:response_id, :item_{n}, :value_{n})" for n in range(count))
    return text(f"INSERT INTO {Rating.__tablename__} (response_id, item_key, value) "
                f"VALUES {rows}")


def _numbered(ratings: list[tuple[str, int | None]]) -> dict:
    params = {}
    for n, (key, value) in enumerate(ratings):
        params[f"item_{n}"] = key
        params[f"value_{n}"] = value
    return params


def _by_submission_key(key: str) -> Response | None:
    return db.session.scalar(select(Response).where(Response.submission_key == key))


def _dialect() -> str:
    return db.session.get_bind().dialect.name


# --- tallies: counts per value, kept with every answer -------------------------------------

NO_DISTRICT = 0  # RatingTally.district_id for a project without districts
CANNOT_JUDGE_VALUE = 0  # RatingTally.value for "cannot judge"


def _add_to_tallies(response: dict, ratings: dict[str, int | None]) -> None:
    """One upsert for all items of one response, safe under concurrency: rows in one lock
    order (sorted by item) so two answers never deadlock on the tally rows."""
    counted = [(key, CANNOT_JUDGE_VALUE if value is None else value)
               for key, value in sorted(ratings.items())]
    db.session.execute(_tally_upsert(len(counted)), {
        "round_id": response["round_id"], "profession_id": response["profession_id"],
        "district_id": response["district_id"] or NO_DISTRICT, **_numbered(counted)})


@functools.cache
def _tally_upsert(count: int):
    """One upsert per answer; rows sorted by item, so two answers take the row locks in the
    same order and never deadlock."""
    table = RatingTally.__tablename__
    rows = ", ".join(f"(:round_id, :profession_id, :district_id, :item_{n}, :value_{n}, 1)"
                     for n in range(count))
    return text(f"INSERT INTO {table} (round_id, profession_id, district_id, item_key, value, "
                f"count) VALUES {rows} ON CONFLICT (round_id, profession_id, district_id, "
                f"item_key, value) DO UPDATE SET count = {table}.count + excluded.count")


def recount_tallies(round_ids: list[int]) -> None:
    """Rebuild the tallies of some rounds from the ratings themselves (after bulk changes)."""
    db.session.execute(delete(RatingTally).where(RatingTally.round_id.in_(round_ids)))
    district = func.coalesce(Response.district_id, NO_DISTRICT)
    value = func.coalesce(Rating.value, CANNOT_JUDGE_VALUE)
    counted = (
        select(Response.round_id, Response.profession_id, district, Rating.item_key, value,
               func.count())
        .join(Rating, Rating.response_id == Response.id)
        .where(Response.round_id.in_(round_ids))
        .group_by(Response.round_id, Response.profession_id, district, Rating.item_key, value)
    )
    db.session.execute(insert(RatingTally).from_select(
        ["round_id", "profession_id", "district_id", "item_key", "value", "count"], counted))
