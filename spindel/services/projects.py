"""Creating projects and editing their groupings (districts, professions) and rounds."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Collection

from sqlalchemy import delete, func, select

from .. import instrument as instruments
from ..dates import local_today
from ..extensions import db
from ..models import (
    AccessCode,
    District,
    Profession,
    Project,
    Rating,
    RatingTally,
    Response,
    Round,
    RoundState,
    project_member,
)


def create_project(name: str, slug: str, *, instrument: str | None = None,
                   min_group_size: int = 5, description: str = "",
                   districts: list[tuple[str, str]] = (),
                   professions: list[tuple[str, str, str]] | None = None,
                   creator=None) -> Project:
    """Add a project with its districts (key, name) and professions (key, sv, en).

    Professions default to the instrument's default professions. A creator who is not an
    admin (admins see every project) becomes its supporter. The caller commits.
    """
    ident = instrument or instruments.default_ident()
    chosen = instruments.registry()[ident]
    project = Project(name=name, slug=slug, instrument=ident, min_group_size=min_group_size,
                      description=description)
    for position, (key, district_name) in enumerate(districts):
        project.districts.append(District(key=key, name=district_name, position=position))
    if professions is None:
        professions = [(p.key, p.label.sv, p.label.en) for p in chosen.professions]
    for position, (key, sv, en) in enumerate(professions):
        project.professions.append(Profession(key=key, name_sv=sv, name_en=en,
                                              position=position))
    db.session.add(project)
    if creator is not None and not creator.is_admin:
        creator.projects.append(project)
    db.session.flush()
    return project


def project_by_slug(slug: str) -> Project | None:
    return db.session.scalar(select(Project).where(Project.slug == slug))


def slug_taken(slug: str, project: Project | None = None) -> bool:
    """Whether another project than `project` uses this short name."""
    found = project_by_slug(slug)
    return found is not None and found is not project


def update_project(project: Project, *, name: str, slug: str, description: str,
                   min_group_size: int, instrument: str) -> None:
    """Save a supporter's changes to a project. The instrument stays fixed once the project
    has answers: they were given to its items. The caller checks the slug is free."""
    project.name = name
    project.slug = slug
    project.description = description
    project.min_group_size = min_group_size
    if not project_has_answers(project):
        project.instrument = instrument


def round_by_token(token: str) -> Round | None:
    if not token or len(token) > 64:
        return None
    return db.session.scalar(select(Round).where(Round.token == token))


# --- editing a project: districts, professions, rounds ------------------------------------


def count_answers(project: Project) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Response).join(Round)
        .where(Round.project_id == project.id))


def project_has_answers(project: Project) -> bool:
    """Whether any round of the project holds an answer (the instrument is then fixed)."""
    return db.session.scalar(
        select(Response.id).join(Round).where(Round.project_id == project.id).limit(1)
    ) is not None


def answers_per(column, ids: list[int]) -> dict[int, int]:
    """How many answers point at each district or profession id (to forbid deleting)."""
    if not ids:
        return {}
    rows = db.session.execute(select(column, func.count()).where(column.in_(ids))
                              .group_by(column))
    return {k: n for k, n in rows}


def key_from_name(name: str, taken: set[str]) -> str:
    """A readable key for a district or profession name: 'Spånga-Tensta' -> 'spanga_tensta'."""
    plain = unicodedata.normalize("NFKD", name.lower()).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "_", plain).strip("_")[:56] or "group"
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    return key


def slug_from_name(name: str, reserved: Collection[str] = ()) -> str:
    """A free short name for a project's addresses: 'Tidigt stöd i Järva' ->
    'tidigt-stod-i-jarva', then '-2', '-3', … if another project or `reserved` has it.
    "" for a name without a letter a–z or digit. (static/slug.js makes the same as she types.)
    """
    plain = unicodedata.normalize("NFKD", name.lower()).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:56].rstrip("-")
    if not base:
        return ""
    taken = set(reserved) | set(db.session.scalars(
        select(Project.slug).where(Project.slug.startswith(base, autoescape=True))))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def add_district(project: Project, name: str, key: str | None = None) -> District:
    """Add a district at the end. Raises ValueError if the key is taken."""
    taken = {d.key for d in project.districts}
    key = key or key_from_name(name, taken)
    if key in taken:
        raise ValueError(key)
    district = District(key=key, name=name.strip(),
                        position=max((d.position for d in project.districts), default=-1) + 1)
    project.districts.append(district)
    db.session.flush()
    return district


def add_profession(project: Project, name_sv: str, name_en: str = "",
                   key: str | None = None) -> Profession:
    """Add a profession at the end. Raises ValueError if the key is taken."""
    taken = {p.key for p in project.professions}
    key = key or key_from_name(name_en or name_sv, taken)
    if key in taken:
        raise ValueError(key)
    profession = Profession(key=key, name_sv=name_sv.strip(), name_en=(name_en or "").strip(),
                            position=max((p.position for p in project.professions),
                                         default=-1) + 1)
    project.professions.append(profession)
    db.session.flush()
    return profession


def move(items: list, item, direction: str) -> None:
    """Move an item of a list kept in order by `position` (a district, a profession, an
    agreement) one step up or down; positions stay 0..n-1."""
    ordered = sorted(items, key=lambda x: (x.position, x.id))
    i = ordered.index(item)
    j = i - 1 if direction == "up" else i + 1
    if 0 <= j < len(ordered):
        ordered[i], ordered[j] = ordered[j], ordered[i]
    for position, each in enumerate(ordered):
        each.position = position


def delete_grouping(grouping: District | Profession) -> bool:
    """Delete a district or profession that has no answers; one with answers is only ever
    deactivated (its answers must keep their group)."""
    if isinstance(grouping, District):
        column, siblings = Response.district_id, grouping.project.districts
    else:
        column, siblings = Response.profession_id, grouping.project.professions
    if answers_per(column, [grouping.id]):
        return False
    siblings.remove(grouping)
    db.session.flush()
    return True


def add_round(project: Project, number: int, label: str, opens_on: dt.date | None = None,
              closes_on: dt.date | None = None, state: str = RoundState.SCHEDULED) -> Round:
    """Add a round. Raises ValueError if the number is taken."""
    if project.round(number) is not None:
        raise ValueError(number)
    round_ = Round(number=number, label=label.strip(), opens_on=opens_on, closes_on=closes_on,
                   state=state)
    project.rounds.append(round_)
    db.session.flush()
    return round_


def next_round_number(project: Project) -> int:
    return max((r.number for r in project.rounds), default=0) + 1


def change_round_state(round_: Round, action: str, today: dt.date | None = None) -> None:
    """open / close / reopen by hand, or schedule (open and close by the dates again).

    Reopening a round whose closing date has passed clears that date: otherwise the date
    would keep it closed (Round.status lets a passed closing date win over an open state).
    """
    today = today or local_today()
    if action in ("open", "reopen"):
        round_.state = RoundState.OPEN
        if round_.closes_on is not None and round_.closes_on < today:
            round_.closes_on = None
    elif action == "close":
        round_.state = RoundState.CLOSED
    elif action == "schedule":
        round_.state = RoundState.SCHEDULED
    else:
        raise ValueError(action)


def delete_project(project: Project) -> None:
    """Delete a project with every round, answer, tally and code (cascades)."""
    round_ids = [r.id for r in project.rounds]
    if round_ids:
        response_ids = select(Response.id).where(Response.round_id.in_(round_ids))
        db.session.execute(delete(Rating).where(Rating.response_id.in_(response_ids)))
        db.session.execute(delete(Response).where(Response.round_id.in_(round_ids)))
        db.session.execute(delete(RatingTally).where(RatingTally.round_id.in_(round_ids)))
        db.session.execute(delete(AccessCode).where(AccessCode.round_id.in_(round_ids)))
    db.session.execute(delete(project_member).where(project_member.c.project_id == project.id))
    db.session.delete(project)
    db.session.flush()
