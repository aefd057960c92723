"""Supporter accounts and API tokens: hashing, creating, looking up."""

from __future__ import annotations

import hashlib
import re
import secrets

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from ..dates import local_today
from ..extensions import db
from ..models import VIEWER, ApiToken, District, Project, ProjectMember, User
from .sessions import end_sessions

TOKEN_PREFIX = "spd_"
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 500
# zxcvbn's score from 0 to 4; 3 means about 10^8 guesses or more (its "safely unguessable").
MIN_PASSWORD_SCORE = 3
# Words Swedish passwords are often built from, which zxcvbn's English lists do not know,
# and this app's own names: "Lösenord123" or "Spindeln2025" must count as easy.
COMMON_WORDS = (
    "lösenord", "losenord", "hemlig", "hemligt", "välkommen", "valkommen", "hej", "hejsan",
    "sommar", "vinter", "hösten", "hosten", "våren", "varen", "jul", "midsommar", "påsk",
    "sverige", "svenska", "stockholm", "göteborg", "goteborg", "malmö", "malmo", "uppsala",
    "kommun", "region", "förskola", "forskola", "familjecentral", "barn", "bvc", "bmm",
    "spindel", "spindeln", "samverkan", "password", "admin",
)
# zxcvbn refuses longer input (its cost grows fast); the first 72 characters decide.
_ESTIMATED_LENGTH = 72


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_user(email: str, password: str, *, is_admin: bool = False) -> User:
    """Add a user with a scrypt-hashed password. The caller commits."""
    user = User(email=normalise_email(email), password_hash=generate_password_hash(password),
                is_admin=is_admin)
    db.session.add(user)
    db.session.flush()
    return user


def set_password(user: User, password: str) -> None:
    user.password_hash = generate_password_hash(password)


def password_problem(password: str, email: str = "") -> LazyString | None:
    """Why this password may not be used (a message in the reader's language), or None.

    Besides the length, zxcvbn estimates how many guesses it takes, knowing common passwords,
    names, dates, keyboard patterns, repeats, the words above and the parts of the email.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        return _l("Use at least %(n)s characters.", n=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        return _l("Use at most %(n)s characters.", n=MAX_PASSWORD_LENGTH)
    local = email.lower().partition("@")[0]
    own_words = [local, re.sub(r"[.+_\-]", "", local),
                 *(part for part in re.split(r"[@.+_\-]", email.lower()) if len(part) > 1)]
    estimate = zxcvbn(password[:_ESTIMATED_LENGTH], user_inputs=[*COMMON_WORDS, *own_words])
    if estimate["score"] < MIN_PASSWORD_SCORE:
        return _l("This password is too easy to guess: it is common, or built from a name, "
                  "a date, a word with digits, a repeat or a keyboard pattern. A few unusual "
                  "words in a row are easy to remember and hard to guess.")
    return None


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) ==
                                                normalise_email(email)))


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None."""
    user = user_by_email(email)
    if user is None or not user.active:
        # Same work as a real check, so timing does not tell which emails exist.
        check_password_hash(_DUMMY_HASH, password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


_DUMMY_HASH = generate_password_hash(secrets.token_hex(8))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_api_token(user: User, name: str = "") -> str:
    """Create a token for the JSON API and return it in plain text (shown once)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user_id=user.id, name=name, token_hash=_digest(token),
                            created_on=local_today()))
    db.session.flush()
    return token


def user_for_api_token(token: str) -> User | None:
    """The active user owning this unrevoked token, or None."""
    if not token or len(token) > 200:
        return None
    found = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token),
                                                      ApiToken.revoked.is_(False)))
    if found is None or not found.user.active:
        return None
    if found.last_used_on != local_today():
        found.last_used_on = local_today()
    return found.user


def change_password(user: User, current: str, new: str) -> bool:
    """Set a new password if the current one is right, and end every session of the user:
    whoever else had it is logged out (the caller gives the browser that changed it a new
    session, access.renew_session). False (nothing changed) if the current one is wrong."""
    if not check_password_hash(user.password_hash, current):
        return False
    set_password(user, new)
    end_sessions(user)
    return True


def revoke_api_token(user: User, token_id: int) -> bool:
    """Revoke one of the user's own tokens; False if it is not theirs."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        return False
    token.revoked = True
    return True


def all_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.email)))


def locks_self_out(user: User, acting: User, *, active: bool, is_admin: bool) -> bool:
    """Whether an admin's change would deactivate themselves or take their own admin role:
    refused, so that an installation never loses its last way in by a slip."""
    return user.id == acting.id and not (active and is_admin)


def update_user(user: User, *, active: bool, is_admin: bool, projects: list) -> None:
    """An admin's changes to a user: may log in, admin role, project membership. A user
    who may no longer log in is logged out everywhere."""
    if not active:
        end_sessions(user)
    user.active = active
    user.is_admin = is_admin
    # A project the user now runs is no longer one they only view.
    chosen = {p.id for p in projects}
    for found in [m for m in user.memberships if m.role == VIEWER and m.project_id in chosen]:
        user.memberships.remove(found)
    db.session.flush()
    user.projects = list(projects)


def viewer_memberships(user: User) -> list[ProjectMember]:
    """The projects the user only reads, by project name."""
    return sorted((m for m in user.memberships if m.role == VIEWER),
                  key=lambda m: m.project.name)


def make_viewer(user: User, project: Project, district: District | None = None) -> None:
    """Read-only access to the project's published figures (results, presentation, exports
    of aggregates), of every district or — with one of the project's districts — of the
    whole rounds and that district only (access.reader_scope). Someone who runs the project
    keeps running it: only an admin's membership change (update_user) takes that away."""
    if district is not None and district.project_id != project.id:
        raise ValueError("the district belongs to another project")
    found = next((m for m in user.memberships if m.project_id == project.id), None)
    if found is None:
        user.memberships.append(ProjectMember(project=project, role=VIEWER,
                                              district=district))


def end_viewing(user: User, project: Project) -> bool:
    """Take away the user's read-only access to the project; False if there was none."""
    found = next((m for m in user.memberships
                  if m.project_id == project.id and m.role == VIEWER), None)
    if found is None:
        return False
    user.memberships.remove(found)
    return True
