"""The room's priority vote after a round ("Vad ska vi prioritera?").

Everyone in the seminar picks up to three of the instrument's items on a phone; the slide
counts the ballots live; the presenter locks the vote. A ballot is a random number that only
the phone's session knows, so the phone can change its choice until the vote is locked.
Nothing ties a ballot to an answer, a person, a device or a time: the tables hold the round,
the ballot number and the items picked, and nothing else (models.PriorityVote, VoteChoice).

The functions add and flush; the caller commits (and, on SQLite, holds one_writer around a
cast or a change of state, so a ballot cannot slip in between a lock and its commit).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass

import plotly.graph_objects as go
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import delete, distinct, func, select

from .. import instrument as instruments
from ..extensions import db
from ..models import PriorityVote, Round, VoteChoice, VoteState
from . import charts
from .links import qr_svg, vote_url

MAX_CHOICES = 3
# A seminar has 100–300 people. A stranger with the address could send ballots from a script
# (a new session each time); the cap keeps that from filling the database. Changing a ballot
# never counts twice.
MAX_BALLOTS = 1000


class VoteRefused(Exception):
    """A ballot that cannot be stored; `reason` is one of the class constants."""

    NOT_OPENED = "not_opened"  # no vote has been opened for the round
    LOCKED = "locked"
    FULL = "full"  # MAX_BALLOTS reached
    INVALID = "invalid"  # not 1–3 distinct items of the project's instrument

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ItemCount:
    key: str
    label: str  # the item's short name
    added: bool  # a question the project added (not a Spindeln dimension)
    votes: int


@dataclass(frozen=True)
class Tally:
    """A round's vote: state (None = no vote opened yet), the number of ballots, and each
    item's votes in the instrument's order."""

    state: str | None
    ballots: int
    items: tuple[ItemCount, ...]

    @property
    def is_open(self) -> bool:
        return self.state == VoteState.OPEN

    @property
    def is_locked(self) -> bool:
        return self.state == VoteState.LOCKED


def new_ballot() -> int:
    """A random ballot number in 1 … 2**62 − 1 (fits a signed BIGINT; ballots keep no order)."""
    return secrets.randbelow(2**62 - 1) + 1


def vote_of(round_: Round) -> PriorityVote | None:
    return db.session.get(PriorityVote, round_.id)


def state_of(round_: Round) -> str | None:
    """The vote's state: VoteState.OPEN, VoteState.LOCKED, or None (no vote opened)."""
    vote = vote_of(round_)
    return vote.state if vote is not None else None


def open_vote(round_: Round) -> PriorityVote:
    """Open the round's vote, or reopen a locked one (its ballots are kept, and phones may
    change them again)."""
    vote = vote_of(round_)
    if vote is None:
        vote = PriorityVote(round_id=round_.id, state=VoteState.OPEN)
        db.session.add(vote)
    vote.state = VoteState.OPEN
    db.session.flush()
    return vote


def lock_vote(round_: Round) -> PriorityVote | None:
    """Lock the round's vote: its counts are final. None if no vote was opened."""
    vote = vote_of(round_)
    if vote is not None:
        vote.state = VoteState.LOCKED
        db.session.flush()
    return vote


def valid_choice(round_: Round, items: Iterable[str]) -> list[str]:
    """The picked item keys in the instrument's order; raises VoteRefused(INVALID) unless they
    are 1 to MAX_CHOICES distinct items of the project's instrument."""
    picked = list(items)
    keys = instruments.for_project(round_.project).item_keys
    if not 1 <= len(picked) <= MAX_CHOICES or len(set(picked)) != len(picked) or \
            not set(picked) <= set(keys):
        raise VoteRefused(VoteRefused.INVALID)
    return [key for key in keys if key in picked]


def cast(round_: Round, ballot: int, items: Iterable[str], *,
         max_ballots: int = MAX_BALLOTS) -> list[str]:
    """Store a phone's ballot, replacing what that ballot picked before; returns the items in
    the instrument's order. Raises VoteRefused: no vote opened, locked, full, or not 1–3
    distinct items of the instrument. Nothing is stored when it raises."""
    picked = valid_choice(round_, items)
    # FOR SHARE on PostgreSQL: a lock waits for this ballot's commit, or this sees the lock.
    vote = db.session.scalar(select(PriorityVote).where(PriorityVote.round_id == round_.id)
                             .with_for_update(read=True))
    if vote is None:
        raise VoteRefused(VoteRefused.NOT_OPENED)
    if vote.state != VoteState.OPEN:
        raise VoteRefused(VoteRefused.LOCKED)
    mine = (VoteChoice.round_id == round_.id) & (VoteChoice.ballot == ballot)
    known = db.session.scalar(select(VoteChoice.ballot).where(mine).limit(1)) is not None
    if not known and ballot_count(round_) >= max_ballots:
        raise VoteRefused(VoteRefused.FULL)
    db.session.execute(delete(VoteChoice).where(mine))
    db.session.add_all(VoteChoice(round_id=round_.id, ballot=ballot, item_key=key)
                       for key in picked)
    db.session.flush()
    return picked


def choices_of(round_: Round, ballot: int | None) -> list[str]:
    """What this ballot picked, in the instrument's order (none for an unknown ballot)."""
    if ballot is None:
        return []
    picked = set(db.session.scalars(select(VoteChoice.item_key).where(
        VoteChoice.round_id == round_.id, VoteChoice.ballot == ballot)))
    return [key for key in instruments.for_project(round_.project).item_keys if key in picked]


def ballot_count(round_: Round) -> int:
    return db.session.scalar(select(func.count(distinct(VoteChoice.ballot)))
                             .where(VoteChoice.round_id == round_.id)) or 0


def tally(round_: Round, lang: str = "sv") -> Tally:
    """The round's vote counted: each item of the project's instrument in its order (added
    questions included, marked), the number of ballots and the state."""
    instrument = instruments.for_project(round_.project)
    counts = dict(db.session.execute(
        select(VoteChoice.item_key, func.count()).where(VoteChoice.round_id == round_.id)
        .group_by(VoteChoice.item_key)).all())
    added = {item.key for item in instrument.added_items}
    items = tuple(ItemCount(item.key, item.short.get(lang), item.key in added,
                            counts.get(item.key, 0)) for item in instrument.items)
    return Tally(state_of(round_), ballot_count(round_), items)


# --- the chart ----------------------------------------------------------------------------

DIMENSION_COLOUR = "#0072B2"  # the charts' first colour
ADDED_COLOUR = "#6b6b6b"  # the added questions: grey, as their shade on the spider


def chart(tally: Tally, title: str, lang: str = "sv") -> charts.Chart:
    """The vote as horizontal bars, one per item in the instrument's order (top to bottom), so
    no bar jumps while the votes come in and the room finds its question where it was. The
    questions a project added are grey and say so under their name. Each bar carries its
    count; the table holds the same numbers."""
    with force_locale(lang):
        added = _("added by the project")
        labels = [charts.plotly_text(i.label) + (f"<br><i>{added}</i>" if i.added else "")
                  for i in tally.items]
        counts = [i.votes for i in tally.items]
        top = max(counts, default=0)
        bars = go.Bar(
            orientation="h", y=labels, x=counts, text=[str(n) for n in counts],
            textposition="outside", cliponaxis=False, name=_("Votes"),
            marker={"color": [ADDED_COLOUR if i.added else DIMENSION_COLOUR
                              for i in tally.items]},
            customdata=[i.key for i in tally.items],
            hovertemplate="%{y}: %{x}<extra></extra>")
        figure = go.Figure(data=[bars], layout={
            "title": {"text": charts.plotly_text(title)},
            "separators": ", " if lang == "sv" else ".,",
            "font": {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
                     "size": charts.FONT_SIZE, "color": "#1a1a1a"},
            "showlegend": False, "paper_bgcolor": "#ffffff", "plot_bgcolor": "#ffffff",
            "height": 540, "bargap": 0.25,
            # The first item on top; room to the right of the longest bar for its number.
            "yaxis": {"autorange": "reversed", "automargin": True, "categoryorder": "array",
                      "categoryarray": labels, "ticklabelstandoff": 8},
            "xaxis": {"range": [0, max(1, top) * 1.15], "rangemode": "tozero",
                      "tickformat": "d", "dtick": _step(top),
                      "gridcolor": "#d0d0d0", "automargin": True,
                      "title": {"text": _("Votes")}},
            "meta": {"items": [i.key for i in tally.items]},
        })
        table = [[_("Question"), _("Votes")]] + [[i.label + (f" ({added})" if i.added else ""),
                                                  str(i.votes)] for i in tally.items]
        table.append([_("People who voted"), str(tally.ballots)])
        caption = _("Each person chose up to three questions. The questions are in the "
                    "instrument's order; grey ones were added by the project.")
        return charts.Chart("vote", title, figure, table, caption, tally.ballots)


def _step(top: int) -> int:
    """A round step between the count axis' numbers: 1, 2, 5, 10, 20, 50… for at most about
    eight of them."""
    step = 1
    while top / step > 8:
        step = step * 5 // 2 if str(step)[0] == "2" else step * 2
    return step


def ballots_text(tally: Tally, lang: str = "sv") -> str:
    """How many have voted, and whether they still can."""
    with force_locale(lang):
        count = ngettext("%(num)s person has voted", "%(num)s people have voted",
                         tally.ballots)
        if tally.state is None:
            return _("The vote is not open yet.")
        if tally.is_locked:
            return _("The vote is locked: %(count)s.", count=count)
        return _("The vote is open: %(count)s.", count=count)


@dataclass(frozen=True)
class SlideVote:
    """What the vote slide shows before its data arrives: the round, the phones' address
    (without the scheme, to type) and its QR code, and the state ("none" before a vote)."""

    round: Round
    address: str
    qr: str
    state: str
    text: str


def slide_vote(round_: Round, lang: str = "sv") -> SlideVote:
    url = vote_url(round_)
    counted = tally(round_, lang)
    return SlideVote(round_, url.split("://", 1)[-1],
                     qr_svg(url, title=round_.label, fluid=True),
                     counted.state or "none", ballots_text(counted, lang))
