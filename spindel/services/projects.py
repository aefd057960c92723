"""Creating projects and looking up their parts."""

from __future__ import annotations

from sqlalchemy import select

from .. import instrument as instruments
from ..extensions import db
from ..models import District, Profession, Project, Round


def create_project(name: str, slug: str, *, instrument: str | None = None,
                   min_group_size: int = 5, description: str = "",
                   districts: list[tuple[str, str]] = (),
                   professions: list[tuple[str, str, str]] | None = None) -> Project:
    """Add a project with its districts (key, name) and professions (key, sv, en).

    Professions default to the instrument's default professions. The caller commits.
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
    db.session.flush()
    return project


def project_by_slug(slug: str) -> Project | None:
    return db.session.scalar(select(Project).where(Project.slug == slug))


def round_by_token(token: str) -> Round | None:
    if not token or len(token) > 64:
        return None
    return db.session.scalar(select(Round).where(Round.token == token))


def round_by_number(project: Project, number: int) -> Round | None:
    return db.session.scalar(
        select(Round).where(Round.project_id == project.id, Round.number == number))
