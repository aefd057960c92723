"""What a seminar agreed to do after a round, and how its items moved by the next one.

After the room has said what to prioritise, the supporter records the round's agreements:
which items, what will be done, by which team or steering group, by when (free text; no
personal names are needed), and later whether it is done, in progress or dropped. The next
round's presentation opens with them ("Last time we agreed…") and each item's change since.

That change is a difference of two published means — the earlier round's and this round's,
each of the same published cell (the whole round, or the one profession or district the
show is limited to) — read from `results_payload`, so a hidden cell or item stays hidden
and an open round shows only its whole-round figures (disclosure.md §1, §4). A change is
called clear only where `talking_points.evident` says so: the one home of that rule.

Helpers add and flush; the view commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from .. import instrument as instruments
from ..extensions import db
from ..i18n import number
from ..models import Agreement, AgreementStatus, Project, Round, RoundStatus
from . import projects
from .names import clean_name, name_problem
from .results import results_payload
from .selection import Selection
from .talking_points import evident
from .votes import tally

# Lengths: an action is a sentence or three; owner and due fit the model's columns.
MAX_ACTION = 1000
MAX_OWNER = 200
MAX_DUE = 100
MAX_PER_ROUND = 50  # a seminar agrees a handful; this only stops a runaway script

# An item's change in the "last time" view.
SHOWN = "shown"  # both means published: the change is given
WAITING = "waiting"  # the newer round has no published figure for this cell yet
HIDDEN = "hidden"  # the anonymity rule hides the cell or the item in either round
NO_ANSWERS = "no_answers"  # published, but nobody gave the item a number


_LINE_BREAKS = str.maketrans("\r\n\t", "   ")


class AgreementError(ValueError):
    """An agreement that cannot be stored; `problems` maps a field (items, action, owner,
    due, status) to the reason in words."""

    def __init__(self, problems: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))
        self.problems = problems


def status_label(status: str) -> str:
    """The status in the interface's language."""
    return {AgreementStatus.IN_PROGRESS: _("In progress"), AgreementStatus.DONE: _("Done"),
            AgreementStatus.DROPPED: _("Dropped")}.get(status, status)


def _text_problem(text: str, max_length: int, line_breaks: bool = False) -> str | None:
    if line_breaks:  # as for a description: line breaks and tabs count as spaces
        text = text.translate(_LINE_BREAKS)
    problem = name_problem(text, max_length)
    if problem == "too_long":
        return _("At most %(max)s characters.", max=max_length)
    if problem == "control":
        return _("This contains an invisible control or text-direction character (a tab, "
                 "for instance, or one that came along when pasting); remove it.")
    return None


def clean_action(text: str | None) -> str:
    """An action as stored: trimmed, composed Unicode, line breaks as "\\n"."""
    return clean_name((text or "").replace("\r\n", "\n").replace("\r", "\n"))


def problems(project: Project, items: Sequence[str], action: str, owner: str,
             due: str) -> dict[str, str]:
    """What is wrong with an agreement, per field (empty: it can be stored). Texts are
    checked as given; pass them through clean_name / clean_action first."""
    found: dict[str, str] = {}
    known = instruments.for_project(project).item_keys
    if any(key not in known for key in items):
        found["items"] = _("Choose only from the list.")
    elif len(set(items)) != len(items):
        found["items"] = _("Choose each question once.")
    if not action:
        found["action"] = _("Say what will be done.")
    elif problem := _text_problem(action, MAX_ACTION, line_breaks=True):
        found["action"] = problem
    for name, text, most in (("owner", owner, MAX_OWNER), ("due", due, MAX_DUE)):
        if problem := _text_problem(text, most):
            found[name] = problem
    return found


def _checked(project: Project, items: Sequence[str], action: str, owner: str,
             due: str) -> tuple[list[str], str, str, str]:
    """The agreement's fields cleaned, items in the instrument's order; raises
    AgreementError."""
    items = list(items or [])
    action, owner, due = clean_action(action), clean_name(owner), clean_name(due)
    if found := problems(project, items, action, owner, due):
        raise AgreementError(found)
    order = instruments.for_project(project).item_keys
    return sorted(items, key=order.index), action, owner, due


def for_round(round_: Round) -> list[Agreement]:
    """A round's agreements in their order."""
    return list(db.session.scalars(select(Agreement).where(Agreement.round_id == round_.id)
                                   .order_by(Agreement.position, Agreement.id)))


def agreement_of(round_: Round, agreement_id: int) -> Agreement | None:
    """The agreement with this id if it belongs to this round (None otherwise, so another
    project's id is not found)."""
    agreement = db.session.get(Agreement, agreement_id)
    return agreement if agreement is not None and agreement.round_id == round_.id else None


def counts(project: Project) -> dict[int, int]:
    """How many agreements each round of the project has, by round number (none: left
    out)."""
    rows = db.session.execute(
        select(Round.number, func.count(Agreement.id)).join(Agreement,
                                                           Agreement.round_id == Round.id)
        .where(Round.project_id == project.id).group_by(Round.number))
    return {number: count for number, count in rows}


def add(round_: Round, items: Sequence[str], action: str, owner: str = "",
        due: str = "") -> Agreement:
    """Record an agreement last in the round's list; raises AgreementError."""
    items, action, owner, due = _checked(round_.project, items, action, owner, due)
    existing = for_round(round_)
    if len(existing) >= MAX_PER_ROUND:
        raise AgreementError({"action": _("A round can have at most %(max)s agreements.",
                                          max=MAX_PER_ROUND)})
    agreement = Agreement(round_id=round_.id, items=items, action=action, owner=owner,
                          due=due, status=AgreementStatus.IN_PROGRESS,
                          position=max((a.position for a in existing), default=-1) + 1)
    db.session.add(agreement)
    db.session.flush()
    return agreement


def edit(agreement: Agreement, items: Sequence[str], action: str, owner: str = "",
         due: str = "") -> None:
    """Change what an agreement says; raises AgreementError (and changes nothing)."""
    agreement.items, agreement.action, agreement.owner, agreement.due = _checked(
        agreement.round.project, items, action, owner, due)
    db.session.flush()


def set_status(agreement: Agreement, status: str) -> None:
    """Mark an agreement done, in progress or dropped; raises AgreementError."""
    if status not in AgreementStatus.ALL:
        raise AgreementError({"status": _("Choose only from the list.")})
    agreement.status = status
    db.session.flush()


def delete(agreement: Agreement) -> None:
    round_ = agreement.round
    db.session.delete(agreement)
    db.session.flush()
    for position, each in enumerate(for_round(round_)):
        each.position = position


def move(agreement: Agreement, direction: str) -> None:
    """One step up or down in the round's list; positions stay 0..n-1."""
    projects.move(for_round(agreement.round), agreement, direction)
    db.session.flush()


# --- the next round: what came of it ------------------------------------------------------


@dataclass
class ItemChange:
    """One item of an agreement from the agreement's round to the newer one."""

    key: str
    label: str
    state: str  # SHOWN, WAITING, HIDDEN or NO_ANSWERS
    before: float | None = None
    now: float | None = None
    n_before: int | None = None
    n_now: int | None = None
    evident: bool = False
    text: str = ""  # the change in words (change_text), in the language asked for

    @property
    def change(self) -> float | None:
        """The difference of the means as shown (one decimal each), so the figures add up."""
        if self.state != SHOWN:
            return None
        return round(round(self.now, 1) - round(self.before, 1), 1)


@dataclass
class AgreementView:
    """An agreement as a slide shows it: its items' labels and, for the next round, each
    item's change (empty for the round's own list)."""

    agreement: Agreement
    labels: list[str]
    items: list[ItemChange] = field(default_factory=list)

    @property
    def status(self) -> str:
        return status_label(self.agreement.status)


@dataclass
class LastTime:
    """The agreements of an earlier round and how their items moved by `now`."""

    then: Round  # the round the agreements were made after
    now: Round
    agreements: list[AgreementView]
    min_group_size: int


def earlier_round_with_agreements(project: Project, round_number: int) -> Round | None:
    """The latest round before round_number that has agreements, if any."""
    return db.session.scalar(
        select(Round).join(Agreement, Agreement.round_id == Round.id)
        .where(Round.project_id == project.id, Round.number < round_number)
        .order_by(Round.number.desc()).limit(1))


def _change(key: str, label: str, before: dict, now: dict, now_open: bool,
            k: int) -> ItemChange:
    # An open round publishes its whole round from k answers on, and its professions and
    # districts when it closes: until then its figure is still to come, not hidden.
    if now["suppressed"] and (now["reason"] == "open"
                              or (now_open and now["reason"] == "too_small")):
        return ItemChange(key, label, WAITING)
    if before["suppressed"] or now["suppressed"]:
        return ItemChange(key, label, HIDDEN)
    a, b = before["items"].get(key, {}), now["items"].get(key, {})
    if a.get("suppressed") or b.get("suppressed"):
        return ItemChange(key, label, HIDDEN)
    if a.get("mean") is None or b.get("mean") is None:
        return ItemChange(key, label, NO_ANSWERS)
    return ItemChange(key, label, SHOWN, before=a["mean"], now=b["mean"], n_before=a["n"],
                      n_now=b["n"], evident=evident(a, b, k))


def views(round_: Round, lang: str = "sv") -> list[AgreementView]:
    """A round's own agreements with their items' labels, in order."""
    labels = dict(item_choices(round_.project, lang))
    return [AgreementView(a, [labels.get(key, key) for key in a.items])
            for a in for_round(round_)]


def previous(project: Project, round_number: int, lang: str = "sv",
             profession: str | None = None, district: str | None = None) -> LastTime | None:
    """The agreements of the latest round before round_number that has any, each with its
    items' change from that round to round_number — of the whole rounds, or of one
    profession or one district in each. None when no earlier round has agreements.

    Every figure is a published mean from results_payload: while round_number is open only
    its whole round is published, so a profession or district there is WAITING, as is a
    round with no release yet. Raises SelectionError for an unknown round or group."""
    then = earlier_round_with_agreements(project, round_number)
    if then is None:
        return None
    payload = results_payload(project, Selection("round", (then.number, round_number),
                                                 profession, district), lang)
    before, now = payload["groups"]
    labels = {item["key"]: item["label"] for item in payload["instrument"]["items"]}
    k = payload["min_group_size"]
    now_round = project.round(round_number)
    now_open = now_round.status() != RoundStatus.CLOSED
    shown = [AgreementView(a, [labels.get(key, key) for key in a.items],
                           [_change(key, labels.get(key, key), before, now, now_open, k)
                            for key in a.items if key in labels])
             for a in for_round(then)]
    for view in shown:
        for change in view.items:
            change.text = change_text(change, lang)
    return LastTime(then, now_round, shown, k)


def change_text(change: ItemChange, lang: str = "sv") -> str:
    """One item's change in words, for slides and the deck: "4,1 → 5,3 (+1,2; a clear
    change; 40 and 45 answers)", or why there is no figure."""
    with force_locale(lang):
        if change.state == WAITING:
            return _("not published yet")
        if change.state == HIDDEN:
            return _("hidden to protect anonymity")
        if change.state == NO_ANSWERS:
            return _("no answers with a number")
        verdict = _("a clear change") if change.evident else _("not a clear change")
        return _("%(before)s → %(now)s (%(change)s; %(verdict)s; %(n_before)s and %(n_now)s "
                 "answers)", before=number(change.before, lang), now=number(change.now, lang),
                 change=signed(change.change, lang), verdict=verdict,
                 n_before=change.n_before, n_now=change.n_now)


def signed(value: float, lang: str = "sv") -> str:
    """+1,2 / −0,3 / ±0,0: the sign always shown, a real minus sign."""
    sign = "+" if value > 0 else "−" if value < 0 else "±"
    return sign + number(abs(value), lang)


def prioritised(round_: Round, how_many: int = 3) -> list[str]:
    """The items the room's vote on this round put first (most votes; ties in the
    instrument's order), up to how_many, only items someone chose; empty without a vote."""
    counted = [item for item in tally(round_).items if item.votes > 0]
    return [item.key for item in sorted(counted, key=lambda item: -item.votes)][:how_many]


def item_choices(project: Project, lang: str = "sv") -> list[tuple[str, str]]:
    """(key, short label) of every item of the project's instrument, in its order."""
    return [(item.key, item.short.get(lang))
            for item in instruments.for_project(project).items]


def item_labels(project: Project, keys: Sequence[str], lang: str = "sv") -> list[str]:
    """The items' short labels in the given order (an unknown key as itself)."""
    instrument = instruments.for_project(project)
    known = {item.key: item.short.get(lang) for item in instrument.items}
    return [known.get(key, key) for key in keys]
