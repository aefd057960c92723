"""What a respondent's link needs to know about its round, kept in memory per app process.

During a seminar every phone asks the same questions: which round is this token, is it open,
which professions and districts may be chosen, does it take personal links only. Those answers
change only when a supporter edits the project, so each process keeps them as a RoundSetup and
asks the database one small question per request: has the project's setup_version moved?
Every flush that changes a project, its districts, professions, rounds or codes raises that
version (see _raise_setup_versions), so an edit in one process is seen by all the others on
their next request.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import bindparam, event, select, update
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import (
    AccessCode,
    District,
    Profession,
    Project,
    Round,
    Schedule,
    TwoLanguageName,
)
from .codes import round_uses_codes

MAX_TOKEN_LENGTH = 64
CACHE_SIZE = 512  # rounds per process; a municipality has a few dozen


@dataclass(frozen=True)
class GroupingChoice(TwoLanguageName):
    """A grouping (a profession or a district) as the answer form offers it: a cached copy."""

    id: int
    key: str
    name_sv: str
    name_en: str
    active: bool


@dataclass(frozen=True)
class ProjectFacts:
    id: int
    slug: str
    name: str
    instrument: str
    min_group_size: int


# eq=False: compared and hashed by identity, so caches keyed by a setup are cheap, and a new
# version is a new object.
@dataclass(frozen=True, eq=False)
class RoundSetup(Schedule):
    """A round with its project's choices, as of one setup_version. Read-only, shared by
    threads; status() is the same rule as Round.status()."""

    id: int
    number: int
    label: str
    token: str
    state: str
    opens_on: dt.date | None
    closes_on: dt.date | None
    project: ProjectFacts
    professions: tuple[GroupingChoice, ...]
    districts: tuple[GroupingChoice, ...]
    uses_codes: bool
    version: int
    _by_key: dict = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._by_key.update({("profession", c.key): c for c in self.professions})
        self._by_key.update({("district", c.key): c for c in self.districts})

    def profession(self, key: str) -> GroupingChoice | None:
        return self._by_key.get(("profession", key))

    def district(self, key: str) -> GroupingChoice | None:
        return self._by_key.get(("district", key))

    @classmethod
    def of(cls, round_: Round, version: int | None = None) -> RoundSetup:
        """A snapshot of an ORM round (loads its project's choices)."""
        project = round_.project
        return cls(
            id=round_.id, number=round_.number, label=round_.label, token=round_.token,
            state=round_.state, opens_on=round_.opens_on, closes_on=round_.closes_on,
            project=ProjectFacts(project.id, project.slug, project.name, project.instrument,
                                 project.min_group_size),
            professions=tuple(GroupingChoice(p.id, p.key, p.name_sv, p.name_en, p.active)
                              for p in project.professions),
            districts=tuple(GroupingChoice(d.id, d.key, d.name, "", d.active)
                            for d in project.districts),
            uses_codes=round_uses_codes(round_),
            version=project.setup_version if version is None else version)


# Built once: composing a select costs four times as much as running this one.
_rounds, _projects = Round.__table__, Project.__table__
_VERSION = select(_rounds.c.id, _projects.c.setup_version).join(
    _projects, _projects.c.id == _rounds.c.project_id)
_VERSION_BY_TOKEN = _VERSION.where(_rounds.c.token == bindparam("key"))
_VERSION_BY_ID = _VERSION.where(_rounds.c.id == bindparam("key"))


def round_setup(token: str) -> RoundSetup | None:
    """The setup of the round with this respondent token, or None."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    return _current(_VERSION_BY_TOKEN, token)


def round_setup_by_id(round_id: int) -> RoundSetup | None:
    return _current(_VERSION_BY_ID, round_id)


def _current(statement, key) -> RoundSetup | None:
    row = db.session.execute(statement, {"key": key}).first()
    if row is None:
        return None
    cache = _cache()
    setup = cache.get(row.id)
    if setup is None or setup.version != row.setup_version:
        # Data read now is at least as new as the version read above; if an edit lands in
        # between, the next request sees a newer version and loads again.
        setup = RoundSetup.of(db.session.get(Round, row.id), version=row.setup_version)
        with cache.lock:
            cache[row.id] = setup
            while len(cache) > CACHE_SIZE:
                cache.popitem(last=False)
    return setup


class _Cache(OrderedDict):
    """Round id -> RoundSetup, oldest first; reads need no lock, changes take it."""

    def __init__(self) -> None:
        super().__init__()
        self.lock = threading.Lock()


def _cache() -> _Cache:
    """This app's cache (one per app, so test apps on other databases never share one)."""
    cache = current_app.extensions.get("spindel_round_setups")
    if cache is None:
        cache = current_app.extensions.setdefault("spindel_round_setups", _Cache())
    return cache


def init_app(app) -> None:
    """Watch every flush for changes to what the answer form shows. The listener sits on
    SQLAlchemy's Session class, which every app shares, so it is added once per process."""
    if not event.contains(Session, "after_flush", _raise_setup_versions):
        event.listen(Session, "after_flush", _raise_setup_versions)


def _raise_setup_versions(session: Session, flush_context) -> None:
    """The one place that marks a project's setup as changed."""
    project_ids: set[int] = set()
    round_ids: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Project):
            project_ids.add(obj.id)
        elif isinstance(obj, (District, Profession, Round)):
            project_ids.add(obj.project_id)
        elif isinstance(obj, AccessCode):
            round_ids.add(obj.round_id)
    if not (project_ids or round_ids):
        return
    connection = session.connection()  # plain Core inside the flush: no ORM events again
    if round_ids:
        project_ids |= set(connection.execute(
            select(_rounds.c.project_id).where(_rounds.c.id.in_(round_ids))).scalars())
    project_ids.discard(None)
    if project_ids:
        connection.execute(update(_projects).where(_projects.c.id.in_(project_ids))
                           .values(setup_version=_projects.c.setup_version + 1))
