"""Disclosure control: what Spindel may publish (../shared/disclosure.md), in one module.

Every figure any output shows is a statistic of one *published cell* of one round — the whole
round, one profession or one district — read from a *release*: a stored snapshot of the
round's tallies, cut at k answers and then whenever at least k answers were added or removed.
Which cells and items of a release may be shown is decided once, when it is cut, and stored:
primary and complementary hiding per list, then more hiding until the exact check
(services/exact_check.py) finds no small group whose sum follows from everything published.

Releases are cut lazily: whoever reads a round's figures first after a release became due
(or after the round closed) cuts it. The figures are the same whoever looks, so this moves
nothing; it only saves a background job.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import defaultdict
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, insert, literal, select
from sqlalchemy.exc import IntegrityError

from .. import instrument as instruments
from ..dates import local_today
from ..extensions import db
from ..models import Project, RatingTally, Release, ReleaseTally, Round, RoundStatus
from .exact_check import Basis, SearchTooLarge, find_disclosure
from .responses import CANNOT_JUDGE_VALUE, NO_DISTRICT

ABSOLUTE_MIN_GROUP_SIZE = 3  # below three, a group's answers point to a person
DEFAULT_MIN_GROUP_SIZE = 5

WHOLE = "all"  # the whole-round cell

# Why a cell or item is hidden; the audit page explains each in words.
EMPTY, SMALL, COMPLEMENT, DERIVATION, SEARCH = ("empty", "small", "complement", "derivation",
                                                "search")


def min_group_size(project: Project) -> int:
    """The project's k: groups with fewer responses are hidden. Never below 3."""
    k = project.min_group_size or DEFAULT_MIN_GROUP_SIZE
    return max(ABSOLUTE_MIN_GROUP_SIZE, k)


def profession_cell(profession_id: int) -> str:
    return f"p:{profession_id}"


def district_cell(district_id: int | None) -> str:
    return f"d:{district_id or NO_DISTRICT}"


def _matches(cell: str, profession_id: int, district_id: int) -> bool:
    if cell == WHOLE:
        return True
    kind, _, ident = cell.partition(":")
    return int(ident) == (profession_id if kind == "p" else district_id)


Combination = tuple[int, int]  # (profession_id, district_id); district 0 = none
Tallies = dict[tuple[int, int, str, int], int]  # (profession, district, item, value) -> count


# --- releases -------------------------------------------------------------------------------


def _combinations_now(round_: Round, first_item: str) -> dict[Combination, int]:
    """Answers per profession and district now. Every answer rates every item ("cannot
    judge" is tallied as value 0), so one item's tallies count the answers."""
    rows = db.session.execute(
        select(RatingTally.profession_id, RatingTally.district_id, func.sum(RatingTally.count))
        .where(RatingTally.round_id == round_.id, RatingTally.item_key == first_item)
        .group_by(RatingTally.profession_id, RatingTally.district_id))
    return {(p, d): int(n) for p, d, n in rows if n}


def combinations_of(release: Release | None) -> dict[Combination, int]:
    if release is None:
        return {}
    stored = json.loads(release.combinations or "{}")
    return {tuple(int(x) for x in key.split(",")): n for key, n in stored.items()}


def changes_between(before: dict[Combination, int], after: dict[Combination, int]) -> int:
    """Answers added or removed between two states (per combination; a removal and an
    addition in the same combination between two looks count as none)."""
    return sum(abs(after.get(c, 0) - before.get(c, 0)) for c in set(before) | set(after))


# While a round is open, a release also waits for a quarter more answers than the last one had:
# the live spider still moves every few answers early on and every few dozen late in a big
# round, and the number of releases (each adding pieces the exact check must consider) grows
# with the logarithm of the answers instead of linearly. At closing, k answers are enough.
OPEN_GROWTH = 0.25


def release_step(latest: Release | None, k: int, closed: bool) -> int:
    """Answers that must be added or removed before the next release is cut (policy §4:
    at least k)."""
    if latest is None or closed:
        return k
    return max(k, math.ceil(latest.responses * OPEN_GROWTH))


def releases_of(round_: Round) -> list[Release]:
    return list(db.session.scalars(select(Release).where(Release.round_id == round_.id)
                                   .order_by(Release.number)))


def refresh(round_: Round, today: dt.date | None = None) -> Release | None:
    """Cut a release if one is due, and publish the latest one's breakdowns once the round
    has closed; return the round's latest release (None while it has fewer than k answers).

    Commits when it changed anything: a release is a fact of its own, and a read-only view
    should not have to know. A concurrent cut of the same release loses on the unique
    (round, number) and reads the winner's.
    """
    today = today or local_today()
    project = round_.project
    k = min_group_size(project)
    instrument = instruments.for_project(project)
    releases = releases_of(round_)
    latest = releases[-1] if releases else None
    now = _combinations_now(round_, instrument.item_keys[0])
    closed = round_.status(today) == RoundStatus.CLOSED
    if changes_between(combinations_of(latest), now) >= release_step(latest, k, closed):
        try:
            latest = _cut(round_, releases, now, closed, k, today)
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            releases = releases_of(round_)
            latest = releases[-1] if releases else None
    elif closed and latest is not None and not latest.breakdowns_published:
        latest.breakdowns_published = True
        db.session.commit()
    return latest


def _cut(round_: Round, releases: list[Release], now: dict[Combination, int], closed: bool,
         k: int, today: dt.date) -> Release:
    release = Release(round_id=round_.id, number=len(releases) + 1, cut_on=today,
                      responses=sum(now.values()), breakdowns_published=closed,
                      combinations=json.dumps({f"{p},{d}": n for (p, d), n in now.items()}))
    db.session.add(release)
    db.session.flush()
    db.session.execute(insert(ReleaseTally).from_select(
        ["release_id", "profession_id", "district_id", "item_key", "value", "count"],
        select(literal(release.id), RatingTally.profession_id,
               RatingTally.district_id, RatingTally.item_key, RatingTally.value,
               RatingTally.count)
        .where(RatingTally.round_id == round_.id, RatingTally.count != 0)))
    history = [(r, tallies_of(r)) for r in releases] + [(release, tallies_of(release))]
    hidden = decide_visibility(round_.project, history, k)
    release.hidden = json.dumps(hidden, sort_keys=True)
    return release


def tallies_of(release: Release) -> Tallies:
    rows = db.session.execute(
        select(ReleaseTally.profession_id, ReleaseTally.district_id, ReleaseTally.item_key,
               ReleaseTally.value, ReleaseTally.count)
        .where(ReleaseTally.release_id == release.id))
    return {(p, d, i, v): c for p, d, i, v, c in rows}


def hidden_of(release: Release) -> dict:
    """The stored decision: {"cells": {cell: reason}, "items": {item: {cell: reason}}}."""
    return json.loads(release.hidden or "{}") or {"cells": {}, "items": {}}


# --- the decision -----------------------------------------------------------------------------


@dataclass
class History:
    """A round's releases as atoms: answers of one combination between two releases."""

    items: list[str]
    tallies: list[Tallies]  # per release, in order
    combinations: list[Combination] = field(default_factory=list)
    # per release: (profession, district, item) -> {value: count}
    nested: list[dict[tuple[int, int, str], dict[int, int]]] = field(default_factory=list)

    def __post_init__(self):
        self.combinations = sorted({(p, d) for t in self.tallies for (p, d, _, _) in t})
        for tallies in self.tallies:
            nested: dict[tuple[int, int, str], dict[int, int]] = defaultdict(dict)
            for (p, d, i, v), c in tallies.items():
                nested[(p, d, i)][v] = c
            self.nested.append(nested)

    def cells(self) -> list[str]:
        professions = sorted({p for p, _ in self.combinations})
        districts = sorted({d for _, d in self.combinations})
        return ([WHOLE] + [profession_cell(p) for p in professions]
                + [district_cell(d) for d in districts])

    def members(self, release_index: int, cell: str) -> frozenset:
        """The atoms (release, profession, district) a release's cell is the union of."""
        return frozenset((t, p, d) for t in range(release_index + 1)
                         for p, d in self.combinations if _matches(cell, p, d))

    def sizes(self, item: str) -> dict[tuple, int]:
        """Each atom's number of ratings of one item ("cannot judge" is no rating); a
        removal counts as much as an addition."""
        sizes = {}
        empty: dict[int, int] = {}
        for t, nested in enumerate(self.nested):
            before = self.nested[t - 1] if t else {}
            for p, d in self.combinations:
                now, then = nested.get((p, d, item), empty), before.get((p, d, item), empty)
                sizes[(t, p, d)] = sum(abs(now.get(v, 0) - then.get(v, 0))
                                       for v in set(now) | set(then) if v != CANNOT_JUDGE_VALUE)
        return sizes

    def cell_count(self, release_index: int, cell: str, item: str | None = None) -> int:
        """Answers in a release's cell, or, with an item, its ratings of that item."""
        nested = self.nested[release_index]
        total = 0
        for p, d in self.combinations:
            if _matches(cell, p, d):
                by_value = nested.get((p, d, item or self.items[0]), {})
                total += sum(c for v, c in by_value.items()
                             if item is None or v != CANNOT_JUDGE_VALUE)
        return total


def _lists(cells: list[str]) -> list[list[str]]:
    return [[c for c in cells if c.startswith("p:")], [c for c in cells if c.startswith("d:")]]


def _primary_and_complement(cells: list[str], count: dict[str, int], k: int,
                            hidden: dict[str, str]) -> None:
    """Policy §2: 1..k−1 hidden; if exactly one non-empty cell of a list is hidden, the
    smallest other non-empty cell of that list too."""
    for cell in cells:
        if cell not in hidden:
            if count[cell] == 0:
                hidden[cell] = EMPTY
            elif count[cell] < k:
                hidden[cell] = SMALL
    for group in _lists(cells):
        small = [c for c in group if count[c] > 0 and c in hidden]
        others = [c for c in group if count[c] > 0 and c not in hidden]
        if len(small) == 1 and others:
            hidden[min(others, key=lambda c: (count[c], c))] = COMPLEMENT


def decide_visibility(project: Project, history: list[tuple[Release, Tallies]],
                      k: int) -> dict:
    """Which cells and items of the newest release in `history` may be shown, given what the
    earlier releases of the round published. Returns the structure stored in Release.hidden.
    """
    instrument = instruments.for_project(project)
    items = instrument.item_keys
    rounds = History(items, [t for _, t in history])
    last = len(history) - 1
    cells = rounds.cells()
    counts = {c: rounds.cell_count(last, c) for c in cells}
    hidden_cells: dict[str, str] = {}
    _primary_and_complement(cells, counts, k, hidden_cells)
    hidden_cells.pop(WHOLE, None)  # a release has at least k answers
    hidden_items: dict[str, dict[str, str]] = {}
    for item in items:
        hidden = dict(hidden_cells)
        item_counts = {c: rounds.cell_count(last, c, item) for c in cells}
        _primary_and_complement(cells, item_counts, k, hidden)
        fixed = published_rows(rounds, [r for r, _ in history[:-1]], item)
        _exact(rounds, last, cells, item, item_counts, fixed, hidden, k)
        hidden_items[item] = hidden
    # A cell with no item left to show is hidden as a whole.
    for cell in cells:
        if cell != WHOLE and all(cell in hidden_items[i] for i in items):
            hidden_cells.setdefault(cell, hidden_items[items[0]][cell])
    return {"cells": hidden_cells, "items": hidden_items}


def published_rows(rounds: History, releases: list[Release], item: str) -> list[frozenset]:
    """The cells of earlier releases that were published for an item: every release's
    whole-round cell, and the breakdowns of those that became a publication."""
    rows = []
    for index, release in enumerate(releases):
        hidden = hidden_of(release).get("items", {}).get(item, {})
        for cell in rounds.cells():
            if cell in hidden or (cell != WHOLE and not release.breakdowns_published):
                continue
            rows.append(rounds.members(index, cell))
    return rows


def _exact(rounds: History, last: int, cells: list[str], item: str, counts: dict[str, int],
           fixed: list[frozenset], hidden: dict[str, str], k: int) -> None:
    """Hide more cells of the newest release until no small group's sum follows (§2, §6)."""
    sizes = rounds.sizes(item)
    while True:
        shown = [c for c in cells if c not in hidden]
        rows = fixed + [rounds.members(last, c) for c in shown]
        try:
            found = find_disclosure(rows, sizes, k)
        except SearchTooLarge:
            # Too many small pieces to prove anything: show only the whole round.
            for cell in shown:
                if cell != WHOLE:
                    hidden[cell] = SEARCH
            found = None
            try:
                found = find_disclosure(fixed + [rounds.members(last, WHOLE)], sizes, k)
            except SearchTooLarge:
                hidden[WHOLE] = SEARCH
            if found:
                hidden[WHOLE] = DERIVATION
            return
        if found is None:
            return
        hidden[_cell_to_hide(rounds, last, shown, fixed, found, counts)] = DERIVATION


def _cell_to_hide(rounds: History, last: int, shown: list[str], fixed: list[frozenset],
                  found: frozenset, counts: dict[str, int]) -> str:
    """The smallest shown cell that the derivation of `found` uses: the first, smallest
    first and the whole round last, without which the sum no longer follows."""
    by_size = sorted(shown, key=lambda c: (c == WHOLE, counts[c], c))
    published = Basis(fixed)
    rows = {c: rounds.members(last, c) for c in shown}
    for cell in by_size:
        rest = published.copy()
        for other in shown:
            if other != cell:
                rest.add(rows[other])
        if not rest.contains(found):
            return cell
    # Several derivations, none needing one particular cell: hide the smallest and look again.
    return by_size[0]


# --- publications: what a round shows now --------------------------------------------------


@dataclass
class Publication:
    """What one round publishes now: its latest release, whole-round only while open."""

    round: Round
    release: Release | None
    breakdowns: bool  # professions and districts are shown (the round has closed)
    pending: int  # answers not yet in the release
    k: int
    hidden: dict = field(default_factory=dict)
    _tallies: Tallies | None = None

    @property
    def next_update_in(self) -> int:
        """Answers still needed before the next release."""
        closed = self.round.status() == RoundStatus.CLOSED
        return max(1, release_step(self.release, self.k, closed) - self.pending)

    def tallies(self) -> Tallies:
        if self._tallies is None:
            self._tallies = tallies_of(self.release) if self.release else {}
        return self._tallies

    def why_hidden(self, cell: str) -> str | None:
        """None when the cell is shown; else the reason: "too_small" (no release yet),
        "open" (breakdowns wait for the round to close), or the stored reason."""
        if self.release is None:
            return "too_small"
        if cell != WHOLE and not self.breakdowns:
            return "open"
        if not any(_matches(cell, p, d) for p, d in combinations_of(self.release)):
            return EMPTY
        return self.hidden.get("cells", {}).get(cell)

    def item_hidden(self, cell: str, item: str) -> bool:
        return cell in self.hidden.get("items", {}).get(item, {})

    def counts(self, cell: str) -> tuple[int, dict[str, dict[int, int]]]:
        """A shown cell's answers and its per item {value: count} tallies."""
        by_item: dict[str, dict[int, int]] = defaultdict(dict)
        combinations: dict[Combination, int] = {}
        for (p, d, item, value), count in self.tallies().items():
            if _matches(cell, p, d):
                by_item[item][value] = by_item[item].get(value, 0) + count
        for (p, d), n in combinations_of(self.release).items():
            if _matches(cell, p, d):
                combinations[(p, d)] = n
        return sum(combinations.values()), dict(by_item)


def publication(round_: Round, today: dt.date | None = None) -> Publication:
    """The round's publication now (cutting a release first if one is due)."""
    today = today or local_today()
    project = round_.project
    k = min_group_size(project)
    release = refresh(round_, today)
    instrument = instruments.for_project(project)
    now = _combinations_now(round_, instrument.item_keys[0])
    pending = changes_between(combinations_of(release), now)
    closed = round_.status(today) == RoundStatus.CLOSED
    return Publication(round_, release, bool(release and closed and release.breakdowns_published),
                       pending, k, hidden_of(release) if release else {})


# --- the audit (policy §6) ------------------------------------------------------------------


@dataclass
class RoundAudit:
    round: Round
    releases: list[Release]
    published: dict[str, int]  # item -> number of published cells checked
    found: dict[str, list[tuple]]  # item -> atoms of a disclosed small group (empty: none)
    incomplete: list[str]  # items whose search was too large to finish

    @property
    def passed(self) -> bool:
        return not any(self.found.values()) and not self.incomplete


def audit_round(round_: Round) -> RoundAudit:
    """Every figure the round has published — every published cell of every release, for
    every item — and the exact check that no set of fewer than k answers follows from them."""
    project = round_.project
    k = min_group_size(project)
    items = instruments.for_project(project).item_keys
    releases = releases_of(round_)
    rounds = History(items, [tallies_of(r) for r in releases])
    published, found, incomplete = {}, {}, []
    for item in items:
        rows = published_rows(rounds, releases, item)
        published[item] = len(rows)
        try:
            disclosed = find_disclosure(rows, rounds.sizes(item), k) if rows else None
        except SearchTooLarge:
            incomplete.append(item)
            disclosed = None
        found[item] = sorted(disclosed) if disclosed else []
    return RoundAudit(round_, releases, published, found, incomplete)


def audit(project: Project) -> list[RoundAudit]:
    """The audit of every round of a project (rounds are independent: nothing pools them)."""
    return [audit_round(r) for r in project.rounds]


# --- the audit as a report (command and page) -----------------------------------------------

REASONS = {
    EMPTY: _l("no answers"),
    SMALL: _l("fewer than k answers (or ratings of the item)"),
    COMPLEMENT: _l("hidden so that the one small group in its list cannot be worked out by "
                   "subtraction"),
    DERIVATION: _l("hidden because, with everything else published, it would let a group "
                   "of fewer than k answers be worked out"),
    SEARCH: _l("hidden because the check could not be completed with it shown"),
}


@dataclass
class ReportCell:
    label: str
    reason: str
    items: list[str]  # items hidden in an otherwise shown cell (empty: the whole cell)


@dataclass
class ReportRelease:
    number: int
    cut_on: dt.date
    responses: int
    breakdowns_published: bool
    hidden: list[ReportCell]


@dataclass
class ReportRound:
    label: str
    status: str
    releases: list[ReportRelease]
    published_cells: int
    passed: bool
    problems: list[str]
    pending: int


def audit_report(project: Project, lang: str = "sv") -> list[ReportRound]:
    """The audit in words, per round: releases, what is hidden and why, and the result."""
    instrument = instruments.for_project(project)
    item_label = {i.key: i.short.get(lang) for i in instrument.items}
    names = {WHOLE: str(_l("whole round"))}
    names |= {profession_cell(p.id): p.label(lang) for p in project.professions}
    names |= {district_cell(d.id): d.label(lang) for d in project.districts}
    names[district_cell(NO_DISTRICT)] = str(_l("no district"))
    rounds = []
    for round_ in project.rounds:
        pub = publication(round_)
        result = audit_round(round_)
        releases = []
        for release in result.releases:
            decided = hidden_of(release)
            hidden = [ReportCell(names.get(c, c), str(REASONS.get(r, r)), [])
                      for c, r in sorted(decided.get("cells", {}).items())]
            per_cell: dict[str, list[str]] = defaultdict(list)
            reasons: dict[str, str] = {}
            for item, cells in decided.get("items", {}).items():
                for cell, reason in cells.items():
                    if cell not in decided.get("cells", {}):
                        per_cell[cell].append(item_label.get(item, item))
                        reasons[cell] = reason
            hidden += [ReportCell(names.get(c, c), str(REASONS.get(reasons[c], reasons[c])),
                                  items) for c, items in sorted(per_cell.items())]
            releases.append(ReportRelease(release.number, release.cut_on, release.responses,
                                          release.breakdowns_published, hidden))
        problems = [str(_l("%(item)s: a group of fewer than k answers follows from the "
                           "published figures.", item=item_label.get(i, i)))
                    for i, found in result.found.items() if found]
        problems += [str(_l("%(item)s: the check could not be completed.",
                            item=item_label.get(i, i))) for i in result.incomplete]
        rounds.append(ReportRound(round_.label, round_.status(), releases,
                                  sum(result.published.values()), result.passed, problems,
                                  pub.pending if pub.release else 0))
    return rounds
