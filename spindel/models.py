"""The domain: a project (collaboration) with districts, professions and measurement rounds;
anonymous responses with one rating per item.

Anonymity by design: a response holds its round, profession, district and the *day* it came
in — no time of day, no IP address, no user agent, nothing that points to a person.
"""

from __future__ import annotations

import datetime as dt
import secrets

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    select,
    text,
)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from .dates import local_today
from .extensions import db


def new_token() -> str:
    """An unguessable URL token: 192 random bits."""
    return secrets.token_urlsafe(24)


# A round's short code is typed by hand from a seminar screen: no 0/O or 1/I/L to confuse.
SHORT_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
SHORT_CODE_LENGTH = 5


def new_short_code(context) -> str:
    """A random short code that no round holds yet (/s/<code> leads to the round's link).

    A column default: SQLAlchemy passes the insert's execution context, so the code is
    checked against the table on the inserting connection and against the codes drawn for
    other rows of the same statement. Five characters give 28 million codes: few collisions,
    and a long search for whoever guesses codes to find rounds.
    """
    drawn = context.__dict__.setdefault("spindel_short_codes", set())
    while True:
        code = "".join(secrets.choice(SHORT_CODE_ALPHABET) for _ in range(SHORT_CODE_LENGTH))
        if code not in drawn and context.connection.scalar(
                select(Round.id).where(Round.short_code == code)) is None:
            drawn.add(code)
            return code


# A response id is 64 bits wide: BIGINT on PostgreSQL; on SQLite plain INTEGER, which holds
# 64 bits and keeps the id as the rowid (a BIGINT key would add a hidden rowid that counts
# up in arrival order).
RESPONSE_ID = BigInteger().with_variant(Integer(), "sqlite")


def new_response_id() -> int:
    """A random response id in 1 … 2**62 − 1 (fits a signed 64-bit BIGINT).

    Ids that count up would put every answer in arrival order, and with any log of the day,
    date it (policy §5). Two answers drawing the same id: with a million stored answers the
    chance for the next one is one in 4.6·10^12; store_answer then simply draws again, and a
    bulk import would fail whole (and can be repeated) rather than store anything wrong.
    Never leaves the server, so JavaScript's 53-bit integers do not matter.
    """
    return secrets.randbelow(2**62 - 1) + 1


class Project(db.Model):
    """A collaboration measured with one instrument version across all its rounds."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    # "key@version" of an instrument file; fixed once the project has answers.
    instrument: Mapped[str] = mapped_column(String(100))
    min_group_size: Mapped[int] = mapped_column(SmallInteger, default=5)
    # Raised with every change to what the answer form shows or checks (the project, its
    # districts, professions, rounds and codes), so each app process can keep that setup in
    # memory and still see another process's edit on the next answer (services/round_setup).
    setup_version: Mapped[int] = mapped_column(default=1, server_default="1")

    districts: Mapped[list[District]] = relationship(
        back_populates="project", order_by="District.position", cascade="all, delete-orphan"
    )
    professions: Mapped[list[Profession]] = relationship(
        back_populates="project", order_by="Profession.position", cascade="all, delete-orphan"
    )
    rounds: Mapped[list[Round]] = relationship(
        back_populates="project", order_by="Round.number", cascade="all, delete-orphan"
    )

    def round(self, number: int) -> Round | None:
        """The project's round with this number, if it has one."""
        return next((r for r in self.rounds if r.number == number), None)

    def __repr__(self) -> str:
        return f"<Project {self.slug}>"


class Grouping:
    """What a project's two groupings of its staff — districts and professions — share: a
    key that stays when the name changes (for imports and links), a place in the project's
    list, and whether the form still offers it. Their answers are counted and shown per
    grouping, never one within the other (policy §1)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    @declared_attr.directive
    def __table_args__(cls) -> tuple:  # one constraint object per table
        return (UniqueConstraint("project_id", "key"),)

    @declared_attr
    def project_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("project.id", ondelete="CASCADE"))


class District(Grouping, db.Model):
    """A city district (stadsdelsområde) taking part in the collaboration."""

    name: Mapped[str] = mapped_column(String(200))

    project: Mapped[Project] = relationship(back_populates="districts")

    def label(self, lang: str = "sv") -> str:
        return self.name


class TwoLanguageName:
    """The one rule for a name kept in Swedish and, optionally, English (a profession; the
    answer form's cached copy too): English falls back to the Swedish name."""

    def label(self, lang: str = "sv") -> str:
        return (self.name_en or self.name_sv) if lang == "en" else self.name_sv


class Profession(Grouping, TwoLanguageName, db.Model):
    """A profession (role), e.g. BVC, BMM, open preschool, social services."""

    name_sv: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")

    project: Mapped[Project] = relationship(back_populates="professions")


class RoundState:
    """What a supporter set; Round.status() combines it with the dates."""

    SCHEDULED = "scheduled"  # opens and closes by its dates
    OPEN = "open"  # opened by hand; still closes on its closing date
    CLOSED = "closed"  # closed by hand
    ALL = (SCHEDULED, OPEN, CLOSED)


class RoundStatus:
    NOT_YET_OPEN = "not_yet_open"
    OPEN = "open"
    CLOSED = "closed"


class Schedule:
    """The status rule over `state`, `opens_on` and `closes_on`; shared by the Round model and
    the cached services.round_setup.RoundSetup."""

    def status(self, today: dt.date | None = None) -> str:
        """The one rule for whether a round takes answers today."""
        today = today or local_today()
        if self.state == RoundState.CLOSED:
            return RoundStatus.CLOSED
        if self.closes_on is not None and today > self.closes_on:
            return RoundStatus.CLOSED
        if self.state == RoundState.OPEN:
            return RoundStatus.OPEN
        if self.opens_on is not None and today >= self.opens_on:
            return RoundStatus.OPEN
        return RoundStatus.NOT_YET_OPEN


class Round(Schedule, db.Model):
    """A measurement round: the same people rate again, e.g. 'Mätning 3 – hösten 2019'."""

    __table_args__ = (UniqueConstraint("project_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    number: Mapped[int]
    label: Mapped[str] = mapped_column(String(200))
    opens_on: Mapped[dt.date | None] = mapped_column(Date)
    closes_on: Mapped[dt.date | None] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(16), default=RoundState.SCHEDULED)
    token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    short_code: Mapped[str] = mapped_column(String(8), unique=True, default=new_short_code)

    project: Mapped[Project] = relationship(back_populates="rounds")

    def __repr__(self) -> str:
        return f"<Round {self.project_id}/{self.number}>"


class Response(db.Model):
    """One anonymous answer to the instrument in one round."""

    __table_args__ = (Index("ix_response_round_group", "round_id", "profession_id",
                            "district_id"),)

    # Random, not counting up: see new_response_id.
    id: Mapped[int] = mapped_column(RESPONSE_ID, primary_key=True, autoincrement=False,
                                    default=new_response_id)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"))
    profession_id: Mapped[int] = mapped_column(ForeignKey("profession.id"))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("district.id"))
    # The day only: a time of day could be matched against who was in the room.
    submitted_on: Mapped[dt.date] = mapped_column(Date)
    # Random per form load, so a double click or resubmit stores the answer once.
    submission_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    # The import that brought this answer in (None for every answer sent through the form),
    # so that an import can be undone as a whole. Only imported answers carry it: they come
    # from a file the supporter holds anyway, and a batch says nothing about a person, while
    # a live answer must stay unconnected to anything but its round, profession, district
    # and day. SET NULL: answers outlive the record of how they came.
    import_batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_batch.id", ondelete="SET NULL"), index=True)

    ratings: Mapped[list[Rating]] = relationship(
        back_populates="response", cascade="all, delete-orphan"
    )


class Rating(db.Model):
    """The rating of one item in one response; value None means "cannot judge"."""

    response_id: Mapped[int] = mapped_column(
        RESPONSE_ID, ForeignKey("response.id", ondelete="CASCADE"), primary_key=True
    )
    item_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int | None] = mapped_column(SmallInteger)

    response: Mapped[Response] = relationship(back_populates="ratings")


class TallyCounts:
    """The columns of a tally: how many answers gave `value` to `item_key` in one profession
    and district (district 0 = none; value 0 = "cannot judge")."""

    profession_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    district_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    item_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    count: Mapped[int] = mapped_column(default=0)


class RatingTally(TallyCounts, db.Model):
    """How many responses gave each value to each item, per round, profession and district.

    Kept up to date in the same transaction as every stored answer, so results read a few
    thousand counts instead of millions of ratings. Medians and quartiles are exact because
    ratings are integers. district_id 0 means "no district"; value 0 means "cannot judge".
    """

    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"),
                                          primary_key=True)


class Release(db.Model):
    """A stored, immutable snapshot of one round's tallies: every published figure of the
    round comes from one (services/disclosure.py, policy §4).

    `hidden` holds the visibility decided once, when the release was cut, as JSON:
    {"cells": {cell: reason}, "items": {item_key: {cell: reason}}} with cells "all",
    "p:<id>", "d:<id>" (district id 0 = no district). `breakdowns_published` turns true when
    the round closes with this release as its publication, and never back: what was shown
    stays shown.
    """

    __table_args__ = (UniqueConstraint("round_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"))
    number: Mapped[int]
    cut_on: Mapped[dt.date] = mapped_column(Date)  # the day only, as with answers
    responses: Mapped[int]
    # Answers per "profession_id,district_id" at the cut: tells cheaply when the next is due.
    combinations: Mapped[str] = mapped_column(Text, default="{}")
    hidden: Mapped[str] = mapped_column(Text, default="{}")
    breakdowns_published: Mapped[bool] = mapped_column(default=False)

    tallies: Mapped[list[ReleaseTally]] = relationship(cascade="all, delete-orphan",
                                                      passive_deletes=True)


class ReleaseTally(TallyCounts, db.Model):
    """A release's copy of RatingTally: answers per round, profession, district, item, value."""

    release_id: Mapped[int] = mapped_column(ForeignKey("release.id", ondelete="CASCADE"),
                                            primary_key=True)


class ImportBatch(db.Model):
    """One file imported into a project (services/imports.py): its answers can be undone
    together, and the same file is not imported twice while they are there.

    The day only, as with answers; the file itself is not kept, only its SHA-256 and its
    name, cleaned and shortened. A batch that was undone stays listed (undone=True), and its
    file may then be imported again.
    """

    __table_args__ = (
        # One live import per file and project, also when the same file is sent twice at
        # once (a double click); an undone import no longer counts.
        Index("uq_import_batch_live_file", "project_id", "file_sha256", unique=True,
              sqlite_where=text("NOT undone"), postgresql_where=text("NOT undone")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    created_on: Mapped[dt.date] = mapped_column(Date)
    rows: Mapped[int]
    file_sha256: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(100), default="")
    undone: Mapped[bool] = mapped_column(default=False)


class ExpectedStaff(db.Model):
    """How many staff a round expects from one profession or one district, entered by the
    supporter so the monitor can show participation in per cent (services/monitor.py).

    `kind` is "profession" or "district" and `grouping_id` that profession's or district's id:
    two separate lists, never a profession × district cross (policy §1). No row = not known.
    """

    PROFESSION = "profession"
    DISTRICT = "district"

    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"),
                                          primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    grouping_id: Mapped[int] = mapped_column("part_id", primary_key=True, autoincrement=False)
    count: Mapped[int]


# --- the seminar: what the room prioritises and agrees -------------------------------------

class VoteState:
    OPEN = "open"  # phones may vote and change their vote
    LOCKED = "locked"  # the presenter locked it: counts are final
    ALL = (OPEN, LOCKED)


class PriorityVote(db.Model):
    """The room's vote on which items to prioritise after a round ("Vad ska vi prioritera?").

    No row: no vote has been opened for the round.
    """

    __tablename__ = "priority_vote"

    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"),
                                          primary_key=True)
    state: Mapped[str] = mapped_column(String(16), default=VoteState.OPEN)


class VoteChoice(db.Model):
    """One item picked on one phone's ballot (up to three per ballot).

    `ballot` is a random number kept only in that phone's session, so the phone can change
    its choice until the vote is locked. Nothing links a ballot to an answer or a person,
    and no time is kept.
    """

    __tablename__ = "vote_choice"

    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"),
                                          primary_key=True)
    ballot: Mapped[int] = mapped_column(RESPONSE_ID, primary_key=True, autoincrement=False)
    item_key: Mapped[str] = mapped_column(String(64), primary_key=True)


class AgreementStatus:
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"
    ALL = (IN_PROGRESS, DONE, DROPPED)


class Agreement(db.Model):
    """What the seminar after a round agreed to do about some items: by which team or
    steering group, by when (free text; no personal names are needed). The next round's
    presentation opens with these and how their items changed since."""

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"),
                                          index=True)
    # The instrument item keys the agreement is about, in the instrument's order.
    items: Mapped[list[str]] = mapped_column(JSON, default=list)
    action: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200), default="")
    due: Mapped[str] = mapped_column(String(100), default="")
    status: Mapped[str] = mapped_column(String(16), default=AgreementStatus.IN_PROGRESS,
                                        server_default=AgreementStatus.IN_PROGRESS)
    position: Mapped[int] = mapped_column(default=0)

    round: Mapped[Round] = relationship()


# --- people who run projects ------------------------------------------------------------

SUPPORTER, VIEWER = "supporter", "viewer"


class ProjectMember(db.Model):
    """A user's place in a project: a supporter runs it; a viewer (a steering group) only
    reads its published figures — results, presentation, exports of aggregates — and, with
    a district, only that district's cells and the whole round's (access.py).

    Deleting the district deletes the membership: a limited viewer never becomes unlimited.
    """

    __tablename__ = "project_member"

    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"),
                                            primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                         primary_key=True)
    role: Mapped[str] = mapped_column(String(16), default=SUPPORTER,
                                      server_default=SUPPORTER)
    district_id: Mapped[int | None] = mapped_column(
        ForeignKey("district.id", ondelete="CASCADE"), default=None)

    project: Mapped[Project] = relationship(overlaps="projects")
    district: Mapped[District | None] = relationship()


# The table under the model, for the projects a supporter runs (User.projects).
project_member = ProjectMember.__table__


class User(UserMixin, db.Model):
    """A process supporter (member of some projects) or an admin (every project, users)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    is_admin: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)

    # The projects this user runs (as a supporter); viewers' memberships are in memberships.
    projects: Mapped[list[Project]] = relationship(
        secondary=project_member, order_by="Project.name",
        primaryjoin=lambda: (User.id == project_member.c.user_id)
        & (project_member.c.role == SUPPORTER),
        overlaps="memberships,project")
    memberships: Mapped[list[ProjectMember]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, overlaps="projects")
    api_tokens: Mapped[list[ApiToken]] = relationship(back_populates="user",
                                                      cascade="all, delete-orphan")
    sessions: Mapped[list[UserSession]] = relationship(back_populates="user",
                                                       cascade="all, delete-orphan",
                                                       passive_deletes=True)

    # The key of the login session this request runs in (services/sessions.py), not a column:
    # Flask-Login keeps it, not the user's id, in the cookie, so ending the session on the
    # server ends it for every copy of the cookie.
    session_key = None

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    def get_id(self) -> str | None:  # Flask-Login
        return self.session_key


class UserSession(db.Model):
    """One login (a browser): the cookie holds a random key, this table only its SHA-256.
    Deleting the row ends the session for every copy of its cookie."""

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of the key
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    # The day only, as everywhere: enough to drop sessions older than their lifetime.
    created_on: Mapped[dt.date] = mapped_column(Date)

    user: Mapped[User] = relationship(back_populates="sessions")


class LoginThrottle(db.Model):
    """Failed logins per typed email address in the current window, in the database so that
    every app process (and machine) counts together.

    Keyed by an HMAC of the normalised address, for every address typed, whether an account
    has it or not: being throttled then tells nothing about which accounts exist, and an
    unknown address (perhaps a password typed into the wrong field) is not kept readable.
    """

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    # When this window's first failure came (UTC). A supporter's failed logins, not an
    # answer: the time of day is needed here and says nothing about any respondent.
    window_started: Mapped[dt.datetime] = mapped_column(DateTime, index=True)


class ApiToken(db.Model):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_on: Mapped[dt.date] = mapped_column(Date)
    last_used_on: Mapped[dt.date | None] = mapped_column(Date)
    revoked: Mapped[bool] = mapped_column(default=False)

    user: Mapped[User] = relationship(back_populates="api_tokens")


class AccessCode(db.Model):
    """A single-use code for one answer per person without a login.

    Only the code's SHA-256 and whether it was used are kept; the response stores no link
    to the code, so a used code cannot be traced to an answer.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    # Indexed: every load of a round's shared link asks whether the round uses codes.
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"),
                                          index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    used: Mapped[bool] = mapped_column(default=False)
