"""Who may see what: the one place for project access, for pages and the API.

A supporter sees the projects they belong to; an admin sees every project. A project you do
not belong to is a 404, never a page that confirms it exists.
"""

from __future__ import annotations

from functools import wraps

from flask import Flask, abort, g, request
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user
from sqlalchemy import select

from .extensions import db
from .models import Project, User
from .services.accounts import user_for_api_token

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = _l("Please log in to see this page.")
login_manager.login_message_category = "info"


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    return user if user is not None and user.active else None


def can_see(user, project: Project) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_admin or any(p.id == project.id for p in user.projects))


def visible_projects(user) -> list[Project]:
    if user.is_admin:
        return list(db.session.scalars(select(Project).order_by(Project.name)))
    return list(user.projects)


def project_or_404(slug: str, user=None) -> Project:
    """The project with this slug if the user may see it; 404 otherwise."""
    user = user if user is not None else current_user
    project = db.session.scalar(select(Project).where(Project.slug == slug))
    if project is None or not can_see(user, project):
        abort(404)
    return project


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
    login_manager.init_app(app)
