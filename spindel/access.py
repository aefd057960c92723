"""Who may see what: the one place for project access, for pages and the API.

A supporter runs the projects they belong to; an admin runs every project. A viewer (a
steering group) reads a project's published figures — results, presentation, exports of
aggregates, the disclosure audit — and nothing else: no setup, no links or codes, no
import, no raw answers, no monitor (its live counts per district and profession are not
published cells while a round is open). A viewer limited to one district reads only the
whole rounds' cells and that district's (`reader_scope`), on the pages that pass the scope
to their outputs (results, presentation, exports, the API's results), which check every
selection against it; not the audit, which names every group. A project you may not open
is a 404, never a page that confirms it exists.

`project_or_404` is the supporter's door and the default for every page; only the reading
pages use `readable_project_or_404`, so a new page is closed to viewers until someone
decides otherwise.
"""

from __future__ import annotations

import math
import time
from functools import wraps

from flask import Flask, abort, current_app, g, request, session
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from .extensions import db, login_manager
from .models import SUPPORTER, VIEWER, Project, ProjectMember, Round, User
from .services import sessions
from .services.accounts import user_for_api_token
from .services.selection import EVERYTHING, Scope


def _load_user(session_key: str) -> User | None:
    """The user of the cookie's session, if the server has not ended it and it is younger
    than its lifetime (the cookie's own expiry counts from the last request)."""
    if time.time() - session.get("_login_at", 0) > _lifetime_seconds():
        return None
    return sessions.session_user(session_key, max_days=_lifetime_days())


def _lifetime_seconds() -> float:
    return current_app.permanent_session_lifetime.total_seconds()


def _lifetime_days() -> int:
    return math.ceil(_lifetime_seconds() / 86400)


def log_in(user: User) -> None:
    """Start a session the server can end, and put its key in the cookie. The caller
    commits."""
    sessions.drop_expired(_lifetime_days())
    sessions.start_session(user)
    login_user(user)
    session.permanent = True  # the cookie expires after PERMANENT_SESSION_LIFETIME unused
    session["_login_at"] = int(time.time())


def renew_session() -> None:
    """A new session for the logged-in user in this browser (after a password change, which
    ended every session): a copy of the old cookie does not come back with it."""
    log_in(current_user._get_current_object())


def log_out(everywhere: bool = False) -> None:
    """End this session (every copy of its cookie), or every session of the user. The
    caller commits."""
    if everywhere:
        sessions.end_sessions(current_user)
    else:
        sessions.end_session(current_user.session_key)
    logout_user()
    session.pop("_login_at", None)


def membership(user, project: Project) -> ProjectMember | None:
    """The user's membership of the project (supporter or viewer), if any."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return next((m for m in user.memberships if m.project_id == project.id), None)


def can_manage(user, project: Project) -> bool:
    """May run the project: set it up, hand out links, import, see the monitor."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    found = membership(user, project)
    return bool(user.is_admin or (found is not None and found.role == SUPPORTER))


def can_see(user, project: Project) -> bool:
    """May read the project's published figures (as far as `reader_scope` goes): its
    supporters, admins and its viewers, limited to a district or not."""
    if can_manage(user, project):
        return True
    found = membership(user, project)
    return bool(found is not None and found.role == VIEWER)


def reader_scope(project: Project, user=None) -> Scope:
    """The published cells of the project the user may see: every one, or for a viewer
    limited to a district the whole rounds' and that district's. Call it for a project the
    user may read (readable_project_or_404)."""
    user = user if user is not None else current_user
    if can_manage(user, project):
        return EVERYTHING
    found = membership(user, project)
    if found is None or found.role != VIEWER:
        abort(404)  # not a reader of this project at all: nothing to scope
    if found.district_id is None:
        return EVERYTHING
    return Scope(found.district.key, found.district.name)


def visible_projects(user) -> list[Project]:
    """Every project for an admin; otherwise the projects the user runs or views."""
    if user.is_admin:
        return list(db.session.scalars(select(Project).order_by(Project.name)))
    return sorted((m.project for m in user.memberships if can_see(user, m.project)),
                  key=lambda p: p.name)


def _project(slug: str, user, may) -> Project:
    user = user if user is not None else current_user
    project = db.session.scalar(select(Project).where(Project.slug == slug))
    if project is None or not may(user, project):
        abort(404)
    return project


def project_or_404(slug: str, user=None) -> Project:
    """The project with this slug if the user may run it (supporter, admin); 404 otherwise,
    for a viewer too."""
    return _project(slug, user, can_manage)


def readable_project_or_404(slug: str, user=None, *, scoped: bool = False) -> Project:
    """The project with this slug if the user may read its published figures (supporter,
    admin, viewer); 404 otherwise. A viewer limited to a district gets a 404 too unless the
    page is `scoped`: it narrows every output to `reader_scope` — so a new reading page is
    closed to such a viewer until someone has made it so."""
    project = _project(slug, user, can_see)
    if not scoped and reader_scope(project, user).limited:
        abort(404)
    return project


def managed_round_or_404(slug: str, number: int, user=None) -> tuple[Project, Round]:
    """The project and its round with this number if the user may run the project; 404
    otherwise (an unknown round too)."""
    project = project_or_404(slug, user)
    round_ = project.round(number)
    if round_ is None:
        abort(404)
    return project, round_


def api_user() -> User | None:
    """The user behind an API request: a Bearer token, else a logged-in session."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer":
            return None
        return user_for_api_token(token.strip())
    return current_user if current_user.is_authenticated else None


def api_login_required(view):
    """401 with no data unless the request carries a valid token or session."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        user = api_user()
        if user is None:
            abort(401)
        g.api_user = user
        return view(*args, **kwargs)

    return wrapped


def admin_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not current_user.is_admin:
            abort(404)
        return view(*args, **kwargs)

    return wrapped


def init_app(app: Flask) -> None:
    login_manager.user_loader(_load_user)
    # Templates offer a viewer only the pages they may open.
    app.jinja_env.globals["can_manage"] = lambda project: can_manage(current_user, project)
    app.jinja_env.globals["reader_scope"] = lambda project: reader_scope(project, current_user)
